"""The invariants every fault test ends with, checked from the outside (Firestore and the
mailbox): every accepted submission is stored, and every match was told exactly once."""

from __future__ import annotations

import re
import secrets
import time
from collections import Counter

import requests

from shared.adapters.firestore.ledgers import OUTBOX
from shared.adapters.firestore.matches import MATCHES
from shared.services.funders import create_funder
from tests.builders import grant_body, profile_body
from tests.faults.conftest import FaultStack
from tests.real_adapters import client_of


def confirmed_profiles(stack: FaultStack, count: int) -> list[str]:
    """`count` instant alert profiles in Laos, each confirmed from its email."""
    tag = secrets.token_hex(3)
    addresses = [f"fault-{tag}-{n}@cso.example.org" for n in range(count)]
    for address in addresses:
        body = profile_body(email=address, language="en", countries=["LA"])
        assert stack.post("/profiles", body).status_code == 201
    for address in addresses:
        stack.wait_until(
            lambda a=address: any(m["to"] == [a] for m in stack.emails()),
            30,
            f"confirmation email to {address}",
        )
        [email] = [m for m in stack.emails() if m["to"] == [address]]
        [url] = re.findall(r"https?://\S+/confirm\?token=\S+", email["text"])
        assert requests.post(url, timeout=30).status_code == 200
    return addresses


def funder_key(stack: FaultStack) -> str:
    return create_funder(stack.ad, "Fault Foundation").api_key


def grant(title: str) -> dict:
    """A grant every profile of `confirmed_profiles` fits."""
    return grant_body(title=title, external_id=title, countries=["LA"])


def told(stack: FaultStack, addresses: list[str], titles: list[str]) -> Counter:
    """How often each (address, grant title) was in an alert email."""
    seen: Counter = Counter()
    for email in stack.emails():
        if email["categories"] != ["alerts"]:
            continue
        for title in titles:
            if title in email["text"]:
                seen[(email["to"][0], title)] += 1
    return Counter({k: v for k, v in seen.items() if k[0] in addresses})


def assert_invariants(
    stack: FaultStack, accepted: dict[str, str], addresses: list[str], timeout: float = 90
) -> None:
    """Every accepted grant (id -> title) is stored; every (address, grant) match was in
    exactly one alert email; nothing is left in the outbox."""
    titles = list(accepted.values())
    expected = {(a, t) for a in addresses for t in titles}
    stack.wait_until(
        lambda: set(told(stack, addresses, titles)) >= expected, timeout, "every match notified"
    )
    time.sleep(3)  # long enough for a redelivery or a relay pass to send a duplicate
    counts = told(stack, addresses, titles)
    assert {pair: counts[pair] for pair in expected} == dict.fromkeys(expected, 1)
    for grant_id, title in accepted.items():
        stored = stack.ad.grants.get(grant_id)
        assert stored is not None and stored.title == title
    matches = list(client_of(stack.ad).collection(MATCHES).stream())
    assert len(matches) == len(expected)
    stack.wait_until(
        lambda: not list(client_of(stack.ad).collection(OUTBOX).limit(1).stream()),
        30,
        "outbox drained",
    )
