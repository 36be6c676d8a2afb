"""Where a grant's time goes between its POST and its email, hop by hop.

Each grant leaves timestamps along the chain: the client's send and 201, ingest's
"grant created" log line (written after the Firestore batch, before the publish), the
match document's `created_at` (match's clock, once it read the grant), match's "grant
matched" log line (after its queries, writes and publish), the alert's `created_at`
(notify, on `match.found`), the notification's `created_at` (notify claims it after the
relay announced it and the email was rendered), and the sink's `received_at`. All clocks
are this machine's, so consecutive differences are the hops, and they add up to the whole.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bench.stats import summary

#: The hops in order: (name, timestamp it starts from, timestamp it ends at).
HOPS = (
    ("ingest: authenticate, validate, store", "sent", "stored"),
    ("publish + push to match, read grant", "stored", "match_started"),
    ("match: candidate queries, screen, save, publish", "match_started", "matched"),
    ("push to notify, record alert", "matched", "alert_created"),
    ("window + relay poll + push, collect, render", "alert_created", "claimed"),
    ("send to the SendGrid sink", "claimed", "emailed"),
)


def json_lines(lines: Iterable[str]) -> Iterator[dict[str, Any]]:
    """The JSON objects among log lines (gunicorn and Python warnings are plain text)."""
    for line in lines:
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(record, dict):
            yield record


def log_times(records: Iterable[Mapping[str, Any]], message: str) -> dict[str, float]:
    """grant_id -> Unix time of the first log record with this message about it."""
    found: dict[str, float] = {}
    for record in records:
        grant_id = record.get("grant_id")
        if record.get("message") == message and grant_id and grant_id not in found:
            found[grant_id] = datetime.fromisoformat(record["time"]).timestamp()
    return found


@dataclass(frozen=True)
class Timeline:
    """One grant's timestamps (Unix seconds); None where a stamp is missing."""

    sent: float
    answered: float
    stamps: Mapping[str, float | None]

    def hops(self) -> dict[str, float] | None:
        """Duration of every hop, or None if any stamp is missing."""
        stamps = {"sent": self.sent, **self.stamps}
        if any(stamps.get(key) is None for _, start, end in HOPS for key in (start, end)):
            return None
        return {name: stamps[end] - stamps[start] for name, start, end in HOPS}  # type: ignore[operator]


def hop_summary(timelines: Iterable[Timeline]) -> dict[str, dict[str, float]]:
    """Per hop: count, mean, p50, p95, p99, max over the grants with every stamp."""
    per_hop: dict[str, list[float]] = {name: [] for name, _, _ in HOPS}
    for timeline in timelines:
        hops = timeline.hops()
        if hops is None:
            continue
        for name, seconds in hops.items():
            per_hop[name].append(seconds)
    return {name: summary(values) for name, values in per_hop.items()}


def op_costs(
    records: Iterable[Mapping[str, Any]], per: int, only: set[str] | None = None
) -> dict[str, dict[str, float]]:
    """From bench/traced.py lines: per I/O operation, calls and milliseconds per unit
    (`per` grants), and milliseconds per call; `only` keeps those correlation ids.
    Sorted by time per unit, the most expensive first."""
    calls: dict[str, int] = {}
    seconds: dict[str, float] = {}
    for record in records:
        op = record.get("bench_op")
        if op is None or (only is not None and record.get("correlation_id") not in only):
            continue
        calls[op] = calls.get(op, 0) + 1
        seconds[op] = seconds.get(op, 0.0) + float(record["seconds"])
    costs = {
        op: {
            "calls_per_grant": round(calls[op] / per, 2),
            "ms_per_grant": round(1000 * seconds[op] / per, 2),
            "ms_per_call": round(1000 * seconds[op] / calls[op], 2),
        }
        for op in calls
    }
    return dict(sorted(costs.items(), key=lambda item: -item[1]["ms_per_grant"]))
