"""Ranking: a score in [0, 1] for a grant that already passed screening.

This first version scores sector overlap only; it is the seam the full engine (text
relevance, amount fit, language, urgency) plugs into without touching its callers.
"""

from __future__ import annotations

from shared.models import Grant
from shared.screening import Applicant


def score(grant: Grant, applicant: Applicant) -> float:
    """Higher when more of the applicant's sectors are funded by the grant."""
    if not grant.sectors or not applicant.sectors:
        return 0.5
    shared = len(applicant.sectors.intersection(grant.sectors))
    return round(0.5 + 0.5 * shared / len(applicant.sectors), 4)
