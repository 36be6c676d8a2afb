"""Safe, bounded-memory iteration over the record elements of a large XML file.

lxml's iterparse builds one record at a time; each is cleared after use and its
finished siblings are unlinked from the root, so a 1 GB file needs the memory of one
record, not of the file. Entities are not resolved, no DTD is loaded and nothing is
fetched from the network: an uploaded file cannot read local files or explode (XXE,
billion laughs).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import IO

from lxml import etree

from shared.importers.records import SourceFormatError

# The first element's start tag, after the XML declaration, comments and a DOCTYPE.
_FIRST_TAG = re.compile(rb"<(?![?!])(?:[\w.-]+:)?([A-Za-z_][\w.-]*)")
_SNIFF_BYTES = 1 << 16


def iter_records(
    stream: IO[bytes], root_name: str, tags: tuple[str, ...], what: str
) -> Iterator[tuple[etree._Element, etree._Element]]:
    """(root, record) for each element with one of `tags` ('{*}name' matches any
    namespace) in a document whose root is `root_name`. The record is cleared as soon as
    the caller moves on."""
    found = _root_name(stream)
    if found is not None and found != root_name:
        raise SourceFormatError("line 1", f"the root element is <{found}>: expected {what}")
    line = 1
    seen = False
    events = etree.iterparse(
        stream,
        events=("end",),
        tag=tags,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
    )
    try:
        for _, element in events:
            seen = True
            line = element.sourceline or line
            root = element
            while (parent := root.getparent()) is not None:
                root = parent
            yield root, element
            element.clear(keep_tail=False)
            while element.getprevious() is not None:
                del element.getparent()[0]
    except etree.XMLSyntaxError as exc:
        raise SourceFormatError(f"line {exc.lineno or line}", f"not valid XML: {exc.msg}") from exc
    if not seen:
        raise SourceFormatError("line 1", f"no records found: expected {what}")


def _root_name(stream: IO[bytes]) -> str | None:
    """The root element's local name, read ahead without consuming the stream, so a file
    of the wrong standard is refused before it is parsed (its records would never be
    cleared). None if the stream cannot peek or the tag is not in the first 64 KiB."""
    peek = getattr(stream, "peek", None)
    if peek is None:
        return None
    head = peek(_SNIFF_BYTES)[:_SNIFF_BYTES]
    head = re.sub(rb"<!--.*?-->", b"", head, flags=re.S)
    match = _FIRST_TAG.search(head)
    return match.group(1).decode("ascii", "replace") if match else None


def local_name(element: etree._Element) -> str:
    """The tag without its namespace."""
    return etree.QName(element).localname
