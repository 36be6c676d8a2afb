"""My Grant Match's use cases on the fakes: a page token opens only its own matches,
dismissing mutes, the calendar secret is kept only hashed, an edit screens matches again,
and the link box sends the link only to a known address."""

from __future__ import annotations

import pytest

from shared.adapters.ports import AlertStatus, alert_id
from shared.domain.errors import InvalidLink, NotFound
from shared.domain.ids import match_id
from shared.domain.models import ErasureRequest, ProfileSubmission
from shared.domain.recipients import RecipientKind
from shared.email.links import Purpose
from shared.services import my_matches
from shared.services.erasure import request_erasure
from tests.builders import profile_body
from tests.unit.services.pipeline import confirmed_profile, emails, new_grant, pump, token

PROFILE = RecipientKind.PROFILE


def _setup(ad):
    pid = confirmed_profile(ad, email="me@cso.example.org", language="en")
    kh = new_grant(ad, title="Cambodia only", countries=["KH"], external_id="kh")
    both = new_grant(ad, title="Both", countries=["KH", "LA"], external_id="both")
    pump(ad)
    return pid, kh, both


def test_a_token_opens_only_its_own_profile_and_only_for_its_purpose(ad):
    pid, kh, _ = _setup(ad)
    me = my_matches.recipient_of(ad, token(ad, Purpose.MY_MATCHES, PROFILE, pid))
    assert me.id == pid
    with pytest.raises(InvalidLink):
        my_matches.recipient_of(ad, token(ad, Purpose.UNSUBSCRIBE, PROFILE, pid))
    other = confirmed_profile(ad, email="other@cso.example.org", countries=["MM"])
    them = my_matches.recipient_of(ad, token(ad, Purpose.MY_MATCHES, PROFILE, other))
    assert my_matches.current_matches(ad, them) == []
    with pytest.raises(NotFound):  # my grant is not theirs to mark
        my_matches.mark_match(ad, them, kh, "dismiss")


def test_dismissing_mutes_the_alert_and_hides_the_match(ad):
    pid, kh, both = _setup(ad)
    me = my_matches.recipient_of(ad, token(ad, Purpose.MY_MATCHES, PROFILE, pid))
    my_matches.mark_match(ad, me, kh, "dismiss")
    my_matches.mark_match(ad, me, both, "save")
    assert [m.grant.id for m in my_matches.current_matches(ad, me)] == [both]
    assert [m.status for m in my_matches.current_matches(ad, me, status="saved")] == ["saved"]
    assert [m.grant.id for m in my_matches.current_matches(ad, me, status="dismissed")] == [kh]
    muted = ad.alerts.get(alert_id(PROFILE, match_id(kh, "profile", pid)))
    assert muted is not None and muted.status is AlertStatus.MUTED


def test_the_calendar_secret_is_kept_hashed_and_a_new_one_revokes_the_old(ad):
    pid, _, _ = _setup(ad)
    me = my_matches.recipient_of(ad, token(ad, Purpose.MY_MATCHES, PROFILE, pid))
    first = my_matches.new_calendar_secret(ad, me)
    assert my_matches.calendar_recipient(ad, first).id == pid
    assert ad.my_page.calendar_owner(first) is None  # the store knows only the hash
    second = my_matches.new_calendar_secret(ad, me)
    with pytest.raises(NotFound):
        my_matches.calendar_recipient(ad, first)
    my_matches.revoke_calendar(ad, me)
    with pytest.raises(NotFound):
        my_matches.calendar_recipient(ad, second)


def test_an_edit_keeps_address_and_consent_and_screens_matches_again(ad):
    pid, kh, both = _setup(ad)
    me = my_matches.recipient_of(ad, token(ad, Purpose.MY_MATCHES, PROFILE, pid))
    assert {m.grant.id for m in my_matches.current_matches(ad, me)} == {kh, both}
    edit = ProfileSubmission(**profile_body(email="thief@example.org", countries=["LA"]))
    my_matches.edit_target(ad, me, edit, correlation_id="c")
    profile = ad.subscribers.get_profile(pid)
    assert profile is not None and profile.countries == ["LA"]
    assert str(profile.email) == "me@cso.example.org" and profile.confirmed
    assert [m.grant.id for m in my_matches.current_matches(ad, me)] == [both]


def test_the_link_box_emails_only_a_known_address_with_a_page_link(ad):
    confirmed_profile(ad, email="me@cso.example.org")
    before = len(emails(ad))
    request_erasure(
        ad, ErasureRequest(email="nobody@cso.example.org"), correlation_id="c", link="my"
    )
    request_erasure(ad, ErasureRequest(email="me@cso.example.org"), correlation_id="c", link="my")
    pump(ad)
    [sent] = emails(ad)[before:]
    assert sent.to == "me@cso.example.org" and sent.category == "my_link"
    assert "/my?token=" in sent.text
