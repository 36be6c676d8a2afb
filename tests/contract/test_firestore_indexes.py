"""Every Firestore query the code makes has the composite index it needs in
infra/firestore.indexes.json (the emulator needs none, production refuses the query), and
every composite index there serves a query (an unused one only slows writes)."""

from __future__ import annotations

import json
import textwrap

import pytest

from dev.services import REPO
from tests.contract.firestore_queries import (
    Query,
    Unreadable,
    find_queries,
    index_need,
    queries_in_source,
)

INDEXES = REPO / "infra" / "firestore.indexes.json"
DEPLOYED_CODE = sorted([*(REPO / "shared").rglob("*.py"), *(REPO / "functions").rglob("*.py")])


@pytest.fixture(scope="module")
def queries() -> list[Query]:
    return find_queries(DEPLOYED_CODE, REPO)


@pytest.fixture(scope="module")
def indexes() -> list[dict]:
    return json.loads(INDEXES.read_text())["indexes"]


def missing_indexes(queries: list[Query], indexes: list[dict]) -> list[str]:
    """The queries no index serves, each with the index entry to add."""
    missing = []
    for query in queries:
        need = index_need(query)
        if need is not None and not any(need.served_by(index) for index in indexes):
            missing.append(f"{query}\n  add: {json.dumps(need.as_json())}")
    return missing


def test_every_query_has_the_composite_index_it_needs(queries, indexes):
    assert missing_indexes(queries, indexes) == []


def test_every_composite_index_serves_a_query(queries, indexes):
    needs = [n for n in map(index_need, queries) if n is not None]
    unused = [i for i in indexes if not any(n.served_by(i) for n in needs)]
    assert unused == []


def test_the_reader_finds_the_queries_that_need_indexes(queries):
    shapes = {(q.collection, q.filters, q.orders) for q in queries}
    grants = (("country_keys", "array_contains_any"), ("closes_on", ">="))
    assert ("grants", grants, ()) in shapes
    assert ("notifications", (("status", "=="), ("lease_until", "<")), ()) in shapes
    # Both branches of a conditionally built query, for both collections passed in.
    candidates = (("reach_keys", "array_contains_any"), ("applicant_type", "in"))
    assert {q.collection for q in queries if q.filters == candidates} == {"profiles", "projects"}


def test_a_query_without_its_index_is_reported(queries, indexes):
    without_notifications = [i for i in indexes if i["collectionGroup"] != "notifications"]
    missing = missing_indexes(queries, without_notifications)
    assert len(missing) == 1 and missing[0].startswith("notifications: status ==, lease_until <")
    assert '"fieldPath": "lease_until", "order": "ASCENDING"' in missing[0]


def test_a_new_query_ordering_on_another_field_needs_an_index(indexes):
    source = textwrap.dedent(
        """
        from google.cloud.firestore_v1.base_query import FieldFilter
        GRANTS = "grants"
        def closing_soon(db, country):
            in_country = FieldFilter("country_keys", "array_contains", country)
            query = db.collection(GRANTS).where(filter=in_country)
            return list(query.order_by("closes_on", direction="DESCENDING").limit(20).stream())
        """
    )
    missing = missing_indexes(queries_in_source(source, "new.py"), indexes)
    assert len(missing) == 1 and "order by closes_on DESCENDING" in missing[0]


@pytest.mark.parametrize(
    ("filters", "orders"),
    [
        ((("status", "=="),), ()),
        ((("target_kind", "=="), ("target_id", "==")), ()),
        ((("country_keys", "array_contains_any"),), ()),
        ((("created_at", "<"),), (("created_at", "ASCENDING"),)),
        ((), (("closes_on", "DESCENDING"),)),
    ],
)
def test_single_field_and_equality_only_queries_need_no_composite_index(filters, orders):
    assert index_need(Query("c", "COLLECTION", filters, orders)) is None


@pytest.mark.parametrize(
    "body",
    [
        # a field name the reader cannot resolve
        "db.collection('x').where(filter=FieldFilter(name(), '==', 1)).stream()",
        # a query grown in a loop
        "q = db.collection('x')\n"
        "for f in fields:\n"
        "    q = q.where(filter=FieldFilter('a', '==', f))\n"
        "q.stream()",
        # a composite filter
        "db.collection('x').where(filter=Or([FieldFilter('a', '==', 1)])).stream()",
    ],
)
def test_a_query_the_reader_cannot_read_fails_loudly(body):
    source = "def f(db, fields):\n" + textwrap.indent(body, "    ")
    with pytest.raises(Unreadable):
        queries_in_source(source, "new.py")
