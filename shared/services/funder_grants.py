"""A signed-in funder's grants on the web: its grants, each with the open projects that
fit it (best first, the same ranking as `GET /grants/<id>/projects`). Creating, editing
and closing a grant go through `submissions.submit_grant` and `grants.py`, the services
behind `POST /grants`, `PUT /grants/<id>` and `DELETE /grants/<id>`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shared.domain.models import Grant
from shared.domain.taxonomy import TargetKind
from shared.runtime.bootstrap import Adapters
from shared.services.project_listings import FOR_FUNDERS, ProjectQuery, best_fit_projects

#: Grants shown on the page, and fitting projects shown under each.
MAX_GRANTS = 100
PROJECTS_PER_GRANT = 3


@dataclass(frozen=True)
class GrantWithProjects:
    """One of the funder's grants and its best-fitting open projects (public views)."""

    grant: Grant
    projects: list[dict[str, Any]]
    more: bool
    # How many alert profiles it fits (and were told, or will be, as each chose): a number
    # only, since who keeps a profile is the CSO's own business.
    profiles: int = 0


def my_grants(ad: Adapters, funder_id: str) -> list[GrantWithProjects]:
    """The funder's grants, soonest deadline first, each with its best-fitting projects
    (projects shown to funders too, never an address: `public_view`)."""
    today = ad.clock.now().date()
    query = ProjectQuery(limit=PROJECTS_PER_GRANT)
    out = []
    for grant in ad.funder_pages.grants_of(funder_id, MAX_GRANTS):
        page = best_fit_projects(ad, grant, query, FOR_FUNDERS, today)
        profiles = ad.matches.count_for_grant(grant.id, TargetKind.PROFILE)
        out.append(GrantWithProjects(grant, page.items, page.next_cursor is not None, profiles))
    return out
