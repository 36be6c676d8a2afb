"""Field conversions shared by the importers: dates, amounts, deadlines, country lists."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from shared.importers.fields import add_months, amount, parse_date, relevant_until
from shared.importers.mapping import load_mappings
from shared.importers.records import ImportOptions, Unmappable


@pytest.mark.parametrize(
    ("text", "end", "expected"),
    [
        ("2026-02-03", False, date(2026, 2, 3)),
        ("2026-02-03T10:00:00+07:00", False, date(2026, 2, 3)),
        ("2026-02", False, date(2026, 2, 1)),
        ("2026-02", True, date(2026, 2, 28)),
        ("2028", True, date(2028, 12, 31)),
        ("", False, None),
    ],
)
def test_partial_dates_cover_their_whole_period_when_they_end_one(text, end, expected):
    assert parse_date(text, "d", end_of_period=end) == expected


def test_a_date_that_is_not_one_rejects_the_record_quoting_it():
    with pytest.raises(Unmappable, match="'31/12/2026' is not a date"):
        parse_date("31/12/2026", "endDate")


def test_months_are_added_clamped_to_the_end_of_a_shorter_month():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 15), 18) == date(2028, 5, 15)


def test_amounts_that_say_nothing_are_left_out_and_said():
    warnings: list[str] = []
    assert amount("1,250.50", "a", warnings) == 1250.5
    assert amount("-10", "a", warnings) is None and amount("ten", "a", warnings) is None
    assert len(warnings) == 2
    assert amount("0", "a", warnings, zero_is_missing=True) is None and len(warnings) == 2


def test_an_undated_award_stays_relevant_for_the_documented_days():
    warnings: list[str] = []
    days = load_mappings().undated_relevance_days
    start = date(2026, 1, 1)
    assert relevant_until(None, start, load_mappings(), warnings) == start + timedelta(days=days)
    with pytest.raises(Unmappable, match="has no date"):
        relevant_until(None, None, load_mappings(), warnings)


def test_country_options_are_iso_codes():
    assert ImportOptions.from_text(" kh, LA ").countries == ("KH", "LA")
    assert ImportOptions.from_text("").countries is None
    with pytest.raises(ValueError, match="'XX' is not an ISO 3166-1"):
        ImportOptions.from_text("KH,XX")
