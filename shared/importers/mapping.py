"""The mapping table (`shared/data/import_mappings.json`) as typed lookups.

The table is data so that a person who knows a standard can correct a mapping without
reading code. It is checked when loaded: a slug that is not in our taxonomy, or a
country that is not ISO, fails loudly instead of importing nonsense.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any

import pycountry

from shared.domain.taxonomy import ApplicantType, Sector
from shared.importers.records import Unmappable

Table = dict[str, list[str] | None]


@dataclass(frozen=True)
class Resolution:
    """What a record's codes say: the slugs they give, whether any code decided at all
    (a known code with a list, even an empty one), and the codes nobody knows."""

    values: tuple[str, ...]
    decided: bool
    unknown: tuple[str, ...]


def _tables(section: dict[str, Any]) -> dict[str, Table]:
    return {
        name: {code: value for code, value in table.items() if not code.startswith("_")}
        for name, table in section.items()
        if not name.startswith("_")
    }


def _check_values(tables: dict[str, Table], allowed: set[str], what: str) -> None:
    for name, table in tables.items():
        for code, values in table.items():
            bad = [v for v in values or [] if v not in allowed]
            if bad:
                raise ValueError(f"import mappings: {name}[{code}] has unknown {what} {bad}")


def _check_countries(codes: Iterable[str], where: str) -> None:
    bad = [c for c in codes if pycountry.countries.get(alpha_2=c) is None]
    if bad:
        raise ValueError(f"import mappings: {where} has non-ISO country codes {bad}")


class ImportMappings:
    """Lookups from source codes to Grant Match slugs, plus the documented defaults."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.sector_tables = _tables(data["sectors"])
        self.applicant_tables = _tables(data["applicant_types"])
        self.region_tables = _tables(data["regions"])
        self._aliases = {k: v for k, v in data["country_aliases"].items() if k != "_about"}
        defaults = data["defaults"]
        self.default_applicant_types: list[str] = defaults["applicant_types"]
        self.undated_relevance_days: int = defaults["undated_relevance_days"]
        self._countries: dict[str, list[str]] = defaults["countries"]
        self._languages: dict[str, list[str]] = defaults["languages"]
        self._check()

    def _check(self) -> None:
        _check_values(self.sector_tables, {s.value for s in Sector}, "sectors")
        applicants = {a.value for a in ApplicantType}
        _check_values(self.applicant_tables, applicants, "applicant types")
        _check_values(
            {"defaults": {"applicant_types": self.default_applicant_types}}, applicants, ""
        )
        for name, table in self.region_tables.items():
            _check_countries([c for v in table.values() for c in v or []], f"regions.{name}")
        _check_countries(self._aliases.values(), "country_aliases")
        for fmt, codes in self._countries.items():
            _check_countries(codes, f"defaults.countries.{fmt}")

    def resolve(self, tables: dict[str, Table], table: str, codes: Iterable[str]) -> Resolution:
        """Look every code up in one table (see the file's `_about` for the semantics)."""
        values: dict[str, None] = {}
        decided = False
        unknown: list[str] = []
        lookup = tables[table]
        for code in codes:
            if code not in lookup:
                unknown.append(code)
                continue
            found = lookup[code]
            if found is not None:
                decided = True
                values.update(dict.fromkeys(found))
        return Resolution(tuple(values), decided, tuple(unknown))

    def dac_sector(self, code: str, *, three_digit: bool) -> Resolution:
        """A DAC purpose code: the 5-digit table first, then its 3-digit category."""
        if not three_digit and code in self.sector_tables["dac5"]:
            return self.resolve(self.sector_tables, "dac5", [code])
        category = self.resolve(self.sector_tables, "dac3", [code[:3]])
        return category if not category.unknown else Resolution((), False, (code,))

    def country(self, value: str) -> str | None:
        """ISO 3166-1 alpha-2 for a code (alpha-2 or alpha-3) or an English name."""
        return _country(value.strip(), tuple(sorted(self._aliases.items())))

    def default_countries(self, fmt: str) -> list[str]:
        """The countries of a record that names none (see `defaults.countries`)."""
        return list(self._countries.get(fmt, []))

    def default_languages(self, fmt: str) -> list[str]:
        """The languages of a format whose records do not say."""
        return list(self._languages.get(fmt, []))


@lru_cache(maxsize=4096)
def _country(value: str, aliases: tuple[tuple[str, str], ...]) -> str | None:
    if not value:
        return None
    alias = dict(aliases).get(value.casefold())
    if alias:
        return alias
    try:
        return pycountry.countries.lookup(value).alpha_2
    except LookupError:
        return None


def decide(resolution: Resolution, what: str, codes: list[str], warnings: list[str]) -> list[str]:
    """The slugs a record gets from its codes, or Unmappable when every code that decided
    put it outside Grant Match. Unknown codes become warnings."""
    if resolution.unknown:
        warnings.append(f"unknown {what} {', '.join(resolution.unknown)} ignored")
    if resolution.decided and not resolution.values:
        raise Unmappable(f"none of its {what} ({', '.join(codes)}) is one Grant Match covers")
    return list(resolution.values)


@cache
def load_mappings() -> ImportMappings:
    """The packaged mapping table (read and checked once per process)."""
    text = resources.files("shared").joinpath("data/import_mappings.json").read_text("utf-8")
    return ImportMappings(json.loads(text))
