"""What leaves the system, read from the outside: every response body and every log line
of the running functions during a whole flow. Contact addresses and profile data appear
in none of them; private projects in no listing, `funders` projects only with a key; and
one submission's correlation id (its trace) is on its lines in ingest, match and notify."""

from __future__ import annotations

import json
import secrets
import time
from pathlib import Path

import requests

from shared.services.funders import create_funder
from tests.builders import grant_body, profile_body, project_body
from tests.conftest import ARTIFACTS

LOGS = [ARTIFACTS / "logs" / f"e2e-{name}.log" for name in ("ingest", "match", "notify", "relay")]


class LogTail:
    """The lines the stack's processes write from now on."""

    def __init__(self, paths: list[Path]) -> None:
        self.offsets = {path: path.stat().st_size if path.exists() else 0 for path in paths}

    def lines(self) -> dict[str, list[str]]:
        found = {}
        for path, offset in self.offsets.items():
            with path.open("rb") as fh:
                fh.seek(offset)
                found[path.stem.removeprefix("e2e-")] = (
                    fh.read().decode("utf-8", "replace").splitlines()
                )
        return found


class Recorder:
    """Every request the test makes, with what came back."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.seen: list[tuple[str, str]] = []  # (what was asked, status + headers + body)

    def call(self, method: str, path: str, **kwargs) -> requests.Response:
        url = path if path.startswith("http") else f"{self.base}{path}"
        response = requests.request(method, url, timeout=15, **kwargs)
        self.seen.append(
            (
                f"{method} {path.split('?')[0]}",
                f"{response.status_code} {dict(response.headers)} {response.text}",
            )
        )
        return response


def test_no_address_or_profile_data_in_any_response_or_log_line_of_a_whole_flow(e2e):
    tag = secrets.token_hex(4)
    profile = {
        "email": f"profile-{tag}@cso.example.org",
        "org_name": f"Quiet Collective {tag}",
        "keywords": [f"kwsecret{tag}"],
        "exclude_keywords": [f"exsecret{tag}"],
    }
    private = {
        "contact_email": f"private-{tag}@cso.example.org",
        "org_name": f"Hidden Org {tag}",
        "title": f"Hidden title {tag}",
        "summary": f"Hidden summary {tag}",
        "visibility": "private",
    }
    for_funders = {
        "contact_email": f"funders-{tag}@cso.example.org",
        "title": f"Funders only {tag}",
        "visibility": "funders",
    }
    public = {
        "contact_email": f"public-{tag}@cso.example.org",
        "title": f"Public project {tag}",
        "visibility": "public",
    }
    addresses = [
        profile["email"],
        private["contact_email"],
        for_funders["contact_email"],
        public["contact_email"],
    ]
    never_anywhere = [
        *addresses,
        profile["org_name"],
        *profile["keywords"],
        *profile["exclude_keywords"],
    ]
    never_listed = [private["org_name"], private["title"], private["summary"]]

    logs = LogTail(LOGS)
    api = Recorder(e2e.ingest_url)
    key = create_funder(e2e.ad, "Privacy Foundation").api_key
    funder = {"Authorization": f"Bearer {key}"}

    api.call("POST", "/profiles", json=profile_body(**profile, language="en", countries=["LA"]))
    for project in (private, for_funders, public):
        assert (
            api.call(
                "POST",
                "/projects",
                json=project_body(
                    **project, country="LA", language="en", external_id=project["title"]
                ),
            ).status_code
            == 201
        )
    for address in addresses:
        e2e.confirm(address)
    grant = api.call(
        "POST",
        "/grants",
        json=grant_body(title=f"Lao call {tag}", countries=["LA"]),
        headers=funder,
    ).json()
    e2e.wait_for_emails(lambda m: f"Lao call {tag}" in m["subject"], count=4)
    # Refused input that carries addresses, erasure requests, every listing, link pages.
    api.call("POST", "/profiles", json={**profile_body(**profile), "countries": ["XX"]})
    api.call("POST", "/profiles", json={**profile_body(**profile), "unknown": profile["email"]})
    api.call(
        "POST",
        "/projects",
        data=json.dumps(project_body(**private)) + "}",
        headers={"Content-Type": "application/json"},
    )
    api.call("POST", "/erasure-requests", json={"email": profile["email"]})
    api.call("POST", "/erasure-requests", json={"email": f"nobody-{tag}@cso.example.org"})
    public_listing = (
        api.call("GET", "/projects").text
        + api.call("GET", "/projects?country=LA&sector=digital-security").text
    )
    keyed_listing = api.call("GET", "/projects", headers=funder).text
    keyed_listing += api.call("GET", f"/grants/{grant['id']}/projects", headers=funder).text
    keyed_listing += api.call("GET", f"/projects?grant={grant['id']}", headers=funder).text
    for email in e2e.wait_for_emails(lambda m: m["to"][0] in addresses, count=6):
        for link in [w for w in email["text"].split() if "?token=" in w][:3]:
            api.call("GET", link)
    time.sleep(1.5)  # the last log lines of the pipeline

    for asked, answered in api.seen:
        for secret in never_anywhere + never_listed:
            assert secret not in answered, (asked, secret)
    assert for_funders["title"] in keyed_listing and public["title"] in keyed_listing  # control
    assert for_funders["title"] not in public_listing and public["title"] in public_listing

    lines = logs.lines()
    assert sum(len(v) for v in lines.values()) > 10  # the flow was logged at all
    for component, component_lines in lines.items():
        for line in component_lines:
            for secret in never_anywhere:
                assert secret not in line, (component, secret, line)


def test_one_submissions_trace_is_on_its_lines_in_ingest_match_and_notify(e2e):
    trace = secrets.token_hex(16)
    logs = LogTail(LOGS)
    requests.post(
        f"{e2e.ingest_url}/profiles",
        json=profile_body(email="traced@cso.example.org", language="en"),
        timeout=10,
    )
    e2e.confirm("traced@cso.example.org")
    key = create_funder(e2e.ad, "Traced Foundation").api_key
    response = requests.post(
        f"{e2e.ingest_url}/grants",
        json=grant_body(title="Traced grant"),
        headers={"Authorization": f"Bearer {key}", "X-Cloud-Trace-Context": f"{trace}/1;o=1"},
        timeout=10,
    )
    assert response.headers["X-Correlation-Id"] == trace
    e2e.wait_for_emails(lambda m: "Traced grant" in m["subject"])
    time.sleep(1)

    traced: dict[str, list[dict]] = {}
    for component, component_lines in logs.lines().items():
        for line in component_lines:
            if trace in line:
                entry = json.loads(line)  # every line is one JSON object
                traced.setdefault(component, []).append(entry)
    assert {"ingest", "match", "notify"} <= set(traced)
    for entries in traced.values():
        for entry in entries:
            assert entry["correlation_id"] == trace
            assert (
                entry["logging.googleapis.com/trace"] == f"projects/grantmatch-e2e/traces/{trace}"
            )
            assert entry["severity"] in ("DEBUG", "INFO", "WARNING", "ERROR") and entry["message"]
    assert any(e["message"] == "grant matched" for e in traced["match"])
    assert any(e["message"] == "email sent" for e in traced["notify"])
