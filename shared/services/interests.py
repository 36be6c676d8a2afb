"""A funder's interest in a project, without giving away the CSO's address.

1. A funder (API key, or signed in on the projects page) tells a listed project it is
   interested, with an optional note and an optional pledge in the project's currency.
   The interest, the pledge added to the project's total, and an `interest.expressed`
   event are written in one batch; one interest per funder and project, so a retry can
   never pledge twice.
2. notify emails the CSO (in its language, if it may receive email): who the funder is,
   the note and the pledge, and a signed link. The funder learns nothing new.
3. Only if the CSO follows the link and presses the button (it may add a reply) is the
   interest accepted, and an `interest.accepted` event makes notify email the funder's
   private contact address the CSO's address and reply. Doing nothing reveals nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from shared.adapters.ports import SaveOutcome
from shared.domain.errors import Conflict, FieldProblem, InvalidLink, NotFound, ValidationFailed
from shared.domain.events import Envelope, InterestAccepted, InterestExpressed, new_event
from shared.domain.ids import content_hash, interest_id, is_project_id
from shared.domain.models import Interest, InterestSubmission, Project
from shared.domain.recipients import EmailKind, RecipientKind
from shared.email.links import Purpose
from shared.email.rendering import render_interest, render_introduction
from shared.matching.screening import deadline_today
from shared.runtime.bootstrap import Adapters
from shared.services.delivery import Outgoing, deliver, link_signer, notification_id
from shared.services.project_listings import FOR_FUNDERS, is_listed
from shared.services.submissions import Accepted, publish_now

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ShareView:
    """What the CSO's page shows: whose interest, in which project, and its state."""

    language: str
    funder_name: str
    project_title: str
    message: str
    accepted: bool


def listed_project(ad: Adapters, project_id: str) -> Project:
    """A project a funder may see on the listing, or NotFound (private, closed,
    unconfirmed and unknown projects look the same: their existence is not disclosed)."""
    project = ad.subscribers.get_project(project_id) if is_project_id(project_id) else None
    if (
        project is None
        or project.visibility.value not in FOR_FUNDERS
        or not is_listed(project, deadline_today(ad.clock.now()))
    ):
        raise NotFound("no listed project has this id")  # the id may be anything: not echoed
    return project


def can_hear_back(ad: Adapters, funder_id: str) -> bool:
    """Whether a CSO's answer could reach this funder (a contact address that did not
    unsubscribe): without one, an interest would ask the CSO to answer into the void."""
    funder = ad.subscribers.get_recipient(RecipientKind.FUNDER, funder_id)
    return funder is not None and funder.may_receive(EmailKind.INTRODUCTION)


def express_interest(
    ad: Adapters,
    funder_id: str,
    project_id: str,
    submission: InterestSubmission,
    *,
    correlation_id: str,
) -> Accepted:
    """Record a funder's interest in a listed project and announce it (once): CREATED,
    or UNCHANGED if this funder told this project before (whatever it sends now)."""
    now = ad.clock.now()
    project = listed_project(ad, project_id)
    if submission.pledge and project.currency is None:
        problem = "this project named no amount: leave the pledge empty, or say it in the note"
        raise ValidationFailed([FieldProblem("pledge", problem)])
    if not can_hear_back(ad, funder_id):
        raise Conflict(
            "your funder account has no contact email for the organisation's answer; "
            "ask the Grant Match operator to add one (grantmatch funder create --email)"
        )
    iid = interest_id(funder_id, project_id)
    interest = Interest(
        **submission.model_dump(),
        id=iid,
        funder_id=funder_id,
        project_id=project_id,
        currency=project.currency,
        created_at=now,
    )
    event = new_event(
        InterestExpressed(interest_id=iid),
        correlation_id=correlation_id,
        now=now,
        event_id=content_hash(f"interest-expressed/{iid}")[:32],
    )
    if not ad.interests.create(interest, event):
        return Accepted(iid, SaveOutcome.UNCHANGED)
    log.info("interest recorded", extra={"interest_id": iid, "project_id": project_id})
    publish_now(ad, event)
    return Accepted(iid, SaveOutcome.CREATED, event.id)


def on_interest_expressed(envelope: Envelope, ad: Adapters, payload: InterestExpressed) -> str:
    """Email the CSO that a funder is interested, with the link to answer."""
    interest = ad.interests.get(payload.interest_id)
    cso = (
        ad.subscribers.get_recipient(RecipientKind.PROJECT, interest.project_id)
        if interest
        else None
    )
    if interest is None or cso is None:
        return "gone"
    funder_name = ad.funders.name_of(interest.funder_id) or ""
    links = link_signer(ad)
    nid = notification_id(EmailKind.INTEREST, cso, interest.id)
    share_url = links.share_contact_url(interest.project_id, interest.id)
    email = render_interest(cso, funder_name, interest, share_url, links, nid)
    return deliver(ad, Outgoing(nid, EmailKind.INTEREST, cso, email), envelope)


def _interest_of_link(ad: Adapters, token: str, now: datetime) -> tuple[Interest, Project]:
    claim = link_signer(ad).read(Purpose.SHARE_CONTACT, token, now)
    interest = ad.interests.get(claim.interest_id or "")
    project = ad.subscribers.get_project(claim.recipient_id)
    if interest is None or project is None or interest.project_id != project.id:
        raise InvalidLink(Purpose.SHARE_CONTACT.value, expired=False)
    return interest, project


def _view(ad: Adapters, interest: Interest, project: Project, accepted: bool) -> ShareView:
    name = ad.funders.name_of(interest.funder_id) or ""
    return ShareView(project.language, name, project.title, interest.message, accepted)


def preview_share(ad: Adapters, token: str) -> ShareView:
    """Check a share link without acting on it (GET: mail scanners prefetch links)."""
    interest, project = _interest_of_link(ad, token, ad.clock.now())
    return _view(ad, interest, project, interest.accepted_at is not None)


def share_contact(ad: Adapters, token: str, reply: str, correlation_id: str) -> ShareView:
    """The CSO agrees (POST): its address, and `reply`, go to the funder. Idempotent."""
    now = ad.clock.now()
    interest, project = _interest_of_link(ad, token, now)
    if interest.accepted_at is None:
        event = new_event(
            InterestAccepted(interest_id=interest.id),
            correlation_id=correlation_id,
            now=now,
            event_id=content_hash(f"interest-accepted/{interest.id}")[:32],
        )
        ad.interests.accept(interest.id, reply, now, event)
        publish_now(ad, event)
        log.info("contact shared with funder", extra={"interest_id": interest.id})
    return _view(ad, interest, project, accepted=True)


def on_interest_accepted(envelope: Envelope, ad: Adapters, payload: InterestAccepted) -> str:
    """Email the funder the CSO's address and reply: the CSO asked for exactly this."""
    interest = ad.interests.get(payload.interest_id)
    project = ad.subscribers.get_project(interest.project_id) if interest else None
    if interest is None or project is None or interest.accepted_at is None:
        return "gone"
    funder = ad.subscribers.get_recipient(RecipientKind.FUNDER, interest.funder_id)
    if funder is None:
        return "gone"
    nid = notification_id(EmailKind.INTRODUCTION, funder, interest.id)
    email = render_introduction(funder, project, interest, link_signer(ad), nid)
    return deliver(ad, Outgoing(nid, EmailKind.INTRODUCTION, funder, email), envelope)


def interests_of(ad: Adapters, funder_id: str, project_ids: list[str]) -> dict[str, Interest]:
    """The funder's interests in these projects, by project id (for the listing page)."""
    ids = {interest_id(funder_id, pid): pid for pid in project_ids}
    return {ids[i]: interest for i, interest in ad.interests.get_many(list(ids)).items()}
