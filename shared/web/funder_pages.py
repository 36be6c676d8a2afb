"""Funders on the web: a visible sign-in (the projects page's session), a page of the
funder's grants with the projects that fit each, and a grant form that creates, edits
and closes grants through the services behind `POST /grants`, `PUT /grants/<id>` and
`DELETE /grants/<id>` (same model, same rules). Every form acting for the funder carries
its session's token; another funder's grant is 403, an unknown one 404, as in the API.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g, redirect, request

from shared.domain.errors import Forbidden
from shared.domain.models import GrantSubmission
from shared.services.funder_grants import my_grants
from shared.services.grants import delete_own_grant, owned_grant, update_own_grant
from shared.services.submissions import submit_grant
from shared.web.context import adapters, web
from shared.web.forms import FormInvalid, parse_form
from shared.web.funder_session import FunderSession
from shared.web.negotiation import page_language
from shared.web.pages.funder import grant_form_page, grant_values, grants_page, sign_in_page
from shared.web.pages.site import FormState
from shared.web.projects_view import signed_in

funder = Blueprint("funder", __name__)


def _session_or_sign_in(language: str) -> FunderSession | Any:
    session = signed_in(adapters())
    return session if session is not None else redirect(_grants_url(language), 303)


def _grants_url(language: str, done: str = "") -> str:
    return f"{web().prefix}/funder/grants?lang={language}" + (f"&done={done}" if done else "")


def _check_csrf(session: FunderSession) -> None:
    if not web().sessions.csrf_ok(session, request.form.get("csrf")):
        raise Forbidden("this form did not come from the Grant Match page: open the page again")


@funder.get("/funder/grants")
def grants() -> Any:
    """The signed-in funder's grants and the projects that fit each; else the sign-in."""
    ad = adapters()
    language = page_language(request)
    session = signed_in(ad)
    if session is None:
        return sign_in_page(language, web().prefix)
    return grants_page(
        language,
        web().prefix,
        ad.funders.name_of(session.funder_id) or "",
        web().sessions.csrf_token(session),
        my_grants(ad, session.funder_id),
        notice=request.args.get("done", ""),
    )


def _save(session: FunderSession, language: str, grant_id: str = "") -> Any:
    """Parse the posted grant with the API's model and store it with the API's service."""
    ad = adapters()
    csrf = web().sessions.csrf_token(session)
    try:
        submission = parse_form(request.form, GrantSubmission, language)
    except FormInvalid as exc:
        state = FormState("grant", request.form, exc.errors)
        return grant_form_page(language, web().prefix, csrf, state, grant_id=grant_id, status=422)
    if grant_id:
        update_own_grant(
            ad, session.funder_id, grant_id, submission, correlation_id=g.correlation_id
        )
    else:
        submit_grant(ad, session.funder_id, submission, correlation_id=g.correlation_id)
    return redirect(_grants_url(language, "saved"), 303)


@funder.route("/funder/grants/new", methods=["GET", "POST"])
def new_grant() -> Any:
    """The grant form: a new grant (or, with an external id already used, its update)."""
    language = page_language(request)
    session = _session_or_sign_in(language)
    if not isinstance(session, FunderSession):
        return session
    if request.method == "GET":
        csrf = web().sessions.csrf_token(session)
        return grant_form_page(language, web().prefix, csrf, FormState("grant"))
    _check_csrf(session)
    return _save(session, language)


@funder.route("/funder/grants/<grant_id>/edit", methods=["GET", "POST"])
def edit_grant(grant_id: str) -> Any:
    """The grant form filled in with one of the funder's grants (403 for another's)."""
    language = page_language(request)
    session = _session_or_sign_in(language)
    if not isinstance(session, FunderSession):
        return session
    grant = owned_grant(adapters(), session.funder_id, grant_id)
    if request.method == "GET":
        csrf = web().sessions.csrf_token(session)
        state = FormState("grant", grant_values(grant))
        return grant_form_page(language, web().prefix, csrf, state, grant_id=grant.id)
    _check_csrf(session)
    return _save(session, language, grant.id)


@funder.post("/funder/grants/<grant_id>/close")
def close_grant(grant_id: str) -> Any:
    """Close one of the funder's grants: removed with its matches (the API's DELETE)."""
    language = page_language(request)
    session = _session_or_sign_in(language)
    if not isinstance(session, FunderSession):
        return session
    _check_csrf(session)
    delete_own_grant(adapters(), session.funder_id, grant_id)
    return redirect(_grants_url(language, "closed"), 303)
