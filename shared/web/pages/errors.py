"""The error page a browser gets instead of the API's JSON error: the site's layout, in
the reader's language, a title that says what happened and what to do, and a way back.

Status and headers are the JSON answer's (Retry-After included); the page shows no
message from the request or the domain error (English, and sometimes naming what was
sent), only texts of its own, and the correlation id of a 500 so support can find the
log line.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from flask import Response

from shared.email.i18n import N_, translations

# The layout and security headers of every site page (one private helper, not a twin).
from shared.web.pages.site import _render

#: Titles by status; any other error status gets GENERIC.
TITLES = {
    403: N_("This is not allowed"),
    404: N_("Page not found"),
    405: N_("This page cannot be used this way"),
    413: N_("That was too large"),
    415: N_("This kind of content is not accepted here"),
    500: N_("Something went wrong on our side"),
}
GENERIC = N_("We could not do this")
#: What to do next, by status.
ADVICE = {
    403: N_("Open the page again from the Grant Match site, then try again."),
    404: N_("The link may be old or mistyped, or the project is no longer listed."),
    413: N_("What you sent is over the size limit. Make it shorter and send it again."),
    500: N_("Please try again later."),
}


def retry_minutes(retry_after: int) -> int:
    """Whole minutes to wait (at least one), rounded up so a retry then is not early."""
    return max(1, math.ceil(retry_after / 60))


def error_page(
    status: int,
    language: str,
    prefix: str,
    *,
    headers: Mapping[str, str] | None = None,
    correlation_id: str = "",
    posted: bool = False,
) -> Response:
    """The page for an error `status`. `headers` are the JSON answer's (a 429's
    Retry-After sets the minutes shown); `posted`: the request sent a form, and nothing
    of it was kept."""
    headers = dict(headers or {})
    _ = translations(language)
    if status == 429:
        minutes = retry_minutes(int(headers.get("Retry-After", "60")))
        title = _.ngettext(
            "Too many requests — please wait %(num)d minute and try again",
            "Too many requests — please wait %(num)d minutes and try again",
            minutes,
        ) % {"num": minutes}
    else:
        title = _.gettext(TITLES.get(status, GENERIC))
    advice = _.gettext(ADVICE[status]) if status in ADVICE else ""
    response = _render(
        "error",
        language,
        title=title,
        prefix=prefix,
        # The language links lead to the form: this page again would be the error again.
        switch_to=f"{prefix}/",
        status=status,
        advice=advice,
        posted=posted,
        correlation_id=correlation_id if status >= 500 else "",
    )
    response.headers.update(headers)
    response.vary.add("Accept")  # the same URL answers JSON to API clients
    return response
