"""The funder digest says when a project has a complete plan, in the funder's language,
and says nothing of a draft (a draft stays the CSO's)."""

from __future__ import annotations

import pytest

from shared.domain.recipients import Recipient
from shared.email import rendering as emails
from shared.email.items import GrantProjects, project_item
from shared.email.links import LinkSigner
from shared.matching.engine import evaluate
from shared.services.plan_example import example_plan
from tests import builders as b

LINKS = LinkSigner("unit-test-secret-" + "x" * 32, "https://alerts.example.org")
PLANNED = "A complete plan (logical framework) with 2 outputs"


def _digest(plan, language: str):
    project = b.project(amount_needed=20000, currency="USD", title="Trainers for trainers")
    project = project.model_copy(update={"plan": plan, "plan_revision": 3 if plan else 0})
    match = evaluate(b.grant(), project, b.today())
    assert match is not None
    funder = Recipient.of_funder("f_1", "Mekong Fund", "grants@fund.example.org", language, False)
    item = project_item(project, match, language)
    fits = GrantProjects("Radio call", "https://api.example.org/grants/g_1/projects", [item])
    return emails.render_funder_digest(funder, [fits], 0, LINKS, "r")


def test_the_digest_says_a_project_has_a_complete_plan():
    email = _digest(example_plan("en", 20000), "en")
    assert PLANNED in email.text and PLANNED in email.html


@pytest.mark.parametrize(
    "plan", [None, example_plan("en", 20000).model_copy(update={"outputs": []})]
)
def test_the_digest_says_nothing_of_a_missing_or_draft_plan(plan):
    email = _digest(plan, "en")
    assert "logical framework" not in email.text and "logical framework" not in email.html


def test_the_plan_line_is_in_the_funder_s_language():
    english = _digest(example_plan("en", 20000), "en").text
    khmer = _digest(example_plan("km", 20000), "km").text
    assert PLANNED in english and PLANNED not in khmer
    assert "ផែនការ" in khmer  # "plan", in Khmer
