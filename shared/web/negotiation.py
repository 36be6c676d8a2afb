"""Which representation and language a request gets, and where the site lives.

`GET /projects` serves the JSON API and the projects page at one URL: a browser asks for
text/html first and gets the page; `Accept: application/json`, `*/*` (curl, requests)
or `?format=json` keep the JSON contract. Pages speak the `?lang=` language if the product
has it, else the browser's preferred one, else English.
"""

from __future__ import annotations

from urllib.parse import urlparse

from flask import Request

from shared.email.i18n import FALLBACK, LANGUAGES

#: The site's own routes (shared/web/site.py, links.py): forms, the pages they lead to and
#: the links in emails. A client that lists text/html gets their errors as pages.
SITE_ENDPOINTS = frozenset(
    {
        "site.home",
        "site.post_web_form",
        "site.form_sent",
        "site.funder_sign_in",
        "site.funder_sign_out",
        "site.interest_form",
        "links.share_contact_link",
        "links.emailed_link",
    }
)


def wants_html(request: Request) -> bool:
    """True when the caller prefers an HTML page over JSON (a browser)."""
    if request.args.get("format") == "json":
        return False
    accept = request.accept_mimetypes
    return accept.best_match(["application/json", "text/html"]) == "text/html"


def wants_error_page(request: Request) -> bool:
    """True when an error should be a page: the caller prefers HTML, or it is on one of
    the site's routes and lists text/html at least as high as JSON. `*/*` alone (curl,
    requests, API clients) keeps the JSON error."""
    if wants_html(request):
        return True
    if request.endpoint not in SITE_ENDPOINTS or request.args.get("format") == "json":
        return False
    accept = request.accept_mimetypes
    html = max((q for value, q in accept if value == "text/html"), default=0)
    return html > 0 and html >= accept["application/json"]


def page_language(request: Request) -> str:
    """The language of a page: `?lang=`, else Accept-Language, else English."""
    asked = request.args.get("lang", "")
    if asked in LANGUAGES:
        return asked
    return request.accept_languages.best_match(LANGUAGES) or FALLBACK


def site_prefix(public_base_url: str) -> str:
    """The path the site is mounted under (`/ingest` on a cloudfunctions.net URL, empty
    locally): pages link root-relative under it, so they work on any host name."""
    return urlparse(public_base_url).path.rstrip("/")
