"""UN Partner Portal: calls for expression of interest (CFEI) to civil society
organisations from UNHCR, UNICEF, WFP and the other UN agencies on the portal.

Source: the portal's public list `GET {base}/api/public/projects/?page=K&page_size=N`
(Django REST framework; `count`, `next`, `previous`, `results`), which shows only
published, open-selection calls whose deadline has not passed. No key is needed.
Serializer (unicef/un-partner-portal `backend/unpp_api/apps/public/serializers.py`):
`displayID` (`<agency>/<ISO3>/<year>/<n>`), `title`, `countries` (sorted country
*names* of the call's locations), `agency_name`, `specializations` (`name`,
`category`), `date_created`, `deadline_date`, `pdf_export_url` (a path: the call's PDF).

Terms: public listing meant for partners to find calls; we keep the title, places,
specializations and dates and link the call's own PDF. Rate limits: none published;
the list is cached for an hour on the server (`cache_page(60 * 60)`), so polling more
often than hourly gains nothing. Pages: 10 by default, `page_size` up to 100.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from urllib.parse import urljoin

import requests

from shared.harvest.base import CallStatus, Origin, Outcome, Page, PageError, Raw, Rejected
from shared.harvest.http import HttpPolicy, SourceHttp
from shared.harvest.mapping import HarvestMappings, assemble, load_harvest_mappings, term_key
from shared.importers.fields import link, places
from shared.matching.screening import deadline_today

NAME = "un_partner_portal"
BASE_URL = "https://www.unpartnerportal.org"
LIST_PATH = "/api/public/projects/"
PAGE_SIZE = 100


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


class UnPartnerPortal:
    """Connector for the UN Partner Portal's public list of open calls (no key needed)."""

    name = NAME

    def __init__(
        self,
        session: requests.Session,
        *,
        base_url: str = BASE_URL,
        page_size: int = PAGE_SIZE,
        policy: HttpPolicy | None = None,
        mappings: HarvestMappings | None = None,
    ) -> None:
        self._http = SourceHttp(NAME, session, policy)
        self._base = base_url.rstrip("/")
        self._page_size = page_size
        self._mappings = mappings or load_harvest_mappings()

    def fetch_page(self, cursor: str | None) -> Page:
        """One page of open calls; the cursor is the page number."""
        number = int(cursor) if cursor else 1
        params = {"page": number, "page_size": self._page_size}
        body = self._http.json("GET", self._base + LIST_PATH, cursor=cursor, params=params)
        results = body.get("results") if isinstance(body, dict) else None
        if not isinstance(results, list) or "next" not in body:
            raise PageError(NAME, cursor, "unexpected shape: no 'results' list or 'next' link")
        if not all(isinstance(r, dict) for r in results):
            raise PageError(NAME, cursor, "unexpected shape: a result that is not an object")
        return Page(tuple(results), str(number + 1) if body["next"] else None)

    def is_open(self, raw: Raw, today: date) -> bool:
        """The portal lists open calls only; the deadline day itself is still open."""
        deadline = _date(raw.get("deadline_date"))
        return deadline is None or deadline >= today

    def map_record(self, raw: Raw, fetched_at: datetime) -> Outcome:
        """One call for expression of interest as a harvested call, or why not."""
        display_id = str(raw.get("displayID") or "").strip() or None
        if display_id is None:
            return Rejected(NAME, None, "has no displayID", str(raw.get("title", ""))[:100])
        warnings: list[str] = []
        origins: dict[str, Origin] = {}
        names = [str(c) for c in raw.get("countries") or [] if str(c).strip()]
        countries = places(names, self._mappings, "countries", warnings)
        if not countries:
            detail = ", ".join(names) or "empty list"
            return Rejected(NAME, display_id, "names no country we know", detail)
        origins["countries"] = Origin.GIVEN

        specs = [s for s in raw.get("specializations") or [] if isinstance(s, dict)]
        spec_names = [str(s.get("name") or "") for s in specs]
        categories = [term_key(str(s.get("category") or "")) for s in specs]
        sectors = self._mappings.terms(
            self._mappings.sector_tables, "unpp_specialization", spec_names
        )
        found = self._mappings.resolve(self._mappings.sector_tables, "unpp_category", categories)
        sectors += [s for s in found.values if s not in sectors]
        if found.unknown:
            warnings.append(f"unknown categories {', '.join(found.unknown)} ignored")
        if not sectors:
            detail = "; ".join(f"{n} ({c})" for n, c in zip(spec_names, categories, strict=True))
            return Rejected(
                NAME, display_id, "no Grant Match sector in its specializations", detail
            )
        origins["sectors"] = Origin.INFERRED

        deadline = _date(raw.get("deadline_date"))
        origins["deadline"] = Origin.GIVEN if deadline else Origin.UNKNOWN
        status = CallStatus.OPEN
        if deadline and deadline < deadline_today(fetched_at):
            status = CallStatus.CLOSED
        pdf = str(raw.get("pdf_export_url") or "")
        url = link(urljoin(self._base + "/", pdf), warnings) if pdf else None
        origins["url"] = Origin.GIVEN if url else Origin.UNKNOWN
        agency = str(raw.get("agency_name") or "").strip()
        # Sorted: the portal's order carries no meaning, and a reordering is cosmetic.
        listed = "; ".join(sorted(dict.fromkeys(n for n in spec_names if n)))
        description = f"{agency or 'UN'} call for expression of interest {display_id}."
        if listed:
            description += f" Specializations: {listed}."
        origins.update(
            title=Origin.GIVEN,
            description=Origin.INFERRED,
            applicant_types=Origin.DEFAULT,
            fiscal_sponsor_ok=Origin.DEFAULT,
            amounts=Origin.UNKNOWN,
            currency=Origin.UNKNOWN,
            languages=Origin.UNKNOWN,
        )
        fields = {
            "external_id": display_id,
            "title": str(raw.get("title") or ""),
            "description": description,
            "sectors": sectors,
            "countries": countries,
            "applicant_types": self._mappings.applicant_default(NAME),
            "fiscal_sponsor_ok": False,
            "deadline": deadline,
            "languages": self._mappings.default_languages(NAME),
            "url": url,
        }
        notes = {"agency": agency} if agency else {}
        if created := _date(raw.get("date_created")):
            notes["posted"] = created.isoformat()
        return assemble(
            source=NAME,
            source_id=display_id,
            source_url=url or self._base + LIST_PATH,
            fetched_at=fetched_at,
            fields=fields,
            origins=origins,
            status=status,
            warnings=warnings,
            notes=notes,
        )
