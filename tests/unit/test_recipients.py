"""Consent in one place: what each recipient may be sent."""

from __future__ import annotations

from datetime import UTC, datetime

from shared.domain.recipients import EmailKind, Recipient
from tests import builders as b

NOW = datetime(2026, 11, 29, tzinfo=UTC)


def test_unconfirmed_address_gets_only_the_confirmation_or_a_link_it_asked_for():
    recipient = Recipient.of_project(b.project())
    allowed = [k for k in EmailKind if recipient.may_receive(k)]
    assert allowed == [EmailKind.CONFIRMATION, EmailKind.ERASURE, EmailKind.MY_LINK]


def test_confirmed_address_gets_everything_until_it_unsubscribes():
    confirmed = Recipient.of_profile(b.profile().model_copy(update={"confirmed": True}))
    assert all(confirmed.may_receive(k) for k in EmailKind)
    gone = b.profile().model_copy(update={"confirmed": True, "unsubscribed_at": NOW})
    allowed = [k for k in EmailKind if Recipient.of_profile(gone).may_receive(k)]
    # Only the links to delete or see its data, which it must be able to ask for.
    assert allowed == [EmailKind.ERASURE, EmailKind.MY_LINK]


def test_projects_are_instant_and_funders_weekly():
    assert Recipient.of_project(b.project()).wants_instant
    funder = Recipient.of_funder("f_1", "Fund", "f@example.org", "en", unsubscribed=False)
    assert funder.confirmed and not funder.wants_instant
    assert funder.amount_max is None and funder.currency is None  # never an applicant's ask
