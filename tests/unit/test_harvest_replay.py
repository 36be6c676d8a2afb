"""Replaying a recorded page on another day: every date in it moves by the same number of
days, so a sample recorded on D reads today as it read on D (what `grantmatch harvest
--from-file … --recorded-on D` and the `make dev` demo rely on)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import requests

from shared.harvest.base import HarvestedCall
from shared.harvest.replay import days_since, shift_dates
from shared.harvest.un_partner_portal import UnPartnerPortal

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "harvest"


def test_iso_dates_and_timestamps_move_by_the_days_given():
    body = b'{"deadline_date": "2019-06-14", "deadlineDate": ["2026-12-30T17:00:00.000+0100"]}'
    assert json.loads(shift_dates(body, 3)) == {
        "deadline_date": "2019-06-17",
        "deadlineDate": ["2027-01-02T17:00:00.000+0100"],
    }


def test_feed_dates_move_and_keep_a_true_weekday():
    body = b"<pubDate>Mon, 05 Oct 2026 09:00:00 GMT</pubDate><pubDate>5 Oct 2026</pubDate>"
    assert shift_dates(body, 2) == (
        b"<pubDate>Wed, 07 Oct 2026 09:00:00 GMT</pubDate><pubDate>7 Oct 2026</pubDate>"
    )


def test_identifiers_and_impossible_dates_are_left_alone():
    body = b'{"displayID": "CEF/KHM/2019/001", "ref": "2019-13-45", "n": "12019-06-140"}'
    assert shift_dates(body, 30) == body


def test_no_shift_leaves_the_page_byte_for_byte():
    body = (SAMPLES / "feeds" / "calls.rss").read_bytes()
    assert shift_dates(body, 0) == body


def test_days_since_counts_to_today_as_screening_counts_it_anywhere_on_earth():
    recorded = date(2019, 6, 1)
    assert (
        days_since(recorded, datetime(2026, 12, 3, 13, 0, tzinfo=UTC))
        == (date(2026, 12, 3) - recorded).days
    )
    # At 09:00 UTC it is still 2 December somewhere (UTC-12): the deadline day then.
    assert (
        days_since(recorded, datetime(2026, 12, 3, 9, 0, tzinfo=UTC))
        == (date(2026, 12, 2) - recorded).days
    )


def test_a_unpp_sample_replayed_today_reads_as_it_read_on_its_recording_day():
    recorded = datetime(2019, 6, 1, 12, 0, tzinfo=UTC)
    today = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
    body = (SAMPLES / "un_partner_portal" / "projects_page1.json").read_bytes()
    shifted = shift_dates(body, days_since(recorded.date(), today))
    connector = UnPartnerPortal(requests.Session())

    def statuses(page: bytes, now: datetime) -> dict[str, str]:
        outcomes = [connector.map_record(r, now) for r in json.loads(page)["results"]]
        calls = [o for o in outcomes if isinstance(o, HarvestedCall)]
        return {c.provenance.source_id: c.status.value for c in calls}

    then, now = statuses(body, recorded), statuses(shifted, today)
    assert then == now and "open" in then.values()
    assert statuses(body, today) != then  # unshifted, today, the sample's calls are closed
    moved = json.loads(shifted)["results"][0]["deadline_date"]
    original = json.loads(body)["results"][0]["deadline_date"]
    assert date.fromisoformat(moved) - date.fromisoformat(original) == timedelta(
        days=days_since(recorded.date(), today)
    )


def test_a_feed_read_from_a_file_keeps_what_harvest_feeds_declares_for_it():
    from shared.cli.harvest import settings_for_recorded_pages
    from shared.runtime.harvest_sources import feed_sources
    from tests.fakes.adapters import test_settings

    declared = '[{"slug": "mekong", "url": "https://x.example.org/f", "countries": ["KH"]}]'
    kept = settings_for_recorded_pages(test_settings(harvest_feeds=declared), "feed:mekong")
    [feed] = feed_sources(kept)
    assert feed.countries == ("KH",)
    bare = settings_for_recorded_pages(test_settings(), "feed:other")
    assert [f.countries for f in feed_sources(bare)] == [()]
    assert bare.simpler_grants_api_key.get_secret_value()  # samples need no real key
