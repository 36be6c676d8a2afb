"""`make bench`: the local stack's speed, measured against its own floor.

    .venv/bin/python -m bench.stack_speed            # full run (about 35 minutes)
    .venv/bin/python -m bench.stack_speed --quick    # about 8 minutes: shorter, no 100k

Starts its own emulators, sink, functions and relay on free ports (bench/local_stack.py),
never `make dev`'s. In order:

1. cold start: each function's import time in fresh interpreters, next to its libraries;
2. the floor: one Firestore write + one publish + one push + one sink POST, by this script;
3. latency as designed (batching window 2 s, relay every 2 s), then the processing latency
   alone (window 0, relay every 0.25 s, every I/O call timed): 201 -> email percentiles,
   hop by hop, with the first (cold) grant apart;
4. throughput: offered load rising in steps until p95 passes 2 s or delivery falls behind,
   with the peak memory of every process and a count of anything lost;
5. matching scale: bench/match_speed.py (1k/10k/100k profiles, indexed vs full scan);
6. harvest: bench/harvest_speed.py (a recorded 10k-record source harvested, stored and
   matched, records/s and peak memory, next to the bulk import of as many records).

Prints Markdown tables and writes bench/results/<date>-<commit>.json. Not run by `make
test`: the figures depend on the machine, and the script asserts nothing. Before measuring
it waits (up to 20 minutes) for the 1-minute load average to fall under 0.7, because the
machine is shared; every measurement records the load at its start and end.
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import cold_start, e2e, floor, harvest_speed, local_stack, match_speed, report
from bench.machine import describe, loadavg, wait_until_quiet

RESULTS = Path(__file__).resolve().parent / "results"
FULL = {
    "cold_runs": 7,
    "floor_samples": 100,
    "latency_grants": 200,
    # Fine steps around the knee this machine shows (10-16/s), coarse beyond.
    "rates": [5, 10, 12, 14, 16, 20, 30, 40],
    "step_seconds": 60,
    "sizes": [1_000, 10_000, 100_000],
    "harvest_records": 10_000,
    # One profile per Mekong country: each stored call matches one (how matching scales
    # with profiles is match_speed's measurement, above).
    "harvest_profiles": 5,
}
QUICK = {**FULL, "cold_runs": 3, "floor_samples": 60, "latency_grants": 100, "step_seconds": 20}
QUICK["sizes"] = [1_000, 10_000]
QUICK["harvest_records"] = 2_000


def _stamp(title: str) -> None:
    print(f"== {title} (load {loadavg()[0]:.2f})", flush=True)


def measure(plan: dict[str, Any], skip: set[str]) -> dict[str, Any]:
    """Run every measurement not in `skip`; return the results."""
    results: dict[str, Any] = {}
    if "cold" not in skip:
        _stamp("cold start")
        began = loadavg()
        results["cold_start"] = cold_start.measure(plan["cold_runs"])
        results["cold_start"]["loadavg"] = {"start": began, "end": loadavg()}
    stack = local_stack.start_stack()
    try:
        if "floor" not in skip:
            _stamp("floor")
            began = loadavg()
            results["floor"] = floor.measure(
                local_stack.PROJECT, stack.sink_url, plan["floor_samples"]
            )
            results["floor_loadavg"] = {"start": began, "end": loadavg()}
        if "latency" not in skip:
            count = plan["latency_grants"]
            _stamp("latency as designed")
            results["latency_designed"] = e2e.latency(
                stack, "designed", local_stack.DESIGNED, count
            )
            _stamp("processing latency (traced)")
            results["latency_processing"] = e2e.latency(
                stack, "processing", local_stack.PROCESSING, count, traced=True
            )
        if "throughput" not in skip:
            _stamp("throughput")
            results["throughput"] = e2e.throughput(
                stack,
                "throughput",
                local_stack.PROCESSING,
                plan["rates"],
                plan["step_seconds"],
                on_step=_print_step,
            )
    finally:
        stack.stop()
    if "scale" not in skip:
        _stamp("matching scale")
        results["matching_scale"] = match_speed.run(plan["sizes"])
    if "harvest" not in skip:
        _stamp("harvest")
        began = loadavg()
        results["harvest"] = harvest_speed.measure(
            plan["harvest_records"], plan["harvest_profiles"]
        )
        results["harvest"]["loadavg"] = {"start": began, "end": loadavg()}
    return results


def _print_step(step: dict[str, Any]) -> None:
    figures = step["accepted_to_email"]
    print(
        f"  {step['offered_per_second']:>5}/s offered: {step['delivered_per_second']}/s delivered,"
        f" p50 {figures.get('p50')} s, p95 {figures.get('p95')} s"
        f"{'  BROKE' if step['broke'] else ''}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark the local stack (make bench).")
    parser.add_argument("--quick", action="store_true", help="shorter run (about 8 minutes)")
    parser.add_argument("--no-wait", action="store_true", help="do not wait for a quiet machine")
    parser.add_argument(
        "--skip",
        nargs="*",
        default=[],
        choices=["cold", "floor", "latency", "throughput", "scale", "harvest"],
        help="leave these measurements out",
    )
    parser.add_argument("--out", type=Path, default=RESULTS, help="folder for the JSON file")
    args = parser.parse_args()
    plan = QUICK if args.quick else FULL
    options = [a for a in ("--quick", "--no-wait") if getattr(args, a[2:].replace("-", "_"))]
    options += [f"--skip {name}" for name in args.skip]
    machine = describe()
    quiet = None if args.no_wait else wait_until_quiet(below=0.7, max_wait=20 * 60)
    started = time.monotonic()
    results: dict[str, Any] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M"),
        "machine": machine,
        "options": options,
        "plan": plan,
        "quiet": quiet,
        "loadavg_start": loadavg(),
    }
    results.update(measure(plan, set(args.skip)))
    results["loadavg_end"] = loadavg()
    results["seconds"] = round(time.monotonic() - started)
    args.out.mkdir(parents=True, exist_ok=True)
    name = f"{datetime.now(UTC):%Y-%m-%d-%H%M}-{machine['commit']}.json"
    path = args.out / name
    path.write_text(json.dumps(results, indent=1) + "\n")
    print()
    print(report.render(results), end="")
    print(f"\nWritten {path} ({results['seconds']} s)")


if __name__ == "__main__":
    main()
