"""No log call passes an `extra` key that collides with a LogRecord attribute: logging
raises KeyError for those, and only when the level is enabled, so it hides in tests."""

from __future__ import annotations

import ast
import logging

from dev.services import REPO

RESERVED = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


def _extra_keys(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        for keyword in node.keywords:
            if keyword.arg == "extra" and isinstance(keyword.value, ast.Dict):
                for key in keyword.value.keys:
                    if isinstance(key, ast.Constant) and isinstance(key.value, str):
                        found.append((node.lineno, key.value))
    return found


def test_no_log_extra_key_is_a_logrecord_attribute():
    clashes = [
        f"{path.relative_to(REPO)}:{line}: {key}"
        for folder in ("shared", "functions", "dev")
        for path in sorted((REPO / folder).rglob("*.py"))
        for line, key in _extra_keys(ast.parse(path.read_text()))
        if key in RESERVED
    ]
    assert clashes == []


def test_the_check_sees_a_clash():
    tree = ast.parse('log.info("x", extra={"created": 1, "fine": 2})')
    assert [k for _, k in _extra_keys(tree) if k in RESERVED] == ["created"]
