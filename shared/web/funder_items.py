"""Funders on the web, for the kinds beyond grants: the form that creates and edits a
training, an event or a tech offer through the services behind `POST /trainings` (and
its siblings) and `PUT /<kind>/<id>`. The kind is chosen by a link; every form carries
the session's token; another funder's item is 403, an unknown one 404, as in the API.
Closing one goes through the grants' close button (`DELETE` of the same catalogue)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g, redirect, request

from shared.domain.errors import Forbidden, NotFound
from shared.domain.ids import is_grant_id
from shared.domain.opportunities import SUBMISSIONS, OpportunityKind
from shared.services.opportunities import owned_item, submit_item, update_own_item
from shared.web.context import adapters, web
from shared.web.forms import FormInvalid
from shared.web.funder_session import FunderSession
from shared.web.item_forms import parse_item_form
from shared.web.negotiation import page_language
from shared.web.pages.funder_items import item_form_page, item_values
from shared.web.pages.site import FormState
from shared.web.projects_view import signed_in

funder_items = Blueprint("funder_items", __name__)


def _kind() -> OpportunityKind:
    try:
        kind = OpportunityKind(request.args.get("kind", ""))
    except ValueError:
        raise NotFound("choose a training, an event or a tech offer") from None
    if kind not in SUBMISSIONS:
        raise NotFound("grants have their own form: /funder/grants/new")
    return kind


def _session(language: str) -> FunderSession | Any:
    session = signed_in(adapters())
    if session is None:
        return redirect(f"{web().prefix}/funder/grants?lang={language}", 303)
    return session


def _save(session: FunderSession, language: str, kind: OpportunityKind, item_id: str = "") -> Any:
    ad = adapters()
    if not web().sessions.csrf_ok(session, request.form.get("csrf")):
        raise Forbidden("this form did not come from the Grant Match page: open the page again")
    try:
        submission = parse_item_form(request.form, kind, language, now=ad.clock.now())
    except FormInvalid as exc:
        csrf = web().sessions.csrf_token(session)
        state = FormState("item", request.form, exc.errors)
        return item_form_page(
            language, web().prefix, csrf, state, kind, item_id=item_id, status=422
        )
    if item_id:
        update_own_item(ad, session.funder_id, item_id, submission, correlation_id=g.correlation_id)
    else:
        submit_item(ad, session.funder_id, submission, correlation_id=g.correlation_id)
    return redirect(f"{web().prefix}/funder/grants?lang={language}&done=saved", 303)


@funder_items.route("/funder/items/new", methods=["GET", "POST"])
def new_item() -> Any:
    """The form of the kind chosen (`?kind=training|event|tech_offer`)."""
    language = page_language(request)
    kind = _kind()
    session = _session(language)
    if not isinstance(session, FunderSession):
        return session
    if request.method == "GET":
        csrf = web().sessions.csrf_token(session)
        defaults = FormState("item")
        return item_form_page(language, web().prefix, csrf, defaults, kind)
    return _save(session, language, kind)


@funder_items.route("/funder/items/<item_id>/edit", methods=["GET", "POST"])
def edit_item(item_id: str) -> Any:
    """The form of one of the funder's items, filled in (403 for another's)."""
    language = page_language(request)
    session = _session(language)
    if not isinstance(session, FunderSession):
        return session
    ad = adapters()
    item = ad.grants.get(item_id) if is_grant_id(item_id) else None
    if item is None or item.details is None:
        raise NotFound(f"no training, event or tech offer {item_id[:80]}")
    item = owned_item(ad, session.funder_id, item.kind, item_id)
    if request.method == "GET":
        csrf = web().sessions.csrf_token(session)
        state = FormState("item", item_values(item))
        return item_form_page(language, web().prefix, csrf, state, item.kind, item_id=item.id)
    return _save(session, language, item.kind, item.id)
