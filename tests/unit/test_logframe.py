"""The logical framework's rules: what a complete plan needs, each problem at its field."""

from datetime import date

import pytest

from shared.domain.logframe import Logframe, Problem, parse_target, plan_text, problems


def level(statement: str, target: str = "20") -> dict[str, object]:
    return {
        "statement": statement,
        "indicators": [{"text": "people trained", "baseline": "0", "target": target}],
        "verification": ["attendance sheets"],
        "assumptions": ["trainees can travel"],
    }


def plan(**overrides: object) -> Logframe:
    output = {
        **level("20 community trainers trained in digital security"),
        "activities": [
            {"text": "Run a 5-day training of trainers", "start_month": 2, "end_month": 3}
        ],
        "budget": 8000,
    }
    data: dict[str, object] = {
        "goal": level("Communities in the Mekong region are safer online"),
        "purpose": level("Trainers pass digital security on to their communities"),
        "outputs": [output],
        "duration_months": 12,
        **overrides,
    }
    return Logframe.model_validate(data)


def paths(found: list) -> list[tuple[str, Problem]]:
    return [(f.path, f.problem) for f in found]


def test_a_complete_plan_has_no_problem() -> None:
    assert problems(plan(), amount_needed=8000) == []


def test_an_empty_draft_says_what_each_level_needs() -> None:
    found = paths(problems(Logframe(), amount_needed=None))
    assert ("goal.statement", Problem.MISSING) in found
    assert ("purpose.indicators", Problem.NO_INDICATOR) in found
    assert ("outputs", Problem.NO_OUTPUT) in found


def test_every_output_needs_an_activity_an_indicator_and_a_budget() -> None:
    bare = {"statement": "A guide is written", "activities": [], "indicators": []}
    found = paths(problems(plan(outputs=[bare]), amount_needed=None))
    assert ("outputs.0.activities", Problem.NO_ACTIVITY) in found
    assert ("outputs.0.indicators", Problem.NO_INDICATOR) in found
    assert ("outputs.0.budget", Problem.NO_BUDGET) in found


def test_a_target_is_a_number_or_a_date() -> None:
    found = problems(plan(goal=level("Safer communities", target="many")), amount_needed=8000)
    assert paths(found) == [("goal.indicators.0.target", Problem.BAD_TARGET)]
    assert found[0].params == {"value": "many"}


@pytest.mark.parametrize(
    ("text", "value"),
    [("20", 20.0), ("1,000", 1000.0), ("80 %", 80.0), ("2027-06-30", date(2027, 6, 30))],
)
def test_targets_read_as_people_write_them(text: str, value: object) -> None:
    assert parse_target(text) == value


def test_the_budget_by_output_must_add_up_to_the_amount_needed() -> None:
    found = problems(plan(), amount_needed=10_000)
    assert paths(found) == [("budget", Problem.BUDGET_TOTAL)]
    assert found[0].params == {"total": "8,000", "needed": "10,000"}


def test_an_activity_must_fit_the_plan_s_months() -> None:
    late = plan(duration_months=2)
    assert paths(problems(late, 8000)) == [
        ("outputs.0.activities.0.months", Problem.MONTHS_AFTER_END)
    ]


def test_the_plan_s_words_feed_ranking() -> None:
    text = plan_text(plan())
    assert "training of trainers" in text and "digital security" in text
