"""My Grant Match over HTTP: the CSO's own page behind its signed link, its actions, its
CSV and calendar, deleting its data, and the box that emails the link. Real emulators,
the ingest app's routes."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from html import unescape
from urllib.parse import parse_qs, urlparse

from shared.adapters.ports import AlertStatus, alert_id
from shared.domain.ids import match_id
from shared.domain.recipients import RecipientKind
from shared.email.links import Purpose
from tests.conftest import sink_messages
from tests.integration.pipeline import confirm, link, new_grant, new_profile, new_project, pump
from tests.real_adapters import client_of

PROFILE = RecipientKind.PROFILE


def _form_token(html: str) -> str:
    found = re.search(r'name="form_token" value="([^"]+)"', html)
    assert found, "the page has no form token"
    return found.group(1)


def _feed_path(url: str) -> str:
    """The app's path of a public feed URL (wherever the function is mounted)."""
    return "/my/calendar/" + url.split("/my/calendar/", 1)[1]


def _setup(ad, bus, **profile):
    """A confirmed English profile with three matched grants (one closed later)."""
    profile.setdefault("language", "en")
    pid = new_profile(ad, **profile)
    confirm(ad, PROFILE, pid)
    today = ad.clock.now().date()
    soon = new_grant(
        ad, title="Closes soon", deadline=(today + timedelta(days=5)).isoformat(), countries=["KH"]
    )
    later = new_grant(
        ad,
        title="Closes later",
        deadline=(today + timedelta(days=40)).isoformat(),
        countries=["KH", "LA"],
        sectors=["human-rights"],
    )
    pump(ad, bus)
    return pid, soon, later


def _page(client, token, **args):
    query = "&".join(f"{k}={v}" for k, v in {"token": token, **args}.items())
    return client.get(f"/my?{query}")


def test_the_page_lists_current_matches_with_reasons_amounts_and_days_left(ad, bus, ingest_app):
    pid, _soon, _later = _setup(ad, bus, currency="EUR", amount_min=1000, amount_max=50000)
    client = ingest_app.test_client()
    token = link(ad, Purpose.MY_MATCHES, PROFILE, pid)
    page = _page(client, token)
    assert page.status_code == 200 and page.mimetype == "text/html"
    text = page.text
    assert text.index("Closes soon") < text.index("Closes later")  # by deadline
    assert "closes in 5 days" in text and "closes in 40 days" in text
    assert "$5,000" in text and "€" in text  # the grant's USD and, converted, the CSO's EUR
    assert "Country: Cambodia" in text  # a localised reason
    assert "alerts@cso.example.org" not in text  # the address never reaches a page
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert page.headers["Cache-Control"] == "no-store"
    khmer = _page(client, token, lang="km")
    assert khmer.status_code == 200 and 'lang="km"' in khmer.text


def test_sort_by_fit_and_filters_by_country_and_sector(ad, bus, ingest_app):
    pid, soon, later = _setup(ad, bus)
    client = ingest_app.test_client()
    token = link(ad, Purpose.MY_MATCHES, PROFILE, pid)
    scores = {m.grant_id: m.score for m in ad.matches.for_target(PROFILE, pid)}
    best = max(scores, key=scores.get)
    title = {soon: "Closes soon", later: "Closes later"}
    by_fit = _page(client, token, sort="fit").text
    other = later if best == soon else soon
    assert by_fit.index(title[best]) < by_fit.index(title[other])
    only_la = _page(client, token, country="LA").text
    assert "Closes later" in only_la and "Closes soon" not in only_la
    only_media = _page(client, token, sector="media-freedom").text
    assert "Closes soon" in only_media and "Closes later" not in only_media


def test_save_applied_and_dismiss_and_a_dismissed_grant_is_never_alerted(
    ad, bus, sink_url, ingest_app
):
    pid, soon, later = _setup(ad, bus)
    client = ingest_app.test_client()
    token = link(ad, Purpose.MY_MATCHES, PROFILE, pid)
    form = {"form_token": _form_token(_page(client, token).text)}
    saved = client.post(f"/my/matches/{soon}?token={token}", data={**form, "action": "save"})
    assert saved.status_code == 303 and "/my?" in saved.headers["Location"]
    client.post(f"/my/matches/{later}?token={token}", data={**form, "action": "applied"})
    assert "Closes later" not in _page(client, token, status="saved").text
    assert "Closes soon" in _page(client, token, status="saved").text
    assert "Closes later" in _page(client, token, status="applied").text
    gone = client.post(f"/my/matches/{soon}?token={token}", data={**form, "action": "dismiss"})
    assert gone.status_code == 303
    assert "Closes soon" not in _page(client, token).text
    assert "Closes soon" in _page(client, token, status="dismissed").text
    mid = match_id(soon, "profile", pid)
    assert ad.alerts.get(alert_id(PROFILE, mid)).status is AlertStatus.MUTED
    sent_before = len(sink_messages(sink_url))
    # The funder changes the dismissed grant: the profile hears nothing about it.
    new_grant(
        ad,
        title="Closes soon",
        description="Changed",
        deadline=(ad.clock.now().date() + timedelta(days=6)).isoformat(),
        countries=["KH"],
    )
    pump(ad, bus)
    assert len(sink_messages(sink_url)) == sent_before


def test_a_post_without_its_form_token_changes_nothing(ad, bus, ingest_app):
    pid, soon, _ = _setup(ad, bus)
    client = ingest_app.test_client()
    token = link(ad, Purpose.MY_MATCHES, PROFILE, pid)
    refused = client.post(f"/my/matches/{soon}?token={token}", data={"action": "dismiss"})
    assert refused.status_code == 303 and "done=expired" in refused.headers["Location"]
    assert "Closes soon" in _page(client, token).text


def test_one_csos_link_never_reaches_anothers_matches(ad, bus, ingest_app):
    pid, soon, _ = _setup(ad, bus)
    other = new_profile(ad, email="other@cso.example.org", countries=["MM"], language="en")
    confirm(ad, PROFILE, other)
    client = ingest_app.test_client()
    other_token = link(ad, Purpose.MY_MATCHES, PROFILE, other)
    page = _page(client, other_token)
    assert page.status_code == 200 and "Closes soon" not in page.text
    form = {"form_token": _form_token(page.text), "action": "dismiss"}
    assert client.post(f"/my/matches/{soon}?token={other_token}", data=form).status_code == 404
    mid = match_id(soon, "profile", pid)
    assert ad.alerts.get(alert_id(PROFILE, mid)).status is not AlertStatus.MUTED
    # Tokens made for other purposes, for a funder, or forged open nothing.
    unsubscribe = link(ad, Purpose.UNSUBSCRIBE, PROFILE, pid)
    assert _page(client, unsubscribe).status_code == 400
    funder = link(ad, Purpose.MY_MATCHES, RecipientKind.FUNDER, "f_1")
    assert _page(client, funder).status_code == 400
    assert _page(client, "forged.token").status_code == 400
    assert client.get("/my/matches.csv?token=forged").status_code == 400


def test_matches_export_as_csv(ad, bus, ingest_app):
    pid, _, _ = _setup(ad, bus)
    token = link(ad, Purpose.MY_MATCHES, PROFILE, pid)
    response = ingest_app.test_client().get(f"/my/matches.csv?token={token}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.text.lstrip("\ufeff"))))
    assert rows[0][0] == "Grant" and [r[0] for r in rows[1:]] == ["Closes soon", "Closes later"]
    assert rows[1][4] == "5"


def test_a_private_calendar_feed_whose_secret_is_stored_hashed_and_revocable(ad, bus, ingest_app):
    pid, _, _ = _setup(ad, bus)
    client = ingest_app.test_client()
    token = link(ad, Purpose.MY_MATCHES, PROFILE, pid)
    form = {"form_token": _form_token(_page(client, token).text)}
    shown = client.post(f"/my/calendar?token={token}", data={**form, "action": "new"})
    assert shown.status_code == 200
    # The page shown with the new address is the whole page, its kinds buttons too.
    assert "Also tell me about: Trainings" in unescape(shown.text)
    feed_url = re.search(r'value="([^"]+\.ics)"', shown.text).group(1)
    path = _feed_path(feed_url)
    secret = path.rsplit("/", 1)[1].removesuffix(".ics")
    feed = client.get(path)
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    assert "SUMMARY:Deadline: Closes soon" in feed.text and "BEGIN:VEVENT" in feed.text
    stored = client_of(ad).collection("profiles").document(pid).get().to_dict()
    assert secret not in str(stored) and stored["calendar_feed_hash"]
    # A new address revokes the old one; "stop" revokes the new one.
    again = client.post(f"/my/calendar?token={token}", data={**form, "action": "new"})
    newer = _feed_path(re.search(r'value="([^"]+\.ics)"', again.text).group(1))
    assert client.get(path).status_code == 404
    assert client.get(newer).status_code == 200
    client.post(f"/my/calendar?token={token}", data={**form, "action": "revoke"})
    assert client.get(newer).status_code == 404


def test_delete_asks_then_erases_everything_of_the_address(ad, bus, ingest_app):
    pid, _, _ = _setup(ad, bus)
    project = new_project(ad, contact_email="alerts@cso.example.org")
    client = ingest_app.test_client()
    token = link(ad, Purpose.MY_MATCHES, PROFILE, pid)
    ask = client.get(f"/my/delete?token={token}")
    assert ask.status_code == 200 and ad.subscribers.get_profile(pid) is not None
    client.post(f"/my/delete?token={token}", data={})  # no form token: asks again
    assert ad.subscribers.get_profile(pid) is not None
    done = client.post(f"/my/delete?token={token}", data={"form_token": _form_token(ask.text)})
    assert done.status_code == 200
    assert ad.subscribers.get_profile(pid) is None and ad.subscribers.get_project(project) is None
    assert ad.matches.for_target(PROFILE, pid) == []
    assert _page(client, token).status_code == 400


def test_the_link_box_answers_the_same_and_emails_only_a_known_address(
    ad, bus, sink_url, ingest_app
):
    new_profile(ad, language="en")
    pump(ad, bus)
    before = len(sink_messages(sink_url))
    client = ingest_app.test_client()
    box = client.get("/my/link?lang=en")
    form = {"form_token": _form_token(box.text)}
    known = client.post("/my/link?lang=en", data={**form, "email": "alerts@cso.example.org"})
    unknown = client.post("/my/link?lang=en", data={**form, "email": "nobody@cso.example.org"})
    assert known.status_code == unknown.status_code == 303
    assert known.headers["Location"] == unknown.headers["Location"]
    assert "cso.example.org" not in client.get(known.headers["Location"]).text
    pump(ad, bus)
    [email] = sink_messages(sink_url)[before:]
    assert email["to"] == ["alerts@cso.example.org"]
    assert email["subject"] == "Your link to My Grant Match"
    url = re.search(r"(\S+/my\?token=\S+)", email["text"]).group(1)
    token = parse_qs(urlparse(url).query)["token"][0]
    assert _page(client, token).status_code == 200
    bad = client.post("/my/link?lang=en", data={**form, "email": "not an address"})
    assert bad.status_code == 422 and "Enter an email address" in bad.text


def test_every_email_to_a_cso_links_to_its_page(ad, bus, sink_url):
    _pid, _, _ = _setup(ad, bus)
    texts = [m["text"] for m in sink_messages(sink_url)]
    assert texts and all("/my?token=" in t for t in texts)
    assert all("My Grant Match" in m["html"] for m in sink_messages(sink_url))


def test_the_profile_is_changed_through_the_apis_model_and_matches_follow(ad, bus, ingest_app):
    pid, _, _ = _setup(ad, bus)
    client = ingest_app.test_client()
    token = link(ad, Purpose.MY_MATCHES, PROFILE, pid)
    form = client.get(f"/my/profile?token={token}")
    assert form.status_code == 200 and "alerts@cso.example.org" not in form.text
    fields = {
        "form_token": _form_token(form.text),
        "countries": ["LA"],
        "sectors": ["human-rights"],
        "keywords": "land rights, radio",
        "exclude_keywords": "weapons",
        "frequency": "weekly",
        "language": "km",
        # Not editable from the page: ignored, the stored values stay.
        "email": "thief@example.org",
        "org_name": "Someone else",
    }
    bad = client.post(f"/my/profile?token={token}", data={**fields, "countries": []})
    assert bad.status_code == 422, bad.status_code
    assert "Countries where you work: Please fill this in." in bad.text  # the home form's words
    assert ad.subscribers.get_profile(pid).countries == ["KH"]
    saved = client.post(f"/my/profile?token={token}", data=fields)
    assert saved.status_code == 303 and "done=edited" in saved.headers["Location"]
    profile = ad.subscribers.get_profile(pid)
    assert profile.countries == ["LA"] and [s.value for s in profile.sectors] == ["human-rights"]
    assert profile.keywords == ["land rights", "radio"] and profile.exclude_keywords == ["weapons"]
    assert profile.frequency.value == "weekly" and profile.language == "km"
    assert str(profile.email) == "alerts@cso.example.org" and profile.org_name != "Someone else"
    assert profile.confirmed  # consent stays
    page = _page(client, token, lang="en").text
    assert "Closes later" in page and "Closes soon" not in page  # KH-only grant no longer fits


def test_the_project_is_changed_and_its_address_never_shown(ad, bus, ingest_app):
    pid = new_project(ad, contact_email="team@lao.example.org", language="en")
    confirm(ad, RecipientKind.PROJECT, pid)
    client = ingest_app.test_client()
    token = link(ad, Purpose.MY_MATCHES, RecipientKind.PROJECT, pid)
    form = client.get(f"/my/profile?token={token}")
    assert form.status_code == 200 and "team@lao.example.org" not in form.text
    assert 'value="Safer phones for community reporters"' in form.text
    fields = {
        "form_token": _form_token(form.text),
        "title": "Safer phones for 60 reporters",
        "summary": "Now 60 reporters.",
        "amount_needed": "30000",
        "currency": "USD",
        "visibility": "funders",
        "contact_email": "thief@example.org",
    }
    assert client.post(f"/my/profile?token={token}", data=fields).status_code == 303
    project = ad.subscribers.get_project(pid)
    assert project.title == "Safer phones for 60 reporters" and project.amount_needed == 30000
    assert project.visibility.value == "funders"
    assert str(project.contact_email) == "team@lao.example.org" and project.confirmed
