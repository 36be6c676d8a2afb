"""Unit-test fixtures: the ingest function's app, built by its factory with no adapters
(unit tests use no emulator, and only reach routes that need none)."""

from __future__ import annotations

import pytest
from flask import Flask

from shared.runtime.bootstrap import Adapters
from shared.runtime.config import get_settings
from shared.web.app import create_app


def _no_adapters() -> Adapters:
    raise AssertionError("unit tests have no adapters: use tests/integration for this route")


@pytest.fixture
def ingest_app() -> Flask:
    """The app functions/ingest/main.py serves, under this process's settings."""
    return create_app(get_settings(), _no_adapters)
