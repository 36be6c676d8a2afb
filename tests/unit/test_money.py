"""The one dated rate table."""

from __future__ import annotations

from shared.domain.taxonomy import REGIONAL_CURRENCIES
from shared.matching.money import fx_rates


def test_rate_table_is_dated_sourced_and_covers_the_region():
    table = fx_rates()
    assert table.date and table.source and table.base == "USD"
    assert set(REGIONAL_CURRENCIES) <= set(table.rates)


def test_conversion_goes_through_the_base_and_back():
    table = fx_rates()
    thb = table.convert(100, "USD", "THB")
    assert thb is not None and abs(table.convert(thb, "THB", "USD") - 100) < 1e-9
    assert table.convert(5, "EUR", "EUR") == 5


def test_currency_without_a_rate_converts_to_none():
    assert fx_rates().convert(1, "USD", "XAU") is None
