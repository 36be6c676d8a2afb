"""Index keys and candidate query plans: exact, and within Firestore's query limits."""

from __future__ import annotations

import pycountry

from shared.adapters.firestore.keys import (
    IN_LIMIT,
    grant_queries,
    grant_reach_keys,
    target_queries,
    target_reach_keys,
)
from tests import builders as b


def _disjunctions(query) -> int:
    return max(1, len(query.values)) * max(1, len(query.types))


def test_target_keys_cover_its_countries_and_any_country_for_each_sector():
    keys = target_reach_keys(["KH"], ["health", "youth"])
    assert set(keys) == {"KH|health", "KH|youth", "*|health", "*|youth"}
    assert set(target_reach_keys(["LA"], [])) == {"LA|*", "*|*"}


def test_grant_keys_are_its_countries_times_its_sectors_or_any():
    grant = b.grant(countries=[], sectors=[])
    assert grant_reach_keys(grant) == ["*|*"]


def test_a_grants_query_keys_meet_exactly_the_keys_of_targets_it_fits():
    grant = b.grant(countries=["KH"], sectors=["health"])
    (query,) = target_queries(grant)
    assert set(query.values) & set(target_reach_keys(["KH"], ["health", "climate"]))
    assert set(query.values) & set(target_reach_keys(["KH"], []))  # profile: any sector
    assert not set(query.values) & set(target_reach_keys(["TH"], ["health"]))
    assert not set(query.values) & set(target_reach_keys(["KH"], ["climate"]))


def test_every_query_stays_within_thirty_disjunctions():
    countries = sorted(c.alpha_2 for c in pycountry.countries)
    for n_countries in (0, 1, 5, 40, 200):
        grant = b.grant(
            countries=countries[:n_countries],
            sectors=["health", "youth", "climate"],
            applicant_types=["registered_ngo", "network", "academic"],
            fiscal_sponsor_ok=True,
        )
        queries = target_queries(grant)
        assert all(_disjunctions(q) <= IN_LIMIT for q in queries)
        assert len(queries) <= 8
    for n_countries in (1, 5, 100):
        assert all(len(q.values) <= IN_LIMIT for q in grant_queries(countries[:n_countries], []))


def test_worldwide_any_sector_grant_is_narrowed_by_applicant_type_only():
    grant = b.grant(countries=[], sectors=[], applicant_types=["academic"], fiscal_sponsor_ok=False)
    (query,) = target_queries(grant)
    assert query.field is None and query.types == ("academic",)


def test_fiscal_sponsor_adds_unregistered_groups_to_the_type_filter():
    grant = b.grant(applicant_types=["registered_ngo"], fiscal_sponsor_ok=True)
    assert set(target_queries(grant)[0].types) == {"registered_ngo", "unregistered_group"}
