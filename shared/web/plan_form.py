"""The plan builder's form fields: one step of the plan read from a posted form, and a
plan written back as the form's values.

Fields are named by the plan's paths (`goal.statement`, `outputs.0.activities.1.end_month`)
so that a domain Finding lands beside its field. Rows left blank are dropped and the rest
numbered again, so the form always shows one spare row to fill. A value that cannot be
read (a month that is not a number) is kept as typed and shown with its message, and the
rest of the step is saved: nothing typed is lost.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from werkzeug.datastructures import MultiDict

from shared.domain.fields import MAX_AMOUNT
from shared.domain.logframe import (
    MAX_ITEMS,
    MAX_MONTHS,
    MAX_SHORT,
    MAX_STATEMENT,
    Logframe,
)

STEPS = ("goal", "purpose", "outputs")


class FormProblem(StrEnum):
    """A value the form could not read (the page translates each)."""

    NOT_MONTH = "not_month"
    NOT_AMOUNT = "not_amount"
    TOO_LONG = "too_long"


@dataclass
class StepRead:
    """A step as posted: the whole plan with the step replaced, what was typed into
    fields that could not be read (by field name), and their problems."""

    plan: Logframe
    typed: dict[str, str] = field(default_factory=dict)
    problems: dict[str, tuple[FormProblem, dict[str, str]]] = field(default_factory=dict)


class _Reader:
    def __init__(self, form: Mapping[str, str], read: StepRead) -> None:
        self._form = form
        self._read = read

    def text(self, name: str, at: str, limit: int) -> str:
        value = self._form.get(name, "").strip()
        if len(value) > limit:
            self._read.typed[at] = value
            self._read.problems[at] = (FormProblem.TOO_LONG, {"max": str(limit)})
            return value[:limit]
        return value

    def lines(self, name: str, at: str) -> list[str]:
        raw = self._form.get(name, "")
        items = [line.strip() for line in raw.splitlines() if line.strip()]
        if len(items) > MAX_ITEMS or any(len(i) > MAX_SHORT for i in items):
            self._read.typed[at] = raw
            self._read.problems[at] = (FormProblem.TOO_LONG, {"max": str(MAX_SHORT)})
        return [i[:MAX_SHORT] for i in items[:MAX_ITEMS]]

    def number(self, name: str, at: str, parse: Callable[[str], Any], problem: FormProblem) -> Any:
        value = self._form.get(name, "").strip()
        if not value:
            return None
        try:
            return parse(value)
        except ValueError:
            self._read.typed[at] = value
            self._read.problems[at] = (problem, {"max": str(MAX_MONTHS)})
            return None

    def rows(self, prefix: str, names: tuple[str, ...]) -> list[int]:
        """Indices of the posted rows under `prefix` with anything typed in them."""
        return [
            n
            for n in range(MAX_ITEMS + 1)
            if any(self._form.get(f"{prefix}.{n}.{name}", "").strip() for name in names)
        ]


def _month(value: str) -> int:
    month = int(value)
    if not 1 <= month <= MAX_MONTHS:
        raise ValueError(value)
    return month


def _amount(value: str) -> float:
    amount = float(re.sub(r"[,\u00a0 ]", "", value))
    if not 0 <= amount <= MAX_AMOUNT or amount != amount:
        raise ValueError(value)
    return amount


def _level(r: _Reader, posted: str, at: str) -> dict[str, Any]:
    indicators = []
    for new, n in enumerate(
        r.rows(f"{posted}.indicators", ("text", "baseline", "target"))[:MAX_ITEMS]
    ):
        indicators.append(
            {
                name: r.text(
                    f"{posted}.indicators.{n}.{name}", f"{at}.indicators.{new}.{name}", MAX_SHORT
                )
                for name in ("text", "baseline", "target")
            }
        )
    return {
        "statement": r.text(f"{posted}.statement", f"{at}.statement", MAX_STATEMENT),
        "indicators": indicators,
        "verification": r.lines(f"{posted}.verification", f"{at}.verification"),
        "assumptions": r.lines(f"{posted}.assumptions", f"{at}.assumptions"),
    }


def _activities(r: _Reader, posted: str, at: str) -> list[dict[str, Any]]:
    found = []
    names = ("text", "start_month", "end_month")
    for new, n in enumerate(r.rows(f"{posted}.activities", names)[:MAX_ITEMS]):
        src, dst = f"{posted}.activities.{n}", f"{at}.activities.{new}"
        found.append(
            {
                "text": r.text(f"{src}.text", f"{dst}.text", MAX_SHORT),
                "start_month": r.number(
                    f"{src}.start_month", f"{dst}.start_month", _month, FormProblem.NOT_MONTH
                ),
                "end_month": r.number(
                    f"{src}.end_month", f"{dst}.end_month", _month, FormProblem.NOT_MONTH
                ),
            }
        )
    return found


def _posted_outputs(form: Mapping[str, str]) -> list[int]:
    """Indices of posted outputs with anything typed in them."""
    pattern = re.compile(r"^outputs\.(\d+)\.")
    found = set()
    for name in form:
        matched = pattern.match(name)
        if matched and str(form.get(name, "")).strip():
            found.add(int(matched.group(1)))
    return sorted(n for n in found if n <= MAX_ITEMS)


def read_step(form: Mapping[str, str], step: str, stored: Logframe) -> StepRead:
    """`stored` with `step` (goal, purpose or outputs) replaced by what was posted."""
    data = stored.model_dump()
    read = StepRead(stored)
    r = _Reader(form, read)
    if step in ("goal", "purpose"):
        data[step] = _level(r, step, step)
    else:
        outputs = []
        for new, n in enumerate(_posted_outputs(form)[:MAX_ITEMS]):
            posted, at = f"outputs.{n}", f"outputs.{new}"
            output = _level(r, posted, at)
            output["activities"] = _activities(r, posted, at)
            output["budget"] = r.number(
                f"{posted}.budget", f"{at}.budget", _amount, FormProblem.NOT_AMOUNT
            )
            outputs.append(output)
        data["outputs"] = outputs
        months = r.number("duration_months", "duration_months", _month, FormProblem.NOT_MONTH)
        data["duration_months"] = months or stored.duration_months
    read.plan = Logframe.model_validate(data)
    return read


def _number_text(value: float) -> str:
    """An amount as typed back into its box: 25000, not 25000.0 or 2.5e+04."""
    return str(int(value)) if value.is_integer() else str(value)


def plan_values(plan: Logframe) -> MultiDict[str, str]:
    """The plan as the builder's form values (lists of lines as one box)."""
    values: MultiDict[str, str] = MultiDict()

    def level(at: str, data: dict[str, Any]) -> None:
        values[f"{at}.statement"] = data["statement"]
        for n, indicator in enumerate(data["indicators"]):
            for name in ("text", "baseline", "target"):
                values[f"{at}.indicators.{n}.{name}"] = indicator[name]
        values[f"{at}.verification"] = "\n".join(data["verification"])
        values[f"{at}.assumptions"] = "\n".join(data["assumptions"])

    data = plan.model_dump()
    level("goal", data["goal"])
    level("purpose", data["purpose"])
    for n, output in enumerate(data["outputs"]):
        at = f"outputs.{n}"
        level(at, output)
        for m, activity in enumerate(output["activities"]):
            values[f"{at}.activities.{m}.text"] = activity["text"]
            for name in ("start_month", "end_month"):
                month = activity[name]
                values[f"{at}.activities.{m}.{name}"] = "" if month is None else str(month)
        budget = output["budget"]
        values[f"{at}.budget"] = "" if budget is None else _number_text(budget)
    values["duration_months"] = str(plan.duration_months)
    return values
