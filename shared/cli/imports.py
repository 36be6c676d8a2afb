"""`grantmatch import`: load a funder's grants from a 360Giving, IATI or Grants.gov file."""

from __future__ import annotations

import io
import json
import secrets
from dataclasses import asdict
from pathlib import Path
from typing import IO, Any

import click

from shared.adapters.ports import MAX_GRANTS_PER_BATCH
from shared.domain.errors import DomainError
from shared.importers import FORMATS, read_records
from shared.importers.records import ImportOptions
from shared.runtime.bootstrap import adapters
from shared.runtime.config import get_settings
from shared.runtime.jsonlog import configure_logging
from shared.services.imports import DEFAULT_BATCH, ImportReport, Problem


@click.command("import")
@click.option("--format", "fmt", type=click.Choice(FORMATS), required=True, help="The standard.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--funder", "funder_id", required=True, help="The funder the grants belong to.")
@click.option(
    "--countries",
    default="",
    help="ISO codes (comma-separated) for records that name no place; "
    "else the format's default (360Giving: GB, Grants.gov: US, IATI: none).",
)
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write every rejected record and warning to this file, one JSON object a line.",
)
@click.option(
    "--batch-size",
    default=DEFAULT_BATCH,
    show_default=True,
    type=click.IntRange(1, MAX_GRANTS_PER_BATCH),
    help="Grants per Firestore batch (two writes each).",
)
@click.option("--no-progress", is_flag=True, help="No progress bar (for logs and scripts).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def import_command(
    fmt: str,
    file: Path,
    funder_id: str,
    countries: str,
    report_path: Path | None,
    batch_size: int,
    no_progress: bool,
    as_json: bool,
) -> None:
    """Import FILE's grants for a funder: new and changed ones are stored and announced,
    unchanged ones skipped, and every record that cannot be a grant is reported."""
    from shared.services.imports import check_funder, import_grants

    settings = get_settings()
    configure_logging("import", settings.google_cloud_project, "WARNING")
    ad = adapters()
    try:
        options = ImportOptions.from_text(countries)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--countries") from exc
    try:
        check_funder(ad, funder_id)
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    with _ProblemFile(report_path) as sink, _Progress(file, disable=no_progress) as (stream, bar):

        def shown(report: ImportReport) -> None:
            if bar is not None:
                bar.set_postfix(new=report.created, changed=report.updated,
                                same=report.unchanged, rejected=report.rejected)  # fmt: skip

        report = import_grants(
            ad,
            funder_id,
            read_records(fmt, stream, options),
            correlation_id=f"import-{secrets.token_hex(8)}",
            batch_size=batch_size,
            on_problem=sink,
            on_chunk=shown,
        )
    _print(report, as_json)
    if report.stopped_at is not None:
        raise SystemExit(1)


class _ProblemFile:
    """Streams problems to a JSON-lines file, so a huge report never sits in memory."""

    def __init__(self, path: Path | None) -> None:
        self._path = path
        self._file: IO[str] | None = None

    def __enter__(self) -> Any:
        if self._path is None:
            return None
        self._file = self._path.open("w", encoding="utf-8")
        return self._write

    def _write(self, problem: Problem) -> None:
        assert self._file is not None
        self._file.write(json.dumps(asdict(problem), ensure_ascii=False) + "\n")

    def __exit__(self, *_exc: object) -> None:
        if self._file is not None:
            self._file.close()


class _Counting(io.RawIOBase):
    """A raw file that moves a progress bar by the bytes read (the parsers stream, so
    bytes are the only measure known before the end)."""

    def __init__(self, raw: io.RawIOBase, bar: Any) -> None:
        self._raw, self._bar = raw, bar

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        count = self._raw.readinto(buffer) or 0
        self._bar.update(count)
        return count

    def close(self) -> None:
        self._raw.close()
        super().close()


class _Progress:
    """The file as a buffered stream, with a tqdm bar on stderr unless disabled."""

    def __init__(self, file: Path, *, disable: bool) -> None:
        self._file, self._disable = file, disable

    def __enter__(self) -> tuple[IO[bytes], Any]:
        raw = self._file.open("rb", buffering=0)
        if self._disable:
            self._stream: io.RawIOBase = raw
            self._bar = None
        else:
            from tqdm import tqdm

            self._bar = tqdm(total=self._file.stat().st_size, unit="B", unit_scale=True,
                             desc=self._file.name, dynamic_ncols=True)  # fmt: skip
            self._stream = _Counting(raw, self._bar)
        return io.BufferedReader(self._stream, buffer_size=1 << 16), self._bar

    def __exit__(self, *_exc: object) -> None:
        if self._bar is not None:
            self._bar.close()
        self._stream.close()


def _print(report: ImportReport, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False))
        return
    click.echo(
        f"{report.records} records: {report.created} new, {report.updated} changed, "
        f"{report.unchanged} unchanged, {report.rejected} rejected, "
        f"{report.superseded} superseded; {report.warnings} warnings"
    )
    click.echo(
        f"{report.events} grant.published events"
        + (
            f" ({report.events_left_for_relay} left for the relay)"
            if report.events_left_for_relay
            else ""
        )
    )
    for problem in report.problems[:20]:
        click.echo(f"  {problem.kind}: {problem.position}: {problem.message}")
    hidden = len(report.problems) - 20 + report.problems_not_listed
    if hidden > 0:
        click.echo(f"  … and {hidden} more (use --report FILE to see them all)")
    if report.stopped_at is not None:
        click.echo(f"stopped: the file is broken at {report.stopped_at}", err=True)
