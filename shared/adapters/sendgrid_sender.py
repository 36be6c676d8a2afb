"""SendGrid sender: one email per call, bounded, retried the way SendGrid asks.

- every call has a timeout (the sendgrid client has none by default);
- 429 and 5xx are retried with backoff, waiting until `X-RateLimit-Reset` when given;
- any other 4xx is permanent: retrying cannot fix it;
- 200 (sandbox mode) and 202 are both success;
- open and click tracking are switched off: a tracking pixel tells a third party when
  and where a person at risk read the email.
"""

from __future__ import annotations

import logging
import time
import urllib.error
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential_jitter,
)

from shared.adapters.ports import PermanentSendError, SendReceipt, TransientSendError

if TYPE_CHECKING:  # only a type here: match and the relay never render, so they never load
    # the templates, Babel and the catalogues that shared.email.rendering brings (cold start).
    from shared.email.rendering import Email

# The SendGrid client logs every request at DEBUG, Authorization header (the API key) and
# payload (recipient addresses) included: never let it, whatever LOG_LEVEL says.
logging.getLogger("python_http_client").setLevel(logging.WARNING)

MAX_WAIT_SECONDS = 30.0
_BACKOFF = wait_exponential_jitter(multiplier=0.5, max=MAX_WAIT_SECONDS, jitter=0.5)


def _header(headers: Any, name: str) -> str | None:
    if headers is None:
        return None
    getter = getattr(headers, "get", None)
    return getter(name) if getter else None


def _reset_delay(headers: Any, now: float) -> float | None:
    """Seconds until `X-RateLimit-Reset` (a Unix time), or `Retry-After` seconds."""
    reset = _header(headers, "X-RateLimit-Reset")
    if reset is not None:
        try:
            return max(0.0, float(reset) - now)
        except ValueError:
            pass
    retry_after = _header(headers, "Retry-After")
    if retry_after is not None:
        try:
            return max(0.0, float(retry_after))
        except ValueError:
            pass
    return None


def _wait(state: RetryCallState) -> float:
    """Honour the provider's reset time when it gave one; otherwise back off with jitter."""
    exc = state.outcome.exception() if state.outcome else None
    if isinstance(exc, TransientSendError) and exc.retry_after is not None:
        return min(exc.retry_after, MAX_WAIT_SECONDS)
    return _BACKOFF(state)


def build_message(email: Email, mail_from: str, from_name: str) -> dict[str, Any]:
    """The SendGrid v3 `mail/send` body for one email (no tracking, our reference attached)."""
    from sendgrid.helpers.mail import (
        Category,
        ClickTracking,
        Content,
        CustomArg,
        Header,
        Mail,
        OpenTracking,
        SubscriptionTracking,
        TrackingSettings,
    )

    mail = Mail(from_email=(mail_from, from_name), to_emails=email.to, subject=email.subject)
    mail.add_content(Content("text/plain", email.text))
    mail.add_content(Content("text/html", email.html))
    mail.tracking_settings = TrackingSettings(
        click_tracking=ClickTracking(False, False),
        open_tracking=OpenTracking(False),
        subscription_tracking=SubscriptionTracking(False),
    )
    mail.add_custom_arg(CustomArg("reference", email.reference))
    mail.add_category(Category(email.category))
    for name, value in email.headers.items():
        mail.add_header(Header(name, value))
    return mail.get()


class SendGridSender:
    """Sends rendered emails through the SendGrid v3 API (or the local sink)."""

    def __init__(
        self,
        *,
        api_key: SecretStr,
        host: str,
        timeout_seconds: float,
        max_attempts: int,
        mail_from: str,
        from_name: str,
    ) -> None:
        self._api_key = api_key
        self._host = host
        self._timeout = timeout_seconds
        self._attempts = max_attempts
        self._from = mail_from
        self._from_name = from_name
        self._client: Any = None

    def _sendgrid(self) -> Any:
        if self._client is None:
            from sendgrid import SendGridAPIClient

            self._client = SendGridAPIClient(
                api_key=self._api_key.get_secret_value(), host=self._host
            )
        return self._client

    def send(self, email: Email) -> SendReceipt:
        """Send, retrying transient failures; raise Transient/PermanentSendError otherwise."""
        body = build_message(email, self._from, self._from_name)
        retrying = Retrying(
            retry=retry_if_exception_type(TransientSendError),
            stop=stop_after_attempt(self._attempts),
            wait=_wait,
            reraise=True,
        )
        return retrying(self._post, body)

    def _post(self, body: dict[str, Any]) -> SendReceipt:
        from python_http_client import exceptions as http_errors

        try:
            response = self._sendgrid().client.mail.send.post(
                request_body=body, timeout=self._timeout
            )
        except http_errors.HTTPError as exc:
            status = int(getattr(exc, "status_code", 0) or 0)
            if status == 429 or status >= 500:
                delay = _reset_delay(getattr(exc, "headers", None), time.time())
                raise TransientSendError(f"SendGrid answered {status}", delay) from exc
            raise PermanentSendError(f"SendGrid refused the email ({status})", status) from exc
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
            raise TransientSendError(f"SendGrid unreachable: {type(exc).__name__}") from exc
        status = int(response.status_code)
        if status not in (200, 202):
            raise TransientSendError(f"SendGrid answered unexpected {status}")
        return SendReceipt(status, _header(response.headers, "X-Message-Id") or "")
