"""A harvested call through the whole stack, as separate processes: the scheduler's
`harvest.requested` pushed by Pub/Sub to the harvest function, which reads the UN Partner
Portal from a real local HTTP server; match, notify, the relay and the mail sink do the
rest. Then the call's deadline moves at the source, then the call vanishes from it.

The server serves the recorded sample (tests/fixtures/harvest/un_partner_portal) with one
change in the served copy: the Cambodian call CEF/KHM/2019/004 gets a deadline 60 days
from today (and a creation date of yesterday) instead of its 2019 dates, which have
passed; every other call keeps its recorded 2019 deadline, so the harvest closes them and
stores nothing for them. The call's PDF link points at the same server, which answers it
with a stand-in PDF (the sample holds no PDF).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from copy import deepcopy
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import requests
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from shared.domain.events import HarvestRequested, new_event
from shared.domain.ids import grant_id
from shared.domain.recipients import RecipientKind
from tests.builders import profile_body
from tests.conftest import sink_messages

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "harvest" / "un_partner_portal"
SOURCE = "un_partner_portal"
CALL = "CEF/KHM/2019/004"
TITLE = "Community-based child protection in Battambang and Siem Reap"
PDF_PATH = "/api/public/export/projects/1874/"
FITS = "fits@cso.example.org"
ELSEWHERE = "elsewhere@cso.example.org"
LATECOMER = "late@cso.example.org"
URL = re.compile(r"https?://[^\s<>\"')\]]+")


class Portal:
    """The UN Partner Portal's public list, from the recorded pages, as it changes."""

    def __init__(self, deadline: date) -> None:
        self.pages = [
            json.loads((SAMPLES / f"projects_page{n}.json").read_text("utf-8")) for n in (1, 2)
        ]
        call = self.call()
        call["deadline_date"] = deadline.isoformat()
        call["date_created"] = (date.today() - timedelta(days=1)).isoformat()

    def call(self) -> dict[str, Any]:
        [call] = [r for r in self.pages[0]["results"] if r["displayID"] == CALL]
        return call

    def list_page(self, request: Request) -> Response:
        body = deepcopy(self.pages[int(request.args.get("page", "1")) - 1])
        return Response(json.dumps(body), content_type="application/json")


@pytest.fixture
def portal(sources: HTTPServer):
    served = Portal(date.today() + timedelta(days=60))
    sources.clear()
    sources.expect_request("/api/public/projects/").respond_with_handler(served.list_page)
    sources.expect_request(PDF_PATH).respond_with_data(
        b"%PDF-1.4\n% stand-in for the call's document\n", content_type="application/pdf"
    )
    yield served
    sources.clear()


def _post(stack, path: str, body: dict) -> dict:
    response = requests.post(f"{stack.ingest_url}{path}", json=body, timeout=10)
    assert response.status_code in (200, 201), response.text
    return response.json()


def _profile(stack, address: str, **overrides: Any) -> str:
    """A registered NGO's profile, in English, for any sector (Cambodia unless told)."""
    body = profile_body(email=address, language="en", sectors=[], **overrides)
    return str(_post(stack, "/profiles", {**body, "applicant_type": "registered_ngo"})["id"])


def _request_harvest(stack, n: int) -> None:
    """What Cloud Scheduler publishes for the source. Its fixed message runs once per
    source and hour (its id is remembered per hour); the test's three runs stand for
    scheduled runs in three different hours, so each is published as its own message.
    All three share the hour's run id, as a scheduled run and a `grantmatch harvest` in
    the same hour would."""
    event = new_event(
        HarvestRequested(source=SOURCE), correlation_id=f"e2e-harvest-{n}", now=datetime.now(UTC)
    )
    stack.ad.publisher.publish(event)


def _mail(stack, address: str) -> list[dict[str, Any]]:
    return [m for m in sink_messages(stack.sink_url) if m["to"] == [address]]


def _categories(stack, address: str) -> list[str]:
    return [m["categories"][0] for m in _mail(stack, address)]


def _wait(what: str, check: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.3)
    raise TimeoutError(f"{what}: not after {timeout:.0f}s")


def _stored(stack):
    return stack.ad.grants.get(grant_id(f"harvest:{SOURCE}", CALL))


def _follow(url: str, sources: HTTPServer, ingest_url: str) -> requests.Response:
    """Open a link as a person would (GET); only the stack and the local source exist."""
    host = urlparse(url).netloc
    assert host in (urlparse(ingest_url).netloc, urlparse(sources.url_for("/")).netloc), url
    return requests.get(url, timeout=10)


def test_a_harvested_call_is_alerted_its_moved_deadline_noticed_once_and_its_closing_silent(
    e2e, portal, sources
):
    fits = _profile(e2e, FITS)  # a Cambodian NGO: the call is for Cambodia
    _profile(e2e, ELSEWHERE, countries=["TH"])
    e2e.confirm(FITS)
    e2e.confirm(ELSEWHERE)

    # 1. The scheduler asks; the call is stored, matched, and the fitting CSO alerted.
    _request_harvest(e2e, 1)
    [alert] = e2e.wait_for_emails(lambda m: m["to"] == [FITS] and TITLE in m["text"], timeout=90)
    assert alert["categories"] == ["alerts"]
    stored = _stored(e2e)
    assert stored is not None and stored.provenance is not None
    assert stored.provenance.source_id == CALL

    # 2. The deadline moves at the source: one change notice, old -> new, to the CSO told.
    old_deadline = date.fromisoformat(portal.call()["deadline_date"])
    new_deadline = old_deadline + timedelta(days=30)
    portal.call()["deadline_date"] = new_deadline.isoformat()
    _request_harvest(e2e, 2)
    [notice] = e2e.wait_for_emails(
        lambda m: m["to"] == [FITS] and m["categories"] == ["changes"], timeout=90
    )
    day = "%B %-d, %Y"
    assert f"Deadline: {old_deadline:{day}} → {new_deadline:{day}}" in notice["text"]
    assert TITLE in notice["text"]
    time.sleep(4)  # relay passes, hand-off re-announcements: whatever would come twice
    assert _categories(e2e, FITS) == ["confirmation", "alerts", "changes"]
    assert _categories(e2e, ELSEWHERE) == ["confirmation"]

    # 3. The call vanishes from the source: closed here, nobody alerted, not even a
    # fitting CSO that signs up afterwards.
    portal.pages[0]["results"] = [r for r in portal.pages[0]["results"] if r["displayID"] != CALL]
    _request_harvest(e2e, 3)
    _wait("the call closed", lambda: _stored(e2e).provenance.closed_at is not None, timeout=90)
    _profile(e2e, LATECOMER)
    e2e.confirm(LATECOMER)
    time.sleep(5)  # the batching window, relay passes and delivery: what would have come
    assert _categories(e2e, FITS) == ["confirmation", "alerts", "changes"]
    assert _categories(e2e, ELSEWHERE) == ["confirmation"]
    assert _categories(e2e, LATECOMER) == ["confirmation"]

    # Every link in the two emails opens: the call's document at its source, and the
    # stack's pages (mute the call, the CSO's page, unsubscribe, erase), each a page with
    # a button that changes nothing until pressed; pressing unsubscribe unsubscribes.
    links = sorted({u for m in (alert, notice) for u in URL.findall(m["text"])})
    assert sources.url_for(PDF_PATH) in links
    assert {urlparse(u).path for u in links} >= {"/mute", "/my", "/unsubscribe", "/erase"}
    for url in links:
        response = _follow(url, sources, e2e.ingest_url)
        assert response.status_code == 200, (url, response.status_code)
        if urlparse(url).path == "/mute":
            assert TITLE in response.text
    assert _follow(sources.url_for(PDF_PATH), sources, e2e.ingest_url).content.startswith(b"%PDF")
    assert not e2e.ad.subscribers.get_recipient(RecipientKind.PROFILE, fits).unsubscribed
    [unsubscribe] = [u for u in URL.findall(notice["text"]) if "/unsubscribe?" in u]
    assert requests.post(unsubscribe, timeout=10).status_code == 200
    assert e2e.ad.subscribers.get_recipient(RecipientKind.PROFILE, fits).unsubscribed
