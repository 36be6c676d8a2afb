"""The projects page as a response, and the funder signed in on this browser.

`GET /projects` serves it to a browser (the API blueprint: one URL, two representations),
and a refused sign-in shows it again with the reason (the site blueprint).
"""

from __future__ import annotations

from typing import Any

from flask import request

from shared.domain.errors import Forbidden, MalformedRequest, NotFound, ValidationFailed
from shared.domain.ids import is_grant_id
from shared.matching.screening import deadline_today
from shared.runtime.bootstrap import Adapters
from shared.services.funders import session_still_valid
from shared.services.interests import interests_of
from shared.services.project_listings import (
    FOR_FUNDERS,
    PUBLIC_ONLY,
    ProjectQuery,
    best_fit_projects,
    newest_projects,
    owned_grant,
)
from shared.web.context import adapters, web
from shared.web.funder_session import COOKIE, FunderSession
from shared.web.pages.site import FormState, GrantHeading, project_card, projects_page
from shared.web.parsing import parse_query


def signed_in(ad: Adapters) -> FunderSession | None:
    """The funder signed in on this browser, if its session and key are still valid."""
    session = web().sessions.read(request.cookies.get(COOKIE), ad.clock.now())
    if session and session_still_valid(ad, session.funder_id, session.key_id, session.sid):
        return session
    return None


def projects_page_response(
    language: str,
    sign_in: FormState | None = None,
    status: int = 200,
    *,
    grant_id: str | None = None,
) -> Any:
    """The projects page: open projects, filtered, newest first (no cursor needed to
    start); a signed-in funder also sees `funders` projects and can say it is interested,
    and with `?grant=` one of its grants' fitting projects best first (what the weekly
    digest links to). Another's or an unknown grant shows the newest list, the same way
    for both, so the page says nothing about grants that are not the funder's."""
    ad = adapters()
    session = signed_in(ad)
    notice = None
    try:
        query = parse_query(request.args, ProjectQuery)
    except (ValidationFailed, MalformedRequest):
        query, notice = ProjectQuery(), "bad-filter"
    wanted = grant_id or query.grant
    query = query.model_copy(update={"sort": None, "grant": None})
    grant, sign_in_grant = None, ""
    if wanted and session is None:
        notice = "sign-in-for-grant"
        sign_in_grant = wanted if is_grant_id(wanted) else ""
    elif wanted and session is not None:
        try:
            grant = owned_grant(ad, session.funder_id, wanted)
        except (NotFound, Forbidden):
            notice, status = "unknown-grant", 404
    today = deadline_today(ad.clock.now())
    visibilities = FOR_FUNDERS if session else PUBLIC_ONLY

    def listing(query: ProjectQuery) -> Any:
        if grant is not None:
            return best_fit_projects(ad, grant, query, FOR_FUNDERS, today)
        return newest_projects(ad, query, visibilities, today)

    try:
        page = listing(query)
    except MalformedRequest:  # a cursor from elsewhere: start from the first page
        query, notice = query.model_copy(update={"cursor": None}), "bad-filter"
        page = listing(query)
    mine = interests_of(ad, session.funder_id, [i["id"] for i in page.items]) if session else {}
    cards = [project_card(item, language, mine.get(item["id"])) for item in page.items]
    response = projects_page(
        language,
        web().prefix,
        cards,
        sector=query.sector or "",
        country=query.country or "",
        next_cursor=page.next_cursor,
        funder_name=ad.funders.name_of(session.funder_id) if session else None,
        grant=GrantHeading(grant.id, grant.title) if grant else None,
        sign_in_grant=sign_in_grant,
        sign_in=sign_in,
        notice=notice,
        status=status,
    )
    response.vary.update(["Accept", "Cookie"])
    return response
