"""Every limit of the public contract, each at its edge: the last value accepted and the
first refused, with the field named (tests/integration covers the body size over HTTP)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from shared.domain import models as m
from shared.domain.models import (
    ErasureRequest,
    GrantSubmission,
    ProfileSubmission,
    ProjectSubmission,
)
from shared.domain.taxonomy import Sector
from shared.services.project_listings import MAX_LIMIT, ProjectQuery
from tests.builders import grant_body, profile_body, project_body

SECTORS = [s.value for s in Sector]
MEKONG = ["KH", "LA", "MM", "TH", "VN"]


def _refused_fields(model, body) -> set[str]:
    with pytest.raises(ValidationError) as exc:
        model(**body)
    return {str(e["loc"][0]) for e in exc.value.errors()}


# (model, body builder, field, value at the limit, value just over it)
EDGES = [
    (GrantSubmission, grant_body, "title", "t" * m.MAX_TITLE, "t" * (m.MAX_TITLE + 1)),
    (
        GrantSubmission,
        grant_body,
        "description",
        "d" * m.MAX_DESCRIPTION,
        "d" * (m.MAX_DESCRIPTION + 1),
    ),
    (
        GrantSubmission,
        grant_body,
        "external_id",
        "e" * m.MAX_EXTERNAL_ID,
        "e" * (m.MAX_EXTERNAL_ID + 1),
    ),
    (GrantSubmission, grant_body, "sectors", SECTORS, [*SECTORS, SECTORS[0]]),
    (GrantSubmission, grant_body, "countries", MEKONG * 50, MEKONG * 50 + ["KH"]),
    (
        GrantSubmission,
        grant_body,
        "languages",
        ["en"] * m.MAX_LANGUAGES,
        ["en"] * (m.MAX_LANGUAGES + 1),
    ),
    (GrantSubmission, grant_body, "amount_max", m.MAX_AMOUNT, m.MAX_AMOUNT * 10),
    (ProjectSubmission, project_body, "org_name", "o" * m.MAX_NAME, "o" * (m.MAX_NAME + 1)),
    (ProjectSubmission, project_body, "summary", "s" * m.MAX_SUMMARY, "s" * (m.MAX_SUMMARY + 1)),
    (ProjectSubmission, project_body, "sectors", ["health"], []),
    (
        ProfileSubmission,
        profile_body,
        "keywords",
        [f"k{i}" for i in range(m.MAX_KEYWORDS)],
        [f"k{i}" for i in range(m.MAX_KEYWORDS + 1)],
    ),
    (
        ProfileSubmission,
        profile_body,
        "keywords",
        ["k" * m.MAX_KEYWORD],
        ["k" * (m.MAX_KEYWORD + 1)],
    ),
    (
        ProfileSubmission,
        profile_body,
        "exclude_keywords",
        ["k" * m.MAX_KEYWORD],
        ["k" * (m.MAX_KEYWORD + 1)],
    ),
    (ProfileSubmission, profile_body, "countries", ["KH"], []),
]


@pytest.mark.parametrize(("model", "body", "field", "at_limit", "over"), EDGES)
def test_each_limit_accepts_its_edge_and_refuses_one_more(model, body, field, at_limit, over):
    model(**body(**{field: at_limit}))
    assert _refused_fields(model, body(**{field: over})) == {field}


@pytest.mark.parametrize(
    "address",
    [
        "no-at-sign.example.org",
        "two@@example.org",
        "nodomain@",
        "no-tld@localhost",
        "spaces in@example.org",
        "x@" + "d" * 250 + ".org",  # over 254 octets in all
        "l" * 65 + "@example.org",  # a local part over 64 octets (RFC 5321)
        "é" * 33 + "@example.org",  # 33 characters, but 66 octets
    ],
)
def test_email_syntax_is_checked_without_asking_the_dns(address):
    assert _refused_fields(ProfileSubmission, profile_body(email=address)) == {"email"}
    assert _refused_fields(ProjectSubmission, project_body(contact_email=address)) == {
        "contact_email"
    }
    assert _refused_fields(ErasureRequest, {"email": address}) == {"email"}


def test_a_local_part_of_exactly_64_octets_is_accepted():
    address = "l" * 64 + "@example.org"
    assert str(ProfileSubmission(**profile_body(email=address)).email) == address


def test_an_address_at_a_domain_that_does_not_exist_is_accepted_as_written():
    # Syntax only: looking the domain up would leak who signs up to a DNS resolver.
    profile = ProfileSubmission(**profile_body(email="someone@no-such-domain-xyz.example"))
    assert str(profile.email) == "someone@no-such-domain-xyz.example"


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.org/x",
        "javascript:alert(1)",
        "file:///etc/passwd",
        "data:text/html,x",
        "//x.org",
    ],
)
def test_grant_links_are_http_or_https_only(url):
    assert _refused_fields(GrantSubmission, grant_body(url=url)) == {"url"}


def test_listing_pages_are_bounded():
    assert ProjectQuery(limit=MAX_LIMIT).limit == MAX_LIMIT
    with pytest.raises(ValidationError):
        ProjectQuery(limit=MAX_LIMIT + 1)
    with pytest.raises(ValidationError):
        ProjectQuery(cursor="c" * 1001)
