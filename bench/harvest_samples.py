"""What every connector makes of its shipped samples: a table per source of seen / stored
(new) / updated / closed / held / rejected with the main reasons, and what a second run of
the same pages writes (it must be 0).

    .venv/bin/python -m bench.harvest_samples                 # as of today
    .venv/bin/python -m bench.harvest_samples --as-recorded   # each sample on its own day
    .venv/bin/python -m bench.harvest_samples --as-of 2026-10-06

Each sample is read through its connector's own HTTP client (the recorded pages answered
by `grantmatch harvest --from-file`'s transport) and stored by the real harvest service
into in-memory fakes of the ports (tests/fakes): no emulator, no network. `--as-recorded`
replays a sample whose recording day is known with its dates moved to today, as
`grantmatch harvest --recorded-on` does. Not run in CI: it prints, it asserts nothing.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path

import requests

from shared.cli.harvest import RecordedPages, settings_for_recorded_pages
from shared.harvest.replay import days_since
from shared.runtime.harvest_sources import build_connector
from shared.services.harvest import HarvestReport, run_harvest
from tests.fakes.adapters import fake_adapters

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "harvest"


@dataclass(frozen=True)
class Sample:
    """A source's shipped sample: its pages in order, whether it is a real capture, and
    the day it was recorded (None: not known; it is read as it is)."""

    source: str
    files: tuple[str, ...]
    kind: str
    recorded_on: date | None


SAMPLES = (
    Sample(
        "eu_funding_tenders",
        ("eu_funding_tenders/portal_search_page.json",),
        "real capture",
        None,
    ),
    Sample(
        "un_partner_portal",
        ("un_partner_portal/projects_page1.json", "un_partner_portal/projects_page2.json"),
        "synthesised",
        date(2019, 6, 1),
    ),
    Sample(
        "simpler_grants_gov",
        ("simpler_grants_gov/search_page1.json", "simpler_grants_gov/search_page2.json"),
        "synthesised",
        date(2026, 10, 6),
    ),
    Sample("feed:calls-rss", ("feeds/calls.rss",), "synthesised", date(2026, 10, 6)),
    Sample("feed:calls-atom", ("feeds/calls.atom",), "synthesised", date(2026, 10, 6)),
    Sample("reliefweb_training", ("reliefweb/training_page.json",), "composed", None),
)


@dataclass(frozen=True)
class SampleRun:
    """One sample harvested twice at one date."""

    sample: Sample
    as_of: str
    first: HarvestReport
    again: HarvestReport


def harvest_sample(sample: Sample, now: datetime, replay: bool) -> SampleRun:
    """Harvest `sample` at `now` into fresh fakes, then once more (nothing to write)."""
    ad = fake_adapters(now=now)
    ad.settings = settings_for_recorded_pages(ad.settings, sample.source)
    shift = days_since(sample.recorded_on, now) if replay and sample.recorded_on else 0
    files = [FIXTURES / name for name in sample.files]
    reports = []
    for attempt in ("first", "again"):
        with requests.Session() as session:
            transport = RecordedPages(files, shift)
            session.mount("https://", transport)
            session.mount("http://", transport)
            connector = build_connector(sample.source, ad.settings, session)
            if connector is None:
                raise SystemExit(f"{sample.source}: no connector (see the log line above)")
            reports.append(
                run_harvest(
                    ad,
                    connector,
                    run_id=f"samples-{attempt}",
                    correlation_id="bench-harvest-samples",
                    max_pages=len(files),
                    use_cursor=False,
                )
            )
    as_of = f"{sample.recorded_on} (replayed)" if shift else f"{now:%Y-%m-%d}"
    return SampleRun(sample, as_of, reports[0], reports[1])


def table(runs: list[SampleRun]) -> str:
    """The counts, one row per source, in Markdown."""
    header = (
        "source",
        "sample",
        "as of",
        "seen",
        "stored (new)",
        "updated",
        "closed",
        "held",
        "rejected",
        "2nd run writes",
    )
    lines = ["| " + " | ".join(header) + " |", "|---|---|---|" + "---:|" * 7]
    for run in runs:
        s = run.first.summary
        cells = (
            run.sample.source,
            run.sample.kind,
            run.as_of,
            s.seen,
            f"{len(s.new)} ({run.first.written} written)",
            len(s.updated),
            len(s.closed),
            sum(s.held.values()),
            sum(s.rejected.values()),
            run.again.written,
        )
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    return "\n".join(lines)


def reasons(runs: list[SampleRun]) -> str:
    """Why records were rejected or calls held, per source, most frequent first."""
    lines = []
    for run in runs:
        s = run.first.summary
        for label, counts in (("rejected", s.rejected), ("held", s.held)):
            for reason, count in _by_count(counts):
                lines.append(f"- {run.sample.source}: {label} {count}: {reason}")
    return "\n".join(lines) or "- nothing rejected or held"


def _by_count(counts: Mapping[str, int]) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    when = parser.add_mutually_exclusive_group()
    when.add_argument("--as-of", type=date.fromisoformat, help="harvest on this day (UTC noon)")
    when.add_argument(
        "--as-recorded",
        action="store_true",
        help="replay each sample whose recording day is known with its dates moved to today",
    )
    args = parser.parse_args()
    now = datetime.now(UTC)
    if args.as_of:
        now = datetime.combine(args.as_of, time(12), tzinfo=UTC)
    runs = [harvest_sample(sample, now, args.as_recorded) for sample in SAMPLES]
    print(table(runs))
    print()
    print(reasons(runs))


if __name__ == "__main__":
    main()
