"""What the funders' web pages read that the grant store does not offer: a funder's own
grants, listed."""

from __future__ import annotations

from typing import Protocol

from shared.domain.models import Grant


class FunderPagesStore(Protocol):
    """A funder's grants, for its page."""

    def grants_of(self, funder_id: str, limit: int) -> list[Grant]:
        """Up to `limit` of one funder's grants, by deadline (open-ended last), then id."""
        ...
