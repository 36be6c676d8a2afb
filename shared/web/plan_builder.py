"""The plan builder on the web: a project's logical framework written step by step (goal,
purpose, outputs with their activities, months and budget; then the review), behind the
same signed link as the CSO's own page (`/my/plan?token=…`), no account.

Plain forms, Post/Redirect/Get, no script. Every post is saved, problems and all, so a
step submitted with errors loses nothing: the step comes back (422) with what was typed
and each problem beside its field. A stale form token saves nothing and shows the form
again as typed (400), as the site's other forms do.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, redirect, request

from shared.domain.logframe import Logframe
from shared.email.i18n import LANGUAGES
from shared.services import my_matches, plans
from shared.services.plan_export import MEDIA_TYPES, DocumentFormat, export_plan
from shared.services.plans import PlanDraft
from shared.web.context import adapters, web
from shared.web.pages.plan import (
    NOTICES,
    example_page,
    review_page,
    step_errors,
    step_page,
)
from shared.web.plan_form import STEPS, read_step

plan_builder = Blueprint("plans", __name__)
log = logging.getLogger(__name__)


def _language(recipient_language: str) -> str:
    asked = request.args.get("lang", "")
    return asked if asked in LANGUAGES else recipient_language


def _url(path: str, token: str, language: str, **extra: str) -> str:
    query = urlencode({"token": token, "lang": language, **extra})
    return f"{web().prefix}/my/plan{path}?{query}"


def _form_ok() -> bool:
    now = adapters().clock.now()
    return web().form_tokens.nonce(request.form.get("form_token", ""), now) is not None


def _opened() -> tuple[str, str, PlanDraft]:
    """The token, the page's language and the project's draft (InvalidLink, NotFound)."""
    token = request.args.get("token", "")
    recipient = my_matches.recipient_of(adapters(), token)
    return token, _language(recipient.language), plans.draft_of(adapters(), recipient)


def _notice() -> str:
    notice = request.args.get("done", "")
    return notice if notice in NOTICES else ""


@plan_builder.get("/my/plan")
def plan_overview() -> Any:
    """The review: the plan as a matrix, and what it still needs, linked to its step."""
    token, language, draft = _opened()
    return review_page(language, web().prefix, token, draft, notice=_notice())


@plan_builder.route("/my/plan/<any(goal, purpose, outputs):step>", methods=["GET", "POST"])
def plan_step(step: str) -> Any:
    """GET: the step's form (with its problems if `check=1`, as the review links).
    POST: save the step; on to the next step, or this one again with its problems."""
    token, language, draft = _opened()
    prefix = web().prefix

    def page(shown: PlanDraft, **kwargs: Any) -> Any:
        issued = web().form_tokens.issue()
        return step_page(language, prefix, token, issued, shown, step, **kwargs)

    if request.method == "GET":
        errors = step_errors(draft, step, language) if request.args.get("check") else {}
        return page(draft, errors=errors, notice=_notice())
    read = read_step(request.form, step, draft.plan)
    if not _form_ok():
        shown = PlanDraft(draft.project, read.plan, draft.revision, [])
        return page(shown, typed=read.typed, notice="expired", status=400)
    recipient = my_matches.recipient_of(adapters(), token)
    saved = plans.save_draft(adapters(), recipient, read.plan)
    errors = step_errors(saved, step, language, read.problems)
    if errors:
        return page(saved, errors=errors, typed=read.typed, status=422)
    if request.form.get("action") == "save":
        return redirect(_url(f"/{step}", token, language, done="saved"), 303)
    following = STEPS.index(step) + 1
    path = f"/{STEPS[following]}" if following < len(STEPS) else ""
    return redirect(_url(path, token, language), 303)


@plan_builder.route("/my/plan/example", methods=["GET", "POST"])
def plan_example() -> Any:
    """The worked example (a training of trainers); POST makes it the draft, only while
    the project has none (a draft is never replaced: 409 and the example again)."""
    token, language, draft = _opened()
    prefix = web().prefix
    example = plans.example_plan(language, draft.project.amount_needed)

    def page(**kwargs: Any) -> Any:
        issued = web().form_tokens.issue()
        return example_page(language, prefix, token, issued, draft, example, **kwargs)

    if request.method == "GET":
        return page()
    if not _form_ok():
        return page(notice="expired", status=400)
    if draft.revision > 0 or draft.plan != Logframe():
        return page(notice="not_empty", status=409)
    recipient = my_matches.recipient_of(adapters(), token)
    plans.save_draft(adapters(), recipient, example)
    return redirect(_url("/goal", token, language, done="loaded"), 303)


@plan_builder.get("/my/plan/export.<any(pdf, docx):document_format>")
def plan_export(document_format: str) -> Any:
    """The plan as a document to send to a funder (PDF, or DOCX to edit further), in the
    page's language, the draft as it stands. A download, never cached on the way."""
    _token, language, draft = _opened()
    chosen = DocumentFormat(document_format)
    body = export_plan(adapters(), draft.project.id, chosen, language)
    log.info("plan exported", extra={"format": chosen.value, "language": language})
    return Response(
        body,
        mimetype=MEDIA_TYPES[chosen],
        headers={
            "Content-Disposition": f'attachment; filename="plan-{language}.{chosen.value}"',
            "Cache-Control": "private, no-store",
        },
    )
