"""A plan as people read it: each level of the logical framework with its indicators
(from the baseline to the target), means of verification and assumptions; the outputs
with their activities' months and budgets. The builder's review, its worked example and
the funders' projects page print the same view."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shared.domain.logframe import Logframe, budget_total
from shared.email.i18n import format_money, translations


@dataclass(frozen=True)
class LevelView:
    """One row of the matrix, ready to print."""

    label: str
    statement: str
    indicators: tuple[tuple[str, str, str], ...]
    verification: tuple[str, ...]
    assumptions: tuple[str, ...]
    activities: tuple[tuple[str, str], ...] = ()
    budget: str = ""


@dataclass(frozen=True)
class PlanView:
    """A plan as the review, the example and a funder's page print it."""

    levels: tuple[LevelView, ...]
    duration: str
    total: str
    revision: int = 0  # the saved version shown (0: not a saved plan, e.g. the example)


def _money(amount: float | None, currency: str | None, language: str) -> str:
    if amount is None:
        return ""
    if currency:
        return format_money(amount, currency, language)
    return f"{amount:,.0f}"


def plan_view(plan: Logframe, currency: str | None, language: str, revision: int = 0) -> PlanView:
    """A plan, localised: each level with its indicators, checks and assumptions; the
    outputs with their activities' months and their budgets."""
    t = translations(language)
    _ = t.gettext

    def level(label: str, data: Any, **extra: Any) -> LevelView:
        return LevelView(
            label,
            data.statement,
            tuple((i.text, i.baseline, i.target) for i in data.indicators if i.text),
            tuple(data.verification),
            tuple(data.assumptions),
            **extra,
        )

    def months(start: int | None, end: int | None) -> str:
        if start is None or end is None:
            return ""
        if start == end:
            return _("Month %(month)d") % {"month": start}
        return _("Months %(first)d to %(last)d") % {"first": start, "last": end}

    outputs = tuple(
        level(
            _("Output %(number)d") % {"number": n},
            o,
            activities=tuple(
                (a.text, months(a.start_month, a.end_month)) for a in o.activities if a.text
            ),
            budget=_money(o.budget, currency, language),
        )
        for n, o in enumerate(plan.outputs, start=1)
    )
    return PlanView(
        (level(_("Goal"), plan.goal), level(_("Purpose"), plan.purpose), *outputs),
        t.ngettext("%(num)d month", "%(num)d months", plan.duration_months)
        % {"num": plan.duration_months},
        _money(budget_total(plan), currency, language) if plan.outputs else "",
        revision,
    )
