"""The PDF outline: its pages drawn to PNG for people to look at (test-artifacts/export/),
its text read back and compared with the plan, its fonts embedded.

Text read back from shaped Khmer, Lao, Burmese or Thai is not the text that went in: a
cluster drawn with several glyphs (a stacked consonant, a vowel in two parts) maps all its
characters to the first glyph, and PDF readers report the others by their raw codes (pypdf:
stray ASCII such as `<`, `@`, `Z`; PDFium: control characters and a reordered vowel). So
those scripts are compared on the characters of their own Unicode block only: every one
of them must come back, in order. Latin text is compared whole (spaces aside).
"""

from __future__ import annotations

import io
import time
import warnings

import pypdf
import pytest

from shared.domain.logframe import MAX_SHORT, Level
from shared.export import render_pdf
from tests.pdf_reading import (
    assert_plan_in_pdf,
    cell_texts,
    normalised,
    save_pages,
)
from tests.unit.export.plans import (
    ENGLISH,
    SCRIPT_SAMPLES,
    khmer_project,
    logframe,
    project,
    script_project,
)


def test_the_english_pdf_holds_every_statement_indicator_activity_and_amount() -> None:
    plan_project = project()

    pdf = render_pdf(plan_project, "en")

    assert_plan_in_pdf(pdf, plan_project, "en")
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    for words in ["Logical framework", "Budget by output", "$12,000", "$20,000", "Output 2"]:
        assert words in text
    save_pages(pdf, "plan-en")


def test_the_khmer_pdf_holds_the_plan_in_khmer_with_khmer_fonts_embedded() -> None:
    plan_project = khmer_project()

    started = time.perf_counter()
    pdf = render_pdf(plan_project, "km")
    seconds = time.perf_counter() - started

    assert_plan_in_pdf(pdf, plan_project, "km")
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert any("NotoSansKhmer" in f for f in fonts), fonts
    paths = save_pages(pdf, "plan-km")
    print(f"km: {len(pdf)} bytes, {seconds:.2f} s, {paths}")


def test_the_khmer_read_back_does_not_find_a_statement_the_pdf_lacks() -> None:
    """The comparison above must be able to fail: a statement the PDF does not hold."""
    pdf = render_pdf(khmer_project(), "km")
    cells = [normalised(c, "km") for c in cell_texts(pdf)]

    assert not any(normalised("សហគមន៍នៅភ្នំពេញ", "km") in c for c in cells)


@pytest.mark.parametrize("language", sorted(SCRIPT_SAMPLES))
def test_lao_burmese_and_thai_statements_come_back_from_their_pdf(language: str) -> None:
    plan_project = script_project(language)

    pdf = render_pdf(plan_project, language)

    cells = [normalised(c, language) for c in cell_texts(pdf)]
    wanted = normalised(SCRIPT_SAMPLES[language], language)
    assert sum(wanted in column for column in cells) == 2  # the matrix and the budget
    save_pages(pdf, f"plan-{language}")


def test_a_vietnamese_pdf_draws_its_diacritics_with_one_latin_font() -> None:
    plan_project = project(language="vi")

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # fpdf2 warns when a font is added twice
        pdf = render_pdf(plan_project, "vi")

    assert_plan_in_pdf(pdf, plan_project, "en")
    assert "Khung logic" in pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    save_pages(pdf, "plan-vi")


def test_a_level_taller_than_a_page_is_continued_over_rows_and_keeps_every_word() -> None:
    # Ten long indicators, verifications and assumptions: more than a page in one row,
    # which a table cell cannot split. (The model allows ten of each, 500 characters.)
    words = "trainers from partner groups complete the course and pass the final test "
    items = [f"{n} {words * 6}".strip()[:MAX_SHORT] for n in range(10)]
    level = {
        "statement": words * 13,
        "indicators": [{"text": item, "baseline": "0", "target": "20"} for item in items],
        "verification": items,
        "assumptions": items,
    }
    plan = logframe(ENGLISH).model_copy(update={"goal": Level.model_validate(level)})
    plan_project = project(plan=plan)

    pdf = render_pdf(plan_project, "en")

    assert_plan_in_pdf(pdf, plan_project, "en")
    assert len(pypdf.PdfReader(io.BytesIO(pdf)).pages) >= 4
    save_pages(pdf, "plan-en-long")


def test_a_project_without_a_plan_still_exports_its_title_and_says_it_has_no_plan() -> None:
    pdf = render_pdf(project(with_plan=False), "en")

    text = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Digital security trainers for the Mekong" in text
    assert "This project has no plan yet." in text
