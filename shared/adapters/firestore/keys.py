"""Index keys stored on documents, and the candidate queries built from them (pure).

Firestore allows one `array-contains-any` per query, at most 30 values in it, and at most
30 disjunctions once `in` and `array-contains-any` are multiplied out. So the two
screening rules that are lists on both sides, country and sector, are folded into one
array of `"<country>|<sector>"` keys, and the applicant type rides along as an `in`:

- a project or profile stores, for each of its countries and for "*" (any country), each
  of its sectors (or "*" when a profile names none): `KH|health`, `*|health`;
- a grant stores its countries (or "*") times its sectors (or "*"): `KH|health`, `*|*`.

A new grant then asks for exactly the targets it can fit, and a new target for exactly the
grants it can fit (plus the open-deadline range), and screening in memory only confirms.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import product

from shared.domain.models import Grant
from shared.domain.taxonomy import ApplicantType, Sector

ANY = "*"  # "no restriction" in an index key (worldwide / any sector)
ROLLING = "9999-12-31"  # closes_on / open_until of something without an end date
IN_LIMIT = 30  # values in one `in` / `array-contains-any`, and disjunctions per query
# Past this many queries (a grant naming dozens of countries) one coarser query per sector
# chunk reads a few more documents but makes far fewer round trips.
MAX_QUERIES = 8
ALL_TYPES = frozenset(ApplicantType)


def reach_key(country: str, sector: str) -> str:
    """One (country, sector) index key."""
    return f"{country}|{sector}"


def target_reach_keys(countries: Iterable[str], sectors: Iterable[str]) -> list[str]:
    """Keys of a project or profile: its countries and "*" times its sectors (or "*")."""
    sector_list = list(sectors) or [ANY]
    return [reach_key(c, s) for c, s in product([*countries, ANY], sector_list)]


def grant_reach_keys(grant: Grant) -> list[str]:
    """Keys of a grant: its countries (or "*") times its sectors (or "*")."""
    countries = list(grant.countries) or [ANY]
    sectors = [s.value for s in grant.sectors] or [ANY]
    return [reach_key(c, s) for c, s in product(countries, sectors)]


def eligible_types(grant: Grant) -> list[str]:
    """Applicant types that pass the grant's applicant rule (incl. via a fiscal sponsor)."""
    types = {t.value for t in grant.applicant_types}
    if grant.fiscal_sponsor_ok:
        types.add(ApplicantType.UNREGISTERED_GROUP.value)
    return sorted(types)


@dataclass(frozen=True)
class CandidateQuery:
    """One Firestore query: `field array-contains-any values` (if a field is given) and
    `applicant_type in types` (if types are given)."""

    field: str | None
    values: tuple[str, ...]
    types: tuple[str, ...]


def _chunks(values: list[str], size: int) -> list[tuple[str, ...]]:
    return [tuple(values[i : i + size]) for i in range(0, len(values), size)]


def target_queries(grant: Grant) -> list[CandidateQuery]:
    """The queries that find every project or profile a grant can fit, and few others."""
    types = eligible_types(grant)
    type_filter = () if set(types) == {t.value for t in ALL_TYPES} else tuple(types)
    if grant.sectors:
        countries = list(grant.countries) or [ANY]
        sectors = [s.value for s in grant.sectors] + [ANY]  # ANY: profiles with no sectors
        field, values = "reach_keys", [reach_key(c, s) for c, s in product(countries, sectors)]
    elif grant.countries:
        field, values = "country_keys", list(grant.countries)
    else:  # worldwide and any sector: only the applicant type can narrow it down
        return [CandidateQuery(None, (), type_filter)]
    size = max(1, IN_LIMIT // max(1, len(type_filter)))
    chunks = _chunks(values, size)
    if field == "reach_keys" and len(chunks) > MAX_QUERIES:
        chunks = _chunks([reach_key(ANY, s) for s in sectors], size)
    return [CandidateQuery(field, chunk, type_filter) for chunk in chunks]


def grant_queries(countries: Iterable[str], sectors: Iterable[str]) -> list[CandidateQuery]:
    """The queries that find every grant a project or profile can fit: its countries or
    "*", times its sectors or "*" (a profile without sectors fits every sector). The
    applicant type is left to screening: grants are few next to profiles."""
    country_list = list(countries)
    sector_list = list(sectors) or [s.value for s in Sector]
    keys = [reach_key(c, s) for c, s in product([*country_list, ANY], [*sector_list, ANY])]
    chunks = _chunks(keys, IN_LIMIT)
    if len(chunks) > MAX_QUERIES:  # a profile naming dozens of countries
        chunks = _chunks([*country_list, ANY], IN_LIMIT)
        return [CandidateQuery("country_keys", chunk, ()) for chunk in chunks]
    return [CandidateQuery("reach_keys", chunk, ()) for chunk in chunks]
