"""The plan builder's pages: a step per level of the logical framework, the review (the
plan as a matrix with what it still needs), the worked example; and the plan as a funder
reads it. Every problem is put into words here, in the reader's language, beside the
field it is about.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask import Response

from shared.domain.logframe import MAX_ITEMS, Finding, Logframe, Problem
from shared.email.i18n import N_, format_money, translations
from shared.services.plans import PlanDraft
from shared.web.pages.plan_view import plan_view
from shared.web.pages.site import FormState
from shared.web.pages.site import _render as render_page
from shared.web.plan_form import STEPS, FormProblem, plan_values

STEP_TITLES = {
    "goal": N_("Goal"),
    "purpose": N_("Purpose"),
    "outputs": N_("Outputs and activities"),
    "review": N_("Review"),
}
PROBLEMS = {
    Problem.MISSING: N_("Write this part of the plan: one or two sentences are enough."),
    Problem.NO_OUTPUT: N_("Add at least one output: a result the project delivers."),
    Problem.NO_ACTIVITY: N_("Add at least one activity that delivers this output."),
    Problem.NO_INDICATOR: N_("Add at least one indicator: how you will measure progress."),
    Problem.NO_TARGET: N_("Give a target: a number or a date."),
    Problem.BAD_TARGET: N_(
        "“%(value)s” is not a number or a date. Write a number (20, 1,000, 80 %%) or a "
        "date (2027-06-30)."
    ),
    Problem.BAD_BASELINE: N_("Write the baseline as a number or a date, or leave it empty."),
    Problem.NO_MONTHS: N_("Give the first and the last month of this activity."),
    Problem.MONTHS_ORDER: N_("The last month cannot come before the first."),
    Problem.MONTHS_AFTER_END: N_(
        "The plan lasts %(months)s months: this activity must end by then."
    ),
    Problem.NO_BUDGET: N_("Give this output's budget."),
    Problem.BUDGET_TOTAL: N_(
        "The outputs' budgets add up to %(total)s, but the project needs %(needed)s."
    ),
}
FORM_PROBLEMS = {
    FormProblem.NOT_MONTH: N_("Write a month as a whole number from 1 to %(max)s."),
    FormProblem.NOT_AMOUNT: N_("Write the amount as a number, for example 8000."),
    FormProblem.TOO_LONG: N_("This is too long: at most %(max)s characters a line."),
}
NOTICES = {
    "saved": N_("Saved."),
    "expired": N_(
        "This page was open for a long time, so we did not save it. Press the button again: "
        "what you typed is still here."
    ),
    "loaded": N_("The example is now your draft: change it to fit your project."),
    "not_empty": N_(
        "Your plan already has a draft, so the example cannot replace it. Read the example "
        "here and copy what helps."
    ),
}


def step_of(path: str) -> str:
    """The step whose form holds a field (the budget total is on the outputs' step)."""
    head = path.split(".", 1)[0]
    return head if head in ("goal", "purpose") else "outputs"


def problem_text(finding: Finding, language: str) -> str:
    """A domain problem in words, in `language`."""
    return translations(language).gettext(PROBLEMS[finding.problem]) % finding.params


def step_errors(
    draft: PlanDraft,
    step: str,
    language: str,
    form_problems: Mapping[str, tuple[FormProblem, dict[str, str]]] | None = None,
) -> dict[str, str]:
    """The messages of one step by field: what the form could not read first, then the
    plan's problems (one message a field)."""
    _ = translations(language).gettext
    errors = {
        path: _(FORM_PROBLEMS[problem]) % params
        for path, (problem, params) in (form_problems or {}).items()
    }
    for finding in draft.findings:
        if step_of(finding.path) != step or finding.path in errors:
            continue
        if finding.path.endswith(".months") and any(
            f"{finding.path[: -len('months')]}{end}" in errors
            for end in ("start_month", "end_month")
        ):
            continue  # a month the form could not read already says what to do
        errors[finding.path] = problem_text(finding, language)
    return errors


def _rows(count: int) -> int:
    """Rows a list shows: those filled in and one spare, within the limit."""
    return min(count + 1, MAX_ITEMS)


@dataclass(frozen=True)
class StepLink:
    """One entry of the steps' navigation."""

    slug: str
    label: str
    url: str


def _steps(prefix: str, token: str, language: str) -> list[StepLink]:
    _ = translations(language).gettext
    query = urlencode({"token": token, "lang": language})
    links = [StepLink(s, _(STEP_TITLES[s]), f"{prefix}/my/plan/{s}?{query}") for s in STEPS]
    return [*links, StepLink("review", _(STEP_TITLES["review"]), f"{prefix}/my/plan?{query}")]


def _common(draft: PlanDraft, prefix: str, token: str, language: str) -> dict[str, Any]:
    project = draft.project
    currency = project.currency or ""
    needed = (
        format_money(project.amount_needed, currency, language)
        if project.amount_needed is not None and currency
        else ""
    )
    return {
        "prefix": prefix,
        "token": token,
        "steps": _steps(prefix, token, language),
        "project_title": project.title,
        "currency": currency,
        "needed": needed,
        "revision": draft.revision,
    }


def step_page(
    language: str,
    prefix: str,
    token: str,
    form_token: str,
    draft: PlanDraft,
    step: str,
    *,
    errors: dict[str, str] | None = None,
    typed: Mapping[str, str] | None = None,
    notice: str = "",
    status: int = 200,
) -> Response:
    """One step's form, filled in with the draft (and what could not be read, as typed),
    each message beside its field."""
    _ = translations(language).gettext
    values = plan_values(draft.plan)
    for name, value in (typed or {}).items():
        values[name] = value
    plan = draft.plan
    outputs = [(_rows(len(o.indicators)), _rows(len(o.activities))) for o in plan.outputs]
    if len(outputs) < MAX_ITEMS:
        outputs.append((1, 2))  # a spare output to fill in
    layout = {
        "goal": _rows(len(plan.goal.indicators)),
        "purpose": _rows(len(plan.purpose.indicators)),
        "outputs": outputs,
    }
    number = STEPS.index(step) + 1
    return render_page(
        "plan_step",
        language,
        title=_("Step %(number)d of 4: %(step)s")
        % {"number": number, "step": _(STEP_TITLES[step])},
        switch_to=f"{prefix}/my/plan/{step}",
        switch_args={"token": token},
        status=status,
        step=step,
        next_step=(STEPS[number] if number < len(STEPS) else "review"),
        form=FormState("plan", values, errors or {}),
        form_token=form_token,
        layout=layout,
        notice=_(NOTICES[notice]) if notice else "",
        **_common(draft, prefix, token, language),
    )


def review_page(
    language: str,
    prefix: str,
    token: str,
    draft: PlanDraft,
    *,
    notice: str = "",
) -> Response:
    """The plan as a matrix, with what it still needs, each linked to its field."""
    _ = translations(language).gettext
    query = urlencode({"token": token, "lang": language, "check": "1"})
    needs = [
        (f"{prefix}/my/plan/{step_of(f.path)}?{query}#plan-{f.path}", problem_text(f, language))
        for f in draft.findings
    ]
    return render_page(
        "plan_review",
        language,
        title=_("Your project's plan"),
        switch_to=f"{prefix}/my/plan",
        switch_args={"token": token},
        plan=plan_view(draft.plan, draft.project.currency, language, draft.revision),
        needs=needs,
        started=draft.revision > 0,
        notice=_(NOTICES[notice]) if notice else "",
        **_common(draft, prefix, token, language),
    )


def example_page(
    language: str,
    prefix: str,
    token: str,
    form_token: str,
    draft: PlanDraft,
    example: Logframe,
    *,
    notice: str = "",
    status: int = 200,
) -> Response:
    """The worked example as a matrix; it can be loaded into an empty draft."""
    _ = translations(language).gettext
    return render_page(
        "plan_example",
        language,
        title=_("An example: a training of trainers"),
        switch_to=f"{prefix}/my/plan/example",
        switch_args={"token": token},
        status=status,
        plan=plan_view(example, draft.project.currency, language),
        can_load=draft.revision == 0,
        form_token=form_token,
        notice=_(NOTICES[notice]) if notice else "",
        **_common(draft, prefix, token, language),
    )
