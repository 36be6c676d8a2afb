"""FakeMatches: matches of grants with profiles and projects."""

from __future__ import annotations

from datetime import datetime

from shared.domain.models import Match
from shared.domain.taxonomy import TargetKind
from tests.fakes.memory import Memory


class FakeMatches:
    """MatchStore in memory."""

    def __init__(self, memory: Memory) -> None:
        self._m = memory

    def save(self, match: Match, now: datetime) -> bool:
        existing = self._m.matches.get(match.id)
        if existing is None:
            self._m.matches[match.id] = match
            return True
        update = {"score": match.score, "reasons": match.reasons}
        self._m.matches[match.id] = existing.model_copy(update=update)
        return False

    def get(self, match_id: str) -> Match | None:
        return self._m.matches.get(match_id)

    def count_for_grant(self, grant_id: str, kind: TargetKind) -> int:
        return sum(
            1 for m in self._m.matches.values() if m.grant_id == grant_id and m.target_kind is kind
        )

    def for_target(self, kind: TargetKind, target_id: str) -> list[Match]:
        return [
            self._m.matches[mid]
            for mid in sorted(self._m.matches)
            if self._m.matches[mid].target_kind is kind
            and self._m.matches[mid].target_id == target_id
        ]
