"""Email rendering (pure): a recipient and what to tell them in, subject/text/HTML out.

Templates are rendered in the recipient's language (`shared.email.i18n.jinja_environment`).
HTML templates are autoescaped, so a grant title containing
`<script>` arrives as text. Every email carries a one-click unsubscribe link in its body
and in the RFC 8058 `List-Unsubscribe` / `List-Unsubscribe-Post` headers, and a link that
deletes the address's data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from shared.domain.models import Interest, Project
from shared.domain.opportunities import OpportunityKind
from shared.domain.recipients import EmailKind, Recipient, RecipientKind
from shared.email.i18n import (
    format_money,
    jinja_environment,
    language_or_fallback,
)
from shared.email.items import (
    ChangeItem,
    GrantProjects,
    MatchItem,
)
from shared.email.kinds import sections
from shared.email.links import LIFETIME, LinkSigner, Purpose


@dataclass(frozen=True)
class Email:
    """A rendered email, ready for any sender."""

    to: str
    subject: str
    text: str
    html: str
    category: str
    reference: str
    headers: dict[str, str] = field(default_factory=dict)


def _render(
    name: str,
    recipient: Recipient,
    links: LinkSigner,
    reference: str,
    **context: Any,
) -> Email:
    env = jinja_environment(language_or_fallback(recipient.language))
    unsubscribe = links.unsubscribe_url(recipient.kind, recipient.id)
    erase = links.erase_url(recipient.kind, recipient.id)
    context.update(recipient=recipient, unsubscribe_url=unsubscribe, erase_url=erase)
    # A CSO's own page ("My Grant Match"); funders sign in on the site instead.
    context["my_url"] = (
        links.my_matches_url(recipient.kind, recipient.id)
        if recipient.kind is not RecipientKind.FUNDER
        else ""
    )
    subject = " ".join(env.get_template(f"email/{name}.subject.j2").render(context).split())
    context["subject"] = subject
    return Email(
        to=recipient.email,
        subject=subject,
        text=env.get_template(f"email/{name}.txt.j2").render(context),
        html=env.get_template(f"email/{name}.html.j2").render(context),
        category=name,
        reference=reference,
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


def render_confirmation(recipient: Recipient, links: LinkSigner, reference: str) -> Email:
    """Double opt-in: the only email an unconfirmed address ever gets."""
    return _render(
        EmailKind.CONFIRMATION.value,
        recipient,
        links,
        reference,
        confirm_url=links.confirm_url(recipient.kind, recipient.id),
        link_days=LIFETIME[Purpose.CONFIRM].days,
    )


def render_erasure(recipient: Recipient, links: LinkSigner, reference: str) -> Email:
    """The link to delete an address's data, sent because someone asked for it by address
    (the asker learns nothing: the email goes to the address, if it is known at all)."""
    return _render(EmailKind.ERASURE.value, recipient, links, reference)


@dataclass(frozen=True)
class MyPageLink:
    """One of an address's profiles or projects, and the link to its own page."""

    name: str
    url: str


def render_my_link(
    recipient: Recipient, pages: Sequence[Recipient], links: LinkSigner, reference: str
) -> Email:
    """The links to the CSO's own pages ("My Grant Match"), sent because someone asked
    by address: one per alert profile and project of that address."""
    items = [
        MyPageLink(p.project_title or p.name, links.my_matches_url(p.kind, p.id)) for p in pages
    ]
    return _render(EmailKind.MY_LINK.value, recipient, links, reference, pages=items)


def _grouped(recipient: Recipient, items: Sequence[MatchItem]) -> dict[str, Any]:
    """The items, and the same items grouped by kind (headed unless all are grants)."""
    language = language_or_fallback(recipient.language)
    groups = sections(items, language)
    only_grants = all(item.kind == OpportunityKind.GRANT.value for item in items)
    return {"items": list(items), "sections": groups, "only_grants": only_grants}


def render_alerts(
    recipient: Recipient, items: Sequence[MatchItem], links: LinkSigner, reference: str
) -> Email:
    """Instant alert: the new matches of the last few minutes, in one email, grouped by
    kind."""
    return _render(
        EmailKind.ALERTS.value, recipient, links, reference, **_grouped(recipient, items)
    )


def render_digest(
    recipient: Recipient,
    items: Sequence[MatchItem],
    more: int,
    links: LinkSigner,
    reference: str,
) -> Email:
    """Weekly digest: the best matches up to the cap, grouped by kind; `more` wait for
    the next one."""
    grouped = _grouped(recipient, items)
    return _render(EmailKind.DIGEST.value, recipient, links, reference, more=more, **grouped)


def render_reminder(
    recipient: Recipient, items: Sequence[MatchItem], links: LinkSigner, reference: str
) -> Email:
    """Matched items closing (or closing registration) within a week, in one email."""
    grouped = _grouped(recipient, items)
    return _render(EmailKind.REMINDER.value, recipient, links, reference, **grouped)


def render_changes(
    recipient: Recipient, items: Sequence[ChangeItem], links: LinkSigner, reference: str
) -> Email:
    """Calls the recipient was alerted about that changed at their source, in one email."""
    return _render(EmailKind.CHANGES.value, recipient, links, reference, items=list(items))


def render_funder_digest(
    recipient: Recipient,
    grants: Sequence[GrantProjects],
    more: int,
    links: LinkSigner,
    reference: str,
) -> Email:
    """A funder's weekly "projects that fit your grants"."""
    count = sum(len(g.projects) for g in grants)
    return _render(
        "funder_projects", recipient, links, reference, grants=list(grants), count=count, more=more
    )


def _pledge(interest: Interest, language: str) -> str:
    if not interest.pledge or interest.currency is None:
        return ""
    return format_money(interest.pledge, interest.currency, language)


def render_interest(
    recipient: Recipient,
    funder_name: str,
    interest: Interest,
    share_url: str,
    links: LinkSigner,
    reference: str,
) -> Email:
    """To a CSO: a funder is interested in its project. The funder does not get the
    CSO's address unless the CSO follows `share_url` and agrees."""
    return _render(
        EmailKind.INTEREST.value,
        recipient,
        links,
        reference,
        funder_name=funder_name,
        message=interest.message,
        pledge=_pledge(interest, language_or_fallback(recipient.language)),
        share_url=share_url,
        link_days=LIFETIME[Purpose.SHARE_CONTACT].days,
    )


def render_introduction(
    recipient: Recipient, project: Project, interest: Interest, links: LinkSigner, reference: str
) -> Email:
    """To a funder, once the CSO agreed: the CSO's address and its reply. The only
    email that ever carries a project's contact address to anyone but its owner."""
    return _render(
        EmailKind.INTRODUCTION.value,
        recipient,
        links,
        reference,
        org_name=project.org_name,
        project_title=project.title,
        contact_email=str(project.contact_email),
        reply=interest.reply,
        pledge=_pledge(interest, language_or_fallback(recipient.language)),
    )
