"""The proposal outline as a DOCX (python-docx), for CSOs who edit it before sending.

Word picks a font per character class: Khmer, Lao, Burmese and Thai are "complex script"
text, drawn with the `w:cs` font and judged by the `w:lang w:bidi` language, so both are
set on every style the outline uses; otherwise Word falls back to a font that may lack
the script. The fonts are named, not embedded: Word substitutes the system's own Khmer,
Lao, Myanmar or Thai font if Noto is missing.
"""

from __future__ import annotations

import io
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from shared.domain.models import Project
from shared.export.outline import Outline, build_outline
from shared.export.scripts import LATIN, script_of

ACTIVE_FILL = "2E6E9E"
HEADING_FILL = "E2EAF3"
STYLES = ("Normal", "Title", "Heading 1", "Heading 2", "Table Grid")


def _set_fonts(style: Any, language: str) -> None:
    """Latin text in Noto Sans, complex-script text in the language's Noto font, and the
    language tags Word uses to choose between them."""
    script = script_of(language)
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    fonts.set(qn("w:ascii"), LATIN.family)
    fonts.set(qn("w:hAnsi"), LATIN.family)
    fonts.set(qn("w:eastAsia"), script.family)
    fonts.set(qn("w:cs"), script.family)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), script.word_lang)
    lang.set(qn("w:eastAsia"), script.word_lang)
    lang.set(qn("w:bidi"), script.word_lang)


def _shade(cell: Any, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def _fill(cell: Any, lines: list[str] | tuple[str, ...] | str, bold: bool = False) -> None:
    """Write lines into a cell, one paragraph each (Word wraps them itself)."""
    values = [lines] if isinstance(lines, str) else list(lines)
    cell.text = ""
    first = cell.paragraphs[0]
    for n, value in enumerate(values):
        paragraph = first if n == 0 else cell.add_paragraph()
        run = paragraph.add_run(value)
        if bold:
            _bold(run)


def _bold(run: Any) -> None:
    """Bold in Latin and in complex script (Khmer, Lao, Burmese, Thai have their own flag)."""
    run.bold = True
    run.font.cs_bold = True


def _table(document: Any, header: list[str], widths: list[float]) -> Any:
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text, width in zip(table.rows[0].cells, header, widths, strict=True):
        _fill(cell, text, bold=True)
        _shade(cell, HEADING_FILL)
        cell.width = Mm(width)
    _repeat_header(table.rows[0])
    return table


def _repeat_header(row: Any) -> None:
    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(marker)


def _add_row(table: Any, values: list[Any], widths: list[float]) -> Any:
    cells = table.add_row().cells
    for cell, value, width in zip(cells, values, widths, strict=True):
        _fill(cell, value)
        cell.width = Mm(width)
    return cells


def _document(language: str) -> Any:
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(14))
    for name in STYLES:
        _set_fonts(document.styles[name], language)
    normal = document.styles["Normal"]
    normal.font.size = Pt(10)
    # Room for Khmer subscripts and Burmese medials below the line and marks above it.
    normal.paragraph_format.line_spacing = 1.2
    size = OxmlElement("w:szCs")  # complex-script text has a size of its own
    size.set(qn("w:val"), "20")  # half-points
    normal.element.get_or_add_rPr().append(size)
    for name in ("Title", "Heading 1"):
        document.styles[name].font.color.rgb = RGBColor(0x1F, 0x3A, 0x5F)
    return document


def _matrix(document: Any, outline: Outline) -> None:
    labels = outline.labels
    document.add_heading(labels["matrix"], level=1)
    keys = ("level", "statement", "indicators", "verification", "assumptions")
    widths = [32.0, 72.0, 62.0, 51.0, 52.0]
    table = _table(document, [labels[k] for k in keys], widths)
    for row in outline.matrix:
        values = [row.level, row.statement, row.indicators, row.verification, row.assumptions]
        cells = _add_row(table, values, widths)
        _fill(cells[0], row.level, bold=True)


def _timeline(document: Any, outline: Outline) -> None:
    labels = outline.labels
    document.add_heading(labels["timeline"], level=1)
    document.add_paragraph(outline.period_label)
    count = len(outline.periods)
    period = min(7.0, 150.0 / count)
    widths = [12.0, 269.0 - 12.0 - period * count, *([period] * count)]
    table = _table(document, ["#", labels["activity"], *outline.periods], widths)
    for row in outline.timeline:
        cells = _add_row(table, [row.number, row.activity, *([""] * count)], widths)
        for cell, active in zip(cells[2:], row.active, strict=True):
            if active:
                _shade(cell, ACTIVE_FILL)


def _budget(document: Any, outline: Outline) -> None:
    labels = outline.labels
    document.add_heading(labels["budget"], level=1)
    widths = [38.0, 176.0, 55.0]
    header = [labels["output"], labels["statement"], labels["amount"]]
    table = _table(document, header, widths)
    for row in outline.budget:
        cells = _add_row(table, [row.output, row.statement, row.amount], widths)
        cells[2].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    cells = _add_row(table, [labels["total"], "", outline.budget_total], widths)
    _fill(cells[0], labels["total"], bold=True)
    _fill(cells[2], outline.budget_total, bold=True)
    cells[2].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT


def outline_docx(outline: Outline) -> bytes:
    """Lay out an outline as Word does: title and facts, summary, matrix, timeline, budget."""
    document = _document(outline.language)
    document.core_properties.title = outline.title
    document.core_properties.language = script_of(outline.language).word_lang
    document.add_paragraph(outline.labels["outline"])
    document.add_heading(outline.title, level=0)
    for label, value in outline.facts:
        paragraph = document.add_paragraph()
        _bold(paragraph.add_run(f"{label}: "))
        paragraph.add_run(value)
    if outline.summary:
        document.add_heading(outline.labels["summary"], level=1)
        document.add_paragraph(outline.summary)
    if not outline.has_plan:
        document.add_paragraph(outline.labels["no_plan"])
    else:
        _matrix(document, outline)
        if outline.timeline:
            _timeline(document, outline)
        if outline.budget:
            _budget(document, outline)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def render_docx(project: Project, language: str) -> bytes:
    """The project's plan as a DOCX proposal outline in `language` (en, km, lo, my, th, vi)."""
    return outline_docx(build_outline(project, language))
