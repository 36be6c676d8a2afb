"""Who a request counts against, the fixed windows it is counted in, and the sliding
window over them that decides."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared.web.rate_limit.hook import EXEMPT, KEY_ENDPOINTS, LINK_ENDPOINTS, SESSION_ENDPOINTS
from shared.web.rate_limit.policy import (
    Bucket,
    WindowCount,
    bearer_key_id,
    client_ip,
    sliding_window_for,
    subject_of,
    window_for,
)

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


MINUTE = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def _at(second: float) -> datetime:
    return MINUTE + timedelta(seconds=second)


def test_a_sliding_window_reads_the_fixed_window_of_now_and_the_one_before():
    window = sliding_window_for(Bucket.KEY, "0123456789abcdef", 120, 60, _at(61.5))
    assert (
        window.current.counter_id
        == window_for(Bucket.KEY, "0123456789abcdef", 120, 60, _at(61.5)).counter_id
    )
    assert (
        window.previous.counter_id
        == window_for(Bucket.KEY, "0123456789abcdef", 120, 60, _at(1)).counter_id
    )
    assert window.counter_ids == [window.previous.counter_id, window.current.counter_id]
    assert window.tick == 1  # a sixtieth of the window: the second of the minute
    assert window.current.expire_at > window.current.resets_at + timedelta(seconds=60)


def _admit(seconds: list[float]) -> WindowCount:
    """A minute's window after admitting a request at each of `seconds` (within it)."""
    stored = WindowCount()
    for second in seconds:
        stored = sliding_window_for(Bucket.KEY, "k", 3, 60, _at(second)).with_request(
            stored, _at(second)
        )
    return stored


def test_a_burst_straddling_the_turn_of_the_window_is_held_to_the_limit():
    before_the_turn = _admit([50, 55, 59])  # three of three just before 12:01

    after = sliding_window_for(Bucket.KEY, "k", 3, 60, _at(61))
    assert after.load(before_the_turn, WindowCount(), _at(61)) == 3
    assert not after.has_room(before_the_turn, WindowCount(), _at(61))
    # The post of 12:00:50 (its tick ends at :51) stops counting a window later.
    assert after.retry_after(before_the_turn, WindowCount(), _at(61)) == 50
    later = sliding_window_for(Bucket.KEY, "k", 3, 60, _at(111))
    assert not later.has_room(before_the_turn, WindowCount(), _at(110.9))
    assert later.has_room(before_the_turn, WindowCount(), _at(111))


def test_the_latest_tick_counts_until_its_latest_request_is_a_window_old():
    stored = _admit([30.2])  # tick 30 ends at :31, but its latest request came at :30.2
    window = sliding_window_for(Bucket.KEY, "k", 1, 60, _at(90))
    assert window.load(stored, WindowCount(), _at(90.1)) == 1
    assert window.load(stored, WindowCount(), _at(90.2)) == 0


def test_retry_after_is_when_enough_of_the_oldest_are_a_window_old_and_never_past_it():
    stored = _admit([10, 20, 30])
    window = sliding_window_for(Bucket.KEY, "k", 3, 60, _at(30))
    # The post of :10 (its tick ends at :11) stops counting at 12:01:11.
    assert window.retry_after(WindowCount(), stored, _at(30)) == 41
    crowded = sliding_window_for(Bucket.KEY, "k", 1, 60, _at(30))
    assert crowded.retry_after(WindowCount(), stored, _at(30)) == 60  # all three must go
