"""Rate limits at the HTTP edge: count every request in its Firestore window before the
route runs, and answer 429 with Retry-After once the window is full.

Which allowance a route uses is decided here, by endpoint: the routes that act for a
funder count against its key (the API's Bearer key; on the projects page and the
interest form, the key the signed session names), so a funder is not locked out by
the office address it shares. Web form posts, the funders' sign-in and everything
else public count against the client address (reads or writes); the links in emails
(the CSO's share link too) have their own wide bucket.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Flask, Request, request

from shared.domain.errors import RateLimited
from shared.runtime.bootstrap import Adapters
from shared.web.funder_session import COOKIE, session_signer
from shared.web.rate_limit.policy import Bucket, bearer_key_id, client_ip, subject_of, window_for

log = logging.getLogger(__name__)
#: Endpoints a load balancer or a client generator polls: never limited.
EXEMPT = frozenset({"healthz", "openapi_document"})
#: Endpoints that take the funder API key (Authorization: Bearer).
KEY_ENDPOINTS = frozenset(
    {
        "post_grant",
        "import_grant_file",
        "put_grant",
        "delete_grant",
        "list_projects",
        "grant_projects",
        "post_interest",
    }
)
#: Endpoints where the projects page's signed session acts for the funder.
SESSION_ENDPOINTS = frozenset({"list_projects", "interest_form"})
#: Endpoints that serve the links in emails (their own, wider bucket).
LINK_ENDPOINTS = frozenset({"emailed_link", "share_contact_link"})


def _funder_key_id(ad: Adapters, req: Request) -> str | None:
    """The key the request acts for on this endpoint, if it names one. A session counts
    only if this deployment signed it (a forged cookie opens no allowance)."""
    key_id = bearer_key_id(req.headers.get("Authorization"))
    if req.endpoint in KEY_ENDPOINTS and key_id:
        return key_id
    cookie = req.cookies.get(COOKIE)
    if req.endpoint in SESSION_ENDPOINTS and cookie:
        signer = session_signer(ad.settings.link_signing_secret.get_secret_value())
        session = signer.read(cookie, ad.clock.now())
        return session.key_id if session else None
    return None


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
        _funder_key_id(ad, request), ip, request.method, request.endpoint in LINK_ENDPOINTS
    )
    now = ad.clock.now()
    window = window_for(
        bucket, subject, _limit(ad, bucket), settings.rate_limit_window_seconds, now
    )
    try:
        count = ad.rate_counters.count(window.counter_id, window.expire_at)
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
