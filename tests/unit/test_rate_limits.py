"""Who a request counts against, and the fixed windows it is counted in."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shared.web.rate_limit.hook import EXEMPT, KEY_ENDPOINTS, LINK_ENDPOINTS, SESSION_ENDPOINTS
from shared.web.rate_limit.policy import Bucket, bearer_key_id, client_ip, subject_of, window_for

KEY = "gm_0123456789abcdef_" + "A" * 43


def test_without_trusted_proxies_the_peer_is_the_client_whatever_the_header_says():
    assert client_ip("198.51.100.7", "203.0.113.1", 0) == "198.51.100.7"


def test_behind_one_proxy_the_rightmost_entry_is_the_client():
    # The client wrote "203.0.113.1"; Google's front end appended what it saw.
    assert client_ip("10.0.0.1", "203.0.113.1, 198.51.100.7", 1) == "198.51.100.7"


def test_behind_a_load_balancer_too_the_second_from_the_right_is_the_client():
    header = "203.0.113.1, 198.51.100.7, 34.120.0.9"
    assert client_ip("10.0.0.1", header, 2) == "198.51.100.7"


@pytest.mark.parametrize("header", [None, "", "not-an-ip", " , "])
def test_a_missing_or_garbled_header_never_becomes_a_fresh_identity(header):
    assert client_ip("10.0.0.1", header, 1) in ("10.0.0.1", "unknown")
    assert client_ip("10.0.0.1", "garbage", 1) == "unknown"


def test_ipv6_clients_count_per_64_block():
    one = client_ip("::1", "2001:db8:1:2::1", 1)
    other = client_ip("::1", "2001:db8:1:2:ffff::9", 1)
    assert one == other == "2001:db8:1:2::/64"


def test_a_key_counts_against_the_key_and_the_rest_against_the_address():
    assert subject_of("0123456789abcdef", "198.51.100.7", "POST", False) == (
        Bucket.KEY,
        "0123456789abcdef",
    )
    assert subject_of(None, "198.51.100.7", "GET", False)[0] is Bucket.IP_READ
    assert subject_of(None, "198.51.100.7", "POST", False)[0] is Bucket.IP_WRITE
    assert subject_of(None, "198.51.100.7", "POST", True)[0] is Bucket.IP_LINK


def test_only_a_well_formed_bearer_header_names_a_key():
    assert bearer_key_id(f"Bearer {KEY}") == bearer_key_id(f"bearer  {KEY}") == "0123456789abcdef"
    for header in (None, "", "Bearer nonsense", f"Basic {KEY}", KEY):
        assert bearer_key_id(header) is None, header


def test_the_limiters_endpoints_are_the_ingest_functions_own(ingest_app):
    endpoints = set(ingest_app.view_functions)
    for named in (EXEMPT, KEY_ENDPOINTS, SESSION_ENDPOINTS, LINK_ENDPOINTS):
        assert named <= endpoints, named - endpoints


def test_windows_are_fixed_and_ids_deterministic_without_the_address_in_clear():
    at = datetime(2026, 11, 29, 12, 0, 10, tzinfo=UTC)
    first = window_for(Bucket.IP_WRITE, "198.51.100.7", 30, 60, at)
    same = window_for(Bucket.IP_WRITE, "198.51.100.7", 30, 60, at.replace(second=59))
    next_ = window_for(Bucket.IP_WRITE, "198.51.100.7", 30, 60, at.replace(minute=1))
    assert first.counter_id == same.counter_id != next_.counter_id
    assert "198.51.100.7" not in first.counter_id
    assert first.resets_at == datetime(2026, 11, 29, 12, 1, tzinfo=UTC)
    assert first.retry_after(at) == 50
    assert first.expire_at > first.resets_at
