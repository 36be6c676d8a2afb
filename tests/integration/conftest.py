"""Integration tests: services in-process, real Firestore and Pub/Sub emulators, real sink.

Every test starts from an empty database and mailbox, and with fresh pull subscriptions
on every topic so it can read exactly the events it caused.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest
from flask import Flask
from google.api_core import exceptions as gexc
from google.cloud import pubsub_v1

from dev import emulators
from shared.domain.events import DEAD_LETTER_TOPIC, TOPIC_FOR_EVENT, Envelope, decode
from shared.runtime.bootstrap import Adapters, adapters
from shared.runtime.config import get_settings
from shared.web.app import create_app
from tests.conftest import IT_PROJECT, Emulators, clear_sink

pytestmark = pytest.mark.integration

TOPICS = [*TOPIC_FOR_EVENT.values(), DEAD_LETTER_TOPIC]


class Bus:
    """Pull subscriptions that let a test see what was published to each topic."""

    def __init__(self) -> None:
        self.publisher = pubsub_v1.PublisherClient()
        self.subscriber = pubsub_v1.SubscriberClient()

    def topic(self, topic: str) -> str:
        return self.publisher.topic_path(IT_PROJECT, topic)

    def subscription(self, topic: str) -> str:
        return self.subscriber.subscription_path(IT_PROJECT, f"it-{topic}")

    def ensure_topic(self, topic: str) -> None:
        with contextlib.suppress(gexc.AlreadyExists):
            self.publisher.create_topic(name=self.topic(topic))

    def delete_topic(self, topic: str) -> None:
        with contextlib.suppress(gexc.NotFound):
            self.publisher.delete_topic(topic=self.topic(topic))

    def reset(self) -> None:
        """Every topic exists, with an empty pull subscription."""
        for topic in TOPICS:
            self.ensure_topic(topic)
            with contextlib.suppress(gexc.NotFound):
                self.subscriber.delete_subscription(subscription=self.subscription(topic))
            self.subscriber.create_subscription(
                name=self.subscription(topic), topic=self.topic(topic)
            )

    def pull(self, topic: str, max_messages: int = 100) -> list[pubsub_v1.types.ReceivedMessage]:
        """Everything currently waiting on the topic's test subscription (acknowledged)."""
        received = []
        while True:
            # return_immediately is deprecated in the cloud but honoured by the emulator;
            # publishes are confirmed before a test pulls, so nothing is still in flight.
            response = self.subscriber.pull(
                request={
                    "subscription": self.subscription(topic),
                    "max_messages": max_messages,
                    "return_immediately": True,
                },
                timeout=5,
            )
            if not response.received_messages:
                break
            received.extend(response.received_messages)
            self.subscriber.acknowledge(
                subscription=self.subscription(topic),
                ack_ids=[m.ack_id for m in response.received_messages],
            )
        return received

    def events(self, topic: str) -> list[Envelope]:
        """The envelopes published to a topic since the test began."""
        return [decode(m.message.data, dict(m.message.attributes)) for m in self.pull(topic)]


@pytest.fixture(scope="session")
def bus(it_env: None) -> Iterator[Bus]:
    bus = Bus()
    yield bus
    bus.subscriber.close()


@pytest.fixture
def ad(it_env: None, emulator_hosts: Emulators, sink_url: str, bus: Bus) -> Adapters:
    """The real adapters, on an empty database, mailbox and event bus."""
    emulators.reset_firestore(emulator_hosts.firestore, IT_PROJECT)
    clear_sink(sink_url)
    bus.reset()
    return adapters()


@pytest.fixture
def ingest_app(ad: Adapters) -> Flask:
    """The ingest function's app, built by its factory on the test's adapters."""
    return create_app(get_settings(), lambda: ad)
