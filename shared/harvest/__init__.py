"""Harvest of open calls for proposals from public sources, one connector per source.

Each connector (`Connector` in `base`) reads pages of its source through the polite
client in `http`, and maps each record onto the grant contract with its provenance
(`HarvestedCall`) or says why not (`Rejected`). `summary` turns a run into counts.
Storage, cursors, change notices and schedules are the pipeline's, not this package's.

Adding a source: a module with a connector class (see `eu_funding_tenders` for a
keyless one, `simpler_grants_gov` for one with a key), its mappings in
`shared/data/harvest_mappings.json`, a real sample under `tests/fixtures/harvest/`,
and a line in `build_connectors`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

import requests

from shared.harvest.base import Connector, Page, PageError
from shared.harvest.eu_funding_tenders import EuFundingTenders
from shared.harvest.feeds import FeedConnector, FeedSource
from shared.harvest.http import HttpPolicy
from shared.harvest.simpler_grants_gov import KEY_SETTING as SIMPLER_KEY
from shared.harvest.simpler_grants_gov import SimplerGrantsGov
from shared.harvest.un_partner_portal import UnPartnerPortal

log = logging.getLogger(__name__)

#: Sources by name, and the setting that holds each one's key (None: no key needed).
SOURCE_KEYS: dict[str, str | None] = {
    EuFundingTenders.name: None,
    UnPartnerPortal.name: None,
    SimplerGrantsGov.name: SIMPLER_KEY,
}


def build_connectors(
    session: requests.Session,
    keys: Mapping[str, str | None],
    feeds: Iterable[FeedSource] = (),
    policy: HttpPolicy | None = None,
) -> list[Connector]:
    """Every connector that can run: a source whose key is missing from `keys` (setting
    name -> value) is skipped with one log line naming the setting, never the key."""
    connectors: list[Connector] = [
        EuFundingTenders(session, policy=policy),
        UnPartnerPortal(session, policy=policy),
    ]
    key = keys.get(SIMPLER_KEY)
    if key:
        connectors.append(SimplerGrantsGov(session, api_key=key, policy=policy))
    else:
        log.warning(
            "harvest source skipped: its API key is not set",
            extra={"source": SimplerGrantsGov.name, "setting": SIMPLER_KEY},
        )
    connectors += [FeedConnector(session, feed, policy=policy) for feed in feeds]
    return connectors


@dataclass(frozen=True)
class PageRead:
    """One step of a walk: the page read at `cursor`, or the error that stopped it."""

    cursor: str | None
    page: Page | None = None
    error: PageError | None = None


def walk(
    connector: Connector, cursor: str | None = None, max_pages: int = 1000
) -> Iterator[PageRead]:
    """Read pages from `cursor` until the last one, a page error, or `max_pages`. A page
    error ends the walk (its cursor is where the next run resumes); it never raises."""
    for _ in range(max_pages):
        try:
            page = connector.fetch_page(cursor)
        except PageError as error:
            log.warning(
                "harvest page failed; the run stops here",
                extra={"source": connector.name, "cursor": cursor, "cause": error.cause},
            )
            yield PageRead(cursor, error=error)
            return
        yield PageRead(cursor, page=page)
        if page.next_cursor is None:
            return
        cursor = page.next_cursor
