"""Polite HTTP for connectors: timeouts, retries with backoff, clear per-page errors.

Every request has a connect and a read timeout. A 429 waits what its Retry-After says
(seconds or an HTTP date, capped); a 5xx, a timeout, a dropped connection or a body
shorter than its Content-Length waits with exponential backoff and jitter (tenacity),
up to `attempts` tries. Any other 4xx is not retried. Whatever still fails becomes a
`PageError` naming the source, the page and the cause, so one bad page never crashes a
run and never passes for an empty one.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import requests
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential_jitter,
)

from shared.harvest.base import PageError

log = logging.getLogger(__name__)

USER_AGENT = "GrantMatch-harvest/1 (open calls for Mekong civil society)"


@dataclass(frozen=True)
class HttpPolicy:
    """Timeouts and retry limits. The defaults suit the public sources; tests shrink them."""

    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    attempts: int = 4
    backoff_initial: float = 1.0
    backoff_max: float = 60.0
    retry_after_cap: float = 300.0
    max_body_bytes: int = 64 * 1024 * 1024


class _Transient(Exception):
    """Worth another try: 429, 5xx, timeouts, dropped or short bodies."""

    def __init__(self, cause: str, retry_after: float | None = None) -> None:
        super().__init__(cause)
        self.cause = cause
        self.retry_after = retry_after


class _Final(Exception):
    """Not worth another try: a 4xx other than 429, a body over the size limit."""

    def __init__(self, cause: str) -> None:
        super().__init__(cause)
        self.cause = cause


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """A Retry-After header in seconds: delta-seconds or an HTTP date (RFC 9110 10.2.3);
    None when absent or unreadable."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class SourceHttp:
    """One source's HTTP client over an injected `requests.Session`."""

    def __init__(
        self,
        source: str,
        session: requests.Session,
        policy: HttpPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.source = source
        self.policy = policy or HttpPolicy()
        self._session = session
        self._sleep = sleep
        self._backoff = wait_exponential_jitter(
            multiplier=self.policy.backoff_initial,
            max=self.policy.backoff_max,
            jitter=self.policy.backoff_initial,
        )

    def json(self, method: str, url: str, *, cursor: str | None, **kwargs: Any) -> Any:
        """The decoded JSON body of a request, or PageError."""
        body = self.body(method, url, cursor=cursor, **kwargs)
        try:
            return json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise PageError(
                self.source, cursor, f"the body is not complete JSON ({exc.__class__.__name__})"
            ) from None

    def body(self, method: str, url: str, *, cursor: str | None, **kwargs: Any) -> bytes:
        """The whole body of a successful response, after retries; or PageError."""
        retrying = Retrying(
            stop=stop_after_attempt(self.policy.attempts),
            wait=self._wait,
            retry=retry_if_exception_type(_Transient),
            sleep=self._sleep,
            before_sleep=self._log_retry,
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    return self._once(method, url, kwargs)
        except _Transient as exc:
            raise PageError(
                self.source, cursor, f"{exc.cause} (gave up after {self.policy.attempts} tries)"
            ) from None
        except _Final as exc:
            raise PageError(self.source, cursor, exc.cause) from None
        raise AssertionError("unreachable: tenacity either returns or raises")  # pragma: no cover

    def _once(self, method: str, url: str, kwargs: dict[str, Any]) -> bytes:
        headers = {"User-Agent": USER_AGENT, **kwargs.get("headers", {})}
        rest = {key: value for key, value in kwargs.items() if key != "headers"}
        try:
            response = self._session.request(
                method,
                url,
                headers=headers,
                timeout=(self.policy.connect_timeout, self.policy.read_timeout),
                stream=True,
                **rest,
            )
        except requests.Timeout:
            raise _Transient("timed out") from None
        except requests.ConnectionError:
            raise _Transient("connection failed") from None
        with response:
            status = response.status_code
            if status == 429 or status >= 500:
                wait = retry_after_seconds(response.headers.get("Retry-After"))
                raise _Transient(f"HTTP {status}", retry_after=wait)
            if status >= 400:
                raise _Final(f"HTTP {status} (not retried: check the URL, query or key)")
            return self._read(response)

    def _read(self, response: requests.Response) -> bytes:
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > self.policy.max_body_bytes:
            raise _Final(f"body of {declared} bytes is over the {self.policy.max_body_bytes} limit")
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in response.iter_content(chunk_size=1 << 16):
                size += len(chunk)
                if size > self.policy.max_body_bytes:
                    raise _Final(f"body is over the {self.policy.max_body_bytes} byte limit")
                chunks.append(chunk)
        except requests.exceptions.ChunkedEncodingError:
            raise _Transient("the body was cut off") from None
        except requests.Timeout:
            raise _Transient("timed out reading the body") from None
        except requests.ConnectionError:
            raise _Transient("the connection dropped while reading the body") from None
        # A body shorter than its Content-Length raises ChunkedEncodingError above:
        # urllib3 2 enforces the declared length.
        return b"".join(chunks)

    def _wait(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, _Transient) and error.retry_after is not None:
            return min(error.retry_after, self.policy.retry_after_cap)
        return self._backoff(state)

    def _log_retry(self, state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        log.warning(
            "harvest source did not answer well; trying again",
            extra={
                "source": self.source,
                "cause": getattr(error, "cause", str(error)),
                "attempt": state.attempt_number,
                "wait_seconds": round(state.next_action.sleep, 3) if state.next_action else None,
            },
        )
