"""`grantmatch harvest SOURCE`: harvest one source now, with a progress bar and the run's
summary table (seen / new / updated / closed / rejected with reasons).

`--from-file` reads recorded responses instead of the source (one file per page, in
order), through the connector's own HTTP client: the files are answered by a transport
mounted on its session, so paging and parsing run exactly as against the source. Such a
run neither reads nor moves the source's cursor, and closes nothing that it did not see.
`--recorded-on D` replays the files as if recorded today: every date in them moves
forward by the days since D (`shared.harvest.replay`), so an old sample's open calls are
open again, with as many days left as they had on D.

`--record DIR` is the other way round: a run against the real source also writes each page
it read to DIR, with an index, so whoever can reach a source can bring its samples.
"""

from __future__ import annotations

import io
import json
import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import click
import requests
from pydantic import SecretStr
from requests.adapters import BaseAdapter, HTTPAdapter
from tqdm import tqdm

from shared.domain.events import HarvestRequested, new_event
from shared.domain.schedule import harvest_run_id
from shared.harvest.feeds import PREFIX as FEED_PREFIX
from shared.harvest.feeds import FeedSource
from shared.harvest.replay import days_since, shift_dates
from shared.runtime.bootstrap import adapters
from shared.runtime.config import Settings, get_settings
from shared.runtime.jsonlog import configure_logging

#: Short names for the command line.
ALIASES = {
    "eu": "eu_funding_tenders",
    "unpp": "un_partner_portal",
    "simpler": "simpler_grants_gov",
    "reliefweb": "reliefweb_training",
}


class RecordedPages(BaseAdapter):
    """A `requests` transport that answers the n-th request with the n-th file (the last
    file again once they run out), whatever the URL; every date in it moved by
    `shift_days` (0: byte for byte)."""

    def __init__(self, files: list[Path], shift_days: int = 0) -> None:
        super().__init__()
        self._files = files
        self._shift_days = shift_days
        self.served = 0

    def send(  # type: ignore[override]
        self, request: requests.PreparedRequest, **kwargs: Any
    ) -> requests.Response:
        """The next recorded page, as a 200 response."""
        path = self._files[min(self.served, len(self._files) - 1)]
        self.served += 1
        response = requests.Response()
        response.status_code = 200
        body = shift_dates(path.read_bytes(), self._shift_days)
        response.raw = io.BytesIO(body)  # read as a stream, as from a socket
        response.headers["Content-Type"] = _content_type(path)
        response.url = request.url or ""
        response.request = request
        response.reason = "OK"
        return response

    def close(self) -> None:
        """Nothing to release."""


#: Query parameters that carry a key: never written to a recording's index.
_SECRET_PARAMS = frozenset({"apikey", "api_key", "key", "appname", "token"})


def without_keys(url: str) -> str:
    """`url` with the value of every key-bearing query parameter left out."""
    parts = urlsplit(url)
    query = [
        (name, "…" if name.casefold() in _SECRET_PARAMS else value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
    ]
    return urlunsplit(parts._replace(query=urlencode(query)))


class RecordingTransport(HTTPAdapter):
    """Real HTTP, with each 200 response's body also written to `folder` (page-001.json,
    …) and an index of what was asked (`pages.json`: URLs without keys, statuses, times),
    so a machine that can reach the source brings the samples `--from-file` replays.
    Headers are not recorded: a key sent in one stays out of the files."""

    def __init__(self, folder: Path) -> None:
        super().__init__()
        self._folder = folder
        self._index: list[dict[str, Any]] = []
        folder.mkdir(parents=True, exist_ok=True)

    def send(  # type: ignore[override]
        self, request: requests.PreparedRequest, **kwargs: Any
    ) -> requests.Response:
        """Send for real; keep a copy of the page before the connector reads it."""
        response = super().send(request, **kwargs)
        entry: dict[str, Any] = {
            "url": without_keys(request.url or ""),
            "method": request.method,
            "status": response.status_code,
            "fetched_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        if response.status_code == 200:
            body = response.raw.read(decode_content=True)
            response.raw = io.BytesIO(body)  # the connector reads it as it came
            response.headers.pop("Content-Encoding", None)
            kind = response.headers.get("Content-Type", "")
            suffix = ".json" if "json" in kind else ".xml" if "xml" in kind else ".txt"
            name = f"page-{sum(1 for e in self._index if 'file' in e) + 1:03d}{suffix}"
            (self._folder / name).write_bytes(body)
            entry["file"] = name
        self._index.append(entry)
        index = json.dumps(self._index, indent=2, ensure_ascii=False)
        (self._folder / "pages.json").write_text(index + "\n", encoding="utf-8")
        return response


def _content_type(path: Path) -> str:
    return "application/json" if path.suffix == ".json" else "application/xml"


def settings_for_recorded_pages(settings: Settings, name: str) -> Settings:
    """Settings under which `name` reads recorded pages: nothing leaves this machine, so
    a keyed source needs no real key; a feed keeps what `HARVEST_FEEDS` declares for it
    (its countries, sectors, types), and one not declared there is read bare (held)."""
    from shared.runtime.harvest_sources import feed_sources

    update: dict[str, object] = {}
    if not settings.simpler_grants_api_key.get_secret_value():
        # model_copy does not validate: the value must already be a SecretStr.
        update["simpler_grants_api_key"] = SecretStr("recorded-pages")
    if not settings.reliefweb_appname.get_secret_value():
        update["reliefweb_appname"] = SecretStr("recorded-pages")
    slug = name.removeprefix(FEED_PREFIX)
    if name.startswith(FEED_PREFIX) and slug not in {f.slug for f in feed_sources(settings)}:
        feed = FeedSource(slug, "https://recorded.invalid/feed")
        update["harvest_feeds"] = json.dumps([{"slug": feed.slug, "url": feed.url}])
    return settings.model_copy(update=update) if update else settings


def source_name(value: str) -> str:
    """A source's full name from an alias (`eu`) or itself."""
    return ALIASES.get(value, value)


@click.command("harvest")
@click.argument("source")
@click.option(
    "--from-file",
    "files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A recorded response to read instead of the source; repeat for later pages.",
)
@click.option(
    "--recorded-on",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="With --from-file: the day the files were recorded; their dates move to today.",
)
@click.option(
    "--record",
    "record_to",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also write every page the source sends to this folder (samples for --from-file).",
)
@click.option("--dry-run", is_flag=True, help="Read and classify; store nothing.")
@click.option("--no-progress", is_flag=True, help="No progress bar (for logs and scripts).")
def harvest_command(
    source: str,
    files: tuple[Path, ...],
    recorded_on: datetime | None,
    record_to: Path | None,
    dry_run: bool,
    no_progress: bool,
) -> None:
    """Harvest SOURCE (eu, unpp, simpler, reliefweb, or feed:<slug>) now: new and changed calls are
    stored as grants and announced, closed and vanished ones closed, and the CSOs told
    about a call whose deadline, amount or eligibility changed get a change notice."""
    from shared.runtime.harvest_sources import build_connector, source_names
    from shared.services.harvest import run_harvest

    settings = get_settings()
    configure_logging("harvest", settings.google_cloud_project, "WARNING")
    name = source_name(source)
    if recorded_on is not None and not files:
        raise click.BadParameter("only recorded pages can be replayed", param_hint="--recorded-on")
    if record_to is not None and files:
        raise click.BadParameter("record a source, not recorded pages", param_hint="--record")
    if files:
        settings = settings_for_recorded_pages(settings, name)
    elif name not in source_names(settings):
        known = ", ".join([*ALIASES, *source_names(settings)])
        raise click.BadParameter(f"no source {source!r} here (known: {known})")
    ad = adapters()
    shift = days_since(recorded_on.date(), ad.clock.now()) if recorded_on else 0
    with requests.Session() as session:
        if files:
            transport = RecordedPages(list(files), shift)
            session.mount("https://", transport)
            session.mount("http://", transport)
        elif record_to is not None:
            recorder = RecordingTransport(record_to)
            session.mount("https://", recorder)
            session.mount("http://", recorder)
        connector = build_connector(name, settings, session)
        if connector is None:
            raise click.ClickException(f"{name} cannot run: see the log line above")
        now = ad.clock.now()
        cause = new_event(
            HarvestRequested(source=name),
            correlation_id=f"cli-harvest-{secrets.token_hex(6)}",
            now=now,
        )
        with tqdm(unit=" records", desc=name, disable=no_progress) as bar:
            report = run_harvest(
                ad,
                connector,
                run_id=harvest_run_id(name, now) + (":file" if files else ""),
                correlation_id=cause.correlation_id,
                max_pages=len(files) if files else settings.harvest_max_pages,
                dry_run=dry_run,
                on_page=bar.update,
                cause=cause,
                use_cursor=not files,
            )
    click.echo(report.summary.table())
    click.echo(f"grants written      {report.written}")
    if report.duplicates:
        click.echo(f"stored already from another source  {report.duplicates}")
    if report.notices:
        click.echo(f"change notices      {report.notices} announced")
    if report.events_left_for_relay:
        click.echo(f"events left for the relay  {report.events_left_for_relay}")
    if shift:
        click.echo(
            f"replayed with its dates moved {shift} days (recorded on {recorded_on:%Y-%m-%d})"
        )
    if record_to is not None:
        click.echo(f"pages recorded in {record_to} (index: pages.json)")
    if dry_run:
        click.echo("dry run: nothing was stored")
    elif not report.complete and not files:
        click.echo("run not complete: the next run resumes at the stored cursor")
