"""Run the pipeline in-process: every event the test caused goes, through the consumer
wrapper, to the handlers the match and notify functions register, until nothing is left.

The routing tables are the functions' own (`HANDLERS`), so a test exercises exactly what
the deployed functions would run, minus HTTP.
"""

from __future__ import annotations

import base64
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

from shared.domain.events import TOPIC_FOR_EVENT, Envelope, encode
from shared.domain.models import GrantSubmission, ProfileSubmission, ProjectSubmission
from shared.domain.recipients import RecipientKind
from shared.email.links import LinkClaim, Purpose
from shared.runtime.bootstrap import Adapters
from shared.runtime.consumer import consume
from shared.services.alerts import announce_due_alerts
from shared.services.delivery import link_signer
from shared.services.handoffs import retire_recorded
from shared.services.submissions import submit_grant, submit_profile, submit_project
from shared.services.subscriptions import follow_link
from tests.builders import grant_body, profile_body, project_body
from tests.function_loader import load_function

CORRELATION = "it-correlation-1"


def cloud_event(envelope: Envelope) -> SimpleNamespace:
    """A pushed Pub/Sub message as functions-framework hands it to a function."""
    data, attributes = encode(envelope)
    message = {"data": base64.b64encode(data).decode(), "attributes": attributes}
    return SimpleNamespace(data={"message": message})


def deliver_event(ad: Adapters, envelope: Envelope) -> None:
    """Give one event to every function that subscribes to its topic."""
    for name in ("match", "notify"):
        handlers = load_function(name).HANDLERS
        if envelope.name in handlers:
            consume(cloud_event(envelope), consumer=name, handlers=handlers, ad=ad)


def pump(ad: Adapters, bus: Any, *, relay: bool = True, rounds: int = 10) -> None:
    """Deliver everything published, then (like the relay) announce due alerts, until
    the bus is quiet."""
    for _ in range(rounds):
        events = [e for topic in set(TOPIC_FOR_EVENT.values()) for e in bus.events(topic)]
        for envelope in events:
            deliver_event(ad, envelope)
        announced = announce_due_alerts(ad) if relay else 0
        if not events and not announced:
            if relay:
                settle_handoffs(ad)
            return
    raise AssertionError("the pipeline did not settle")


def settle_handoffs(ad: Adapters) -> None:
    """As the relay does once the grace has passed: forget the published events every
    consumer recorded (what is still owed stays, as in production)."""
    far = ad.clock.now() + timedelta(days=3650)
    retire_recorded(ad, ad.outbox.awaiting(far, 10_000))


def new_profile(ad: Adapters, **overrides: Any) -> str:
    """Store a profile (as POST /profiles does); returns its id."""
    submission = ProfileSubmission(**profile_body(**overrides))
    return submit_profile(ad, submission, idempotency_key=None, correlation_id=CORRELATION).id


def new_project(ad: Adapters, **overrides: Any) -> str:
    """Store a project (as POST /projects does); returns its id."""
    submission = ProjectSubmission(**project_body(**overrides))
    return submit_project(ad, submission, idempotency_key=None, correlation_id=CORRELATION).id


def new_grant(ad: Adapters, funder_id: str = "f_1", **overrides: Any) -> str:
    """Store a grant (as POST /grants does); returns its id."""
    overrides.setdefault("external_id", overrides.get("title", "call"))
    submission = GrantSubmission(**grant_body(**overrides))
    return submit_grant(ad, funder_id, submission, correlation_id=CORRELATION).id


def link(ad: Adapters, purpose: Purpose, kind: RecipientKind, rid: str, grant: str | None = None):
    """The token an email would carry."""
    return link_signer(ad).token(LinkClaim(purpose, kind, rid, grant))


def confirm(ad: Adapters, kind: RecipientKind, rid: str) -> None:
    """Follow the confirmation link (POST), as the recipient would."""
    token = link(ad, Purpose.CONFIRM, kind, rid)
    follow_link(ad, Purpose.CONFIRM, token, CORRELATION)
