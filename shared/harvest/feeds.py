"""RSS and Atom feeds of calls for proposals (any publisher that announces calls so).

Terms: a feed's articles are its publisher's copyrighted work. We keep each entry's
title, link, id and dates **only** — never its summary or content — and send people to
the publisher's page. Parsing is feedparser's (RSS 0.9x/1.0/2.0, Atom 0.3/1.0); bodies
are dropped as soon as a page is read, so they never reach a record, a log or storage.

A feed says nothing about who may apply or where, so each configured feed declares its
countries, sectors and applicant types (`FeedSource`); a feed configured without
countries has its calls held (never alerted as "worldwide"). A feed gives no deadline
either: an entry is taken as open for `open_days` after its publication date (marked
inferred), and an entry without any date is rejected. Rate limits: one GET per run per
feed, with the timeouts and backoff of shared.harvest.http. No key.
"""

from __future__ import annotations

import calendar
import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import feedparser
import requests

from shared.domain.models import MAX_EXTERNAL_ID
from shared.harvest.base import CallStatus, Origin, Outcome, Page, PageError, Raw, Rejected
from shared.harvest.http import HttpPolicy, SourceHttp
from shared.harvest.mapping import HarvestMappings, assemble, load_harvest_mappings
from shared.importers.fields import link
from shared.matching.screening import deadline_today

PREFIX = "feed:"
KEPT = ("id", "title", "link", "published", "updated")
#: feedparser's complaints that do not make a feed unreadable.
_BENIGN = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)


@dataclass(frozen=True)
class FeedSource:
    """One configured feed and what its calls are for (a feed cannot say)."""

    slug: str
    url: str
    countries: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    applicant_types: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    open_days: int | None = None


def _iso(parsed: Any) -> str | None:
    """feedparser's UTC struct_time as an ISO date-time."""
    if not parsed:
        return None
    return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC).isoformat()


class FeedConnector:
    """Connector for one RSS/Atom feed (no key)."""

    def __init__(
        self,
        session: requests.Session,
        source: FeedSource,
        *,
        policy: HttpPolicy | None = None,
        mappings: HarvestMappings | None = None,
    ) -> None:
        self.name = PREFIX + source.slug
        self.source = source
        self._http = SourceHttp(self.name, session, policy)
        self._mappings = mappings or load_harvest_mappings()
        self._open_days = source.open_days or self._mappings.undated_relevance_days

    def fetch_page(self, cursor: str | None) -> Page:
        """The whole feed as one page: each entry's id, title, link and dates, nothing else."""
        body = self._http.body("GET", self.source.url, cursor=cursor)
        parsed = feedparser.parse(body)
        problem = parsed.get("bozo_exception")
        if parsed.get("bozo") and not isinstance(problem, _BENIGN):
            cause = problem.__class__.__name__ if problem else "unknown"
            raise PageError(self.name, cursor, f"not a well-formed RSS/Atom feed ({cause})")
        if not parsed.get("version") and not parsed.entries:
            raise PageError(self.name, cursor, "unexpected shape: not an RSS or Atom feed")
        records = tuple(
            {
                "id": entry.get("id") or entry.get("link"),
                "title": entry.get("title"),
                "link": entry.get("link"),
                # dict.get: feedparser's own get maps a missing "updated" onto
                # "published" (with a warning); each date is read as the feed gave it.
                "published": _iso(dict.get(entry, "published_parsed")),
                "updated": _iso(dict.get(entry, "updated_parsed")),
            }
            for entry in parsed.entries
        )
        return Page(records, None)

    def _dated(self, raw: Raw) -> date | None:
        value = raw.get("published") or raw.get("updated")
        return datetime.fromisoformat(value).date() if value else None

    def is_open(self, raw: Raw, today: date) -> bool:
        """Published no more than `open_days` ago."""
        dated = self._dated(raw)
        return dated is not None and dated + timedelta(days=self._open_days) >= today

    def map_record(self, raw: Raw, fetched_at: datetime) -> Outcome:
        """One entry as a harvested call (title, link, dates), or why not."""
        entry_id = str(raw.get("id") or "").strip() or None
        if entry_id is None:
            return Rejected(self.name, None, "has neither id nor link")
        title = str(raw.get("title") or "").strip()
        if not title:
            return Rejected(self.name, entry_id, "has no title")
        dated = self._dated(raw)
        if dated is None:
            return Rejected(self.name, entry_id, "has no date: cannot tell whether it is current")
        warnings = [f"the feed gives no deadline: open for {self._open_days} days from {dated}"]
        deadline = dated + timedelta(days=self._open_days)
        status = CallStatus.OPEN if deadline >= deadline_today(fetched_at) else CallStatus.CLOSED
        url = link(raw.get("link"), warnings)
        configured = self.source
        hold = None
        if not configured.countries:
            hold = "the feed's countries are not configured: not alerted"
        origins = {
            "title": Origin.GIVEN,
            "description": Origin.UNKNOWN,
            "sectors": Origin.DEFAULT if configured.sectors else Origin.UNKNOWN,
            "countries": Origin.DEFAULT if configured.countries else Origin.UNKNOWN,
            "applicant_types": Origin.DEFAULT,
            "fiscal_sponsor_ok": Origin.DEFAULT,
            "amounts": Origin.UNKNOWN,
            "currency": Origin.UNKNOWN,
            "deadline": Origin.INFERRED,
            "languages": Origin.DEFAULT if configured.languages else Origin.UNKNOWN,
            "url": Origin.GIVEN if url else Origin.UNKNOWN,
        }
        external_id = entry_id
        if len(entry_id) > MAX_EXTERNAL_ID or not entry_id.isprintable():
            external_id = "sha256:" + hashlib.sha256(entry_id.encode()).hexdigest()
        fields = {
            "external_id": external_id,
            "title": title,
            "description": "",
            "sectors": list(configured.sectors),
            "countries": list(configured.countries),
            "applicant_types": list(configured.applicant_types)
            or self._mappings.applicant_default(PREFIX.rstrip(":")),
            "fiscal_sponsor_ok": False,
            "deadline": deadline,
            "languages": list(configured.languages),
            "url": url,
        }
        return assemble(
            source=self.name,
            source_id=entry_id,
            source_url=url or configured.url,
            fetched_at=fetched_at,
            fields=fields,
            origins=origins,
            status=status,
            warnings=warnings,
            hold=hold,
            notes={"feed": configured.url},
        )
