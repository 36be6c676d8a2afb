"""Benchmark: a recorded 10k-record source harvested, stored and matched, records per
second and peak memory (next to the bulk import's figure, bench/import_throughput.py).

    .venv/bin/python -m bench.harvest_speed                  # 10,000 records
    .venv/bin/python -m bench.harvest_speed --records 2000 --profiles 50

The source is the UN Partner Portal's list, 100 calls a page: the recorded sample's
calls repeated with new ids, Mekong countries and deadlines after today, served by a
real local HTTP server (pytest-httpserver), read through the connector's own client.
Starts its own Firestore and Pub/Sub emulators on free ports; each measurement runs in a
fresh child process, so its peak RSS (os.wait4) is its own:

- harvest: every page read, every call mapped and stored as a grant (with its event);
- re-harvest: the same pages again, every call unchanged (reads only, nothing written);
- match: each stored grant's `grant.published` handled (candidate queries, screening,
  ranking, matches stored) against `--profiles` confirmed alert profiles.

Not run in CI: it prints figures, it asserts nothing.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bench.import_throughput import _start_emulators

PROJECT = "grantmatch-bench"
SAMPLES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "harvest"
PAGE = 100
COUNTRIES = ["Cambodia", "Lao, People's Dem. Rep", "Myanmar", "Thailand", "Viet Nam"]


def recorded_pages(records: int, today: date) -> list[bytes]:
    """`records` calls in pages of 100, shaped exactly like the recorded sample's."""
    sample = []
    for name in ("projects_page1.json", "projects_page2.json"):
        sample += json.loads((SAMPLES / "un_partner_portal" / name).read_text())["results"]
    pages = []
    for start in range(0, records, PAGE):
        results = []
        for n in range(start, min(start + PAGE, records)):
            call = copy.deepcopy(sample[n % len(sample)])
            call["displayID"] = f"CEF/BEN/2026/{n:06d}"
            call["pdf_export_url"] = f"/api/public/export/projects/{100000 + n}/"
            call["countries"] = [COUNTRIES[n % len(COUNTRIES)]]
            call["deadline_date"] = (today + timedelta(days=30 + n % 300)).isoformat()
            results.append(call)
        more = start + PAGE < records
        body = {"count": records, "next": "more" if more else None, "previous": None}
        pages.append(json.dumps({**body, "results": results}).encode())
    return pages


# -- child side -----------------------------------------------------------------------------
def _child(mode: str, base_url: str) -> None:
    import requests

    from shared.harvest.un_partner_portal import UnPartnerPortal
    from shared.runtime.bootstrap import adapters
    from shared.services.harvest import run_harvest

    ad = adapters()
    started = time.perf_counter()
    if mode == "idle":
        print(json.dumps({"seconds": 0, "records": 0}))
        return
    if mode == "match":
        from shared.domain.events import GrantPublished, new_event
        from shared.services.matchmaking import on_grant_published

        client = ad.grants.client  # type: ignore[attr-defined]
        grants = [(s.id, s.get("funder_id")) for s in client.collection("grants").stream()]
        matches = 0
        for gid, funder in grants:
            event = new_event(
                GrantPublished(grant_id=gid, funder_id=funder, revision=1),
                correlation_id="bench-match",
                now=ad.clock.now(),
            )
            matches += len(on_grant_published(event, ad))
        result = {"records": len(grants), "matches": matches}
    else:
        with requests.Session() as session:
            connector = UnPartnerPortal(session, base_url=base_url)
            report = run_harvest(
                ad, connector, run_id=f"bench-{mode}", correlation_id="bench", max_pages=10_000
            )
        result = {"records": report.summary.seen, "written": report.written}
    result["seconds"] = time.perf_counter() - started
    print(json.dumps(result))


def _profiles(count: int) -> None:
    """Confirmed alert profiles across the five countries, stored directly."""
    from shared.domain.events import SubscriptionConfirmed, new_event
    from shared.domain.models import ProfileSubmission
    from shared.domain.recipients import RecipientKind
    from shared.runtime.bootstrap import adapters
    from shared.services.submissions import submit_profile

    ad = adapters()
    codes = ["KH", "LA", "MM", "TH", "VN"]
    for n in range(count):
        submission = ProfileSubmission(
            email=f"bench{n}@cso.example.org",
            org_name=f"Bench CSO {n}",
            countries=[codes[n % len(codes)]],
            sectors=[],
            applicant_type="registered_ngo",
            language="en",
            frequency="instant",
        )
        accepted = submit_profile(ad, submission, idempotency_key=None, correlation_id="bench")
        now = ad.clock.now()
        event = new_event(
            SubscriptionConfirmed(recipient_kind=RecipientKind.PROFILE, recipient_id=accepted.id),
            correlation_id="bench",
            now=now,
        )
        ad.subscribers.confirm_recipient(RecipientKind.PROFILE, accepted.id, now, event)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--profiles", type=int, default=100)
    parser.add_argument("--child", nargs=2, metavar=("MODE", "BASE_URL"))
    args = parser.parse_args()
    if args.child:
        _child(*args.child)
        return

    from pytest_httpserver import HTTPServer
    from werkzeug import Request, Response

    from dev import procs

    pages = recorded_pages(args.records, datetime.now(UTC).date())
    served = HTTPServer(host="127.0.0.1", port=0)

    def page(request: Request) -> Response:
        number = int(request.args.get("page", "1"))
        return Response(pages[number - 1], content_type="application/json")

    served.expect_request("/api/public/projects/").respond_with_handler(page)
    served.start()
    print(f"cores: {os.cpu_count()}; python {sys.version.split()[0]}; {args.records} records")
    started, env = _start_emulators()
    env["HARVEST_UNPP_BASE_URL"] = served.url_for("/")
    try:
        os.environ.update(env)
        from google.cloud import pubsub_v1

        publisher = pubsub_v1.PublisherClient()
        for topic in ("grant-published", "match-found", "profile-created"):
            publisher.create_topic(name=publisher.topic_path(PROJECT, topic))
        _profiles(args.profiles)
        base = served.url_for("/")
        _, idle = _run_child(env, "idle", base)
        first, first_mib = _run_child(env, "harvest", base)
        again, again_mib = _run_child(env, "reharvest", base)
        matched, match_mib = _run_child(env, "match", base)
        print(f"baseline: a child that only loads the harvest modules peaks at {idle:.0f} MiB")
        print(f"{'step':<11} {'records':>8} {'written':>8} {'records/s':>10} {'peak MiB':>9}")
        for name, result, mib in (
            ("harvest", first, first_mib),
            ("re-harvest", again, again_mib),
            ("match", matched, match_mib),
        ):
            rate = result["records"] / result["seconds"]
            written = result.get("written", result.get("matches", 0))
            print(f"{name:<11} {result['records']:>8} {written:>8} {rate:>10.0f} {mib:>9.0f}")
        whole = first["seconds"] + matched["seconds"]
        print(
            f"harvest -> stored -> matched: {first['records'] / whole:.0f} records/s "
            f"({matched['matches']} matches against {args.profiles} profiles)"
        )
    finally:
        served.stop()
        for process in started:
            procs.stop(process)


def _run_child(env: dict[str, str], *args: str) -> tuple[dict, float]:
    """Run one measurement in a fresh process; its JSON and its peak RSS in MiB."""
    import subprocess

    process = subprocess.Popen(
        [sys.executable, "-m", "bench.harvest_speed", "--child", *args],
        stdout=subprocess.PIPE,
        env=env,
    )
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"child {args} failed")
    return json.loads(output.decode().strip().splitlines()[-1]), usage.ru_maxrss / 1024


if __name__ == "__main__":
    main()
