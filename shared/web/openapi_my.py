"""My Grant Match in the OpenAPI document: the CSO's own page behind its emailed link,
the actions on it, its CSV and calendar feed, deleting its data, and the box that emails
the link (`shared/web/my_page.py`). The token is the only credential; a bad, expired or
foreign one answers the invalid-link page (400, text/html) whatever the client accepts.
"""

from __future__ import annotations

from typing import Any, Final

from shared.domain.models import ErasureRequest, GrantSubmission
from shared.domain.recipients import RecipientKind
from shared.services.my_matches import EDITABLE
from shared.web.openapi_parts import (
    HTML,
    LANG,
    SESSION,
    errors,
    form_body,
    html_response,
    json_content,
    redirect_response,
)
from shared.web.responses import ErrorBody

TOKEN: Final = {
    "name": "token",
    "in": "query",
    "required": True,
    "description": "The signed My Grant Match token from an email",
    "schema": {"type": "string"},
}
INVALID: Final = "The invalid-link page: forged, expired, another purpose's, or its data is gone"
FILTERS: Final = [
    {"name": name, "in": "query", "required": False, "description": text, "schema": schema}
    for name, text, schema in (
        ("sort", "`deadline` (soonest first) or `fit` (best first)", {"type": "string"}),
        (
            "status",
            "`new`, `saved`, `applied` or `dismissed`; else all but dismissed",
            {"type": "string"},
        ),
        ("country", "An ISO 3166-1 alpha-2 code the grant must cover", {"type": "string"}),
        ("sector", "A sector slug the grant must fund", {"type": "string"}),
    )
]
FORM_TOKEN_FIELD: Final = "The signed token of the page the form came from"  # noqa: S105
GRANT_ID: Final = {
    "name": "grant_id",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "pattern": "^g_[0-9a-f]{32}$"},
}
SECRET: Final = {"name": "secret", "in": "path", "required": True, "schema": {"type": "string"}}


def _op(summary: str, parameters: list[Any], responses: dict[str, Any], **extra: Any) -> Any:
    return {
        "summary": summary,
        "tags": ["my grant match"],
        "parameters": parameters,
        "responses": responses,
        **extra,
    }


def my_paths() -> dict[str, Any]:
    """Every My Grant Match route, by path."""
    invalid = {"400": html_response(INVALID)}
    return {
        "/my": {
            "get": _op(
                "A CSO's current matches, with reasons, amounts and days left, sorted and filtered",
                [TOKEN, LANG, *FILTERS],
                {"200": html_response("The page"), **invalid, **errors(page=True)},
            )
        },
        "/my/matches/{grant_id}": {
            "parameters": [GRANT_ID],
            "post": _op(
                "Save, mark applied, dismiss (mutes the grant's alerts) or clear one match",
                [TOKEN, LANG],
                {
                    "303": redirect_response("Done, or the form token was stale: to /my"),
                    **invalid,
                    **errors(413, described={404: "No such match of this CSO"}, page=True),
                },
                requestBody=form_body(
                    action="`save`, `applied`, `dismiss` or `clear`", form_token=FORM_TOKEN_FIELD
                ),
            ),
        },
        "/my/matches.csv": {
            "get": _op(
                "The current matches as CSV",
                [TOKEN, LANG, *FILTERS],
                {
                    "200": {
                        "description": "The CSV file",
                        "content": {"text/csv": {"schema": {"type": "string"}}},
                    },
                    **invalid,
                    **errors(page=True),
                },
            )
        },
        "/my/calendar": {
            "post": _op(
                "Make a new private calendar address (shown once; the old one stops) or revoke it",
                [TOKEN, LANG],
                {
                    "200": html_response("The page, with the new calendar address"),
                    "303": redirect_response("Revoked, or the form token was stale: to /my"),
                    **invalid,
                    **errors(413, page=True),
                },
                requestBody=form_body(action="`new` or `revoke`", form_token=FORM_TOKEN_FIELD),
            )
        },
        "/my/kinds": {
            "post": _op(
                "One click: an alert profile hears of one more kind (training, event, "
                "tech_offer) as well",
                [TOKEN, LANG],
                {
                    "303": redirect_response("Added, or the form token was stale: to /my"),
                    **invalid,
                    **errors(413, page=True),
                },
                requestBody=form_body(
                    kind="`training`, `event` or `tech_offer`", form_token=FORM_TOKEN_FIELD
                ),
            )
        },
        "/my/calendar/{secret}.ics": {
            "parameters": [SECRET],
            "get": _op(
                "The private iCalendar feed of a CSO's matched deadlines",
                [],
                {
                    "200": {
                        "description": "The feed",
                        "content": {"text/calendar": {"schema": {"type": "string"}}},
                    },
                    **errors(described={404: "No feed with this secret (or revoked)"}, page=True),
                },
            ),
        },
        "/my/delete": {
            "get": _op(
                "Ask before deleting everything kept for the CSO's address",
                [TOKEN, LANG],
                {"200": html_response("The question"), **invalid, **errors(page=True)},
            ),
            "post": _op(
                "Delete everything kept for the address (a stale form token asks again)",
                [TOKEN, LANG],
                {
                    "200": html_response("Deleted; or the question again"),
                    **invalid,
                    **errors(413, page=True),
                },
                requestBody=form_body(form_token=FORM_TOKEN_FIELD),
            ),
        },
        "/my/profile": {
            "get": _op(
                "The form that changes the alert profile or the project (not its address)",
                [TOKEN, LANG],
                {"200": html_response("The form"), **invalid, **errors(page=True)},
            ),
            "post": _op(
                "Change the profile (countries, sectors, keywords, frequency, language) or "
                "the project (text, amount, visibility), parsed by the API's own model",
                [TOKEN, LANG],
                {
                    "303": redirect_response("Saved: to /my"),
                    "400": html_response(
                        INVALID + "; or the form again: its form token was forged or too old"
                    ),
                    "422": html_response("The form again, each bad field with its message"),
                    **errors(413, page=True),
                },
                requestBody=form_body(
                    None,
                    **{
                        name: "An editable field (the API's model names and values)"
                        for name in sorted(
                            {*EDITABLE[RecipientKind.PROFILE], *EDITABLE[RecipientKind.PROJECT]}
                        )
                    },
                    form_token=FORM_TOKEN_FIELD,
                ),
            ),
        },
        "/my/link": {
            "get": _op(
                "The box that emails a CSO the link to its page",
                [
                    LANG,
                    {
                        "name": "sent",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "string"},
                    },
                ],
                {"200": html_response("The box"), **errors(page=True)},
            ),
            "post": _op(
                "Email the link to the address, if known (the same answer either way)",
                [LANG],
                {
                    "303": redirect_response("Asked (or dropped as a bot's): to /my/link"),
                    "400": html_response("The box again: its form token was forged or too old"),
                    "422": html_response("The box again: not an email address"),
                    **errors(413, page=True),
                },
                requestBody=form_body(
                    ErasureRequest,
                    form_token=FORM_TOKEN_FIELD,
                    website="Hidden: a post that fills it is dropped as a bot's",
                ),
            ),
        },
    }


FUNDER_GRANT_ID: Final = {**GRANT_ID}


def funder_paths() -> dict[str, Any]:
    """The funders' pages (`shared/web/funder_pages.py`): the signed-in funder's grants
    and the grant form, parsed by the JSON API's `GrantSubmission`."""
    csrf = "The session's token, from the page"
    signed_out = redirect_response("Not signed in: to /funder/grants (the sign-in)")
    form = form_body(GrantSubmission, csrf=csrf)
    not_theirs = {403: "Another funder's grant, or the csrf field is not the session's token"}

    def op(summary: str, responses: dict[str, Any], **extra: Any) -> Any:
        return {
            "summary": summary,
            "tags": ["funders"],
            "security": SESSION,
            "parameters": [LANG],
            "responses": responses,
            **extra,
        }

    return {
        "/funder/grants": {
            "get": op(
                "A signed-in funder's grants, each with the open projects that fit it; "
                "signed out, the sign-in",
                {"200": html_response("The page"), **errors(page=True)},
            )
        },
        "/funder/grants/new": {
            "get": op(
                "The grant form",
                {"200": html_response("The form"), "303": signed_out, **errors(page=True)},
            ),
            "post": op(
                "Create (or, by external_id, update) a grant: POST /grants's model and service",
                {
                    "303": redirect_response("Saved: to /funder/grants; or not signed in"),
                    "422": html_response("The form again, each bad field with its message"),
                    **errors(413, described={403: not_theirs[403]}, page=True),
                },
                requestBody=form,
            ),
        },
        "/funder/grants/{grant_id}/edit": {
            "parameters": [FUNDER_GRANT_ID],
            "get": op(
                "The grant form, filled in with one of the funder's grants",
                {
                    "200": html_response("The form"),
                    "303": signed_out,
                    **errors(described={**not_theirs, 404: "No such grant"}, page=True),
                },
            ),
            "post": op(
                "Replace one of the funder's grants: PUT /grants/{grant_id}'s model and service",
                {
                    "303": redirect_response("Saved: to /funder/grants; or not signed in"),
                    "422": {
                        "description": "The form again with each bad field's message; or the "
                        "JSON error for an external_id that is not the grant's",
                        "content": {**HTML, **json_content(ErrorBody)},
                    },
                    **errors(413, described={**not_theirs, 404: "No such grant"}, page=True),
                },
                requestBody=form,
            ),
        },
        "/funder/grants/{grant_id}/close": {
            "parameters": [FUNDER_GRANT_ID],
            "post": op(
                "Close one of the funder's grants: removed with its matches (DELETE /grants)",
                {
                    "303": redirect_response("Closed: to /funder/grants; or not signed in"),
                    **errors(413, described={**not_theirs, 404: "No such grant"}, page=True),
                },
                requestBody=form_body(csrf=csrf),
            ),
        },
    }
