"""Harvested calls stored as grants: real Firestore and Pub/Sub emulators, and the
recorded samples served by a real local HTTP server (pytest-httpserver).

Covered: calls become grants of the source's system funder with their provenance; the
same call seen again is an update (never a duplicate); re-harvesting unchanged or
cosmetically changed records writes nothing; a held call is stored and never matched;
a call that closes at its source or vanishes from a complete run is closed here; the
same call in two sources is stored once; a run cut by a page error resumes at its
cursor without loss or duplicates.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from shared.domain.events import GrantPublished
from shared.harvest.feeds import FeedConnector, FeedSource
from shared.harvest.http import HttpPolicy
from shared.harvest.simpler_grants_gov import SimplerGrantsGov
from shared.harvest.un_partner_portal import UnPartnerPortal
from shared.runtime.bootstrap import Adapters
from shared.services.harvest import harvest_funder, run_harvest
from tests.real_adapters import at, client_of

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "harvest"
FAST = HttpPolicy(
    connect_timeout=2.0, read_timeout=2.0, attempts=1, backoff_initial=0.01, backoff_max=0.02
)
#: The UN Partner Portal sample's calls close in June 2019: harvest them just before.
UNPP_DAY = datetime(2019, 6, 1, 9, 0, tzinfo=UTC)
UNPP = "un_partner_portal"


def _json(name: str) -> dict[str, Any]:
    return json.loads((SAMPLES / name).read_text("utf-8"))


class Pages:
    """The pages the local server answers with, changeable between runs."""

    def __init__(self, *names: str) -> None:
        self.bodies = [_json(n) for n in names]
        self.fail_page: int | None = None
        self.requested: list[int] = []

    def handler(self, request: Request) -> Response:
        number = int(request.args.get("page", "1"))
        self.requested.append(number)
        if number == self.fail_page:
            return Response("busy", status=500)
        return Response(json.dumps(self.bodies[number - 1]), content_type="application/json")


@pytest.fixture
def unpp_pages(httpserver: HTTPServer) -> Pages:
    pages = Pages("un_partner_portal/projects_page1.json", "un_partner_portal/projects_page2.json")
    httpserver.expect_request("/api/public/projects/").respond_with_handler(pages.handler)
    return pages


@pytest.fixture
def session():
    with requests.Session() as s:
        yield s


def _unpp(httpserver: HTTPServer, session) -> UnPartnerPortal:
    return UnPartnerPortal(session, base_url=httpserver.url_for("/"), policy=FAST)


def _run(ad: Adapters, connector, run_id: str = "run-1", when: datetime = UNPP_DAY):
    return run_harvest(at(ad, when), connector, run_id=run_id, correlation_id=f"harvest-{run_id}")


def _grants(ad: Adapters) -> dict[str, dict[str, Any]]:
    return {s.id: s.to_dict() for s in client_of(ad).collection("grants").stream()}


def _update_times(ad: Adapters) -> dict[str, Any]:
    return {s.id: s.update_time for s in client_of(ad).collection("grants").stream()}


def test_harvested_calls_are_stored_as_grants_of_the_source_funder_with_provenance(
    ad, bus, httpserver, session, unpp_pages
):
    report = _run(ad, _unpp(httpserver, session))
    assert report.complete
    assert report.summary.seen == 13
    assert sum(report.summary.rejected.values()) == 3
    grants = _grants(ad)
    assert len(grants) == 10 == report.written
    assert ad.funders.exists(harvest_funder(UNPP))
    stored = next(g for g in grants.values() if g["external_id"] == "CEF/KHM/2019/004")
    assert stored["funder_id"] == "harvest:un_partner_portal"
    provenance = stored["provenance"]
    assert provenance["source"] == UNPP
    assert provenance["source_id"] == "CEF/KHM/2019/004"
    assert provenance["source_url"].startswith(httpserver.url_for("/"))
    assert len(provenance["checksum"]) == 64
    assert provenance["fetched_at"] == UNPP_DAY.isoformat().replace("+00:00", "Z")
    assert provenance["origins"]["countries"] == "given"
    assert provenance["closed_at"] is None
    published = [e.parsed() for e in bus.events("grant-published")]
    assert {p.grant_id for p in published if isinstance(p, GrantPublished)} == set(grants)


def test_reharvesting_unchanged_records_writes_nothing(ad, bus, httpserver, session, unpp_pages):
    _run(ad, _unpp(httpserver, session), "run-1")
    before = _update_times(ad)
    bus.events("grant-published")
    report = _run(ad, _unpp(httpserver, session), "run-2")
    assert report.written == 0
    assert len(report.summary.unchanged) == 10
    assert _update_times(ad) == before
    assert bus.events("grant-published") == []


def test_a_cosmetic_change_at_the_source_writes_nothing(ad, httpserver, session, unpp_pages):
    _run(ad, _unpp(httpserver, session), "run-1")
    before = _update_times(ad)
    first = unpp_pages.bodies[0]["results"][0]
    first["title"] = "  " + first["title"].replace(" ", "   ") + "\n"
    first["specializations"] = list(reversed(first["specializations"]))
    report = _run(ad, _unpp(httpserver, session), "run-2")
    assert report.written == 0
    assert _update_times(ad) == before


def test_the_same_call_seen_again_with_a_new_deadline_is_an_update_not_a_duplicate(
    ad, httpserver, session, unpp_pages
):
    _run(ad, _unpp(httpserver, session), "run-1")
    unpp_pages.bodies[0]["results"][0]["deadline_date"] = "2019-07-31"
    report = _run(ad, _unpp(httpserver, session), "run-2")
    grants = _grants(ad)
    assert len(grants) == 10
    assert report.written == 1
    [(gid, changes)] = report.changes.items()
    assert grants[gid]["revision"] == 2
    assert grants[gid]["deadline"] == "2019-07-31"
    assert [(c.field, c.old, c.new) for c in changes] == [("deadline", "2019-06-14", "2019-07-31")]


def test_a_call_that_vanishes_from_a_complete_run_is_closed_and_no_longer_open(
    ad, httpserver, session, unpp_pages
):
    _run(ad, _unpp(httpserver, session), "run-1")
    gone = unpp_pages.bodies[0]["results"].pop(0)
    report = _run(ad, _unpp(httpserver, session), "run-2")
    assert report.summary.vanished == (gone["displayID"],)
    closed = [g for g in _grants(ad).values() if g["external_id"] == gone["displayID"]]
    assert closed[0]["provenance"]["closed_at"] is not None
    still_open = {g.external_id for g in ad.grants.open_for(["KH", "TH"], date(2019, 6, 1))}
    assert gone["displayID"] not in still_open
    assert "HCR/THA/2019/011" in still_open


def test_a_call_its_source_marks_closed_is_closed_here(ad, httpserver, session, unpp_pages):
    _run(ad, _unpp(httpserver, session), "run-1")
    unpp_pages.bodies[0]["results"][0]["deadline_date"] = "2019-05-20"  # passed
    report = _run(ad, _unpp(httpserver, session), "run-2")
    assert report.written == 1
    assert report.changes == {}  # closing is not a change notice: the call is gone
    closed = [g for g in _grants(ad).values() if g["external_id"] == "CEF/KHM/2019/004"]
    assert closed[0]["provenance"]["closed_at"] is not None
    assert closed[0]["closes_on"] < "2019-06-01"


def test_a_run_cut_by_a_page_error_resumes_at_its_cursor_and_closes_nothing(
    ad, httpserver, session, unpp_pages
):
    _run(ad, _unpp(httpserver, session), "run-1")
    unpp_pages.fail_page = 2
    cut = _run(ad, _unpp(httpserver, session), "run-2")
    assert not cut.complete
    assert cut.summary.closed == ()
    assert ad.harvest.progress(UNPP).cursor == "2"
    unpp_pages.fail_page = None
    unpp_pages.requested.clear()
    resumed = _run(ad, _unpp(httpserver, session), "run-3")
    assert resumed.complete
    assert resumed.run_id == "run-2"  # the same run, finished
    assert unpp_pages.requested == [2]
    assert resumed.summary.vanished == ()
    assert ad.harvest.progress(UNPP) is None
    assert all(g["provenance"]["closed_at"] is None for g in _grants(ad).values())


def test_a_held_call_is_stored_but_never_open_to_matching(ad, httpserver, session):
    httpserver.expect_request("/v1/opportunities/search", method="POST").respond_with_json(
        _json("simpler_grants_gov/search_page1.json")
        | {"pagination_info": {"total_pages": 1, "page_offset": 1}}
    )
    connector = SimplerGrantsGov(
        session, api_key="test-key", api_url=httpserver.url_for("/"), policy=FAST
    )
    report = _run(ad, connector, when=datetime(2026, 6, 1, tzinfo=UTC))
    held = [g for g in _grants(ad).values() if g["provenance"]["hold"]]
    assert len(held) == 1 == sum(report.summary.held.values())
    assert held[0]["closes_on"] < "2026-06-01"
    open_ids = {g.id for g in ad.grants.open_for(["KH", "US"], date(2026, 6, 1))}
    assert held[0]["id"] not in open_ids
    assert ad.grants.get(held[0]["id"]).alertable is False


def test_the_same_call_listed_by_two_sources_is_stored_once(ad, httpserver, session):
    feed = (SAMPLES / "feeds" / "calls.rss").read_bytes()
    httpserver.expect_request("/a.rss").respond_with_data(feed, content_type="application/rss+xml")
    httpserver.expect_request("/b.rss").respond_with_data(feed, content_type="application/rss+xml")
    first = FeedConnector(session, FeedSource("a", httpserver.url_for("/a.rss")), policy=FAST)
    second = FeedConnector(session, FeedSource("b", httpserver.url_for("/b.rss")), policy=FAST)
    when = datetime(2026, 10, 6, 9, 0, tzinfo=UTC)
    stored_first = _run(ad, first, "run-a", when)
    assert stored_first.written > 0
    again = _run(ad, second, "run-b", when)
    assert again.written == 0
    assert again.duplicates == stored_first.written
    assert len(_grants(ad)) == stored_first.written


def test_a_dry_run_writes_nothing(ad, httpserver, session, unpp_pages):
    report = run_harvest(
        at(ad, UNPP_DAY),
        _unpp(httpserver, session),
        run_id="dry",
        correlation_id="dry-run-1",
        dry_run=True,
    )
    assert len(report.summary.new) == 10
    assert _grants(ad) == {}
    assert ad.harvest.progress(UNPP) is None


def test_the_harvest_function_stores_the_source_a_scheduler_request_names(
    ad, httpserver, unpp_pages
):
    from dataclasses import replace

    from shared.cli.schedule import scheduler_jobs
    from shared.domain.events import Envelope
    from shared.runtime.consumer import consume
    from tests.function_loader import load_function
    from tests.integration.pipeline import cloud_event

    settings = ad.settings.model_copy(update={"harvest_unpp_base_url": httpserver.url_for("/")})
    here = replace(at(ad, UNPP_DAY), settings=settings)
    request = Envelope.model_validate(scheduler_jobs()["harvest-un-partner-portal"]["message"])
    handlers = load_function("harvest").HANDLERS
    assert consume(cloud_event(request), consumer="harvest", handlers=handlers, ad=here) == (
        "handled"
    )
    assert len(_grants(ad)) == 10
    again = consume(cloud_event(request), consumer="harvest", handlers=handlers, ad=here)
    assert again == "duplicate"  # the same tick redelivered within the hour


def test_two_calls_of_one_source_behind_one_page_are_both_stored(
    ad, httpserver, session, unpp_pages
):
    first, second = unpp_pages.bodies[0]["results"][:2]
    second["pdf_export_url"] = first["pdf_export_url"]
    report = _run(ad, _unpp(httpserver, session))
    assert report.duplicates == 0
    assert len(_grants(ad)) == 10
