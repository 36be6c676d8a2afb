"""Harvest of open calls for proposals from public sources, one connector per source.

Each connector (`Connector` in `base`) reads pages of its source through the polite
client in `http`, and maps each record onto the grant contract with its provenance
(`HarvestedCall`) or says why not (`Rejected`). `summary` turns a run into counts.
Storage, cursors, change notices and schedules are the pipeline's, not this package's.

Adding a source: a module with a connector class (see `eu_funding_tenders` for a
keyless one, `simpler_grants_gov` for one with a key, `reliefweb_training` for one whose
records are trainings rather than grants), its mappings in
`shared/data/harvest_mappings.json`, a real sample under `tests/fixtures/harvest/`,
and a line in `build_connectors`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping

import requests

from shared.harvest.base import Connector, PageRead, walk
from shared.harvest.eu_funding_tenders import EuFundingTenders
from shared.harvest.feeds import FeedConnector, FeedSource
from shared.harvest.http import HttpPolicy
from shared.harvest.reliefweb_training import KEY_SETTING as RELIEFWEB_KEY
from shared.harvest.reliefweb_training import ReliefWebTraining
from shared.harvest.simpler_grants_gov import KEY_SETTING as SIMPLER_KEY
from shared.harvest.simpler_grants_gov import SimplerGrantsGov
from shared.harvest.un_partner_portal import UnPartnerPortal

log = logging.getLogger(__name__)

__all__ = ["SOURCE_KEYS", "PageRead", "build_connectors", "walk"]

#: Sources by name, and the setting that holds each one's key (None: no key needed).
SOURCE_KEYS: dict[str, str | None] = {
    EuFundingTenders.name: None,
    UnPartnerPortal.name: None,
    SimplerGrantsGov.name: SIMPLER_KEY,
    ReliefWebTraining.name: RELIEFWEB_KEY,
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
    appname = keys.get(RELIEFWEB_KEY)
    if appname:
        connectors.append(ReliefWebTraining(session, appname=appname, policy=policy))
    else:
        log.warning(
            "harvest source skipped: its approved appname is not set",
            extra={"source": ReliefWebTraining.name, "setting": RELIEFWEB_KEY},
        )
    connectors += [FeedConnector(session, feed, policy=policy) for feed in feeds]
    return connectors
