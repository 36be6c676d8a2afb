"""My Grant Match: a CSO's own page, opened from a signed link in any of its emails, with
no account or password.

The link (purpose `my`) names one alert profile or project by id and expires; a fresh
one is in every email, and anyone can have one sent to an address (`POST /my/link`): the
answer is the same whether the address is known or not, and the link goes only to the
address. From the page the CSO sees every current match (open grants, not dismissed),
marks them (saved, applied, dismissed: dismissing also mutes the grant's alerts, as the
emails' "stop alerts about this grant" link does), exports them, subscribes to a private
calendar of their deadlines, and deletes its data. Every action takes the recipient the
token names, and reaches a match only through an id derived from it, so one CSO's link
can never touch another's matches.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import date
from typing import Literal

from shared.adapters.ports import AlertStatus, Mark
from shared.domain.errors import InvalidLink, NotFound
from shared.domain.events import ProfileCreated, ProjectSubmitted, new_event
from shared.domain.ids import match_id
from shared.domain.models import (
    Grant,
    Match,
    Profile,
    ProfileSubmission,
    Project,
    ProjectSubmission,
)
from shared.domain.opportunities import OpportunityKind
from shared.domain.recipients import Recipient, RecipientKind
from shared.domain.taxonomy import TargetKind
from shared.email.links import Purpose
from shared.matching.engine import evaluate
from shared.matching.money import fx_rates
from shared.runtime.bootstrap import Adapters
from shared.services.delivery import link_signer
from shared.services.erasure import erase_address_of
from shared.services.submissions import publish_now

log = logging.getLogger(__name__)
Sort = Literal["deadline", "fit"]
#: What the page's status filter offers ("" = every match not dismissed).
STATUSES = ("new", "saved", "applied", "dismissed")
Action = Literal["save", "applied", "dismiss", "clear"]
#: The currency an amount is also shown in when the CSO named none.
DEFAULT_CURRENCY = "USD"


@dataclass(frozen=True)
class MyMatch:
    """One current match as the CSO's page needs it (localised by the page)."""

    match_id: str
    grant: Grant
    score: float
    reasons: tuple[str, ...]
    via_fiscal_sponsor: bool
    days_left: int | None
    mark: Mark | None
    #: The grant's range converted into the CSO's currency (None: same or no rate).
    converted: tuple[float | None, float | None, str] | None

    @property
    def status(self) -> str:
        """`new`, or the CSO's mark."""
        return self.mark.value if self.mark else "new"


def recipient_of(ad: Adapters, token: str) -> Recipient:
    """The profile or project a My Grant Match link names; InvalidLink if the link is
    forged, expired, for a funder, or its profile or project is gone."""
    claim = link_signer(ad).read(Purpose.MY_MATCHES, token, ad.clock.now())
    if claim.recipient_kind is RecipientKind.FUNDER:
        raise InvalidLink(Purpose.MY_MATCHES.value, expired=False)
    recipient = ad.subscribers.get_recipient(claim.recipient_kind, claim.recipient_id)
    if recipient is None:
        raise InvalidLink(Purpose.MY_MATCHES.value, expired=False)
    return recipient


def _converted(grant: Grant, currency: str) -> tuple[float | None, float | None, str] | None:
    if grant.currency is None or grant.currency == currency:
        return None
    if grant.amount_min is None and grant.amount_max is None:
        return None
    rates = fx_rates()

    def convert(amount: float | None) -> float | None:
        return None if amount is None else rates.convert(amount, grant.currency or "", currency)

    low, high = convert(grant.amount_min), convert(grant.amount_max)
    if (grant.amount_min is not None and low is None) or (
        grant.amount_max is not None and high is None
    ):
        return None  # no rate for one of the currencies
    return low, high, currency


def current_matches(
    ad: Adapters,
    recipient: Recipient,
    *,
    sort: Sort = "deadline",
    country: str = "",
    sector: str = "",
    status: str = "",
) -> list[MyMatch]:
    """The recipient's matches with open grants, filtered and sorted: by deadline
    (soonest first, open-ended last) or by fit (best first). Dismissed matches (also
    those muted from an email) only when `status="dismissed"`."""
    today = ad.clock.now().date()
    kind = TargetKind(recipient.kind.value)
    marks = ad.my_page.marks(recipient.kind, recipient.id)
    muted = {
        a.match_id
        for a in ad.alerts.of_recipient(recipient.kind, recipient.id, (AlertStatus.MUTED,))
    }
    currency = recipient.currency or DEFAULT_CURRENCY
    target = stored_target(ad, recipient)
    items = []
    for match in ad.matches.for_target(kind, recipient.id):
        grant = ad.grants.get(match.grant_id)
        if grant is None or (grant.deadline is not None and grant.deadline < today):
            continue
        if evaluate(grant, target, today) is None:  # edited since: no longer fits
            continue
        mark = Mark.DISMISSED if match.id in muted else marks.get(match.id)
        item = _item(match, grant, mark, today, currency)
        if _wanted(item, country, sector, status):
            items.append(item)
    if sort == "fit":
        items.sort(key=lambda i: (-i.score, i.grant.deadline or date.max, i.grant.id))
    else:
        items.sort(key=lambda i: (i.grant.deadline or date.max, -i.score, i.grant.id))
    return items


def _item(match: Match, grant: Grant, mark: Mark | None, today: date, currency: str) -> MyMatch:
    return MyMatch(
        match_id=match.id,
        grant=grant,
        score=match.score,
        reasons=tuple(match.reasons),
        via_fiscal_sponsor=match.via_fiscal_sponsor,
        days_left=(grant.deadline - today).days if grant.deadline else None,
        mark=mark,
        converted=_converted(grant, currency),
    )


def _wanted(item: MyMatch, country: str, sector: str, status: str) -> bool:
    grant = item.grant
    if country and grant.countries and country not in grant.countries:
        return False
    if sector and grant.sectors and sector not in [s.value for s in grant.sectors]:
        return False
    if status == "dismissed":
        return item.mark is Mark.DISMISSED
    if item.mark is Mark.DISMISSED:
        return False
    return not status or item.status == status


def mark_match(ad: Adapters, recipient: Recipient, grant_id: str, action: Action) -> None:
    """Save, mark applied, dismiss or clear one of the recipient's matches. The match
    id is derived from the recipient, so another CSO's match cannot be reached; an
    unknown grant is NotFound. Dismissing mutes the grant's alerts for good (the same
    mute as the emails' link); idempotent."""
    now = ad.clock.now()
    mid = match_id(grant_id, recipient.kind.value, recipient.id)
    if ad.matches.get(mid) is None:
        raise NotFound("no such match")
    if action == "dismiss":
        ad.alerts.mute(recipient.kind, recipient.id, mid, grant_id, now)
        ad.my_page.set_mark(mid, Mark.DISMISSED, now)
    elif action == "clear":
        ad.my_page.set_mark(mid, None, now)
    else:
        ad.my_page.set_mark(mid, Mark.SAVED if action == "save" else Mark.APPLIED, now)
    log.info(
        "match marked",
        extra={
            "recipient_kind": recipient.kind.value,
            "recipient_id": recipient.id,
            "match_id": mid,
            "action": action,
        },
    )


#: What a CSO may change from its page, per kind (the address and name stay: a new
#: address would need its own confirmation).
EDITABLE = {
    RecipientKind.PROFILE: (
        "countries",
        "sectors",
        "keywords",
        "exclude_keywords",
        "frequency",
        "language",
        "kinds",
    ),
    RecipientKind.PROJECT: (
        "title",
        "summary",
        "amount_needed",
        "currency",
        "visibility",
        "needed_by",
    ),
}


def stored_target(ad: Adapters, recipient: Recipient) -> Profile | Project:
    """The recipient's profile or project as stored; NotFound if gone."""
    if recipient.kind is RecipientKind.PROFILE:
        target: Profile | Project | None = ad.subscribers.get_profile(recipient.id)
    else:
        target = ad.subscribers.get_project(recipient.id)
    if target is None:
        raise NotFound("no such profile or project")
    return target


def edit_target(
    ad: Adapters,
    recipient: Recipient,
    submission: ProfileSubmission | ProjectSubmission,
    *,
    correlation_id: str,
) -> None:
    """Replace the editable fields of the recipient's profile or project by those of
    `submission` (parsed by the API's own model), and match it again: the same event a
    new one announces, so new matches are alerted; matches that no longer fit leave the
    page (`current_matches` screens again). Its address, name and consent stay."""
    now = ad.clock.now()
    current = stored_target(ad, recipient)
    changes = {name: getattr(submission, name) for name in EDITABLE[recipient.kind]}
    _replace(ad, current.model_copy(update={**changes, "updated_at": now}), correlation_id)


def add_kind(
    ad: Adapters, recipient: Recipient, kind: OpportunityKind, *, correlation_id: str
) -> None:
    """Let an alert profile hear of one more kind (the page's one-click button), and
    match it again so the open items of that kind reach it."""
    current = stored_target(ad, recipient)
    if not isinstance(current, Profile):
        raise NotFound("only an alert profile chooses the kinds it hears of")
    if kind in current.kinds:
        return
    update = {"kinds": [*current.kinds, kind], "updated_at": ad.clock.now()}
    _replace(ad, current.model_copy(update=update), correlation_id)


def _replace(ad: Adapters, updated: Profile | Project, correlation_id: str) -> None:
    now = ad.clock.now()
    if isinstance(updated, Profile):
        payload: ProfileCreated | ProjectSubmitted = ProfileCreated(profile_id=updated.id)
    else:
        payload = ProjectSubmitted(project_id=updated.id)
    event = new_event(payload, correlation_id=correlation_id, now=now)
    if not ad.my_page.replace_subscriber(updated, event):
        raise NotFound("no such profile or project")
    publish_now(ad, event)
    log.info("profile or project edited", extra={"recipient_id": updated.id})


def secret_hash(secret: str) -> str:
    """How a calendar secret is kept: only its SHA-256 (a lookup key, never the secret)."""
    return hashlib.sha256(f"grantmatch-calendar/{secret}".encode()).hexdigest()


def new_calendar_secret(ad: Adapters, recipient: Recipient) -> str:
    """A fresh secret for the recipient's calendar feed; the previous feed URL stops
    working. Only the hash is stored: the secret is shown once, in the URL."""
    secret = secrets.token_urlsafe(32)
    ad.my_page.set_calendar_hash(recipient.kind, recipient.id, secret_hash(secret), ad.clock.now())
    log.info("calendar feed issued", extra={"recipient_id": recipient.id})
    return secret


def revoke_calendar(ad: Adapters, recipient: Recipient) -> None:
    """Stop the recipient's calendar feed URL working."""
    ad.my_page.set_calendar_hash(recipient.kind, recipient.id, None, ad.clock.now())


def calendar_recipient(ad: Adapters, secret: str) -> Recipient:
    """The recipient whose calendar feed this secret opens; NotFound otherwise."""
    owner = ad.my_page.calendar_owner(secret_hash(secret)) if secret else None
    recipient = ad.subscribers.get_recipient(*owner) if owner else None
    if recipient is None:
        raise NotFound("no such calendar")
    return recipient


def delete_my_data(ad: Adapters, recipient: Recipient) -> int:
    """Delete everything kept for the recipient's address (the erasure link's deletion)."""
    return erase_address_of(ad, recipient)
