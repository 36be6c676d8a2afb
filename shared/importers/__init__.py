"""Importers for open grant data: one module per standard, all yielding `SourceRecord`s.

Parsers stream (bounded memory whatever the file size) and map each record through
`GrantSubmission`, so an imported grant obeys the same contract as a posted one.

A parser module is imported when its format is first read: ingest serves imports on one
route among many, and lxml, ijson and the parsers are not worth loading on every cold
start (BENCHMARKS.md).
"""

from __future__ import annotations

import importlib
import io
from collections.abc import Iterator
from typing import IO

from shared.importers.mapping import load_mappings
from shared.importers.records import ImportOptions, SourceRecord

#: Format name (CLI `--format`, HTTP `?format=`) -> the module that reads it (its
#: `FORMAT` and `read`).
PARSERS: dict[str, str] = {
    "360giving": "shared.importers.threesixtygiving",
    "iati": "shared.importers.iati",
    "grantsgov": "shared.importers.grantsgov",
}
FORMATS = tuple(PARSERS)


def read_records(
    fmt: str, stream: IO[bytes], options: ImportOptions | None = None
) -> Iterator[SourceRecord]:
    """Every record of `stream` in format `fmt`, mapped or rejected, in file order."""
    parser = importlib.import_module(PARSERS[fmt])
    return parser.read(_buffered(stream), load_mappings(), options or ImportOptions())


def _buffered(stream: IO[bytes]) -> IO[bytes]:
    """A stream that can `peek` (format sniffing) without losing what it looked at."""
    if hasattr(stream, "peek"):
        return stream
    raw = stream if isinstance(stream, io.RawIOBase) else _RawReader(stream)
    return io.BufferedReader(raw, buffer_size=1 << 16)


class _RawReader(io.RawIOBase):
    """Adapts any object with `read(n)` to the raw-stream interface BufferedReader needs."""

    def __init__(self, source: IO[bytes]) -> None:
        self._source = source

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self._source.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)
