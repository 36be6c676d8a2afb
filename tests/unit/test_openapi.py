"""The OpenAPI document is valid 3.1, documents every route of the ingest function and
nothing else, and takes its schemas from the very models that parse and answer."""

from __future__ import annotations

import re

import pytest
import schemathesis
from flask import Flask

from shared.domain.models import (
    ErasureRequest,
    GrantSubmission,
    InterestSubmission,
    ProfileSubmission,
    ProjectSubmission,
)
from shared.domain.opportunities import (
    EventSubmission,
    TechOfferSubmission,
    TrainingSubmission,
    catalogue_fields,
)
from shared.services.imports import ImportReport, Problem
from shared.services.project_listings import ListedProject, ProjectsPage, public_view
from shared.web.error_mapping import error_body
from shared.web.openapi import REF, openapi_document
from shared.web.opportunities_api import shown
from shared.web.responses import CatalogueItemBody, ImportReportBody, MalformedFileBody
from tests import builders as b
from tests.opportunity_builders import tech_offer_body, training_body

DOC = openapi_document()


def _routes(app: Flask) -> set[tuple[str, str]]:
    """(path, method) of every Flask route, `<any(a, b):x>` expanded, `<x>` as `{x}`."""
    found = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        paths = [rule.rule]
        choice = re.search(r"<any\(([^)]*)\):\w+>", rule.rule)
        if choice:
            options = [o.strip() for o in choice.group(1).split(",")]
            paths = [rule.rule.replace(choice.group(0), o) for o in options]
        for path in paths:
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", path)
            found |= {(path, m.lower()) for m in rule.methods - {"HEAD", "OPTIONS"}}
    return found


def _documented() -> set[tuple[str, str]]:
    return {
        (path, method)
        for path, item in DOC["paths"].items()
        for method in item
        if method in ("get", "post", "put", "delete", "patch")
    }


def test_the_document_is_valid_openapi_3_1():
    assert DOC["openapi"].startswith("3.1")
    schemathesis.openapi.from_dict(DOC).validate()


def test_every_route_is_documented_and_every_documented_route_exists(ingest_app):
    assert _routes(ingest_app) == _documented()


def test_the_served_document_is_this_one(ingest_app):
    client = ingest_app.test_client()
    response = client.get("/openapi.json")
    assert response.status_code == 200 and response.json == DOC


@pytest.mark.parametrize(
    ("path", "method", "model"),
    [
        ("/grants", "post", GrantSubmission),
        ("/grants/{grant_id}", "put", GrantSubmission),
        ("/projects", "post", ProjectSubmission),
        ("/profiles", "post", ProfileSubmission),
        ("/erasure-requests", "post", ErasureRequest),
        ("/projects/{project_id}/interest", "post", InterestSubmission),
        ("/trainings", "post", TrainingSubmission),
        ("/events/{item_id}", "put", EventSubmission),
        ("/tech-offers", "post", TechOfferSubmission),
    ],
)
def test_request_bodies_are_the_models_that_parse_them(path, method, model):
    body = DOC["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": REF.format(model=model.__name__)}
    own = model.model_json_schema(ref_template=REF)
    own.pop("$defs", None)
    assert DOC["components"]["schemas"][model.__name__] == own


def test_limits_of_the_models_are_in_the_document():
    grant = DOC["components"]["schemas"]["GrantSubmission"]["properties"]
    assert grant["title"]["maxLength"] == 300
    assert grant["countries"]["maxItems"] == 250
    assert grant["countries"]["items"]["pattern"] == "^[A-Za-z]{2}$"
    assert DOC["components"]["schemas"]["GrantSubmission"]["additionalProperties"] is False
    project = DOC["components"]["schemas"]["ProjectSubmission"]["properties"]
    assert project["contact_email"]["format"] == "email"


def test_a_listed_project_is_exactly_what_the_listing_schema_allows():
    item = public_view(b.project())
    ListedProject.model_validate(item)  # extra fields (a contact email...) are refused
    ProjectsPage.model_validate({"projects": [item], "next_cursor": None})
    assert "contact_email" not in DOC["components"]["schemas"]["ListedProject"]["properties"]


def test_the_import_report_body_is_exactly_what_an_import_answers():
    report = ImportReport(created=2, rejected=1, warnings=1, stopped_at="line 9: not CSV")
    report.problems += [
        Problem("line 3", "g-3", "rejected", "no title"),
        Problem("line 4", None, "warning", "amount dropped"),
        Problem("line 5", "g-5", "superseded", "again at line 8"),
    ]
    answered = report.as_dict(max_problems=2)
    assert set(ImportReportBody.model_fields) == set(answered)
    ImportReportBody.model_validate(answered)  # extra or missing keys are refused
    MalformedFileBody.model_validate({**error_body("malformed_file", "broken"), "report": answered})
    responses = DOC["paths"]["/grants/import"]["post"]["responses"]
    assert responses["200"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "ImportedBody"
    )
    assert responses["400"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "MalformedFileBody"
    )


def test_the_import_takes_each_standards_file_as_it_is_sent():
    operation = DOC["paths"]["/grants/import"]["post"]
    assert set(operation["requestBody"]["content"]) == {
        "application/json",
        "text/csv",
        "application/xml",
        "text/xml",
    }
    [fmt] = [p for p in operation["parameters"] if p["name"] == "format"]
    assert fmt["required"] and fmt["schema"]["enum"] == ["360giving", "iati", "grantsgov"]


@pytest.mark.parametrize(
    ("path", "model", "own"),
    [
        ("/forms/project", ProjectSubmission, {"form_token", "website"}),
        ("/forms/profile", ProfileSubmission, {"form_token", "website"}),
        ("/forms/interest/{project_id}", InterestSubmission, {"csrf"}),
    ],
)
def test_form_posts_document_every_field_of_the_model_that_parses_them(path, model, own):
    body = DOC["paths"][path]["post"]["requestBody"]["content"]
    properties = body["application/x-www-form-urlencoded"]["schema"]["properties"]
    assert set(properties) == set(model.model_fields) | own
    if "countries" in properties:  # pickers post repeated fields; typed lists are one box
        assert properties["countries"]["type"] == "array"
        assert properties["keywords"]["type"] == "string"


def test_pages_are_html_and_form_posts_redirect_with_a_location():
    assert set(DOC["paths"]["/"]["get"]["responses"]["200"]["content"]) == {"text/html"}
    for path in ("/forms/project", "/forms/profile", "/forms/sign-in", "/forms/sign-out"):
        redirect = DOC["paths"][path]["post"]["responses"]["303"]
        assert redirect["headers"]["Location"]["required"], path
    assert "Set-Cookie" in DOC["paths"]["/forms/sign-in"]["post"]["responses"]["303"]["headers"]


def test_the_projects_listing_documents_the_page_browsers_get_at_the_same_url():
    listing = DOC["paths"]["/projects"]["get"]
    assert set(listing["responses"]["200"]["content"]) == {"application/json", "text/html"}
    assert {p["name"] for p in listing["parameters"]} >= {"format", "lang"}


def test_a_shown_item_is_exactly_what_the_item_schema_allows():
    for submission in (
        TrainingSubmission.model_validate(training_body()),
        TechOfferSubmission.model_validate(tech_offer_body()),
    ):
        fields = {"id": "g_x", "funder_id": "f", "created_at": b.NOW, "updated_at": b.NOW}
        item = b.Grant(**catalogue_fields(submission), **fields)
        CatalogueItemBody.model_validate(shown(item))  # extra or missing keys are refused
    responses = DOC["paths"]["/trainings/{item_id}"]["get"]["responses"]
    assert responses["200"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "CatalogueItemBody"
    )
