"""The proposal outline as a PDF (fpdf2), shaped by HarfBuzz so Khmer, Lao, Burmese and
Thai come out right: stacked consonants, medials, vowels drawn before their consonant.

fpdf2 and uharfbuzz are wheels from PyPI with no system library, so this runs in a Cloud
Function as it runs here; the fonts come from `shared/data/fonts` and are embedded
(subset), so the reader needs none installed.
"""

from __future__ import annotations

from collections.abc import Sequence

from fpdf import FPDF

from shared.domain.models import Project
from shared.export.outline import Outline, build_outline
from shared.export.pdf_table import LINE, Cell, Table, paragraph
from shared.export.scripts import LATIN, script_of, scripts_in, with_break_hints

BODY = 9.5
HEADING_FILL = (226, 234, 243)
ACTIVE_FILL = (46, 110, 158)
MARGIN = 14


class _Document(FPDF):
    """A4 landscape: the matrix's five columns and a year of months fit across."""

    def __init__(self, family: str) -> None:
        super().__init__(orientation="landscape", unit="mm", format="A4")
        self.family = family
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(auto=True, margin=MARGIN)
        self.c_margin = 0  # the tables pad their cells themselves (pdf_table.PADDING)

    def footer(self) -> None:
        self.set_y(-10)
        self.set_font(self.family, size=8)
        self.cell(0, 5, str(self.page_no()), align="C")


def _new_document(outline: Outline) -> _Document:
    """A document with the fonts of the outline's scripts; the language's own first, the
    others as fallbacks for the characters it lacks (a Khmer plan quotes English names)."""
    main = script_of(outline.language)
    scripts = {s.name: s for s in [main, LATIN, *scripts_in(outline.texts())]}
    pdf = _Document(main.name)
    for script in scripts.values():
        pdf.add_font(script.name, "", str(script.font_file()))
        pdf.add_font(script.name, "B", str(script.font_file(bold=True)))
    pdf.set_text_shaping(True)
    pdf.set_fallback_fonts([name for name in scripts if name != main.name], exact_match=False)
    pdf.set_lang(outline.language)
    pdf.set_title(outline.title)
    pdf.set_creator("Grant Match")
    pdf.set_font(main.name, size=BODY)
    return pdf


def _text(value: str) -> str:
    return with_break_hints(value)


def _heading(pdf: _Document, text: str, size: float = 13) -> None:
    pdf.ln(3)
    pdf.set_font(style="B", size=size)
    paragraph(pdf, _text(text), size * 0.55)
    pdf.set_font(style="", size=BODY)
    pdf.ln(1.5)


def _lines(values: Sequence[str]) -> str:
    return "\n".join(_text(v) for v in values)


def _header(texts: Sequence[str]) -> list[Cell]:
    return [Cell(_text(t), bold=True, fill=HEADING_FILL) for t in texts]


def _title_page(pdf: _Document, outline: Outline) -> None:
    pdf.set_font(size=10)
    paragraph(pdf, _text(outline.labels["outline"]), 5)
    pdf.set_font(style="B", size=18)
    paragraph(pdf, _text(outline.title), 9)
    pdf.set_font(style="", size=BODY)
    pdf.ln(2)
    for label, value in outline.facts:
        pdf.set_font(style="B")
        pdf.cell(60, LINE + 1, _text(label))
        pdf.set_font(style="")
        paragraph(pdf, _text(value), LINE + 1)
    if outline.summary:
        _heading(pdf, outline.labels["summary"])
        paragraph(pdf, _text(outline.summary), LINE + 0.5)


def _matrix(pdf: _Document, outline: Outline) -> None:
    labels = outline.labels
    _heading(pdf, labels["matrix"])
    keys = ("level", "statement", "indicators", "verification", "assumptions")
    table = Table(pdf, (12, 27, 23, 19, 19), _header([labels[k] for k in keys]))
    for row in outline.matrix:
        table.row(
            [
                Cell(_text(row.level), bold=True),
                Cell(_text(row.statement)),
                Cell(_lines(row.indicators)),
                Cell(_lines(row.verification)),
                Cell(_lines(row.assumptions)),
            ]
        )


def _timeline(pdf: _Document, outline: Outline) -> None:
    labels = outline.labels
    _heading(pdf, labels["timeline"])
    paragraph(pdf, _text(outline.period_label), LINE)
    pdf.ln(1)
    count = len(outline.periods)
    period_width = min(7.0, 150.0 / count)
    shares = (10, pdf.epw - 10 - period_width * count, *([period_width] * count))
    header = _header(["#", labels["activity"], *outline.periods])
    table = Table(pdf, shares, header)
    for row in outline.timeline:
        periods = [Cell("", fill=ACTIVE_FILL if active else None) for active in row.active]
        table.row([Cell(row.number), Cell(_text(row.activity)), *periods])


def _budget(pdf: _Document, outline: Outline) -> None:
    labels = outline.labels
    _heading(pdf, labels["budget"])
    header = _header([labels["output"], labels["statement"], labels["amount"]])
    table = Table(pdf, (14, 66, 20), header)
    for row in outline.budget:
        table.row(
            [Cell(_text(row.output)), Cell(_text(row.statement)), Cell(row.amount, align="R")]
        )
    total = [
        Cell(_text(labels["total"]), bold=True),
        Cell(""),
        Cell(outline.budget_total, bold=True, align="R"),
    ]
    table.row(total)


def outline_pdf(outline: Outline) -> bytes:
    """Lay out an outline: title and facts, summary, matrix, timeline, budget."""
    pdf = _new_document(outline)
    pdf.add_page()
    _title_page(pdf, outline)
    if not outline.has_plan:
        pdf.ln(3)
        paragraph(pdf, _text(outline.labels["no_plan"]), LINE)
        return bytes(pdf.output())
    _matrix(pdf, outline)
    if outline.timeline:
        _timeline(pdf, outline)
    if outline.budget:
        _budget(pdf, outline)
    return bytes(pdf.output())


def render_pdf(project: Project, language: str) -> bytes:
    """The project's plan as a PDF proposal outline in `language` (en, km, lo, my, th, vi)."""
    return outline_pdf(build_outline(project, language))
