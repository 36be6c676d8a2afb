"""`grantmatch harvest`: a source's recorded pages harvested from a terminal, with the
run's summary table; real emulators, the samples read through the connector's client."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from shared.cli import main
from tests.real_adapters import client_of

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "harvest"
UNPP_PAGES = [
    str(SAMPLES / "un_partner_portal" / "projects_page1.json"),
    str(SAMPLES / "un_partner_portal" / "projects_page2.json"),
]


def _run(*args: str):
    return CliRunner().invoke(main, ["harvest", *args], catch_exceptions=False)


def _files(*paths: str) -> list[str]:
    return [arg for path in paths for arg in ("--from-file", path)]


def _grant_count(ad) -> int:
    return len(list(client_of(ad).collection("grants").select([]).stream()))


def test_harvest_from_recorded_pages_prints_the_summary_and_stores_the_calls(ad, bus):
    eu = str(SAMPLES / "eu_funding_tenders" / "portal_search_page.json")
    result = _run("eu", *_files(eu), "--no-progress")
    assert result.exit_code == 0, result.output
    assert "harvest eu_funding_tenders" in result.output
    assert "seen" in result.output and "rejected" in result.output
    written = int(result.output.split("grants written")[1].split()[0])
    assert written == _grant_count(ad)
    assert len(bus.events("grant-published")) == written


def test_a_dry_run_prints_what_would_be_new_and_stores_nothing(ad):
    result = _run("unpp", *_files(*UNPP_PAGES), "--dry-run", "--no-progress")
    assert result.exit_code == 0, result.output
    assert "dry run: nothing was stored" in result.output
    assert _grant_count(ad) == 0


def test_harvesting_the_same_pages_again_writes_nothing(ad):
    assert _run("unpp", *_files(*UNPP_PAGES), "--no-progress").exit_code == 0
    again = _run("unpp", *_files(*UNPP_PAGES), "--no-progress")
    assert "grants written      0" in again.output


def test_an_unknown_source_is_refused(ad):
    result = _run("nowhere", "--no-progress")
    assert result.exit_code == 2 and "no source 'nowhere'" in result.output


def test_recorded_reliefweb_trainings_are_stored_as_trainings_not_grants(ad):
    page = str(SAMPLES / "reliefweb" / "training_page.json")
    result = _run("reliefweb", *_files(page), "--no-progress")
    assert result.exit_code == 0, result.output
    assert "harvest reliefweb_training" in result.output
    stored = [ad.grants.get(doc.id) for doc in client_of(ad).collection("grants").stream()]
    assert {g.kind.value for g in stored if g is not None} == {"training"}
    assert len(stored) == int(result.output.split("grants written")[1].split()[0]) == 6


def test_recorded_pages_replayed_from_their_recording_day_store_their_open_calls(ad):
    today = _run("unpp", *_files(*UNPP_PAGES), "--no-progress")
    assert "grants written      0" in today.output  # as they are, the 2019 calls are closed
    replay = _run("unpp", *_files(*UNPP_PAGES), "--recorded-on", "2019-06-01", "--no-progress")
    assert replay.exit_code == 0, replay.output
    assert "replayed with its dates moved" in replay.output
    written = int(replay.output.split("grants written")[1].split()[0])
    assert written == _grant_count(ad) > 0
    deadlines = [doc.get("deadline") for doc in client_of(ad).collection("grants").stream()]
    assert all(d is None or str(d)[:10] > "2019-12-31" for d in deadlines)


def test_only_recorded_pages_can_be_replayed(ad):
    result = _run("unpp", "--recorded-on", "2019-06-01", "--no-progress")
    assert result.exit_code == 2 and "only recorded pages" in result.output


def test_a_keyed_source_reads_its_samples_without_a_key(ad, monkeypatch):
    monkeypatch.delenv("SIMPLER_GRANTS_API_KEY", raising=False)
    pages = [str(SAMPLES / "simpler_grants_gov" / f"search_page{n}.json") for n in (1, 2)]
    result = _run("simpler", *_files(*pages), "--dry-run", "--no-progress")
    assert result.exit_code == 0, result.output
    assert "harvest simpler_grants_gov" in result.output


def test_a_run_against_the_source_records_its_pages_for_from_file(
    ad, httpserver, monkeypatch, tmp_path
):
    from json import loads

    from werkzeug import Request, Response

    from shared.runtime.config import get_settings

    pages = [Path(p).read_bytes() for p in UNPP_PAGES]

    def list_page(request: Request) -> Response:
        return Response(pages[int(request.args.get("page", "1")) - 1], mimetype="application/json")

    httpserver.expect_request("/api/public/projects/").respond_with_handler(list_page)
    monkeypatch.setenv("HARVEST_UNPP_BASE_URL", httpserver.url_for("/").rstrip("/"))
    get_settings.cache_clear()
    folder = tmp_path / "recorded"
    result = _run("unpp", "--record", str(folder), "--dry-run", "--no-progress")
    assert result.exit_code == 0, result.output
    assert f"pages recorded in {folder}" in result.output
    index = loads((folder / "pages.json").read_text("utf-8"))
    files = [entry["file"] for entry in index if "file" in entry]
    assert [(folder / name).read_bytes() for name in files] == pages  # byte for byte
    replayed = [str(folder / name) for name in files]
    replay = _run("unpp", *_files(*replayed), "--dry-run", "--no-progress")
    assert replay.exit_code == 0, replay.output

    def table(output: str) -> str:
        return output.split("grants written")[0]

    assert table(replay.output) == table(result.output)  # the recording reads as the source


def test_a_recording_s_index_never_holds_a_key():
    from shared.cli.harvest import without_keys

    url = "https://api.example.org/search?apiKey=SEDIA&text=x&appname=gm-secret&page=2"
    assert (
        without_keys(url)
        == "https://api.example.org/search?apiKey=%E2%80%A6&text=x&appname=%E2%80%A6&page=2"
    )
