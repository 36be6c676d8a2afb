"""A funder's own grants: only the funder that posted a grant may see its fitting projects,
change it or delete it. Posting the same `external_id` under another funder creates that
funder's own grant (grant ids are per funder), so no funder can reach another's grant.
"""

from __future__ import annotations

import logging

from shared.domain.errors import FieldProblem, Forbidden, NotFound, ValidationFailed
from shared.domain.ids import is_grant_id
from shared.domain.models import Grant, GrantSubmission
from shared.runtime.bootstrap import Adapters
from shared.services.submissions import Accepted, submit_grant

log = logging.getLogger(__name__)


def owned_grant(ad: Adapters, funder_id: str, grant_id: str) -> Grant:
    """The caller's grant: NotFound if it does not exist, Forbidden if it is another's."""
    grant = ad.grants.get(grant_id) if is_grant_id(grant_id) else None
    if grant is None:
        raise NotFound(f"no grant {grant_id[:80]}")
    if grant.funder_id != funder_id:
        raise Forbidden("this grant belongs to another funder")
    return grant


def update_own_grant(
    ad: Adapters,
    funder_id: str,
    grant_id: str,
    submission: GrantSubmission,
    *,
    correlation_id: str,
) -> Accepted:
    """Replace one of the caller's grants (PUT): same rules and events as a re-post."""
    grant = owned_grant(ad, funder_id, grant_id)
    if grant.details is not None:  # a training is replaced through /trainings, as one
        raise NotFound(f"no grant {grant_id[:80]}")
    if submission.external_id != grant.external_id:
        problem = FieldProblem("external_id", "must be the external_id of the grant in the URL")
        raise ValidationFailed([problem])
    return submit_grant(ad, funder_id, submission, correlation_id=correlation_id)


def delete_own_grant(ad: Adapters, funder_id: str, grant_id: str) -> None:
    """Delete one of the caller's grants with its matches and alerts: nobody hears of it
    again, and emails already being put together skip it (its alerts are gone)."""
    owned_grant(ad, funder_id, grant_id)
    removed = ad.grants.delete(grant_id)
    log.info("grant deleted", extra={"grant_id": grant_id, "documents": removed})
