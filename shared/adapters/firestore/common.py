"""What every Firestore store shares: the one client, model documents, batched deletes."""

from __future__ import annotations

from typing import Any

from google.cloud import firestore

from shared.adapters.firestore.keys import ANY

BATCH_LIMIT = 500  # Firestore's limit on writes in one batch
WORLDWIDE = ANY  # index key for "no restriction", so worldwide grants are found by query


class FirestoreStore:
    """A store over the process's Firestore client (shared by every store)."""

    def __init__(self, client: firestore.Client) -> None:
        self._db = client

    @property
    def client(self) -> firestore.Client:
        """The shared client: tests and bench/ read documents as stored through it."""
        return self._db


def model_document(model: Any, **extra: Any) -> dict[str, Any]:
    """A model as Firestore data: JSON-mode values, real timestamps."""
    data = model.model_dump(mode="json")
    for key in ("created_at", "updated_at"):
        if key in data:
            data[key] = getattr(model, key)
    data.update(extra)
    return data


def keys_or_any(values: list[str]) -> list[str]:
    """Index keys of a list field: its values, or the worldwide key when it is empty."""
    return list(values) if values else [WORLDWIDE]


def delete_all(db: firestore.Client, refs: list[Any]) -> int:
    """Delete documents in batches of 500; returns how many were deleted."""
    for start in range(0, len(refs), BATCH_LIMIT):
        batch = db.batch()
        for ref in refs[start : start + BATCH_LIMIT]:
            batch.delete(ref)
        batch.commit()
    return len(refs)
