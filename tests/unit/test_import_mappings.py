"""The mapping table: valid against our taxonomy, and read the way its header says."""

from __future__ import annotations

import copy
import json
from importlib import resources

import pytest

from shared.importers.mapping import ImportMappings, decide, load_mappings
from shared.importers.records import Unmappable


def _raw() -> dict:
    text = resources.files("shared").joinpath("data/import_mappings.json").read_text("utf-8")
    return json.loads(text)


def test_the_packaged_table_loads_and_passes_its_own_checks():
    mappings = load_mappings()
    assert mappings.default_applicant_types == ["registered_ngo"]
    assert {"dac5", "dac3", "sdg_goal", "grantsgov_category", "classification_title"} <= set(
        mappings.sector_tables
    )


def test_a_slug_outside_the_taxonomy_is_refused_when_loading():
    data = copy.deepcopy(_raw())
    data["sectors"]["dac5"]["15160"] = ["human-rights", "humman-rights"]
    with pytest.raises(ValueError, match="humman-rights"):
        ImportMappings(data)


def test_a_region_with_a_non_iso_country_is_refused_when_loading():
    data = copy.deepcopy(_raw())
    data["regions"]["dac"]["789"] = ["KH", "XX"]
    with pytest.raises(ValueError, match="XX"):
        ImportMappings(data)


def test_dac_codes_have_the_lengths_their_tables_promise():
    tables = load_mappings().sector_tables
    assert all(len(code) == 5 and code.isdigit() for code in tables["dac5"])
    assert all(len(code) == 3 and code.isdigit() for code in tables["dac3"])


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("15160", ("human-rights",)),  # listed itself
        ("11220", ("education",)),  # primary education: through its category 112
        ("15110", ()),  # public sector management: known, outside Grant Match
    ],
)
def test_dac_purpose_codes_fall_back_to_their_category(code, expected):
    resolution = load_mappings().dac_sector(code, three_digit=False)
    assert resolution.values == expected and resolution.decided and not resolution.unknown


def test_an_unknown_dac_code_is_reported_not_guessed():
    resolution = load_mappings().dac_sector("99999", three_digit=False)
    assert resolution.unknown == ("99999",) and not resolution.decided


def test_a_null_entry_neither_restricts_nor_rejects():
    mappings = load_mappings()
    resolution = mappings.resolve(mappings.sector_tables, "grantsgov_category", ["O"])
    assert resolution.values == () and not resolution.decided
    assert decide(resolution, "categories", ["O"], []) == []


def test_codes_that_all_fall_outside_reject_the_record_naming_them():
    mappings = load_mappings()
    resolution = mappings.resolve(mappings.sector_tables, "grantsgov_category", ["AR", "HO"])
    with pytest.raises(Unmappable, match="AR, HO"):
        decide(resolution, "funding categories", ["AR", "HO"], [])


def test_unknown_codes_are_ignored_with_a_warning():
    mappings = load_mappings()
    resolution = mappings.resolve(mappings.sector_tables, "grantsgov_category", ["ED", "ZZ"])
    warnings: list[str] = []
    assert decide(resolution, "funding categories", ["ED", "ZZ"], warnings) == ["education"]
    assert warnings == ["unknown funding categories ZZ ignored"]


@pytest.mark.parametrize(
    ("value", "code"),
    [("KH", "KH"), ("khm", "KH"), ("Viet Nam", "VN"), ("Laos", "LA"), ("Burma", "MM"),
     ("Lao PDR", "LA"), ("England", "GB"), ("Atlantis", None), ("", None)],
)  # fmt: skip
def test_countries_are_read_from_codes_names_and_aliases(value, code):
    assert load_mappings().country(value) == code
