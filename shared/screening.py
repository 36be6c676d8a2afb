"""Eligibility: the hard rules that decide whether a grant fits a project or profile.

Screening never guesses: a grant that fails any rule is out, whatever its score would
be. Amount, currency, language and text are soft and belong to ranking.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from shared.models import Grant, Profile, Project
from shared.taxonomy import ApplicantType, TargetKind, applicant_type_label


@dataclass(frozen=True)
class Applicant:
    """What screening needs to know about a project or a profile."""

    kind: TargetKind
    id: str
    countries: frozenset[str]
    sectors: frozenset[str]
    applicant_type: ApplicantType

    @classmethod
    def of(cls, target: Project | Profile) -> Applicant:
        """View a project (one country) or a profile (several) as an applicant."""
        if isinstance(target, Project):
            return cls(
                TargetKind.PROJECT,
                target.id,
                frozenset([target.country]),
                frozenset(target.sectors),
                target.applicant_type,
            )
        return cls(
            TargetKind.PROFILE,
            target.id,
            frozenset(target.countries),
            frozenset(target.sectors),
            target.applicant_type,
        )


@dataclass(frozen=True)
class Screening:
    """The verdict, with reasons a person can read either way."""

    eligible: bool
    reasons: tuple[str, ...]
    failures: tuple[str, ...]
    via_fiscal_sponsor: bool = False


def screen(grant: Grant, applicant: Applicant, today: date) -> Screening:
    """Apply the four hard rules (open, country, applicant type, sector) at `today`."""
    reasons: list[str] = []
    failures: list[str] = []

    if grant.deadline is None:
        reasons.append("deadline: rolling")
    elif grant.deadline >= today:
        reasons.append(f"deadline: {grant.deadline.isoformat()}")
    else:
        failures.append(f"closed on {grant.deadline.isoformat()}")

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

    return Screening(not failures, tuple(reasons), tuple(failures), via_sponsor)
