"""Rate limits at the HTTP edge: count every request in its Firestore window before the
route runs, and answer 429 with Retry-After once the window is full."""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Flask, request

from shared.bootstrap import Adapters
from shared.errors import RateLimited
from shared.rate_limits import Bucket, client_ip, subject_of, window_for

log = logging.getLogger(__name__)
#: Endpoints a load balancer or a client generator polls: never limited.
EXEMPT = frozenset({"healthz", "openapi_document"})
#: Endpoints that serve the links in emails (their own, wider bucket).
LINK_ENDPOINTS = frozenset({"emailed_link"})


def _limit(ad: Adapters, bucket: Bucket) -> int:
    settings = ad.settings
    return {
        Bucket.KEY: settings.rate_limit_key_requests,
        Bucket.IP_READ: settings.rate_limit_ip_reads,
        Bucket.IP_WRITE: settings.rate_limit_ip_writes,
        Bucket.IP_LINK: settings.rate_limit_ip_links,
    }[bucket]


def check_rate_limit(ad: Adapters) -> None:
    """Count the current request; raise RateLimited if its window is already full."""
    settings = ad.settings
    ip = client_ip(
        request.remote_addr, request.headers.get("X-Forwarded-For"), settings.trusted_proxy_hops
    )
    bucket, subject = subject_of(
        request.headers.get("Authorization"),
        ip,
        request.method,
        request.endpoint in LINK_ENDPOINTS,
    )
    now = ad.now()
    window = window_for(
        bucket, subject, _limit(ad, bucket), settings.rate_limit_window_seconds, now
    )
    try:
        count = ad.repo.count_request(window.counter_id, window.expire_at)
    except Exception as exc:  # fail open: the limiter must never be the outage
        log.warning("rate limit not counted", extra={"error": f"{type(exc).__name__}: {exc}"})
        return
    if count > window.limit:
        log.info("rate limited", extra={"bucket": bucket.value, "count": count})
        raise RateLimited(window.retry_after(now))


def install_rate_limits(app: Flask, get_adapters: Callable[[], Adapters]) -> None:
    """Check the limits before every request except the exempt endpoints."""

    @app.before_request
    def _rate_limit() -> None:
        if request.endpoint is None or request.endpoint in EXEMPT:
            return  # unknown routes are 404 anyway
        check_rate_limit(get_adapters())
