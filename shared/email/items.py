"""What an email says about each match, project and change (pure): the items the templates
render, in the reader's language, with the ranking's reasons split into what speaks for a
match and what speaks against it. Also used by the pages that show the same items.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

from shared.domain.logframe import is_complete
from shared.domain.models import Grant, Match, Project
from shared.domain.opportunities import OpportunityKind
from shared.domain.recipients import Recipient
from shared.domain.taxonomy import APPLICANT_TYPE_LABELS, Sector
from shared.email.i18n import (
    N_,
    applicant_type_name,
    country_name,
    format_day,
    format_money,
    language_name,
    language_or_fallback,
    sector_name,
    translations,
)
from shared.email.kinds import DEADLINE_LABELS, LINK_LABELS, Fact, kind_facts, kind_label
from shared.email.links import LinkSigner
from shared.matching.relevance import topic_named, topic_term

#: Summaries in funders' emails are cut here: the email is a pointer, not the dossier.
SUMMARY_CHARS: Final = 400


@dataclass(frozen=True)
class MatchItem:
    """One grant as a CSO reads it in any email: localised, ready to print."""

    grant_id: str
    title: str
    amount: str
    your_amount: str
    deadline: str
    days_left: int | None
    reasons: list[str]
    via_fiscal_sponsor: bool
    url: str | None
    mute_url: str
    # What speaks against the match (an amount outside the grant's range, a language the
    # applicant did not choose), said apart from why it fits.
    concerns: list[str] = field(default_factory=list)
    # A training, an event or a tech offer: its kind, its key facts, and the words its
    # deadline and its link go by ("Register by", "Read more and register").
    kind: str = OpportunityKind.GRANT.value
    facts: list[Fact] = field(default_factory=list)
    deadline_label: str = ""
    link_label: str = ""


@dataclass(frozen=True)
class ProjectItem:
    """One project as a funder reads it: never the CSO's contact address."""

    org_name: str
    title: str
    summary: str
    country: str
    sectors: str
    needs: str
    needed_by: str
    reasons: list[str]
    concerns: list[str] = field(default_factory=list)  # what speaks against the match
    # Outputs of the CSO's complete plan (0: no plan, or still a draft, which stays the CSO's).
    plan_outputs: int = 0


@dataclass(frozen=True)
class GrantProjects:
    """A funder's grant and the projects that fit it."""

    title: str
    projects_url: str
    projects: list[ProjectItem]


# -- localised values -------------------------------------------------------------------
def amount_range(low: float | None, high: float | None, currency: str | None, language: str) -> str:
    """`$5,000 – $40,000`, `up to $40,000`, `from $5,000` (localised), or ``."""
    if currency is None or (low is None and high is None):
        return ""
    _ = translations(language).gettext
    if low is not None and high is not None and low != high:
        return _("%(low)s – %(high)s") % {
            "low": format_money(low, currency, language),
            "high": format_money(high, currency, language),
        }
    if high is not None:
        if low == high:
            return format_money(high, currency, language)
        return _("up to %(amount)s") % {"amount": format_money(high, currency, language)}
    assert low is not None
    return _("from %(amount)s") % {"amount": format_money(low, currency, language)}


_SECTOR_SLUGS: Final = frozenset(s.value for s in Sector)
_APPLICANT_BY_LOWER_LABEL: Final = {
    label.lower(): slug.value for slug, label in APPLICANT_TYPE_LABELS.items()
}


def speaks_against(reason: str) -> bool:
    """Whether a match reason counts against the match (an amount above or below the
    grant's range, applying in a language the applicant did not choose)."""
    key, _sep, value = reason.partition(": ")
    if key == "amount":
        return " is above " in value or " is below " in value
    return key == "language" and " (not " in value


def localise_reason(reason: str, language: str) -> str | None:
    """A match reason ("country: LA, KH", "topic: land rights") in the reader's language;
    None for what every email already shows on its own line (deadline, amount). Unknown
    reasons pass unchanged."""
    _ = translations(language).gettext
    key, _sep, value = reason.partition(": ")
    values = [v.strip() for v in value.split(",")]
    if key == "deadline":
        return None
    if key == "country":
        if value == "worldwide":
            return _("Country: any (worldwide call)")
        names = ", ".join(country_name(v, language) for v in values)
        return _("Country: %(value)s") % {"value": names}
    if key == "applicant":
        if value == "unregistered group via fiscal sponsor":
            return _("Applicant: unregistered group, through a fiscal sponsor")
        if value in _APPLICANT_BY_LOWER_LABEL:
            label = applicant_type_name(_APPLICANT_BY_LOWER_LABEL[value], language)
            return _("Applicant: %(value)s") % {"value": label}
    if key == "sector":
        if value.startswith("any"):
            return _("Sector: any")
        names = ", ".join(sector_name(v, language) for v in values)
        return _("Sector: %(value)s") % {"value": names}
    return _localise_ranking_reason(key, value, language)


def _localise_ranking_reason(key: str, value: str, language: str) -> str | None:
    """The ranking's reasons ("topic: …", "amount fits: …", "language: …") in the reader's
    language. Amounts and closing days are left out: every email shows the grant's amount
    and deadline on lines of their own, formatted for the reader."""
    _ = translations(language).gettext
    if key == "topic":
        names = ", ".join(_topic_name(v.strip(), language) for v in value.split(","))
        return _("Topic: %(value)s") % {"value": names}
    if key == "keywords":
        return _("Your keywords: %(value)s") % {"value": value}
    if key == "words in common":
        return _("Words in common: %(value)s") % {"value": value}
    if key == "language":
        if value.startswith("apply in "):
            codes = value.removeprefix("apply in ").split(" (not ")[0].split(", ")
            names = ", ".join(language_name(c, language) for c in codes)
            return _("Language: apply in %(value)s") % {"value": names}
        return _("Language: you can apply in %(value)s") % {"value": language_name(value, language)}
    if key == "amount fits":
        return _("Amount: what you need is within the grant's range")
    if key == "amount" and " is above " in value:
        return _("Amount: you need more than this grant gives")
    if key == "amount" and " is below " in value:
        return _("Amount: you need less than this grant's minimum")
    if key == "amount" or key.startswith("closes "):
        return None
    return f"{key}: {value}" if value else key


def _topic_name(label: str, language: str) -> str:
    slug = topic_named(label)
    if slug is None:
        return label
    if slug in _SECTOR_SLUGS:
        return sector_name(slug, language)
    return (topic_term(slug, language) if language != "en" else None) or label


def match_item(
    recipient: Recipient, grant: Grant, match: Match, links: LinkSigner, today: date | None = None
) -> MatchItem:
    """A match as the recipient will read it (today: for "closes in N days")."""
    lang = language_or_fallback(recipient.language)
    your_amount = ""
    if recipient.currency and recipient.currency != grant.currency:
        low = recipient.amount_min
        your_amount = amount_range(low, recipient.amount_max, recipient.currency, lang)

    def said(reasons: list[str]) -> list[str]:
        return [r for r in (localise_reason(r, lang) for r in reasons) if r]

    reasons = said([r for r in match.reasons if not speaks_against(r)])
    concerns = said([r for r in match.reasons if speaks_against(r)])
    return MatchItem(
        grant_id=grant.id,
        title=grant.title,
        amount=amount_range(grant.amount_min, grant.amount_max, grant.currency, lang),
        your_amount=your_amount,
        deadline=format_day(grant.deadline, lang) if grant.deadline else "",
        days_left=(grant.deadline - today).days if today and grant.deadline else None,
        reasons=reasons,
        via_fiscal_sponsor=match.via_fiscal_sponsor,
        url=str(grant.url) if grant.url else None,
        mute_url=links.mute_url(recipient.kind, recipient.id, grant.id),
        concerns=concerns,
        kind=grant.kind.value,
        facts=kind_facts(grant, lang),
        deadline_label=kind_label(DEADLINE_LABELS, grant.kind, lang),
        link_label=kind_label(LINK_LABELS, grant.kind, lang),
    )


def project_item(project: Project, match: Match, language: str) -> ProjectItem:
    """A project as a funder reads it. Built field by field so the contact address
    cannot slip in."""
    summary = project.summary
    if len(summary) > SUMMARY_CHARS:
        summary = summary[:SUMMARY_CHARS].rsplit(" ", 1)[0] + "…"
    return ProjectItem(
        org_name=project.org_name,
        title=project.title,
        summary=summary,
        country=country_name(project.country, language),
        sectors=", ".join(sector_name(s, language) for s in project.sectors),
        needs=amount_range(None, project.amount_needed, project.currency, language),
        needed_by=format_day(project.needed_by, language) if project.needed_by else "",
        reasons=_localised([r for r in match.reasons if not speaks_against(r)], language),
        concerns=_localised([r for r in match.reasons if speaks_against(r)], language),
        plan_outputs=_complete_plan_outputs(project),
    )


def _complete_plan_outputs(project: Project) -> int:
    plan = project.plan
    if plan is None or not is_complete(plan, project.amount_needed):
        return 0
    return len(plan.outputs)


def _localised(reasons: list[str], language: str) -> list[str]:
    return [r for r in (localise_reason(r, language) for r in reasons) if r]


@dataclass(frozen=True)
class ChangeLine:
    """One changed field of a call, named and shown in the reader's language."""

    label: str
    old: str
    new: str


@dataclass(frozen=True)
class ChangeItem:
    """A call the reader was alerted about, and what changed in it since."""

    grant_id: str
    title: str
    url: str | None
    mute_url: str
    lines: list[ChangeLine]


#: The facts of a training, an event or a tech offer whose change a notice tells (when,
#: where, in what language, at what cost: `NOTICED_DETAILS` as a reader sees them).
_NOTICED_FACTS = (N_("Dates"), N_("Where"), N_("Language of instruction"), N_("Cost"), N_("Fee"))


def _changed_facts(old: Grant, new: Grant, lang: str) -> list[ChangeLine]:
    say = translations(lang).gettext
    before = {f.label: f.value for f in kind_facts(old, lang)}
    after = {f.label: f.value for f in kind_facts(new, lang)}
    return [
        ChangeLine(label, before.get(label) or "-", after.get(label) or "-")
        for label in (say(n) for n in _NOTICED_FACTS)
        if before.get(label) != after.get(label)
    ]


def change_item(recipient: Recipient, old: Grant, new: Grant, links: LinkSigner) -> ChangeItem:
    """The deadline, amount and eligibility changes between two versions of a grant, old
    -> new, as the recipient will read them (sets compared as sets)."""
    lang = language_or_fallback(recipient.language)
    say = translations(lang).gettext

    def day(value: date | None) -> str:
        return format_day(value, lang) if value else say("rolling: no fixed deadline")

    def listed(values: Sequence[str], name: Any, empty: str) -> str:
        return ", ".join(name(v, lang) for v in values) or say(empty)

    lines = []
    if old.deadline != new.deadline:
        lines.append(ChangeLine(say("Deadline"), day(old.deadline), day(new.deadline)))
    before = amount_range(old.amount_min, old.amount_max, old.currency, lang) or "-"
    after = amount_range(new.amount_min, new.amount_max, new.currency, lang) or "-"
    if before != after:
        lines.append(ChangeLine(say("Amount"), before, after))
    sets = (
        ("countries", N_("Countries"), country_name, N_("any country")),
        ("applicant_types", N_("Who may apply"), applicant_type_name, "-"),
        ("sectors", N_("Sectors"), sector_name, N_("any sector")),
    )
    for field_name, label, name, empty in sets:
        was = sorted(str(getattr(v, "value", v)) for v in getattr(old, field_name))
        now = sorted(str(getattr(v, "value", v)) for v in getattr(new, field_name))
        if was != now:
            lines.append(ChangeLine(say(label), listed(was, name, empty), listed(now, name, empty)))
    if old.fiscal_sponsor_ok != new.fiscal_sponsor_ok:
        yes_no = {True: say(N_("yes")), False: say(N_("no"))}
        label = say(N_("Fiscal sponsor accepted"))
        lines.append(
            ChangeLine(label, yes_no[old.fiscal_sponsor_ok], yes_no[new.fiscal_sponsor_ok])
        )
    lines += _changed_facts(old, new, lang)
    return ChangeItem(
        grant_id=new.id,
        title=new.title,
        url=str(new.url) if new.url else None,
        mute_url=links.mute_url(recipient.kind, recipient.id, new.id),
        lines=lines,
    )


# -- the emails -------------------------------------------------------------------------
