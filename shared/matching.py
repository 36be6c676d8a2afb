"""Matching: screen, then rank, then name the match deterministically."""

from __future__ import annotations

from datetime import date

from shared.ids import match_id
from shared.models import Grant, Match, Profile, Project
from shared.ranking import score
from shared.screening import Applicant, screen


def evaluate(grant: Grant, target: Project | Profile, today: date) -> Match | None:
    """The match between a grant and a target, or None if the grant does not fit."""
    applicant = Applicant.of(target)
    screening = screen(grant, applicant, today)
    if not screening.eligible:
        return None
    return Match(
        id=match_id(grant.id, applicant.kind.value, applicant.id),
        grant_id=grant.id,
        target_kind=applicant.kind,
        target_id=applicant.id,
        score=score(grant, applicant),
        reasons=list(screening.reasons),
        via_fiscal_sponsor=screening.via_fiscal_sponsor,
    )
