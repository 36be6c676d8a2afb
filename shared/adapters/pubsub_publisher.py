"""Pub/Sub publisher: envelopes onto their topics, with a bounded wait.

The client is created on first use (not at import) so a cold start that never publishes
does not pay for it, and it is reused across invocations.

The client batches: it holds a message until `max_latency` has passed or the batch is
full. Its default (10 ms) is meant for streams of messages; ours are one event per request
or a burst queued in one loop (`publish_many`), and every caller waits for the result. So
the default bought nothing but 10 ms on every publish: in ingest's answer, in each hop of
the chain, and one after another in the relay (BENCHMARKS.md). A 1 ms window still puts a
burst into one batch.
"""

from __future__ import annotations

import threading
from typing import Any

from google.api_core.retry import Retry

from shared.adapters.ports import PublishFailed
from shared.domain.events import DEAD_LETTER_TOPIC, Envelope, encode

BATCH_MAX_LATENCY_SECONDS = 0.001


class PubSubPublisher:
    """Publishes envelopes and dead letters for one project."""

    def __init__(self, project: str, timeout_seconds: float) -> None:
        self._project = project
        self._timeout = timeout_seconds
        self._client: Any = None
        self._lock = threading.Lock()

    def _publisher(self) -> Any:
        with self._lock:
            if self._client is None:
                from google.cloud import pubsub_v1  # type: ignore[attr-defined]  # no py.typed

                batching = pubsub_v1.types.BatchSettings(max_latency=BATCH_MAX_LATENCY_SECONDS)
                self._client = pubsub_v1.PublisherClient(batch_settings=batching)
            return self._client

    def _retry(self) -> Retry:
        # Bounded: a request must not hang on a dead Pub/Sub; the outbox has the event.
        return Retry(initial=0.1, maximum=1.0, timeout=self._timeout)

    def topic_path(self, topic: str) -> str:
        """projects/P/topics/T."""
        return f"projects/{self._project}/topics/{topic}"

    def publish(self, envelope: Envelope) -> str:
        """Publish one event and wait for its message id, or raise PublishFailed."""
        return self.publish_many([envelope])[0]

    def publish_many(self, envelopes: list[Envelope]) -> list[str]:
        """Publish several events concurrently; raise PublishFailed if any is not confirmed."""
        return self._publish_all([(e.topic, *encode(e)) for e in envelopes])

    def publish_raw(self, topic: str, data: bytes, attributes: dict[str, str]) -> str:
        """Publish bytes with attributes to a topic; raise PublishFailed on failure."""
        return self._publish_all([(topic, data, attributes)])[0]

    def _publish_all(self, messages: list[tuple[str, bytes, dict[str, str]]]) -> list[str]:
        try:
            futures = [
                self._publisher().publish(
                    self.topic_path(topic),
                    data,
                    retry=self._retry(),
                    timeout=self._timeout,
                    **attrs,
                )
                for topic, data, attrs in messages
            ]
            return [future.result(timeout=self._timeout + 1) for future in futures]
        except Exception as exc:  # the client raises many types; all mean "not confirmed"
            raise PublishFailed(f"{type(exc).__name__}: {exc}") from exc

    def dead_letter(
        self, data: bytes, attributes: dict[str, str], reason: str, consumer: str
    ) -> str:
        """Park an unprocessable message on the dead-letter topic with why and who."""
        extra = {"dead_letter_reason": reason[:1000], "dead_letter_consumer": consumer}
        return self.publish_raw(DEAD_LETTER_TOPIC, data, {**attributes, **extra})
