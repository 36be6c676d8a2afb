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
  ranking, matches stored) against `--profiles` confirmed alert profiles;
- import: for comparison, bench/import_throughput.py's bulk import of a Grants.gov XML
  file of as many records into an empty database, on the same emulators.

`make bench` runs `measure` (its "harvest" step) and bench/report.py prints the table.
Not run in CI: it prints figures, it asserts nothing.
"""

from __future__ import annotations

import argparse
import copy
import json
import logging
import os
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

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
            payload = GrantPublished(grant_id=gid, funder_id=funder, revision=1)
            event = new_event(payload, correlation_id="bench-match", now=ad.clock.now())
            matches += len(on_grant_published(event, ad, payload))
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


def measure(records: int = 10_000, profiles: int = 5) -> dict[str, Any]:
    """Every step in its own child process against fresh emulators; the figures as data
    (what `make bench` stores and bench/report.py renders)."""
    from pytest_httpserver import HTTPServer
    from werkzeug import Request, Response

    from bench.import_throughput import DATA
    from bench.open_data_files import open_data_file
    from dev import emulators, procs

    pages = recorded_pages(records, datetime.now(UTC).date())
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # not a line per page served
    served = HTTPServer(host="127.0.0.1", port=0)

    def page(request: Request) -> Response:
        number = int(request.args.get("page", "1"))
        return Response(pages[number - 1], content_type="application/json")

    served.expect_request("/api/public/projects/").respond_with_handler(page)
    served.start()
    started, env = _start_emulators()
    env["HARVEST_UNPP_BASE_URL"] = served.url_for("/")
    try:
        os.environ.update(env)
        from google.cloud import pubsub_v1

        publisher = pubsub_v1.PublisherClient()
        for topic in ("grant-published", "match-found", "profile-created"):
            publisher.create_topic(name=publisher.topic_path(PROJECT, topic))
        _profiles(profiles)
        base = served.url_for("/")
        _, idle = _run_child(env, "idle", base)
        steps: dict[str, dict[str, Any]] = {}
        for name in ("harvest", "reharvest", "match"):
            result, mib = _run_child(env, name, base)
            steps[name] = {**result, "peak_mib": round(mib, 1)}
            print(f"  {name}: {result} peak {mib:.0f} MiB", file=sys.stderr, flush=True)
        # The bulk import's figure, on the same machine and emulators, for comparison:
        # a Grants.gov XML file of as many records, into an empty database.
        emulators.reset_firestore(env["FIRESTORE_EMULATOR_HOST"], PROJECT)
        path = open_data_file(DATA, "grantsgov", records)
        result, mib = _import_child(env, str(path))
        steps["import"] = {**result, "peak_mib": round(mib, 1)}
    finally:
        served.stop()
        for process in started:
            procs.stop(process)
    for step in steps.values():
        step["per_second"] = round(step["records"] / step["seconds"], 1)
    harvest, match = steps["harvest"], steps["match"]
    return {
        "records": records,
        "profiles": profiles,
        "baseline_mib": round(idle, 1),
        "steps": steps,
        # harvest -> stored -> matched: every record read, the open ones stored and
        # every stored one matched, over the time of both steps.
        "end_to_end_per_second": round(
            harvest["records"] / (harvest["seconds"] + match["seconds"]), 1
        ),
        "end_to_end_peak_mib": max(harvest["peak_mib"], match["peak_mib"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--profiles", type=int, default=5)
    parser.add_argument("--child", nargs=2, metavar=("MODE", "BASE_URL"))
    args = parser.parse_args()
    if args.child:
        _child(*args.child)
        return
    print(f"cores: {os.cpu_count()}; python {sys.version.split()[0]}; {args.records} records")
    results = measure(args.records, args.profiles)
    from bench.report import harvest

    print(harvest({"harvest": results}))


def _import_child(env: dict[str, str], path: str) -> tuple[dict, float]:
    """bench/import_throughput.py's import of `path` for a new funder, in a fresh process."""
    from shared.runtime.bootstrap import adapters
    from shared.services.funders import create_funder

    funder_id = create_funder(adapters(), "Bench Fund").funder_id
    args = ("import", "grantsgov", path, funder_id)
    return _run_child(env, *args, module="bench.import_throughput")


def _run_child(
    env: dict[str, str], *args: str, module: str = "bench.harvest_speed"
) -> tuple[dict, float]:
    """Run one measurement in a fresh process; its JSON and its peak RSS in MiB."""
    import subprocess

    process = subprocess.Popen(
        [sys.executable, "-m", module, "--child", *args],
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
