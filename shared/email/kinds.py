"""What an email says of each kind of item (pure): the heading its kind is grouped
under, and the key facts that kind needs beside its title (a training's dates, place,
language of instruction and cost; a tech offer's what, for whom, fee and how to ask),
in the reader's language. A grant says nothing more here: its lines are in `items`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final, Generic, Protocol, TypeVar

from shared.domain.models import Grant
from shared.domain.opportunities import (
    Attendance,
    EventDetails,
    OpportunityKind,
    TechOfferDetails,
    TrainingDetails,
)
from shared.email.i18n import (
    N_,
    country_name,
    format_day,
    format_money,
    language_name,
    translations,
)

#: The order kinds are told in, each under its heading.
KIND_ORDER: Final = tuple(OpportunityKind)
HEADINGS: Final = {
    OpportunityKind.GRANT: N_("Grants"),
    OpportunityKind.TRAINING: N_("Trainings"),
    OpportunityKind.EVENT: N_("Events"),
    OpportunityKind.TECH_OFFER: N_("Technology offers"),
}
#: What an item's deadline is, for each kind (a grant's stays "Deadline").
DEADLINE_LABELS: Final = {
    OpportunityKind.GRANT: N_("Deadline"),
    OpportunityKind.TRAINING: N_("Register by"),
    OpportunityKind.EVENT: N_("Register by"),
    OpportunityKind.TECH_OFFER: N_("Available until"),
}
#: The words of an item's link to its page.
LINK_LABELS: Final = {
    OpportunityKind.GRANT: N_("Read the call and apply"),
    OpportunityKind.TRAINING: N_("Read more and register"),
    OpportunityKind.EVENT: N_("Read more and register"),
    OpportunityKind.TECH_OFFER: N_("Read more and ask for it"),
}


@dataclass(frozen=True)
class Fact:
    """One labelled line of an item, localised."""

    label: str
    value: str


class _Kinded(Protocol):
    @property
    def kind(self) -> str: ...


T = TypeVar("T", bound=_Kinded)


@dataclass(frozen=True)
class KindSection(Generic[T]):
    """Items of one kind, under their heading (None: grants alone need no heading)."""

    kind: str
    heading: str | None
    items: list[T]


def sections(items: Sequence[T], language: str) -> list[KindSection[T]]:
    """Items grouped by kind in `KIND_ORDER` (each group keeps the order it was given).
    Headings only where the email tells of something other than grants."""
    _ = translations(language).gettext
    present = [k for k in KIND_ORDER if any(i.kind == k.value for i in items)]
    headed = present != [OpportunityKind.GRANT]
    return [
        KindSection(
            k.value,
            _(HEADINGS[k]) if headed else None,
            [i for i in items if i.kind == k.value],
        )
        for k in present
    ]


def kind_facts(grant: Grant, language: str) -> list[Fact]:
    """The key facts of a training, an event or a tech offer; none for a grant."""
    details = grant.details
    if isinstance(details, TrainingDetails | EventDetails):
        return _scheduled_facts(details, language)
    if isinstance(details, TechOfferDetails):
        return _offer_facts(details, language)
    return []


def _fee(amount: float | None, currency: str | None, language: str, charged: bool) -> str:
    _ = translations(language).gettext
    if charged and (not amount or currency is None):
        return _("a fee (amount not given)")
    if not amount or currency is None:
        return _("free")
    return format_money(amount, currency, language)


def _dates(start: date | None, end: date | None, language: str) -> str:
    if start and end and start != end:
        return translations(language).gettext("%(start)s – %(end)s") % {
            "start": format_day(start, language),
            "end": format_day(end, language),
        }
    day = start or end
    return format_day(day, language) if day else ""


def _where(details: TrainingDetails | EventDetails, language: str) -> str:
    _ = translations(language).gettext
    if details.attendance is Attendance.ONLINE:
        return _("online")
    place = ", ".join(p for p in (details.city, country_name(details.country or "", language)) if p)
    if details.attendance is Attendance.HYBRID:
        return _("%(place)s (on site), or online") % {"place": place}
    return _("%(place)s (on site)") % {"place": place}


def _scheduled_facts(details: TrainingDetails | EventDetails, language: str) -> list[Fact]:
    _ = translations(language).gettext
    facts: list[tuple[str, str]] = [
        (N_("Dates"), _dates(details.starts_on, details.ends_on, language)),
        (N_("Where"), _where(details, language)),
    ]
    if isinstance(details, TrainingDetails):
        names = ", ".join(language_name(c, language) for c in details.instruction_languages)
        facts.append((N_("Language of instruction"), names))
    facts += [
        (N_("Cost"), _fee(details.cost, details.currency, language, details.fee_based)),
        (N_("Who may attend"), details.who_may_attend),
        (N_("How to register"), details.how_to_register),
    ]
    return [Fact(_(label), value) for label, value in facts if value]


def _offer_facts(details: TechOfferDetails, language: str) -> list[Fact]:
    _ = translations(language).gettext
    facts = [
        (N_("What is offered"), details.offered),
        (N_("For whom"), details.for_whom),
        (N_("Fee"), _fee(details.admin_fee, details.currency, language, bool(details.admin_fee))),
        (N_("How to request"), details.how_to_request),
    ]
    return [Fact(_(label), value) for label, value in facts if value]


def kind_label(labels: dict[OpportunityKind, str], kind: OpportunityKind, language: str) -> str:
    """One of the per-kind labels above, in the reader's language."""
    return translations(language).gettext(labels[kind])
