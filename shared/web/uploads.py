"""Open an uploaded open-data file as a stream: format, size limit, content type.

The body is never read into memory: the parsers pull it from the WSGI input as they go,
so a 32 MiB upload costs the memory of one record and one read buffer. The size limit is
enforced up front from Content-Length and again while reading (chunked uploads).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO

from flask import Request

from shared.domain.errors import (
    FieldProblem,
    PayloadTooLarge,
    UnsupportedMediaType,
    ValidationFailed,
)
from shared.importers import FORMATS
from shared.importers.records import ImportOptions

_XML = frozenset({"application/xml", "text/xml"})
CONTENT_TYPES: dict[str, frozenset[str]] = {
    "360giving": frozenset({"application/json", "text/csv"}),
    "iati": _XML,
    "grantsgov": _XML,
}


@dataclass(frozen=True)
class Upload:
    """What the caller sent: which standard, their options, and the body as a stream."""

    fmt: str
    options: ImportOptions
    stream: IO[bytes]


def open_upload(request: Request, max_bytes: int) -> Upload:
    """The upload in `request` (`?format=…&countries=KH,LA`), or a domain error."""
    fmt = request.args.get("format", "")
    if fmt not in FORMATS:
        problem = FieldProblem("format", f"must be one of {', '.join(FORMATS)}")
        raise ValidationFailed([problem])
    try:
        options = ImportOptions.from_text(request.args.get("countries", ""))
    except ValueError as exc:
        raise ValidationFailed([FieldProblem("countries", str(exc))]) from exc
    if request.mimetype not in CONTENT_TYPES[fmt]:
        allowed = " or ".join(sorted(CONTENT_TYPES[fmt]))
        raise UnsupportedMediaType(f"send a {fmt} file as {allowed}")
    if request.content_length is not None and request.content_length > max_bytes:
        raise PayloadTooLarge(f"the file is over the {max_bytes // (1024 * 1024)} MiB limit")
    request.max_content_length = max_bytes  # werkzeug stops a longer chunked body with 413
    return Upload(fmt, options, request.stream)
