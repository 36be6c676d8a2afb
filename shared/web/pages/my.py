"""The pages of My Grant Match: a CSO's matches (with their reasons, both currencies and
the days left), the calendar feed, deleting its data, and the box that emails the link.

Built from the services' values, never from stored documents, so no address reaches a
page but the one the recipient typed into the box itself (and that one is not echoed).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Response
from icalendar import Calendar, Event

from shared.domain.recipients import Recipient
from shared.email.i18n import (
    N_,
    country_name,
    format_day,
    sector_name,
    translations,
)
from shared.email.items import amount_range, localise_reason
from shared.email.kinds import DEADLINE_LABELS, HEADINGS, Fact, kind_facts, kind_label
from shared.services.my_matches import MyMatch
from shared.web import choices
from shared.web.pages.links import SECURITY_HEADERS
from shared.web.pages.site import FormState
from shared.web.pages.site import _render as render_page

STATUS_LABELS = {
    "new": N_("New"),
    "saved": N_("Saved"),
    "applied": N_("Applied"),
    "dismissed": N_("Dismissed"),
}
NOTICES = {
    "expired": N_(
        "This page was open for a long time, so we did not change anything. Press the button again."
    ),
    "saved": N_("Saved."),
    "applied": N_("Marked as applied."),
    "dismissed": N_("Dismissed. Grant Match will not alert you about this grant again."),
    "clear": N_("Mark removed."),
    "revoked": N_("The calendar address no longer works."),
    "kind_added": N_("Done: you will hear of these too, as they fit you."),
    "edited": N_(
        "Your changes are saved. Matches that no longer fit are gone; new ones come by email."
    ),
}


@dataclass(frozen=True)
class MatchCard:
    """One match as the page prints it, localised."""

    grant_id: str
    title: str
    description: str
    amount: str
    amount_converted: str
    deadline: str
    days_left: int | None
    reasons: tuple[str, ...]
    status: str
    status_label: str
    countries: str
    sectors: str
    url: str | None
    # A training, an event or a tech offer: its kind, the words its deadline goes by,
    # and its key facts (see shared.email.kinds).
    kind: str = ""
    deadline_label: str = ""
    facts: tuple[Fact, ...] = ()


def match_card(item: MyMatch, language: str) -> MatchCard:
    """A current match, localised."""
    _ = translations(language).gettext
    grant = item.grant
    converted = ""
    if item.converted is not None:
        low, high, currency = item.converted
        converted = amount_range(
            round(low) if low is not None else None,
            round(high) if high is not None else None,
            currency,
            language,
        )
    description = grant.description
    if len(description) > 300:
        description = description[:300].rsplit(" ", 1)[0] + "…"
    return MatchCard(
        grant_id=grant.id,
        title=grant.title,
        description=description,
        amount=amount_range(grant.amount_min, grant.amount_max, grant.currency, language),
        amount_converted=converted,
        deadline=format_day(grant.deadline, language) if grant.deadline else "",
        days_left=item.days_left,
        reasons=tuple(r for r in (localise_reason(r, language) for r in item.reasons) if r),
        status=item.status,
        status_label=_(STATUS_LABELS[item.status]),
        countries=", ".join(country_name(c, language) for c in grant.countries) or _("Any country"),
        sectors=", ".join(sector_name(s.value, language) for s in grant.sectors) or _("Any sector"),
        url=str(grant.url) if grant.url else None,
        kind="" if grant.details is None else _(HEADINGS[grant.kind]),
        deadline_label=kind_label(DEADLINE_LABELS, grant.kind, language),
        facts=tuple(kind_facts(grant, language)),
    )


def my_page(
    language: str,
    prefix: str,
    recipient: Recipient,
    token: str,
    form_token: str,
    items: Sequence[MyMatch],
    *,
    filters: dict[str, str],
    notice: str = "",
    calendar_url: str = "",
    status: int = 200,
    more_kinds: Sequence[choices.Choice] = (),
) -> Response:
    """The CSO's matches, filtered and sorted, with a form per match to mark it, and a
    button per kind the profile does not hear of yet."""
    _ = translations(language).gettext
    return render_page(
        "my",
        language,
        # Not named after the organisation: the page holds no profile data beyond the
        # matches themselves (tests/e2e/test_logs_and_privacy.py fetches it).
        title=_("My Grant Match"),
        prefix=prefix,
        switch_to=f"{prefix}/my",
        switch_args={"token": token, **filters},
        status=status,
        cards=[match_card(i, language) for i in items],
        token=token,
        form_token=form_token,
        filters=filters,
        notice=_(NOTICES[notice]) if notice else "",
        calendar_url=calendar_url,
        more_kinds=list(more_kinds),
        statuses=[(value, _(label)) for value, label in STATUS_LABELS.items()],
        sectors=choices.sector_choices(language),
        mekong=choices.mekong_country_choices(language),
        other_countries=choices.other_country_choices(language),
        recipient_kind=recipient.kind.value,
    )


def profile_page(
    language: str,
    prefix: str,
    recipient: Recipient,
    token: str,
    form_token: str,
    form: FormState,
    *,
    notice: str = "",
    status: int = 200,
) -> Response:
    """The form that changes an alert profile or a project (not its address or name)."""
    _ = translations(language).gettext
    project = recipient.kind.value == "project"
    return render_page(
        "my_profile",
        language,
        title=_("Change your project") if project else _("Change your grant alerts"),
        prefix=prefix,
        switch_to=f"{prefix}/my/profile",
        switch_args={"token": token},
        status=status,
        form=form,
        token=token,
        form_token=form_token,
        project=project,
        notice=_(NOTICES[notice]) if notice else "",
        sectors=choices.sector_choices(language),
        mekong=choices.mekong_country_choices(language),
        other_countries=choices.other_country_choices(language),
        visibilities=choices.visibility_choices(language),
        frequencies=choices.frequency_choices(language),
        kinds=choices.kind_choices(language),
        languages=choices.language_choices(),
        currencies=choices.currency_choices(),
    )


def delete_page(
    language: str, prefix: str, token: str, form_token: str, *, done: bool = False
) -> Response:
    """Ask before deleting everything kept for the address (POST deletes); or say it is
    done."""
    _ = translations(language).gettext
    return render_page(
        "my_delete",
        language,
        title=_("Delete your data") if not done else _("Your data is deleted"),
        prefix=prefix,
        switch_to=f"{prefix}/my/delete" if not done else f"{prefix}/",
        switch_args={"token": token} if not done else {},
        token=token,
        form_token=form_token,
        done=done,
    )


def link_box_page(
    language: str,
    prefix: str,
    form_token: str,
    *,
    sent: bool = False,
    error: str = "",
    status: int = 200,
) -> Response:
    """The box that emails a CSO the link to its page (the same answer for any address)."""
    _ = translations(language).gettext
    return render_page(
        "my_link",
        language,
        title=_("Get the link to My Grant Match"),
        prefix=prefix,
        switch_to=f"{prefix}/my/link",
        switch_args={"sent": "1"} if sent else {},
        status=status,
        form_token=form_token,
        sent=sent,
        error=error,
    )


def matches_csv(items: Sequence[MyMatch], language: str) -> Response:
    """The matches as CSV (UTF-8 with a byte-order mark, so spreadsheets read Khmer,
    Lao, Burmese and Thai), the header in the page's language."""
    _ = translations(language).gettext
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            _("Grant"),
            _("Amount"),
            _("In your currency"),
            _("Deadline"),
            _("Days left"),
            _("Status"),
            _("Why it fits"),
            _("Link"),
        ]
    )
    for item in items:
        card = match_card(item, language)
        writer.writerow(
            [
                card.title,
                card.amount,
                card.amount_converted,
                item.grant.deadline.isoformat() if item.grant.deadline else "",
                "" if item.days_left is None else item.days_left,
                card.status_label,
                "; ".join(card.reasons),
                card.url or "",
            ]
        )
    return Response(
        "\ufeff" + out.getvalue(),
        mimetype="text/csv",
        headers={
            **SECURITY_HEADERS,
            "Content-Disposition": 'attachment; filename="grant-match.csv"',
        },
    )


def calendar_feed(items: Sequence[MyMatch], recipient: Recipient, now: datetime) -> Response:
    """The matched deadlines as an iCalendar feed: one all-day event per open grant with
    a deadline (not dismissed), stable UIDs so calendar apps update rather than repeat."""
    cal = Calendar()
    cal.add("prodid", "-//Grant Match//My Grant Match//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"Grant Match: {recipient.project_title or recipient.name}")
    _ = translations(recipient.language).gettext
    for item in items:
        deadline = item.grant.deadline
        if deadline is None:
            continue
        event = Event()
        event.add("uid", f"{item.match_id}@grantmatch")
        event.add("dtstamp", now)
        event.add("dtstart", deadline)
        event.add("dtend", deadline + timedelta(days=1))
        event.add("summary", _("Deadline: %(title)s") % {"title": item.grant.title})
        if item.grant.url:
            event.add("url", str(item.grant.url))
        cal.add_component(event)
    return Response(
        cal.to_ical(),
        mimetype="text/calendar",
        headers={**SECURITY_HEADERS, "Content-Disposition": 'inline; filename="grant-match.ics"'},
    )


def days_text(days: int | None, language: str) -> str:
    """`closes today`, `closes in 3 days` or ``."""
    if days is None:
        return ""
    t = translations(language)
    if days == 0:
        return t.gettext("closes today")
    return t.ngettext("closes in %(num)d day", "closes in %(num)d days", days) % {"num": days}
