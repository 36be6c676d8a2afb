"""`grantmatch rank`: the output contract, bad lines, and the installed console script."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from shared.cli import main
from tests.builders import grant_body, project_body

DATA = Path(__file__).resolve().parents[1] / "data" / "ranking"


def _write(path: Path, rows: list) -> Path:
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n")
    return path


def _project(**overrides) -> dict:
    body = project_body(**overrides)
    body.pop("contact_email")  # ranking files need no contact data
    return body


def _run(tmp_path, grants, projects, *args):
    g = _write(tmp_path / "grants.jsonl", grants)
    p = _write(tmp_path / "projects.jsonl", projects)
    result = CliRunner().invoke(
        main, ["rank", "--grants", str(g), "--projects", str(p), "--now", "2026-12-01", *args]
    )
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    return result, lines


def test_prints_one_line_per_project_with_eligible_grants_best_first(tmp_path):
    grants = [
        grant_body(external_id="broad", sectors=["digital-security", "health", "youth"]),
        grant_body(external_id="exact", sectors=["digital-security"]),
        grant_body(external_id="closed", deadline="2026-11-30"),
        grant_body(external_id="elsewhere", countries=["TH"]),
    ]
    result, lines = _run(tmp_path, grants, [_project(external_id="p1"), _project(external_id="p2")])
    assert result.exit_code == 0, result.stderr
    assert [line["project"] for line in lines] == ["p1", "p2"]
    matches = lines[0]["matches"]
    assert [m["grant"] for m in matches] == ["exact", "broad"]
    assert matches[0]["score"] > matches[1]["score"]
    assert "sector: digital-security" in matches[0]["reasons"]
    assert set(matches[0]) == {"grant", "kind", "score", "reasons"}
    assert matches[0]["kind"] == "grant"


def _training(external_id: str, **details) -> dict:
    return {
        "external_id": external_id,
        "title": "Digital security for community reporters",
        "description": "Phone safety and secure messaging for reporters.",
        "sectors": ["digital-security"],
        "details": {"kind": "training", **details},
    }


def test_trainings_and_tech_offers_rank_beside_grants_and_say_their_kind(tmp_path):
    items = [
        grant_body(external_id="grant"),
        _training("online", attendance="online", registration_deadline="2027-01-10"),
        _training("on-site-th", attendance="on_site", country="TH", city="Chiang Mai"),
        _training("registration-closed", registration_deadline="2026-11-30"),
        {
            "external_id": "offer",
            "title": "Donated secure phones",
            "sectors": ["digital-security"],
            "countries": ["LA", "KH"],
            "details": {
                "kind": "tech_offer",
                "offered": "Refurbished phones set up for secure messaging",
                "how_to_request": "Write to the programme",
            },
        },
    ]
    result, lines = _run(tmp_path, items, [_project(country="LA")])
    assert result.exit_code == 0, result.stderr
    kinds = {m["grant"]: m["kind"] for m in lines[0]["matches"]}
    assert kinds == {"grant": "grant", "online": "training", "offer": "tech_offer"}


def test_an_item_whose_details_break_their_contract_is_a_bad_line(tmp_path):
    bad = _training("on-site-nowhere", attendance="on_site")  # on site needs a country
    result, lines = _run(tmp_path, [grant_body(external_id="ok"), bad], [_project()])
    assert result.exit_code == 1
    assert "grants.jsonl:2: details: " in result.stderr
    assert "country is required" in result.stderr
    assert [m["grant"] for m in lines[0]["matches"]] == ["ok"]


def test_deadline_day_itself_is_open(tmp_path):
    _, lines = _run(tmp_path, [grant_body(deadline="2026-12-01")], [_project()])
    assert len(lines[0]["matches"]) == 1


def test_top_limits_the_matches(tmp_path):
    grants = [grant_body(external_id=f"g{i}") for i in range(4)]
    _, lines = _run(tmp_path, grants, [_project()], "--top", "2")
    assert len(lines[0]["matches"]) == 2


def test_bad_lines_are_reported_with_file_and_line_and_skipped(tmp_path):
    grants = [grant_body(external_id="ok"), "{not json", grant_body(countries=["XX"])]
    projects = [_project(), ["a list"], _project(external_id=None)]
    result, lines = _run(tmp_path, grants, projects)
    assert result.exit_code == 1
    assert "grants.jsonl:2: invalid JSON" in result.stderr
    assert "grants.jsonl:3: countries.0:" in result.stderr
    assert "projects.jsonl:2: not a JSON object" in result.stderr
    assert "projects.jsonl:3: external_id:" in result.stderr
    assert [m["grant"] for m in lines[0]["matches"]] == ["ok"]  # the rest is still ranked


def test_duplicate_ids_are_bad_lines(tmp_path):
    result, _ = _run(tmp_path, [grant_body(), grant_body()], [_project()])
    assert result.exit_code == 1
    assert "grants.jsonl:2: duplicate external_id 'call-2027-01' (first on line 1)" in result.stderr


def test_fields_outside_the_contract_are_a_warning_not_an_error(tmp_path):
    result, lines = _run(tmp_path, [grant_body(label=3)], [_project(notes="x")])
    assert result.exit_code == 0
    assert "grants.jsonl:1: warning: ignored fields outside the contract: label" in result.stderr
    assert len(lines[0]["matches"]) == 1


def test_a_contact_email_in_the_file_is_accepted_and_never_printed(tmp_path):
    result, _ = _run(tmp_path, [grant_body()], [project_body()])
    assert result.exit_code == 0
    assert "@" not in result.stdout


def test_now_as_a_date_time_uses_the_deadline_day_anywhere_on_earth(tmp_path):
    g = _write(tmp_path / "g.jsonl", [grant_body(deadline="2026-12-01")])
    p = _write(tmp_path / "p.jsonl", [_project()])
    args = ["rank", "--grants", str(g), "--projects", str(p), "--now"]
    still_open = CliRunner().invoke(main, [*args, "2026-12-02T11:00:00+00:00"])
    closed = CliRunner().invoke(main, [*args, "2026-12-02T13:00:00+00:00"])
    assert json.loads(still_open.stdout)["matches"]
    assert json.loads(closed.stdout)["matches"] == []


def test_installed_console_script_ranks_the_labelled_set(tmp_path):
    script = Path(sys.executable).with_name("grantmatch")
    result = subprocess.run(
        [
            str(script),
            "rank",
            "--grants",
            str(DATA / "grants.jsonl"),
            "--projects",
            str(DATA / "projects.jsonl"),
            "--now",
            "2026-12-01",
            "--top",
            "5",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 22
    assert all(len(line["matches"]) <= 5 for line in lines)
