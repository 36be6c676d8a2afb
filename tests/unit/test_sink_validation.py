"""The local sink refuses what SendGrid refuses, so tests cannot pass on bodies the real
service would reject."""

from __future__ import annotations

from dev.sendgrid_sink import validate_mail
from shared.adapters.sendgrid_sender import build_message
from shared.email.rendering import Email


def _valid() -> dict:
    email = Email(
        to="to@example.org", subject="s", text="t", html="<p>h</p>", category="c", reference="r"
    )
    return build_message(email, "from@example.org", "Grant Match")


def test_our_messages_are_valid_sendgrid_bodies():
    assert validate_mail(_valid()) == []


def test_our_messages_turn_tracking_off():
    tracking = _valid()["tracking_settings"]
    assert tracking["click_tracking"]["enable"] is False
    assert tracking["open_tracking"]["enable"] is False


def test_missing_personalizations_is_refused():
    body = _valid()
    del body["personalizations"]
    assert [e["field"] for e in validate_mail(body)] == ["personalizations"]


def test_bad_recipient_is_refused():
    body = _valid()
    body["personalizations"][0]["to"][0]["email"] = "nope"
    assert [e["field"] for e in validate_mail(body)] == ["personalizations.0.to.0.email"]


def test_missing_subject_is_refused():
    body = _valid()
    del body["subject"]
    assert [e["field"] for e in validate_mail(body)] == ["subject"]


def test_html_before_text_is_refused():
    body = _valid()
    body["content"].reverse()
    assert [e["field"] for e in validate_mail(body)] == ["content.0.type"]


def test_reserved_header_is_refused():
    body = _valid()
    body["headers"] = {"From": "evil@example.org"}
    assert [e["field"] for e in validate_mail(body)] == ["headers.From"]


def test_the_mailbox_api_returns_only_emails_after_since():
    from dev.sendgrid_sink import Mailbox, create_app

    client = create_app(Mailbox(None)).test_client()
    headers = {"Authorization": "Bearer SG.test"}
    for subject in ("one", "two", "three"):
        body = _valid()
        body["subject"] = subject
        assert client.post("/v3/mail/send", json=body, headers=headers).status_code == 202
    subjects = [m["subject"] for m in client.get("/api/messages?since=1").json["messages"]]
    assert subjects == ["two", "three"]
    assert len(client.get("/api/messages").json["messages"]) == 3
