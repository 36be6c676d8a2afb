"""Projects' plans, as fields of the project document (see the port)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from google.cloud import firestore

from shared.adapters.firestore.common import FirestoreStore
from shared.adapters.firestore.subscribers import PROJECTS
from shared.domain.logframe import Logframe

#: The project document's fields this store owns (a project edit keeps them).
PLAN_FIELDS = ("plan", "plan_revision", "plan_saved_at")


class FirestorePlans(FirestoreStore):
    """Reads and writes a project's plan fields; nothing else of the document."""

    def save_plan(self, project_id: str, plan: Logframe, now: datetime) -> int | None:
        """Keep the draft in a transaction, so two saves never take the same revision."""
        ref = self._db.collection(PROJECTS).document(project_id)
        data = plan.model_dump(mode="json")
        saved: int | None = _save(self._db.transaction(), ref, data, now)
        return saved


@firestore.transactional
def _save(transaction: Any, ref: Any, data: dict[str, Any], now: datetime) -> int | None:
    snap = ref.get(transaction=transaction)
    if not snap.exists:
        return None
    stored = snap.to_dict() or {}
    revision = int(stored.get("plan_revision") or 0)
    if stored.get("plan") == data:
        return revision
    transaction.update(ref, {"plan": data, "plan_revision": revision + 1, "plan_saved_at": now})
    return revision + 1
