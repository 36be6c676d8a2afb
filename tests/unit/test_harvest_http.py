"""Connectors talk to a real local HTTP server that serves the recorded samples.

Nothing is mocked: each connector's own `requests` client, paging, retries and error
handling run against pytest-httpserver. Covered: paging, 429 with Retry-After (seconds
and HTTP date), 500 then 200, a timeout, a truncated body, an unexpected shape, a 4xx
that is not retried, and a feed whose bodies never leave the page reader.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
import requests
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from shared.harvest import walk
from shared.harvest.base import HarvestedCall, PageError, Rejected
from shared.harvest.eu_funding_tenders import EuFundingTenders
from shared.harvest.feeds import FeedConnector, FeedSource
from shared.harvest.http import HttpPolicy, SourceHttp, retry_after_seconds
from shared.harvest.simpler_grants_gov import SimplerGrantsGov
from shared.harvest.un_partner_portal import UnPartnerPortal

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "harvest"
FAST = HttpPolicy(
    connect_timeout=2.0, read_timeout=2.0, attempts=3, backoff_initial=0.01, backoff_max=0.05
)
SEEN = datetime(2026, 10, 6, 9, 0, tzinfo=UTC)


def _sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


@pytest.fixture
def session():
    with requests.Session() as s:
        yield s


def _eu_pages() -> list[bytes]:
    """The real capture split into two pages of 5 and 4, as the service pages."""
    whole = json.loads(_sample("eu_funding_tenders/portal_search_page.json"))
    pages = []
    for number, chunk in ((1, whole["results"][:5]), (2, whole["results"][5:])):
        pages.append(json.dumps({**whole, "pageNumber": number, "pageSize": 5, "results": chunk}))
    return [p.encode() for p in pages]


def _eu(httpserver: HTTPServer, session, **kwargs) -> EuFundingTenders:
    return EuFundingTenders(
        session, search_url=httpserver.url_for("/search"), page_size=5, policy=FAST, **kwargs
    )


# --- paging, on the samples ---------------------------------------------------------------


def test_eu_pages_through_the_capture_with_json_typed_multipart_parts(httpserver, session):
    pages = _eu_pages()
    seen_parts: list[dict[str, str]] = []

    def handler(request: Request) -> Response:
        seen_parts.append({name: part.content_type for name, part in request.files.items()})
        number = int(request.args["pageNumber"])
        return Response(pages[number - 1], content_type="application/json")

    httpserver.expect_request("/search", method="POST").respond_with_handler(handler)
    reads = list(walk(_eu(httpserver, session)))
    assert [r.cursor for r in reads] == [None, "2"]
    records = [record for r in reads for record in r.page.records]
    assert len(records) == 9
    assert seen_parts == [dict.fromkeys(("query", "languages", "sort"), "application/json")] * 2
    first = httpserver.log[0][0]
    assert first.args["apiKey"] == "SEDIA" and first.args["text"] == "***"
    outcomes = [_eu(httpserver, session).map_record(r, SEEN) for r in records]
    assert sum(isinstance(o, HarvestedCall) for o in outcomes) == 5


def test_eu_pages_by_the_page_size_the_service_used_not_the_one_asked(httpserver, session):
    httpserver.expect_request("/search").respond_with_data(
        _eu_pages()[0], content_type="application/json"
    )
    connector = EuFundingTenders(session, search_url=httpserver.url_for("/search"), policy=FAST)
    page = connector.fetch_page(None)  # asked for 100, served 5 of 9
    assert len(page.records) == 5 and page.next_cursor == "2"
    assert httpserver.log[0][0].args["pageSize"] == "100"


def test_unpp_pages_until_next_is_null(httpserver, session):
    for number in (1, 2):
        httpserver.expect_request(
            "/api/public/projects/", query_string={"page": str(number), "page_size": "100"}
        ).respond_with_data(
            _sample(f"un_partner_portal/projects_page{number}.json"),
            content_type="application/json",
        )
    connector = UnPartnerPortal(session, base_url=httpserver.url_for("/"), policy=FAST)
    reads = list(walk(connector))
    assert [r.cursor for r in reads] == [None, "2"]
    assert sum(len(r.page.records) for r in reads) == 13
    call = connector.map_record(reads[0].page.records[0], datetime(2019, 5, 20, tzinfo=UTC))
    assert str(call.submission.url).startswith(httpserver.url_for("/api/public/export/"))


def test_simpler_pages_by_offset_and_sends_its_key(httpserver, session):
    def handler(request: Request) -> Response:
        if request.headers.get("X-API-Key") != "test-key":
            return Response('{"message": "Unauthorized"}', status=401)
        offset = request.get_json()["pagination"]["page_offset"]
        body = _sample(f"simpler_grants_gov/search_page{offset}.json")
        return Response(body, content_type="application/json")

    httpserver.expect_request("/v1/opportunities/search", method="POST").respond_with_handler(
        handler
    )
    connector = SimplerGrantsGov(
        session, api_key="test-key", api_url=httpserver.url_for("/"), policy=FAST
    )
    reads = list(walk(connector))
    assert [r.cursor for r in reads] == [None, "2"]
    assert sum(len(r.page.records) for r in reads) == 8
    sent = json.loads(httpserver.log[0][0].get_data())
    assert sent["pagination"]["page_size"] == 100
    assert sent["filters"]["opportunity_status"]["one_of"] == ["posted", "forecasted"]


def test_a_refused_key_is_a_page_error_and_is_not_retried(httpserver, session):
    httpserver.expect_request("/v1/opportunities/search").respond_with_json(
        {"message": "Unauthorized"}, status=401
    )
    connector = SimplerGrantsGov(
        session, api_key="wrong", api_url=httpserver.url_for("/"), policy=FAST
    )
    with pytest.raises(PageError, match="HTTP 401"):
        connector.fetch_page(None)
    assert len(httpserver.log) == 1


# --- retries ---------------------------------------------------------------------------------


def _sequence(httpserver: HTTPServer, path: str, responses: list[Response]) -> None:
    for response in responses:
        httpserver.expect_ordered_request(path).respond_with_response(response)


def test_a_429_waits_what_retry_after_says_then_reads_the_page(httpserver, session):
    pages = _eu_pages()
    _sequence(
        httpserver,
        "/search",
        [
            Response("slow down", status=429, headers={"Retry-After": "1"}),
            Response(pages[0], content_type="application/json"),
        ],
    )
    started = time.monotonic()
    page = _eu(httpserver, session).fetch_page(None)
    assert time.monotonic() - started >= 1.0
    assert len(page.records) == 5 and len(httpserver.log) == 2


def test_retry_after_as_an_http_date_is_honoured_and_capped(httpserver, session):
    when = datetime.now(UTC) + timedelta(seconds=3)
    _sequence(
        httpserver,
        "/data",
        [
            Response(status=429, headers={"Retry-After": format_datetime(when, usegmt=True)}),
            Response(status=503, headers={"Retry-After": "86400"}),
            Response(b"{}", content_type="application/json"),
        ],
    )
    waits: list[float] = []
    policy = HttpPolicy(attempts=3, retry_after_cap=120.0)
    http = SourceHttp("probe", session, policy, sleep=waits.append)
    assert http.json("GET", httpserver.url_for("/data"), cursor=None) == {}
    assert 1.0 <= waits[0] <= 3.0  # the date, read as seconds from now
    assert waits[1] == 120.0  # a day is capped


def test_retry_after_reads_seconds_dates_and_nonsense():
    now = datetime(2026, 10, 6, 12, 0, tzinfo=UTC)
    assert retry_after_seconds("7", now) == 7.0
    assert retry_after_seconds("Tue, 06 Oct 2026 12:00:30 GMT", now) == 30.0
    assert retry_after_seconds("Tue, 06 Oct 2026 11:00:00 GMT", now) == 0.0
    assert retry_after_seconds("soon", now) is None
    assert retry_after_seconds(None, now) is None


def test_a_500_then_a_200_reads_the_page(httpserver, session):
    _sequence(
        httpserver,
        "/search",
        [
            Response("oops", status=500),
            Response(_eu_pages()[1], content_type="application/json"),
        ],
    )
    page = _eu(httpserver, session).fetch_page("2")
    assert len(page.records) == 4 and page.next_cursor is None


def test_a_source_that_keeps_failing_is_a_page_error_after_the_last_try(httpserver, session):
    httpserver.expect_request("/search").respond_with_data("down", status=503)
    with pytest.raises(PageError, match=r"HTTP 503 \(gave up after 3 tries\)"):
        _eu(httpserver, session).fetch_page(None)
    assert len(httpserver.log) == 3


def test_a_timeout_is_retried(session):
    calls = []

    def handler(request: Request) -> Response:
        calls.append(time.monotonic())
        if len(calls) == 1:
            time.sleep(1.5)  # past the read timeout below
        return Response(_eu_pages()[0], content_type="application/json")

    server = HTTPServer(threaded=True)  # the slow first answer must not block the retry
    server.start()
    try:
        server.expect_request("/search").respond_with_handler(handler)
        policy = HttpPolicy(read_timeout=0.5, attempts=3, backoff_initial=0.01, backoff_max=0.05)
        connector = EuFundingTenders(
            session, search_url=server.url_for("/search"), page_size=5, policy=policy
        )
        page = connector.fetch_page(None)
    finally:
        server.clear()
        server.stop()
    assert len(page.records) == 5 and len(calls) == 2


def test_a_timeout_every_time_is_a_page_error(session):
    server = HTTPServer(threaded=True)
    server.start()
    try:
        server.expect_request("/p").respond_with_handler(
            lambda request: time.sleep(0.8) or Response("{}")
        )
        policy = HttpPolicy(read_timeout=0.3, attempts=2, backoff_initial=0.01, backoff_max=0.02)
        http = SourceHttp("probe", session, policy)
        with pytest.raises(PageError, match="timed out"):
            http.json("GET", server.url_for("/p"), cursor="7")
    finally:
        server.clear()
        server.stop()


# --- broken pages ---------------------------------------------------------------------------


def test_a_body_shorter_than_its_content_length_is_retried_then_reported(httpserver, session):
    body = _eu_pages()[0]

    def cut(request: Request) -> Response:
        response = Response(body[: len(body) // 2], content_type="application/json")
        response.headers["Content-Length"] = str(len(body))
        return response

    httpserver.expect_request("/search").respond_with_handler(cut)
    with pytest.raises(PageError, match="cut off"):
        _eu(httpserver, session).fetch_page(None)
    assert len(httpserver.log) == FAST.attempts


def test_a_truncated_json_body_is_a_clear_page_error(httpserver, session):
    body = _sample("un_partner_portal/projects_page1.json")
    httpserver.expect_request("/api/public/projects/").respond_with_data(
        body[:1000], content_type="application/json"
    )
    connector = UnPartnerPortal(session, base_url=httpserver.url_for("/"), policy=FAST)
    with pytest.raises(PageError, match="un_partner_portal: page first: the body is not complete"):
        connector.fetch_page(None)


@pytest.mark.parametrize(
    "body",
    [
        {"unexpected": True},
        {"results": "not a list", "totalResults": 3},
        {"results": [{"no": "metadata"}], "totalResults": 1},
        [1, 2, 3],
    ],
)
def test_an_unexpected_shape_is_a_clear_page_error(httpserver, session, body):
    httpserver.expect_request("/search").respond_with_json(body)
    with pytest.raises(PageError, match="unexpected shape"):
        _eu(httpserver, session).fetch_page(None)


def test_a_walk_stops_at_a_broken_page_and_says_where(httpserver, session):
    pages = _eu_pages()

    def handler(request: Request) -> Response:
        if request.args["pageNumber"] == "1":
            return Response(pages[0], content_type="application/json")
        return Response(pages[1][:300], content_type="application/json")

    httpserver.expect_request("/search").respond_with_handler(handler)
    reads = list(walk(_eu(httpserver, session)))
    assert [r.cursor for r in reads] == [None, "2"]
    assert reads[0].page is not None and reads[1].error is not None
    assert reads[1].error.cursor == "2"


# --- feeds: title, link and dates only -----------------------------------------------------


def _feed(httpserver: HTTPServer, session, name: str, **config) -> FeedConnector:
    media = "application/atom+xml" if name.endswith(".atom") else "application/rss+xml"
    httpserver.expect_request(f"/{name}").respond_with_data(
        _sample(f"feeds/{name}"), content_type=media
    )
    source = FeedSource(slug=name, url=httpserver.url_for(f"/{name}"), **config)
    return FeedConnector(session, source, policy=FAST)


@pytest.mark.parametrize("name", ["calls.rss", "calls.atom"])
def test_a_feed_keeps_title_link_and_dates_never_a_body(httpserver, session, name):
    connector = _feed(httpserver, session, name, countries=("KH", "LA"))
    page = connector.fetch_page(None)
    assert page.next_cursor is None
    assert all(
        set(record) == {"id", "title", "link", "published", "updated"} for record in page.records
    )
    outcomes = [connector.map_record(r, SEEN) for r in page.records]
    kept = json.dumps(page.records) + "".join(
        o.submission.model_dump_json() for o in outcomes if isinstance(o, HarvestedCall)
    )
    assert "BODY-MARKER" not in kept
    assert all(o.submission.description == "" for o in outcomes if isinstance(o, HarvestedCall))


def test_feed_entries_map_with_inferred_deadlines_and_configured_places(httpserver, session):
    connector = _feed(
        httpserver, session, "calls.rss", countries=("KH",), sectors=("media-freedom",)
    )
    outcomes = [connector.map_record(r, SEEN) for r in connector.fetch_page(None).records]
    calls = {o.provenance.source_id: o for o in outcomes if isinstance(o, HarvestedCall)}
    rejected = [o for o in outcomes if isinstance(o, Rejected)]
    assert [r.reason for r in rejected] == ["has no date: cannot tell whether it is current"]
    radio = calls["calls.example.org/2026/014"]
    assert str(radio.submission.deadline) == "2026-12-04"  # 5 October + 60 days
    assert radio.origins["deadline"].value == "inferred"
    assert radio.submission.countries == ["KH"] and radio.hold is None
    assert calls["https://calls.example.org/calls/digital-safety"].submission.title == (
        "Digital safety training fund & mentoring"
    )
    old = calls["https://calls.example.org/calls/livelihoods-2025"]
    assert old.status.value == "closed"


def test_a_feed_without_configured_countries_is_held(httpserver, session):
    connector = _feed(httpserver, session, "calls.atom")
    outcomes = [connector.map_record(r, SEEN) for r in connector.fetch_page(None).records]
    assert outcomes and all(isinstance(o, HarvestedCall) and o.hold for o in outcomes)
    assert all(not o.alertable for o in outcomes)


def test_a_truncated_feed_is_a_page_error_not_a_shorter_feed(httpserver, session):
    body = _sample("feeds/calls.rss")
    httpserver.expect_request("/cut.rss").respond_with_data(
        body[: len(body) // 2], content_type="application/rss+xml"
    )
    source = FeedSource(slug="cut", url=httpserver.url_for("/cut.rss"), countries=("KH",))
    with pytest.raises(PageError, match="not a well-formed RSS/Atom feed"):
        FeedConnector(session, source, policy=FAST).fetch_page(None)


def test_an_html_page_is_not_taken_for_a_feed(httpserver, session):
    httpserver.expect_request("/page").respond_with_data(
        "<html><body><p>Calls</p></body></html>", content_type="text/html"
    )
    source = FeedSource(slug="page", url=httpserver.url_for("/page"), countries=("KH",))
    with pytest.raises(PageError):
        FeedConnector(session, source, policy=FAST).fetch_page(None)
