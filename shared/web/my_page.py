"""My Grant Match on the web: a CSO's own page behind the signed link in its emails
(`/my?token=…`), the actions on it, its CSV export and private calendar feed, deleting
its data, and the box that emails the link (`/my/link`).

The token in the query string is the only credential: every route reads the recipient
from it, and the forms post back with it. Each form also carries a form token (as the
site's other forms do), so a stale page changes nothing. The pages send no Referer and
are never cached (`SECURITY_HEADERS`).
"""

from __future__ import annotations

import logging
from typing import Any, cast
from urllib.parse import urlencode

from flask import Blueprint, g, redirect, request
from werkzeug.datastructures import MultiDict

from shared.domain.errors import NotFound
from shared.domain.ids import is_grant_id
from shared.domain.models import ErasureRequest, ProfileSubmission, ProjectSubmission
from shared.domain.opportunities import OpportunityKind
from shared.domain.recipients import Recipient, RecipientKind
from shared.email.i18n import LANGUAGES
from shared.services import my_matches
from shared.services.erasure import request_erasure
from shared.web.choices import Choice, kind_choices
from shared.web.context import adapters, web
from shared.web.forms import COMMA_FIELDS, HONEYPOT, FormInvalid, parse_form
from shared.web.negotiation import page_language
from shared.web.pages.my import (
    calendar_feed,
    delete_page,
    link_box_page,
    matches_csv,
    my_page,
    profile_page,
)
from shared.web.pages.site import FormState

my = Blueprint("my", __name__)
log = logging.getLogger(__name__)
ACTIONS = ("save", "applied", "dismiss", "clear")
NOTICES = frozenset(
    {"saved", "applied", "dismissed", "clear", "revoked", "edited", "expired", "kind_added"}
)
NOTICE_OF_ACTION = {"save": "saved", "applied": "applied", "dismiss": "dismissed", "clear": "clear"}


def _language(recipient_language: str) -> str:
    """`?lang=` if given, else the language the CSO chose for its emails."""
    asked = request.args.get("lang", "")
    return asked if asked in LANGUAGES else recipient_language


def _filters() -> dict[str, str]:
    """The page's sort and filters, from the query string, kept only if well-formed."""
    args = request.args
    sort = args.get("sort", "")
    status = args.get("status", "")
    country = args.get("country", "").strip().upper()
    sector = args.get("sector", "").strip()
    return {
        "sort": sort if sort in ("deadline", "fit") else "deadline",
        "status": status if status in my_matches.STATUSES else "",
        "country": country if len(country) == 2 and country.isalpha() else "",
        "sector": sector if sector.replace("-", "").replace("_", "").isalnum() else "",
    }


def _items(recipient: Any, filters: dict[str, str]) -> list[my_matches.MyMatch]:
    return my_matches.current_matches(
        adapters(),
        recipient,
        sort="fit" if filters["sort"] == "fit" else "deadline",
        country=filters["country"],
        sector=filters["sector"],
        status=filters["status"],
    )


def _page_url(token: str, language: str, **extra: str) -> str:
    return f"{web().prefix}/my?{urlencode({'token': token, 'lang': language, **extra})}"


@my.get("/my")
def my_matches_page() -> Any:
    """The CSO's current matches, sorted by deadline or by fit, filtered."""
    token = request.args.get("token", "")
    recipient = my_matches.recipient_of(adapters(), token)
    language = _language(recipient.language)
    notice = request.args.get("done", "")
    return _shown(recipient, token, language, notice=notice if notice in NOTICES else "")


def _shown(recipient: Recipient, token: str, language: str, **extra: Any) -> Any:
    """The CSO's page as the query's filters ask, with what only this answer adds."""
    filters = _filters()
    return my_page(
        language,
        web().prefix,
        recipient,
        token,
        web().form_tokens.issue(),
        _items(recipient, filters),
        filters=filters,
        more_kinds=_more_kinds(recipient),
        **extra,
    )


@my.post("/my/kinds")
def add_kind() -> Any:
    """One click on the page: hear of one more kind (trainings, events, tech offers)."""
    ad = adapters()
    token = request.args.get("token", "")
    recipient = my_matches.recipient_of(ad, token)
    language = _language(recipient.language)
    try:
        kind = OpportunityKind(request.form.get("kind", ""))
    except ValueError:
        raise NotFound("no such kind") from None
    if not _form_ok():
        return redirect(_page_url(token, language, done="expired"), 303)
    my_matches.add_kind(ad, recipient, kind, correlation_id=g.correlation_id)
    return redirect(_page_url(token, language, done="kind_added"), 303)


def _more_kinds(recipient: Recipient) -> list[Choice]:
    """The kinds an alert profile does not hear of yet (a project hears of grants)."""
    if recipient.kind is not RecipientKind.PROFILE:
        return []
    target = my_matches.stored_target(adapters(), recipient)
    wanted = {k.value for k in getattr(target, "kinds", [])}
    return [c for c in kind_choices(_language(recipient.language)) if c.value not in wanted]


def _form_ok() -> bool:
    return (
        web().form_tokens.nonce(request.form.get("form_token", ""), adapters().clock.now())
        is not None
    )


@my.post("/my/matches/<grant_id>")
def mark_match(grant_id: str) -> Any:
    """Save, mark applied, dismiss or clear one match; back to the page (Post/Redirect/Get)."""
    ad = adapters()
    token = request.args.get("token", "")
    recipient = my_matches.recipient_of(ad, token)
    language = _language(recipient.language)
    action = request.form.get("action", "")
    if not is_grant_id(grant_id) or action not in ACTIONS:
        raise NotFound("no such match")
    if not _form_ok():
        return redirect(_page_url(token, language, done="expired"), 303)
    my_matches.mark_match(ad, recipient, grant_id, action)  # type: ignore[arg-type]
    return redirect(
        _page_url(token, language, done=NOTICE_OF_ACTION[action]) + f"#g-{grant_id}", 303
    )


@my.get("/my/matches.csv")
def export_matches() -> Any:
    """The current matches (with the page's filters) as a CSV file."""
    token = request.args.get("token", "")
    recipient = my_matches.recipient_of(adapters(), token)
    return matches_csv(_items(recipient, _filters()), _language(recipient.language))


@my.post("/my/calendar")
def calendar_address() -> Any:
    """Make a new private calendar address (the old one stops working), shown once on
    the page; or revoke it (`action=revoke`)."""
    ad = adapters()
    token = request.args.get("token", "")
    recipient = my_matches.recipient_of(ad, token)
    language = _language(recipient.language)
    if not _form_ok():
        return redirect(_page_url(token, language, done="expired"), 303)
    if request.form.get("action") == "revoke":
        my_matches.revoke_calendar(ad, recipient)
        return redirect(_page_url(token, language, done="revoked"), 303)
    secret = my_matches.new_calendar_secret(ad, recipient)
    base = ad.settings.public_base_url.rstrip("/")
    return _shown(recipient, token, language, calendar_url=f"{base}/my/calendar/{secret}.ics")


@my.get("/my/calendar/<secret>.ics")
def calendar(secret: str) -> Any:
    """The private iCalendar feed of the CSO's matched deadlines."""
    ad = adapters()
    recipient = my_matches.calendar_recipient(ad, secret)
    return calendar_feed(my_matches.current_matches(ad, recipient), recipient, ad.clock.now())


@my.route("/my/delete", methods=["GET", "POST"])
def delete_data() -> Any:
    """GET asks for confirmation; POST deletes everything kept for the address."""
    ad = adapters()
    token = request.args.get("token", "")
    recipient = my_matches.recipient_of(ad, token)
    language = _language(recipient.language)
    prefix = web().prefix
    if request.method == "GET" or not _form_ok():
        return delete_page(language, prefix, token, web().form_tokens.issue())
    my_matches.delete_my_data(ad, recipient)
    return delete_page(language, prefix, "", "", done=True)


@my.route("/my/link", methods=["GET", "POST"])
def send_link() -> Any:
    """The box that emails the link to one's page: the same answer whether or not the
    address is known, and the link goes only to the address."""
    language = page_language(request)
    prefix = web().prefix
    if request.method == "GET":
        sent = request.args.get("sent") == "1"
        return link_box_page(language, prefix, web().form_tokens.issue(), sent=sent)
    sent_url = f"{prefix}/my/link?{urlencode({'sent': '1', 'lang': language})}"
    if request.form.get(HONEYPOT):
        log.info("my-link honeypot filled; dropped")
        return redirect(sent_url, 303)
    try:
        asked = parse_form(request.form, ErasureRequest, language)
    except FormInvalid as exc:
        error = exc.errors.get("email", "")
        return link_box_page(language, prefix, web().form_tokens.issue(), error=error, status=422)
    if not _form_ok():
        return link_box_page(language, prefix, web().form_tokens.issue(), status=400)
    request_erasure(adapters(), asked, correlation_id=g.correlation_id, link="my")
    return redirect(sent_url, 303)


def _stored_values(target: Any, model: type[Any]) -> MultiDict[str, str]:
    """A stored profile or project as the form's values (lists repeated, keywords as one
    comma-separated box)."""
    values: MultiDict[str, str] = MultiDict()
    data = target.model_dump(mode="json", include=set(model.model_fields))
    for name, value in data.items():
        if value is None:
            continue
        if name in COMMA_FIELDS:
            values.add(name, ", ".join(value))
        elif isinstance(value, list):
            for item in value:
                values.add(name, str(item))
        elif isinstance(value, bool):
            values.add(name, "true" if value else "false")
        elif isinstance(value, float):
            values.add(name, f"{value:g}")
        else:
            values.add(name, str(value))
    return values


@my.route("/my/profile", methods=["GET", "POST"])
def edit_profile() -> Any:
    """Change the alert profile (countries, sectors, keywords, frequency, language) or
    the project (text, amount, visibility), parsed by the API's own model."""
    ad = adapters()
    token = request.args.get("token", "")
    recipient = my_matches.recipient_of(ad, token)
    language = _language(recipient.language)
    target = my_matches.stored_target(ad, recipient)
    model = ProfileSubmission if recipient.kind is RecipientKind.PROFILE else ProjectSubmission
    stored = _stored_values(target, model)
    prefix = web().prefix

    def page(form: FormState, status: int = 200, notice: str = "") -> Any:
        return profile_page(
            language,
            prefix,
            recipient,
            token,
            web().form_tokens.issue(),
            form,
            status=status,
            notice=notice,
        )

    if request.method == "GET":
        return page(FormState("edit", stored))
    merged = MultiDict(stored)
    for name in my_matches.EDITABLE[recipient.kind]:
        merged.setlist(name, request.form.getlist(name))
    if not _form_ok():
        return page(FormState("edit", merged), 400, "expired")
    try:
        submission = cast(
            ProfileSubmission | ProjectSubmission, parse_form(merged, model, language)
        )
    except FormInvalid as exc:
        return page(FormState("edit", merged, exc.errors), 422)
    my_matches.edit_target(ad, recipient, submission, correlation_id=g.correlation_id)
    return redirect(_page_url(token, language, done="edited"), 303)
