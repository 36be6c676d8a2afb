"""Eligibility: the hard rules that decide whether a grant fits a project or profile.

Screening never guesses: a grant that fails any rule is out, whatever its score would
be. Amount, currency, language and text are soft and belong to ranking.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from shared.domain.logframe import plan_text
from shared.domain.models import Grant, ProfileSubmission, Project, ProjectSubmission
from shared.domain.opportunities import OpportunityKind
from shared.domain.taxonomy import ApplicantType, TargetKind, applicant_type_label


@dataclass(frozen=True)
class Applicant:
    """What the engine needs to know about a project or a profile: the screening fields,
    and the soft ones ranking uses (text, amount, language, keywords)."""

    kind: TargetKind
    id: str
    countries: frozenset[str]
    sectors: frozenset[str]
    applicant_type: ApplicantType
    text: str = ""
    keywords: tuple[str, ...] = ()
    exclude_keywords: tuple[str, ...] = ()
    amount_min: float | None = None
    amount_max: float | None = None
    currency: str | None = None
    language: str | None = None
    # The kinds of item it hears of; None (a project) is any kind: a project is shown to
    # whoever posts an item that fits it, a profile hears of the kinds it asked for.
    wants: frozenset[OpportunityKind] | None = None

    @classmethod
    def of(
        cls, target: ProjectSubmission | ProfileSubmission, target_id: str | None = None
    ) -> Applicant:
        """View a project (one country, a needed amount) or a profile (several countries,
        an amount range, keywords) as an applicant; `target_id` defaults to its stored id."""
        tid = target_id if target_id is not None else target.id  # type: ignore[union-attr]
        if isinstance(target, ProjectSubmission):
            return cls(
                TargetKind.PROJECT,
                tid,
                frozenset([target.country]),
                frozenset(target.sectors),
                target.applicant_type,
                text=_project_text(target),
                amount_max=target.amount_needed,
                currency=target.currency,
                language=target.language,
            )
        return cls(
            TargetKind.PROFILE,
            tid,
            frozenset(target.countries),
            frozenset(target.sectors),
            target.applicant_type,
            text="\n".join(target.keywords),
            keywords=tuple(target.keywords),
            exclude_keywords=tuple(target.exclude_keywords),
            amount_min=target.amount_min,
            amount_max=target.amount_max,
            currency=target.currency,
            language=target.language,
            wants=frozenset(target.kinds),
        )


def _project_text(project: ProjectSubmission) -> str:
    """Title, summary and, for a stored project, its plan's words (a draft's too: they
    are the CSO's own description of the work, and a funder's call about training
    trainers should find a plan that trains trainers)."""
    text = f"{project.title}\n{project.summary}"
    if isinstance(project, Project) and project.plan is not None:
        words = plan_text(project.plan)
        if words:
            text = f"{text}\n{words}"
    return text


@dataclass(frozen=True)
class Screening:
    """The verdict, with reasons a person can read either way."""

    eligible: bool
    reasons: tuple[str, ...]
    failures: tuple[str, ...]
    via_fiscal_sponsor: bool = False


def deadline_today(now: datetime) -> date:
    """Today's date "anywhere on Earth" (UTC-12): a deadline day stays open until it has
    ended everywhere, so nobody loses a grant to a time-zone difference."""
    return (now - timedelta(hours=12)).date()


def screen(grant: Grant, applicant: Applicant, today: date) -> Screening:
    """Apply the four hard rules (sector, country, applicant type, open) at `today`.

    The deadline day itself is open; an empty `countries` or `sectors` list on the grant
    means worldwide or any sector; a profile without sectors wants every sector."""
    reasons: list[str] = []
    failures: list[str] = []

    if not grant.sectors:
        reasons.append("sector: any")
    elif not applicant.sectors:
        # A profile without sectors wants to hear about every sector.
        reasons.append("sector: any (profile has no sector preference)")
    else:
        shared_sectors = [s.value for s in grant.sectors if s in applicant.sectors]
        if shared_sectors:
            reasons.append("sector: " + ", ".join(shared_sectors))
        else:
            failures.append("no shared sector")

    if not grant.countries:
        reasons.append("country: worldwide")
    else:
        shared_countries = sorted(applicant.countries.intersection(grant.countries))
        if shared_countries:
            reasons.append("country: " + ", ".join(shared_countries))
        else:
            failures.append("country not covered")

    via_sponsor = False
    if applicant.applicant_type in grant.applicant_types:
        reasons.append(f"applicant: {applicant_type_label(applicant.applicant_type).lower()}")
    elif applicant.applicant_type is ApplicantType.UNREGISTERED_GROUP and grant.fiscal_sponsor_ok:
        via_sponsor = True
        reasons.append("applicant: unregistered group via fiscal sponsor")
    else:
        failures.append(f"applicant type {applicant.applicant_type.value} not eligible")

    if grant.provenance is not None and grant.provenance.closed_at is not None:
        failures.append("closed at its source")
    elif grant.provenance is not None and grant.provenance.hold is not None:
        failures.append(f"held from alerts: {grant.provenance.hold}")
    elif grant.deadline is None:
        reasons.append("deadline: rolling")
    elif grant.deadline >= today:
        reasons.append(f"deadline: {grant.deadline.isoformat()}")
    else:
        failures.append(f"closed on {grant.deadline.isoformat()}")

    return Screening(not failures, tuple(reasons), tuple(failures), via_sponsor)
