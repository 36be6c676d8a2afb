"""Exporting a stored project's plan: the CSO's language unless another is asked for."""

import io

import docx
import pypdf
import pytest

from shared.domain.errors import NotFound
from shared.domain.events import ProjectSubmitted, new_event
from shared.services.plan_export import DocumentFormat, export_plan
from tests.unit.export.plans import KHMER, khmer_project


def _store(ad, project) -> None:
    event = new_event(
        ProjectSubmitted(project_id=project.id), correlation_id="c", now=ad.clock.now()
    )
    ad.subscribers.create_project(project, "r1", event)


def _text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def test_a_stored_plan_exports_in_the_csos_language(ad) -> None:
    _store(ad, khmer_project())

    pdf = export_plan(ad, "p-export", DocumentFormat.PDF)

    assert pdf.startswith(b"%PDF")
    assert "Logical framework" not in _text(pdf)


def test_a_reader_may_ask_for_another_product_language(ad) -> None:
    _store(ad, khmer_project())

    pdf = export_plan(ad, "p-export", DocumentFormat.PDF, language="en")

    assert "Logical framework" in _text(pdf)


def test_docx_is_a_word_document(ad) -> None:
    _store(ad, khmer_project())

    data = export_plan(ad, "p-export", DocumentFormat.DOCX)

    paragraphs = [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]
    assert KHMER["title"] in paragraphs


def test_an_unknown_project_is_not_found(ad) -> None:
    with pytest.raises(NotFound):
        export_plan(ad, "p-nobody", DocumentFormat.PDF)
