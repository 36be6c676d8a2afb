"""IATI activity XML, versions 2.01 to 2.03 (https://iatistandard.org/en/iati-standard/203/).

IATI describes aid *activities* (mostly funded already), not open calls. An activity
becomes a grant that shows who funds what, where: `amount_max` is its total budget in
one currency, `deadline` is the end of the activity, sectors come from DAC purpose codes
or SDG goals. IATI has no eligibility field, so `applicant_types` is the documented
default.

Only current activities become grants. `activity-status` 1 (Pipeline/identification)
and 2 (Implementation) are imported; 3 (Finalisation), 4 (Closed), 5 (Cancelled) and
6 (Suspended) are rejected with their status, so nobody is alerted to money that is
spent, withdrawn or frozen. Status 2 is kept on purpose: Grant Match imports IATI, like
360Giving, as funding that is current (who funds what, where, until the activity
ends), and an activity being implemented is exactly that; a pipeline-only rule would
drop nearly every activity a publisher reports. An activity without a status is kept
with a warning (its end date still bounds it); a code outside the codelist is rejected.

Countries: an activity is open where it says the money goes, weighed by percentage.
Its `recipient-country` codes are used whenever it names one with a material share
(`MATERIAL_SHARE`, 10% or more, or no percentage given); its DAC `recipient-region`s
are expanded into their countries only when it names no such country, since a region
would open it to every country in it (region 789 is twelve countries, from Cambodia to
Mongolia). A country or region under 10% is left out with a warning; an activity
whose every place is under 10% is rejected.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from typing import IO, Any

from lxml import etree

from shared.importers.fields import (
    amount,
    clean,
    clipped,
    default_places,
    languages,
    link,
    parse_date,
    places,
    relevant_until,
)
from shared.importers.mapping import ImportMappings, Resolution, decide
from shared.importers.records import (
    ImportOptions,
    Rejected,
    SourceFormatError,
    SourceRecord,
    Unmappable,
    validated,
)
from shared.importers.xml_stream import iter_records

FORMAT = "iati"
SUPPORTED_VERSIONS = ("2.01", "2.02", "2.03")
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# activity-date/@type: 1 planned start, 2 actual start, 3 planned end, 4 actual end.
STARTS, ENDS = ("2", "1"), ("4", "3")
OUTGOING_COMMITMENT = "2"
SDG_VOCABULARIES = ("7", "8", "9")
#: The IATI ActivityStatus codelist
#: (https://iatistandard.org/en/iati-standard/203/codelists/activitystatus/).
ACTIVITY_STATUSES = {
    "1": "Pipeline/identification",
    "2": "Implementation",
    "3": "Finalisation",
    "4": "Closed",
    "5": "Cancelled",
    "6": "Suspended",
}
#: The statuses whose funding is still current (see the module docstring).
CURRENT_STATUSES = ("1", "2")
#: The share of an activity (percent) below which a place does not open it there.
MATERIAL_SHARE = 10.0
DAC_REGION_VOCABULARIES = ("", "1")


def read(
    stream: IO[bytes], mappings: ImportMappings, options: ImportOptions
) -> Iterator[SourceRecord]:
    """Every activity of an `<iati-activities version="2.0x">` file."""
    expected = '<iati-activities version="2.0x">'
    records = iter_records(stream, "iati-activities", ("iati-activity",), expected)
    for index, (root, activity) in enumerate(records, start=1):
        if index == 1:
            _check_version(root)
        position = f"/iati-activities/iati-activity[{index}] (line {activity.sourceline})"
        yield map_activity(position, activity, mappings, options)


def _check_version(root: etree._Element) -> None:
    version = clean(root.get("version"))
    if root.tag != "iati-activities" or version not in SUPPORTED_VERSIONS:
        found = f"<{root.tag} version={version!r}>"
        raise SourceFormatError("line 1", f"{found} is not IATI activity XML 2.01-2.03")


def map_activity(
    position: str, activity: etree._Element, mappings: ImportMappings, options: ImportOptions
) -> SourceRecord:
    """One IATI activity as a grant submission, or why it cannot be one."""
    external_id = clean(activity.findtext("iati-identifier")) or None
    lang = clean(activity.get(XML_LANG)).lower()
    warnings: list[str] = []
    try:
        if external_id is None:
            raise Unmappable("has no iati-identifier")
        _check_status(activity, warnings)
        title, title_langs = _narrative(activity.find("title"), lang)
        description, description_langs = _narrative(_general_description(activity), lang)
        fields = {
            "external_id": external_id,
            "title": title,
            "description": clipped(description, "description", warnings),
            "sectors": _sectors(activity, mappings, warnings),
            "countries": _countries(activity, mappings, options, warnings),
            "applicant_types": mappings.default_applicant_types,
            "deadline": _end_of_activity(activity, mappings, warnings),
            "languages": languages([*title_langs, *description_langs], warnings)
            or mappings.default_languages(FORMAT),
            "url": link(_website(activity), warnings),
            **_amounts(activity, clean(activity.get("default-currency")).upper(), warnings),
        }
    except Unmappable as exc:
        return Rejected(position, external_id, str(exc))
    return validated(position, fields, warnings)


def _narrative(element: etree._Element | None, lang: str) -> tuple[str, list[str]]:
    """The text in the activity's default language (else the first), and every
    language the element is given in."""
    if element is None:
        return "", []
    texts = [
        (clean(n.get(XML_LANG)).lower() or lang, clean(n.text)) for n in element.iter("narrative")
    ]
    texts = [(code, text) for code, text in texts if text]
    if not texts:
        return "", []
    chosen = next((text for code, text in texts if code == lang), texts[0][1])
    return chosen, [code for code, _ in texts if code]


def _general_description(activity: etree._Element) -> etree._Element | None:
    descriptions = activity.findall("description")
    general = [d for d in descriptions if d.get("type") in (None, "1")]
    found = general or descriptions
    return found[0] if found else None


def _website(activity: etree._Element) -> str:
    website = clean(activity.findtext("contact-info/website"))
    if website:
        return website
    document = activity.find("document-link")
    return clean(document.get("url")) if document is not None else ""


def _sectors(activity: etree._Element, mappings: ImportMappings, warnings: list[str]) -> list[str]:
    sectors = activity.findall("sector") or activity.findall("transaction/sector")
    parts: list[Resolution] = []
    codes: list[str] = []
    for sector in sectors:
        code, vocabulary = clean(sector.get("code")), clean(sector.get("vocabulary")) or "1"
        if not code:
            continue
        codes.append(code)
        if vocabulary in ("1", "2"):
            parts.append(mappings.dac_sector(code, three_digit=vocabulary == "2"))
        elif vocabulary in SDG_VOCABULARIES:
            goal = code.split(".")[0]
            parts.append(mappings.resolve(mappings.sector_tables, "sdg_goal", [goal]))
        else:
            parts.append(Resolution((), False, (f"{code} (vocabulary {vocabulary})",)))
    merged = Resolution(
        tuple(dict.fromkeys(v for p in parts for v in p.values)),
        any(p.decided for p in parts),
        tuple(u for p in parts for u in p.unknown),
    )
    return decide(merged, "sectors", codes, warnings)


def _check_status(activity: etree._Element, warnings: list[str]) -> None:
    """Unmappable unless the activity's funding is current (see the module docstring)."""
    status = activity.find("activity-status")
    code = clean(status.get("code")) if status is not None else ""
    if not code:
        warnings.append("no activity-status: taken as current (its end date still bounds it)")
        return
    name = ACTIVITY_STATUSES.get(code)
    if name is None:
        raise Unmappable(
            f"activity-status {code!r} is not in the IATI ActivityStatus codelist (1-6)"
        )
    if code not in CURRENT_STATUSES:
        raise Unmappable(
            f"activity-status {code} ({name}): no longer open, so not imported as a grant"
        )


Share = tuple[str, float | None]


def _countries(
    activity: etree._Element, mappings: ImportMappings, options: ImportOptions, warnings: list[str]
) -> list[str]:
    """The recipient countries with a material share; only when there are none, the
    countries of the DAC regions with a material share (see the module docstring)."""
    all_countries = _shares(activity.findall("recipient-country"), "recipient-country", warnings)
    all_regions = _shares(
        [
            r
            for r in activity.findall("recipient-region")
            if clean(r.get("vocabulary")) in DAC_REGION_VOCABULARIES
        ],
        "recipient-region",
        warnings,
    )
    countries = _material(all_countries, "recipient-country", warnings)
    regions = _material(all_regions, "recipient-region", warnings)
    named = places([code for code, _ in countries], mappings, "recipient-country", warnings)
    if named:
        _note_ignored_regions(all_countries, regions, warnings)
        return named
    found = mappings.resolve(mappings.region_tables, "dac", [code for code, _ in regions])
    if found.unknown:
        warnings.append(f"unknown recipient-region {', '.join(found.unknown)} ignored")
    if found.values:
        return list(found.values)
    if (all_countries or all_regions) and not (countries or regions):
        raise Unmappable(
            "every recipient-country and recipient-region has under "
            f"{MATERIAL_SHARE:g}% of the activity: too small a share to say it is open there"
        )
    return default_places(FORMAT, mappings, options)


def _shares(elements: list[etree._Element], what: str, warnings: list[str]) -> list[Share]:
    """(code, percentage or None) of each element with a code."""
    found: list[Share] = []
    for element in elements:
        code = clean(element.get("code"))
        if not code:
            continue
        text = clean(element.get("percentage"))
        share = _percentage(text)
        if text and share is None:
            warnings.append(
                f"{what} {code} percentage {text!r} is not a percentage (0-100); taken as not given"
            )
        found.append((code, share))
    return found


def _percentage(text: str) -> float | None:
    try:
        share = float(text)
    except ValueError:
        return None
    return share if 0 <= share <= 100 else None


def _material(shares: list[Share], what: str, warnings: list[str]) -> list[Share]:
    """The places whose share opens the activity there (no percentage counts as whole);
    the others are named in a warning."""
    kept = [(code, share) for code, share in shares if share is None or share >= MATERIAL_SHARE]
    for code, share in shares:
        if share is not None and share < MATERIAL_SHARE:
            warnings.append(
                f"{what} {code} ({share:g}%) left out: under {MATERIAL_SHARE:g}% of the activity"
            )
    return kept


def _note_ignored_regions(
    countries: list[Share], regions: list[Share], warnings: list[str]
) -> None:
    """Regions are not expanded when countries are named; say so only when the regions
    held a real share of the activity (the countries' percentages leave one)."""
    covered = sum(100.0 if share is None else share for _, share in countries)
    if 100.0 - covered < MATERIAL_SHARE:
        return
    for code, share in regions:
        held = f" ({share:g}%)" if share is not None else ""
        warnings.append(f"recipient-region {code}{held} ignored: the activity names its countries")


def _end_of_activity(
    activity: etree._Element, mappings: ImportMappings, warnings: list[str]
) -> date:
    dates: dict[str, date] = {}
    for element in activity.findall("activity-date"):
        kind = clean(element.get("type"))
        when = parse_date(
            element.get("iso-date"), f"activity-date type {kind}", end_of_period=kind in ENDS
        )
        if kind and when:
            dates[kind] = when
    end = next((dates[k] for k in ENDS if k in dates), None)
    start = next((dates[k] for k in STARTS if k in dates), None)
    return relevant_until(end, start, mappings, warnings)


def _amounts(
    activity: etree._Element, default_currency: str, warnings: list[str]
) -> dict[str, Any]:
    """The activity's total budget in one currency. Revised budgets (type 2) replace
    original ones (type 1) for the same period; without budgets, outgoing commitments
    are summed. No exchange rates are applied: values in other currencies are left out
    and named in a warning."""
    values = _budget_values(activity, default_currency, warnings)
    if not values:
        values = _commitment_values(activity, default_currency, warnings)
    if not values:
        warnings.append("no budget or commitment: no amount")
        return {}
    totals: dict[str, float] = defaultdict(float)
    counts: dict[str, int] = defaultdict(int)
    for currency, value in values:
        totals[currency] += value
        counts[currency] += 1
    currency = default_currency if default_currency in totals else values[0][0]
    left_out = [f"{c} ({counts[c]} value(s))" for c in totals if c != currency]
    if left_out:
        warnings.append(
            f"amounts in {', '.join(left_out)} left out: no exchange rates are applied, "
            f"the amount is the {currency} total"
        )
    return {"amount_max": round(totals[currency], 2), "currency": currency}


def _budget_values(
    activity: etree._Element, default_currency: str, warnings: list[str]
) -> list[tuple[str, float]]:
    by_period: dict[str, tuple[str, list[tuple[str, float]]]] = {}
    for budget in activity.findall("budget"):
        money = _money(budget.find("value"), default_currency, "budget value", warnings)
        if money is None:
            continue
        start = budget.find("period-start")
        period = clean(start.get("iso-date")) if start is not None else ""
        kind = clean(budget.get("type")) or "1"
        best_kind, entries = by_period.get(period, (kind, []))
        if kind > best_kind:
            best_kind, entries = kind, []
        if kind == best_kind:
            entries.append(money)
        by_period[period] = (best_kind, entries)
    return [money for _, entries in by_period.values() for money in entries]


def _commitment_values(
    activity: etree._Element, default_currency: str, warnings: list[str]
) -> list[tuple[str, float]]:
    found = []
    for transaction in activity.findall("transaction"):
        kind = transaction.find("transaction-type")
        if kind is None or kind.get("code") != OUTGOING_COMMITMENT:
            continue
        money = _money(transaction.find("value"), default_currency, "commitment value", warnings)
        if money is not None:
            found.append(money)
    return found


def _money(
    value: etree._Element | None, default_currency: str, what: str, warnings: list[str]
) -> tuple[str, float] | None:
    if value is None:
        return None
    number = amount(value.text, what, warnings)
    if number is None:
        return None
    currency = clean(value.get("currency")).upper() or default_currency
    if not currency:
        warnings.append(f"{what} without a currency (and no default-currency) left out")
        return None
    return currency, number
