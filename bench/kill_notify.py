"""Kill notify while grants flow, as issue 17 found it: pairs matched vs emailed.

The local stack runs as `make dev` runs it (designed timing: 2 s batching window, relay
every 2 s). Two confirmed profiles fit every grant; 80 grants are posted at 2 per second;
notify's whole process group is killed at t=8 s and started again at t=28 s. Then the
script waits until every (profile, grant) pair was emailed, or 6 minutes, and prints how
many pairs were matched, emailed, emailed twice, and when the last one arrived.

    .venv/bin/python -m bench.kill_notify                 # as designed
    .venv/bin/python -m bench.kill_notify --no-handoffs   # the relay never re-announces

`--no-handoffs` sets HANDOFF_GRACE_SECONDS to a day, so the relay does not publish
unrecorded events again within the run: the behaviour before issue 17.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import threading
import time
from collections import Counter
from datetime import UTC, datetime

import requests

from bench.local_stack import DESIGNED, REPO, start_stack
from bench.workload import MARKER, GrantPoster, Target, seed_profiles, today_utc
from dev import procs
from dev.services import function_command

GRANTS, RATE, KILL_AT, RESTART_AT, WAIT = 80, 2.0, 8.0, 28.0, 360.0


def _pairs(sink_url: str, addresses: set[str]) -> Counter:
    """How often each (address, grant number) was in an alert email."""
    messages = requests.get(f"{sink_url}/api/messages", timeout=60).json()["messages"]
    told: Counter = Counter()
    for message in messages:
        if message.get("categories") != ["alerts"] or message["to"][0] not in addresses:
            continue
        for number in {int(n) for n in MARKER.findall(message.get("text", ""))}:
            told[(message["to"][0], number)] += 1
    return told


def run(no_handoffs: bool) -> dict:
    """One run; its figures."""
    from shared.runtime.bootstrap import adapters
    from shared.services.funders import create_funder

    if no_handoffs:
        os.environ["HANDOFF_GRACE_SECONDS"] = "86400"
    stack = start_stack()
    try:
        stack.env["HANDOFF_GRACE_SECONDS"] = os.environ.get("HANDOFF_GRACE_SECONDS", "10")
        stack.restart_functions("kill-notify", DESIGNED)
        ad = adapters()
        funder = create_funder(ad, "Kill Foundation")
        shape = ("KH", "health", "registered_ngo")
        chosen = [Target(f"a_kill_{i}", *shape) for i in range(2)]
        seed_profiles(ad.grants.client, chosen, ad.clock.now())  # type: ignore[attr-defined]
        addresses = {f"cso{i}@bench.example.org" for i in range(2)}
        poster = GrantPoster(stack.ingest_url, funder.api_key, chosen[:1], today_utc())
        sent: list = []
        posting = threading.Thread(target=lambda: sent.extend(poster.run(RATE, GRANTS)))
        started = time.monotonic()
        posting.start()
        time.sleep(KILL_AT)
        notify = stack.functions.pop("notify")
        os.killpg(notify.pid, signal.SIGKILL)
        notify.wait(timeout=30)
        time.sleep(RESTART_AT - (time.monotonic() - started))
        port = stack.ports.functions["notify"]
        env = {**stack.env, "ALERT_BATCH_WINDOW_SECONDS": "2", "RATE_LIMIT_KEY_REQUESTS": "1000000"}
        stack.functions["notify"] = procs.start(
            function_command("notify", port),
            f"http://127.0.0.1:{port}/healthz",
            stack.log_path("notify-restarted"),
            env=env,
        )
        posting.join()
        accepted = {s.number for s in sent if s.accepted}
        expected = {(a, n) for a in addresses for n in accepted}
        deadline = time.monotonic() + WAIT
        told = _pairs(stack.sink_url, addresses)
        while not expected <= set(told) and time.monotonic() < deadline:
            time.sleep(2)
            told = _pairs(stack.sink_url, addresses)
        complete_after = time.monotonic() - started
        time.sleep(5)  # a late duplicate would show here
        told = _pairs(stack.sink_url, addresses)
        matches = sum(1 for _ in ad.matches.client.collection("matches").stream())  # type: ignore[attr-defined]
        return {
            "mode": "no hand-offs (before)" if no_handoffs else "hand-offs (after)",
            "grants_accepted": len(accepted),
            "matches_recorded": matches,
            "pairs_expected": len(expected),
            "pairs_emailed": len(expected & set(told)),
            "pairs_emailed_twice_or_more": sum(1 for p in expected if told[p] > 1),
            "seconds_until_all_emailed_or_gave_up": round(complete_after, 1),
        }
    finally:
        stack.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-handoffs", action="store_true")
    args = parser.parse_args()
    figures = run(args.no_handoffs)
    print(json.dumps(figures, indent=2))
    out = REPO / "bench" / "results"
    stamp = datetime.now(UTC).strftime("%Y-%m-%d-%H%M")
    name = "kill-notify-before" if args.no_handoffs else "kill-notify-after"
    (out / f"{stamp}-{name}.json").write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
