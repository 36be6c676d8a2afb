"""The worked example of the plan builder: the plan one group could not write on its own
(train 20 people in communities around Laos, Myanmar and Cambodia in digital security, so
that they train others), in the reader's language, its budget fitted to the project's
amount so that the example is itself a complete plan."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from shared.domain.logframe import Logframe
from shared.email.i18n import N_, translations

#: The budget shared out when the project names no amount.
EXAMPLE_AMOUNT = 20_000.0


@dataclass(frozen=True)
class _Row:
    """One level of the example, its words marked for the catalogues."""

    statement: str
    indicator: str
    baseline: str
    target: str
    verification: str
    assumption: str
    activities: tuple[tuple[str, int, int], ...] = ()
    share: float = 0.0  # of the amount needed (outputs only)

    def data(self, _: Callable[[str], str]) -> dict[str, Any]:
        data: dict[str, Any] = {
            "statement": _(self.statement),
            "indicators": [
                {"text": _(self.indicator), "baseline": self.baseline, "target": self.target}
            ],
            "verification": [_(self.verification)],
            "assumptions": [_(self.assumption)],
        }
        if self.activities:
            data["activities"] = [
                {"text": _(text), "start_month": start, "end_month": end}
                for text, start, end in self.activities
            ]
        return data


GOAL = _Row(
    N_("Community groups in Laos, Myanmar and Cambodia protect themselves online."),
    N_("Community groups that use safer ways to communicate"),
    "0",
    "15",
    N_("A follow-up survey of the groups"),
    N_("The internet is not shut down in the communities."),
)
PURPOSE = _Row(
    N_("Trained trainers pass digital security on to their communities."),
    N_("People trained by the new trainers"),
    "0",
    "200",
    N_("The trainers' training reports"),
    N_("Trainers have time and safe places to run trainings."),
)
OUTPUTS = (
    _Row(
        N_("20 community trainers are trained in digital security and in how to teach it."),
        N_("Trainers who complete the course"),
        "0",
        "20",
        N_("Attendance sheets and course assessments"),
        N_("Trainees can travel safely to the training."),
        (
            (N_("Choose 20 trainees with partner groups"), 1, 2),
            (N_("Run a 5-day training of trainers"), 3, 3),
        ),
        share=0.6,
    ),
    _Row(
        N_("Each trainer runs trainings in their own community."),
        N_("Community trainings held"),
        "0",
        "40",
        N_("The trainers' short reports"),
        N_("Communities are willing to attend."),
        (
            (N_("Give small grants for local trainings"), 4, 10),
            (N_("Mentor the trainers over a secure chat"), 4, 12),
        ),
        share=0.4,
    ),
)


def example_plan(language: str, amount_needed: float | None) -> Logframe:
    """The training-of-trainers plan in `language`, its budget adding up to the amount."""
    _ = translations(language).gettext
    amount = amount_needed or EXAMPLE_AMOUNT
    budgets = [float(round(amount * row.share)) for row in OUTPUTS[:-1]]
    budgets.append(amount - sum(budgets))
    outputs = [
        {**row.data(_), "budget": budget} for row, budget in zip(OUTPUTS, budgets, strict=True)
    ]
    return Logframe.model_validate(
        {
            "goal": GOAL.data(_),
            "purpose": PURPOSE.data(_),
            "outputs": outputs,
            "duration_months": 12,
        }
    )
