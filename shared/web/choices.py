"""The options of the web forms' pickers, in the reader's language, from the taxonomy.

The values are the API's own slugs and codes, so a form posts exactly what the JSON API
takes; only the labels and the explanations beside them are translated.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import pycountry

from shared.domain.opportunities import OpportunityKind
from shared.domain.taxonomy import (
    MEKONG_COUNTRIES,
    PRODUCT_LANGUAGES,
    REGIONAL_CURRENCIES,
    ApplicantType,
    Frequency,
    Sector,
    Visibility,
)
from shared.email.i18n import N_, applicant_type_name, country_name, sector_name, translations
from shared.email.kinds import HEADINGS
from shared.matching.money import fx_rates


@dataclass(frozen=True)
class Choice:
    """One option: the value posted, the label shown, and an optional explanation."""

    value: str
    label: str
    hint: str = ""


APPLICANT_HINTS = {
    ApplicantType.UNREGISTERED_GROUP: N_(
        "A group that works together without legal registration, such as a community, "
        "volunteer or self-help group. Many funders accept such groups, often through a "
        "fiscal sponsor: a registered organisation that receives and manages the grant "
        "for the group. You do not need to have a fiscal sponsor yet."
    ),
    ApplicantType.NETWORK: N_("A network or coalition of several organisations or groups."),
}
VISIBILITY_HINTS = {
    Visibility.PUBLIC: N_(
        "Anyone can see the project on the Grant Match projects page: organisation name, "
        "title, summary, sectors, country, amount and date."
    ),
    Visibility.FUNDERS: N_(
        "Only funders who have a Grant Match account can see the project on the projects "
        "page. The public cannot."
    ),
    Visibility.PRIVATE: N_(
        "Nobody else sees the project. Grant Match only uses it to email you grants that fit."
    ),
}
VISIBILITY_LABELS = {
    Visibility.PUBLIC: N_("Public"),
    Visibility.FUNDERS: N_("Funders only"),
    Visibility.PRIVATE: N_("Private"),
}
FREQUENCY_LABELS = {
    Frequency.INSTANT: N_("As soon as a grant fits"),
    Frequency.WEEKLY: N_("Once a week, in one email"),
}


def sector_choices(language: str) -> list[Choice]:
    """Every sector, in the taxonomy's order."""
    return [Choice(s.value, sector_name(s.value, language)) for s in Sector]


def applicant_type_choices(language: str) -> list[Choice]:
    """Every applicant type, with a plain explanation where one helps."""
    _ = translations(language).gettext
    hints = {t: _(hint) for t, hint in APPLICANT_HINTS.items()}  # never _(""): the header
    return [
        Choice(t.value, applicant_type_name(t.value, language), hints.get(t, ""))
        for t in ApplicantType
    ]


def visibility_choices(language: str) -> list[Choice]:
    """Who may see a project, each explained."""
    _ = translations(language).gettext
    return [Choice(v.value, _(VISIBILITY_LABELS[v]), _(VISIBILITY_HINTS[v])) for v in Visibility]


def frequency_choices(language: str) -> list[Choice]:
    """How often alerts come."""
    _ = translations(language).gettext
    return [Choice(f.value, _(FREQUENCY_LABELS[f])) for f in Frequency]


KIND_HINTS = {
    OpportunityKind.GRANT: N_("Money for your work, from funders."),
    OpportunityKind.TRAINING: N_("Courses online or near you, for example on digital security."),
    OpportunityKind.EVENT: N_("Meetings and forums where you can meet partners."),
    OpportunityKind.TECH_OFFER: N_("Donated or discounted software, hardware or advice."),
}


def kind_choices(language: str) -> list[Choice]:
    """The kinds of opportunity one can hear about, grants first, each explained."""
    _ = translations(language).gettext
    return [Choice(k.value, _(HEADINGS[k]), _(KIND_HINTS[k])) for k in OpportunityKind]


def mekong_country_choices(language: str) -> list[Choice]:
    """The five countries of the region, first in every country picker."""
    return [Choice(code, country_name(code, language)) for code in MEKONG_COUNTRIES]


@cache
def other_country_choices(language: str) -> list[Choice]:
    """Every other ISO 3166-1 country, by its name in the reader's language."""
    choices = [
        Choice(c.alpha_2, country_name(c.alpha_2, language))
        for c in pycountry.countries
        if c.alpha_2 not in MEKONG_COUNTRIES
    ]
    return sorted(choices, key=lambda c: c.label.casefold())


def language_choices() -> list[Choice]:
    """The languages Grant Match writes emails in, each named in its own script."""
    return [Choice(code, name) for code, name in PRODUCT_LANGUAGES.items()]


@cache
def currency_choices() -> list[Choice]:
    """The region's currencies first, then the donor currencies of the rate table."""
    others = sorted(set(fx_rates().rates) - set(REGIONAL_CURRENCIES))
    return [Choice(code, code) for code in [*REGIONAL_CURRENCIES, *others]]


def form_pickers(language: str) -> dict[str, Any]:
    """The pickers every grant-like form offers (its template's names for them): sectors,
    countries (the Mekong first), applicant types, languages and currencies."""
    return {
        "sectors": sector_choices(language),
        "mekong": mekong_country_choices(language),
        "other_countries": other_country_choices(language),
        "applicant_types": applicant_type_choices(language),
        "languages": language_choices(),
        "currencies": currency_choices(),
    }
