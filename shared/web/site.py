"""The site: the web form (a project, an alert profile), the page after it, the funders'
sign-in and sign-out on the projects page, and a signed-in funder's interest form.

Web forms are parsed into the JSON API's own models and stored by the same services; a
browser gets its errors as pages of the site (`shared.web.error_mapping`). The projects
page itself is `GET /projects` (`shared.web.api`, `shared.web.projects_view`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import Blueprint, g, redirect, request
from pydantic import BaseModel

from shared.domain.errors import Conflict, Forbidden, Unauthenticated
from shared.domain.ids import is_grant_id
from shared.domain.models import InterestSubmission, ProfileSubmission, ProjectSubmission
from shared.email.links import grant_projects_page
from shared.services.funders import check_key, end_session
from shared.services.interests import can_hear_back, express_interest, listed_project
from shared.services.project_listings import public_view
from shared.services.submissions import submit_profile, submit_project
from shared.web.context import adapters, web
from shared.web.forms import HONEYPOT, FormInvalid, parse_form
from shared.web.funder_session import COOKIE, LIFETIME
from shared.web.negotiation import page_language
from shared.web.pages.site import (
    FormState,
    SentKind,
    home_page,
    interest_page,
    project_card,
    sent_page,
    sign_in_refused,
)
from shared.web.projects_view import projects_page_response, signed_in

site = Blueprint("site", __name__)
log = logging.getLogger(__name__)
WEB_FORMS: dict[str, tuple[str, type[BaseModel], Callable[..., Any]]] = {
    "project": ("project", ProjectSubmission, submit_project),
    "profile": ("alerts", ProfileSubmission, submit_profile),
}


@site.get("/")
def home() -> Any:
    """The web form: submit a project, or ask for grant alerts (no JavaScript needed)."""
    return home_page(page_language(request), web().prefix, web().form_tokens.issue())


@site.post("/forms/<any(project, profile):kind>")
def post_web_form(kind: str) -> Any:
    """A web form post, validated by the JSON API's model and stored by the same service.
    Its token's nonce is the Idempotency-Key, so a double submit stores one record."""
    language = page_language(request)
    if request.form.get(HONEYPOT):
        # A bot filled the field people never see: drop it, and answer as if all went well.
        log.info("web form honeypot filled; dropped", extra={"form": kind})
        return see_sent(kind, language)
    ad = adapters()
    state_id, model, submit = WEB_FORMS[kind]
    token = request.form.get("form_token", "")
    nonce = web().form_tokens.nonce(token, ad.clock.now())

    def again(errors: dict[str, str], notice: str | None, status: int, fresh: bool = False) -> Any:
        # The same token while nothing was stored, so a double submit still stores once.
        kept = token if nonce and not fresh else web().form_tokens.issue()
        state = FormState(state_id, request.form, errors)
        forms = {"project": state} if kind == "project" else {"alerts": state}
        return home_page(language, web().prefix, kept, notice=notice, status=status, **forms)

    try:
        submission = parse_form(request.form, model, language, now=ad.clock.now())
    except FormInvalid as exc:
        return again(exc.errors, None, 422)
    if nonce is None:
        return again({}, "expired", 400)
    try:
        submit(
            ad,
            submission,
            idempotency_key=f"web-{nonce}",
            correlation_id=g.correlation_id,
        )
    except Conflict:  # the token was used for other values: the next press is a new form
        return again({}, "conflict", 409, fresh=True)
    return see_sent(kind, language)


def see_sent(kind: str, language: str) -> Any:
    """Post/Redirect/Get to the page that says the form was sent."""
    return redirect(f"{web().prefix}/forms/sent?kind={kind}&lang={language}", 303)


@site.get("/forms/sent")
def form_sent() -> Any:
    """The page after a form was sent (Post/Redirect/Get: reloading sends nothing)."""
    kind = request.args.get("kind")
    shown: SentKind = (
        "project" if kind == "project" else "interest" if kind == "interest" else "profile"
    )
    return sent_page(shown, page_language(request), web().prefix)


@site.post("/forms/sign-in")
def funder_sign_in() -> Any:
    """A funder signs in on the projects page with its API key (checked, not kept): the
    browser gets a signed two-hour session cookie that names the key, never holds it.
    A `grant` field (from a digest's link) brings the funder back to that grant's
    projects; only a grant id's shape is accepted, so it cannot redirect elsewhere."""
    ad = adapters()
    language = page_language(request)
    grant_id = request.form.get("grant", "").strip()
    grant_id = grant_id if is_grant_id(grant_id) else ""
    try:
        funder_id, key_id = check_key(ad, request.form.get("api_key", "").strip())
    except Unauthenticated:
        return projects_page_response(language, sign_in_refused(language), 401, grant_id=grant_id)
    prefix = web().prefix
    back = (
        grant_projects_page(prefix, grant_id, language)
        if grant_id
        else f"{prefix}/projects?lang={language}"
    )
    response = redirect(back, 303)
    response.set_cookie(
        COOKIE,
        web().sessions.cookie_value(funder_id, key_id),
        max_age=int(LIFETIME.total_seconds()),
        path=prefix or "/",
        secure=web().settings.public_base_url.startswith("https://"),
        httponly=True,
        samesite="Strict",
    )
    return response


@site.post("/forms/sign-out")
def funder_sign_out() -> Any:
    """End the browser's funder session, on the server too: a copy of its cookie made
    before the sign-out no longer signs anyone in."""
    ad = adapters()
    session = web().sessions.read(request.cookies.get(COOKIE), ad.clock.now())
    if session is not None:
        end_session(ad, session.funder_id, session.sid, LIFETIME)
    prefix = web().prefix
    response = redirect(f"{prefix}/projects?lang={page_language(request)}", 303)
    response.delete_cookie(COOKIE, path=prefix or "/")
    return response


@site.route("/forms/interest/<project_id>", methods=["GET", "POST"])
def interest_form(project_id: str) -> Any:
    """A signed-in funder's note and pledge to one listed project (the page's twin of
    POST /projects/<id>/interest); the session's form token guards the POST."""
    ad = adapters()
    prefix = web().prefix
    language = page_language(request)
    session = signed_in(ad)
    if session is None:
        return redirect(f"{prefix}/projects?lang={language}#sign-in", 303)
    card = project_card(public_view(listed_project(ad, project_id)), language, None)
    csrf = web().sessions.csrf_token(session)
    if not can_hear_back(ad, session.funder_id):
        return interest_page(
            language, prefix, card, csrf, FormState("interest"), notice="no-contact"
        )
    if request.method == "GET":
        return interest_page(language, prefix, card, csrf, FormState("interest"))
    if not web().sessions.csrf_ok(session, request.form.get("csrf")):
        raise Forbidden("this form did not come from the Grant Match page: open the page again")
    try:
        submission = parse_form(request.form, InterestSubmission, language)
    except FormInvalid as exc:
        state = FormState("interest", request.form, exc.errors)
        return interest_page(language, prefix, card, csrf, state, status=422)
    express_interest(ad, session.funder_id, project_id, submission, correlation_id=g.correlation_id)
    return see_sent("interest", language)
