"""A stored project's plan as a document to send: a PDF or DOCX proposal outline in the
CSO's language (or another product language a reader asks for)."""

from __future__ import annotations

from enum import StrEnum

from shared.domain.errors import NotFound
from shared.export import render_docx, render_pdf
from shared.runtime.bootstrap import Adapters


class DocumentFormat(StrEnum):
    PDF = "pdf"
    DOCX = "docx"


MEDIA_TYPES = {
    DocumentFormat.PDF: "application/pdf",
    DocumentFormat.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def export_plan(
    ad: Adapters, project_id: str, document_format: DocumentFormat, language: str | None = None
) -> bytes:
    """The outline of a stored project's plan (its title and facts if it has no plan yet),
    in `language` or else the project's own."""
    project = ad.subscribers.get_project(project_id)
    if project is None:
        raise NotFound(f"no project {project_id}")
    render = render_pdf if document_format is DocumentFormat.PDF else render_docx
    return render(project, language or project.language)
