"""How fast one new grant is matched against 1k, 10k and 100k profiles in the Firestore
emulator: indexed candidate queries versus a full scan, in the same run.

    .venv/bin/python -m bench.match_speed                 # 1k, 10k, 100k
    .venv/bin/python -m bench.match_speed --sizes 1000    # quicker

It starts its own emulator (dev/emulators.py) on a free port and stops it at the end. For
each size it prints, per grant shape, the wall time to find and evaluate the candidates
(screen + rank: the match function's work before it writes matches) and the documents
read, for both ways, with the ratios. It also checks that both ways find the same matches.
Not run in CI: the emulator's speed depends on the machine.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path

from dev import emulators, procs

PROJECT = "grantmatch-bench"
SEED = 20261201
MEKONG = ["KH", "LA", "MM", "TH", "VN"]
OTHERS = ["ID", "PH", "MY", "BD", "NP", "LK", "IN", "PK", "KE", "NG", "BR", "CO", "MX", "UA", "GE"]
BATCH = 500


def _profiles(start: int, count: int, rng: random.Random) -> Iterable:
    from shared.domain.models import Profile
    from shared.domain.taxonomy import ApplicantType, Sector

    now = datetime(2026, 11, 1, tzinfo=UTC)
    sectors = [s.value for s in Sector]
    types = [t.value for t in ApplicantType]
    for i in range(start, start + count):
        # Most profiles are Mekong CSOs; a tail is elsewhere (a worldwide platform's reality).
        pool = MEKONG if rng.random() < 0.8 else OTHERS
        yield Profile(
            id=f"a_bench_{i:07d}",
            email=f"cso{i}@bench.example.org",
            org_name=f"CSO {i}",
            countries=rng.sample(pool, rng.choice([1, 1, 1, 2, 3])),
            sectors=rng.sample(sectors, rng.choice([0, 1, 2, 2, 3, 4])),
            applicant_type=rng.choice(types),
            language=rng.choice(["en", "km", "lo", "my", "th", "vi"]),
            keywords=rng.sample(["radio", "land rights", "journalists", "mangrove", "youth"], 1),
            created_at=now,
            updated_at=now,
        )


def _seed(db, start: int, count: int, rng: random.Random) -> float:
    from shared.adapters.firestore.subscribers import PROFILES, profile_document

    began = time.perf_counter()
    batch, pending = db.batch(), 0
    for profile in _profiles(start, count, rng):
        batch.set(db.collection(PROFILES).document(profile.id), profile_document(profile, "b"))
        pending += 1
        if pending == BATCH:
            batch.commit()
            batch, pending = db.batch(), 0
    if pending:
        batch.commit()
    return time.perf_counter() - began


def _grants():
    from shared.domain.models import Grant

    now = datetime(2026, 11, 30, tzinfo=UTC)
    common = {
        "funder_id": "f_bench",
        "created_at": now,
        "updated_at": now,
        "deadline": "2027-03-31",
        "amount_min": 5000,
        "amount_max": 40000,
        "currency": "USD",
    }
    return {
        "regional (KH, LA; 2 sectors; 2 types + sponsor)": Grant(
            id="g_regional",
            external_id="regional",
            title="Digital security for community media",
            description="Training and devices for community radio and journalists.",
            sectors=["digital-security", "media-freedom"],
            countries=["KH", "LA"],
            applicant_types=["registered_ngo", "network"],
            fiscal_sponsor_ok=True,
            **common,
        ),
        "worldwide (any country; 1 sector; 3 types)": Grant(
            id="g_world",
            external_id="world",
            title="Climate adaptation small grants",
            description="Community-led adaptation to floods and drought.",
            sectors=["climate"],
            countries=[],
            applicant_types=["registered_ngo", "network", "unregistered_group"],
            **common,
        ),
    }


def _full_scan(store, collection: str) -> Iterable[dict]:
    """The baseline: read every document (counted like the store's own reads)."""
    for snap in store.client.collection(collection).stream():
        store.documents_read += 1
        yield snap.to_dict()


def _measure(store, fetch: Callable[[], Iterable], grant, today) -> tuple[float, int, set[str]]:
    from shared.domain.models import Profile
    from shared.matching.engine import evaluate

    before = store.documents_read
    began = time.perf_counter()
    matched = set()
    for item in fetch():
        profile = item if isinstance(item, Profile) else Profile.model_validate(item)
        if evaluate(grant, profile, today) is not None:
            matched.add(profile.id)
    return time.perf_counter() - began, store.documents_read - before, matched


def run(sizes: list[int]) -> list[dict]:
    """Print the table; return its rows (for bench/stack_speed.py's JSON)."""
    emulators.check_installed()
    port = procs.free_port()
    emulator = emulators.firestore(port)
    log = Path("test-artifacts/logs/bench-firestore.log")
    process = emulators.start(emulator, log)
    try:
        os.environ["FIRESTORE_EMULATOR_HOST"] = emulator.host_port
        from google.cloud import firestore

        from shared.adapters.firestore.subscribers import PROFILES, FirestoreSubscribers
        from shared.matching.relevance import analyse

        db = firestore.Client(project=PROJECT)
        store = FirestoreSubscribers(db)
        rng = random.Random(SEED)
        today = datetime(2026, 12, 1, tzinfo=UTC).date()
        grants = _grants()
        for grant in grants.values():  # warm the text analysis cache for both ways alike
            analyse(f"{grant.title}\n{grant.description}")
        seeded = 0
        print(f"Firestore emulator at {emulator.host_port}; one new grant vs N profiles")
        header = (
            f"{'profiles':>9} {'grant':<48} {'indexed s':>10} {'reads':>7} {'matches':>7}"
            f" {'scan s':>8} {'reads':>7} {'time x':>7} {'reads x':>8} same"
        )
        print(header)
        rows = []
        for size in sizes:
            seconds = _seed(db, seeded, size - seeded, rng)
            print(f"  (seeded {size - seeded} profiles in {seconds:.1f}s)")
            seeded = size
            repeats = 3 if size <= 10_000 else 1
            for name, grant in grants.items():
                indexed = [
                    _measure(store, lambda g=grant: store.candidate_profiles(g), grant, today)
                    for _ in range(repeats)
                ]
                scan = [
                    _measure(store, lambda: _full_scan(store, PROFILES), grant, today)
                    for _ in range(repeats)
                ]
                i_time = statistics.median(t for t, _, _ in indexed)
                s_time = statistics.median(t for t, _, _ in scan)
                i_reads, s_reads = indexed[0][1], scan[0][1]
                same = "yes" if indexed[0][2] == scan[0][2] else "NO"
                print(
                    f"{size:>9} {name:<48} {i_time:>10.3f} {i_reads:>7} {len(indexed[0][2]):>7}"
                    f" {s_time:>8.3f} {s_reads:>7} {s_time / i_time:>6.1f}x"
                    f" {s_reads / max(1, i_reads):>7.1f}x {same}"
                )
                rows.append(
                    {
                        "profiles": size,
                        "grant": name,
                        "indexed_seconds": round(i_time, 3),
                        "indexed_reads": i_reads,
                        "matches": len(indexed[0][2]),
                        "scan_seconds": round(s_time, 3),
                        "scan_reads": s_reads,
                        "same_matches": same == "yes",
                    }
                )
        return rows
    finally:
        procs.stop(process)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    run(sorted(parser.parse_args().sizes))


if __name__ == "__main__":
    main()
