"""The limiter at the HTTP edge fails open: a broken counter store never becomes an
outage of the API (a fake store; the real one is tested in tests/integration)."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

from flask import Flask

from shared.runtime.config import Settings
from shared.web.error_mapping import install_error_handlers
from shared.web.rate_limit.hook import install_rate_limits


class _Counters:
    def __init__(self, fail: bool) -> None:
        self.fail = fail
        self.counted = 0

    def count(self, _counter_id, _expire_at) -> int:
        if self.fail:
            raise RuntimeError("counter store unavailable")
        self.counted += 1
        return self.counted


def _app(counters: _Counters) -> Flask:
    ad = SimpleNamespace(
        settings=Settings(rate_limit_ip_writes=1),
        rate_counters=counters,
        clock=SimpleNamespace(now=lambda: datetime(2026, 11, 29, 12, 0, 30, tzinfo=UTC)),
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
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "30"


def test_a_failing_counter_store_lets_requests_through():
    client = _app(_Counters(fail=True)).test_client()
    assert {client.post("/things").status_code for _ in range(3)} == {201}
