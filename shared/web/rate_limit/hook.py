"""Rate limits at the HTTP edge: before the route runs, read the request's sliding window
from Firestore, count the request if there is room, and answer 429 with Retry-After
(when enough of the oldest requests are a window old) if there is not.

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
from shared.web.opportunities_api import KEY_ENDPOINTS as OPPORTUNITY_KEY_ENDPOINTS
from shared.web.rate_limit.policy import (
    Bucket,
    bearer_key_id,
    client_ip,
    sliding_window_for,
    subject_of,
)

log = logging.getLogger(__name__)
#: Endpoints a load balancer or a client generator polls: never limited.
EXEMPT = frozenset({"api.healthz", "api.openapi_document"})
#: Endpoints that take the funder API key (Authorization: Bearer).
KEY_ENDPOINTS = frozenset(
    {
        "api.post_grant",
        "api.import_grant_file",
        "api.put_grant",
        "api.delete_grant",
        "api.list_projects",
        "api.grant_projects",
        "api.post_interest",
    }
    | OPPORTUNITY_KEY_ENDPOINTS
)
#: Endpoints where the projects page's signed session acts for the funder.
SESSION_ENDPOINTS = frozenset(
    {
        "api.list_projects",
        "site.interest_form",
        "funder.grants",
        "funder.new_grant",
        "funder.edit_grant",
        "funder.close_grant",
        "funder_items.new_item",
        "funder_items.edit_item",
    }
)
#: Endpoints that serve the links in emails (their own, wider bucket).
LINK_ENDPOINTS = frozenset(
    {
        "links.emailed_link",
        "links.share_contact_link",
        # My Grant Match: opened from the emailed link (the box that sends it is a write).
        "my.my_matches_page",
        "my.mark_match",
        "my.export_matches",
        "my.calendar_address",
        "my.add_kind",
        "my.calendar",
        "my.delete_data",
        # The plan builder, behind the same link.
        "plans.plan_overview",
        "plans.plan_step",
        "plans.plan_example",
        "plans.plan_export",
    }
)


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
    """Count the current request; raise RateLimited if its sliding window is full."""
    settings = ad.settings
    ip = client_ip(
        request.remote_addr, request.headers.get("X-Forwarded-For"), settings.trusted_proxy_hops
    )
    bucket, subject = subject_of(
        _funder_key_id(ad, request), ip, request.method, request.endpoint in LINK_ENDPOINTS
    )
    now = ad.clock.now()
    window = sliding_window_for(
        bucket, subject, _limit(ad, bucket), settings.rate_limit_window_seconds, now
    )
    counter = window.current.counter_id
    try:
        previous, current = ad.rate_counters.rate_windows(window.counter_ids)
        if window.has_room(previous, current, now):
            admitted = ad.rate_counters.count_admitted(
                counter, window.current.expire_at, window.tick, now.timestamp()
            )
            if window.admits(previous, admitted, now):
                return
            current = window.with_request(current, now)  # another instance came first
        else:
            ad.rate_counters.count_refused(counter, window.current.expire_at)
    except Exception as exc:  # fail open: the limiter must never be the outage
        log.warning("rate limit not counted", extra={"error": f"{type(exc).__name__}: {exc}"})
        return
    load = window.load(previous, current, now)
    log.info("rate limited", extra={"bucket": bucket.value, "count": load})
    raise RateLimited(window.retry_after(previous, current, now))


def install_rate_limits(app: Flask, get_adapters: Callable[[], Adapters]) -> None:
    """Check the limits before every request except the exempt endpoints."""

    @app.before_request
    def _rate_limit() -> None:
        if request.endpoint is None or request.endpoint in EXEMPT:
            return  # unknown routes are 404 anyway
        check_rate_limit(get_adapters())
