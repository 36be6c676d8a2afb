"""`grantmatch rank`: rank grants (and trainings, events, tech offers) for projects from
JSON Lines files, with no database.

It runs exactly the engine the match function runs (`shared.matching.engine.evaluate_applicant`),
so what it prints is what a CSO would be emailed.
"""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from pathlib import Path

import click

from shared.matching.rank_files import rank_jsonl
from shared.matching.screening import deadline_today


def _today(value: str | None) -> date:
    """`--now` as the deadline date: a date is taken as is; a date-time (with a zone) is
    turned into today "anywhere on Earth", like the match function does."""
    if value is None:
        return deadline_today(datetime.now().astimezone())
    try:
        return date.fromisoformat(value)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter("use an ISO date (2026-12-01) or date-time") from exc
    if moment.tzinfo is None:
        raise click.BadParameter("a date-time needs a time zone (e.g. 2026-12-01T09:00Z)")
    return deadline_today(moment)


@click.command()
@click.option(
    "--grants",
    "grants_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="JSON Lines file of grants (POST /grants fields); a line with `details` is a "
    "training, an event or a tech offer (details.kind).",
)
@click.option(
    "--projects",
    "projects_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="JSON Lines file of projects (POST /projects fields; contact_email optional).",
)
@click.option("--now", "now", default=None, help="The date deadlines are judged at (ISO).")
@click.option("--top", default=5, show_default=True, type=click.IntRange(min=1))
def rank(grants_path: Path, projects_path: Path, now: str | None, top: int) -> None:
    """Print, for each project, its best eligible items (grants, trainings, events, tech
    offers; each match names its kind) as one JSON line."""
    run = rank_jsonl(grants_path, projects_path, _today(now), top)
    for problem in run.problems:
        click.echo(str(problem), err=True)
    out = sys.stdout.buffer  # JSON Lines are UTF-8 whatever the terminal's locale
    for line in run.results:
        out.write((json.dumps(line, ensure_ascii=False) + "\n").encode("utf-8"))
    out.flush()
    if run.bad_lines:
        click.echo(f"{run.bad_lines} bad line(s) skipped", err=True)
        raise SystemExit(1)
