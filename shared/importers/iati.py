"""IATI activity XML, versions 2.01 to 2.03 (https://iatistandard.org/en/iati-standard/203/).

IATI describes aid *activities* (mostly funded already), not open calls. An activity
becomes a grant that shows who funds what, where: `amount_max` is its total budget in
one currency, `deadline` is the end of the activity, countries come from
`recipient-country` (and the DAC regions that reach the Mekong), sectors from DAC
purpose codes or SDG goals. IATI has no eligibility field, so `applicant_types` is the
documented default.
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
    return (general or descriptions or [None])[0]


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


def _countries(
    activity: etree._Element, mappings: ImportMappings, options: ImportOptions, warnings: list[str]
) -> list[str]:
    codes = [clean(c.get("code")) for c in activity.findall("recipient-country")]
    countries = places([c for c in codes if c], mappings, "recipient-country", warnings)
    regions = [
        clean(r.get("code"))
        for r in activity.findall("recipient-region")
        if clean(r.get("vocabulary")) in ("", "1")
    ]
    found = mappings.resolve(mappings.region_tables, "dac", [r for r in regions if r])
    if found.unknown:
        warnings.append(f"unknown recipient-region {', '.join(found.unknown)} ignored")
    countries += [c for c in found.values if c not in countries]
    return countries or default_places(FORMAT, mappings, options)


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
