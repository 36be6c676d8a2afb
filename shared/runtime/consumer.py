"""What every Pub/Sub-triggered function does around its handler, written once:

decode the push into an envelope, hand the payload over as the model the handler
declares (poison messages, including a payload of another model, are dead-lettered and
acknowledged, never retried forever), bind the correlation id to the logs, skip events
this consumer already finished, run the handler, remember the event. Any other exception
propagates: functions-framework answers 500 and Pub/Sub redelivers, then dead-letters
after the subscription's maximum attempts.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from functools import cache
from types import UnionType
from typing import Any, Union, get_args, get_origin, get_type_hints

from pydantic import BaseModel

from shared.domain.errors import PoisonMessage
from shared.domain.events import Envelope, EventName, HarvestRequested, ScheduleTick, decode_push
from shared.domain.schedule import harvest_run_id, run_id
from shared.runtime.bootstrap import Adapters, adapters
from shared.runtime.jsonlog import log_context, trace_of

log = logging.getLogger(__name__)

#: `def on_x(envelope: Envelope, ad: Adapters, payload: GrantPublished) -> ...`: the
#: annotation of `payload` (a model, or a union of models) is what the handler takes.
Handler = Callable[[Envelope, Adapters, Any], Any]


@cache
def declared_payloads(handler: Handler) -> tuple[type[BaseModel], ...]:
    """The payload models a handler takes, read from its `payload` annotation (the
    aws-powertools `event_parser` idea): the signature is the declaration."""
    try:
        declared = get_type_hints(handler).get("payload")
    except NameError as exc:
        raise TypeError(f"{handler.__qualname__}: unresolvable annotation: {exc}") from exc
    union = isinstance(declared, UnionType) or get_origin(declared) is Union
    models = get_args(declared) if union else (declared,)
    if not all(isinstance(m, type) and issubclass(m, BaseModel) for m in models):
        raise TypeError(f"{handler.__qualname__} must annotate `payload` with its event model")
    return models


def payload_for(handler: Handler, envelope: Envelope) -> BaseModel:
    """The envelope's payload as the model the handler declares. Another model (a new
    version, a miswired table) is poison: redelivery would never make it fit."""
    payload = envelope.parsed()
    accepted = declared_payloads(handler)
    if not isinstance(payload, accepted):
        takes = " | ".join(m.__name__ for m in accepted)
        reason = (
            f"{handler.__qualname__} takes {takes}, not {envelope.name.value} v{envelope.version}"
        )
        raise PoisonMessage(reason)
    return payload


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
        handler = handlers.get(envelope.name)
        if handler is None:
            raise PoisonMessage(f"{consumer} does not handle {envelope.name.value}")
        payload = payload_for(handler, envelope)
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
        handler(envelope, ad, payload)
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
