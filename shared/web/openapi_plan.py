"""The plan builder in the OpenAPI document (`shared/web/plan_builder.py`): a project's
logical framework written step by step behind the CSO's own signed link. Every post is
saved, problems and all; a step with problems comes back as 422 with each beside its
field. Form fields are named by the plan's paths (`outputs.0.activities.1.end_month`)."""

from __future__ import annotations

from typing import Any, Final

from shared.web.openapi_my import FORM_TOKEN_FIELD, INVALID, TOKEN
from shared.web.openapi_parts import LANG, errors, form_body, html_response, redirect_response
from shared.web.plan_form import STEPS

EXPORTS: Final = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
NOT_A_PROJECT: Final = {404: "The link names an alert profile: only a project has a plan"}
CHECK: Final = {
    "name": "check",
    "in": "query",
    "required": False,
    "description": "`1`: show the step's problems beside their fields (the review links so)",
    "schema": {"type": "string"},
}
STEP_FIELDS: Final = {
    "<level>.statement": "goal, purpose or outputs.N: what the level achieves",
    "<level>.indicators.N.text": "An indicator",
    "<level>.indicators.N.baseline": "Its baseline: a number or a date",
    "<level>.indicators.N.target": "Its target: a number or a date",
    "<level>.verification": "Means of verification, one per line",
    "<level>.assumptions": "Assumptions, one per line",
    "outputs.N.activities.M.text": "An activity of output N",
    "outputs.N.activities.M.start_month": "Its first month (1 to 60)",
    "outputs.N.activities.M.end_month": "Its last month",
    "outputs.N.budget": "Output N's budget, in the project's currency",
    "duration_months": "The plan's length in months (outputs step)",
    "action": "`next` (save, then the next step) or `save` (save, then this step again)",
    "form_token": FORM_TOKEN_FIELD,
}


def _op(summary: str, parameters: list[Any], responses: dict[str, Any], **extra: Any) -> Any:
    return {
        "summary": summary,
        "tags": ["plan builder"],
        "parameters": parameters,
        "responses": responses,
        **extra,
    }


def plan_paths() -> dict[str, Any]:
    """Every route of the plan builder, by path."""
    invalid = {"400": html_response(INVALID)}
    stale = html_response(INVALID + "; or the form again as typed: its form token was stale")
    step_post = _op(
        "Save the step, problems and all",
        [TOKEN, LANG],
        {
            "303": redirect_response("Saved with no problem: to the next step (or this one)"),
            "400": stale,
            "422": html_response("Saved; the step again, each problem beside its field"),
            **errors(413, described=NOT_A_PROJECT, page=True),
        },
        requestBody=form_body(None, **STEP_FIELDS),
    )
    step_get = _op(
        "One step's form, filled in with the draft",
        [TOKEN, LANG, CHECK],
        {"200": html_response("The form"), **invalid, **errors(described=NOT_A_PROJECT, page=True)},
    )
    steps = {f"/my/plan/{step}": {"get": step_get, "post": step_post} for step in STEPS}
    return {
        "/my/plan": {
            "get": _op(
                "The review: the plan as a matrix, and what it still needs",
                [TOKEN, LANG],
                {
                    "200": html_response("The page"),
                    **invalid,
                    **errors(described=NOT_A_PROJECT, page=True),
                },
            )
        },
        **steps,
        **{
            f"/my/plan/export.{fmt}": {
                "get": _op(
                    f"The plan as a {fmt.upper()} outline to send, in the page's language",
                    [TOKEN, LANG],
                    {
                        "200": {
                            "description": "The document, as a download",
                            "content": {media: {"schema": {"type": "string", "format": "binary"}}},
                        },
                        **invalid,
                        **errors(described=NOT_A_PROJECT, page=True),
                    },
                )
            }
            for fmt, media in EXPORTS.items()
        },
        "/my/plan/example": {
            "get": _op(
                "The worked example: a training of trainers, in the page's language",
                [TOKEN, LANG],
                {
                    "200": html_response("The example"),
                    **invalid,
                    **errors(described=NOT_A_PROJECT, page=True),
                },
            ),
            "post": _op(
                "Make the example the project's draft, only while it has none",
                [TOKEN, LANG],
                {
                    "303": redirect_response("Loaded: to the first step"),
                    "400": stale,
                    "409": html_response("The project has a draft already: never replaced"),
                    **errors(413, described=NOT_A_PROJECT, page=True),
                },
                requestBody=form_body(form_token=FORM_TOKEN_FIELD),
            ),
        },
    }
