"""Importers for open grant data: one module per standard, all yielding `SourceRecord`s.

Parsers stream (bounded memory whatever the file size) and map each record through
`GrantSubmission`, so an imported grant obeys the same contract as a posted one.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from typing import IO

from shared.importers import grantsgov, iati, threesixtygiving
from shared.importers.mapping import ImportMappings, load_mappings
from shared.importers.records import ImportOptions, SourceRecord

Reader = Callable[[IO[bytes], ImportMappings, ImportOptions], Iterator[SourceRecord]]

#: Format name (CLI `--format`, HTTP `?format=`) -> streaming reader.
READERS: dict[str, Reader] = {
    threesixtygiving.FORMAT: threesixtygiving.read,
    iati.FORMAT: iati.read,
    grantsgov.FORMAT: grantsgov.read,
}
FORMATS = tuple(READERS)


def read_records(
    fmt: str, stream: IO[bytes], options: ImportOptions | None = None
) -> Iterator[SourceRecord]:
    """Every record of `stream` in format `fmt`, mapped or rejected, in file order."""
    reader = READERS[fmt]
    return reader(_buffered(stream), load_mappings(), options or ImportOptions())


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
