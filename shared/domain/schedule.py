"""Scheduled runs (weekly digest, deadline reminders) and the periods that name them.

Cloud Scheduler publishes the same fixed message every time (`infra/scheduler.json`), so
a tick carries no unique id. A run is therefore named by its job and period: the ISO week
for the digest, the date for reminders, in the region's time (UTC+7). A redelivered or
re-published tick in the same period maps to the same run and sends nothing twice; the
next period is a new run.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from enum import StrEnum
from typing import Final

#: Cambodia, Laos, Thailand and Vietnam are on UTC+7 (Myanmar on +6:30).
REGION_TZ: Final = timezone(timedelta(hours=7), "ICT")
#: Reminders cover grants that close within this many days.
REMINDER_DAYS: Final = 7
#: At most this many matches in one digest or reminder; the rest wait for the next one.
DIGEST_MAX_ITEMS: Final = 20
#: At most this many matches in one instant email; more go out in the next batch.
ALERT_BATCH_MAX: Final = 25


class Job(StrEnum):
    """What a scheduler tick asks for."""

    WEEKLY_DIGEST = "weekly_digest"
    DEADLINE_REMINDERS = "deadline_reminders"


def region_date(now: datetime) -> date:
    """Today's date in the region."""
    return now.astimezone(REGION_TZ).date()


def period_of(job: Job, now: datetime) -> str:
    """The period a run at `now` belongs to: `2026-W48` (digest) or `2026-11-29`."""
    today = region_date(now)
    if job is Job.WEEKLY_DIGEST:
        year, week, _ = today.isocalendar()
        return f"{year}-W{week:02d}"
    return today.isoformat()


def run_id(job: Job, now: datetime) -> str:
    """The identity of the run a tick at `now` starts."""
    return f"{job.value}@{period_of(job, now)}"


def harvest_run_id(source: str, now: datetime) -> str:
    """The identity of a harvest run of `source` asked for at `now`: one per source and
    UTC hour (the schedules fire at most hourly), so a redelivered request is one run."""
    return f"{source}@{now.astimezone(UTC):%Y-%m-%dT%H}"
