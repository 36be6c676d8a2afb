"""Tables from a `make bench` result file, in Markdown (read in a terminal as they are,
pasted into BENCHMARKS.md), and a before/after comparison of two result files.

    .venv/bin/python -m bench.report bench/results/<file>.json
    .venv/bin/python -m bench.report --compare before.json after.json
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from bench.stats import ratio

PCT = ("p50", "p95", "p99")
TIER_MIB = 256
NOT_STACK = (
    "benchmark client",
    "other processes",
)  # Cloud Functions' memory tier the functions are meant to fit


def table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A Markdown table; numbers right-aligned."""
    rows = [[_cell(v) for v in row] for row in rows]
    align = ["---:" if rows and _numeric(rows[0][i]) else "---" for i in range(len(header))]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.1f}" if abs(value) >= 1 or value == 0 else f"{value:.3f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _numeric(text: str) -> bool:
    return text.replace(",", "").replace(".", "").replace("x", "").lstrip("-").isdigit()


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


def machine(results: dict[str, Any]) -> str:
    """Where and when, and how busy the machine was."""
    m, quiet = results["machine"], results.get("quiet") or {}
    rows = [
        ("date (UTC)", results["date"]),
        ("commit", m["commit"]),
        ("CPU", f"{m['cpu']}, {m['cores']} cores"),
        ("RAM", f"{m['ram_gib']} GiB"),
        ("Python", m["python"]),
        ("Firestore emulator", m["firestore_emulator"]),
        ("Pub/Sub emulator", m["pubsub_emulator"]),
        ("Java", m["java"]),
        ("load average at start (1/5/15 min)", " / ".join(map(str, results["loadavg_start"]))),
        ("load average at end", " / ".join(map(str, results["loadavg_end"]))),
        (
            "waited for a quiet machine",
            f"{quiet.get('waited_seconds', 0)} s (1-min load < {quiet.get('threshold', '–')}: "
            f"{'reached' if quiet.get('quiet') else 'not reached'})"
            if quiet
            else "no (--no-wait)",
        ),
        ("options", " ".join(results["options"]) or "full run"),
    ]
    return table(("", ""), rows)


def latency(results: dict[str, Any]) -> str:
    """Accepted (201) -> email percentiles, as designed and processing only, vs the floor."""
    floor = results["floor"]["total"]
    rows = []
    for key, label in (
        ("latency_designed", "as designed (window {w}s, relay every {r}s)"),
        ("latency_processing", "processing only (window {w}s, relay every {r}s)"),
    ):
        run = results.get(key)
        if not run:
            continue
        timing, figures = run["timing"], run["accepted_to_email"]
        rows.append(
            (
                label.format(w=timing["window_seconds"], r=timing["relay_every"]),
                figures["count"],
                *(_ms(figures[p]) for p in ("p50", "p95", "p99")),
                *(f"{ratio(figures[p], floor[p])}x" for p in ("p50", "p95", "p99")),
            )
        )
    rows.append(
        (
            "floor: 1 write + 1 publish + 1 push + 1 sink POST",
            floor["count"],
            *(_ms(floor[p]) for p in ("p50", "p95", "p99")),
            "1x",
            "1x",
            "1x",
        )
    )
    header = ("201 -> email in the sink", "grants", "p50 ms", "p95 ms", "p99 ms")
    return table((*header, "p50 / floor", "p95 / floor", "p99 / floor"), rows)


def floor_steps(results: dict[str, Any]) -> str:
    """The floor's steps."""
    return table(
        ("floor step", "p50 ms", "p95 ms", "p99 ms"),
        [(step, *(_ms(f[p]) for p in PCT)) for step, f in results["floor"].items()],
    )


def hops(results: dict[str, Any]) -> str:
    """Per hop, p50 and p95 in both timings, and the cold first grant."""
    designed = results.get("latency_designed") or {}
    processing = results.get("latency_processing") or {}
    names = list((processing or designed).get("hops", {}))
    rows = []
    for name in names:
        d = designed.get("hops", {}).get(name, {})
        p = processing.get("hops", {}).get(name, {})
        cold = ((processing.get("cold_first_grant") or {}).get("hops") or {}).get(name)
        figures = (d.get("p50"), d.get("p95"), p.get("p50"), p.get("p95"), cold)
        rows.append((name, *(_ms(f) for f in figures)))
    header = ("hop (POST -> email)", "designed p50", "p95", "processing p50", "p95")
    return table((*header, "first grant (cold)"), rows)


def io_costs(results: dict[str, Any], top: int = 6) -> str:
    """The most expensive I/O calls per process (traced processing run)."""
    costs = results["latency_processing"]["io_ms_per_grant"]
    note = (
        "Every store call, publish, send and alert rendering, timed in the functions"
        " (bench/traced.py), divided by the grants of the run. The relay's calls serve every"
        " grant at once (its passes run whether or not anything is due).\n\n"
    )
    rows = []
    for process, ops in costs.items():
        for op, figures in list(ops.items())[:top]:
            per = (figures["calls_per_grant"], figures["ms_per_call"], figures["ms_per_grant"])
            rows.append((process, op, *per))
    return note + table(("process", "call", "calls / grant", "ms / call", "ms / grant"), rows)


def throughput(results: dict[str, Any]) -> str:
    """Offered load steps, each held for the same time and drained before the next."""
    run = results["throughput"]
    note = (
        f"Each step offers grants open-loop for {run['seconds_per_step']} s, then waits until"
        f" every accepted grant was emailed. Highest load sustained (p95 <= 2 s, delivery"
        f" >= 90% of offered): {run['max_sustained_per_second']}/s delivered; p95 passed 2 s"
        f" at {run['p95_over_2s_at_per_second'] or 'no step'} /s offered; most delivered"
        f" in any step: {run.get('max_delivered_per_second', '–')}/s.\n\n"
    )
    rows = [
        (
            s["offered_per_second"],
            s["delivered_per_second"],
            *(_ms(s["accepted_to_email"].get(p)) for p in ("p50", "p95", "p99")),
            _ms(s["ingest_response"].get("p95")),
            f"{s['emailed']}/{s['accepted_201']}/{s['posted']}",
            round(sum(v for k, v in s["cpu_cores"].items() if k not in NOT_STACK), 2),
            s["cpu_cores"].get("firestore (emulator)"),
            s["cpu_cores"].get("other processes"),
            "/".join(f"{x:.1f}" for x in s["loadavg"]["start"][:1] + s["loadavg"]["end"][:1]),
            "BROKE" if s["broke"] else "ok",
        )
        for s in run["steps"]
    ]
    header = ("offered /s", "delivered /s", "p50 ms", "p95 ms", "p99 ms", "ingest p95 ms")
    extra = ("emailed/accepted/posted", "stack cores", "of which Firestore emulator")
    extra += ("other processes' cores", "load start/end")
    return note + table((*header, *extra, ""), rows)


def accounting(results: dict[str, Any]) -> str:
    """Nothing lost: per run, what was accepted, stored, matched and emailed."""
    keys = ("latency_designed", "latency_processing", "throughput")
    rows = []
    for key in keys:
        a = (results.get(key) or {}).get("accounting")
        if a:
            rows.append(
                (
                    key.replace("_", " "),
                    a["accepted_201"],
                    a["grants_in_firestore"],
                    a["matches_in_firestore"],
                    a["grants_emailed"],
                    a["grants_emailed_twice"],
                    a["refused_or_failed"],
                    a["lost"],
                )
            )
    header = ("run", "accepted 201", "grants stored", "matches", "grants emailed")
    return table((*header, "emailed twice", "refused/failed", "lost"), rows)


def memory(results: dict[str, Any]) -> str:
    """Peak memory of each process tree under the throughput load."""
    rows = [
        (name, m["peak_pss_mib"], m["max_process_hwm_mib"], m["peak_pss_mib"] < TIER_MIB)
        for name, m in results["throughput"]["memory"].items()
    ]
    return table(("process tree", "peak PSS MiB", "largest VmHWM MiB", "< 256 MiB"), rows)


def cold_start(results: dict[str, Any]) -> str:
    """Import time of each function next to its client libraries."""
    cold = results["cold_start"]
    rows = [
        (
            name,
            _ms(f["import_seconds"]),
            f["modules"],
            ", ".join(f["heavy_libraries_loaded"]) or "–",
            ", ".join(f"{k} {_ms(v)}" for k, v in list(f["top_packages_seconds"].items())[:4]),
        )
        for name, f in cold["functions"].items()
    ]
    functions = table(
        ("function", "import ms", "modules", "optional libraries loaded", "top packages (ms)"), rows
    )
    libraries = table(
        ("library (bare import)", "ms"), [(k, _ms(v)) for k, v in cold["libraries"].items()]
    )
    return functions + "\n\n" + libraries


def matching_scale(results: dict[str, Any]) -> str:
    """bench/match_speed.py's figures."""
    rows = [
        (
            r["profiles"],
            r["grant"],
            r["indexed_seconds"],
            r["indexed_reads"],
            r["scan_seconds"],
            r["scan_reads"],
            f"{ratio(r['scan_reads'], max(1, r['indexed_reads']))}x",
            r["same_matches"],
        )
        for r in results["matching_scale"]
    ]
    header = ("profiles", "new grant", "indexed s", "reads", "full scan s", "reads")
    return table((*header, "reads saved", "same matches"), rows)


def harvest(results: dict[str, Any]) -> str:
    """bench/harvest_speed.py's figures: a recorded source harvested, stored and matched,
    next to the bulk import of a file of as many records."""
    h = results["harvest"]
    steps = h["steps"]
    labels = (
        ("import", "bulk import (Grants.gov XML file, stored with events)", "created"),
        ("harvest", "harvest (UN Partner Portal pages over HTTP, stored with events)", "written"),
        ("reharvest", "re-harvest (the same pages, all unchanged)", "written"),
        ("match", f"match the harvested grants ({h['profiles']} profiles)", "matches"),
    )
    rows = [
        (
            label,
            steps[key]["records"],
            steps[key].get(done),
            steps[key]["per_second"],
            steps[key]["peak_mib"],
        )
        for key, label, done in labels
        if key in steps
    ]
    rows.append(
        (
            "harvest -> stored -> matched",
            steps["harvest"]["records"],
            steps["match"].get("matches"),
            h["end_to_end_per_second"],
            h["end_to_end_peak_mib"],
        )
    )
    header = ("step", "records", "stored / matches", "records/s", "peak MiB")
    note = f"\n\nA child that only loads the harvest modules peaks at {h['baseline_mib']} MiB."
    return table(header, rows) + note


def render(results: dict[str, Any]) -> str:
    """Every table, with headings."""
    sections = [
        ("Machine", machine),
        ("End-to-end latency", latency),
        ("The floor, step by step", floor_steps),
        ("Where the time goes, hop by hop (ms)", hops),
        ("I/O per grant (traced processing run)", io_costs),
        ("Throughput at rising offered load (processing timing)", throughput),
        ("Nothing lost", accounting),
        ("Peak memory under load", memory),
        ("Cold start", cold_start),
        ("Matching scale (bench/match_speed.py)", matching_scale),
        ("Harvest next to the bulk import (bench/harvest_speed.py)", harvest),
    ]
    parts = []
    for title, render_section in sections:
        try:
            parts.append(f"### {title}\n\n{render_section(results)}")
        except (KeyError, TypeError):
            continue  # a section this run did not measure
    return "\n\n".join(parts) + "\n"


def _key_figures(results: dict[str, Any]) -> dict[str, Any]:
    def get(*path: str) -> Any:
        value: Any = results
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        return value

    figures = {}
    for run in ("latency_designed", "latency_processing"):
        for p in ("p50", "p95", "p99"):
            figures[f"{run} {p} ms"] = _ms(get(run, "accepted_to_email", p))
        figures[f"{run} ingest p50 ms"] = _ms(get(run, "ingest_response", "p50"))
    figures["floor p50 ms"] = _ms(get("floor", "total", "p50"))
    figures["throughput: max sustained /s"] = get("throughput", "max_sustained_per_second")
    figures["throughput: p95 > 2 s at /s"] = get("throughput", "p95_over_2s_at_per_second")
    figures["throughput: most delivered /s"] = get("throughput", "max_delivered_per_second")
    for name, f in (get("cold_start", "functions") or {}).items():
        figures[f"cold import {name} ms"] = _ms(f["import_seconds"])
    for name, m in (get("throughput", "memory") or {}).items():
        figures[f"peak PSS {name} MiB"] = m["peak_pss_mib"]
    for step, s in (get("harvest", "steps") or {}).items():
        figures[f"{step} records/s"] = s["per_second"]
        figures[f"{step} peak MiB"] = s["peak_mib"]
    figures["harvest -> stored -> matched records/s"] = get("harvest", "end_to_end_per_second")
    return figures


def compare(before: dict[str, Any], after: dict[str, Any]) -> str:
    """Key figures of two runs side by side."""
    old, new = _key_figures(before), _key_figures(after)
    rows = []
    for key in old:
        a, b = old[key], new.get(key)
        change = f"{(b - a) / a:+.0%}" if isinstance(a, int | float) and a and b is not None else ""
        rows.append((key, a, b, change))
    header = (f"figure ({before['machine']['commit']} -> {after['machine']['commit']})",)
    return table((*header, "before", "after", "change"), rows) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", type=Path, nargs="+")
    parser.add_argument("--compare", action="store_true", help="two files: before, after")
    args = parser.parse_args()
    loaded = [json.loads(path.read_text()) for path in args.files]
    if args.compare:
        if len(loaded) != 2:
            parser.error("--compare takes exactly two files")
        print(compare(*loaded), end="")
    else:
        for results in loaded:
            print(render(results), end="")


if __name__ == "__main__":
    main()
