"""Create the topics and subscriptions of `infra/topology.json` in the Pub/Sub emulator.

Push endpoints have the form `http://127.0.0.1:PORT/projects/P/topics/T`, which is what
makes functions-framework put the topic into the CloudEvent's `source`, as in the cloud.
Applying twice is harmless; a changed push endpoint (a function on a new port) is updated.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from google.api_core import exceptions as gexc
from google.cloud import pubsub_v1
from google.protobuf import duration_pb2

TOPOLOGY_PATH = Path(__file__).resolve().parent.parent / "infra" / "topology.json"


def load_topology(path: Path = TOPOLOGY_PATH) -> dict[str, Any]:
    """The topology description shared with Terraform."""
    return json.loads(path.read_text())


def push_endpoint(port: int, project: str, topic: str) -> str:
    """The local push URL for a function listening on `port`."""
    return f"http://127.0.0.1:{port}/projects/{project}/topics/{topic}"


def apply_topology(
    project: str, ports: Mapping[str, int], topology: dict[str, Any] | None = None
) -> None:
    """Create every topic and subscription; `ports` maps function name to local port."""
    topology = topology or load_topology()
    publisher = pubsub_v1.PublisherClient()
    subscriber = pubsub_v1.SubscriberClient()
    try:
        for topic in topology["topics"]:
            with contextlib.suppress(gexc.AlreadyExists):
                publisher.create_topic(name=publisher.topic_path(project, topic))
        for spec in topology["subscriptions"]:
            _apply_subscription(subscriber, publisher, project, spec, ports)
    finally:
        subscriber.close()


def _apply_subscription(
    subscriber: Any, publisher: Any, project: str, spec: dict[str, Any], ports: Mapping[str, int]
) -> None:
    request: dict[str, Any] = {
        "name": subscriber.subscription_path(project, spec["name"]),
        "topic": publisher.topic_path(project, spec["topic"]),
        "ack_deadline_seconds": spec["ack_deadline_seconds"],
    }
    if "retention_seconds" in spec:
        request["message_retention_duration"] = duration_pb2.Duration(
            seconds=spec["retention_seconds"]
        )
    if spec.get("dead_letter_topic"):
        request["dead_letter_policy"] = {
            "dead_letter_topic": publisher.topic_path(project, spec["dead_letter_topic"]),
            "max_delivery_attempts": spec["max_delivery_attempts"],
        }
        request["retry_policy"] = {
            "minimum_backoff": duration_pb2.Duration(seconds=spec["min_backoff_seconds"]),
            "maximum_backoff": duration_pb2.Duration(seconds=spec["max_backoff_seconds"]),
        }
    push = None
    if not spec.get("pull"):
        push = {"push_endpoint": push_endpoint(ports[spec["push_to"]], project, spec["topic"])}
        request["push_config"] = push
    try:
        subscriber.create_subscription(request=request)
    except gexc.AlreadyExists:
        if push is not None:
            subscriber.modify_push_config(
                request={"subscription": request["name"], "push_config": push}
            )
