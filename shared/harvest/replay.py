"""Replaying a recorded page on another day (`grantmatch harvest --from-file F
--recorded-on D`): every date in the page moves forward by the days from D to today, so
a sample reads today as it read on the day it was recorded (what was open then is open
now, with as many days left). For demos and checks on old samples only: the scheduled
harvest never replays anything.

Pure text: ISO dates (`2019-06-14`, also inside time stamps) and the day-month-year of
RFC 822 dates (`Mon, 05 Oct 2026`, feeds' `pubDate`), whose weekday is recomputed.
Anything that only looks like a date (`2019-13-45`, a digit run around one) is left.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from shared.matching.screening import deadline_today

_ISO = re.compile(rb"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_RFC822 = re.compile(
    rb"(?:\b("
    + "|".join(_DAYS).encode()
    + rb"), )?\b(\d{1,2}) ("
    + "|".join(_MONTHS).encode()
    + rb") (\d{4})\b"
)


def days_since(recorded_on: date, now: datetime) -> int:
    """Days from the recording to today (today as the screening counts it)."""
    return (deadline_today(now) - recorded_on).days


def shift_dates(body: bytes, days: int) -> bytes:
    """`body` with every date it holds moved by `days` (see the module)."""
    if days == 0:
        return body
    step = timedelta(days=days)

    def iso(match: re.Match[bytes]) -> bytes:
        try:
            moved = date(*(int(part) for part in match.groups())) + step
        except ValueError:
            return match.group(0)
        return moved.isoformat().encode()

    def rfc822(match: re.Match[bytes]) -> bytes:
        weekday, day, month, year = match.groups()
        try:
            moved = date(int(year), _MONTHS.index(month.decode()) + 1, int(day)) + step
        except ValueError:
            return match.group(0)
        text = f"{moved.day:0{len(day)}d} {_MONTHS[moved.month - 1]} {moved.year}"
        if weekday:
            text = f"{_DAYS[moved.weekday()]}, {text}"
        return text.encode()

    return _RFC822.sub(rfc822, _ISO.sub(iso, body))
