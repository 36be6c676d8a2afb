"""The ReliefWeb training connector against a real local HTTP server serving the sample
(tests/fixtures/harvest/reliefweb/README.md says what the sample is), and what the
harvest stores of it: catalogue items of kind training, never grants.

Nothing is mocked: the connector's own `requests` client, paging, retries and error
handling run against pytest-httpserver; storing runs `run_harvest` on the fakes of our
own ports.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import requests
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from shared.domain.opportunities import Attendance, OpportunityKind
from shared.harvest import build_connectors, walk
from shared.harvest.base import HarvestedCall, PageError, Rejected
from shared.harvest.http import HttpPolicy
from shared.harvest.reliefweb_training import KEY_SETTING, ReliefWebTraining, fee
from shared.services.harvest import run_harvest
from tests.fakes import fake_adapters

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "harvest" / "reliefweb"
FAST = HttpPolicy(
    connect_timeout=2.0, read_timeout=2.0, attempts=3, backoff_initial=0.01, backoff_max=0.05
)
SEEN = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
PATH = "/v2/training"


def _whole() -> dict:
    return json.loads((SAMPLE / "training_page.json").read_text("utf-8"))


def _pages(size: int) -> list[bytes]:
    """The sample cut into pages of `size`, with `links.next` on all but the last, as the
    API pages with offset and limit."""
    whole = _whole()
    items = whole["data"]
    pages = []
    for start in range(0, len(items), size):
        chunk = items[start : start + size]
        links = {"self": {"href": f"{whole['href']}&offset={start}"}}
        if start + size < len(items):
            links["next"] = {"href": f"{whole['href']}&offset={start + size}"}
        page = {**whole, "links": links, "count": len(chunk), "data": chunk}
        pages.append(json.dumps(page).encode())
    return pages


def _serve_pages(httpserver: HTTPServer, size: int) -> None:
    pages = _pages(size)

    def handler(request: Request) -> Response:
        page = int(request.args.get("offset", "0")) // size
        return Response(pages[page], content_type="application/json")

    httpserver.expect_request(PATH, method="GET").respond_with_handler(handler)


def _connector(httpserver: HTTPServer, session: requests.Session, size: int = 3):
    return ReliefWebTraining(
        session, appname="grantmatch-test", api_url=httpserver.url_for("/"), page_size=size,
        policy=FAST,
    )  # fmt: skip


@pytest.fixture
def session():
    with requests.Session() as s:
        yield s


# --- paging and the request ---------------------------------------------------------------


def test_pages_by_offset_with_a_stable_sort_and_the_appname(httpserver, session):
    _serve_pages(httpserver, 3)
    reads = list(walk(_connector(httpserver, session)))
    assert [r.cursor for r in reads] == [None, "3", "6"]
    assert sum(len(r.page.records) for r in reads) == len(_whole()["data"])
    first = httpserver.log[0][0]
    assert first.args["appname"] == "grantmatch-test"
    assert first.args["limit"] == "3" and first.args["offset"] == "0"
    assert first.args.getlist("sort[]") == ["id:asc"]
    assert "training_language.code" in first.args.getlist("fields[include][]")


def test_without_an_appname_the_source_is_skipped_with_one_line_naming_the_setting(session, caplog):
    with caplog.at_level("WARNING"):
        names = [c.name for c in build_connectors(session, {KEY_SETTING: ""})]
    assert "reliefweb_training" not in names
    lines = [r for r in caplog.records if getattr(r, "source", "") == "reliefweb_training"]
    assert len(lines) == 1 and lines[0].setting == KEY_SETTING
    names = [c.name for c in build_connectors(session, {KEY_SETTING: "grantmatch-test"})]
    assert "reliefweb_training" in names


# --- errors a polite client survives ------------------------------------------------------


def test_a_429_waits_what_retry_after_says_then_reads_the_page(httpserver, session):
    page = _pages(100)[0]
    httpserver.expect_ordered_request(PATH).respond_with_data(
        "slow down", status=429, headers={"Retry-After": "1"}
    )
    httpserver.expect_ordered_request(PATH).respond_with_data(page, content_type="application/json")
    started = time.monotonic()
    read = _connector(httpserver, session, 100).fetch_page(None)
    assert time.monotonic() - started >= 0.9
    assert len(read.records) == len(_whole()["data"]) and read.next_cursor is None


def test_a_500_then_a_200_reads_the_page(httpserver, session):
    httpserver.expect_ordered_request(PATH).respond_with_data("oops", status=500)
    httpserver.expect_ordered_request(PATH).respond_with_data(
        _pages(100)[0], content_type="application/json"
    )
    assert len(_connector(httpserver, session, 100).fetch_page(None).records) == 8


def test_a_timeout_is_retried(session):
    calls = []

    def handler(request: Request) -> Response:
        calls.append(request.args.get("offset"))
        if len(calls) == 1:
            time.sleep(1.2)  # past the read timeout below
        return Response(_pages(100)[0], content_type="application/json")

    server = HTTPServer(threaded=True)
    server.start()
    try:
        server.expect_request(PATH).respond_with_handler(handler)
        policy = HttpPolicy(read_timeout=0.4, attempts=3, backoff_initial=0.01, backoff_max=0.05)
        connector = ReliefWebTraining(
            session, appname="t", api_url=server.url_for("/"), page_size=100, policy=policy
        )
        page = connector.fetch_page(None)
    finally:
        server.clear()
        server.stop()
    assert len(page.records) == 8 and len(calls) == 2


def test_a_body_cut_short_is_a_clear_page_error_after_the_retries(httpserver, session):
    body = _pages(100)[0]

    def cut(request: Request) -> Response:
        response = Response(body[: len(body) // 2], content_type="application/json")
        response.headers["Content-Length"] = str(len(body))
        return response

    httpserver.expect_request(PATH).respond_with_handler(cut)
    with pytest.raises(PageError, match="reliefweb_training: page first: the body was cut off"):
        _connector(httpserver, session).fetch_page(None)
    assert len(httpserver.log) == FAST.attempts


@pytest.mark.parametrize(
    "body",
    [
        {"error": {"status": 400, "message": "Invalid appname"}},
        {"data": "not a list", "totalCount": 1},
        {"data": [{"id": "1"}], "totalCount": 1},
        [1, 2, 3],
    ],
)
def test_an_unexpected_shape_is_a_clear_page_error(httpserver, session, body):
    httpserver.expect_request(PATH).respond_with_json(body)
    with pytest.raises(PageError, match="unexpected shape"):
        _connector(httpserver, session).fetch_page("6")


def test_a_walk_stops_at_a_broken_page_and_keeps_its_cursor(httpserver, session):
    pages = _pages(3)

    def handler(request: Request) -> Response:
        if request.args.get("offset") == "3":
            return Response(pages[1][:200], content_type="application/json")
        return Response(pages[0], content_type="application/json")

    httpserver.expect_request(PATH).respond_with_handler(handler)
    reads = list(walk(_connector(httpserver, session)))
    assert [r.cursor for r in reads] == [None, "3"]
    assert reads[-1].error is not None and "not complete JSON" in reads[-1].error.cause


# --- mapping the sample -------------------------------------------------------------------


def _mapped() -> dict[str, HarvestedCall | Rejected]:
    connector = ReliefWebTraining(requests.Session(), appname="t")
    outcomes = {}
    for raw in _whole()["data"]:
        outcome = connector.map_record(raw, SEEN)
        sid = outcome.source_id if isinstance(outcome, Rejected) else outcome.provenance.source_id
        outcomes[sid] = outcome
    return outcomes


def test_every_sample_record_maps_without_a_crash_and_carries_training_details():
    outcomes = _mapped()
    calls = [o for o in outcomes.values() if isinstance(o, HarvestedCall)]
    assert len(outcomes) == len(_whole()["data"])
    assert all(c.details is not None and c.details.kind == "training" for c in calls)
    rejected = Counter(o.reason for o in outcomes.values() if isinstance(o, Rejected))
    assert rejected == {"no Grant Match sector in its themes": 1}


def test_an_online_training_for_the_world_is_open_to_anyone():
    call = _mapped()["4190001"]
    assert isinstance(call, HarvestedCall) and call.details is not None
    assert call.details.attendance is Attendance.ONLINE
    assert call.submission.countries == []
    assert call.submission.deadline == date(2027, 1, 15)
    assert {s.value for s in call.submission.sectors} == {"human-rights", "tech-capacity"}


def test_an_on_site_training_is_open_to_its_country_only_with_its_fee_read():
    call = _mapped()["4190007"]
    assert isinstance(call, HarvestedCall) and call.details is not None
    assert call.details.attendance is Attendance.ON_SITE
    assert (call.details.country, call.details.city) == ("TH", "Bangkok")
    assert call.submission.countries == ["TH"]
    assert (call.details.cost, call.details.currency) == (950.0, "USD")
    assert [s.value for s in call.submission.sectors] == ["organisational-development"]


def test_both_formats_make_a_hybrid_training_in_the_venue_country():
    call = _mapped()["4190019"]
    assert isinstance(call, HarvestedCall) and call.details is not None
    assert call.details.attendance is Attendance.HYBRID and call.details.country == "KH"
    assert call.details.instruction_languages == ["en", "km"]


def test_a_fee_without_a_readable_amount_is_kept_with_a_warning_and_a_note():
    call = _mapped()["4190012"]
    assert isinstance(call, HarvestedCall) and call.details is not None
    assert call.details.cost is None
    assert call.details.fee_based and not call.details.free  # never shown as free
    assert "fee-based, but no amount with a currency could be read" in call.warnings
    assert call.notes["cost"].startswith("fee-based: Please contact")


def test_an_expired_training_is_closed():
    assert _mapped()["4189950"].status.value == "closed"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$1,400.00 plus VAT", (1400.0, "USD")),
        ("EUR 1.200 per person", (1200.0, "EUR")),
        ("950 USD", (950.0, "USD")),
        ("Please contact us", None),
        ("2 days, 30 places", None),
    ],
)
def test_a_fee_text_gives_an_amount_only_with_a_currency(text, expected):
    assert fee(text) == expected


# --- what the harvest stores --------------------------------------------------------------


def test_a_harvest_stores_trainings_of_kind_training_and_a_rerun_writes_nothing(
    httpserver, session
):
    _serve_pages(httpserver, 3)
    ad = fake_adapters()
    report = run_harvest(
        ad, _connector(httpserver, session), run_id="rw-1", correlation_id="c-rw-1"
    )
    stored = [g for g in ad.grants._m.grants.values() if g.grant.provenance]  # type: ignore[attr-defined]
    kinds = Counter(s.grant.kind for s in stored)
    assert kinds == {OpportunityKind.TRAINING: 6}  # 8 seen: 1 rejected, 1 expired
    on_site = next(s.grant for s in stored if s.grant.provenance.source_id == "4190007")
    assert on_site.details is not None and on_site.details.attendance is Attendance.ON_SITE
    assert report.summary.seen == 8 and sum(report.summary.rejected.values()) == 1
    again = run_harvest(ad, _connector(httpserver, session), run_id="rw-2", correlation_id="c-rw-2")
    assert again.written == 0


def test_a_training_whose_dates_change_is_rewritten_and_keeps_its_kind(httpserver, session):
    _serve_pages(httpserver, 100)
    ad = fake_adapters()
    run_harvest(ad, _connector(httpserver, session, 100), run_id="a", correlation_id="a")
    moved = _whole()
    moved["data"][0]["fields"]["date"]["end"] = "2027-03-19T00:00:00+00:00"
    httpserver.clear()
    httpserver.expect_request(PATH).respond_with_json(moved)
    report = run_harvest(ad, _connector(httpserver, session, 100), run_id="b", correlation_id="b")
    assert report.written == 1
    grant = next(
        s.grant
        for s in ad.grants._m.grants.values()  # type: ignore[attr-defined]
        if s.grant.provenance and s.grant.provenance.source_id == "4190001"
    )
    assert grant.kind is OpportunityKind.TRAINING and grant.details.ends_on == date(2027, 3, 19)


def test_a_training_that_vanishes_is_closed_and_stays_a_training(httpserver, session):
    _serve_pages(httpserver, 100)
    ad = fake_adapters()
    run_harvest(ad, _connector(httpserver, session, 100), run_id="a", correlation_id="a")
    fewer = _whole()
    fewer["data"] = [d for d in fewer["data"] if d["id"] != "4190001"]
    httpserver.clear()
    httpserver.expect_request(PATH).respond_with_json(fewer)
    report = run_harvest(ad, _connector(httpserver, session, 100), run_id="b", correlation_id="b")
    assert list(report.summary.vanished) == ["4190001"]
    grant = next(
        s.grant
        for s in ad.grants._m.grants.values()  # type: ignore[attr-defined]
        if s.grant.provenance and s.grant.provenance.source_id == "4190001"
    )
    assert grant.provenance.closed_at is not None and grant.kind is OpportunityKind.TRAINING


def test_the_deployment_harvests_reliefweb_only_with_its_appname(session, caplog):
    from pydantic import SecretStr

    from shared.runtime.harvest_sources import build_connector, source_names

    settings = fake_adapters().settings.model_copy(update={"reliefweb_appname": SecretStr("")})
    with caplog.at_level("WARNING"):
        assert build_connector("reliefweb_training", settings, session) is None
    assert [r.setting for r in caplog.records] == [KEY_SETTING]
    assert "reliefweb_training" not in source_names(settings)
    named = settings.model_copy(update={"reliefweb_appname": SecretStr("grantmatch-test")})
    assert "reliefweb_training" in source_names(named)
    assert isinstance(build_connector("reliefweb_training", named, session), ReliefWebTraining)


def test_a_training_without_dates_has_no_deadline_and_says_it_is_unknown():
    call = _mapped()["4190040"]
    assert isinstance(call, HarvestedCall)
    assert call.submission.deadline is None
    assert call.origins["deadline"].value == "unknown"
    assert _mapped()["4190031"].origins["deadline"].value == "inferred"  # from its start


def test_a_run_reads_at_most_its_page_budget_so_the_daily_quota_survives_a_paging_bug(
    httpserver, session
):
    _serve_pages(httpserver, 3)
    connector = ReliefWebTraining(
        session, appname="t", api_url=httpserver.url_for("/"), page_size=3, policy=FAST,
        max_pages=2,
    )  # fmt: skip
    reads = list(walk(connector))
    assert [r.cursor for r in reads] == [None, "3", "6"]
    assert reads[-1].error is not None and "page budget" in reads[-1].error.cause
    assert len(httpserver.log) == 2  # the third page was never asked for
