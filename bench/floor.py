"""The floor: what one grant's journey would cost if the stack did nothing but the I/O a
journey cannot avoid, done directly by this script on the same emulators and sink:

one Firestore write, one Pub/Sub publish, one push delivery (to a trivial local HTTP
receiver that only acknowledges) and one POST of a real alert email to the sink.

Done one at a time (each step waits for the previous), so a sample is one minimal
journey; the real chain does three publishes and pushes and about thirty reads and writes.
"""

from __future__ import annotations

import contextlib
import random
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import requests

from bench.stats import summary
from dev import procs

TOPIC = "bench-floor"
SUBSCRIPTION = "bench-floor-push"
SEED = 9
STEPS = ("firestore write", "publish", "push delivery", "sink POST")


class _Receiver(BaseHTTPRequestHandler):
    """Acknowledges every push at once and notes when it came."""

    arrived: threading.Event
    arrived_at: float = 0.0

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        type(self).arrived_at = time.time()
        self.send_response(204)
        self.end_headers()
        type(self).arrived.set()

    def log_message(self, *args: Any) -> None:  # no access log
        pass


@contextlib.contextmanager
def _receiver() -> Iterator[tuple[int, type[_Receiver]]]:
    handler = type("Receiver", (_Receiver,), {"arrived": threading.Event()})
    port = procs.free_port()
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield port, handler
    finally:
        server.shutdown()
        server.server_close()


def _alert_body() -> dict[str, Any]:
    """A real alert email, rendered by the product and built like the sender builds it."""
    from datetime import UTC, datetime

    from bench.workload import grant_body, targets
    from shared.adapters.sendgrid_sender import build_message
    from shared.domain.models import Grant, Profile
    from shared.domain.recipients import Recipient
    from shared.email.items import match_item
    from shared.email.links import LinkSigner
    from shared.email.rendering import render_alerts
    from shared.matching.engine import evaluate
    from shared.runtime.bootstrap import adapters

    now = datetime.now(UTC)
    target = targets(1)[0]
    body = grant_body(0, target, now.date())
    grant = Grant(**body, id="g_floor", funder_id="f", created_at=now, updated_at=now)
    profile = Profile(
        id=target.profile_id,
        email="floor@bench.example.org",
        org_name="Floor CSO",
        countries=[target.country],
        sectors=[target.sector],
        applicant_type=target.applicant_type,
        created_at=now,
        updated_at=now,
        confirmed=True,
    )
    match = evaluate(grant, profile, now.date())
    assert match is not None
    settings = adapters().settings
    links = LinkSigner(settings.link_signing_secret.get_secret_value(), settings.public_base_url)
    recipient = Recipient.of_profile(profile)
    email = render_alerts(recipient, [match_item(recipient, grant, match, links)], links, "floor")
    return build_message(email, settings.mail_from, settings.mail_from_name)


def measure(project: str, sink_url: str, samples: int) -> dict[str, Any]:
    """`samples` minimal journeys after a few warm-ups: per-step and total percentiles."""
    from google.cloud import firestore, pubsub_v1

    from shared.adapters.pubsub_publisher import PubSubPublisher

    db = firestore.Client(project=project)
    # The product's own publisher, so the floor publishes exactly as the functions do.
    publisher = PubSubPublisher(project, 5.0)
    subscriber = pubsub_v1.SubscriberClient()
    topic = publisher.topic_path(TOPIC)
    subscription = subscriber.subscription_path(project, SUBSCRIPTION)
    body = _alert_body()
    rng = random.Random(SEED)
    session = requests.Session()
    headers = {"Authorization": "Bearer SG.floor"}
    with _receiver() as (port, handler):
        pubsub_v1.PublisherClient().create_topic(name=topic)
        subscriber.create_subscription(
            request={
                "name": subscription,
                "topic": topic,
                "ack_deadline_seconds": 10,
                "push_config": {"push_endpoint": f"http://127.0.0.1:{port}/push"},
            }
        )
        steps: dict[str, list[float]] = {name: [] for name in (*STEPS, "total")}
        try:
            for i in range(samples + 5):
                # A random pause, so samples do not lock onto the emulator's push cycle.
                time.sleep(rng.uniform(0, 0.2))
                handler.arrived.clear()
                began = time.time()
                db.collection("floor").document(f"f{i}").set({"n": i, "at": began})
                written = time.time()
                publisher.publish_raw(TOPIC, b'{"n": %d}' % i, {})
                published = time.time()
                if not handler.arrived.wait(30):
                    raise TimeoutError("the push never arrived")
                pushed = handler.arrived_at
                session.post(f"{sink_url}/v3/mail/send", json=body, headers=headers, timeout=30)
                done = time.time()
                if i < 5:
                    continue  # warm-up: connections, first RPCs
                for name, seconds in zip(
                    STEPS,
                    (written - began, published - written, pushed - published, done - pushed),
                    strict=True,
                ):
                    steps[name].append(seconds)
                steps["total"].append(done - began)
        finally:
            subscriber.delete_subscription(request={"subscription": subscription})
            subscriber.close()
    requests.delete(f"{sink_url}/api/messages", timeout=10)
    return {name: summary(values) for name, values in steps.items()}
