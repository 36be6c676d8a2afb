"""The links in emails: confirm an address, unsubscribe, mute a grant, erase one's data,
and the CSO's link that shares its address with an interested funder.

GET shows a page with a button and changes nothing (mail scanners prefetch links); POST
acts. A bad or expired token is the link page's "invalid" (`shared.web.error_mapping`).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g, request

from shared.domain.models import ContactReply
from shared.email.links import Purpose
from shared.services.interests import preview_share, share_contact
from shared.services.subscriptions import follow_link, preview_link
from shared.web.context import adapters, web
from shared.web.forms import FormInvalid, parse_form
from shared.web.pages.links import link_page
from shared.web.pages.site import FormState, share_page

links = Blueprint("links", __name__)


@links.route("/share-contact", methods=["GET", "POST"])
def share_contact_link() -> Any:
    """The link in the email that tells a CSO about a funder's interest. GET shows who and
    asks (mail scanners prefetch links); POST shares the CSO's address, with its reply."""
    ad = adapters()
    prefix = web().prefix
    token = request.args.get("token", "")
    view = preview_share(ad, token)
    if request.method == "GET":
        action = "?" + request.query_string.decode("ascii", "replace")
        return share_page("done" if view.accepted else "ask", view, prefix, action=action)
    try:
        reply = parse_form(request.form, ContactReply, view.language)
    except FormInvalid as exc:
        action = "?" + request.query_string.decode("ascii", "replace")
        state = FormState("share", request.form, exc.errors)
        return share_page("ask", view, prefix, action=action, form=state, status=422)
    view = share_contact(ad, token, reply.reply, g.correlation_id)
    return share_page("done", view, prefix)


@links.route("/<any(confirm, unsubscribe, mute, erase):action>", methods=["GET", "POST"])
def emailed_link(action: str) -> Any:
    """The links in emails. GET shows a page with a button and changes nothing (mail
    scanners prefetch links); POST acts, including RFC 8058 one-click unsubscribe, whose
    body (`List-Unsubscribe=One-Click`) carries nothing we need beyond the token."""
    ad = adapters()
    purpose = Purpose(action)
    token = request.args.get("token", "")
    prefix = web().prefix
    if request.method == "GET":
        view = preview_link(ad, purpose, token)
        if view.done:
            return link_page(purpose, "done", view.language, prefix=prefix)
        # Relative, so the form posts back to this very URL wherever the function is mounted.
        action = "?" + request.query_string.decode("ascii", "replace")
        return link_page(
            purpose,
            "ask",
            view.language,
            action=action,
            grant_title=view.grant_title,
            recipient_kind=view.recipient_kind,
            prefix=prefix,
        )
    view = follow_link(ad, purpose, token, g.correlation_id)
    return link_page(
        purpose,
        "done",
        view.language,
        grant_title=view.grant_title,
        recipient_kind=view.recipient_kind,
        prefix=prefix,
    )
