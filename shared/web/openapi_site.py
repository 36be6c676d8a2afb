"""The site's operations in the OpenAPI document: the web form, the funders' sign-in and
interest form, the CSO's share page and the pages behind emailed links.

They take form posts and answer with pages (text/html) or 303 redirects; the statuses
are the ones the routes in shared/web/site.py and links.py really return. Errors raised before
a page can be drawn (a body over the limit, rate limits, a CSRF token that does not
match, a project that is not listed) are the API's JSON errors, or for a client that
lists text/html the site's error page with the same status (`shared.web.pages.errors`).
"""

from __future__ import annotations

from typing import Any, Final

from pydantic import BaseModel

from shared.domain.models import (
    ContactReply,
    InterestSubmission,
    ProfileSubmission,
    ProjectSubmission,
)
from shared.email.links import Purpose
from shared.web.forms import HONEYPOT
from shared.web.openapi_my import funder_paths, my_paths
from shared.web.openapi_opportunities import funder_item_paths
from shared.web.openapi_parts import (
    HTML,
    LANG,
    PROJECT_ID,
    SESSION,
    errors,
    form_body,
    html_response,
    json_content,
    redirect_response,
)
from shared.web.openapi_plan import plan_paths
from shared.web.responses import ErrorBody

TOKEN: Final = {"name": "token", "in": "query", "required": True, "schema": {"type": "string"}}
INVALID_LINK: Final = "The invalid-link page: forged, expired or made for another purpose"
FORM_FIELDS: Final = {
    "form_token": "The signed token of the page the form came from (its nonce makes a "
    "double submit store once)",
    HONEYPOT: "Hidden from people: a post that fills it is dropped as a bot's",
}


def _web_form(kind: str, model: type[BaseModel]) -> dict[str, Any]:
    return {
        "summary": f"The web form's {kind}, stored by the JSON API's model and service",
        "tags": ["site"],
        "parameters": [LANG],
        "requestBody": form_body(model, **FORM_FIELDS),
        "responses": {
            "303": redirect_response("Stored (or dropped as a bot's): to /forms/sent"),
            "400": html_response("The form again: its token was forged or too old"),
            "409": html_response("The form again: its token was used for other values"),
            "422": html_response("The form again, each bad field with its message"),
            **errors(413, page=True),
        },
    }


def _interest_form(method: str) -> dict[str, Any]:
    posted = method == "post"
    described = {404: "No listed project with this id"}
    operation: dict[str, Any] = {
        "summary": "A signed-in funder's note and pledge to one listed project (the page's "
        "twin of POST /projects/{project_id}/interest)",
        "tags": ["site"],
        "security": SESSION,
        "parameters": [LANG],
        "responses": {
            "200": html_response(
                "The form, or (funder without a contact address) why it cannot be sent"
            ),
            "303": redirect_response(
                "Not signed in: to the sign-in"
                + ("; told (or told before): to /forms/sent" if posted else "")
            ),
        },
    }
    if not posted:
        operation["responses"].update(errors(described=described, page=True))
        return operation
    described |= {
        403: "The csrf field is not this session's token",
        409: "The funder lost its contact address meanwhile",
    }
    operation["requestBody"] = form_body(
        InterestSubmission, csrf="The session's token, from the form page"
    )
    operation["responses"].update(
        {
            **errors(413, described=described, page=True),
            "422": {
                "description": "The form again with each bad field's message; or the JSON "
                "error for a pledge to a project that named no amount (its page has no "
                "pledge field)",
                "content": {**HTML, **json_content(ErrorBody)},
            },
        }
    )
    return operation


def _share_contact(method: str) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "summary": "The link that tells a CSO about a funder's interest: GET asks (mail "
        "scanners prefetch links), POST shares the CSO's address with the funder",
        "tags": ["emailed links"],
        "parameters": [TOKEN],
        "responses": {
            "200": html_response("Asks, or says the address is on its way"),
            "400": html_response(INVALID_LINK),
            **errors(page=True),
        },
    }
    if method == "post":
        operation["requestBody"] = form_body(ContactReply)
        operation["responses"]["422"] = html_response("The page again: the reply is too long")
        operation["responses"].update(errors(413, page=True))
    return operation


def _link_operation(purpose: Purpose, method: str) -> dict[str, Any]:
    acts = "acts (POST)" if method == "post" else "shows a page with a button (GET)"
    operation: dict[str, Any] = {
        "summary": f"The {purpose.value} link in emails: {acts}",
        "tags": ["emailed links"],
        "parameters": [TOKEN],
        "responses": {
            "200": html_response("The page"),
            "400": html_response(INVALID_LINK),
            **errors(page=True),
        },
    }
    if method == "post":  # RFC 8058 one-click unsubscribe posts this form; nothing is read
        operation["requestBody"] = form_body(None, **{"List-Unsubscribe": "`One-Click`"})
    return operation


def site_paths() -> dict[str, Any]:
    """Every page of the site, by path."""
    paths: dict[str, Any] = {
        "/": {
            "get": {
                "summary": "The web form: submit a project, or ask for grant alerts",
                "tags": ["site"],
                "parameters": [LANG],
                "responses": {"200": html_response("The page"), **errors(page=True)},
            }
        },
        "/forms/project": {"post": _web_form("project", ProjectSubmission)},
        "/forms/profile": {"post": _web_form("alert profile", ProfileSubmission)},
        "/forms/sent": {
            "get": {
                "summary": "The page after a form was sent (Post/Redirect/Get)",
                "tags": ["site"],
                "parameters": [
                    {
                        "name": "kind",
                        "in": "query",
                        "required": False,
                        "description": "What was sent (anything else reads as `profile`)",
                        "schema": {"type": "string", "enum": ["project", "profile", "interest"]},
                    },
                    LANG,
                ],
                "responses": {"200": html_response("The page"), **errors(page=True)},
            }
        },
        "/forms/sign-in": {
            "post": {
                "summary": "A funder signs in on the projects page with its API key (checked, "
                "never kept): the browser gets a signed two-hour session cookie",
                "tags": ["site"],
                "parameters": [LANG],
                "requestBody": form_body(
                    api_key="The funder API key, `gm_…`",
                    grant="Optional: one of the funder's grant ids (`g_…`); signed in, the "
                    "browser goes back to that grant's projects (anything else is ignored)",
                    back="Optional: `grants` (from /funder/grants): signed in, back to the "
                    "funder's grants; a wrong key shows that sign-in again",
                ),
                "responses": {
                    "303": redirect_response(
                        "Signed in: to /projects (with `grant` and `sort=best` if a grant was "
                        "posted)",
                        sets_cookie=True,
                    ),
                    "401": html_response("The projects page, saying the key is not valid"),
                    **errors(413, page=True),
                },
            }
        },
        "/forms/sign-out": {
            "post": {
                "summary": "End the browser's funder session",
                "tags": ["site"],
                "parameters": [LANG],
                "responses": {
                    "303": redirect_response("To /projects; the cookie expired", sets_cookie=True),
                    **errors(page=True),
                },
            }
        },
        "/forms/interest/{project_id}": {
            "parameters": [PROJECT_ID],
            "get": _interest_form("get"),
            "post": _interest_form("post"),
        },
        f"/{Purpose.SHARE_CONTACT.value}": {
            method: _share_contact(method) for method in ("get", "post")
        },
    }
    paths.update(my_paths())
    paths.update(funder_paths())
    paths.update(plan_paths())
    paths.update(funder_item_paths())
    for purpose in Purpose:
        if purpose not in (Purpose.SHARE_CONTACT, Purpose.MY_MATCHES):
            paths[f"/{purpose.value}"] = {
                method: _link_operation(purpose, method) for method in ("get", "post")
            }
    return paths
