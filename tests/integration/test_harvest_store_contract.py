"""The harvest's store behaviours the services rely on, run on the in-memory fakes and on
the Firestore store against the emulator (the pattern of test_store_contract.py): the
changes a run owes notices for, written with their grant and announced atomically."""

from __future__ import annotations

from datetime import timedelta

import pytest
from google.api_core import exceptions as gexc

from shared.adapters.ports import ConcurrentUpdate, GrantWrite
from shared.domain.events import GrantPublished, NotificationDue, new_event
from shared.domain.recipients import EmailKind, RecipientKind
from shared.runtime.bootstrap import Adapters
from shared.services.change_notices import change_record
from tests.builders import NOW, grant
from tests.fakes import fake_adapters
from tests.fakes.memory import AlreadyExists


@pytest.fixture(params=["fake", pytest.param("firestore", marks=pytest.mark.integration)])
def stores(request: pytest.FixtureRequest) -> Adapters:
    """The fakes, or the Firestore stores on an empty emulator database."""
    if request.param == "fake":
        return fake_adapters()
    return request.getfixturevalue("ad")


def _published(gid: str, revision: int = 1):
    payload = GrantPublished(grant_id=gid, funder_id="harvest:unpp", revision=revision)
    return new_event(payload, correlation_id="c-contract", now=NOW)


def _due(run_id: str, recipient_id: str):
    payload = NotificationDue(
        kind=EmailKind.CHANGES,
        recipient_kind=RecipientKind.PROFILE,
        recipient_id=recipient_id,
        period=run_id,
    )
    return new_event(payload, correlation_id="c-contract", now=NOW)


def _changed(stores: Adapters, gid: str, run_id: str, source: str = "unpp"):
    """Store a grant's first version, then its second with the change it owes."""
    old = grant(id=gid, deadline=NOW.date() + timedelta(days=30))
    stores.grants.save([GrantWrite(old, "h1", _published(gid), None)])
    new = old.model_copy(update={"deadline": NOW.date() + timedelta(days=60), "revision": 2})
    change = change_record(source, run_id, old, new, NOW)
    previous = stores.grants.version(gid)
    stores.grants.save([GrantWrite(new, "h2", _published(gid, 2), previous, change)])
    return change


def test_a_change_is_written_with_its_grant_and_read_back_whole(stores):
    change = _changed(stores, "g_c1", "run-1")
    assert stores.grants.get("g_c1").deadline == change.new.deadline
    [owed] = stores.harvest.changes_to_announce("unpp")
    assert (owed.id, owed.run_id, owed.grant_id, owed.announced) == (
        change.id,
        "run-1",
        "g_c1",
        False,
    )
    assert (owed.old.deadline, owed.new.deadline) == (change.old.deadline, change.new.deadline)
    assert [c.grant_id for c in stores.harvest.changes_of_run("run-1")] == ["g_c1"]
    assert stores.harvest.changes_to_announce("eu") == []
    assert stores.harvest.changes_of_run("run-2") == []


def test_a_refused_grant_write_leaves_no_change_behind(stores):
    change = _changed(stores, "g_c2", "run-1")
    stale = stores.grants.version("g_c2")
    newer = change.new.model_copy(update={"revision": 3})
    late = change_record("unpp", "run-2", change.new, newer, NOW)
    stores.grants.save([GrantWrite(newer, "h3", _published("g_c2", 3), stale)])
    with pytest.raises(ConcurrentUpdate):  # written since `stale` was read
        stores.grants.save([GrantWrite(newer, "h4", _published("g_c2", 4), stale, late)])
    assert stores.harvest.changes_of_run("run-2") == []


def test_announcing_marks_the_changes_and_queues_their_events_together(stores):
    first = _changed(stores, "g_c3", "run-1")
    second = _changed(stores, "g_c4", "run-1")
    events = [_due("run-1", "p_1"), _due("run-1", "p_2")]
    stores.harvest.announce_changes([first.id, second.id], events)
    assert stores.harvest.changes_to_announce("unpp") == []
    assert all(c.announced for c in stores.harvest.changes_of_run("run-1"))
    queued = {e.id for e in stores.outbox.pending(NOW + timedelta(days=1), 100)}
    assert {e.id for e in events} <= queued


def test_an_announcement_that_fails_marks_nothing(stores):
    change = _changed(stores, "g_c5", "run-1")
    event = _due("run-1", "p_1")
    stores.harvest.announce_changes([], [event])  # its outbox entry exists already
    with pytest.raises((AlreadyExists, gexc.AlreadyExists)):
        stores.harvest.announce_changes([change.id], [event])
    assert [c.id for c in stores.harvest.changes_to_announce("unpp")] == [change.id]


# -- a run's seen ids -------------------------------------------------------------------------
def test_a_run_remembers_more_seen_ids_than_one_document_can_hold(stores):
    """60,000 ids of 34 characters (about 2.3 MB) against Firestore's 1 MiB a document."""
    ids = [f"EU-{n:08d}-{'x' * 22}" for n in range(60_000)]
    stores.harvest.start_run("eu", "run-big", NOW)
    for page, start in enumerate(range(0, len(ids), 2_000)):
        chunk = ids[start : start + 2_000]
        stores.harvest.record_page("eu", "run-big", f"page-{page + 2}", chunk, NOW)
    progress = stores.harvest.progress("eu")
    assert progress is not None
    assert (progress.cursor, len(progress.seen)) == ("page-31", 60_000)
    assert progress.seen == set(ids)


def test_a_page_recorded_again_after_a_crash_adds_no_duplicate_and_loses_nothing(stores):
    stores.harvest.start_run("unpp", "run-1", NOW)
    stores.harvest.record_page("unpp", "run-1", "page-2", ["a", "b"], NOW)
    stores.harvest.record_page("unpp", "run-1", "page-3", ["c"], NOW)
    stores.harvest.record_page("unpp", "run-1", "page-3", ["c"], NOW)  # stored again
    stores.harvest.record_page("unpp", "run-1", None, ["d", "a"], NOW)
    progress = stores.harvest.progress("unpp")
    assert (progress.cursor, sorted(progress.seen)) == (None, ["a", "b", "c", "d"])


def test_a_new_run_starts_with_no_seen_ids_even_under_the_same_run_id(stores):
    stores.harvest.start_run("unpp", "run-1", NOW)
    stores.harvest.record_page("unpp", "run-1", "page-2", ["a", "b"], NOW)
    stores.harvest.finish_run("unpp", "run-1", NOW)
    stores.harvest.start_run("unpp", "run-1", NOW)  # the same hour's id, a new run
    assert stores.harvest.progress("unpp").seen == frozenset()
    stores.harvest.record_page("unpp", "run-1", "page-2", ["c"], NOW)
    stores.harvest.start_run("unpp", "run-2", NOW)  # replaces the unfinished run
    stores.harvest.record_page("unpp", "run-2", None, ["d"], NOW)
    assert stores.harvest.progress("unpp").seen == {"d"}
