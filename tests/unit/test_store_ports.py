"""Each Firestore store offers exactly what its port promises, with the same parameters,
so services (typed against the ports) and the fakes (written against them) cannot drift
from the real stores. mypy checks the same when it runs; this runs in every `make test`."""

from __future__ import annotations

import inspect

import pytest

from shared.adapters import ports
from shared.adapters.firestore.alerts import FirestoreAlerts
from shared.adapters.firestore.erasure import FirestoreErasure
from shared.adapters.firestore.funder_pages import FirestoreFunderPages
from shared.adapters.firestore.funders import FirestoreFunders
from shared.adapters.firestore.grants import FirestoreGrants
from shared.adapters.firestore.harvest import FirestoreHarvest
from shared.adapters.firestore.interests import FirestoreInterests
from shared.adapters.firestore.ledgers import (
    FirestoreOutbox,
    FirestoreProcessedEvents,
    FirestoreRateCounters,
)
from shared.adapters.firestore.matches import FirestoreMatches
from shared.adapters.firestore.my_page import FirestoreMyPage
from shared.adapters.firestore.notifications import FirestoreNotifications
from shared.adapters.firestore.plans import FirestorePlans
from shared.adapters.firestore.subscribers import FirestoreSubscribers
from shared.adapters.ports.funder_pages import FunderPagesStore
from shared.adapters.ports.my_page import MyPageStore
from shared.adapters.ports.plans import PlanStore

STORES = {
    ports.FunderStore: FirestoreFunders,
    ports.GrantStore: FirestoreGrants,
    ports.SubscriberStore: FirestoreSubscribers,
    ports.ErasureStore: FirestoreErasure,
    ports.InterestStore: FirestoreInterests,
    ports.MatchStore: FirestoreMatches,
    ports.AlertStore: FirestoreAlerts,
    ports.NotificationStore: FirestoreNotifications,
    ports.OutboxLedger: FirestoreOutbox,
    ports.ProcessedEvents: FirestoreProcessedEvents,
    ports.RateCounters: FirestoreRateCounters,
    MyPageStore: FirestoreMyPage,
    FunderPagesStore: FirestoreFunderPages,
    ports.HarvestStore: FirestoreHarvest,
    PlanStore: FirestorePlans,
}


def _methods(cls: type) -> dict[str, inspect.Signature]:
    return {
        name: inspect.signature(member)
        for name, member in inspect.getmembers(cls, inspect.isfunction)
        if not name.startswith("_")
    }


def _parameters(signature: inspect.Signature) -> list[tuple[str, object, object]]:
    return [(p.name, p.kind, p.default) for p in signature.parameters.values()]


@pytest.mark.parametrize("port", list(STORES), ids=lambda port: port.__name__)
def test_the_firestore_store_has_every_method_of_its_port_with_the_same_parameters(port):
    promised, offered = _methods(port), _methods(STORES[port])
    assert sorted(set(promised) - set(offered)) == []
    for name, signature in promised.items():
        assert _parameters(offered[name]) == _parameters(signature), name


@pytest.mark.parametrize("port", list(STORES), ids=lambda port: port.__name__)
def test_the_firestore_store_offers_services_nothing_its_port_does_not_promise(port):
    extra = set(_methods(STORES[port])) - set(_methods(port))
    assert sorted(extra) == []
