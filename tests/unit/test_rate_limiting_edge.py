"""The limiter at the HTTP edge: a sliding window that holds a burst to the limit in every
minute, and fails open, so a broken counter store never becomes an outage of the API (a
fake store; the real one is tested in tests/integration)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from flask import Flask

from shared.runtime.config import Settings
from shared.web.error_mapping import install_error_handlers
from shared.web.rate_limit.hook import install_rate_limits
from shared.web.rate_limit.policy import WindowCount

START = datetime(2026, 11, 29, 12, 0, 30, tzinfo=UTC)


class _Counters:
    """The counter store in memory: admitted requests per window and tick, and the
    latest admitted request's time, as the Firestore store keeps them."""

    def __init__(self, fail: bool) -> None:
        self.fail = fail
        self.windows: dict[str, WindowCount] = {}

    def _check(self) -> None:
        if self.fail:
            raise RuntimeError("counter store unavailable")

    def rate_windows(self, counter_ids) -> list[WindowCount]:
        self._check()
        return [self.windows.get(counter_id, WindowCount()) for counter_id in counter_ids]

    def count_admitted(self, counter_id, _expire_at, tick, at) -> int:
        self._check()
        stored = self.windows.get(counter_id, WindowCount())
        ticks = {**stored.ticks, tick: stored.ticks.get(tick, 0) + 1}
        self.windows[counter_id] = WindowCount(ticks, max(stored.last_seen, at))
        return sum(ticks.values())

    def count_refused(self, _counter_id, _expire_at) -> None:
        self._check()


def _app(counters: _Counters, limit: int = 1, clock: list[datetime] | None = None) -> Flask:
    clock = clock if clock is not None else [START]
    ad = SimpleNamespace(
        settings=Settings(rate_limit_ip_writes=limit),
        rate_counters=counters,
        clock=SimpleNamespace(now=lambda: clock[0]),
    )
    app = Flask(__name__)
    install_error_handlers(app)
    install_rate_limits(app, lambda: ad)
    app.post("/things")(lambda: ("", 201))
    return app


def test_over_the_limit_is_429_with_retry_after():
    client = _app(_Counters(fail=False)).test_client()
    assert client.post("/things").status_code == 201
    limited = client.post("/things")
    # A sliding minute: the post of 12:00:30 stops counting at 12:01:30.
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "60"


def test_a_failing_counter_store_lets_requests_through():
    client = _app(_Counters(fail=True)).test_client()
    assert {client.post("/things").status_code for _ in range(3)} == {201}


def _accepted_times(limit: int, times: list[datetime]) -> list[datetime]:
    clock = [times[0]]
    client = _app(_Counters(fail=False), limit, clock).test_client()
    accepted = []
    for at in times:
        clock[0] = at
        if client.post("/things").status_code == 201:
            accepted.append(at)
    return accepted


def _most_in_any_minute(accepted: list[datetime]) -> int:
    return max(sum(1 for a in accepted if t - timedelta(seconds=60) < a <= t) for t in accepted)


def test_a_burst_straddling_the_turn_of_the_minute_gets_the_limit_not_twice_it():
    # 300 posts in 40 s across 12:01:00, against 120 a minute (a fixed window took 221 of
    # 300 in 40 s in the stack).
    times = [START + timedelta(seconds=10 + i * 40 / 300) for i in range(300)]
    accepted = _accepted_times(120, times)
    assert len(accepted) == 120
    assert _most_in_any_minute(accepted) <= 120


def _steady(per_second: float, seconds: int = 300) -> list[datetime]:
    return [START + timedelta(seconds=i / per_second) for i in range(int(seconds * per_second))]


def test_a_client_keeping_under_the_limit_by_a_tick_is_never_refused():
    # 117 a minute, evenly, against 120: the window holds requests at most one tick (a
    # second) longer than they are old, so nothing is refused.
    times = _steady(1.95)
    assert _accepted_times(120, times) == times


def test_a_client_over_the_limit_gets_the_limit_in_every_minute_and_never_more():
    accepted = _accepted_times(120, _steady(2.5))  # 150 a minute for five minutes
    assert len(accepted) == 5 * 120
    assert _most_in_any_minute(accepted) == 120
