"""A project's plan feeds ranking: a grant about training trainers finds a project whose
plan trains trainers, even when the project's title and summary do not say so."""

from __future__ import annotations

from shared.matching.ranking import rank
from shared.matching.screening import Applicant
from shared.services.plan_example import example_plan
from tests import builders as b

TODAY = b.today()
TOT_GRANT = b.grant(
    title="Training of trainers for community educators",
    description="Trainers are trained so that they train others in their communities.",
)


def _project(with_plan: bool, pid: str):
    project = b.project(
        id=pid,
        title="Mekong community network",
        summary="A network of village groups in Laos.",
        amount_needed=20000,
        currency="USD",
    )
    if not with_plan:
        return project
    return project.model_copy(update={"plan": example_plan("en", 20000), "plan_revision": 1})


def test_a_plan_that_trains_trainers_ranks_the_project_higher_for_such_a_grant():
    planned, bare = _project(True, "p_plan"), _project(False, "p_bare")
    with_plan = rank(TOT_GRANT, Applicant.of(planned), TODAY)
    without = rank(TOT_GRANT, Applicant.of(bare), TODAY)
    assert with_plan.parts["text"] > without.parts["text"]
    assert with_plan.score > without.score


def test_the_plan_s_words_are_part_of_what_a_project_is_matched_on():
    applicant = Applicant.of(_project(True, "p_plan"))
    assert "Run a 5-day training of trainers" in applicant.text
