"""Service unit tests: the use cases on in-memory fakes (tests/fakes), no emulator."""

from __future__ import annotations

import pytest

from shared.runtime.bootstrap import Adapters
from tests.fakes import fake_adapters


@pytest.fixture
def ad() -> Adapters:
    """Fresh fakes, a FakeClock standing at tests.builders.NOW."""
    return fake_adapters()
