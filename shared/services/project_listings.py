"""Projects that need funding, as funders and the public may see them.

Two views: newest first (an indexed, cursor-paginated Firestore query), and best fit for
one of the caller's grants (the grant's candidate projects, screened and ranked by the
same engine as the match function). Neither ever shows a contact email: items are built
field by field from an allow-list, not by removing fields from the stored document.

"Open" means the project still needs the money: `needed_by` is empty or not yet past.
Private projects are never listed; `funders` projects only to a caller with a funder key.
A project is listed only once its contact address is confirmed (anyone can type anyone's
address, and an organisation's name next to a project it never submitted could put it at
risk) and while it is not unsubscribed (a funder's interest could no longer reach it).
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from shared.domain.codes import CountryCode
from shared.domain.errors import MalformedRequest
from shared.domain.logframe import Logframe, is_complete
from shared.domain.models import Grant, Match, Project
from shared.domain.taxonomy import ApplicantType, Sector, Visibility
from shared.matching.engine import evaluate
from shared.runtime.bootstrap import Adapters
from shared.services.grants import owned_grant as owned_grant  # the routes import it here

PUBLIC_ONLY = [Visibility.PUBLIC.value]
FOR_FUNDERS = [Visibility.PUBLIC.value, Visibility.FUNDERS.value]
# Newest-first pages skip closed projects in memory; this bounds the reads one request may
# spend looking for open ones (the cursor lets the client continue).
MAX_BATCHES = 5
DEFAULT_LIMIT = 20
MAX_LIMIT = 100


class ProjectQuery(BaseModel):
    """Filters, order and paging of a listing (the query string of GET /projects)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    sector: Sector | None = None
    country: CountryCode | None = None
    sort: Literal["newest", "best"] | None = None
    grant: Annotated[str, StringConstraints(max_length=100)] | None = None
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    cursor: Annotated[str, StringConstraints(max_length=1000)] | None = None

    @property
    def best_fit(self) -> bool:
        """Best fit is the default when a grant is given, and needs one."""
        return self.sort == "best" or (self.sort is None and self.grant is not None)


@dataclass(frozen=True)
class Page:
    """One page of listed projects and the cursor of the next page (None at the end)."""

    items: list[dict[str, Any]]
    next_cursor: str | None

    def as_json(self) -> dict[str, Any]:
        """The response body."""
        return {"projects": self.items, "next_cursor": self.next_cursor}


def is_open(project: Project, today: date) -> bool:
    """Whether a project still needs funding on `today`."""
    return project.needed_by is None or project.needed_by >= today


def is_listed(project: Project, today: date) -> bool:
    """Whether a project may appear in a listing at all (visibility aside): open, its
    address confirmed by its owner, and still subscribed."""
    return is_open(project, today) and project.confirmed and project.unsubscribed_at is None


class ListedProject(BaseModel):
    """What anyone allowed to list a project may see: an allow-list, so a contact email
    cannot slip in. Best-fit listings add the score and its reasons."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    org_name: str
    title: str
    summary: str
    sectors: list[Sector]
    country: str
    applicant_type: ApplicantType
    amount_needed: float | None
    currency: str | None
    language: str
    needed_by: date | None
    visibility: Visibility
    created_at: datetime
    # What funders have pledged so far, in the project's currency (the progress bar).
    pledged: float = 0.0
    score: float | None = None
    reasons: list[str] | None = None
    via_fiscal_sponsor: bool | None = None
    # The CSO's logical framework, once complete (a draft stays the CSO's own), and the
    # revision shown, so a funder can say which version it read.
    plan: Logframe | None = None
    plan_revision: int | None = None


def public_view(project: Project, match: Match | None = None) -> dict[str, Any]:
    """A project as a listing shows it (JSON-ready): never its contact email."""
    extra: dict[str, Any] = {}
    if match is not None:
        extra = {
            "score": match.score,
            "reasons": match.reasons,
            "via_fiscal_sponsor": match.via_fiscal_sponsor,
        }
    if project.plan is not None and is_complete(project.plan, project.amount_needed):
        extra.update(plan=project.plan, plan_revision=project.plan_revision)
    item = ListedProject(
        id=project.id,
        org_name=project.org_name,
        title=project.title,
        summary=project.summary,
        sectors=project.sectors,
        country=project.country,
        applicant_type=project.applicant_type,
        amount_needed=project.amount_needed,
        currency=project.currency,
        language=project.language,
        needed_by=project.needed_by,
        visibility=project.visibility,
        created_at=project.created_at,
        pledged=project.pledged_amount,
        **extra,
    )
    return item.model_dump(mode="json", exclude_unset=True)


class ProjectsPage(BaseModel):
    """The body of a listing: one page and the cursor of the next (null on the last)."""

    projects: list[ListedProject]
    next_cursor: str | None


class GrantSummary(BaseModel):
    """The grant a best-fit listing ranks against."""

    id: str
    title: str


class GrantProjectsPage(ProjectsPage):
    """The body of GET /grants/<id>/projects."""

    grant: GrantSummary


def _encode(cursor: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(cursor).encode()).decode().rstrip("=")


def _decode(cursor: str, kind: str) -> dict[str, Any]:
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, UnicodeDecodeError, json.JSONDecodeError, ValueError) as exc:
        raise MalformedRequest("the cursor is not one this API returned") from exc
    if not isinstance(data, dict) or data.get("k") != kind:
        raise MalformedRequest("the cursor belongs to a different listing")
    return data


def newest_projects(
    ad: Adapters, query: ProjectQuery, visibilities: list[str], today: date
) -> Page:
    """Open projects, newest first, one page."""
    after = None
    if query.cursor:
        data = _decode(query.cursor, "newest")
        try:
            after = (datetime.fromisoformat(data["c"]), str(data["i"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise MalformedRequest("the cursor is not one this API returned") from exc
    items: list[dict[str, Any]] = []
    for _ in range(MAX_BATCHES):
        wanted = query.limit - len(items)
        batch = ad.subscribers.projects_newest_first(
            visibilities, sector=query.sector, country=query.country, after=after, limit=wanted
        )
        items += [public_view(p) for p in batch if is_listed(p, today)]
        if len(batch) < wanted:
            return Page(items, None)  # nothing more to read
        after = (batch[-1].created_at, batch[-1].id)
        if len(items) >= query.limit:
            break
    assert after is not None
    return Page(items, _encode({"k": "newest", "c": after[0].isoformat(), "i": after[1]}))


def fitting_projects(
    ad: Adapters, grant: Grant, today: date, visibilities: list[str]
) -> list[tuple[Project, Match]]:
    """Open projects with one of `visibilities` that fit the grant, best fit first (the
    funder's "projects that need your money"; also what a funder email would list)."""
    fits = [
        (project, match)
        for project in ad.subscribers.candidate_projects(grant)
        if project.visibility.value in visibilities and is_listed(project, today)
        if (match := evaluate(grant, project, today)) is not None
    ]
    fits.sort(key=lambda pair: (-pair[1].score, pair[0].id))
    return fits


def best_fit_projects(
    ad: Adapters, grant: Grant, query: ProjectQuery, visibilities: list[str], today: date
) -> Page:
    """Open projects that fit `grant`, best first, filtered and paginated by offset."""
    offset = 0
    if query.cursor:
        data = _decode(query.cursor, "best")
        if data.get("g") != grant.id or not isinstance(data.get("o"), int) or data["o"] < 0:
            raise MalformedRequest("the cursor belongs to a different listing")
        offset = data["o"]
    fits = [
        (p, m)
        for p, m in fitting_projects(ad, grant, today, visibilities)
        if (query.sector is None or query.sector in p.sectors)
        and (query.country is None or query.country == p.country)
    ]
    page = fits[offset : offset + query.limit]
    end = offset + len(page)
    cursor = _encode({"k": "best", "g": grant.id, "o": end}) if end < len(fits) else None
    return Page([public_view(p, m) for p, m in page], cursor)
