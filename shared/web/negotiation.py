"""Which representation and language a request gets, and where the site lives.

`GET /projects` serves the JSON API and the projects page at one URL: a browser asks for
text/html first and gets the page; `Accept: application/json`, `*/*` (curl, requests)
or `?format=json` keep the JSON contract. Pages speak the `?lang=` language if the product
has it, else the browser's preferred one, else English.
"""

from __future__ import annotations

from urllib.parse import urlparse

from flask import Request

from shared.i18n import FALLBACK, LANGUAGES


def wants_html(request: Request) -> bool:
    """True when the caller prefers an HTML page over JSON (a browser)."""
    if request.args.get("format") == "json":
        return False
    accept = request.accept_mimetypes
    return accept.best_match(["application/json", "text/html"]) == "text/html"


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
