"""A project's logical framework: from an idea to an action plan a funder can decide on.

Goal, purpose (the outcome), outputs and the activities under each; for each level its
indicators (baseline, target), means of verification and assumptions; a timeline of
activities in months; a budget by output. The model accepts a draft as it is being
written (the builder keeps unfinished steps); `problems` says what stops it from being a
plan, each problem tied to the field it is about, so the builder can show it there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import Field

from shared.domain.fields import Amount, Submission

MAX_STATEMENT = 1_000
MAX_SHORT = 500
MAX_ITEMS = 10  # indicators, verifications or assumptions of one level; outputs; activities
MAX_MONTHS = 60
#: The budget may differ from the amount needed by rounding only (0.5 %, at least 1 unit).
BUDGET_TOLERANCE = 0.005

Statement = Annotated[str, Field(max_length=MAX_STATEMENT)]
Short = Annotated[str, Field(max_length=MAX_SHORT)]
Items = Annotated[list[Short], Field(max_length=MAX_ITEMS)]


class Indicator(Submission):
    """How progress is measured: a target is a number (20, 1,000, 80 %) or a date."""

    text: Short = ""
    baseline: Short = ""
    target: Short = ""


class Activity(Submission):
    """One thing the CSO will do, in months counted from the project's start (1 = first)."""

    text: Short = ""
    start_month: Annotated[int, Field(ge=1, le=MAX_MONTHS)] | None = None
    end_month: Annotated[int, Field(ge=1, le=MAX_MONTHS)] | None = None


class Level(Submission):
    """A row of the matrix: what is meant, how it is measured and checked, what is assumed."""

    statement: Statement = ""
    indicators: Annotated[list[Indicator], Field(max_length=MAX_ITEMS)] = []
    verification: Items = []
    assumptions: Items = []


class Output(Level):
    """A result the project delivers, with the activities that deliver it and its budget."""

    activities: Annotated[list[Activity], Field(max_length=MAX_ITEMS)] = []
    budget: Amount | None = None


class Logframe(Submission):
    """The plan. `duration_months` bounds the timeline."""

    goal: Level = Level()
    purpose: Level = Level()
    outputs: Annotated[list[Output], Field(max_length=MAX_ITEMS)] = []
    duration_months: Annotated[int, Field(ge=1, le=MAX_MONTHS)] = 12


class Problem(StrEnum):
    """What can stop a draft from being a plan (the builder translates each)."""

    MISSING = "missing"  # a statement the plan needs is empty
    NO_OUTPUT = "no_output"
    NO_ACTIVITY = "no_activity"
    NO_INDICATOR = "no_indicator"
    NO_TARGET = "no_target"
    BAD_TARGET = "bad_target"  # neither a number nor a date
    BAD_BASELINE = "bad_baseline"
    NO_MONTHS = "no_months"
    MONTHS_ORDER = "months_order"
    MONTHS_AFTER_END = "months_after_end"
    NO_BUDGET = "no_budget"
    BUDGET_TOTAL = "budget_total"  # the outputs' budgets do not add up to the amount needed


@dataclass(frozen=True)
class Finding:
    """One problem at one field, e.g. `outputs.0.indicators.1.target`."""

    path: str
    problem: Problem
    params: dict[str, str] = field(default_factory=dict)


_NUMBER = re.compile(r"^[+-]?\d{1,3}(?:[,\u00a0 ]\d{3})*(?:\.\d+)?\s*%?$|^[+-]?\d+(?:\.\d+)?\s*%?$")


def parse_target(text: str) -> float | date | None:
    """A number (thousands separated by commas or spaces, an optional %) or an ISO date."""
    value = text.strip()
    if _NUMBER.match(value):
        return float(re.sub(r"[,\u00a0 %]", "", value))
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _level_findings(level: Level, path: str) -> list[Finding]:
    found: list[Finding] = []
    if not level.statement.strip():
        found.append(Finding(f"{path}.statement", Problem.MISSING))
    if not any(i.text.strip() for i in level.indicators):
        found.append(Finding(f"{path}.indicators", Problem.NO_INDICATOR))
    for n, indicator in enumerate(level.indicators):
        at = f"{path}.indicators.{n}"
        if not indicator.text.strip():
            continue
        if not indicator.target.strip():
            found.append(Finding(f"{at}.target", Problem.NO_TARGET))
        elif parse_target(indicator.target) is None:
            found.append(Finding(f"{at}.target", Problem.BAD_TARGET, {"value": indicator.target}))
        if indicator.baseline.strip() and parse_target(indicator.baseline) is None:
            found.append(Finding(f"{at}.baseline", Problem.BAD_BASELINE))
    return found


def _activity_findings(activity: Activity, path: str, months: int) -> list[Finding]:
    if activity.start_month is None or activity.end_month is None:
        return [Finding(f"{path}.months", Problem.NO_MONTHS)]
    if activity.end_month < activity.start_month:
        return [Finding(f"{path}.months", Problem.MONTHS_ORDER)]
    if activity.end_month > months:
        return [Finding(f"{path}.months", Problem.MONTHS_AFTER_END, {"months": str(months)})]
    return []


def problems(plan: Logframe, amount_needed: float | None) -> list[Finding]:
    """Everything that stops `plan` from being a complete plan, in the order of the form.

    `amount_needed` is the project's: the outputs' budgets must add up to it (when the
    project names none, each output still needs a budget)."""
    found = _level_findings(plan.goal, "goal") + _level_findings(plan.purpose, "purpose")
    if not plan.outputs:
        found.append(Finding("outputs", Problem.NO_OUTPUT))
    for n, output in enumerate(plan.outputs):
        path = f"outputs.{n}"
        found += _level_findings(output, path)
        activities = [a for a in output.activities if a.text.strip()]
        if not activities:
            found.append(Finding(f"{path}.activities", Problem.NO_ACTIVITY))
        for m, activity in enumerate(output.activities):
            if activity.text.strip():
                found += _activity_findings(
                    activity, f"{path}.activities.{m}", plan.duration_months
                )
        if output.budget is None:
            found.append(Finding(f"{path}.budget", Problem.NO_BUDGET))
    total = budget_total(plan)
    budgets_given = bool(plan.outputs) and all(o.budget is not None for o in plan.outputs)
    if (
        budgets_given
        and amount_needed is not None
        and abs(total - amount_needed) > max(1.0, amount_needed * BUDGET_TOLERANCE)
    ):
        params = {"total": f"{total:,.0f}", "needed": f"{amount_needed:,.0f}"}
        found.append(Finding("budget", Problem.BUDGET_TOTAL, params))
    return found


def budget_total(plan: Logframe) -> float:
    return sum(o.budget or 0.0 for o in plan.outputs)


def is_complete(plan: Logframe, amount_needed: float | None) -> bool:
    return not problems(plan, amount_needed)


def plan_text(plan: Logframe) -> str:
    """The plan's words, for ranking: a grant about training trainers should find a plan
    whose outputs train trainers even if the project's summary does not say so."""
    levels: list[Level] = [plan.goal, plan.purpose, *plan.outputs]
    parts: list[str] = []
    for level in levels:
        parts.append(level.statement)
        parts += [i.text for i in level.indicators]
    for output in plan.outputs:
        parts += [a.text for a in output.activities]
    return "\n".join(p for p in parts if p.strip())
