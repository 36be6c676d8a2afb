"""Signed links: they round-trip, expire, cannot be forged or used for another purpose."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from shared.domain.errors import InvalidLink
from shared.domain.recipients import RecipientKind
from shared.email.links import LIFETIME, LinkClaim, LinkSigner, Purpose

SIGNER = LinkSigner("a-test-secret-that-is-long-enough-0123", "https://gm.example.org/")
NOW = datetime.now(UTC)
CONFIRM = LinkClaim(Purpose.CONFIRM, RecipientKind.PROFILE, "a_123")


def test_token_round_trips_and_names_ids_only():
    token = SIGNER.token(CONFIRM)
    assert SIGNER.read(Purpose.CONFIRM, token, NOW) == CONFIRM
    assert "@" not in token


def test_url_points_at_the_purpose_path():
    url = urlsplit(SIGNER.mute_url(RecipientKind.PROJECT, "p_1", "g_9"))
    assert (url.scheme, url.netloc, url.path) == ("https", "gm.example.org", "/mute")
    claim = SIGNER.read(Purpose.MUTE, parse_qs(url.query)["token"][0], NOW)
    assert claim == LinkClaim(Purpose.MUTE, RecipientKind.PROJECT, "p_1", "g_9")


def test_a_confirm_token_cannot_unsubscribe_and_vice_versa():
    with pytest.raises(InvalidLink):
        SIGNER.read(Purpose.UNSUBSCRIBE, SIGNER.token(CONFIRM), NOW)
    unsubscribe = LinkClaim(Purpose.UNSUBSCRIBE, RecipientKind.PROFILE, "a_123")
    with pytest.raises(InvalidLink):
        SIGNER.read(Purpose.CONFIRM, SIGNER.token(unsubscribe), NOW)


def test_token_expires():
    token = SIGNER.token(CONFIRM)
    assert SIGNER.read(Purpose.CONFIRM, token, NOW + LIFETIME[Purpose.CONFIRM] - timedelta(1))
    with pytest.raises(InvalidLink) as caught:
        SIGNER.read(Purpose.CONFIRM, token, NOW + LIFETIME[Purpose.CONFIRM] + timedelta(1))
    assert caught.value.expired


@pytest.mark.parametrize(
    "token",
    [
        "",
        "garbage",
        SIGNER.token(CONFIRM)[:-2] + "xx",  # tampered signature
        LinkSigner("another-secret-that-is-long-enough-999", "https://x").token(CONFIRM),
    ],
)
def test_forged_or_broken_tokens_are_refused(token):
    with pytest.raises(InvalidLink) as caught:
        SIGNER.read(Purpose.CONFIRM, token, NOW)
    assert not caught.value.expired


def test_a_missing_or_short_secret_is_refused():
    with pytest.raises(ValueError, match="LINK_SIGNING_SECRET"):
        LinkSigner("", "https://x")
