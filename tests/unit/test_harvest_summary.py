"""A harvest run summarised: seen, new, updated, unchanged, closed, rejected with reasons.

Runs on the real EU capture: a second run over the same records changes nothing, a
moved deadline is an update, a call gone from a complete run is closed.
"""

from __future__ import annotations

import copy
import json
import logging
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import requests

from shared.harvest import SOURCE_KEYS, build_connectors
from shared.harvest.base import HarvestedCall
from shared.harvest.eu_funding_tenders import EuFundingTenders
from shared.harvest.summary import KnownCall, summarise

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures/harvest/eu_funding_tenders"
SEEN = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
TODAY = date(2026, 5, 1)


@pytest.fixture(scope="module")
def eu():
    with requests.Session() as session:
        yield EuFundingTenders(session)


@pytest.fixture(scope="module")
def raw():
    return json.loads((SAMPLE / "portal_search_page.json").read_text("utf-8"))["results"]


def _known(outcomes) -> dict[str, KnownCall]:
    return {
        o.provenance.source_id: KnownCall(o.provenance.checksum, open=o.status.value != "closed")
        for o in outcomes
        if isinstance(o, HarvestedCall)
    }


def test_a_first_run_counts_every_record_once(eu, raw):
    summary = summarise("eu", [eu.map_record(r, SEEN) for r in raw], {}, TODAY, complete=True)
    assert summary.seen == 9
    assert sorted(summary.new) == [
        "HORIZON-CL3-2026-02-CS-ECCC-01",
        "HORIZON-CL6-2026-04-GOVERNANCE-01",
        "HORIZON-JU-CBE-2026-IAFlag-02",
        "HORIZON-MISS-2027-05-SOIL-01-two-stage",
    ]
    assert summary.closed == ("HORIZON-CL2-2024-TRANSFORMATIONS-01-08",)
    assert summary.updated == () and summary.unchanged == () and summary.vanished == ()
    assert summary.rejected == {"no Grant Match sector in its keywords": 4}
    assert summary.mapped == 5


def test_harvesting_the_same_records_again_changes_nothing(eu, raw):
    first = [eu.map_record(r, SEEN) for r in raw]
    again = [eu.map_record(r, datetime(2026, 5, 2, tzinfo=UTC)) for r in raw]
    summary = summarise("eu", again, _known(first), TODAY, complete=True)
    assert summary.new == () and summary.updated == () and summary.vanished == ()
    assert len(summary.unchanged) == 4


def test_a_moved_deadline_is_an_update_and_a_vanished_call_is_closed(eu, raw):
    first = [eu.map_record(r, SEEN) for r in raw]
    later = copy.deepcopy(raw)
    soil = next(r for r in later if "SOIL" in r["metadata"]["identifier"][0])
    soil["metadata"]["deadlineDate"] = ["2027-05-06T00:00:00.000+0000"]
    later = [r for r in later if "CBE" not in r["metadata"]["identifier"][0]]
    summary = summarise(
        "eu", [eu.map_record(r, SEEN) for r in later], _known(first), TODAY, complete=True
    )
    assert summary.updated == ("HORIZON-MISS-2027-05-SOIL-01-two-stage",)
    assert summary.vanished == ("HORIZON-JU-CBE-2026-IAFlag-02",)
    assert "HORIZON-JU-CBE-2026-IAFlag-02" in summary.closed


def test_a_run_cut_short_by_a_page_error_closes_nothing_it_did_not_read(eu, raw):
    first = [eu.map_record(r, SEEN) for r in raw]
    summary = summarise(
        "eu",
        [eu.map_record(r, SEEN) for r in raw[:2]],
        _known(first),
        TODAY,
        complete=False,
        page_errors=["eu_funding_tenders: page 2: HTTP 503 (gave up after 4 tries)"],
    )
    assert summary.vanished == ()
    assert "HTTP 503" in summary.table()


def test_a_call_whose_deadline_passed_since_the_last_run_is_closed(eu, raw):
    first = [eu.map_record(r, SEEN) for r in raw]
    summary = summarise(
        "eu",
        [eu.map_record(r, SEEN) for r in raw],
        _known(first),
        date(2026, 9, 16),
        complete=True,
    )
    assert "HORIZON-CL3-2026-02-CS-ECCC-01" in summary.closed  # deadline 2026-09-15
    assert "HORIZON-CL3-2026-02-CS-ECCC-01" not in summary.unchanged


def test_the_table_lists_counts_and_rejections_by_reason(eu, raw):
    summary = summarise("eu", [eu.map_record(r, SEEN) for r in raw], {}, TODAY, complete=True)
    table = summary.table()
    assert "seen" in table and "9" in table
    assert "no Grant Match sector in its keywords  4" in table
    assert "repeated in the run" not in table  # the EOSC duplicate is rejected, not mapped


def test_a_source_whose_key_is_missing_is_skipped_with_one_log_line(caplog):
    with requests.Session() as session, caplog.at_level(logging.WARNING, "shared.harvest"):
        keys = {"SIMPLER_GRANTS_API_KEY": None, "RELIEFWEB_APPNAME": "grantmatch-test"}
        connectors = build_connectors(session, keys)
    names = [c.name for c in connectors]
    assert names == ["eu_funding_tenders", "un_partner_portal", "reliefweb_training"]
    lines = [r for r in caplog.records if r.name == "shared.harvest"]
    assert len(lines) == 1
    assert lines[0].setting == "SIMPLER_GRANTS_API_KEY" and lines[0].source == "simpler_grants_gov"


def test_a_source_with_its_key_is_built_and_the_key_is_never_logged(caplog):
    with requests.Session() as session, caplog.at_level(logging.DEBUG):
        keys = {"SIMPLER_GRANTS_API_KEY": "sk-test-123", "RELIEFWEB_APPNAME": "rw-app-456"}
        connectors = build_connectors(session, keys)
    assert "simpler_grants_gov" in [c.name for c in connectors]
    assert "sk-test-123" not in caplog.text and "rw-app-456" not in caplog.text
    assert set(SOURCE_KEYS) == {c.name for c in connectors}
