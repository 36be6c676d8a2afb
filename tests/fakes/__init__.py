"""In-memory fakes of every port in `shared.adapters.ports`, for unit tests only.

Like cosmicpython's FakeRepository: each fake keeps what the real store would keep, in
plain dicts, and answers the same questions the same way (tests/integration/
test_store_contract.py runs one set of behaviours on both). Integration tests never use
them: they run on the real emulators.
"""

from tests.fakes.adapters import fake_adapters, test_settings
from tests.fakes.alerts import FakeAlerts
from tests.fakes.bus import FakeClock, FakeDeadLetterInbox, FakePublisher, FakeSender
from tests.fakes.erasure import FakeErasure
from tests.fakes.funders import FakeFunders
from tests.fakes.grants import FakeGrants
from tests.fakes.interests import FakeInterests
from tests.fakes.ledgers import FakeOutbox, FakeProcessedEvents, FakeRateCounters
from tests.fakes.matches import FakeMatches
from tests.fakes.memory import Memory
from tests.fakes.notifications import FakeNotifications
from tests.fakes.subscribers import FakeSubscribers

__all__ = [
    "FakeAlerts",
    "FakeClock",
    "FakeDeadLetterInbox",
    "FakeErasure",
    "FakeFunders",
    "FakeGrants",
    "FakeInterests",
    "FakeMatches",
    "FakeNotifications",
    "FakeOutbox",
    "FakeProcessedEvents",
    "FakePublisher",
    "FakeRateCounters",
    "FakeSender",
    "FakeSubscribers",
    "Memory",
    "fake_adapters",
    "test_settings",
]
