"""Ingest function (HTTP): funders post grants, CSOs post projects and alert profiles,
and anyone lists the projects that need funding (funders: also best fit for their grant).
The same function serves the site: the web form (`/`), the projects page (`/projects` for
a browser), a funder's interest in a project, and the emailed links.

Each route reads like its contract: authenticate, parse into a model, call the service,
answer with the stored id or a page. Web forms are parsed into the JSON API's own models
and handled by the same services. Errors become JSON in one place (`shared.web.error_mapping`),
or for a browser the site's error page.
"""

from __future__ import annotations

import logging
from functools import cache
from typing import Any

import functions_framework
from flask import Flask, Request, g, jsonify, redirect, request

from shared.adapters.ports import SaveOutcome
from shared.domain.errors import (
    Conflict,
    Forbidden,
    MalformedRequest,
    NotFound,
    Unauthenticated,
    ValidationFailed,
)
from shared.domain.ids import is_grant_id
from shared.domain.models import (
    ContactReply,
    ErasureRequest,
    GrantSubmission,
    InterestSubmission,
    ProfileSubmission,
    ProjectSubmission,
)
from shared.email.links import Purpose, grant_projects_page
from shared.importers import read_records
from shared.matching.screening import deadline_today
from shared.runtime.bootstrap import Adapters, adapters
from shared.runtime.config import get_settings
from shared.runtime.jsonlog import configure_logging
from shared.services.erasure import request_erasure
from shared.services.funders import authenticate, check_key, key_still_valid
from shared.services.grants import delete_own_grant, update_own_grant
from shared.services.imports import import_grants
from shared.services.interests import (
    can_hear_back,
    express_interest,
    interests_of,
    listed_project,
    preview_share,
    share_contact,
)
from shared.services.project_listings import (
    FOR_FUNDERS,
    PUBLIC_ONLY,
    ProjectQuery,
    best_fit_projects,
    newest_projects,
    owned_grant,
    public_view,
)
from shared.services.submissions import Accepted, submit_grant, submit_profile, submit_project
from shared.services.subscriptions import follow_link, preview_link
from shared.web.correlation import install_correlation
from shared.web.error_mapping import error_body, install_error_handlers
from shared.web.form_tokens import FormTokens
from shared.web.forms import HONEYPOT, FormInvalid, parse_form
from shared.web.funder_session import (
    COOKIE,
    LIFETIME,
    FunderSession,
    SessionSigner,
    session_signer,
)
from shared.web.negotiation import page_language, site_prefix, wants_html
from shared.web.openapi import openapi_document as api_document
from shared.web.pages.links import link_page
from shared.web.pages.site import (
    FormState,
    GrantHeading,
    home_page,
    interest_page,
    project_card,
    projects_page,
    sent_page,
    share_page,
    sign_in_refused,
)
from shared.web.parsing import parse_json, parse_query
from shared.web.rate_limit.hook import install_rate_limits
from shared.web.uploads import open_upload

settings = get_settings()
configure_logging("ingest", settings.google_cloud_project, settings.log_level)
log = logging.getLogger(__name__)
PREFIX = site_prefix(settings.public_base_url)
WEB_FORMS = {
    "project": ("project", ProjectSubmission, submit_project),
    "profile": ("alerts", ProfileSubmission, submit_profile),
}

app = Flask(__name__)
app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
install_correlation(app)
install_error_handlers(app, PREFIX)
install_rate_limits(app, adapters)
MAX_PROBLEMS_IN_RESPONSE = 100


def _accepted(result: Accepted) -> tuple[Any, int]:
    status = 201 if result.outcome is SaveOutcome.CREATED else 200
    return jsonify({"id": result.id, "status": result.outcome.value}), status


def _idempotency_key() -> str | None:
    key = (request.headers.get("Idempotency-Key") or "").strip()
    return key[:200] or None


@app.get("/healthz")
def healthz() -> Any:
    """Liveness for the local stack and load balancers."""
    return jsonify({"status": "ok"})


@app.get("/openapi.json")
def openapi_document() -> Any:
    """The OpenAPI 3.1 description of every route here, generated from the models."""
    return jsonify(api_document())


@app.post("/grants")
def post_grant() -> Any:
    """Create or update one of the calling funder's grants (upsert by external_id)."""
    ad = adapters()
    funder_id = authenticate(ad, request.headers.get("Authorization"))
    submission = parse_json(request, GrantSubmission, settings.max_body_bytes)
    result = submit_grant(ad, funder_id, submission, correlation_id=g.correlation_id)
    return _accepted(result)


@app.post("/grants/import")
def import_grant_file() -> Any:
    """Import the calling funder's grants from a 360Giving, IATI or Grants.gov file,
    streamed from the body (`?format=…`, optional `&countries=KH,LA`)."""
    ad = adapters()
    funder_id = authenticate(ad, request.headers.get("Authorization"))
    upload = open_upload(request, settings.max_import_bytes)
    records = read_records(upload.fmt, upload.stream, upload.options)
    report = import_grants(ad, funder_id, records, correlation_id=g.correlation_id)
    body = {"report": report.as_dict(max_problems=MAX_PROBLEMS_IN_RESPONSE)}
    if report.stopped_at is None:
        return jsonify(body), 200
    message = (
        f"the file is broken at {report.stopped_at}; the {report.records} record(s) before "
        "it were imported, and sending the corrected file again is safe"
    )
    return jsonify({**error_body("malformed_file", message), **body}), 400


@app.put("/grants/<grant_id>")
def put_grant(grant_id: str) -> Any:
    """Replace one of the calling funder's grants; another funder's grant is 403."""
    ad = adapters()
    funder_id = authenticate(ad, request.headers.get("Authorization"))
    submission = parse_json(request, GrantSubmission, settings.max_body_bytes)
    result = update_own_grant(ad, funder_id, grant_id, submission, correlation_id=g.correlation_id)
    return _accepted(result)


@app.delete("/grants/<grant_id>")
def delete_grant(grant_id: str) -> Any:
    """Delete one of the calling funder's grants (and its matches); another's is 403."""
    ad = adapters()
    funder_id = authenticate(ad, request.headers.get("Authorization"))
    delete_own_grant(ad, funder_id, grant_id)
    return "", 204


@app.post("/projects")
def post_project() -> Any:
    """Submit a project that needs funding."""
    return _submit_json(ProjectSubmission, submit_project)


@app.post("/profiles")
def post_profile() -> Any:
    """Create an alert profile."""
    return _submit_json(ProfileSubmission, submit_profile)


def _submit_json(model: type[ProjectSubmission | ProfileSubmission], submit: Any) -> Any:
    """A CSO's JSON submission: parse, store once per Idempotency-Key, announce."""
    ad = adapters()
    submission = parse_json(request, model, settings.max_body_bytes)
    result = submit(
        ad,
        submission,
        idempotency_key=_idempotency_key(),
        correlation_id=g.correlation_id,
    )
    return _accepted(result)


@app.post("/erasure-requests")
def post_erasure_request() -> Any:
    """Ask for a link that deletes an address's data. The answer never says whether the
    address is known: the link goes to the address, if there is anything to delete."""
    ad = adapters()
    submission = parse_json(request, ErasureRequest, settings.max_body_bytes)
    request_erasure(ad, submission, correlation_id=g.correlation_id)
    return jsonify({"status": "accepted"}), 202


@app.get("/projects")
def list_projects() -> Any:
    """Open projects that need funding: public ones, plus `funders` ones for a funder key;
    newest first, or best fit first against one of the caller's grants (`?grant=`).
    A browser (Accept: text/html) gets the projects page instead."""
    if wants_html(request):
        return _projects_page(page_language(request))
    ad = adapters()
    query = parse_query(request.args, ProjectQuery)
    header = request.headers.get("Authorization")
    funder_id = authenticate(ad, header) if header else None
    today = deadline_today(ad.clock.now())
    if not query.best_fit:
        page = newest_projects(ad, query, FOR_FUNDERS if funder_id else PUBLIC_ONLY, today)
        return _private(jsonify(page.as_json()), funder_id)
    if query.grant is None:
        raise MalformedRequest("sort=best ranks against one of your grants: add grant=<grant id>")
    if funder_id is None:
        raise Unauthenticated("best fit against a grant needs your funder API key")
    grant = owned_grant(ad, funder_id, query.grant)
    page = best_fit_projects(ad, grant, query, FOR_FUNDERS, today)
    return _private(jsonify(page.as_json()), funder_id)


@app.get("/grants/<grant_id>/projects")
def grant_projects(grant_id: str) -> Any:
    """The open projects (public or for funders) that fit one of the caller's grants, best
    fit first, with the reasons."""
    ad = adapters()
    funder_id = authenticate(ad, request.headers.get("Authorization"))
    query = parse_query(request.args, ProjectQuery)
    grant = owned_grant(ad, funder_id, grant_id)
    page = best_fit_projects(ad, grant, query, FOR_FUNDERS, deadline_today(ad.clock.now()))
    body = {"grant": {"id": grant.id, "title": grant.title}, **page.as_json()}
    return _private(jsonify(body), funder_id)


def _private(response: Any, funder_id: str | None) -> Any:
    """What a funder key unlocked must not sit in a shared cache; JSON and the page share
    the URL, so caches must keep them apart."""
    response.headers["Cache-Control"] = "private, no-store" if funder_id else "public, max-age=60"
    response.vary.add("Accept")
    return response


@app.post("/projects/<project_id>/interest")
def post_interest(project_id: str) -> Any:
    """Tell a listed project that the calling funder is interested (note, pledge). The
    CSO is emailed; the funder learns the CSO's address only if the CSO agrees."""
    ad = adapters()
    funder_id = authenticate(ad, request.headers.get("Authorization"))
    submission = parse_json(request, InterestSubmission, settings.max_body_bytes)
    result = express_interest(
        ad, funder_id, project_id, submission, correlation_id=g.correlation_id
    )
    return _accepted(result)


# -- the site: web form, projects page, interest, and the CSO's share link --------------
@cache
def _form_tokens() -> FormTokens:
    return FormTokens(settings.link_signing_secret.get_secret_value())


def _sessions() -> SessionSigner:
    return session_signer(settings.link_signing_secret.get_secret_value())


@app.get("/")
def home() -> Any:
    """The web form: submit a project, or ask for grant alerts (no JavaScript needed)."""
    return home_page(page_language(request), PREFIX, _form_tokens().issue())


@app.post("/forms/<any(project, profile):kind>")
def post_web_form(kind: str) -> Any:
    """A web form post, validated by the JSON API's model and stored by the same service.
    Its token's nonce is the Idempotency-Key, so a double submit stores one record."""
    language = page_language(request)
    if request.form.get(HONEYPOT):
        # A bot filled the field people never see: drop it, and answer as if all went well.
        log.info("web form honeypot filled; dropped", extra={"form": kind})
        return _see_sent(kind, language)
    ad = adapters()
    state_id, model, submit = WEB_FORMS[kind]
    token = request.form.get("form_token", "")
    nonce = _form_tokens().nonce(token, ad.clock.now())

    def again(errors: dict[str, str], notice: str | None, status: int, fresh: bool = False) -> Any:
        # The same token while nothing was stored, so a double submit still stores once.
        kept = token if nonce and not fresh else _form_tokens().issue()
        state = FormState(state_id, request.form, errors)
        forms = {"project": state} if kind == "project" else {"alerts": state}
        return home_page(language, PREFIX, kept, notice=notice, status=status, **forms)

    try:
        submission = parse_form(request.form, model, language)
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
    return _see_sent(kind, language)


def _see_sent(kind: str, language: str) -> Any:
    return redirect(f"{PREFIX}/forms/sent?kind={kind}&lang={language}", 303)


@app.get("/forms/sent")
def form_sent() -> Any:
    """The page after a form was sent (Post/Redirect/Get: reloading sends nothing)."""
    kind = request.args.get("kind")
    return sent_page(
        kind if kind in ("project", "interest") else "profile", page_language(request), PREFIX
    )


def _signed_in(ad: Adapters) -> FunderSession | None:
    """The funder signed in on this browser, if its session and key are still valid."""
    session = _sessions().read(request.cookies.get(COOKIE), ad.clock.now())
    if session and key_still_valid(ad, session.funder_id, session.key_id):
        return session
    return None


def _projects_page(
    language: str,
    sign_in: FormState | None = None,
    status: int = 200,
    *,
    grant_id: str | None = None,
) -> Any:
    """The projects page: open projects, filtered, newest first (no cursor needed to
    start); a signed-in funder also sees `funders` projects and can say it is interested,
    and with `?grant=` one of its grants' fitting projects best first (what the weekly
    digest links to). Another's or an unknown grant shows the newest list, the same way
    for both, so the page says nothing about grants that are not the funder's."""
    ad = adapters()
    session = _signed_in(ad)
    notice = None
    try:
        query = parse_query(request.args, ProjectQuery)
    except (ValidationFailed, MalformedRequest):
        query, notice = ProjectQuery(), "bad-filter"
    wanted = grant_id or query.grant
    query = query.model_copy(update={"sort": None, "grant": None})
    grant, sign_in_grant = None, ""
    if wanted and session is None:
        notice = "sign-in-for-grant"
        sign_in_grant = wanted if is_grant_id(wanted) else ""
    elif wanted and session is not None:
        try:
            grant = owned_grant(ad, session.funder_id, wanted)
        except (NotFound, Forbidden):
            notice, status = "unknown-grant", 404
    today = deadline_today(ad.clock.now())
    visibilities = FOR_FUNDERS if session else PUBLIC_ONLY

    def listing(query: ProjectQuery) -> Any:
        if grant is not None:
            return best_fit_projects(ad, grant, query, FOR_FUNDERS, today)
        return newest_projects(ad, query, visibilities, today)

    try:
        page = listing(query)
    except MalformedRequest:  # a cursor from elsewhere: start from the first page
        query, notice = query.model_copy(update={"cursor": None}), "bad-filter"
        page = listing(query)
    mine = interests_of(ad, session.funder_id, [i["id"] for i in page.items]) if session else {}
    cards = [project_card(item, language, mine.get(item["id"])) for item in page.items]
    response = projects_page(
        language,
        PREFIX,
        cards,
        sector=query.sector or "",
        country=query.country or "",
        next_cursor=page.next_cursor,
        funder_name=ad.funders.name_of(session.funder_id) if session else None,
        grant=GrantHeading(grant.id, grant.title) if grant else None,
        sign_in_grant=sign_in_grant,
        sign_in=sign_in,
        notice=notice,
        status=status,
    )
    response.vary.update(["Accept", "Cookie"])
    return response


@app.post("/forms/sign-in")
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
        return _projects_page(language, sign_in_refused(language), 401, grant_id=grant_id)
    back = (
        grant_projects_page(PREFIX, grant_id, language)
        if grant_id
        else f"{PREFIX}/projects?lang={language}"
    )
    response = redirect(back, 303)
    response.set_cookie(
        COOKIE,
        _sessions().cookie_value(funder_id, key_id),
        max_age=int(LIFETIME.total_seconds()),
        path=PREFIX or "/",
        secure=settings.public_base_url.startswith("https://"),
        httponly=True,
        samesite="Strict",
    )
    return response


@app.post("/forms/sign-out")
def funder_sign_out() -> Any:
    """End the browser's funder session."""
    response = redirect(f"{PREFIX}/projects?lang={page_language(request)}", 303)
    response.delete_cookie(COOKIE, path=PREFIX or "/")
    return response


@app.route("/forms/interest/<project_id>", methods=["GET", "POST"])
def interest_form(project_id: str) -> Any:
    """A signed-in funder's note and pledge to one listed project (the page's twin of
    POST /projects/<id>/interest); the session's form token guards the POST."""
    ad = adapters()
    language = page_language(request)
    session = _signed_in(ad)
    if session is None:
        return redirect(f"{PREFIX}/projects?lang={language}#sign-in", 303)
    card = project_card(public_view(listed_project(ad, project_id)), language, None)
    csrf = _sessions().csrf_token(session)
    if not can_hear_back(ad, session.funder_id):
        return interest_page(
            language, PREFIX, card, csrf, FormState("interest"), notice="no-contact"
        )
    if request.method == "GET":
        return interest_page(language, PREFIX, card, csrf, FormState("interest"))
    if not _sessions().csrf_ok(session, request.form.get("csrf")):
        raise Forbidden("this form did not come from the Grant Match page: open the page again")
    try:
        submission = parse_form(request.form, InterestSubmission, language)
    except FormInvalid as exc:
        state = FormState("interest", request.form, exc.errors)
        return interest_page(language, PREFIX, card, csrf, state, status=422)
    express_interest(ad, session.funder_id, project_id, submission, correlation_id=g.correlation_id)
    return _see_sent("interest", language)


@app.route("/share-contact", methods=["GET", "POST"])
def share_contact_link() -> Any:
    """The link in the email that tells a CSO about a funder's interest. GET shows who and
    asks (mail scanners prefetch links); POST shares the CSO's address, with its reply."""
    ad = adapters()
    token = request.args.get("token", "")
    view = preview_share(ad, token)
    if request.method == "GET":
        action = "?" + request.query_string.decode("ascii", "replace")
        return share_page("done" if view.accepted else "ask", view, PREFIX, action=action)
    try:
        reply = parse_form(request.form, ContactReply, view.language)
    except FormInvalid as exc:
        action = "?" + request.query_string.decode("ascii", "replace")
        state = FormState("share", request.form, exc.errors)
        return share_page("ask", view, PREFIX, action=action, form=state, status=422)
    view = share_contact(ad, token, reply.reply, g.correlation_id)
    return share_page("done", view, PREFIX)


@app.route("/<any(confirm, unsubscribe, mute, erase):action>", methods=["GET", "POST"])
def emailed_link(action: str) -> Any:
    """The links in emails. GET shows a page with a button and changes nothing (mail
    scanners prefetch links); POST acts, including RFC 8058 one-click unsubscribe, whose
    body (`List-Unsubscribe=One-Click`) carries nothing we need beyond the token."""
    ad = adapters()
    purpose = Purpose(action)
    token = request.args.get("token", "")
    if request.method == "GET":
        view = preview_link(ad, purpose, token)
        if view.done:
            return link_page(purpose, "done", view.language)
        # Relative, so the form posts back to this very URL wherever the function is mounted.
        action = "?" + request.query_string.decode("ascii", "replace")
        return link_page(purpose, "ask", view.language, action=action, grant_title=view.grant_title)
    view = follow_link(ad, purpose, token, g.correlation_id)
    return link_page(purpose, "done", view.language, grant_title=view.grant_title)


@functions_framework.http
def ingest(req: Request) -> Any:
    """Cloud Functions entry point: hand the request to the Flask app above."""
    with app.request_context(req.environ):
        return app.full_dispatch_request()
