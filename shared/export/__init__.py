"""A project's plan as a document to send: a PDF or DOCX proposal outline in the CSO's
language and script. `outline` builds what both show; `pdf` and `word` lay it out."""

from shared.export.pdf import render_pdf
from shared.export.word import render_docx

__all__ = ["render_docx", "render_pdf"]
