"""A project's plan as a document to send: a PDF or DOCX proposal outline in the CSO's
language and script. `outline` builds what both show; `pdf` and `word` lay it out.

The renderers load fpdf2, HarfBuzz, fontTools and python-docx (about a second of imports
on a busy machine), so they are imported on the first export, not when a function that
may export starts: importing this package costs nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shared.domain.models import Project


def render_pdf(project: Project, language: str) -> bytes:
    """The project's plan as a PDF proposal outline in `language` (en, km, lo, my, th, vi)."""
    from shared.export.pdf import render_pdf as render

    return render(project, language)


def render_docx(project: Project, language: str) -> bytes:
    """The project's plan as a DOCX proposal outline in `language` (en, km, lo, my, th, vi)."""
    from shared.export.word import render_docx as render

    return render(project, language)


__all__ = ["render_docx", "render_pdf"]
