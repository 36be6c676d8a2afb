"""`grantmatch export-plan`: a stored project's plan as a PDF or DOCX proposal outline."""

from __future__ import annotations

from pathlib import Path

import click

from shared.domain.taxonomy import PRODUCT_LANGUAGES
from shared.runtime.bootstrap import adapters
from shared.runtime.config import get_settings
from shared.runtime.jsonlog import configure_logging


@click.command("export-plan")
@click.argument("project_id")
@click.option(
    "--format", "fmt", type=click.Choice(["pdf", "docx"]), default="pdf", show_default=True
)
@click.option(
    "--language",
    type=click.Choice(list(PRODUCT_LANGUAGES)),
    help="Default: the language the CSO chose for its project.",
)
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True)
def export_plan_command(project_id: str, fmt: str, language: str | None, out: Path) -> None:
    """Write PROJECT_ID's plan to --out as a proposal outline (PDF or DOCX)."""
    from shared.domain.errors import NotFound
    from shared.services.plan_export import DocumentFormat, export_plan

    settings = get_settings()
    configure_logging("export-plan", settings.google_cloud_project, "WARNING")
    try:
        document = export_plan(adapters(), project_id, DocumentFormat(fmt), language)
    except NotFound as exc:
        click.echo(str(exc), err=True)
        raise SystemExit(1) from exc
    out.write_bytes(document)
    click.echo(f"{out}: {fmt}, {len(document)} bytes")
