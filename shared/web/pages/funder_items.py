"""The funders' form for a training, an event or a tech offer: the kind is chosen by a
link (no JavaScript), and the form shows the fields every kind shares and the kind's
own."""

from __future__ import annotations

from flask import Response
from werkzeug.datastructures import MultiDict

from shared.domain.models import Grant
from shared.domain.opportunities import Attendance, OpportunityKind
from shared.email.i18n import N_, translations
from shared.email.kinds import HEADINGS
from shared.web import choices
from shared.web.pages.site import FormState
from shared.web.pages.site import _render as render_page

TITLES = {
    OpportunityKind.TRAINING: N_("Post a training"),
    OpportunityKind.EVENT: N_("Post an event"),
    OpportunityKind.TECH_OFFER: N_("Post a technology offer"),
}
EDIT_TITLES = {
    OpportunityKind.TRAINING: N_("Edit the training"),
    OpportunityKind.EVENT: N_("Edit the event"),
    OpportunityKind.TECH_OFFER: N_("Edit the technology offer"),
}
ATTENDANCE_LABELS = {
    Attendance.ONLINE: N_("Online"),
    Attendance.ON_SITE: N_("On site"),
    Attendance.HYBRID: N_("On site, with an online way in"),
}
#: The kind's own fields (its `details`), as the form posts them.
DETAIL_FIELDS = (
    "starts_on",
    "ends_on",
    "registration_deadline",
    "attendance",
    "city",
    "country",
    "who_may_attend",
    "how_to_register",
    "instruction_languages",
    "cost",
    "currency",
    "offered",
    "for_whom",
    "admin_fee",
    "how_to_request",
    "available_until",
)


def kind_links(language: str) -> list[choices.Choice]:
    """What a funder may post, each a link to its form (grants keep their own form)."""
    _ = translations(language).gettext
    return [choices.Choice(k.value, _(HEADINGS[k])) for k in OpportunityKind]


def item_values(item: Grant) -> MultiDict[str, str]:
    """A stored item as the form's values (to edit it)."""
    values: MultiDict[str, str] = MultiDict()
    for name in ("external_id", "title", "description", "url"):
        value = getattr(item, name)
        if value:
            values.add(name, str(value))
    for name in ("sectors", "countries", "applicant_types", "languages"):
        for value in getattr(item, name):
            values.add(name, getattr(value, "value", value))
    details = item.details.model_dump(mode="json") if item.details else {}
    for name in DETAIL_FIELDS:
        value = details.get(name)
        for one in value if isinstance(value, list) else [value]:
            if one is not None and one != "":
                values.add(name, f"{one:g}" if isinstance(one, float) else str(one))
    return values


def item_form_page(
    language: str,
    prefix: str,
    csrf: str,
    form: FormState,
    kind: OpportunityKind,
    *,
    item_id: str = "",
    status: int = 200,
) -> Response:
    """The form of one kind: new (no `item_id`) or editing one of the funder's items."""
    _ = translations(language).gettext
    if item_id:
        action = f"{prefix}/funder/items/{item_id}/edit?lang={language}"
    else:
        action = f"{prefix}/funder/items/new?kind={kind.value}&lang={language}"
    attendance = [choices.Choice(a.value, _(ATTENDANCE_LABELS[a])) for a in Attendance]
    return render_page(
        "funder_item_form",
        language,
        title=_(EDIT_TITLES[kind]) if item_id else _(TITLES[kind]),
        prefix=prefix,
        switch_to=f"{prefix}/funder/items/{item_id}/edit"
        if item_id
        else f"{prefix}/funder/items/new",
        switch_args={} if item_id else {"kind": kind.value},
        status=status,
        form=form,
        csrf=csrf,
        kind=kind.value,
        item_id=item_id,
        action=action,
        kinds=kind_links(language),
        attendances=attendance,
        **choices.form_pickers(language),
    )
