"""Which sources this deployment harvests, and each one's connector built from the
settings (its base URL, its key): the harvest function and the CLI share them. The
wiring lives here, not in shared.services: connectors do HTTP (requests), which services
reach only through what they are handed (`run_harvest` takes a `Connector`)."""

from __future__ import annotations

import json
import logging
from typing import Any

import requests

from shared.domain.events import Envelope, HarvestRequested
from shared.domain.schedule import harvest_run_id
from shared.harvest.base import Connector
from shared.harvest.eu_funding_tenders import EuFundingTenders
from shared.harvest.feeds import PREFIX as FEED_PREFIX
from shared.harvest.feeds import FeedConnector, FeedSource
from shared.harvest.reliefweb_training import KEY_SETTING as RELIEFWEB_KEY
from shared.harvest.reliefweb_training import ReliefWebTraining
from shared.harvest.simpler_grants_gov import SimplerGrantsGov
from shared.harvest.un_partner_portal import UnPartnerPortal
from shared.runtime.bootstrap import Adapters
from shared.runtime.config import Settings
from shared.services.harvest import HarvestReport, run_harvest

log = logging.getLogger(__name__)


def feed_sources(settings: Settings) -> list[FeedSource]:
    """The configured RSS/Atom feeds (`HARVEST_FEEDS`, a JSON list)."""
    entries: list[dict[str, Any]] = json.loads(settings.harvest_feeds or "[]")
    feeds = []
    for entry in entries:
        fields: dict[str, Any] = {
            k: tuple(v) if isinstance(v, list) else v for k, v in entry.items()
        }
        feeds.append(FeedSource(**fields))
    return feeds


def source_names(settings: Settings) -> list[str]:
    """Every source this deployment can harvest (a keyed one only with its key)."""
    names = [EuFundingTenders.name, UnPartnerPortal.name]
    if settings.simpler_grants_api_key.get_secret_value():
        names.append(SimplerGrantsGov.name)
    if settings.reliefweb_appname.get_secret_value():
        names.append(ReliefWebTraining.name)
    return names + [FEED_PREFIX + feed.slug for feed in feed_sources(settings)]


def build_connector(source: str, settings: Settings, session: requests.Session) -> Connector | None:
    """The connector of `source`, pointed at the URLs in `settings`; None (with one log
    line naming the setting, never the key) for a keyed source without its key, or a
    source nobody configured."""
    if source == EuFundingTenders.name:
        return EuFundingTenders(session, search_url=settings.harvest_eu_search_url)
    if source == UnPartnerPortal.name:
        return UnPartnerPortal(session, base_url=settings.harvest_unpp_base_url)
    if source == SimplerGrantsGov.name:
        key = settings.simpler_grants_api_key.get_secret_value()
        if not key:
            log.warning(
                "harvest source skipped: its API key is not set",
                extra={"source": source, "setting": "SIMPLER_GRANTS_API_KEY"},
            )
            return None
        return SimplerGrantsGov(session, api_key=key, api_url=settings.harvest_simpler_api_url)
    if source == ReliefWebTraining.name:
        appname = settings.reliefweb_appname.get_secret_value()
        if not appname:
            log.warning(
                "harvest source skipped: its approved appname is not set",
                extra={"source": source, "setting": RELIEFWEB_KEY},
            )
            return None
        return ReliefWebTraining(
            session, appname=appname, api_url=settings.harvest_reliefweb_api_url
        )
    for feed in feed_sources(settings):
        if FEED_PREFIX + feed.slug == source:
            return FeedConnector(session, feed)
    log.error("harvest source unknown; nothing harvested", extra={"source": source[:80]})
    return None


def on_harvest_requested(
    envelope: Envelope, ad: Adapters, payload: HarvestRequested
) -> HarvestReport | None:
    """Harvest one source (a scheduler's `harvest.requested`): from its stored cursor,
    at most `harvest_max_pages` pages, then the change notices of the run."""
    with requests.Session() as session:
        connector = build_connector(payload.source, ad.settings, session)
        if connector is None:
            return None
        return run_harvest(
            ad,
            connector,
            run_id=harvest_run_id(payload.source, ad.clock.now()),
            correlation_id=envelope.correlation_id,
            max_pages=ad.settings.harvest_max_pages,
            cause=envelope,
        )
