"""Reading a plan's PDF back, for the export's unit tests and the browser tests.

Text read back from shaped Khmer, Lao, Burmese or Thai is not the text that went in: a
cluster drawn with several glyphs (a stacked consonant, a vowel in two parts) maps all its
characters to the first glyph, and PDF readers report the others by their raw codes (pypdf:
stray ASCII such as `<`, `@`, `Z`; PDFium: control characters and a reordered vowel). So
those scripts are compared on the characters of their own Unicode block only: every one
of them must come back, in order. Latin text is compared whole (spaces aside).
"""

from __future__ import annotations

import io
import re
from collections import defaultdict

import pypdf
import pypdfium2 as pdfium

from shared.domain.logframe import Logframe
from shared.domain.models import Project
from tests.conftest import artifacts_dir

BLOCKS = {
    "km": "[^\u1780-\u17ff]",
    "lo": "[^\u0e80-\u0eff]",
    "my": "[^\u1000-\u109f]",
    "th": "[^\u0e00-\u0e7f]",
    "en": r"[\s\u200b\x00-\x1f]",
}


def normalised(text: str, language: str) -> str:
    return re.sub(BLOCKS[language], "", text)


def column_texts(pdf: bytes) -> list[str]:
    """Each table column's cells joined, page after page: a cell continued on the next
    page (a level taller than a page) reads as one text there."""
    columns: dict[int, list[str]] = defaultdict(list)
    for left, text in _cells(pdf):
        if not columns[left] or text != columns[left][0]:  # not the headings again
            columns[left].append(text)
    return ["".join(texts) for texts in columns.values()]


def cell_texts(pdf: bytes) -> list[str]:
    return [text for _, text in _cells(pdf)]


def _cells(pdf: bytes) -> list[tuple[int, str]]:
    """The text of each table cell of each page (its wrapped lines in order), then each
    line outside the tables. Cells are the rectangles the PDF draws around them; reading
    the page line by line would interleave a cell's lines with its neighbours'."""
    texts: list[tuple[int, str]] = []
    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        rects: list[tuple[float, float, float, float]] = []
        found: dict[int, list[tuple[float, float, str]]] = defaultdict(list)

        def on_operator(op: bytes, args: list, cm: list, tm: list) -> None:
            if op == b"re":  # x y width height, the height negative when drawn downwards
                x, y, width, height = (float(a) for a in args)
                rects.append((x, min(y, y + height), width, abs(height)))  # noqa: B023

        def on_text(text: str, cm: list, tm: list, font: object, size: object) -> None:
            x, y = tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5]
            inside = [
                n
                for n, (left, bottom, width, height) in enumerate(rects)  # noqa: B023
                if left <= x + 0.5 <= left + width and bottom <= y <= bottom + height
            ]
            key = inside[0] if inside else -1 - round(y)
            found[key].append((-y, x, text))  # noqa: B023

        page.extract_text(visitor_operand_before=on_operator, visitor_text=on_text)
        for key, parts in found.items():
            left = round(rects[key][0]) if key >= 0 else -1
            texts.append((left, "".join(t for *_, t in sorted(parts))))
    return texts


def plan_texts(plan: Logframe) -> list[str]:
    """Every text of the plan a reader must find in its document."""
    texts = []
    for level in [plan.goal, plan.purpose, *plan.outputs]:
        texts += [level.statement, *level.verification, *level.assumptions]
        texts += [i.text for i in level.indicators]
    texts += [a.text for o in plan.outputs for a in o.activities]
    return texts


def save_pages(pdf: bytes, name: str) -> list[str]:
    folder = artifacts_dir("export")
    (folder / f"{name}.pdf").write_bytes(pdf)
    document = pdfium.PdfDocument(pdf)
    paths = []
    for n in range(len(document)):
        path = folder / f"{name}-page{n + 1}.png"
        document[n].render(scale=150 / 72).to_pil().save(path)
        paths.append(str(path.relative_to(folder.parent.parent)))
    return paths


def assert_plan_in_pdf(pdf: bytes, plan_project: Project, language: str) -> None:
    assert plan_project.plan is not None
    assert_texts_in_pdf(pdf, plan_texts(plan_project.plan), language)


def assert_texts_in_pdf(pdf: bytes, texts: list[str], language: str) -> None:
    """Each text is in one cell or column of the PDF, compared as the module docstring says."""
    cells = [normalised(c, language) for c in cell_texts(pdf) + column_texts(pdf)]
    for text in texts:
        wanted = normalised(text, language)
        if wanted:
            assert any(wanted in column for column in cells), text
