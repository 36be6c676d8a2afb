"""Matching: screen, respect the profile's exclusions, rank, and name the match.

This is the one engine: the match function, the HTTP listings and `grantmatch rank` all
call `evaluate`, so a score means the same thing everywhere.
"""

from __future__ import annotations

from datetime import date

from shared.domain.ids import match_id
from shared.domain.models import Grant, Match, ProfileSubmission, ProjectSubmission
from shared.matching.money import RateTable
from shared.matching.ranking import grant_text, rank
from shared.matching.relevance import analyse, mentions
from shared.matching.screening import Applicant, Screening, screen


def excluded_keyword(grant: Grant, applicant: Applicant) -> str | None:
    """The first of the applicant's exclude-keywords the grant mentions, if any.

    An exclusion removes the grant rather than demoting it: a person who wrote "never show
    me grants about X" should not get an email about X, however well it scores otherwise.
    It is the owner's filter, not an eligibility rule, so it lives here and not in
    screening (which stays exactly the four published rules).
    """
    if not applicant.exclude_keywords:
        return None
    document = analyse(grant_text(grant))
    return next((k for k in applicant.exclude_keywords if mentions(document, k)), None)


def wanted_kind(grant: Grant, applicant: Applicant) -> bool:
    """Whether the applicant hears of this kind of item: like an exclusion, the owner's
    choice (grants unless it opted in to more), not an eligibility rule."""
    return applicant.wants is None or grant.kind in applicant.wants


def _admitted(grant: Grant, applicant: Applicant, screening: Screening) -> bool:
    """Screened eligible, of a kind the applicant wants, and not removed by one of its
    exclude-keywords."""
    return (
        screening.eligible
        and wanted_kind(grant, applicant)
        and excluded_keyword(grant, applicant) is None
    )


def evaluate_applicant(
    grant: Grant, applicant: Applicant, today: date, rates: RateTable | None = None
) -> Match | None:
    """The match between a grant and an applicant, or None if the grant does not fit."""
    screening = screen(grant, applicant, today)
    if not _admitted(grant, applicant, screening):
        return None
    ranking = rank(grant, applicant, today, rates)
    deadline = [r for r in screening.reasons if r.startswith("deadline:")]
    return Match(
        id=match_id(grant.id, applicant.kind.value, applicant.id),
        grant_id=grant.id,
        target_kind=applicant.kind,
        target_id=applicant.id,
        score=ranking.score,
        reasons=[
            *(r for r in screening.reasons if not r.startswith("deadline:")),
            *ranking.reasons,
            *deadline,
        ],
        via_fiscal_sponsor=screening.via_fiscal_sponsor,
    )


def evaluate(
    grant: Grant, target: ProjectSubmission | ProfileSubmission, today: date
) -> Match | None:
    """The match between a grant and a stored project or profile, or None."""
    return evaluate_applicant(grant, Applicant.of(target), today)


def still_fits(grant: Grant, target: ProjectSubmission | ProfileSubmission, today: date) -> bool:
    """Whether a match decided earlier still holds for the grant and target as they are
    now: the same rules as `evaluate`, without ranking (the stored match keeps its score)."""
    applicant = Applicant.of(target)
    return _admitted(grant, applicant, screen(grant, applicant, today))
