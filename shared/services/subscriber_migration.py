"""Migration to one subscriber per address, for data stored before it (issue 14).

Before, every alert form sent made a new profile, each was alerted, and unsubscribing
stopped only the one profile. This indexes every profile and project by its address's
keyed hash and then, per address:

- an unsubscribe carries over to every profile and project of the address created before
  it (the person asked for no more email; later requests were deliberate);
- of the confirmed, subscribed profiles, the newest replaces the older ones (as confirming
  a new one does now).

It only ever stops email (never starts any), so running it twice, or while the
functions run, is safe; a second run changes nothing. Rotating the link-signing secret
changes every keyed hash: run it again afterwards.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass

from shared.domain.models import Profile, Project
from shared.domain.recipients import RecipientKind
from shared.runtime.bootstrap import Adapters
from shared.services.submissions import address_key_of
from shared.services.subscriptions import retire_older_profiles

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DedupeReport:
    """What one run changed: keyed hashes written, profiles replaced, records stopped."""

    records: int
    indexed: int
    replaced: int
    unsubscribed: int


def dedupe_subscribers(ad: Adapters) -> DedupeReport:
    """Index every profile and project by keyed hash, then leave each address at most one
    subscribed, confirmed profile and no record that outlived an unsubscribe."""
    by_address: dict[str, list[tuple[RecipientKind, str]]] = defaultdict(list)
    records = indexed = 0
    for kind, rid, email, stored_key in list(ad.subscribers.address_records()):
        records += 1
        key = address_key_of(ad, email)
        if stored_key != key:
            ad.subscribers.set_email_key(kind, rid, key)
            indexed += 1
        by_address[key].append((kind, rid))
    replaced = unsubscribed = 0
    for members in by_address.values():
        if len(members) > 1:
            unsubscribed += _carry_unsubscribe(ad, members)
            replaced += _keep_newest_profile(ad, members)
    report = DedupeReport(records, indexed, replaced, unsubscribed)
    log.info("subscribers deduplicated", extra=report.__dict__)
    return report


def _load(ad: Adapters, members: list[tuple[RecipientKind, str]]) -> list[Profile | Project]:
    loaded: list[Profile | Project | None] = [
        ad.subscribers.get_profile(rid) if kind is RecipientKind.PROFILE else
        ad.subscribers.get_project(rid)
        for kind, rid in members
    ]  # fmt: skip
    return [r for r in loaded if r is not None]


def _carry_unsubscribe(ad: Adapters, members: list[tuple[RecipientKind, str]]) -> int:
    loaded = _load(ad, members)
    asked = [r.unsubscribed_at for r in loaded if r.unsubscribed_at and r.superseded_by is None]
    if not asked:
        return 0
    last = max(asked)
    now = ad.clock.now()
    stopped = 0
    for record in loaded:
        if record.unsubscribed_at is None and record.created_at <= last:
            kind = RecipientKind.PROFILE if isinstance(record, Profile) else RecipientKind.PROJECT
            ad.subscribers.unsubscribe_recipient(kind, record.id, now)
            stopped += 1
    return stopped


def _keep_newest_profile(ad: Adapters, members: list[tuple[RecipientKind, str]]) -> int:
    active = [
        r
        for r in _load(ad, members)
        if isinstance(r, Profile) and r.confirmed and r.unsubscribed_at is None
    ]
    if len(active) < 2:
        return 0
    newest = max(active, key=lambda p: (p.created_at, p.id))
    return len(retire_older_profiles(ad, newest.id))
