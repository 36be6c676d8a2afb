"""The small HTML pages behind emailed links, in the reader's language.

A GET only shows a page with a button; the POST acts. Link scanners of mail providers
fetch every link in an email with GET, and must not confirm or unsubscribe anyone.
The pages load nothing from anywhere (no third-party assets, no scripts) and tell the
browser not to send the token on in a Referer header.
"""

from __future__ import annotations

from typing import Final, Literal

from flask import Response

from shared.email.i18n import jinja_environment, translations
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


def _texts(purpose: Purpose, language: str, grant_title: str) -> dict[str, str]:
    _ = translations(language).gettext
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
            "done": _("You are unsubscribed. Grant Match will not email this address again."),
        }
    if purpose is Purpose.SHARE_CONTACT:
        return {
            "title": _("Share your email address with a funder"),
            "ask": "",
            "button": "",
            "done": "",
        }
    if purpose is Purpose.MY_MATCHES:
        return {
            "title": _("My Grant Match"),
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


def link_page(
    purpose: Purpose,
    state: State,
    language: str,
    *,
    action: str = "",
    grant_title: str = "",
    status: int = 200,
) -> Response:
    """The page for one step of a link: ask (with a POST button), done, or invalid."""
    html = (
        jinja_environment(language)
        .get_template("pages/link.html.j2")
        .render(
            state=state,
            purpose=purpose.value,
            action=action,
            **_texts(purpose, language, grant_title),
        )
    )
    return Response(html, status=status, mimetype="text/html", headers=SECURITY_HEADERS)
