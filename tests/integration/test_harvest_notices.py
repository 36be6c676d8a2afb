"""Change notices: CSOs already told about a harvested call hear once when its deadline,
amount or eligibility changes at the source, and nobody hears when it closes. Real
emulators, the real sink, the UN Partner Portal sample served by a real local server."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from shared.domain.events import TOPIC_FOR_EVENT, HarvestRequested, new_event
from shared.domain.recipients import RecipientKind
from shared.harvest.http import HttpPolicy
from shared.harvest.un_partner_portal import UnPartnerPortal
from shared.services.harvest import run_harvest
from shared.services.outbox_relay import relay_once
from tests.conftest import sink_messages
from tests.integration.pipeline import confirm, deliver_event, new_profile, pump
from tests.integration.test_harvest_store import UNPP_DAY
from tests.real_adapters import FixedClock

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "harvest" / "un_partner_portal"
FAST = HttpPolicy(
    connect_timeout=2.0, read_timeout=2.0, attempts=1, backoff_initial=0.01, backoff_max=0.02
)


class Pages:
    def __init__(self) -> None:
        self.bodies = [
            json.loads((SAMPLES / f"projects_page{n}.json").read_text("utf-8")) for n in (1, 2)
        ]

    def handler(self, request: Request) -> Response:
        body = self.bodies[int(request.args.get("page", "1")) - 1]
        return Response(json.dumps(body), content_type="application/json")


@pytest.fixture
def pages(httpserver: HTTPServer) -> Pages:
    served = Pages()
    httpserver.expect_request("/api/public/projects/").respond_with_handler(served.handler)
    return served


@pytest.fixture
def connector(httpserver: HTTPServer):
    with requests.Session() as session:
        yield UnPartnerPortal(session, base_url=httpserver.url_for("/"), policy=FAST)


def _harvest(ad, connector, run: str):
    cause = new_event(
        HarvestRequested(source="un_partner_portal"), correlation_id=f"c-{run}", now=UNPP_DAY
    )
    return run_harvest(ad, connector, run_id=run, correlation_id=f"c-{run}", cause=cause)


def _categories(sink_url: str) -> list[str]:
    return [m["categories"][0] for m in sink_messages(sink_url)]


@pytest.fixture
def told_cso(ad, bus, sink_url, monkeypatch, connector, pages) -> str:
    """A confirmed Cambodian NGO that was alerted about the Cambodian call."""
    monkeypatch.setattr(ad, "clock", FixedClock(UNPP_DAY))
    pid = new_profile(ad, language="en", applicant_type="registered_ngo", sectors=[])
    pump(ad, bus)
    confirm(ad, RecipientKind.PROFILE, pid)
    pump(ad, bus)
    _harvest(ad, connector, "run-1")
    pump(ad, bus)
    assert _categories(sink_url) == ["confirmation", "alerts"]
    assert "Community-based child protection" in sink_messages(sink_url)[-1]["text"]
    return pid


def test_a_moved_deadline_sends_one_change_notice_to_the_cso_already_told(
    ad, bus, sink_url, connector, pages, told_cso
):
    pages.bodies[0]["results"][0]["deadline_date"] = "2019-07-31"
    report = _harvest(ad, connector, "run-2")
    assert report.notices == 1  # announced: notify sends it
    pump(ad, bus)
    assert _categories(sink_url) == ["confirmation", "alerts", "changes"]
    notice = sink_messages(sink_url)[-1]
    assert "Deadline: June 14, 2019 → July 31, 2019" in notice["text"]
    again = _harvest(ad, connector, "run-2")  # the same run delivered twice
    assert again.notices == 0
    assert _categories(sink_url) == ["confirmation", "alerts", "changes"]


def test_a_cosmetic_change_notifies_nobody(ad, bus, sink_url, connector, pages, told_cso):
    first = pages.bodies[0]["results"][0]
    first["title"] = "  " + first["title"].replace(" ", "  ")
    report = _harvest(ad, connector, "run-2")
    pump(ad, bus)
    assert report.written == 0 and report.notices == 0
    assert _categories(sink_url) == ["confirmation", "alerts"]


def test_a_call_that_closes_alerts_nobody(ad, bus, sink_url, connector, pages, told_cso):
    pages.bodies[0]["results"].pop(0)
    report = _harvest(ad, connector, "run-2")
    pump(ad, bus)
    assert report.summary.vanished == ("CEF/KHM/2019/004",)
    assert report.notices == 0
    assert _categories(sink_url) == ["confirmation", "alerts"]


def test_a_harvested_call_from_mailbox_to_change_notice_to_closing(
    ad, bus, sink_url, connector, pages, told_cso
):
    """The whole story on one call: alerted (fixture), re-harvested unchanged (nothing
    written), its deadline moved (exactly one change notice), then closed (nobody told,
    not even a CSO that signs up afterwards)."""
    from tests.real_adapters import client_of

    def update_times() -> dict:
        return {s.id: s.update_time for s in client_of(ad).collection("grants").stream()}

    before = update_times()
    assert _harvest(ad, connector, "run-2").written == 0
    pump(ad, bus)
    assert update_times() == before
    pages.bodies[0]["results"][0]["deadline_date"] = "2019-07-31"
    _harvest(ad, connector, "run-3")
    pump(ad, bus)
    _harvest(ad, connector, "run-3")
    pump(ad, bus)
    assert _categories(sink_url) == ["confirmation", "alerts", "changes"]
    pages.bodies[0]["results"].pop(0)
    closing = _harvest(ad, connector, "run-4")
    assert closing.summary.vanished == ("CEF/KHM/2019/004",)
    latecomer = new_profile(
        ad, email="late@cso.example.org", language="en", applicant_type="registered_ngo",
        sectors=[],
    )  # fmt: skip
    pump(ad, bus)
    confirm(ad, RecipientKind.PROFILE, latecomer)
    pump(ad, bus)
    # Had the call stayed open, the latecomer would have been alerted about it.
    assert _categories(sink_url) == ["confirmation", "alerts", "changes", "confirmation"]


def test_a_call_widened_to_a_new_country_alerts_its_cso_normally_and_notifies_the_told_one(
    ad, bus, sink_url, connector, pages, told_cso
):
    lao = new_profile(
        ad, email="lao@cso.example.org", language="en", countries=["LA"],
        applicant_type="registered_ngo", sectors=[],
    )  # fmt: skip
    pump(ad, bus)
    confirm(ad, RecipientKind.PROFILE, lao)
    pump(ad, bus)
    pages.bodies[0]["results"][0]["countries"] = ["Cambodia", "Lao, People's Dem. Rep"]
    _harvest(ad, connector, "run-2")
    pump(ad, bus)
    mail = sink_messages(sink_url)
    after = [(m["to"][0], m["categories"][0]) for m in mail[4:]]  # after both confirmed
    assert sorted(after) == [
        ("alerts@cso.example.org", "changes"),
        ("lao@cso.example.org", "alerts"),
    ]
    assert "Community-based child protection" in mail[-1]["text"] + mail[-2]["text"]
    assert "Countries: Cambodia → Cambodia, Laos" in next(
        m["text"] for m in mail if m["categories"][0] == "changes"
    )


class Crash(Exception):
    """The harvest process dying at one point of a run."""


class DiesAfterStoringAPage:
    """The harvest's real store, except that the first page's cursor is never moved: the
    process dies right after the page's grants were written (Firestore keeps them)."""

    def __init__(self, real) -> None:
        self._real = real
        self.armed = True

    def __getattr__(self, name: str):
        return getattr(self._real, name)

    def record_page(self, *args, **kwargs):
        if self.armed:
            self.armed = False
            raise Crash("killed after the page's grants were stored")
        return self._real.record_page(*args, **kwargs)


def test_a_run_that_dies_after_storing_a_changed_call_still_sends_its_notice_once(
    ad, bus, sink_url, connector, pages, told_cso, monkeypatch
):
    pages.bodies[0]["results"][0]["deadline_date"] = "2019-07-31"
    monkeypatch.setattr(ad, "harvest", DiesAfterStoringAPage(ad.harvest))
    with pytest.raises(Crash):
        _harvest(ad, connector, "run-2")
    pump(ad, bus)
    assert _categories(sink_url) == ["confirmation", "alerts"]  # no notice yet: run not over
    resumed = _harvest(ad, connector, "run-2")  # Pub/Sub delivers the request again
    assert (resumed.written, resumed.notices) == (0, 1)  # stored already; its notice owed
    announced = bus.events("notification-due")
    for envelope in announced * 2:  # the announcement delivered twice
        deliver_event(ad, envelope)
    pump(ad, bus)
    _harvest(ad, connector, "run-2")  # and once more, after the run finished
    pump(ad, bus)
    assert _categories(sink_url) == ["confirmation", "alerts", "changes"]
    assert "Deadline: June 14, 2019 → July 31, 2019" in sink_messages(sink_url)[-1]["text"]


def _relay_may_publish() -> set[str]:
    topology = json.loads((Path(__file__).resolve().parents[2] / "infra/topology.json").read_text())
    return set(topology["functions"]["relay"]["publishes"])


def test_a_change_notice_whose_sender_died_mid_send_is_revived_by_the_relay_and_sent_once(
    ad, bus, sink_url, connector, pages, told_cso, monkeypatch
):
    """notify dies before SendGrid answers: the claim stays; once its lease is over the
    relay re-announces what caused it, on a topic the relay may publish to, and the notice
    goes out once."""
    real_send = ad.sender.send

    def die(email):
        raise SystemExit("notify died before the provider answered")

    pages.bodies[0]["results"][0]["deadline_date"] = "2019-07-31"
    monkeypatch.setattr(ad.sender, "send", die)
    with pytest.raises(SystemExit):
        _harvest(ad, connector, "run-2")
        pump(ad, bus)
    monkeypatch.setattr(ad.sender, "send", real_send)
    assert _categories(sink_url) == ["confirmation", "alerts"]
    later = UNPP_DAY + timedelta(seconds=ad.settings.notification_lease_seconds + 1)
    monkeypatch.setattr(ad, "clock", FixedClock(later))
    assert relay_once(ad).revived_notifications == 1
    revived = [e for topic in set(TOPIC_FOR_EVENT.values()) for e in bus.events(topic)]
    assert revived and {e.topic for e in revived} <= _relay_may_publish()
    for envelope in revived * 2:
        deliver_event(ad, envelope)
    pump(ad, bus)
    assert _categories(sink_url) == ["confirmation", "alerts", "changes"]
    assert "Deadline: June 14, 2019 → July 31, 2019" in sink_messages(sink_url)[-1]["text"]
