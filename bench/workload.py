"""What the end-to-end benchmarks send: confirmed alert profiles that each fit exactly one
kind of grant, grants posted open-loop at a fixed rate, and the emails they cause.

Profile i wants one (country, sector, applicant type); the grant sent for it names the same
three, so every grant matches exactly one profile and every email names the grants it
tells about (`Bench grant 000042` in its text). That makes "emails = matches" countable,
and an email's arrival time the end of its grants' journeys.
"""

from __future__ import annotations

import itertools
import re
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import requests

LANGUAGES = ("en", "km", "lo", "my", "th", "vi")
MARKER = re.compile(r"Bench grant (\d{6})")


@dataclass(frozen=True)
class Target:
    """One seeded profile and the grant shape that fits it (and no other profile)."""

    profile_id: str
    country: str
    sector: str
    applicant_type: str


def targets(count: int) -> list[Target]:
    """`count` distinct (country, sector, applicant type) targets, in a fixed order."""
    import pycountry

    from shared.domain.taxonomy import ApplicantType, Sector

    countries = sorted(c.alpha_2 for c in pycountry.countries)
    sectors = [s.value for s in Sector]
    types = [t.value for t in ApplicantType]
    pairs = itertools.islice(itertools.product(countries, sectors), count)
    return [
        Target(f"a_bench_{i:05d}", country, sector, types[i % len(types)])
        for i, (country, sector) in enumerate(pairs)
    ]


def seed_profiles(db: Any, chosen: list[Target], now: datetime) -> None:
    """Store confirmed instant profiles, as `confirm_recipient` leaves them once their
    owners followed the confirmation link (written directly: thousands of confirmations
    through the stack would load it before the measurement starts)."""
    from shared.adapters.firestore.subscribers import PROFILES, profile_document
    from shared.domain.models import Profile

    batch, pending = db.batch(), 0
    for i, target in enumerate(chosen):
        profile = Profile(
            id=target.profile_id,
            email=f"cso{i}@bench.example.org",
            org_name=f"Bench CSO {i}",
            countries=[target.country],
            sectors=[target.sector],
            applicant_type=target.applicant_type,
            language=LANGUAGES[i % len(LANGUAGES)],
            frequency="instant",
            keywords=["community radio"],
            created_at=now,
            updated_at=now,
            confirmed=True,
            confirmed_at=now,
        )
        batch.set(db.collection(PROFILES).document(profile.id), profile_document(profile, "b"))
        pending += 1
        if pending == 400:
            batch.commit()
            batch, pending = db.batch(), 0
    if pending:
        batch.commit()


def grant_body(number: int, target: Target, today: date) -> dict[str, Any]:
    """A realistic grant that fits exactly `target`, named with its benchmark number."""
    return {
        "external_id": f"bench-{number:06d}",
        "title": f"Bench grant {number:06d}: community radio and digital safety",
        "description": (
            "Small grants for community radio stations and their journalists: training, "
            "devices and secure communication, for groups working with rural communities."
        ),
        "sectors": [target.sector],
        "countries": [target.country],
        "applicant_types": [target.applicant_type],
        "fiscal_sponsor_ok": False,
        "amount_min": 5000,
        "amount_max": 40000,
        "currency": "USD",
        "deadline": (today + timedelta(days=120)).isoformat(),
        "languages": ["en"],
        "url": f"https://funder.example.org/calls/{number}",
    }


@dataclass
class Sent:
    """One POST /grants: when it left, when it was answered, and how."""

    number: int
    sent_at: float
    answered_at: float | None = None
    status: int | None = None
    grant_id: str | None = None
    error: str | None = None

    @property
    def accepted(self) -> bool:
        """Answered 201 (a new grant, stored and announced)."""
        return self.status == 201


class GrantPoster:
    """Posts grants open-loop: request i leaves at start + i/rate whatever happened to the
    earlier ones, so a slow stack meets the offered load rather than throttling it."""

    def __init__(self, ingest_url: str, api_key: str, chosen: list[Target], today: date) -> None:
        self._url = f"{ingest_url}/grants"
        self._headers = {"Authorization": f"Bearer {api_key}"}
        self._targets = chosen
        self._today = today
        self._local = threading.local()
        self._next = 0

    def _session(self) -> requests.Session:
        if not hasattr(self._local, "session"):
            self._local.session = requests.Session()
        return self._local.session

    def _post(self, sent: Sent) -> None:
        target = self._targets[sent.number % len(self._targets)]
        body = grant_body(sent.number, target, self._today)
        headers = {**self._headers, "X-Correlation-Id": f"bench-{sent.number:06d}"}
        try:
            response = self._session().post(self._url, json=body, headers=headers, timeout=60)
            sent.status = response.status_code
            if response.ok:
                sent.grant_id = response.json()["id"]
        except requests.RequestException as exc:
            sent.error = type(exc).__name__
        sent.answered_at = time.time()

    def run(self, rate: float, count: int) -> list[Sent]:
        """Send `count` grants at `rate` per second; return when all are answered."""
        numbers = range(self._next, self._next + count)
        self._next += count
        sent: list[Sent] = []
        with ThreadPoolExecutor(max_workers=min(128, max(4, int(rate * 4)))) as pool:
            start = time.monotonic()
            for i, number in enumerate(numbers):
                delay = start + i / rate - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                item = Sent(number, time.time())
                sent.append(item)
                pool.submit(self._post, item)
        return sent


class Mailbox:
    """Reads the sink's emails incrementally and remembers when each grant was told."""

    def __init__(self, sink_url: str) -> None:
        self._url = f"{sink_url}/api/messages"
        self.seen = 0
        self.told: dict[int, list[float]] = {}
        self.emails = 0

    def poll(self) -> None:
        """Fetch the emails that arrived since the last poll."""
        fresh = requests.get(self._url, params={"since": self.seen}, timeout=60).json()["messages"]
        self.seen += len(fresh)
        for number, received_at in grants_told(fresh):
            self.told.setdefault(number, []).append(received_at)
        self.emails += sum(1 for m in fresh if m.get("categories") == ["alerts"])

    def wait_for(self, numbers: Iterable[int], timeout: float, every: float = 2.0) -> bool:
        """Poll until every grant in `numbers` was told, or `timeout`; True if all were."""
        wanted = set(numbers)
        deadline = time.monotonic() + timeout
        while True:
            self.poll()
            if wanted <= self.told.keys():
                return True
            if time.monotonic() > deadline:
                return False
            time.sleep(every)


def grants_told(messages: Iterable[dict[str, Any]]) -> Iterator[tuple[int, float]]:
    """(grant number, email arrival time) for every benchmark grant an alert email names."""
    for message in messages:
        if message.get("categories") != ["alerts"]:
            continue
        for number in sorted({int(n) for n in MARKER.findall(message.get("text", ""))}):
            yield number, float(message["received_at"])


def today_utc() -> date:
    """Today's date in UTC."""
    return datetime.now(UTC).date()
