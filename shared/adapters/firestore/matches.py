"""Matches of grants with profiles and projects (id: grant, target kind and target)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from google.api_core import exceptions as gexc
from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from shared.adapters.firestore.common import FirestoreStore
from shared.domain.models import Match
from shared.domain.recipients import RecipientKind
from shared.domain.taxonomy import TargetKind

MATCHES = "matches"


class FirestoreMatches(FirestoreStore):
    """Matches, created once and refreshed when a grant changes."""

    def save(self, match: Match, now: datetime) -> bool:
        """Create the match, or refresh its score and reasons; True if it is new."""
        ref = self._db.collection(MATCHES).document(match.id)
        data = {**match.model_dump(mode="json"), "created_at": now, "updated_at": now}
        try:
            ref.create(data)
        except gexc.AlreadyExists:
            ref.update({"score": match.score, "reasons": match.reasons, "updated_at": now})
            return False
        return True

    def get(self, match_id: str) -> Match | None:
        """A match by id."""
        snap = self._db.collection(MATCHES).document(match_id).get()
        return Match.model_validate(snap.to_dict()) if snap.exists else None

    def for_target(self, kind: TargetKind, target_id: str) -> list[Match]:
        """Every match of one profile or project."""
        query = (
            self._db.collection(MATCHES)
            .where(filter=FieldFilter("target_kind", "==", kind.value))
            .where(filter=FieldFilter("target_id", "==", target_id))
        )
        return [Match.model_validate(s.to_dict()) for s in query.stream()]

    def count_for_grant(self, grant_id: str, kind: TargetKind) -> int:
        """How many profiles (or projects) a grant matched: one count aggregation."""
        query = (
            self._db.collection(MATCHES)
            .where(filter=FieldFilter("grant_id", "==", grant_id))
            .where(filter=FieldFilter("target_kind", "==", kind.value))
        )
        aggregation: Any = query.count(alias="matched")  # the library's types get this wrong
        [[result]] = aggregation.get()
        return int(result.value)


# -- for the stores that delete a grant or erase a recipient -------------------------------
def match_refs_of_grant(db: firestore.Client, grant_id: str) -> list[Any]:
    """References to every match of a grant."""
    matches = db.collection(MATCHES).where(filter=FieldFilter("grant_id", "==", grant_id))
    return [snap.reference for snap in matches.select([]).stream()]


def match_refs_of_target(db: firestore.Client, kind: RecipientKind, target_id: str) -> list[Any]:
    """References to every match of one profile or project."""
    matches = (
        db.collection(MATCHES)
        .where(filter=FieldFilter("target_kind", "==", kind.value))
        .where(filter=FieldFilter("target_id", "==", target_id))
    )
    return [snap.reference for snap in matches.select([]).stream()]


def match_fields_of_target(
    db: firestore.Client, kind: RecipientKind, target_id: str, fields: list[str]
) -> list[Any]:
    """Snapshots of every match of one profile or project, with only `fields` read."""
    matches = (
        db.collection(MATCHES)
        .where(filter=FieldFilter("target_kind", "==", kind.value))
        .where(filter=FieldFilter("target_id", "==", target_id))
    )
    return list(matches.select(fields).stream())
