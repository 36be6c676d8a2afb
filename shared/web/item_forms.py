"""A training, an event or a tech offer posted as a web form: the shared fields and the
kind's own (`details`) sit side by side on the form, by their names, and are parsed into
the JSON API's own model, so there is one validation path."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ValidationError
from werkzeug.datastructures import MultiDict

from shared.domain.opportunities import (
    SUBMISSIONS,
    EventDetails,
    OpportunityKind,
    OpportunitySubmission,
    TechOfferDetails,
    TrainingDetails,
)
from shared.web.forms import FormInvalid, field_errors, form_data
from shared.web.parsing import submission_context

DETAILS: dict[OpportunityKind, type[BaseModel]] = {
    OpportunityKind.TRAINING: TrainingDetails,
    OpportunityKind.EVENT: EventDetails,
    OpportunityKind.TECH_OFFER: TechOfferDetails,
}


def parse_item_form(
    form: MultiDict[str, str],
    kind: OpportunityKind,
    language: str,
    *,
    now: datetime | None = None,
) -> OpportunitySubmission:
    """The form validated as the kind's submission, or FormInvalid with a message per
    bad field (a kind's own fields named as on the form)."""
    model = SUBMISSIONS[kind]
    data = form_data(form, model)
    details = form_data(form, DETAILS[kind])
    data["details"] = {**details, "kind": kind.value}
    try:
        parsed = model.model_validate(data, context=submission_context(now))
    except ValidationError as exc:
        raise FormInvalid(field_errors(exc, language)) from exc
    return parsed  # type: ignore[return-value]
