"""Run a module (functions-framework, or `shared.cli relay`) with every I/O call timed:
each Firestore repository method, each publish and each send prints one JSON line
(`bench_op`, seconds, correlation id) to stdout, next to the function's own logs.

    python -m bench.traced functions_framework --source functions/match/main.py ...

Benchmark-only: production code is not touched, the methods are wrapped at start-up.
A wrapped iterator is drained inside the timer, so a streamed query counts whole.
"""

from __future__ import annotations

import functools
import inspect
import json
import runpy
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

_lock = threading.Lock()
_depth = threading.local()  # only the outermost wrapped call counts (methods call methods)


def _emit(label: str, seconds: float) -> None:
    from shared.runtime.jsonlog import current_correlation_id

    record = {"bench_op": label, "seconds": round(seconds, 6)}
    line = json.dumps({**record, "correlation_id": current_correlation_id()})
    with _lock:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def _timed(label: str, method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        depth = getattr(_depth, "value", 0)
        _depth.value = depth + 1
        began = time.perf_counter()
        try:
            result = method(*args, **kwargs)
            if inspect.isgenerator(result):
                result = iter(list(result))
            return result
        finally:
            _depth.value = depth
            if depth == 0:
                _emit(label, time.perf_counter() - began)

    return wrapper


def _wrap_public(cls: type, prefix: str, names: list[str] | None = None) -> None:
    for name, member in list(vars(cls).items()):
        if name.startswith("_") or not callable(member) or (names and name not in names):
            continue
        setattr(cls, name, _timed(f"{prefix}.{name}", member))


def install() -> None:
    """Wrap the adapters' I/O and the email rendering."""
    import shared.services.alerts as alerts
    from shared.adapters.firestore.alerts import FirestoreAlerts
    from shared.adapters.firestore.erasure import FirestoreErasure
    from shared.adapters.firestore.funders import FirestoreFunders
    from shared.adapters.firestore.grants import FirestoreGrants
    from shared.adapters.firestore.interests import FirestoreInterests
    from shared.adapters.firestore.ledgers import (
        FirestoreOutbox,
        FirestoreProcessedEvents,
        FirestoreRateCounters,
    )
    from shared.adapters.firestore.matches import FirestoreMatches
    from shared.adapters.firestore.notifications import FirestoreNotifications
    from shared.adapters.firestore.subscribers import FirestoreSubscribers
    from shared.adapters.pubsub_publisher import PubSubPublisher
    from shared.adapters.sendgrid_sender import SendGridSender

    stores = {
        "alerts": FirestoreAlerts,
        "erasure": FirestoreErasure,
        "funders": FirestoreFunders,
        "grants": FirestoreGrants,
        "interests": FirestoreInterests,
        "outbox": FirestoreOutbox,
        "processed": FirestoreProcessedEvents,
        "rate_counters": FirestoreRateCounters,
        "matches": FirestoreMatches,
        "notifications": FirestoreNotifications,
        "subscribers": FirestoreSubscribers,
    }
    for name, store in stores.items():
        _wrap_public(store, f"firestore.{name}")
    _wrap_public(PubSubPublisher, "pubsub", ["publish_many", "publish_raw"])
    _wrap_public(SendGridSender, "sendgrid", ["send"])
    alerts.render_alerts = _timed("render.alerts", alerts.render_alerts)


def main() -> None:
    """`python -m bench.traced MODULE ARGS...`: run MODULE as __main__, traced."""
    module, args = sys.argv[1], sys.argv[2:]
    install()
    sys.argv = [module, *args]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
