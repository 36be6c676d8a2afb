"""What every Pub/Sub-triggered function does around its handler, written once:

decode the push into an envelope (poison messages are dead-lettered and acknowledged,
never retried forever), bind the correlation id to the logs, skip events this consumer
already finished, run the handler, remember the event. Any other exception propagates:
functions-framework answers 500 and Pub/Sub redelivers, then dead-letters after the
subscription's maximum attempts.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from shared.domain.errors import PoisonMessage
from shared.domain.events import Envelope, EventName, HarvestRequested, ScheduleTick, decode_push
from shared.domain.schedule import harvest_run_id, run_id
from shared.runtime.bootstrap import Adapters, adapters
from shared.runtime.jsonlog import log_context, trace_of

log = logging.getLogger(__name__)

Handler = Callable[[Envelope, Adapters], Any]


def _raw_message(cloud_event: Any) -> dict[str, Any]:
    data = getattr(cloud_event, "data", None)
    message = data.get("message") if isinstance(data, dict) else None
    return message if isinstance(message, dict) else {}


def consume(
    cloud_event: Any,
    *,
    consumer: str,
    handlers: Mapping[EventName, Handler],
    ad: Adapters | None = None,
) -> str:
    """Run the handler for one pushed CloudEvent; returns what happened (for logs/tests)."""
    ad = ad or adapters()
    message = _raw_message(cloud_event)
    try:
        envelope = decode_push(message)
        if envelope.name not in handlers:
            raise PoisonMessage(f"{consumer} does not handle {envelope.name.value}")
    except PoisonMessage as poison:
        _dead_letter(ad, consumer, message, poison)
        return "dead-lettered"

    with log_context(
        correlation_id=envelope.correlation_id,
        trace=trace_of(envelope.correlation_id),
        event_id=envelope.id,
        event_name=envelope.name.value,
    ):
        ledger_id = _ledger_id(envelope, ad.clock.now())
        if ad.processed.was_processed(consumer, ledger_id):
            log.info("duplicate delivery ignored")
            return "duplicate"
        handlers[envelope.name](envelope, ad)
        now = ad.clock.now()
        ad.processed.mark_processed(
            consumer, ledger_id, now, timedelta(days=ad.settings.processed_event_ttl_days)
        )
        return "handled"


def _ledger_id(envelope: Envelope, now: datetime) -> str:
    """Cloud Scheduler publishes the same body, hence the same envelope id, every time:
    a tick is remembered per run (job and period), not per envelope id."""
    payload = envelope.parsed()
    if isinstance(payload, ScheduleTick):
        return f"{envelope.id}@{run_id(payload.job, now)}"
    if isinstance(payload, HarvestRequested):
        return f"{envelope.id}@{harvest_run_id(payload.source, now)}"
    return envelope.id


def _dead_letter(
    ad: Adapters, consumer: str, message: dict[str, Any], poison: PoisonMessage
) -> None:
    attributes = {str(k): str(v) for k, v in (message.get("attributes") or {}).items()}
    try:
        data = base64.b64decode(message.get("data") or "", validate=True)
    except ValueError:
        data = str(message.get("data", "")).encode("utf-8", "replace")
    log.error(
        "poison message dead-lettered",
        extra={
            "consumer": consumer,
            "reason": poison.reason,
            "message_id": message.get("messageId"),
        },
    )
    # If even this publish fails the exception propagates and Pub/Sub's own
    # dead-letter policy takes the message after its maximum attempts.
    ad.publisher.dead_letter(data, attributes, poison.reason, consumer)
