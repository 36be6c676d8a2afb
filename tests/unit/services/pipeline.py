"""Run the use cases on the fakes as the deployed functions would: every event a test
caused goes through the consumer to the handler tables of the match and notify functions,
and the relay's sweep announces due alerts, until nothing is left.

The tables are the functions' own (`HANDLERS`), so a unit test exercises what production
routes, minus Pub/Sub and HTTP; the only difference is that the stores are in memory.
"""

from __future__ import annotations

import base64
from types import SimpleNamespace
from typing import Any

from shared.domain.events import Envelope, encode
from shared.domain.models import GrantSubmission, ProfileSubmission, ProjectSubmission
from shared.domain.recipients import RecipientKind
from shared.email.links import LinkClaim, Purpose
from shared.email.rendering import Email
from shared.runtime.bootstrap import Adapters
from shared.runtime.consumer import consume
from shared.services.alerts import announce_due_alerts
from shared.services.delivery import link_signer
from shared.services.submissions import submit_grant, submit_profile, submit_project
from shared.services.subscriptions import follow_link
from tests.builders import grant_body, profile_body, project_body
from tests.function_loader import load_function

CORRELATION = "unit-correlation-1"
CONSUMERS = ("match", "notify")


def cloud_event(envelope: Envelope) -> SimpleNamespace:
    """A pushed Pub/Sub message as functions-framework hands it to a function."""
    data, attributes = encode(envelope)
    message = {"data": base64.b64encode(data).decode(), "attributes": attributes}
    return SimpleNamespace(data={"message": message})


def deliver(ad: Adapters, envelope: Envelope) -> list[str]:
    """Push one event to every function that subscribes to it; what each consumer did."""
    outcomes = []
    for name in CONSUMERS:
        handlers = load_function(name).HANDLERS
        if envelope.name in handlers:
            outcomes.append(consume(cloud_event(envelope), consumer=name, handlers=handlers, ad=ad))
    return outcomes


def pump(ad: Adapters, *, relay: bool = True, rounds: int = 20) -> None:
    """Deliver everything published (and, like the relay, announce due alerts) until
    the bus is quiet."""
    for _ in range(rounds):
        events = ad.publisher.take_new()
        for envelope in events:
            deliver(ad, envelope)
        announced = announce_due_alerts(ad) if relay else 0
        if not events and not announced:
            return
    raise AssertionError("the pipeline did not settle")


def emails(ad: Adapters, category: str | None = None) -> list[Email]:
    """The emails SendGrid accepted, oldest first (of one category)."""
    return [e for e in ad.sender.sent if category is None or e.category == category]


# -- submissions, as the routes make them ------------------------------------------------------
def new_profile(ad: Adapters, **overrides: Any) -> str:
    """A profile posted to /profiles (in English unless told otherwise); its id."""
    overrides.setdefault("language", "en")
    submission = ProfileSubmission(**profile_body(**overrides))
    return submit_profile(ad, submission, idempotency_key=None, correlation_id=CORRELATION).id


def new_project(ad: Adapters, **overrides: Any) -> str:
    """A project posted to /projects (in English unless told otherwise); its id."""
    overrides.setdefault("language", "en")
    submission = ProjectSubmission(**project_body(**overrides))
    return submit_project(ad, submission, idempotency_key=None, correlation_id=CORRELATION).id


def new_grant(ad: Adapters, funder_id: str = "f_1", **overrides: Any) -> str:
    """A grant posted to /grants (its external id is its title); its id."""
    overrides.setdefault("external_id", overrides.get("title", "call"))
    submission = GrantSubmission(**grant_body(**overrides))
    return submit_grant(ad, funder_id, submission, correlation_id=CORRELATION).id


def token(ad: Adapters, purpose: Purpose, kind: RecipientKind, rid: str) -> str:
    """The token an email's link carries."""
    return link_signer(ad).token(LinkClaim(purpose, kind, rid))


def confirm(ad: Adapters, kind: RecipientKind, rid: str) -> None:
    """Follow the confirmation link (POST), as the recipient would."""
    follow_link(ad, Purpose.CONFIRM, token(ad, Purpose.CONFIRM, kind, rid), "c")


def confirmed_profile(ad: Adapters, **overrides: Any) -> str:
    """A profile whose address was confirmed, with its confirmation email sent; its id."""
    pid = new_profile(ad, **overrides)
    pump(ad)
    confirm(ad, RecipientKind.PROFILE, pid)
    pump(ad)
    return pid


def confirmed_project(ad: Adapters, **overrides: Any) -> str:
    """A project whose contact address was confirmed; its id."""
    pid = new_project(ad, **overrides)
    pump(ad)
    confirm(ad, RecipientKind.PROJECT, pid)
    pump(ad)
    return pid
