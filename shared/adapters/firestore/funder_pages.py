"""A funder's grants, for its page: one equality query on `funder_id`."""

from __future__ import annotations

from datetime import date

from shared.adapters.firestore.common import FirestoreStore
from shared.adapters.firestore.grants import grants_of_funder
from shared.domain.models import Grant


class FirestoreFunderPages(FirestoreStore):
    """Reads grants by funder; writes nothing (grants are written by the grant store)."""

    def grants_of(self, funder_id: str, limit: int) -> list[Grant]:
        """Up to `limit` of one funder's grants, by deadline (open-ended last), then id."""
        grants = grants_of_funder(self._db, funder_id, limit)
        return sorted(grants, key=lambda g: (g.deadline or date.max, g.id))
