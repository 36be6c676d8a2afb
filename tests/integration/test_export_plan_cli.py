"""`grantmatch export-plan`: the stored project read through the real adapters (Firestore
emulator) and written as a PDF or DOCX proposal outline."""

from __future__ import annotations

import io

import docx
import pypdf
from click.testing import CliRunner

from shared.cli import main
from shared.domain.events import ProjectSubmitted, new_event
from tests.unit.export.plans import ENGLISH, project


def _run(*args: str):
    return CliRunner().invoke(main, ["export-plan", *args], catch_exceptions=False)


def _store(ad) -> None:
    stored = project()
    event = new_event(
        ProjectSubmitted(project_id=stored.id), correlation_id="c", now=ad.clock.now()
    )
    ad.subscribers.create_project(stored, "r1", event)


def test_export_plan_writes_the_stored_plan_as_a_pdf(ad, tmp_path):
    _store(ad)
    out = tmp_path / "plan.pdf"

    result = _run("p-export", "--format", "pdf", "--out", str(out))

    assert result.exit_code == 0, result.output
    text = "".join(p.extract_text() for p in pypdf.PdfReader(out).pages)
    assert ENGLISH["outputs"][0][0] in text and "Budget by output" in text


def test_export_plan_writes_a_docx_in_another_language(ad, tmp_path):
    _store(ad)
    out = tmp_path / "plan.docx"

    result = _run("p-export", "--format", "docx", "--language", "vi", "--out", str(out))

    assert result.exit_code == 0, result.output
    document = docx.Document(io.BytesIO(out.read_bytes()))
    assert document.tables[0].rows[0].cells[0].text == "Cấp độ"


def test_an_unknown_project_exits_1_and_writes_nothing(ad, tmp_path):
    out = tmp_path / "plan.pdf"

    result = _run("p-nobody", "--out", str(out))

    assert result.exit_code == 1 and "no project p-nobody" in result.output
    assert not out.exists()
