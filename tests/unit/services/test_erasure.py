"""Erasure: the link in any email deletes everything kept for its address."""

from __future__ import annotations

from shared.adapters.ports import AlertStatus
from shared.domain.models import ErasureRequest
from shared.domain.recipients import RecipientKind
from shared.domain.taxonomy import TargetKind
from shared.email.links import Purpose
from shared.services.erasure import request_erasure
from shared.services.subscriptions import follow_link
from tests.unit.services.pipeline import (
    confirmed_profile,
    confirmed_project,
    emails,
    new_grant,
    pump,
    token,
)

LEAVING, STAYING = "leaving@cso.example.org", "staying@cso.example.org"
PROFILE, PROJECT = RecipientKind.PROFILE, RecipientKind.PROJECT
EVERY_STATUS = tuple(AlertStatus)


def _history(ad) -> dict[str, str]:
    """A profile and a project of the leaving address, a profile of another, all told
    about one grant."""
    ids = {
        "profile": confirmed_profile(ad, email=LEAVING),
        "project": confirmed_project(ad, contact_email=LEAVING, country="KH"),
        "other": confirmed_profile(ad, email=STAYING),
    }
    new_grant(ad)
    pump(ad)
    ad.clock.advance(seconds=ad.settings.alert_batch_window_seconds + 1)
    pump(ad)
    return ids


def _erase(ad, kind: RecipientKind, rid: str) -> None:
    follow_link(ad, Purpose.ERASE, token(ad, Purpose.ERASE, kind, rid), "c")


def _kept_for(ad, kind: RecipientKind, rid: str) -> list:
    """Everything the stores still hold about one profile or project."""
    target = TargetKind(kind.value)
    getter = ad.subscribers.get_profile if kind is PROFILE else ad.subscribers.get_project
    notifications = [ad.notifications.get(f"confirmation:{kind.value}:{rid}")]
    return [
        x
        for x in [
            getter(rid),
            *ad.matches.for_target(target, rid),
            *ad.alerts.of_recipient(kind, rid, EVERY_STATUS),
            *notifications,
        ]
        if x is not None
    ]


def test_erasing_deletes_everything_kept_for_the_address(ad):
    ids = _history(ad)
    assert _kept_for(ad, PROFILE, ids["profile"]) and _kept_for(ad, PROJECT, ids["project"])
    _erase(ad, PROFILE, ids["profile"])  # one link takes every record of its address
    assert _kept_for(ad, PROFILE, ids["profile"]) == []
    assert _kept_for(ad, PROJECT, ids["project"]) == []
    assert ad.erasure.recipients_with_address(LEAVING) == []


def test_erasing_keeps_what_belongs_to_other_addresses(ad):
    ids = _history(ad)
    before = _kept_for(ad, PROFILE, ids["other"])
    _erase(ad, PROFILE, ids["profile"])
    assert _kept_for(ad, PROFILE, ids["other"]) == before


def test_an_erasure_link_is_sent_only_to_an_address_that_is_kept(ad):
    confirmed_profile(ad, email=LEAVING)
    for address in (LEAVING, "unknown@cso.example.org"):
        request_erasure(ad, ErasureRequest(email=address), correlation_id="c")
    pump(ad)
    assert [e.to for e in emails(ad, "erasure")] == [LEAVING]
