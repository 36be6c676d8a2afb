"""Pages reached from an emailed link are site pages (issue 14): the site's header and
language switcher, a next step, and a heading that fits what the link is about."""

from __future__ import annotations

from html import unescape

from shared.domain.recipients import RecipientKind
from shared.email.links import Purpose
from tests.integration.pipeline import link, new_profile, new_project


def _page(ingest_app, url: str, method: str = "get") -> str:
    response = getattr(ingest_app.test_client(), method)(url)
    assert response.status_code in (200, 400)
    return unescape(response.get_data(as_text=True))


def test_a_link_page_has_the_site_header_language_switcher_and_a_next_step(ad, ingest_app):
    pid = new_profile(ad, language="en")
    token = link(ad, Purpose.CONFIRM, RecipientKind.PROFILE, pid)
    for html in (
        _page(ingest_app, f"/confirm?token={token}"),
        _page(ingest_app, f"/confirm?token={token}", "post"),
    ):
        assert '<nav aria-label="Language">' in html
        assert '<p class="brand"><a href="/?lang=en">Grant Match</a></p>' in html
        assert token not in html.split("<main")[0]  # the switcher does not carry the token
    done = _page(ingest_app, f"/confirm?token={token}", "post")
    assert '<a class="next" href="/?lang=en#project">Submit a project</a>' in done


def test_a_projects_confirmation_page_speaks_of_the_project(ad, ingest_app):
    pid = new_project(ad, language="en")
    token = link(ad, Purpose.CONFIRM, RecipientKind.PROJECT, pid)
    ask = _page(ingest_app, f"/confirm?token={token}")
    assert "<h1>Confirm your project</h1>" in ask and "grant alerts" not in ask.split("<main")[1]
    done = _page(ingest_app, f"/confirm?token={token}", "post")
    assert "grants that fit your project will come to it" in done
    assert '<a class="next" href="/projects?lang=en">Projects that need funding</a>' in done


def test_an_invalid_link_is_a_site_page_too(ingest_app):
    html = _page(ingest_app, "/unsubscribe?token=forged.token.value")
    assert '<nav aria-label="Language">' in html
    assert "This link is not valid or has expired." in html
