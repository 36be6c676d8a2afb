"""The proposal outline: what both documents show, built from the project and its plan."""

from shared.domain.logframe import Indicator
from shared.export.outline import build_outline, indicator_line, periods
from tests.unit.export.plans import ENGLISH, KHMER, khmer_project, logframe, project


def test_the_matrix_has_goal_purpose_and_each_output_in_order() -> None:
    outline = build_outline(project(), "en")

    assert [row.level for row in outline.matrix] == ["Goal", "Purpose", "Output 1", "Output 2"]
    assert [row.statement for row in outline.matrix] == [
        ENGLISH["goal"][0],
        ENGLISH["purpose"][0],
        *(o[0] for o in ENGLISH["outputs"]),
    ]


def test_each_level_shows_its_indicators_with_baseline_and_target() -> None:
    outline = build_outline(project(), "en")

    assert outline.matrix[0].indicators == ("Incidents reported: 12 – 4",)
    assert outline.matrix[2].indicators == ("Trainers certified: 0 – 20",)
    assert outline.matrix[2].verification == ("Attendance sheets",)
    assert outline.matrix[2].assumptions == ("Trainees can travel safely",)


def test_an_indicator_without_baseline_shows_its_target_and_a_missing_target_a_dash() -> None:
    assert indicator_line(Indicator(text="Trainers", target="20")) == "Trainers: 20"
    assert indicator_line(Indicator(text="Trainers", baseline="0")) == "Trainers: 0 – –"


def test_activities_are_numbered_under_their_output_with_their_months() -> None:
    outline = build_outline(project(), "en")

    assert [(r.number, r.activity) for r in outline.timeline] == [
        ("1.1", "Select trainees with partner groups"),
        ("1.2", "Run a 5-day training of trainers"),
        ("2.1", "Coach trainers through their first workshops"),
    ]
    months = [[n for n, on in enumerate(r.active, 1) if on] for r in outline.timeline]
    assert months == [[1, 2], [3, 4], list(range(5, 13))]
    assert outline.periods == tuple(str(m) for m in range(1, 13))


def test_a_long_plan_is_drawn_by_quarter() -> None:
    plan = logframe(ENGLISH, duration_months=36)

    outline = build_outline(project(plan=plan), "en")

    assert periods(36)[:2] == ((1, 3), (4, 6))
    assert len(outline.periods) == 12
    assert outline.period_label == "Quarters from the start of the project"
    # Months 5 to 12 fall in quarters 2 to 4.
    assert [n for n, on in enumerate(outline.timeline[2].active, 1) if on] == [2, 3, 4]


def test_the_budget_is_by_output_with_its_total_in_the_projects_currency() -> None:
    outline = build_outline(project(), "en")

    assert [(r.output, r.amount) for r in outline.budget] == [
        ("Output 1", "$12,000"),
        ("Output 2", "$8,000"),
    ]
    assert outline.budget_total == "$20,000"


def test_khmer_outline_translates_headings_and_formats_riel_for_a_khmer_reader() -> None:
    outline = build_outline(khmer_project(), "km")

    assert outline.labels["matrix"] != "Logical framework"
    assert outline.labels["budget"] != "Budget by output"
    assert outline.matrix[0].level != "Goal"
    assert outline.budget_total == "80,000,000៛"
    assert outline.matrix[0].statement == KHMER["goal"][0]
    assert ("ប្រទេស", "កម្ពុជា") in outline.facts


def test_every_label_is_translated_in_every_language() -> None:
    english = build_outline(project(), "en")
    for language in ("km", "lo", "my", "th", "vi"):
        translated = build_outline(project(), language)
        same = [k for k, v in translated.labels.items() if v == english.labels[k]]
        assert same == [], (language, same)


def test_a_project_without_a_plan_has_an_outline_that_says_so() -> None:
    outline = build_outline(project(with_plan=False), "en")

    assert not outline.has_plan
    assert outline.matrix == () and outline.timeline == () and outline.budget == ()
    assert outline.labels["no_plan"] == "This project has no plan yet."


def test_an_unknown_language_falls_back_to_english() -> None:
    assert build_outline(project(), "fr").labels["total"] == "Total"
