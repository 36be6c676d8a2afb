"""The plan builder's use cases on the fakes: a draft is kept with its problems, each
change a revision; only a project has a plan; the worked example is a complete plan."""

from __future__ import annotations

import pytest

from shared.domain.errors import NotFound
from shared.domain.logframe import Logframe, Problem
from shared.domain.recipients import RecipientKind
from shared.email.links import Purpose
from shared.services import my_matches, plans
from tests.unit.services.pipeline import confirmed_profile, confirmed_project, token


def _me(ad, kind=RecipientKind.PROJECT, **overrides):
    make = confirmed_project if kind is RecipientKind.PROJECT else confirmed_profile
    rid = make(ad, **overrides)
    return my_matches.recipient_of(ad, token(ad, Purpose.MY_MATCHES, kind, rid))


def test_an_empty_draft_is_shown_before_anything_is_saved(ad):
    draft = plans.draft_of(ad, _me(ad))
    assert draft.plan == Logframe() and draft.revision == 0


def test_a_step_with_problems_is_saved_with_them(ad):
    me = _me(ad)
    typed = Logframe.model_validate(
        {
            "goal": {
                "statement": "Safer communities",
                "indicators": [{"text": "x", "target": "many"}],
            }
        }
    )
    draft = plans.save_draft(ad, me, typed)
    assert draft.revision == 1
    assert ("goal.indicators.0.target", Problem.BAD_TARGET) in [
        (f.path, f.problem) for f in draft.findings
    ]
    assert plans.draft_of(ad, me).plan == typed


def test_an_alert_profile_has_no_plan(ad):
    with pytest.raises(NotFound):
        plans.draft_of(ad, _me(ad, RecipientKind.PROFILE))


@pytest.mark.parametrize("language", ["en", "km", "lo", "my", "th", "vi"])
def test_the_worked_example_is_a_complete_plan_for_the_project_s_amount(ad, language):
    me = _me(ad, amount_needed=25_000, currency="USD")
    example = plans.example_plan(language, 25_000)
    assert plans.save_draft(ad, me, example).findings == []
    assert "20" in example.outputs[0].statement
