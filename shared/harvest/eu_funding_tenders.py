"""EU Funding & Tenders portal: calls for proposals (grants) of EU programmes.

Source: the search API the portal's own pages call,
`POST https://api.tech.ec.europa.eu/search-api/prod/rest/search?apiKey=SEDIA&text=***
&pageSize=N&pageNumber=K`, with a multipart body whose parts (`query`, `languages`,
`sort`) are JSON *file* parts typed `application/json` (as plain form fields the service
answers 500; in the URL the query is silently ignored). `apiKey=SEDIA` is the public
key the portal itself uses: no key of ours is needed.

Terms: EU portal content is the Commission's, reusable with acknowledgement under
Commission Decision 2011/833/EU; we keep the call's own text short and always link the
topic page. Rate limits: none published. We ask for 100 topics a page, one page at a
time, and back off on 429/5xx (shared.harvest.http).

Shape (real capture: tests/fixtures/harvest/eu_funding_tenders/): every metadata value
is a list, usually of one item. `status` 31094501 forthcoming, 31094502 open, 31094503
closed. `type` 1 grants; 2 tenders, among them EuropeAid calls for proposals
(`EuropeAid/<n>/<DD|DH|ID>/ACT/<country>`); other types are not calls we map.
`deadlineDate` holds two dates for two-stage calls (we take the first stage: after it,
nobody new can apply). `budgetOverview` is a JSON *string* listing the call's actions
with their min/max contribution (EUR); long values may arrive cut off. Date-range
filters are ignored by the service, so the harvest pages through everything with a
fixed sort and compares each record's `checksum`. Several documents can share one
identifier (index stubs without a status, older "centricity" copies whose `url` is a
JSON data file): stubs are rejected and the call's page URL is rebuilt from its id.
Some "open" topics carry deadlines years past: the dates decide, not the status.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from typing import Any

import requests

from shared.harvest.base import CallStatus, Origin, Outcome, Page, PageError, Raw, Rejected
from shared.harvest.http import HttpPolicy, SourceHttp
from shared.harvest.mapping import HarvestMappings, assemble, html_text, load_harvest_mappings
from shared.importers.fields import clipped, languages, link
from shared.matching.screening import deadline_today

NAME = "eu_funding_tenders"
SEARCH_URL = "https://api.tech.ec.europa.eu/search-api/prod/rest/search"
TOPIC_URL = (
    "https://ec.europa.eu/info/funding-tenders/opportunities/portal/screen/opportunities/"
    "topic-details/{identifier}"
)
PAGE_SIZE = 100
STATUS = {
    "31094501": CallStatus.FORTHCOMING,
    "31094502": CallStatus.OPEN,
    "31094503": CallStatus.CLOSED,
}
TYPE_GRANT = "1"
TYPE_TENDER = "2"
#: Open and forthcoming calls of the types we map; closed ones vanish and are closed here.
QUERY: dict[str, Any] = {
    "bool": {
        "must": [
            {"terms": {"type": [TYPE_GRANT, TYPE_TENDER]}},
            {"terms": {"status": ["31094501", "31094502"]}},
        ]
    }
}
#: A fixed order, so pages do not shift while we walk them (not checked against the live
#: service from here: see the fixture README).
SORT: dict[str, str] = {"field": "identifier", "order": "ASC"}
EUROPEAID_CALL = re.compile(r"^EuropeAid/\d+/[A-Z]{2}/ACT/(?P<place>[A-Za-z]+)$")


def _first(metadata: Raw, key: str) -> str:
    values = metadata.get(key) or []
    if isinstance(values, list):
        return str(values[0]).strip() if values else ""
    return str(values).strip()


def _all(metadata: Raw, key: str) -> list[str]:
    values = metadata.get(key) or []
    return [str(v) for v in values] if isinstance(values, list) else [str(values)]


class EuFundingTenders:
    """Connector for the EU Funding & Tenders portal (no key needed)."""

    name = NAME

    def __init__(
        self,
        session: requests.Session,
        *,
        search_url: str = SEARCH_URL,
        page_size: int = PAGE_SIZE,
        policy: HttpPolicy | None = None,
        mappings: HarvestMappings | None = None,
    ) -> None:
        self._http = SourceHttp(NAME, session, policy)
        self._url = search_url
        self._page_size = page_size
        self._mappings = mappings or load_harvest_mappings()

    def fetch_page(self, cursor: str | None) -> Page:
        """One page of topics; the cursor is the page number."""
        number = int(cursor) if cursor else 1
        params = {"apiKey": "SEDIA", "text": "***", "pageSize": self._page_size}
        params["pageNumber"] = number
        files = {
            "query": ("blob", json.dumps(QUERY), "application/json"),
            "languages": ("blob", json.dumps(["en"]), "application/json"),
            "sort": ("blob", json.dumps(SORT), "application/json"),
        }
        body = self._http.json("POST", self._url, cursor=cursor, params=params, files=files)
        results = body.get("results") if isinstance(body, dict) else None
        total = body.get("totalResults") if isinstance(body, dict) else None
        if not isinstance(results, list) or not isinstance(total, int):
            raise PageError(NAME, cursor, "unexpected shape: no 'results' list or 'totalResults'")
        if not all(isinstance(r, dict) and isinstance(r.get("metadata"), dict) for r in results):
            raise PageError(NAME, cursor, "unexpected shape: a result without 'metadata'")
        # The service may serve fewer per page than asked: page by what it says it used.
        size = body.get("pageSize")
        size = size if isinstance(size, int) and size > 0 else self._page_size
        more = bool(results) and number * size < total
        return Page(tuple(results), str(number + 1) if more else None)

    def status(self, raw: Raw) -> CallStatus | None:
        """The topic's status at the portal (None for an index stub without one)."""
        return STATUS.get(_first(raw.get("metadata") or {}, "status"))

    def deadlines(self, raw: Raw) -> list[date]:
        """The topic's deadlines, earliest first (two for two-stage calls)."""
        found = []
        for value in _all(raw.get("metadata") or {}, "deadlineDate"):
            try:
                found.append(date.fromisoformat(value[:10]))
            except ValueError:
                continue
        return sorted(found)

    def is_open(self, raw: Raw, today: date) -> bool:
        """Open or forthcoming at the portal, and the first deadline not past."""
        status = self.status(raw)
        deadlines = self.deadlines(raw)
        if status is None or status is CallStatus.CLOSED:
            return False
        return not deadlines or deadlines[0] >= today

    def map_record(self, raw: Raw, fetched_at: datetime) -> Outcome:
        """One topic as a harvested call, or why not."""
        metadata: Raw = raw.get("metadata") or {}
        identifier = _first(metadata, "identifier") or None
        if identifier is None:
            return Rejected(NAME, None, "has no identifier", str(raw.get("reference", "")))
        status = self.status(raw)
        if status is None:
            return Rejected(NAME, identifier, "an index stub without a status")
        kind = _first(metadata, "type")
        europeaid = EUROPEAID_CALL.match(identifier)
        if kind == TYPE_TENDER and not europeaid:
            return Rejected(NAME, identifier, "a tender (procurement), not a call for proposals")
        if kind not in (TYPE_GRANT, TYPE_TENDER):
            return Rejected(NAME, identifier, "a type this connector does not map", f"type {kind}")
        warnings: list[str] = []
        origins: dict[str, Origin] = {}
        notes: dict[str, str] = {}

        keywords = self._keywords(metadata, identifier)
        sectors = self._mappings.terms(self._mappings.sector_tables, "eu_keyword", keywords)
        if not sectors:
            shown = "; ".join(keywords[:8]) or "none"
            return Rejected(NAME, identifier, "no Grant Match sector in its keywords", shown)
        origins["sectors"] = Origin.INFERRED

        countries, origins["countries"] = self._countries(europeaid)
        if origins["countries"] is Origin.DEFAULT:
            notes["countries"] = (
                "the portal lists no eligible countries per topic: EU member states are "
                "always eligible; others depend on the programme (see the topic's conditions)"
            )
        deadlines = self.deadlines(raw)
        if (
            status is not CallStatus.CLOSED
            and deadlines
            and deadlines[0] < deadline_today(fetched_at)
        ):
            warnings.append(f"{status.value} at the portal, but its deadline has passed: closed")
            status = CallStatus.CLOSED
        if len(deadlines) > 1:
            warnings.append(
                f"two-stage call: first-stage deadline {deadlines[0].isoformat()} used, "
                f"last stage {deadlines[-1].isoformat()}"
            )
        origins["deadline"] = Origin.GIVEN if deadlines else Origin.UNKNOWN

        url, origins["url"] = self._url_of(raw, metadata, identifier, warnings)
        title = _first(metadata, "title") or str(raw.get("summary") or "").strip()
        origins["title"] = Origin.GIVEN
        description = html_text(_first(metadata, "descriptionByte"))
        origins["description"] = Origin.GIVEN if description else Origin.UNKNOWN
        amounts = self._amounts(metadata, identifier, warnings)
        origins["amounts"] = origins["currency"] = Origin.GIVEN if amounts else Origin.UNKNOWN
        langs = languages(_all(metadata, "language"), warnings)
        origins["languages"] = Origin.GIVEN if langs else Origin.UNKNOWN
        origins["applicant_types"] = Origin.DEFAULT
        origins["fiscal_sponsor_ok"] = Origin.DEFAULT

        fields = {
            "external_id": identifier,
            "title": title,
            "description": clipped(description, "description", warnings),
            "sectors": sectors,
            "countries": countries,
            "applicant_types": self._mappings.applicant_default(NAME),
            "fiscal_sponsor_ok": False,
            "deadline": deadlines[0] if deadlines else None,
            "languages": langs,
            "url": url,
            **amounts,
        }
        return assemble(
            source=NAME,
            source_id=identifier,
            source_url=url,
            fetched_at=fetched_at,
            fields=fields,
            origins=origins,
            status=status,
            warnings=warnings,
            notes=notes,
            source_checksum=str(raw.get("checksum") or "") or None,
        )

    def _keywords(self, metadata: Raw, identifier: str) -> list[str]:
        """Keywords and tags; some records carry them as one JSON-encoded list."""
        ids = {identifier, _first(metadata, "callIdentifier")}
        found: list[str] = []
        for value in _all(metadata, "keywords") + _all(metadata, "tags"):
            if value.startswith("["):
                try:
                    decoded = json.loads(value)
                except json.JSONDecodeError:
                    decoded = [value]
                found.extend(str(v) for v in decoded if isinstance(v, str))
            else:
                found.append(value)
        return [k for k in dict.fromkeys(k.strip() for k in found) if k and k not in ids]

    def _countries(self, europeaid: re.Match[str] | None) -> tuple[list[str], Origin]:
        """EuropeAid calls name their delegation's country in the reference; programme
        topics do not, and take the documented default (the EU member states)."""
        if europeaid:
            code = self._mappings.country(europeaid["place"])
            if code and len(europeaid["place"]) == 2:
                return [code], Origin.INFERRED
        return self._mappings.default_countries(NAME), Origin.DEFAULT

    def _url_of(
        self, raw: Raw, metadata: Raw, identifier: str, warnings: list[str]
    ) -> tuple[str, Origin]:
        given = _first(metadata, "url") or str(raw.get("url") or "")
        if "/topic-details/" in given:
            checked = link(given, warnings)
            if checked:
                return checked, Origin.GIVEN
        return TOPIC_URL.format(identifier=identifier), Origin.INFERRED

    def _amounts(self, metadata: Raw, identifier: str, warnings: list[str]) -> dict[str, Any]:
        """Min and max contribution of this topic's actions in `budgetOverview` (EUR)."""
        text = _first(metadata, "budgetOverview")
        if not text:
            return {}
        try:
            overview = json.loads(text)
            actions = [
                action
                for group in overview["budgetTopicActionMap"].values()
                for action in group
                if str(action.get("action", "")).split(" - ")[0].strip() == identifier
            ]
        except (json.JSONDecodeError, KeyError, TypeError, AttributeError):
            warnings.append("budgetOverview is cut off or not readable: amounts left out")
            return {}
        lows = [a["minContribution"] for a in actions if _positive(a.get("minContribution"))]
        highs = [a["maxContribution"] for a in actions if _positive(a.get("maxContribution"))]
        if not lows and not highs:
            warnings.append("budgetOverview names no amount for this topic: amounts left out")
            return {}
        low = float(min(lows)) if lows else None
        high = float(max(highs)) if highs else None
        if low is not None and high is not None and low > high:
            low = None
        return {"amount_min": low, "amount_max": high, "currency": "EUR"}


def _positive(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value > 0
