"""ReliefWeb trainings: courses and workshops for humanitarian and development workers,
harvested as catalogue items of kind training (not grants).

Source: ReliefWeb API v2, content type `training`:
`GET https://api.reliefweb.int/v2/training?appname=APP&limit=N&offset=K&sort[]=id:asc`
(v1 answers 410). Since November 2025 the `appname` must be one ReliefWeb approved: it is
read from the setting `RELIEFWEB_APPNAME` (Secret Manager in the cloud, as the keys of
other sources) and without it the source is skipped with one log line. Response: `href`,
`time`, `links.{self,next}.href`, `totalCount`, `count`, `data[]` of `{id, score,
fields, href}`. Fields (UN-OCHA/rwint-api-indexer `src/RWAPIIndexer/Resources/Training.php`):
`title`, `body-html`, `how_to_register-html`, `date.{created,changed,registration,start,
end}`, `cost` (`free` / `fee-based`), `fee_information`, `country[].{iso3,name}`,
`city[].name`, `format[].name` (On-site / Online), `theme[].name`,
`career_categories[].name`, `training_language[].code`, `status`, `url`, `url_alias`,
`event_url`, `source[].name`.

Terms and limits: ReliefWeb content is free to reuse with attribution to the source
organisation and ReliefWeb; the API allows **1,000 calls a day** per appname and up to
1,000 items a call. We ask for published trainings, 1,000 a page, sorted by id so offset
paging is stable: a run is one or two calls, and one run reads at most
`MAX_PAGES_PER_RUN` pages (a paging bug cannot spend the day's quota: the run stops, its
cursor kept); a 429 waits what its Retry-After says.

Mapping: themes and career categories become our sectors (`reliefweb_theme`,
`reliefweb_career_category` in the harvest table); ISO3 countries become ISO2 ("World"
is no country). An on-site training is open to its own country's CSOs; an online one to
the countries it names, none meaning anyone; one with both formats is hybrid. Anyone may
attend unless the source says otherwise (it never does), so every applicant type is the
documented default. The registration deadline (else the start date) is the deadline.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

import requests
from pydantic import ValidationError

from shared.domain.opportunities import Attendance, TrainingSubmission, catalogue_fields
from shared.harvest.base import CallStatus, Origin, Outcome, Page, PageError, Raw, Rejected
from shared.harvest.http import HttpPolicy, SourceHttp
from shared.harvest.mapping import HarvestMappings, assemble, html_text, load_harvest_mappings
from shared.importers.fields import clipped, link
from shared.importers.mapping import Resolution, decide
from shared.importers.records import Unmappable
from shared.matching.screening import deadline_today

NAME = "reliefweb_training"
API_URL = "https://api.reliefweb.int"
LIST_PATH = "/v2/training"
PAGE_SIZE = 1000  # the API's maximum
#: Pages one run may read: a run needs one or two (a few hundred trainings are published
#: at a time), so this only stops a paging bug from spending the day's 1,000 calls
#: (at most 4 tries a page: 120 calls).
MAX_PAGES_PER_RUN = 30
KEY_SETTING = "RELIEFWEB_APPNAME"
STATUS = {"published": CallStatus.OPEN, "expired": CallStatus.CLOSED}
FIELDS = (
    "id",
    "title",
    "body-html",
    "how_to_register-html",
    "date",
    "cost",
    "fee_information",
    "country.iso3",
    "country.name",
    "city.name",
    "format.name",
    "theme.name",
    "career_categories.name",
    "training_language.code",
    "status",
    "url",
    "url_alias",
    "event_url",
    "source.name",
)
_FEE = re.compile(
    r"(?P<pre>US\$|\$|€|£|USD|EUR|GBP|CHF|THB|KHR|VND)?\s*"
    r"(?P<amount>\d{1,3}(?:[,.]\d{3})*(?:\.\d+)?|\d+(?:\.\d+)?)\s*"
    r"(?P<post>USD|EUR|GBP|CHF|THB|KHR|VND)?",
    re.IGNORECASE,
)
_SYMBOLS = {"us$": "USD", "$": "USD", "€": "EUR", "£": "GBP"}
_MAX_REGISTER = 5_000


def _names(value: Any, key: str = "name") -> list[str]:
    """The `key` of each item of a ReliefWeb reference list (a dict alone counts too)."""
    items = value if isinstance(value, list) else [value] if isinstance(value, dict) else []
    return [str(i[key]).strip() for i in items if isinstance(i, dict) and i.get(key)]


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def fee(text: str) -> tuple[float, str] | None:
    """The first amount with a currency in a fee text ("$1,400.00 plus VAT", "EUR 950"),
    or None when the text names no currency we can read."""
    for found in _FEE.finditer(text):
        code = (found["pre"] or found["post"] or "").lower()
        if not code:
            continue
        currency = _SYMBOLS.get(code, code.upper())
        digits = found["amount"]
        if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", digits):  # 1.400 as written in Europe
            digits = digits.replace(".", "")
        return float(digits.replace(",", "")), currency
    return None


class ReliefWebTraining:
    """Connector for ReliefWeb's trainings (an approved appname is required)."""

    name = NAME

    def __init__(
        self,
        session: requests.Session,
        *,
        appname: str,
        api_url: str = API_URL,
        page_size: int = PAGE_SIZE,
        policy: HttpPolicy | None = None,
        mappings: HarvestMappings | None = None,
        max_pages: int = MAX_PAGES_PER_RUN,
    ) -> None:
        if not appname:
            raise ValueError(f"{NAME} needs an approved appname ({KEY_SETTING})")
        self._http = SourceHttp(NAME, session, policy)
        self._appname = appname
        self._url = api_url.rstrip("/") + LIST_PATH
        self._page_size = page_size
        self._mappings = mappings or load_harvest_mappings()
        self._pages_left = max_pages

    def fetch_page(self, cursor: str | None) -> Page:
        """One page of published trainings; the cursor is the offset."""
        if self._pages_left <= 0:
            raise PageError(NAME, cursor, "this run's page budget is spent (the daily quota)")
        self._pages_left -= 1
        offset = int(cursor) if cursor else 0
        params: list[tuple[str, str | int]] = [
            ("appname", self._appname),
            ("limit", self._page_size),
            ("offset", offset),
            ("sort[]", "id:asc"),
            ("filter[field]", "status"),
            ("filter[value]", "published"),
            *(("fields[include][]", f) for f in FIELDS),
        ]
        body = self._http.json("GET", self._url, cursor=cursor, params=params)
        data = body.get("data") if isinstance(body, dict) else None
        total = body.get("totalCount") if isinstance(body, dict) else None
        if not isinstance(data, list) or not isinstance(total, int):
            raise PageError(NAME, cursor, "unexpected shape: no 'data' list or 'totalCount'")
        if not all(isinstance(d, dict) and isinstance(d.get("fields"), dict) for d in data):
            raise PageError(NAME, cursor, "unexpected shape: an item without 'fields'")
        links = body.get("links")
        more = isinstance(links, dict) and isinstance(links.get("next"), dict) and bool(data)
        return Page(tuple(data), str(offset + len(data)) if more else None)

    def is_open(self, raw: Raw, today: date) -> bool:
        """Published, and its registration deadline (else start) not past."""
        fields: Raw = raw.get("fields") or {}
        if STATUS.get(str(fields.get("status") or "published")) is CallStatus.CLOSED:
            return False
        dates: Raw = fields.get("date") or {}
        last = _day(dates.get("registration")) or _day(dates.get("start"))
        return last is None or last >= today

    def map_record(self, raw: Raw, fetched_at: datetime) -> Outcome:
        """One training as a harvested item of kind training, or why not."""
        fields: Raw = raw.get("fields") or {}
        source_id = str(raw.get("id") or fields.get("id") or "").strip() or None
        if source_id is None:
            return Rejected(NAME, None, "has no id")
        status = STATUS.get(str(fields.get("status") or "published"))
        if status is None:
            return Rejected(NAME, source_id, "unknown status", str(fields.get("status"))[:40])
        title = str(fields.get("title") or "").strip()
        if not title:
            return Rejected(NAME, source_id, "has no title")
        warnings: list[str] = []
        notes: dict[str, str] = {}
        origins: dict[str, Origin] = {}
        try:
            sectors = self._sectors(fields, warnings)
        except Unmappable:
            themes = ", ".join(_names(fields.get("theme")))
            return Rejected(NAME, source_id, "no Grant Match sector in its themes", themes)
        origins["sectors"] = Origin.GIVEN if sectors else Origin.UNKNOWN
        place = self._place(fields, warnings, notes)
        if isinstance(place, Rejected):
            return Rejected(NAME, source_id, place.reason, place.detail)
        attendance, country, countries, origins["countries"] = place
        dates: Raw = fields.get("date") or {}
        languages = [c.lower() for c in _names(fields.get("training_language"), "code")]
        url = link(fields.get("url_alias") or fields.get("url"), warnings)
        details: dict[str, Any] = {
            "starts_on": _day(dates.get("start")),
            "ends_on": _day(dates.get("end")),
            "registration_deadline": _day(dates.get("registration")),
            "attendance": attendance,
            "city": next(iter(_names(fields.get("city"))), None),
            "country": country,
            "instruction_languages": [c for c in languages if len(c) == 2],
            "how_to_register": self._how_to_register(fields, warnings),
            **self._cost(fields, warnings, notes),
        }
        if sources := _names(fields.get("source")):
            notes["provider"] = ", ".join(sources)[:200]
        try:
            training = TrainingSubmission.model_validate(
                {
                    "external_id": f"reliefweb-training-{source_id}",
                    "title": title,
                    "description": self._description(fields, warnings),
                    "sectors": sectors,
                    "countries": countries,
                    "applicant_types": self._mappings.applicant_default(NAME),
                    "languages": details["instruction_languages"],
                    "url": url,
                    "details": details,
                }
            )
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
                for e in exc.errors(include_input=False, include_url=False)
            )
            return Rejected(NAME, source_id, "breaks the training contract", problems)
        catalogue = catalogue_fields(training)
        deadline = catalogue["deadline"]
        if status is not CallStatus.CLOSED and deadline and deadline < deadline_today(fetched_at):
            status = CallStatus.CLOSED
        origins.update(
            title=Origin.GIVEN,
            description=Origin.GIVEN if training.description else Origin.UNKNOWN,
            applicant_types=Origin.DEFAULT,
            fiscal_sponsor_ok=Origin.DEFAULT,
            amounts=Origin.UNKNOWN,
            currency=Origin.UNKNOWN,
            deadline=self._deadline_origin(dates, deadline),
            languages=Origin.GIVEN if training.languages else Origin.UNKNOWN,
            url=Origin.GIVEN if url else Origin.UNKNOWN,
        )
        return assemble(
            source=NAME,
            source_id=source_id,
            source_url=url or f"https://reliefweb.int/node/{source_id}",
            fetched_at=fetched_at,
            fields={k: v for k, v in catalogue.items() if k != "details"},
            origins=origins,
            status=status,
            warnings=warnings,
            notes=notes,
            details=training.details,
        )

    @staticmethod
    def _deadline_origin(dates: Raw, deadline: date | None) -> Origin:
        """Given as the registration deadline, else inferred from the start, else none."""
        if dates.get("registration"):
            return Origin.GIVEN
        return Origin.INFERRED if deadline else Origin.UNKNOWN

    def _sectors(self, fields: Raw, warnings: list[str]) -> list[str]:
        """Themes first; career categories add the organisational ones. Unmappable when
        every theme and category that decided lies outside Grant Match."""
        themes = [t.casefold() for t in _names(fields.get("theme"))]
        careers = [c.casefold() for c in _names(fields.get("career_categories"))]
        tables = self._mappings.sector_tables
        by_theme = self._mappings.resolve(tables, "reliefweb_theme", themes)
        by_career = self._mappings.resolve(tables, "reliefweb_career_category", careers)
        if by_career.unknown:
            warnings.append(f"unknown career categories {', '.join(by_career.unknown)} ignored")
        found = Resolution(
            tuple(dict.fromkeys(by_theme.values + by_career.values)),
            by_theme.decided or by_career.decided,
            by_theme.unknown,
        )
        return decide(found, "themes", themes + careers, warnings)

    def _place(
        self, fields: Raw, warnings: list[str], notes: dict[str, str]
    ) -> tuple[Attendance, str | None, list[str], Origin] | Rejected:
        """How one attends, the venue's country, and who may take part by country."""
        formats = {f.casefold() for f in _names(fields.get("format"))}
        online = any("online" in f for f in formats)
        on_site = any("site" in f or "person" in f for f in formats)
        named: list[str] = []
        for item in fields.get("country") or []:
            code = str(item.get("iso3") or item.get("name") or "") if isinstance(item, dict) else ""
            iso2 = self._mappings.country(code) if code else None
            if iso2 and iso2 not in named:
                named.append(iso2)
            elif code and code.casefold() not in ("wld", "world"):
                warnings.append(f"country {code[:20]!r} unknown; left out")
        if not formats:
            online, on_site = not named, bool(named)
            warnings.append("no format: taken as on-site where a country is named, else online")
        if on_site and not named:
            return Rejected(NAME, None, "on-site with no country we know")
        attendance = (
            Attendance.HYBRID if online and on_site else
            Attendance.ON_SITE if on_site else Attendance.ONLINE
        )  # fmt: skip
        if attendance is Attendance.ON_SITE:
            notes["countries"] = "on site: open to CSOs of the venue's country"
            return attendance, named[0], [named[0]], Origin.INFERRED
        way = "on site and online" if on_site else "online"
        notes["countries"] = (
            f"{way}: open to the countries it names" if named else f"{way}: open to anyone"
        )
        origin = Origin.GIVEN if named else Origin.DEFAULT
        return attendance, named[0] if on_site else None, named, origin

    def _cost(self, fields: Raw, warnings: list[str], notes: dict[str, str]) -> dict[str, Any]:
        """Free: no cost. Fee-based: the amount read from `fee_information` when it names a
        currency; otherwise the fee text goes to the notes and the cost stays unknown."""
        if str(fields.get("cost") or "").casefold() != "fee-based":
            return {}
        text = html_text(str(fields.get("fee_information") or ""))
        notes["cost"] = ("fee-based: " + text)[:300] if text else "fee-based"
        amount = fee(text)
        if amount is None:
            warnings.append("fee-based, but no amount with a currency could be read")
            return {"fee_based": True}
        return {"cost": amount[0], "currency": amount[1]}

    def _description(self, fields: Raw, warnings: list[str]) -> str:
        text = html_text(str(fields.get("body-html") or fields.get("body") or ""))
        return clipped(text, "body", warnings)

    def _how_to_register(self, fields: Raw, warnings: list[str]) -> str:
        text = html_text(
            str(fields.get("how_to_register-html") or fields.get("how_to_register") or "")
        )
        if not text and fields.get("event_url"):
            text = str(fields["event_url"]).strip()
        return clipped(text, "how_to_register", warnings, _MAX_REGISTER)
