"""A proposal outline as plain data: what the PDF and the DOCX both show, in one language.

Built from a project and its logical framework, with every heading translated and every
amount formatted for the reader, so the two renderers only lay it out (and a test can
read the outline without opening a PDF).
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.domain.logframe import Indicator, Level, Logframe, budget_total
from shared.domain.models import Project
from shared.email.i18n import N_, country_name, format_money, language_or_fallback, translations

#: Longer plans are drawn by quarter: 60 one-month columns would not fit a page.
MAX_MONTH_COLUMNS = 24
NOT_GIVEN = "–"

LABELS = {
    "outline": N_("Project proposal outline"),
    "organisation": N_("Organisation"),
    "country": N_("Country"),
    "amount_needed": N_("Amount needed"),
    "duration": N_("Duration in months"),
    "version": N_("Plan version"),
    "summary": N_("Summary"),
    "matrix": N_("Logical framework"),
    "level": N_("Level"),
    "statement": N_("Description"),
    "indicators": N_("Indicators (baseline – target)"),
    "verification": N_("Means of verification"),
    "assumptions": N_("Assumptions"),
    "timeline": N_("Activities and timeline"),
    "activity": N_("Activity"),
    "months": N_("Months from the start of the project"),
    "quarters": N_("Quarters from the start of the project"),
    "budget": N_("Budget by output"),
    "output": N_("Output"),
    "amount": N_("Amount"),
    "total": N_("Total"),
    "no_plan": N_("This project has no plan yet."),
}
GOAL = N_("Goal")
PURPOSE = N_("Purpose")
OUTPUT_N = N_("Output %(number)s")


@dataclass(frozen=True)
class MatrixRow:
    """One level of the logframe matrix: its cells, each a list of lines."""

    level: str
    statement: str
    indicators: tuple[str, ...]
    verification: tuple[str, ...]
    assumptions: tuple[str, ...]


@dataclass(frozen=True)
class TimelineRow:
    """An activity, numbered under its output (`1.2`), and the periods it runs in."""

    number: str
    activity: str
    active: tuple[bool, ...]


@dataclass(frozen=True)
class BudgetRow:
    output: str
    statement: str
    amount: str


@dataclass(frozen=True)
class Outline:
    """Everything the documents show, already in the reader's language."""

    language: str
    labels: dict[str, str]
    title: str
    facts: tuple[tuple[str, str], ...]
    summary: str
    matrix: tuple[MatrixRow, ...]
    periods: tuple[str, ...]
    period_label: str
    timeline: tuple[TimelineRow, ...]
    budget: tuple[BudgetRow, ...]
    budget_total: str

    @property
    def has_plan(self) -> bool:
        return bool(self.matrix)

    def texts(self) -> list[str]:
        """Every piece of text the documents show (to choose fonts for the scripts in it)."""
        cells = [self.title, self.summary, self.period_label, self.budget_total]
        cells += list(self.labels.values()) + [v for fact in self.facts for v in fact]
        for row in self.matrix:
            cells += [row.level, row.statement, *row.indicators, *row.verification]
            cells += row.assumptions
        cells += [t for row in self.timeline for t in (row.number, row.activity)]
        cells += [t for row in self.budget for t in (row.output, row.statement, row.amount)]
        return cells


def indicator_line(indicator: Indicator) -> str:
    """`People trained: 0 – 20`, or `People trained: 20` without a baseline. (A dash, not
    an arrow: the vendored fonts have no arrow.)"""
    target = indicator.target.strip() or NOT_GIVEN
    baseline = indicator.baseline.strip()
    return f"{indicator.text.strip()}: {f'{baseline} – ' if baseline else ''}{target}"


def _lines(items: list[str]) -> tuple[str, ...]:
    return tuple(item.strip() for item in items if item.strip())


def _matrix_row(name: str, level: Level) -> MatrixRow:
    return MatrixRow(
        level=name,
        statement=level.statement.strip(),
        indicators=tuple(indicator_line(i) for i in level.indicators if i.text.strip()),
        verification=_lines(level.verification),
        assumptions=_lines(level.assumptions),
    )


def periods(duration_months: int) -> tuple[tuple[int, int], ...]:
    """The timeline's columns as month ranges: months, or quarters for long plans."""
    if duration_months <= MAX_MONTH_COLUMNS:
        return tuple((m, m) for m in range(1, duration_months + 1))
    return tuple((q, min(q + 2, duration_months)) for q in range(1, duration_months + 1, 3))


def _timeline(plan: Logframe) -> tuple[TimelineRow, ...]:
    columns = periods(plan.duration_months)
    rows = []
    for n, output in enumerate(plan.outputs, 1):
        for m, activity in enumerate((a for a in output.activities if a.text.strip()), 1):
            start, end = activity.start_month, activity.end_month
            active = tuple(
                start is not None and end is not None and start <= last and first <= end
                for first, last in columns
            )
            rows.append(TimelineRow(f"{n}.{m}", activity.text.strip(), active))
    return tuple(rows)


def build_outline(project: Project, language: str) -> Outline:
    """The outline of `project`'s plan in `language` (English if the product lacks it)."""
    language = language_or_fallback(language)
    gettext = translations(language).gettext
    labels = {key: gettext(msgid) for key, msgid in LABELS.items()}
    plan = project.plan or Logframe()
    currency = project.currency

    def money(amount: float | None) -> str:
        if amount is None:
            return NOT_GIVEN
        return format_money(amount, currency, language) if currency else f"{amount:,.0f}"

    facts = [
        (labels["organisation"], project.org_name),
        (labels["country"], country_name(project.country, language)),
        (labels["amount_needed"], money(project.amount_needed)),
    ]
    if project.plan is not None:
        facts.append((labels["duration"], str(plan.duration_months)))
        facts.append((labels["version"], str(project.plan_revision)))
    outputs = [
        (gettext(OUTPUT_N) % {"number": n}, output) for n, output in enumerate(plan.outputs, 1)
    ]
    matrix: tuple[MatrixRow, ...] = ()
    if project.plan is not None:
        matrix = (
            _matrix_row(gettext(GOAL), plan.goal),
            _matrix_row(gettext(PURPOSE), plan.purpose),
            *(_matrix_row(name, output) for name, output in outputs),
        )
    columns = periods(plan.duration_months)
    long_plan = len(columns) < plan.duration_months
    return Outline(
        language=language,
        labels=labels,
        title=project.title,
        facts=tuple(facts),
        summary=project.summary.strip(),
        matrix=matrix,
        periods=tuple(str(n) for n in range(1, len(columns) + 1)),
        period_label=labels["quarters" if long_plan else "months"],
        timeline=_timeline(plan) if project.plan is not None else (),
        budget=tuple(
            BudgetRow(name, output.statement.strip(), money(output.budget))
            for name, output in outputs
        ),
        budget_total=money(budget_total(plan)),
    )
