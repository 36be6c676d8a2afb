"""Locale-neutral amounts used in reasons and by `grantmatch rank`."""

from __future__ import annotations

from shared.matching.money import format_amount, grant_amount_range
from tests import builders as b


def test_whole_and_fractional_amounts():
    assert format_amount(25000, "USD") == "25,000 USD"
    assert format_amount(12.5, "EUR") == "12.50 EUR"
    assert format_amount(None, "USD") == ""


def test_grant_ranges():
    assert grant_amount_range(b.grant()) == "5,000–40,000 USD"
    assert grant_amount_range(b.grant(amount_min=None, amount_max=1000)) == "up to 1,000 USD"
    assert grant_amount_range(b.grant(amount_min=100, amount_max=None)) == "from 100 USD"
    assert grant_amount_range(b.grant(amount_min=None, amount_max=None, currency=None)) == ""
