"""`fake_adapters()`: the services' `Adapters`, wired with in-memory fakes and test
settings, so a use case runs in a unit test with no emulator, no network and no Java."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

from shared.runtime.bootstrap import Adapters
from shared.runtime.config import Settings
from tests.builders import NOW
from tests.fakes.alerts import FakeAlerts
from tests.fakes.bus import FakeClock, FakePublisher, FakeSender
from tests.fakes.erasure import FakeErasure
from tests.fakes.funders import FakeFunders
from tests.fakes.grants import FakeGrants
from tests.fakes.harvest import FakeHarvest
from tests.fakes.interests import FakeInterests
from tests.fakes.ledgers import FakeOutbox, FakeProcessedEvents, FakeRateCounters
from tests.fakes.matches import FakeMatches
from tests.fakes.memory import Memory
from tests.fakes.my_page import FakeFunderPages, FakeMyPage
from tests.fakes.notifications import FakeNotifications
from tests.fakes.plans import FakePlans
from tests.fakes.subscribers import FakeSubscribers


class TestSettings(Settings):
    """Settings from the values given and the defaults only: the environment of the
    machine running the tests cannot change a unit test."""

    __test__ = False  # not a pytest test class

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)


def test_settings(**overrides: Any) -> Settings:
    """Settings for unit tests: a fresh signing secret, a public URL, the default
    60-second batching window (a test moves the clock past it)."""
    values: dict[str, Any] = {
        "google_cloud_project": "grantmatch-unit",
        "public_base_url": "https://gm.example.org",
        "link_signing_secret": secrets.token_urlsafe(32),
        "sendgrid_api_key": "SG.unit-test",
    }
    return TestSettings(**{**values, **overrides})


test_settings.__test__ = False  # type: ignore[attr-defined]


def fake_adapters(now: datetime = NOW, **settings: Any) -> Adapters:
    """Adapters on one fresh in-memory database, a FakeClock at `now`, a FakePublisher
    and a FakeSender (reach them as `ad.clock`, `ad.publisher`, `ad.sender`)."""
    memory = Memory()
    return Adapters(
        settings=test_settings(**settings),
        clock=FakeClock(now),
        publisher=FakePublisher(),
        sender=FakeSender(),
        funders=FakeFunders(memory),
        grants=FakeGrants(memory),
        subscribers=FakeSubscribers(memory),
        erasure=FakeErasure(memory),
        interests=FakeInterests(memory),
        matches=FakeMatches(memory),
        alerts=FakeAlerts(memory),
        notifications=FakeNotifications(memory),
        outbox=FakeOutbox(memory),
        processed=FakeProcessedEvents(memory),
        rate_counters=FakeRateCounters(memory),
        my_page=FakeMyPage(memory),
        funder_pages=FakeFunderPages(memory),
        harvest=FakeHarvest(memory),
        plans=FakePlans(memory),
    )
