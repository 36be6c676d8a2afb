"""A funder's grants, for its page: one equality query on `funder_id`."""

from __future__ import annotations

from datetime import date

from google.cloud.firestore_v1.base_query import FieldFilter

from shared.adapters.firestore.common import FirestoreStore
from shared.adapters.firestore.grants import GRANTS
from shared.domain.models import Grant


class FirestoreFunderPages(FirestoreStore):
    """Reads grants by funder; writes nothing (grants are written by the grant store)."""

    def grants_of(self, funder_id: str, limit: int) -> list[Grant]:
        """Up to `limit` of one funder's grants, by deadline (open-ended last), then id."""
        query = self._db.collection(GRANTS).where(filter=FieldFilter("funder_id", "==", funder_id))
        grants = [Grant.model_validate(s.to_dict()) for s in query.limit(limit).stream()]
        return sorted(grants, key=lambda g: (g.deadline or date.max, g.id))
