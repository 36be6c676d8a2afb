"""End-to-end runs on the benchmark stack: latency (with its hops) and throughput at
rising offered load, with the count of anything lost on the way.

A run restarts the functions and the relay with its timing, empties the database and the
mailbox, seeds a funder and the confirmed profiles, then posts grants open-loop.
"""

from __future__ import annotations

import resource
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from bench import hops, procstat
from bench.local_stack import BenchStack, Timing
from bench.machine import loadavg
from bench.stats import percentile, summary
from bench.workload import GrantPoster, Mailbox, Sent, Target, seed_profiles, targets, today_utc

PROFILES = 3000  # a profile is re-used only after 3000 grants: no two share an email
LATENCY_RATE = 4.0  # grants/s while measuring latency: well below the knee
P95_LIMIT = 2.0  # seconds: where throughput is said to break
OTHERS = "other processes"  # CPU of everything on the machine that is not this benchmark
DRAIN_SECONDS = 300  # after the last step, how long every accepted grant may take


@dataclass
class Run:
    """One phase: the stack running with a timing, a funder's poster and the mailbox."""

    stack: BenchStack
    timing: Timing
    poster: GrantPoster
    mailbox: Mailbox
    chosen: list[Target]

    @staticmethod
    def db() -> Any:
        """The Firestore client of this process (pointed at the stack's emulator)."""
        from shared.runtime.bootstrap import adapters

        return adapters().grants.client  # type: ignore[attr-defined]


def start_run(stack: BenchStack, phase: str, timing: Timing, traced: bool = False) -> Run:
    """Fresh functions and relay with `timing`, an empty database, seeded profiles."""
    from shared.runtime.bootstrap import adapters
    from shared.services.funders import create_funder

    stack.restart_functions(phase, timing, traced)
    ad = adapters()
    funder = create_funder(ad, "Benchmark Foundation")
    chosen = targets(PROFILES)
    seed_profiles(Run.db(), chosen, ad.clock.now())
    poster = GrantPoster(stack.ingest_url, funder.api_key, chosen, today_utc())
    return Run(stack, timing, poster, Mailbox(stack.sink_url), chosen)


def _roots(stack: BenchStack) -> dict[str, int]:
    roots = {name: process.pid for name, process in stack.functions.items()}
    if stack.relay is not None:
        roots["relay"] = stack.relay.pid
    for process, name in zip(stack.infra, ("firestore", "pubsub", "sink"), strict=False):
        roots[f"{name} (emulator)" if name != "sink" else "sink"] = process.pid
    return roots


class CpuMeter:
    """CPU cores used by each process tree of the stack, by this script, and by everything
    else on the machine (other people's work: the load average cannot tell it from ours)."""

    def __init__(self, stack: BenchStack) -> None:
        self._roots = _roots(stack)
        self._began = time.monotonic()
        self._cpu = {name: procstat.cpu_seconds(pid) for name, pid in self._roots.items()}
        self._self = _own_cpu()
        self._machine = procstat.machine_busy_seconds()

    def cores(self) -> dict[str, float]:
        """Average cores per tree since the meter started."""
        elapsed = max(1e-9, time.monotonic() - self._began)
        used = {
            name: (procstat.cpu_seconds(pid) - self._cpu[name]) / elapsed
            for name, pid in self._roots.items()
        }
        used["benchmark client"] = (_own_cpu() - self._self) / elapsed
        machine = (procstat.machine_busy_seconds() - self._machine) / elapsed
        used[OTHERS] = max(0.0, machine - sum(used.values()))
        return {name: round(value, 2) for name, value in used.items()}


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def accepted_latencies(sent: Iterable[Sent], mailbox: Mailbox) -> list[float]:
    """Seconds from each accepted grant's 201 to the first email that named it."""
    return [
        mailbox.told[s.number][0] - s.answered_at
        for s in sent
        if s.accepted and s.answered_at is not None and s.number in mailbox.told
    ]


def accounting(run: Run, sent: list[Sent]) -> dict[str, Any]:
    """What was accepted, stored, matched and emailed: nothing may go missing."""
    from shared.adapters.firestore.grants import GRANTS
    from shared.adapters.firestore.matches import MATCHES

    db = run.db()
    accepted = [s for s in sent if s.accepted]
    told = [s for s in accepted if s.number in run.mailbox.told]
    return {
        "posted": len(sent),
        "accepted_201": len(accepted),
        "refused_or_failed": len(sent) - len(accepted),
        "grants_in_firestore": _count(db, GRANTS),
        "matches_in_firestore": _count(db, MATCHES),
        "grants_emailed": len(told),
        "grants_emailed_twice": sum(1 for s in told if len(run.mailbox.told[s.number]) > 1),
        "alert_emails": run.mailbox.emails,
        "lost": len(accepted) - len(told),
    }


def _count(db: Any, collection: str) -> int:
    result = db.collection(collection).count().get()
    return int(result[0][0].value)


def timelines(run: Run, sent: list[Sent]) -> list[hops.Timeline]:
    """Every accepted grant's timestamps, from the logs, Firestore and the sink."""
    from shared.adapters.firestore.alerts import ALERTS
    from shared.adapters.firestore.matches import MATCHES
    from shared.adapters.firestore.notifications import NOTIFICATIONS

    db = run.db()
    stored = _log_times(run.stack, "ingest", "grant created")
    matched = _log_times(run.stack, "match", "grant matched")
    match_of: dict[str, tuple[str, float]] = {}
    for snap in db.collection(MATCHES).select(["grant_id", "created_at"]).stream():
        data = snap.to_dict()
        match_of[data["grant_id"]] = (snap.id, data["created_at"].timestamp())
    alert_created = {
        snap.get("match_id"): (snap.id, snap.get("created_at").timestamp())
        for snap in db.collection(ALERTS).select(["match_id", "created_at"]).stream()
    }
    claimed: dict[str, float] = {}
    for snap in db.collection(NOTIFICATIONS).select(["alert_ids", "created_at"]).stream():
        for alert_id in snap.get("alert_ids") or []:
            claimed[alert_id] = snap.get("created_at").timestamp()
    found = []
    for s in sent:
        if not s.accepted or s.grant_id is None or s.answered_at is None:
            continue
        match_id, match_started = match_of.get(s.grant_id, (None, None))
        alert_id, alert_at = alert_created.get(match_id, (None, None))
        emailed = run.mailbox.told.get(s.number, [None])[0]
        stamps = {
            "stored": stored.get(s.grant_id),
            "match_started": match_started,
            "matched": matched.get(s.grant_id),
            "alert_created": alert_at,
            "claimed": claimed.get(alert_id) if alert_id else None,
            "emailed": emailed,
        }
        found.append(hops.Timeline(s.sent_at, s.answered_at, stamps))
    return found


def _log_records(stack: BenchStack, name: str) -> list[dict[str, Any]]:
    with stack.log_path(name).open(encoding="utf-8", errors="replace") as lines:
        return list(hops.json_lines(lines))


def _log_times(stack: BenchStack, name: str, message: str) -> dict[str, float]:
    return hops.log_times(_log_records(stack, name), message)


def io_costs(stack: BenchStack, sent: list[Sent]) -> dict[str, dict[str, dict[str, float]]]:
    """Per process, the time its I/O calls took per grant (traced runs only); the relay
    acts for many grants at once and carries no correlation id, so all of it counts."""
    warm = {f"bench-{s.number:06d}" for s in sent if s.accepted}
    per = max(1, len(warm))
    costs = {
        name: hops.op_costs(_log_records(stack, name), per, warm)
        for name in ("ingest", "match", "notify")
    }
    costs["relay"] = hops.op_costs(_log_records(stack, "relay"), per)
    return costs


def latency(
    stack: BenchStack, phase: str, timing: Timing, count: int, traced: bool = False
) -> dict[str, Any]:
    """`count` grants at LATENCY_RATE: 201 -> email percentiles, hops, and the first
    (cold) grant apart, since its processes create their clients on first use."""
    run = start_run(stack, phase, timing, traced)
    load_start = loadavg()
    cold = run.poster.run(1.0, 1)
    run.mailbox.wait_for([s.number for s in cold if s.accepted], timeout=60, every=0.2)
    meter = CpuMeter(stack)
    sent = run.poster.run(LATENCY_RATE, count)
    drain = 30 + timing.window_seconds + 2 * timing.relay_every
    run.mailbox.wait_for([s.number for s in sent if s.accepted], timeout=drain)
    cores = meter.cores()
    lines = timelines(run, cold + sent)
    cold_hops = lines[0].hops() if lines else None
    return {
        "timing": {"window_seconds": timing.window_seconds, "relay_every": timing.relay_every},
        "rate_per_second": LATENCY_RATE,
        "accepted_to_email": summary(accepted_latencies(sent, run.mailbox)),
        "ingest_response": summary([s.answered_at - s.sent_at for s in sent if s.answered_at]),
        "hops": hops.hop_summary(lines[1:]),
        "cold_first_grant": {
            "accepted_to_email": _first(accepted_latencies(cold, run.mailbox)),
            "ingest_response": round(cold[0].answered_at - cold[0].sent_at, 4)
            if cold and cold[0].answered_at
            else None,
            "hops": {k: round(v, 4) for k, v in cold_hops.items()} if cold_hops else None,
        },
        "cpu_cores": cores,
        "io_ms_per_grant": io_costs(stack, sent) if traced else None,
        "accounting": accounting(run, cold + sent),
        "loadavg": {"start": load_start, "end": loadavg()},
    }


def _first(values: list[float]) -> float | None:
    return round(values[0], 4) if values else None


def throughput(
    stack: BenchStack,
    phase: str,
    timing: Timing,
    rates: list[float],
    seconds: float,
    on_step: Callable[[dict[str, Any]], None] = lambda _: None,
) -> dict[str, Any]:
    """Offered load rising step by step (each `seconds` long, drained before the next),
    until p95 passes P95_LIMIT or delivery falls behind; peak memory of every process."""
    run = start_run(stack, phase, timing)
    sampler = procstat.MemorySampler(lambda: _roots(stack))
    sampler.start()
    steps, all_sent = [], []
    try:
        for rate in rates:
            step = _step(run, rate, seconds)
            all_sent.extend(step.pop("_sent"))
            steps.append(step)
            on_step(step)
            if step["broke"]:
                break
        # However the last step went, wait for every accepted grant: late is not lost.
        run.mailbox.wait_for([s.number for s in all_sent if s.accepted], timeout=DRAIN_SECONDS)
    finally:
        memory = sampler.stop()
    knee = next((s["offered_per_second"] for s in steps if s["broke"]), None)
    sustained = [s for s in steps if not s["broke"]]
    return {
        "timing": {"window_seconds": timing.window_seconds, "relay_every": timing.relay_every},
        "seconds_per_step": seconds,
        "steps": steps,
        "max_sustained_per_second": max((s["delivered_per_second"] for s in sustained), default=0),
        # Past the knee the stack delivers what it can: its capacity on this machine.
        "max_delivered_per_second": max((s["delivered_per_second"] for s in steps), default=0),
        "p95_over_2s_at_per_second": next(
            (s["offered_per_second"] for s in steps if s["accepted_to_email"]["p95"] > P95_LIMIT),
            None,
        ),
        "broke_at_per_second": knee,
        "memory": memory,
        "accounting": accounting(run, all_sent),
    }


def _step(run: Run, rate: float, seconds: float) -> dict[str, Any]:
    load_start = loadavg()
    meter = CpuMeter(run.stack)
    started = time.time()
    sent = run.poster.run(rate, max(1, round(rate * seconds)))
    offered_for = time.time() - started
    numbers = [s.number for s in sent if s.accepted]
    drained = run.mailbox.wait_for(numbers, timeout=max(60.0, seconds * 2))
    cores = meter.cores()
    latencies = accepted_latencies(sent, run.mailbox)
    told_at = [run.mailbox.told[n][0] for n in numbers if n in run.mailbox.told]
    delivered = len(told_at) / (max(told_at) - started) if told_at else 0.0
    p95 = percentile(latencies, 95) if latencies else float("inf")
    accepted = len(numbers)
    broke = (
        p95 > P95_LIMIT
        or not drained
        or accepted < len(sent)
        or delivered < 0.9 * min(rate, len(sent) / offered_for)
    )
    return {
        "offered_per_second": rate,
        "achieved_offer_per_second": round(len(sent) / offered_for, 2),
        "delivered_per_second": round(delivered, 2),
        "delivered_over_offered": round(delivered / rate, 2),
        "accepted_to_email": summary(latencies),
        "ingest_response": summary([s.answered_at - s.sent_at for s in sent if s.answered_at]),
        "posted": len(sent),
        "accepted_201": accepted,
        "emailed": len(told_at),
        "drained": drained,
        "broke": broke,
        "hops_p50": {k: v.get("p50") for k, v in hops.hop_summary(timelines(run, sent)).items()},
        "hops_p95": {k: v.get("p95") for k, v in hops.hop_summary(timelines(run, sent)).items()},
        "cpu_cores": cores,
        "loadavg": {"start": load_start, "end": loadavg()},
        "_sent": sent,
    }
