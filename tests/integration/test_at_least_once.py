"""Pub/Sub delivers at least once: the same event, delivered three times one after the
other or all at once, through the match and notify functions' own handler tables, makes
one match and sends one email."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from shared.adapters.firestore.matches import MATCHES
from shared.domain.events import TOPIC_FOR_EVENT
from shared.domain.recipients import RecipientKind
from shared.services.alerts import announce_due_alerts
from tests.conftest import sink_messages
from tests.integration.pipeline import confirm, deliver_event, new_grant, new_profile, pump
from tests.real_adapters import client_of

COPIES = 3


def _published(bus) -> list:
    return [e for topic in set(TOPIC_FOR_EVENT.values()) for e in bus.events(topic)]


def _deliver_copies(ad, envelopes, *, at_once: bool) -> None:
    """Each event COPIES times: in turn, or from COPIES threads released together."""
    for envelope in envelopes:
        if not at_once:
            for _ in range(COPIES):
                deliver_event(ad, envelope)
            continue
        start = threading.Barrier(COPIES)

        def one_copy(envelope=envelope, start=start) -> None:
            start.wait()
            deliver_event(ad, envelope)

        with ThreadPoolExecutor(COPIES) as pool:
            for future in [pool.submit(one_copy) for _ in range(COPIES)]:
                future.result()


def _pump_with_copies(ad, bus, *, at_once: bool) -> None:
    """The pipeline until quiet, every event delivered COPIES times."""
    for _ in range(10):
        events = _published(bus)
        _deliver_copies(ad, events, at_once=at_once)
        if not events and not announce_due_alerts(ad):
            return
    raise AssertionError("the pipeline did not settle")


def _setup(ad, bus) -> None:
    pid = new_profile(ad, email="once@cso.example.org", language="en")
    pump(ad, bus)  # its confirmation email
    confirm(ad, RecipientKind.PROFILE, pid)
    pump(ad, bus)


def _alerts_about(sink_url: str, title: str) -> list[dict]:
    return [m for m in sink_messages(sink_url) if title in m["subject"]]


def test_every_event_delivered_three_times_in_turn_makes_one_match_and_one_email(ad, bus, sink_url):
    _setup(ad, bus)
    new_grant(ad, title="Delivered thrice")
    _pump_with_copies(ad, bus, at_once=False)
    assert len(list(client_of(ad).collection(MATCHES).stream())) == 1
    assert len(_alerts_about(sink_url, "Delivered thrice")) == 1


def test_every_event_delivered_three_times_at_once_makes_one_match_and_one_email(ad, bus, sink_url):
    _setup(ad, bus)
    new_grant(ad, title="Delivered concurrently")
    _pump_with_copies(ad, bus, at_once=True)
    assert len(list(client_of(ad).collection(MATCHES).stream())) == 1
    assert len(_alerts_about(sink_url, "Delivered concurrently")) == 1


def test_a_confirmation_email_delivered_at_once_three_times_goes_out_once(ad, bus, sink_url):
    new_profile(ad, email="confirm-once@cso.example.org", language="en")
    _pump_with_copies(ad, bus, at_once=True)
    confirmations = [m for m in sink_messages(sink_url) if m["categories"] == ["confirmation"]]
    assert [m["to"] for m in confirmations] == [["confirm-once@cso.example.org"]]
