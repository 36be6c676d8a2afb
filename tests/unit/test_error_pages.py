"""Errors as pages for browsers, JSON for everyone else: the same status and headers,
a title per status in the reader's language, nothing of the request echoed, and the
correlation id on a 500 so support can find the log line."""

from __future__ import annotations

from html import unescape

import pytest
from flask import Flask

from shared.domain import errors
from shared.web.correlation import install_correlation
from shared.web.error_mapping import install_error_handlers
from shared.web.negotiation import SITE_ENDPOINTS
from shared.web.pages.errors import retry_minutes

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
SECRET_ADDRESS = "team@laomedia.example.org"


@pytest.fixture
def client():
    app = Flask(__name__)
    install_correlation(app)
    install_error_handlers(app, "/ingest")

    @app.post("/forms/<kind>", endpoint="site.post_web_form")
    def form(kind: str):
        raise errors.RateLimited(125)

    @app.get("/projects/<pid>", endpoint="api_thing")
    def thing(pid: str):
        raise errors.NotFound(f"no project {pid} of {SECRET_ADDRESS}")

    @app.get("/csrf", endpoint="site.interest_form")
    def csrf():
        raise errors.Forbidden("this form did not come from the Grant Match page")

    @app.get("/boom", endpoint="site.home")
    def boom():
        raise RuntimeError(f"broke on {SECRET_ADDRESS}")

    @app.get("/forms/sent", endpoint="site.form_sent")
    def soon():
        raise errors.RateLimited(30)

    @app.post("/upload", endpoint="upload")
    def upload():
        raise errors.UnsupportedMediaType("send application/json")

    return app.test_client()


def _title(html: str) -> str:
    return unescape(html.split("<h1>", 1)[1].split("</h1>", 1)[0])


def test_a_browser_over_the_rate_limit_gets_a_page_with_the_minutes_and_retry_after(client):
    response = client.post("/forms/project?lang=en", headers=BROWSER)
    html = response.get_data(as_text=True)
    assert response.status_code == 429 and response.mimetype == "text/html"
    assert response.headers["Retry-After"] == "125"
    assert _title(html) == "Too many requests — please wait 3 minutes and try again"
    assert "<title>Error: Too many requests" in unescape(html)
    assert "Nothing was saved" in html  # it was a form post: say what happened to it
    assert 'href="/ingest/?lang=en"' in html and 'href="/ingest/projects?lang=en"' in html
    assert response.headers["Cache-Control"] == "no-store"
    assert "Accept" in response.headers["Vary"]
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]


def test_the_minutes_are_rounded_up_and_one_is_singular(client):
    assert [retry_minutes(s) for s in (1, 59, 60, 61, 3600)] == [1, 1, 1, 2, 60]
    html = client.get("/forms/sent", headers=BROWSER).get_data(as_text=True)
    assert _title(html) == "Too many requests — please wait 1 minute and try again"
    assert "Nothing was saved" not in html  # nothing was posted


@pytest.mark.parametrize(
    ("headers", "path"),
    [
        ({"Accept": "application/json"}, "/forms/project"),
        ({}, "/forms/project"),  # no Accept at all
        ({"Accept": "*/*"}, "/forms/project"),  # curl, requests
        ({"Accept": "application/json, text/html;q=0.5"}, "/forms/project"),
        (BROWSER, "/forms/project?format=json"),
    ],
)
def test_api_clients_keep_the_exact_json_error(client, headers, path):
    response = client.post(path, headers=headers)
    assert response.status_code == 429 and response.mimetype == "application/json"
    assert response.json == {
        "error": {"code": "rate_limited", "message": "too many requests: retry after 125 seconds"}
    }
    assert response.headers["Retry-After"] == "125"


def test_a_site_route_pages_a_client_that_lists_html_as_high_as_json(client):
    both = {"Accept": "text/html, application/json"}
    assert client.post("/forms/project", headers=both).mimetype == "text/html"
    # Off the site's routes the same header keeps the API's JSON.
    assert client.get("/projects/p_1", headers=both).mimetype == "application/json"


def test_the_page_never_echoes_the_request_or_the_domain_message(client):
    response = client.get("/projects/%3Cscript%3Ealert(1)%3C%2Fscript%3E", headers=BROWSER)
    html = response.get_data(as_text=True)
    assert response.status_code == 404 and _title(html) == "Page not found"
    assert "<script" not in html and "alert(1)" not in html
    assert SECRET_ADDRESS not in html and "no project" not in html
    unknown = client.get("/no/such/<b>page</b>", headers=BROWSER)
    assert unknown.status_code == 404 and "<b>page" not in unknown.get_data(as_text=True)


def test_the_page_speaks_the_readers_language(client):
    thai = client.get("/csrf", headers={**BROWSER, "Accept-Language": "th-TH,th;q=0.9"})
    html = thai.get_data(as_text=True)
    assert thai.status_code == 403 and '<html lang="th">' in html
    assert _title(html) == "ไม่อนุญาตให้ทำเช่นนี้"
    khmer = client.post("/forms/project?lang=km", headers=BROWSER).get_data(as_text=True)
    assert '<html lang="km">' in khmer and "Too many requests" not in khmer
    assert "125" not in _title(khmer) and "3" in _title(khmer)  # minutes, not seconds


def test_a_500_gives_the_correlation_id_and_never_the_exception(client):
    headers = {**BROWSER, "X-Correlation-Id": "support-lookup-1234"}
    response = client.get("/boom", headers=headers)
    html = response.get_data(as_text=True)
    assert response.status_code == 500 and _title(html) == "Something went wrong on our side"
    assert "<code>support-lookup-1234</code>" in html
    assert SECRET_ADDRESS not in html and "RuntimeError" not in html


@pytest.mark.parametrize(
    ("method", "path", "status", "title"),
    [
        ("get", "/nowhere", 404, "Page not found"),
        ("post", "/csrf", 405, "This page cannot be used this way"),
        ("post", "/upload", 415, "This kind of content is not accepted here"),
    ],
)
def test_each_status_has_its_own_title_and_the_json_status(client, method, path, status, title):
    page = getattr(client, method)(path, headers=BROWSER)
    api = getattr(client, method)(path, headers={"Accept": "application/json"})
    assert page.status_code == api.status_code == status
    assert _title(page.get_data(as_text=True)) == title


def test_every_site_endpoint_is_a_route_of_the_ingest_function(ingest_app):
    endpoints = {rule.endpoint for rule in ingest_app.url_map.iter_rules()}
    assert endpoints >= SITE_ENDPOINTS
