"""Double opt-in, unsubscribe and muting, through the services and the ingest HTTP app."""

from __future__ import annotations

import pytest

from shared.domain.recipients import RecipientKind
from shared.email.links import Purpose
from tests.conftest import sink_messages
from tests.function_loader import load_function
from tests.integration.pipeline import confirm, link, new_grant, new_profile, new_project, pump
from tests.real_adapters import client_of

PROFILE = RecipientKind.PROFILE


def _subjects(sink_url: str) -> list[str]:
    return [m["subject"] for m in sink_messages(sink_url)]


def test_new_profile_gets_only_the_confirmation_email(ad, bus, sink_url):
    new_grant(ad, title="Radio equipment")
    new_profile(ad, email="new@cso.example.org", language="en")
    pump(ad, bus)
    [email] = sink_messages(sink_url)
    assert email["to"] == ["new@cso.example.org"]
    assert email["subject"] == "Please confirm your grant alerts from Grant Match"
    assert "/confirm?token=" in email["text"]
    assert email["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    [alert] = client_of(ad).collection("alerts").get()  # the match is kept, not sent
    assert alert.get("status") == "pending" and alert.get("due_at") is None


def test_confirmation_releases_the_held_matches_in_one_email(ad, bus, sink_url):
    pid = new_profile(ad, language="en")
    new_grant(ad, title="First grant")
    new_grant(ad, title="Second grant")
    pump(ad, bus)
    assert _subjects(sink_url) == ["Please confirm your grant alerts from Grant Match"]
    confirm(ad, PROFILE, pid)
    pump(ad, bus)
    [_, alert] = sink_messages(sink_url)
    assert alert["subject"] == "2 new grants for Delta Rights Network"
    assert "First grant" in alert["text"] and "Second grant" in alert["text"]
    # Later matches go out too, and confirming twice changes nothing.
    confirm(ad, PROFILE, pid)
    new_grant(ad, title="Third grant")
    pump(ad, bus)
    assert _subjects(sink_url)[2:] == ["New grant for Delta Rights Network: Third grant"]


def test_project_contact_is_confirmed_like_a_profile(ad, bus, sink_url):
    new_grant(ad, title="Open call", countries=["LA"])
    pid = new_project(ad, contact_email="team@lao.example.org", language="en")
    pump(ad, bus)
    assert _subjects(sink_url) == ["Please confirm your email for your project on Grant Match"]
    confirm(ad, RecipientKind.PROJECT, pid)
    pump(ad, bus)
    assert _subjects(sink_url)[1] == "New grant for Mekong Youth Media: Open call"


def test_after_unsubscribe_nothing_more_is_sent(ad, bus, sink_url):
    pid = new_profile(ad)
    pump(ad, bus)
    confirm(ad, PROFILE, pid)
    new_grant(ad, title="Before")
    pump(ad, bus)
    assert len(sink_messages(sink_url)) == 2  # the confirmation, then the alert
    client = load_function("ingest").app.test_client()
    token = link(ad, Purpose.UNSUBSCRIBE, PROFILE, pid)
    # What a mail client sends for RFC 8058 one-click unsubscribe.
    response = client.post(
        f"/unsubscribe?token={token}",
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    new_grant(ad, title="After")
    pump(ad, bus)
    assert len(sink_messages(sink_url)) == 2
    assert ad.subscribers.get_profile(pid).unsubscribed_at is not None


def test_get_only_shows_a_button_and_post_acts(ad):
    pid = new_profile(ad, language="vi")
    client = load_function("ingest").app.test_client()
    token = link(ad, Purpose.CONFIRM, PROFILE, pid)
    page = client.get(f"/confirm?token={token}")
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert f'<form method="post" action="?token={token}">' in page.text  # posts back here
    assert "Xác nhận" in page.text
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    assert not ad.subscribers.get_profile(pid).confirmed  # a link scanner's GET did nothing
    done = client.post(f"/confirm?token={token}")
    assert done.status_code == 200 and ad.subscribers.get_profile(pid).confirmed


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_token_only_works_for_its_own_purpose(ad, method):
    pid = new_profile(ad)
    client = load_function("ingest").app.test_client()
    confirm_token = link(ad, Purpose.CONFIRM, PROFILE, pid)
    response = getattr(client, method)(
        f"/unsubscribe?token={confirm_token}", headers={"Accept-Language": "th"}
    )
    assert response.status_code == 400
    assert "ลิงก์นี้ไม่ถูกต้องหรือหมดอายุแล้ว" in response.text
    assert ad.subscribers.get_profile(pid).unsubscribed_at is None
    assert client.post("/confirm?token=forged.token.value").status_code == 400


def test_a_muted_grant_is_left_out_of_later_alerts(ad, bus, sink_url):
    pid = new_profile(ad, language="en")
    confirm(ad, PROFILE, pid)
    gid = new_grant(ad, title="Not for us")
    client = load_function("ingest").app.test_client()
    token = link(ad, Purpose.MUTE, PROFILE, pid, gid)
    assert "Not for us" in client.get(f"/mute?token={token}").text  # the page names it
    assert client.post(f"/mute?token={token}").status_code == 200
    new_grant(ad, title="Wanted")
    pump(ad, bus)
    assert _subjects(sink_url) == ["New grant for Delta Rights Network: Wanted"]
    assert "Not for us" not in " ".join(m["text"] for m in sink_messages(sink_url))
