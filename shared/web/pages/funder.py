"""The funders' pages: the sign-in, a funder's grants with the projects that fit each,
and the grant form (create, edit, close). Projects are shown from `public_view`, the
listings' allow-list, so no contact address reaches these pages."""

from __future__ import annotations

from collections.abc import Sequence

from flask import Response
from werkzeug.datastructures import MultiDict

from shared.domain.models import Grant
from shared.email.i18n import format_day, translations
from shared.email.items import amount_range
from shared.email.kinds import DEADLINE_LABELS, HEADINGS, kind_label
from shared.services.funder_grants import GrantWithProjects
from shared.web import choices
from shared.web.pages.funder_items import kind_links
from shared.web.pages.site import FormState, project_card
from shared.web.pages.site import _render as render_page


def sign_in_page(
    language: str, prefix: str, form: FormState | None = None, status: int = 200
) -> Response:
    """The funders' sign-in with their API key; back to their grants afterwards."""
    _ = translations(language).gettext
    return render_page(
        "funder_sign_in",
        language,
        title=_("Funders: sign in"),
        prefix=prefix,
        switch_to=f"{prefix}/funder/grants",
        status=status,
        sign_in=form or FormState("sign-in"),
    )


def grants_page(
    language: str,
    prefix: str,
    funder_name: str,
    csrf: str,
    grants: Sequence[GrantWithProjects],
    notice: str = "",
) -> Response:
    """The funder's grants, each with its best-fitting open projects."""
    _ = translations(language).gettext
    rows = [
        {
            "id": g.grant.id,
            "title": g.grant.title,
            "amount": amount_range(
                g.grant.amount_min, g.grant.amount_max, g.grant.currency, language
            ),
            "deadline": format_day(g.grant.deadline, language) if g.grant.deadline else "",
            "projects": [project_card(p, language, None) for p in g.projects],
            "more": g.more,
            "profiles": g.profiles,
            # A training, an event or a tech offer: its kind, and its own form to edit it.
            "kind": "" if g.grant.details is None else _(HEADINGS[g.grant.kind]),
            "edit": "grants" if g.grant.details is None else "items",
            "deadline_label": kind_label(DEADLINE_LABELS, g.grant.kind, language),
        }
        for g in grants
    ]
    notices = {
        "saved": _("The grant is saved. Organisations that fit it hear about it."),
        "closed": _(
            "The grant is closed: it was removed with its matches, and nobody hears of it again."
        ),
    }
    return render_page(
        "funder_grants",
        language,
        title=_("Your grants"),
        prefix=prefix,
        switch_to=f"{prefix}/funder/grants",
        grants=rows,
        funder_name=funder_name,
        csrf=csrf,
        notice=notices.get(notice, ""),
    )


def grant_values(grant: Grant) -> MultiDict[str, str]:
    """A stored grant as the form's values (to edit it)."""
    values: MultiDict[str, str] = MultiDict()
    for name in ("external_id", "title", "description", "currency", "url"):
        value = getattr(grant, name)
        if value is not None:
            values.add(name, str(value))
    for name in ("amount_min", "amount_max"):
        value = getattr(grant, name)
        if value is not None:
            values.add(name, f"{value:g}")
    if grant.deadline:
        values.add("deadline", grant.deadline.isoformat())
    if grant.fiscal_sponsor_ok:
        values.add("fiscal_sponsor_ok", "true")
    for name in ("sectors", "countries", "applicant_types", "languages"):
        for value in getattr(grant, name):
            values.add(name, getattr(value, "value", value))
    return values


def grant_form_page(
    language: str,
    prefix: str,
    csrf: str,
    form: FormState,
    *,
    grant_id: str = "",
    status: int = 200,
) -> Response:
    """The grant form: new (no `grant_id`) or editing one of the funder's grants."""
    _ = translations(language).gettext
    action = (
        f"{prefix}/funder/grants/{grant_id}/edit" if grant_id else f"{prefix}/funder/grants/new"
    )
    return render_page(
        "funder_grant_form",
        language,
        title=_("Edit the grant") if grant_id else _("Post a grant"),
        prefix=prefix,
        switch_to=action,
        status=status,
        form=form,
        csrf=csrf,
        grant_id=grant_id,
        action=action,
        kinds=kind_links(language),
        **choices.form_pickers(language),
    )
