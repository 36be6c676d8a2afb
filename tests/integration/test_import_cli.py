"""`grantmatch import`: the same import from a terminal, with a progress bar and a report."""

from __future__ import annotations

import json

from click.testing import CliRunner

from shared.cli import main
from shared.services.funders import create_funder
from tests.import_fixtures import FIXTURES


def _run(*args: str):
    return CliRunner().invoke(main, ["import", *args], catch_exceptions=False)


def test_import_prints_counts_and_writes_every_problem_to_the_report(ad, bus, tmp_path):
    funder = create_funder(ad, "CLI Foundation")
    report = tmp_path / "problems.jsonl"
    result = _run("--format", "grantsgov", str(FIXTURES / "grantsgov.xml"),
                  "--funder", funder.funder_id, "--report", str(report))  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "7 records: 3 new, 0 changed, 0 unchanged, 4 rejected" in result.output
    assert "3 grant.published events" in result.output
    lines = [json.loads(line) for line in report.read_text().splitlines()]
    assert [p["kind"] for p in lines].count("rejected") == 4
    assert {p["external_id"] for p in lines if p["kind"] == "rejected"} == {
        "900003", "900004", "900005", "900006"
    }  # fmt: skip
    assert len(bus.events("grant-published")) == 3


def test_json_output_and_a_second_run_that_changes_nothing(ad, bus):
    funder = create_funder(ad, "CLI Foundation")
    args = ("--format", "360giving", str(FIXTURES / "360giving.json"), "--funder", funder.funder_id)
    assert _run(*args, "--no-progress").exit_code == 0
    again = _run(*args, "--no-progress", "--json")
    report = json.loads(again.output)
    assert (report["unchanged"], report["created"], report["events"]) == (5, 0, 0)


def test_an_unknown_funder_is_refused_before_reading(ad):
    result = _run("--format", "iati", str(FIXTURES / "iati-2.01.xml"), "--funder", "f_nobody")
    assert result.exit_code == 1 and "no funder f_nobody" in result.output


def test_countries_must_be_iso_codes(ad):
    funder = create_funder(ad, "CLI Foundation")
    result = _run("--format", "grantsgov", str(FIXTURES / "grantsgov.xml"),
                  "--funder", funder.funder_id, "--countries", "KH,Kambodia")  # fmt: skip
    assert result.exit_code == 2 and "--countries" in result.output


def test_a_broken_file_exits_1_after_importing_what_came_before(ad, tmp_path):
    funder = create_funder(ad, "CLI Foundation")
    broken = tmp_path / "broken.xml"
    whole = (FIXTURES / "iati-2.01.xml").read_bytes()
    broken.write_bytes(whole.replace(b"</iati-activities>", b"<iati-activity>"))
    result = _run("--format", "iati", str(broken), "--funder", funder.funder_id)
    assert result.exit_code == 1
    assert "1 new" in result.output and "stopped: the file is broken at line" in result.output
