"""A funder's interest: the CSO hears of it; the funder learns the CSO's address only
once the CSO accepts."""

from __future__ import annotations

import re

import pytest

from shared.adapters.ports import SaveOutcome
from shared.domain.events import EventName
from shared.domain.models import InterestSubmission
from shared.services.funders import create_funder
from shared.services.interests import express_interest, share_contact
from tests.unit.services.pipeline import confirmed_project, emails, pump

CSO = "contact@mym.example.org"
FUNDER = "grants@fund.example.org"


@pytest.fixture
def parties(ad) -> tuple[str, str]:
    """A funder with a contact address, and a confirmed public project."""
    funder = create_funder(ad, "Mekong Fund", email=FUNDER)
    project = confirmed_project(ad, contact_email=CSO, visibility="public")
    return funder.funder_id, project


def _express(ad, funder_id: str, project_id: str, pledge: float | None = 1000):
    body = InterestSubmission(message="We fund reporters' safety.", pledge=pledge)
    return express_interest(ad, funder_id, project_id, body, correlation_id="c")


def _share_token(email) -> str:
    """The token of the "share my address" link in the CSO's email."""
    return re.search(r"token=([\w.\-]+)", email.text).group(1)


def test_expressing_interest_sends_the_cso_a_notice(ad, parties):
    _express(ad, *parties)
    pump(ad)
    [notice] = emails(ad, "interest")
    assert notice.to == CSO and "Mekong Fund" in notice.text
    assert [e.to for e in emails(ad) if e.to == FUNDER] == []  # the funder learns nothing


def test_expressing_interest_twice_pledges_once(ad, parties):
    funder_id, project_id = parties
    _express(ad, funder_id, project_id)
    _express(ad, funder_id, project_id)
    pump(ad)
    assert ad.subscribers.get_project(project_id).pledged_amount == 1000
    assert len(emails(ad, "interest")) == 1


def test_expressing_interest_again_changes_nothing_and_announces_nothing(ad, parties):
    first = _express(ad, *parties)
    again = _express(ad, *parties, pledge=5000)
    assert (first.outcome, again.outcome) == (SaveOutcome.CREATED, SaveOutcome.UNCHANGED)
    assert len(ad.publisher.events(EventName.INTEREST_EXPRESSED)) == 1


def test_accepting_introduces_the_cso_to_the_funder(ad, parties):
    _express(ad, *parties)
    pump(ad)
    [notice] = emails(ad, "interest")
    share_contact(ad, _share_token(notice), "Happy to talk", "c")
    pump(ad)
    [introduction] = emails(ad, "introduction")
    assert introduction.to == FUNDER
    assert CSO in introduction.text and "Happy to talk" in introduction.text


def test_accepting_twice_introduces_once(ad, parties):
    _express(ad, *parties)
    pump(ad)
    share = _share_token(emails(ad, "interest")[0])
    for _ in range(2):
        share_contact(ad, share, "Happy to talk", "c")
        pump(ad)
    assert len(emails(ad, "introduction")) == 1
