"""Benchmark: open-data grants imported per second into the emulators, and peak memory.

    .venv/bin/python -m bench.import_throughput                 # 10k and 100k, all formats
    .venv/bin/python -m bench.import_throughput --sizes 10000 --formats iati
    .venv/bin/python -m bench.import_throughput --gigabyte      # also parse a ~1 GB IATI file

Starts its own Firestore and Pub/Sub emulators (dev/emulators.py) on free ports, writes
the files under bench/.data/ (kept for later runs), and runs every measurement in a
fresh child process, so each peak RSS (os.wait4) belongs to that run alone:

- parse: read and map every record, no I/O (the parser's own speed and memory);
- import: into an empty database, every grant new (writes + one event each);
- re-import: the same file again, every grant unchanged (reads only, no event).

Not run in CI: it prints figures, it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

DATA = Path(__file__).resolve().parent / ".data"
PROJECT = "grantmatch-bench"
FORMATS = ("360giving", "iati", "grantsgov")


# -- child side: one measurement, printed as JSON ------------------------------------------
def _child(mode: str, fmt: str, path: str, funder_id: str) -> None:
    from shared.importers import read_records

    if mode == "idle":
        import shared.services.imports  # noqa: F401  (the modules an import loads)

        print(json.dumps({"seconds": 0, "records": 0}))
        return
    started = time.perf_counter()
    with open(path, "rb") as stream:
        if mode == "parse":
            count = sum(1 for _ in read_records(fmt, stream))
            result = {"records": count}
        else:
            from shared.runtime.bootstrap import adapters
            from shared.services.imports import import_grants

            ad = adapters()
            report = import_grants(ad, funder_id, read_records(fmt, stream), correlation_id="bench")
            result = {k: v for k, v in report.as_dict(0).items() if k != "problems"}
    result["seconds"] = time.perf_counter() - started
    print(json.dumps(result))


# -- parent side ---------------------------------------------------------------------------
def _run_child(env: dict[str, str], *args: str) -> tuple[dict, float]:
    """Run one measurement; returns its JSON and its peak RSS in MiB."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.import_throughput", "--child", *args],
        stdout=subprocess.PIPE,
        env=env,
    )
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"child {args} failed with {process.returncode}")
    peak_mib = usage.ru_maxrss / 1024  # kilobytes on Linux
    return json.loads(output.decode().strip().splitlines()[-1]), peak_mib


def _start_emulators() -> tuple[list, dict[str, str]]:
    from dev import emulators, procs

    emulators.check_installed()
    logs = Path("test-artifacts/logs")
    fs = emulators.firestore(procs.free_port())
    ps = emulators.pubsub(procs.free_port())
    started = [emulators.start(e, logs / f"bench-{e.name}.log") for e in (fs, ps)]
    env = {
        **os.environ,
        "GOOGLE_CLOUD_PROJECT": PROJECT,
        "FIRESTORE_EMULATOR_HOST": fs.host_port,
        "PUBSUB_EMULATOR_HOST": ps.host_port,
        "LOG_LEVEL": "WARNING",
    }
    return started, env


def _prepare(env: dict[str, str]) -> str:
    """The topic the events go to, and a funder the grants belong to."""
    os.environ.update(env)
    from google.cloud import pubsub_v1

    from shared.runtime.bootstrap import adapters
    from shared.services.funders import create_funder

    publisher = pubsub_v1.PublisherClient()
    publisher.create_topic(name=publisher.topic_path(PROJECT, "grant-published"))
    ad = adapters()
    return create_funder(ad, "Bench Fund").funder_id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--gigabyte", action="store_true", help="also parse a ~1 GB IATI file")
    parser.add_argument("--child", nargs=4, metavar=("MODE", "FORMAT", "FILE", "FUNDER"))
    args = parser.parse_args()
    if args.child:
        _child(*args.child)
        return

    from bench.open_data_files import open_data_file
    from dev import emulators, procs

    sizes = [int(s) for s in args.sizes.split(",")]
    formats = args.formats.split(",")
    print(f"cores: {os.cpu_count()}; python {sys.version.split()[0]}; writing files to {DATA}")
    started, env = _start_emulators()
    try:
        funder_id = _prepare(env)
        _, idle_mib = _run_child(env, "idle", "iati", "-", funder_id)
        print(f"baseline: a child that only loads the import modules peaks at {idle_mib:.0f} MiB")
        header = (
            f"{'format':<10} {'records':>8} {'file MB':>8} | {'parse/s':>8} {'MiB':>5} | "
            f"{'import/s':>8} {'MiB':>5} {'events':>7} | "
            f"{'re-import/s':>11} {'MiB':>5} {'events':>6}"
        )
        print(header)
        print("-" * len(header))
        rows: dict[tuple[str, int], tuple[float, float]] = {}
        for fmt in formats:
            for size in sizes:
                path = open_data_file(DATA, fmt, size)
                emulators.reset_firestore(env["FIRESTORE_EMULATOR_HOST"], PROJECT)
                parsed, parse_mib = _run_child(env, "parse", fmt, str(path), funder_id)
                first, import_mib = _run_child(env, "import", fmt, str(path), funder_id)
                again, reimport_mib = _run_child(env, "import", fmt, str(path), funder_id)
                rate = first["records"] / first["seconds"]
                rows[(fmt, size)] = (rate, import_mib)
                print(
                    f"{fmt:<10} {size:>8} {path.stat().st_size / 1e6:>8.1f} | "
                    f"{parsed['records'] / parsed['seconds']:>8.0f} {parse_mib:>5.0f} | "
                    f"{rate:>8.0f} {import_mib:>5.0f} {first['events']:>7} | "
                    f"{again['records'] / again['seconds']:>11.0f} {reimport_mib:>5.0f} "
                    f"{again['events']:>6}",
                    flush=True,
                )
                if first["created"] != size or again["unchanged"] != size:
                    print(f"  ! expected {size} new then {size} unchanged: {first} / {again}")
        if len(sizes) > 1:
            small, large = min(sizes), max(sizes)
            for fmt in formats:
                (r1, m1), (r2, m2) = rows[(fmt, small)], rows[(fmt, large)]
                print(
                    f"{fmt}: x{large // small} records -> import rate x{r2 / r1:.2f}, "
                    f"peak memory x{m2 / m1:.2f}"
                )
        if args.gigabyte:
            path = open_data_file(DATA, "iati", 700_000)
            parsed, mib = _run_child(env, "parse", "iati", str(path), funder_id)
            print(
                f"iati {path.stat().st_size / 1e9:.2f} GB, {parsed['records']} records: parsed at "
                f"{parsed['records'] / parsed['seconds']:.0f}/s, peak {mib:.0f} MiB"
            )
    finally:
        for process in started:
            procs.stop(process)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"(the benchmark driver itself peaked at {own:.0f} MiB)")


if __name__ == "__main__":
    main()
