"""`grantmatch migrate dedupe-subscribers` on data stored before one subscriber per
address: duplicates stop, unsubscribes carry over, and a second run changes nothing."""

from __future__ import annotations

from datetime import timedelta

from click.testing import CliRunner
from google.cloud import firestore
from pydantic import SecretStr

from shared.cli import main
from tests.conftest import sink_messages
from tests.integration.pipeline import new_grant, new_profile, new_project, pump
from tests.real_adapters import client_of


def _as_before_the_fix(ad, collection: str, doc_id: str, **fields) -> None:
    """Make a stored record look as the old code left it: no keyed hash, and confirmed
    without the newer profile replacing the older."""
    update = {"email_key": firestore.DELETE_FIELD, **fields}
    client_of(ad).collection(collection).document(doc_id).update(update)


def _run() -> str:
    result = CliRunner().invoke(main, ["migrate", "dedupe-subscribers"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_dedupe_stops_duplicates_and_carries_unsubscribes_and_is_idempotent(ad, bus, sink_url):
    now = ad.clock.now()
    confirmed = {"confirmed": True, "confirmed_at": now}
    twice = "twice@cso.example.org"
    older = new_profile(ad, email=twice, org_name="Older", language="en")
    newer = new_profile(ad, email=twice.upper(), org_name="Newer", language="en")
    _as_before_the_fix(ad, "profiles", older, created_at=now - timedelta(days=2), **confirmed)
    _as_before_the_fix(ad, "profiles", newer, created_at=now - timedelta(days=1), **confirmed)
    gone = "gone@cso.example.org"
    left = new_profile(ad, email=gone, org_name="Unsubscribed one", language="en")
    other = new_profile(ad, email=gone, org_name="Still alerted", language="en")
    project = new_project(ad, contact_email=gone, country="KH", language="en")
    _as_before_the_fix(ad, "profiles", left, unsubscribed_at=now, **confirmed)
    _as_before_the_fix(ad, "profiles", other, created_at=now - timedelta(days=3), **confirmed)
    _as_before_the_fix(ad, "projects", project, created_at=now - timedelta(days=3), **confirmed)
    alone = new_profile(ad, email="alone@cso.example.org", org_name="Alone", language="en")
    _as_before_the_fix(ad, "profiles", alone, **confirmed)

    assert _run() == (
        "6 profiles and projects: 6 indexed, 1 older profiles replaced, 2 unsubscribed\n"
    )
    assert _run() == (
        "6 profiles and projects: 0 indexed, 0 older profiles replaced, 0 unsubscribed\n"
    )
    assert ad.subscribers.get_profile(older).superseded_by == newer
    assert ad.subscribers.get_project(project).unsubscribed_at is not None

    new_grant(ad, title="After the migration", countries=["KH"])
    pump(ad, bus)
    alerts = [m for m in sink_messages(sink_url) if m["categories"] != ["confirmation"]]
    assert sorted(m["subject"] for m in alerts) == [
        "New grant for Alone: After the migration",
        "New grant for Newer: After the migration",
    ]


def test_dedupe_refuses_to_run_without_the_functions_secret(ad, monkeypatch):
    pid = new_profile(ad, email="keyed@cso.example.org")
    before = client_of(ad).collection("profiles").document(pid).get().get("email_key")
    no_secret = ad.settings.model_copy(update={"link_signing_secret": SecretStr("")})
    monkeypatch.setattr(ad, "settings", no_secret)  # the CLI's adapters are these
    result = CliRunner().invoke(main, ["migrate", "dedupe-subscribers"])
    assert result.exit_code == 2 and "LINK_SIGNING_SECRET is not set" in result.output
    after = client_of(ad).collection("profiles").document(pid).get().get("email_key")
    assert after == before
