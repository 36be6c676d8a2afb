"""The small HTML pages behind emailed links, in the reader's language.

A GET only shows a page with a button; the POST acts. Link scanners of mail providers
fetch every link in an email with GET, and must not confirm or unsubscribe anyone.
The pages load nothing from anywhere (no third-party assets, no scripts) and tell the
browser not to send the token on in a Referer header.
"""

from __future__ import annotations

from typing import Final, Literal

from flask import Response

from shared.domain.recipients import RecipientKind
from shared.email.i18n import jinja_environment, language_or_fallback, translations
from shared.email.links import Purpose

State = Literal["ask", "done", "invalid"]
SECURITY_HEADERS: Final = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex",
    "X-Frame-Options": "DENY",
}


def _texts(
    purpose: Purpose, language: str, grant_title: str, kind: RecipientKind | None
) -> dict[str, str]:
    _ = translations(language).gettext
    if purpose is Purpose.CONFIRM and kind is RecipientKind.PROJECT:
        return {
            "title": _("Confirm your project"),
            "ask": _(
                "Press the button to confirm this address for your project. We then email "
                "you the grants that fit it, and funders see it if you chose so."
            ),
            "button": _("Confirm"),
            "done": _(
                "Thank you. Your address is confirmed: grants that fit your project will "
                "come to it."
            ),
        }
    if purpose is Purpose.CONFIRM:
        return {
            "title": _("Confirm your grant alerts"),
            "ask": _("Press the button to confirm that you want emails from Grant Match."),
            "button": _("Confirm"),
            "done": _("Thank you. Your address is confirmed: grant alerts will come to it."),
        }
    if purpose is Purpose.UNSUBSCRIBE:
        return {
            "title": _("Unsubscribe"),
            "ask": _("Press the button to stop all emails from Grant Match to this address."),
            "button": _("Unsubscribe"),
            "done": _(
                "You are unsubscribed. Grant Match will not email this address again: no "
                "alerts, weekly digests or deadline reminders, for any alert profile or "
                "project of this address. Its projects no longer appear on the funders' "
                "page. If you ask for alerts again, you will first get an email to confirm."
            ),
        }
    if purpose is Purpose.SHARE_CONTACT:
        return {
            "title": _("Share your email address with a funder"),
            "ask": "",
            "button": "",
            "done": "",
        }
    if purpose is Purpose.ERASE:
        return {
            "title": _("Delete your data"),
            "ask": _(
                "Press the button to delete every alert profile and project of this address "
                "from Grant Match, with their matches and pending emails. This cannot be undone."
            ),
            "button": _("Delete my data"),
            "done": _("Done. Grant Match has deleted the data kept for this address."),
        }
    return {
        "title": _("Stop alerts about one grant"),
        "ask": _("Press the button to stop alerts and reminders about this grant: %(title)s")
        % {"title": grant_title},
        "button": _("Stop alerts and reminders about this grant"),
        "done": _("Done. You will not hear about this grant again."),
    }


def _next_step(
    purpose: Purpose, state: State, kind: RecipientKind | None, language: str, prefix: str
) -> tuple[str, str]:
    """(link, text) of what to do next, once a link has done its work (or failed)."""
    _ = translations(language).gettext
    home = f"{prefix}/?lang={language}"
    if state == "done" and purpose is Purpose.CONFIRM and kind is RecipientKind.PROJECT:
        return f"{prefix}/projects?lang={language}", _("Projects that need funding")
    if state == "done" and purpose is Purpose.CONFIRM:
        return f"{home}#project", _("Submit a project")
    if state == "done" and purpose is Purpose.UNSUBSCRIBE:
        return f"{home}#alerts", _("Get grant alerts")
    return home, _("Back to the form")


def link_page(
    purpose: Purpose,
    state: State,
    language: str,
    *,
    action: str = "",
    grant_title: str = "",
    status: int = 200,
    recipient_kind: RecipientKind | None = None,
    prefix: str = "",
) -> Response:
    """The page for one step of a link: ask (with a POST button), done, or invalid; in
    the site's layout, with a next step once there is nothing to press."""
    from shared.web.pages.site import language_links  # site imports this module

    language = language_or_fallback(language)
    next_url, next_text = _next_step(purpose, state, recipient_kind, language, prefix)
    html = (
        jinja_environment(language)
        .get_template("pages/link.html.j2")
        .render(
            state=state,
            purpose=purpose.value,
            action=action,
            prefix=prefix,
            # The token stays out of the switcher's links: they would carry it elsewhere.
            language_links=language_links(f"{prefix}/", {}),
            has_errors=status >= 400,
            next_url=next_url,
            next_text=next_text,
            **_texts(purpose, language, grant_title, recipient_kind),
        )
    )
    return Response(html, status=status, mimetype="text/html", headers=SECURITY_HEADERS)
