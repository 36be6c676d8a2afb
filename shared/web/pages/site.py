"""The site's HTML pages: the web form (a project, an alert profile), the page after it,
the projects that need funding (with the funders' sign-in), a funder's interest form, and
the page where a CSO shares its address with an interested funder.

Server-rendered and complete without JavaScript; nothing is loaded from anywhere else
(no fonts, scripts, images or analytics: people at risk use them). Projects are shown
from `public_view`, the listings' allow-list, so a contact address cannot reach a page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal
from urllib.parse import urlencode

from babel.numbers import format_percent
from flask import Response
from werkzeug.datastructures import MultiDict

from shared.domain.logframe import Logframe
from shared.domain.models import Interest
from shared.domain.taxonomy import PRODUCT_LANGUAGES
from shared.email.i18n import (
    N_,
    applicant_type_name,
    country_name,
    format_day,
    format_money,
    jinja_environment,
    language_or_fallback,
    sector_name,
    translations,
)
from shared.email.items import localise_reason
from shared.services.interests import ShareView
from shared.web import choices
from shared.web.pages.links import SECURITY_HEADERS
from shared.web.pages.plan_view import PlanView, plan_view

SentKind = Literal["project", "profile", "interest"]
#: Messages a page may show above its content, by key (routes pass the key).
NOTICES = {
    "expired": N_(
        "This form was open for a long time, so we did not send it. Check it and press "
        "the button again."
    ),
    "conflict": N_(
        "You already sent this form with other values. Press the button again to send "
        "these values too."
    ),
    "bad-filter": N_("We could not use these filters, so all projects are shown."),
    "unknown-grant": N_("You have no grant with this id, so all projects are shown, newest first."),
    "sign-in-for-grant": N_(
        "Sign in with your funder API key to see the projects that fit this grant, best fit first."
    ),
    "no-contact": N_(
        "Your funder account has no contact email, so an organisation's answer would have "
        "nowhere to go. Ask the Grant Match operator to add one."
    ),
}


@dataclass(frozen=True)
class FormState:
    """A form as shown: what was typed (kept on error) and a message per bad field."""

    id: str
    values: MultiDict[str, str] = field(default_factory=MultiDict)
    errors: dict[str, str] = field(default_factory=dict)

    def value(self, name: str) -> str:
        """The first value posted for a field ("" if none)."""
        return self.values.get(name, "")

    def values_of(self, name: str) -> list[str]:
        """Every value posted for a field (checkboxes, repeated pickers)."""
        return self.values.getlist(name)


@dataclass(frozen=True)
class LanguageLink:
    """One entry of the language switcher."""

    value: str
    label: str
    url: str


@dataclass(frozen=True)
class ProjectCard:
    """A listed project as the page prints it, localised."""

    id: str
    title: str
    org_name: str
    summary: str
    country: str
    applicant_type: str
    sectors: str
    currency: str | None
    needs: str
    needed_by: str
    pledged: str
    share: str
    percent: int
    interest_date: str
    # Why it fits, localised: only in a listing ranked against one of the funder's grants.
    reasons: tuple[str, ...] = ()
    # The CSO's plan, once complete (the listing leaves a draft out).
    plan: PlanView | None = None


@dataclass(frozen=True)
class GrantHeading:
    """The grant a projects page is ranked against (the funder's own, checked)."""

    id: str
    title: str


def language_links(path: str, args: Mapping[str, str]) -> list[LanguageLink]:
    """The same page in each language (filters kept; a page cursor is not)."""
    kept = {k: v for k, v in args.items() if k not in ("lang", "cursor") and v}
    return [
        LanguageLink(code, name, f"{path}?{urlencode({**kept, 'lang': code})}")
        for code, name in PRODUCT_LANGUAGES.items()
    ]


def _render(
    template: str,
    language: str,
    *,
    title: str,
    prefix: str,
    switch_to: str,
    switch_args: Mapping[str, str] | None = None,
    status: int = 200,
    **context: Any,
) -> Response:
    language = language_or_fallback(language)
    html = (
        jinja_environment(language)
        .get_template(f"pages/{template}.html.j2")
        .render(
            title=title,
            prefix=prefix,
            language_links=language_links(switch_to, switch_args or {}),
            has_errors=status >= 400,
            **context,
        )
    )
    return Response(html, status=status, mimetype="text/html", headers=SECURITY_HEADERS)


def _pickers(language: str) -> dict[str, Any]:
    return {
        **choices.form_pickers(language),
        "visibilities": choices.visibility_choices(language),
        "frequencies": choices.frequency_choices(language),
        "kinds": choices.kind_choices(language),
    }


def home_page(
    language: str,
    prefix: str,
    token: str,
    *,
    project: FormState | None = None,
    alerts: FormState | None = None,
    notice: str | None = None,
    status: int = 200,
) -> Response:
    """The web form: submit a project, or ask for grant alerts. A new form starts with
    the page's language for emails, the API's defaults (private, instant) chosen."""
    defaults = MultiDict(
        {"language": language, "visibility": "funders", "frequency": "instant", "kinds": "grant"}
    )
    _ = translations(language).gettext
    return _render(
        "home",
        language,
        title=_("Find grants, and funders for your projects"),
        prefix=prefix,
        switch_to=f"{prefix}/",
        status=status,
        token=token,
        project=project or FormState("project", defaults),
        alerts=alerts or FormState("alerts", defaults),
        notice=_(NOTICES[notice]) if notice else "",
        **_pickers(language),
    )


def sent_page(kind: SentKind, language: str, prefix: str) -> Response:
    """What a person sees after sending a form (bots that filled the honeypot too)."""
    _ = translations(language).gettext
    titles = {
        "project": _("Check your email to confirm your project"),
        "profile": _("Check your email to start your grant alerts"),
        "interest": _("We are telling the organisation that you are interested"),
    }
    return _render(
        "sent",
        language,
        title=titles[kind],
        prefix=prefix,
        switch_to=f"{prefix}/forms/sent",
        switch_args={"kind": kind},
        kind=kind,
    )


def project_card(item: Mapping[str, Any], language: str, interest: Interest | None) -> ProjectCard:
    """A `public_view` item, localised for the page."""
    amount, currency = item["amount_needed"], item["currency"]
    pledged = float(item.get("pledged") or 0)
    ratio = pledged / amount if amount and currency and pledged else 0.0
    needed_by = item["needed_by"]
    return ProjectCard(
        id=item["id"],
        title=item["title"],
        org_name=item["org_name"],
        summary=item["summary"],
        country=country_name(item["country"], language),
        applicant_type=applicant_type_name(item["applicant_type"], language),
        sectors=", ".join(sector_name(s, language) for s in item["sectors"]),
        currency=currency,
        needs=format_money(amount, currency, language) if amount and currency else "",
        needed_by=format_day(date.fromisoformat(needed_by), language) if needed_by else "",
        pledged=format_money(pledged, currency, language) if ratio else "",
        share=format_percent(ratio, locale=language) if ratio else "",
        percent=min(100, round(ratio * 100)),
        interest_date=format_day(interest.created_at.date(), language) if interest else "",
        reasons=tuple(
            r for r in (localise_reason(r, language) for r in item.get("reasons") or ()) if r
        ),
        plan=_plan_of(item, language),
    )


def _plan_of(item: Mapping[str, Any], language: str) -> PlanView | None:
    plan = item.get("plan")
    if not plan:
        return None
    revision = int(item.get("plan_revision") or 0)
    return plan_view(Logframe.model_validate(plan), item["currency"], language, revision)


def projects_page(
    language: str,
    prefix: str,
    cards: list[ProjectCard],
    *,
    sector: str = "",
    country: str = "",
    next_cursor: str | None = None,
    funder_name: str | None = None,
    grant: GrantHeading | None = None,
    sign_in_grant: str = "",
    sign_in: FormState | None = None,
    notice: str | None = None,
    status: int = 200,
) -> Response:
    """Open projects, filtered, newest first, or best fit first for one of a signed-in
    funder's grants (`grant`); for a signed-in funder also a way to say it is interested;
    for anyone else the funders' sign-in, which returns to `sign_in_grant`'s projects."""
    _ = translations(language).gettext
    filters = {"sector": sector, "country": country}
    # The grant travels with the filters (next page, language switcher) so the view stays.
    kept = filters | ({"grant": grant.id, "sort": "best"} if grant else {})
    kept |= {"grant": sign_in_grant} if sign_in_grant else {}
    next_url = None
    if next_cursor:
        query = {k: v for k, v in kept.items() if v} | {"lang": language, "cursor": next_cursor}
        next_url = f"{prefix}/projects?{urlencode(query)}"
    if grant:
        title = _("Projects that fit %(grant)s") % {"grant": grant.title}
    else:
        title = _("Projects that need funding")
    return _render(
        "projects",
        language,
        title=title,
        prefix=prefix,
        switch_to=f"{prefix}/projects",
        switch_args=kept,
        status=status,
        projects=cards,
        filters=filters,
        grant=grant,
        sign_in_grant=sign_in_grant,
        next_url=next_url,
        session=funder_name is not None,
        funder_name=funder_name or "",
        sign_in=sign_in or FormState("sign-in"),
        notice=_(NOTICES[notice]) if notice else "",
        sectors=choices.sector_choices(language),
        mekong=choices.mekong_country_choices(language),
        other_countries=choices.other_country_choices(language),
    )


def sign_in_refused(language: str) -> FormState:
    """The sign-in form after a wrong, garbled or revoked key."""
    message = translations(language).gettext("This API key is not valid, or it was revoked.")
    return FormState("sign-in", errors={"api_key": message})


def interest_page(
    language: str,
    prefix: str,
    card: ProjectCard,
    csrf: str,
    form: FormState,
    *,
    notice: str | None = None,
    status: int = 200,
) -> Response:
    """A signed-in funder's note and pledge to one project (no form if its answer could
    not reach the funder: `notice="no-contact"`)."""
    _ = translations(language).gettext
    return _render(
        "interest",
        language,
        title=_("Tell “%(title)s” that you are interested") % {"title": card.title},
        prefix=prefix,
        switch_to=f"{prefix}/forms/interest/{card.id}",
        status=status,
        project=card,
        csrf=csrf,
        form=form,
        notice=_(NOTICES[notice]) if notice else "",
    )


def share_page(
    state: Literal["ask", "done"],
    view: ShareView,
    prefix: str,
    *,
    action: str = "",
    form: FormState | None = None,
    status: int = 200,
) -> Response:
    """The CSO's page behind the emailed link: GET asks (and changes nothing), POST acts."""
    language = view.language
    _ = translations(language).gettext
    if state == "ask":
        title = _("Share your email address with %(funder)s?") % {"funder": view.funder_name}
    else:
        title = _("Your address is on its way")
    return _render(
        "share_contact",
        language,
        title=title,
        prefix=prefix,
        # The token stays out of the switcher's links: they would carry it to other pages.
        switch_to=f"{prefix}/",
        status=status,
        state=state,
        view=view,
        action=action,
        form=form or FormState("share"),
    )
