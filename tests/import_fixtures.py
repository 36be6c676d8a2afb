"""Helpers for the open-data import tests: fixture paths and reading a fixture."""

from __future__ import annotations

from pathlib import Path

from shared.importers import read_records
from shared.importers.records import ImportOptions, Mapped, Rejected, SourceRecord

FIXTURES = Path(__file__).parent / "fixtures" / "imports"


def read_fixture(fmt: str, name: str, options: ImportOptions | None = None) -> list[SourceRecord]:
    """Every record of a fixture file, in order."""
    with (FIXTURES / name).open("rb") as stream:
        return list(read_records(fmt, stream, options))


def mapped(records: list[SourceRecord]) -> dict[str, Mapped]:
    """The mapped records by external id."""
    return {r.submission.external_id: r for r in records if isinstance(r, Mapped)}


def rejected(records: list[SourceRecord]) -> list[Rejected]:
    """The rejected records, in order."""
    return [r for r in records if isinstance(r, Rejected)]
