"""Who receives email: a profile, a project's contact or a funder, seen the same way.

Sending code asks one question of a recipient, `may_receive(kind)`, so the consent rules
(double opt-in, unsubscribe) live in exactly one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from shared.domain.models import Profile, Project
from shared.domain.taxonomy import Frequency


class RecipientKind(StrEnum):
    """What an email address belongs to."""

    PROFILE = "profile"
    PROJECT = "project"
    FUNDER = "funder"


class EmailKind(StrEnum):
    """Every email Grant Match sends."""

    CONFIRMATION = "confirmation"
    ALERTS = "alerts"  # instant: one email per new match, batched over a short window
    DIGEST = "digest"  # weekly: profiles' matches, funders' fitting projects
    REMINDER = "reminder"  # matched grants closing within a week
    CHANGES = "changes"  # harvested calls already alerted about changed at their source
    INTEREST = "interest"  # to a CSO: a funder is interested in its project
    INTRODUCTION = "introduction"  # to that funder, once the CSO agreed: the CSO's address
    ERASURE = "erasure"  # a link to delete the address's data, sent because someone asked
    MY_LINK = "my_link"  # a link to the CSO's own page of matches, sent because it asked


@dataclass(frozen=True)
class Recipient:
    """An email address with the consent and preferences that govern what it gets."""

    kind: RecipientKind
    id: str
    email: str
    name: str
    language: str
    frequency: Frequency
    confirmed: bool
    unsubscribed: bool
    # What the applicant asked for, shown beside the grant's amount (never for funders).
    amount_min: float | None = None
    amount_max: float | None = None
    currency: str | None = None
    project_title: str | None = None

    @classmethod
    def of_profile(cls, profile: Profile) -> Recipient:
        """An alert profile as a recipient."""
        return cls(
            RecipientKind.PROFILE,
            profile.id,
            str(profile.email),
            profile.org_name,
            profile.language,
            profile.frequency,
            profile.confirmed,
            profile.unsubscribed_at is not None,
            profile.amount_min,
            profile.amount_max,
            profile.currency,
        )

    @classmethod
    def of_project(cls, project: Project) -> Recipient:
        """A project's contact as a recipient: projects hear about grants at once."""
        return cls(
            RecipientKind.PROJECT,
            project.id,
            str(project.contact_email),
            project.org_name,
            project.language,
            Frequency.INSTANT,
            project.confirmed,
            project.unsubscribed_at is not None,
            None,
            project.amount_needed,
            project.currency,
            project.title,
        )

    @classmethod
    def of_funder(
        cls, funder_id: str, name: str, email: str, language: str, unsubscribed: bool
    ) -> Recipient:
        """A funder's private contact: entered by an operator (`grantmatch funder create
        --email`), so it needs no opt-in; it gets the weekly "projects that fit"."""
        return cls(
            RecipientKind.FUNDER,
            funder_id,
            email,
            name,
            language,
            Frequency.WEEKLY,
            True,
            unsubscribed,
        )

    def may_receive(self, kind: EmailKind) -> bool:
        """Consent, in one place: an unsubscribed address gets nothing; an unconfirmed
        one gets only the confirmation email. The erasure link and the link to one's own
        page are the exceptions both ways: they were asked for, and without them nobody
        could see or delete data typed in with their address."""
        if kind in (EmailKind.ERASURE, EmailKind.MY_LINK):
            return True
        if self.unsubscribed:
            return False
        return kind is EmailKind.CONFIRMATION or self.confirmed

    @property
    def wants_instant(self) -> bool:
        """True if new matches go out within minutes rather than in the weekly digest."""
        return self.frequency is Frequency.INSTANT
