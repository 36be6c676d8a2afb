"""The DOCX outline, opened again with python-docx: its tables hold the plan, and Word is
told which font and language draw Khmer, Lao, Burmese and Thai."""

from __future__ import annotations

import io

import docx
from docx.oxml.ns import qn

from shared.domain.models import Project
from shared.export import render_docx
from shared.export.outline import indicator_line
from tests.conftest import artifacts_dir
from tests.unit.export.plans import khmer_project, project


def tables(data: bytes) -> list[list[list[str]]]:
    document = docx.Document(io.BytesIO(data))
    return [[[cell.text for cell in row.cells] for row in t.rows] for t in document.tables]


def expected_matrix(plan_project: Project, level_names: list[str]) -> list[list[str]]:
    plan = plan_project.plan
    assert plan is not None
    levels = [plan.goal, plan.purpose, *plan.outputs]
    return [
        [
            name,
            level.statement,
            "\n".join(indicator_line(i) for i in level.indicators),
            "\n".join(level.verification),
            "\n".join(level.assumptions),
        ]
        for name, level in zip(level_names, levels, strict=True)
    ]


def test_the_matrix_table_holds_every_level_as_the_plan_says() -> None:
    plan_project = project()

    matrix, _, _ = tables(render_docx(plan_project, "en"))

    assert matrix[0] == [
        "Level",
        "Description",
        "Indicators (baseline – target)",
        "Means of verification",
        "Assumptions",
    ]
    names = ["Goal", "Purpose", "Output 1", "Output 2"]
    assert matrix[1:] == expected_matrix(plan_project, names)


def test_the_timeline_shades_each_activitys_months() -> None:
    data = render_docx(project(), "en")

    document = docx.Document(io.BytesIO(data))
    timeline = document.tables[1]
    assert [c.text for c in timeline.rows[0].cells][:3] == ["#", "Activity", "1"]
    shaded = []
    for row in timeline.rows[1:]:
        fills = [
            c._tc.tcPr.find(qn("w:shd")) if c._tc.tcPr is not None else None for c in row.cells
        ]
        shaded.append([n - 1 for n, f in enumerate(fills[2:], 2) if f is not None])
    assert [row.cells[1].text for row in timeline.rows[1:]] == [
        "Select trainees with partner groups",
        "Run a 5-day training of trainers",
        "Coach trainers through their first workshops",
    ]
    assert shaded == [[1, 2], [3, 4], list(range(5, 13))]


def test_the_budget_table_lists_each_output_and_the_total() -> None:
    _, _, budget = tables(render_docx(project(), "en"))

    assert [row[2] for row in budget] == ["Amount", "$12,000", "$8,000", "$20,000"]
    assert budget[-1][0] == "Total"


def test_a_khmer_docx_holds_the_khmer_plan_and_names_khmer_fonts_for_complex_script() -> None:
    plan_project = khmer_project()
    data = render_docx(plan_project, "km")
    (artifacts_dir("export") / "plan-km.docx").write_bytes(data)

    matrix, _, budget = tables(data)
    names = [row[0] for row in matrix[1:]]
    assert matrix[1:] == expected_matrix(plan_project, names)
    assert budget[-1][2] == "80,000,000៛"
    normal = docx.Document(io.BytesIO(data)).styles["Normal"].element.rPr
    fonts, lang = normal.find(qn("w:rFonts")), normal.find(qn("w:lang"))
    assert fonts.get(qn("w:cs")) == "Noto Sans Khmer"
    assert fonts.get(qn("w:ascii")) == "Noto Sans"
    assert lang.get(qn("w:bidi")) == "km-KH"
    assert lang.get(qn("w:eastAsia")) == "km-KH"


def test_a_project_without_a_plan_exports_a_docx_without_tables() -> None:
    data = render_docx(project(with_plan=False), "en")

    document = docx.Document(io.BytesIO(data))
    assert document.tables == []
    assert "This project has no plan yet." in [p.text for p in document.paragraphs]


def test_every_bold_run_is_bold_in_complex_script_too() -> None:
    # Word draws Khmer with the complex-script flags: `w:b` alone leaves it regular.
    document = docx.Document(io.BytesIO(render_docx(khmer_project(), "km")))
    paragraphs = list(document.paragraphs)
    paragraphs += [p for t in document.tables for c in t._cells for p in c.paragraphs]

    bold = [r for p in paragraphs for r in p.runs if r.bold]
    assert len(bold) > 10
    assert all(r.font.cs_bold for r in bold)
