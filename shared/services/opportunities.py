"""Trainings, events and tech offers posted by funders and partners: stored in the
catalogue as items beside the grants (a `Grant` record whose `details` say its kind) and
announced as `grant.published`, so matching and alerts treat them as they treat grants.

Each (kind, funder, external_id) is one item: posting it again updates it, and an
unchanged re-post changes nothing.
"""

from __future__ import annotations

import logging

from shared.domain.errors import FieldProblem, Forbidden, NotFound, ValidationFailed
from shared.domain.ids import is_grant_id, item_id
from shared.domain.models import Grant
from shared.domain.opportunities import OpportunityKind, OpportunitySubmission, catalogue_fields
from shared.runtime.bootstrap import Adapters
from shared.services.submissions import Accepted, fingerprint, save_catalogue_item

log = logging.getLogger(__name__)


def kind_of(submission: OpportunitySubmission) -> OpportunityKind:
    return OpportunityKind(submission.details.kind)


def submit_item(
    ad: Adapters, funder_id: str, submission: OpportunitySubmission, *, correlation_id: str
) -> Accepted:
    """Create or update a funder's training, event or tech offer (by its external_id)."""
    kind = kind_of(submission)
    return save_catalogue_item(
        ad,
        item_id(kind, funder_id, submission.external_id),
        funder_id,
        catalogue_fields(submission),
        fingerprint(submission),
        correlation_id=correlation_id,
        logged_as="item",
        conflict=f"this {kind.value} is being changed by another request at once; retry",
        log_extra={"kind": kind.value},
    )


def owned_item(ad: Adapters, funder_id: str, kind: OpportunityKind, iid: str) -> Grant:
    """The caller's item of this kind: NotFound if there is none (or it is of another
    kind), Forbidden if it is another funder's."""
    item = ad.grants.get(iid) if is_grant_id(iid) else None
    if item is None or item.kind is not kind:
        raise NotFound(f"no {kind.value} {iid[:80]}")
    if item.funder_id != funder_id:
        raise Forbidden(f"this {kind.value} belongs to another funder")
    return item


def update_own_item(
    ad: Adapters,
    funder_id: str,
    iid: str,
    submission: OpportunitySubmission,
    *,
    correlation_id: str,
) -> Accepted:
    """Replace one of the caller's items (PUT): same rules and events as a re-post."""
    item = owned_item(ad, funder_id, kind_of(submission), iid)
    if submission.external_id != item.external_id:
        problem = FieldProblem("external_id", "must be the external_id of the item in the URL")
        raise ValidationFailed([problem])
    return submit_item(ad, funder_id, submission, correlation_id=correlation_id)


def delete_own_item(ad: Adapters, funder_id: str, kind: OpportunityKind, iid: str) -> None:
    """Delete one of the caller's items with its matches and alerts."""
    owned_item(ad, funder_id, kind, iid)
    removed = ad.grants.delete(iid)
    log.info("item deleted", extra={"grant_id": iid, "documents": removed})
