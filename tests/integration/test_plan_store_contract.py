"""The plan store's contract, on the fake and on Firestore (as test_store_contract.py):
a draft kept on its project, each change one more revision, a repeated save once, and a
project edited meanwhile keeps its plan."""

from __future__ import annotations

import pytest

from shared.domain.events import ProjectSubmitted, new_event
from shared.domain.logframe import Logframe
from shared.runtime.bootstrap import Adapters
from tests.builders import NOW, project
from tests.fakes import fake_adapters


@pytest.fixture(params=["fake", pytest.param("firestore", marks=pytest.mark.integration)])
def stores(request: pytest.FixtureRequest) -> Adapters:
    """The fakes, or the Firestore stores on an empty emulator database."""
    if request.param == "fake":
        return fake_adapters()
    return request.getfixturevalue("ad")


def _new_project(ad: Adapters, pid: str) -> None:
    event = new_event(ProjectSubmitted(project_id=pid), correlation_id="c-plan", now=NOW)
    ad.subscribers.create_project(project(id=pid), "r1", event)


def _draft(goal: str) -> Logframe:
    return Logframe.model_validate(
        {
            "goal": {"statement": goal},
            "outputs": [{"statement": "20 trainers trained", "budget": 8000}],
        }
    )


def test_a_saved_draft_is_read_back_on_its_project_with_its_revision(stores):
    _new_project(stores, "p-plan")
    assert stores.plans.save_plan("p-plan", _draft("Safer communities"), NOW) == 1
    stored = stores.subscribers.get_project("p-plan")
    assert stored is not None
    assert stored.plan == _draft("Safer communities")
    assert stored.plan_revision == 1


def test_each_change_is_one_more_revision_and_a_repeated_save_is_one(stores):
    _new_project(stores, "p-plan")
    stores.plans.save_plan("p-plan", _draft("Safer communities"), NOW)
    assert stores.plans.save_plan("p-plan", _draft("Safer communities"), NOW) == 1
    assert stores.plans.save_plan("p-plan", _draft("Safer communities online"), NOW) == 2
    stored = stores.subscribers.get_project("p-plan")
    assert stored is not None and stored.plan_revision == 2


def test_a_plan_for_a_missing_project_is_not_kept(stores):
    assert stores.plans.save_plan("p-gone", _draft("Safer communities"), NOW) is None
    assert stores.subscribers.get_project("p-gone") is None


def test_editing_the_project_keeps_the_plan_saved_meanwhile(stores):
    _new_project(stores, "p-plan")
    read_before = stores.subscribers.get_project("p-plan")
    stores.plans.save_plan("p-plan", _draft("Safer communities"), NOW)
    assert read_before is not None
    edited = read_before.model_copy(update={"title": "A new title"})
    event = new_event(ProjectSubmitted(project_id="p-plan"), correlation_id="c-edit", now=NOW)
    assert stores.my_page.replace_subscriber(edited, event)
    stored = stores.subscribers.get_project("p-plan")
    assert stored is not None and stored.title == "A new title"
    assert stored.plan == _draft("Safer communities")
    assert stored.plan_revision == 1
