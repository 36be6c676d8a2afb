"""Funder API keys: shown once, stored hashed, checked exactly."""

from __future__ import annotations

from shared.domain.api_keys import issue_key, parse_key, secret_matches


def test_issued_key_parses_back_to_its_id():
    key = issue_key()
    parsed = parse_key(key.plaintext)
    assert parsed is not None and parsed[0] == key.key_id


def test_stored_hash_is_not_the_secret():
    key = issue_key()
    _, secret = parse_key(key.plaintext)
    assert secret not in key.secret_hash and key.plaintext not in key.secret_hash


def test_secret_matches_only_its_own_hash():
    key, other = issue_key(), issue_key()
    _, secret = parse_key(key.plaintext)
    assert secret_matches(secret, key.secret_hash)
    assert not secret_matches(secret, other.secret_hash)


def test_malformed_keys_do_not_parse():
    for bad in ("", "gm_", "Bearer x", "gm_zzzz_abc", issue_key().plaintext + "x"):
        assert parse_key(bad) is None
