"""simpler.grants.gov API v1: US federal funding opportunities.

Source: `POST https://api.simpler.grants.gov/v1/opportunities/search` with a JSON body
(`pagination.page_offset` from 1, `page_size`, `sort_order`; `filters`) and the header
`X-API-Key`. A key is needed: without one this connector is not built (see
`shared.harvest.build_connectors`). Schemas: HHS/simpler-grants-gov
`api/src/api/opportunities_v1/opportunity_schemas.py` (`api/openapi.generated.yml`).

Terms: US government data (public domain); keys are personal to an account and are
disabled after 30 days unused. Rate limits: 60 requests a minute and 10,000 a day per
key as published for the standard plan; the docs ask for exponential backoff on 429 and
point bulk readers to the extracts endpoint. We ask for 100 opportunities a page (the
wiki's documented page size limit; the schema allows more), posted and forecasted only.

Eligibility, award and dates sit in the nested `summary`. There is no country field and
no country filter. The current schema has no field for foreign applicants either, only
`applicant_types` (enum) and the free text `applicant_eligibility_description`, so:
a call is marked **US-only** (countries ["US"]) unless its types include `unrestricted`
or its text says foreign / non-U.S. organisations may apply, and it does not say they
may not. A call open to foreign applicants takes the Mekong countries its own text
names; naming none, it is held (no alert) rather than taken as worldwide. The agency's
contact email is never read.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

import requests

from shared.harvest.base import CallStatus, Origin, Outcome, Page, PageError, Raw, Rejected
from shared.harvest.http import HttpPolicy, SourceHttp
from shared.harvest.mapping import HarvestMappings, assemble, html_text, load_harvest_mappings
from shared.importers.fields import amount, clipped
from shared.importers.mapping import decide
from shared.importers.records import Unmappable
from shared.matching.screening import deadline_today

NAME = "simpler_grants_gov"
API_URL = "https://api.simpler.grants.gov"
SEARCH_PATH = "/v1/opportunities/search"
DETAIL_URL = "https://simpler.grants.gov/opportunity/{id}"
PAGE_SIZE = 100
KEY_SETTING = "SIMPLER_GRANTS_API_KEY"
STATUS = {
    "posted": CallStatus.OPEN,
    "forecasted": CallStatus.FORTHCOMING,
    "closed": CallStatus.CLOSED,
    "archived": CallStatus.CLOSED,
}
PROCUREMENT = "procurement_contract"
UNRESTRICTED = "unrestricted"
_WHO = r"(?:organi[sz]ations?|entities|applicants|ngos?|institutions|non-?profits?|partners)"
# Lookarounds, not \b: "non-U.S." ends in a full stop, where \b does not hold.
_FOREIGN = r"(?<!\w)(?:foreign|non-u\.?\s?s\.?|international|overseas|non-domestic)(?!\w)"
FOREIGN_ELIGIBLE = re.compile(rf"{_FOREIGN}[^;]{{0,60}}?\b{_WHO}\b", re.IGNORECASE)
FOREIGN_EXCLUDED = re.compile(
    rf"{_FOREIGN}[^;]{{0,80}}?\b(?:not\s+|in)eligible"
    rf"|\bnot\s+eligible\b[^;]{{0,60}}?{_FOREIGN}"
    r"|\b(?:only|must be)\b[^;]{0,40}?\b(?:domestic|u\.?\s?s\.?[- ]based|united states)\b",
    re.IGNORECASE,
)


class SimplerGrantsGov:
    """Connector for simpler.grants.gov's search API (key required)."""

    name = NAME

    def __init__(
        self,
        session: requests.Session,
        *,
        api_key: str,
        api_url: str = API_URL,
        page_size: int = PAGE_SIZE,
        policy: HttpPolicy | None = None,
        mappings: HarvestMappings | None = None,
    ) -> None:
        if not api_key:
            raise ValueError(f"{NAME} needs an API key ({KEY_SETTING})")
        self._http = SourceHttp(NAME, session, policy)
        self._key = api_key
        self._url = api_url.rstrip("/") + SEARCH_PATH
        self._page_size = page_size
        self._mappings = mappings or load_harvest_mappings()

    def fetch_page(self, cursor: str | None) -> Page:
        """One page of posted and forecasted opportunities; the cursor is the page offset."""
        offset = int(cursor) if cursor else 1
        request = {
            "filters": {"opportunity_status": {"one_of": ["posted", "forecasted"]}},
            "pagination": {
                "page_offset": offset,
                "page_size": self._page_size,
                "sort_order": [{"order_by": "opportunity_id", "sort_direction": "ascending"}],
            },
        }
        body = self._http.json(
            "POST", self._url, cursor=cursor, json=request, headers={"X-API-Key": self._key}
        )
        data = body.get("data") if isinstance(body, dict) else None
        info = body.get("pagination_info") if isinstance(body, dict) else None
        pages = info.get("total_pages") if isinstance(info, dict) else None
        if not isinstance(data, list) or not isinstance(pages, int):
            raise PageError(NAME, cursor, "unexpected shape: no 'data' list or 'total_pages'")
        if not all(isinstance(d, dict) and isinstance(d.get("summary"), dict) for d in data):
            raise PageError(NAME, cursor, "unexpected shape: an opportunity without 'summary'")
        return Page(tuple(data), str(offset + 1) if offset < pages else None)

    def is_open(self, raw: Raw, today: date) -> bool:
        """Posted or forecasted, and its (forecast) close date not past."""
        status = STATUS.get(str(raw.get("opportunity_status")))
        if status is None or status is CallStatus.CLOSED:
            return False
        deadline, _ = self._deadline(raw.get("summary") or {}, [])
        return deadline is None or deadline >= today

    def map_record(self, raw: Raw, fetched_at: datetime) -> Outcome:
        """One opportunity as a harvested call, or why not."""
        source_id = str(raw.get("opportunity_id") or "").strip() or None
        if source_id is None:
            return Rejected(NAME, None, "has no opportunity_id")
        summary: Raw = raw.get("summary") or {}
        status = STATUS.get(str(raw.get("opportunity_status")))
        if status is None:
            return Rejected(NAME, source_id, "unknown status", str(raw.get("opportunity_status")))
        instruments = [str(i) for i in summary.get("funding_instruments") or []]
        if instruments and all(i == PROCUREMENT for i in instruments):
            return Rejected(NAME, source_id, "a procurement contract, not a grant")
        title = str(raw.get("opportunity_title") or "").strip()
        if not title:
            return Rejected(NAME, source_id, "has no title")
        warnings: list[str] = []
        origins: dict[str, Origin] = {}
        notes: dict[str, str] = {}
        categories = [str(c) for c in summary.get("funding_categories") or []]
        found = self._mappings.resolve(
            self._mappings.sector_tables, "simpler_funding_category", categories
        )
        try:
            sectors = decide(found, "funding categories", categories, warnings)
        except Unmappable:
            reason = "no Grant Match sector in its funding categories"
            return Rejected(NAME, source_id, reason, ", ".join(categories))
        codes = [str(t) for t in summary.get("applicant_types") or []]
        try:
            types, origins["applicant_types"] = self._applicant_types(codes, warnings)
        except Unmappable:
            reason = "no applicant type Grant Match covers"
            return Rejected(NAME, source_id, reason, ", ".join(codes))
        origins["sectors"] = Origin.GIVEN if sectors else Origin.UNKNOWN

        text = " ".join(
            str(v or "")
            for v in (
                title,
                html_text(summary.get("summary_description")),
                summary.get("applicant_eligibility_description"),
            )
        )
        countries, origins["countries"], hold = self._countries(codes, text, notes)

        deadline, origins["deadline"] = self._deadline(summary, warnings)
        if status is not CallStatus.CLOSED and deadline and deadline < deadline_today(fetched_at):
            status = CallStatus.CLOSED
        amounts = self._amounts(summary, warnings)
        origins["amounts"] = origins["currency"] = Origin.GIVEN if amounts else Origin.UNKNOWN
        description = html_text(summary.get("summary_description"))
        url = DETAIL_URL.format(id=source_id)
        origins.update(
            title=Origin.GIVEN,
            description=Origin.GIVEN if description else Origin.UNKNOWN,
            fiscal_sponsor_ok=Origin.DEFAULT,
            languages=Origin.DEFAULT,
            url=Origin.INFERRED,
        )
        if agency := str(raw.get("agency_name") or "").strip():
            notes["agency"] = agency
        fields = {
            "external_id": str(raw.get("opportunity_number") or source_id),
            "title": title,
            "description": clipped(description, "summary_description", warnings),
            "sectors": sectors,
            "countries": countries,
            "applicant_types": types,
            "fiscal_sponsor_ok": False,
            "deadline": deadline,
            "languages": self._mappings.default_languages(NAME),
            "url": url,
            **amounts,
        }
        return assemble(
            source=NAME,
            source_id=source_id,
            source_url=url,
            fetched_at=fetched_at,
            fields=fields,
            origins=origins,
            status=status,
            warnings=warnings,
            hold=hold,
            notes=notes,
        )

    def _applicant_types(self, codes: list[str], warnings: list[str]) -> tuple[list[str], Origin]:
        found = self._mappings.resolve(
            self._mappings.applicant_tables, "simpler_applicant_type", codes
        )
        types = decide(found, "applicant types", codes, warnings)
        if types:
            return types, Origin.GIVEN
        return self._mappings.applicant_default(NAME), Origin.DEFAULT

    def _countries(
        self, codes: list[str], text: str, notes: dict[str, str]
    ) -> tuple[list[str], Origin, str | None]:
        """US-only unless the call says foreign applicants may apply (see the module)."""
        excluded = FOREIGN_EXCLUDED.search(text) is not None
        foreign = not excluded and (
            UNRESTRICTED in codes or FOREIGN_ELIGIBLE.search(text) is not None
        )
        if not foreign:
            notes["countries"] = "US applicants only: no sign that foreign applicants may apply"
            return self._mappings.default_countries(NAME), Origin.INFERRED, None
        named = self._mappings.places_in_text(text)
        if named:
            notes["countries"] = "foreign applicants may apply; countries named in its text"
            return named, Origin.INFERRED, None
        notes["countries"] = "foreign applicants may apply, but no country is named"
        hold = "foreign applicants may apply but the call names no country: not alerted"
        return [], Origin.UNKNOWN, hold

    def _deadline(self, summary: Raw, warnings: list[str]) -> tuple[date | None, Origin]:
        """close_date; a forecast's estimated close date; else the archive date."""
        for key, origin in (
            ("close_date", Origin.GIVEN),
            ("forecasted_close_date", Origin.INFERRED),
            ("archive_date", Origin.INFERRED),
        ):
            value = summary.get(key)
            if not value:
                continue
            try:
                found = date.fromisoformat(str(value)[:10])
            except ValueError:
                warnings.append(f"{key} {str(value)[:20]!r} is not a date; left out")
                continue
            if key != "close_date":
                warnings.append(f"no close_date: {key} used as the deadline")
            return found, origin
        return None, Origin.UNKNOWN

    def _amounts(self, summary: Raw, warnings: list[str]) -> dict[str, Any]:
        floor = amount(summary.get("award_floor"), "award_floor", warnings, zero_is_missing=True)
        ceiling = amount(
            summary.get("award_ceiling"), "award_ceiling", warnings, zero_is_missing=True
        )
        if floor is not None and ceiling is not None and floor > ceiling:
            warnings.append(f"award_floor {floor:g} is above award_ceiling {ceiling:g}; left out")
            floor = None
        if floor is None and ceiling is None:
            return {}
        return {"amount_min": floor, "amount_max": ceiling, "currency": "USD"}
