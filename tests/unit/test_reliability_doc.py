"""RELIABILITY.md names real tests: every `file::test` it cites exists, so the table
cannot keep claiming a proof that was renamed or deleted."""

from __future__ import annotations

import re

from dev.services import REPO

CITATION = re.compile(r"`((?:tests/[\w/]+\.py)?)::(\w+)(?:\[[^\]]*\])?`")


def cited_tests() -> list[tuple[str, str]]:
    """(file, test name) for every citation; `::name` refers to the last file on its line."""
    found = []
    for line in (REPO / "RELIABILITY.md").read_text().splitlines():
        current = None
        for path, name in CITATION.findall(line):
            current = path or current
            assert current is not None, f"no file before ::{name} in: {line[:80]}"
            found.append((current, name))
    return found


def test_every_cited_test_exists():
    citations = cited_tests()
    assert len(citations) > 50
    missing = [
        f"{path}::{name}"
        for path, name in citations
        if not re.search(rf"^def {name}\(", (REPO / path).read_text(), re.MULTILINE)
    ]
    assert missing == []
