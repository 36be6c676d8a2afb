"""Web form posts (application/x-www-form-urlencoded) into the JSON API's own models.

A form is parsed into the very pydantic model the JSON API validates
(`ProjectSubmission`, `ProfileSubmission`, `InterestSubmission`), so there is one
validation path. This module only maps between the two shapes: form fields into the
model's (lists from repeated fields or from comma-separated text, blank fields left out
so the model's defaults apply), and pydantic's errors back onto the form's fields, in
the reader's language.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, TypeVar, get_origin

from pydantic import BaseModel, ValidationError
from werkzeug.datastructures import MultiDict

from shared.domain.text import UnsafeText
from shared.email.i18n import N_, translations
from shared.web.parsing import submission_context

M = TypeVar("M", bound=BaseModel)

#: Free-text lists typed into one box ("digital security, radio"): split on commas
#: (Latin, Burmese, CJK) and line breaks.
COMMA_FIELDS = frozenset({"keywords", "exclude_keywords"})
_COMMAS = re.compile(r"[,\n\r\u104a\u3001\uff0c]")
#: The field bots fill and people never see; a post that fills it is dropped (see ingest).
HONEYPOT = "website"

# Messages by pydantic error type; ctx values (max_length...) are filled in.
_BY_TYPE: dict[str, str] = {
    "missing": N_("Please fill this in."),
    "string_too_short": N_("Please fill this in."),
    "too_short": N_("Choose at least one."),
    "string_too_long": N_("This is too long: at most %(max_length)s characters."),
    "too_long": N_("Too many: at most %(max_length)s."),
    "float_parsing": N_("Enter a number, for example 25000."),
    "float_type": N_("Enter a number, for example 25000."),
    "finite_number": N_("Enter a number, for example 25000."),
    "greater_than_equal": N_("Enter a number that is not negative."),
    "less_than_equal": N_("This number is too large."),
    "date_parsing": N_("Enter a date as year-month-day, for example 2027-03-31."),
    "date_from_datetime_parsing": N_("Enter a date as year-month-day, for example 2027-03-31."),
    "date_from_datetime_inexact": N_("Enter a date as year-month-day, for example 2027-03-31."),
    "date_type": N_("Enter a date as year-month-day, for example 2027-03-31."),
    "enum": N_("Choose one of the options."),
    "date_in_past": N_("This date has passed. Enter %(first)s or a later date."),
    "literal_error": N_("Choose one of the options."),
}
# `value_error`s come from our own validators: what they mean depends on the field.
_VALUE_ERROR_BY_FIELD: dict[str, str] = {
    "email": N_("Enter an email address, for example name@example.org."),
    "contact_email": N_("Enter an email address, for example name@example.org."),
    "country": N_("Choose a country from the list."),
    "countries": N_("Choose a country from the list."),
    "currency": N_("Choose a currency from the list."),
    "language": N_("Choose a language from the list."),
}
# Errors of a whole model (its `model_validator`s) have no field: their English text
# says which field they concern (see shared.domain.models._check_amount_range).
_MODEL_ERRORS: tuple[tuple[str, str, str], ...] = (
    ("currency is required", "currency", N_("Choose the currency of the amount.")),
    (
        "amount_min must not be greater than amount_max",
        "amount_min",
        N_("The smallest amount must not be larger than the largest."),
    ),
    # A training's or an event's own rules (shared.domain.opportunities).
    ("country is required", "country", N_("Choose the country where it takes place.")),
    ("ends_on must not be before", "ends_on", N_("The end must not be before the start.")),
    (
        "registration_deadline must not be after",
        "registration_deadline",
        N_("Registration must close before the end."),
    ),
)
# A missing choice (radio buttons, a picker) reads better as "choose".
_CHOICE_FIELDS = frozenset({"applicant_type", "country", "visibility", "frequency", "currency"})
_CHOOSE = N_("Choose one of the options.")
_CONTROL_CHARACTERS = N_("Remove the control characters from this text.")
_INVALID = N_("This value is not valid.")


class FormInvalid(Exception):
    """A form that did not validate: one message per field, in the reader's language."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(f"{len(errors)} field(s) are invalid")
        self.errors = errors


def repeated_fields(model: type[BaseModel]) -> frozenset[str]:
    """The list fields a form posts as repeated fields (pickers, checkboxes); the other
    list fields are typed into one box, comma-separated."""
    return frozenset(
        name
        for name, info in model.model_fields.items()
        if name not in COMMA_FIELDS and get_origin(info.annotation) is list
    )


def form_data(form: MultiDict[str, str], model: type[BaseModel]) -> dict[str, Any]:
    """The model's fields as the form posted them: lists for list fields, blanks left out."""
    data: dict[str, Any] = {}
    repeated = repeated_fields(model)
    for name in model.model_fields:
        if name in COMMA_FIELDS:
            values = [v.strip() for raw in form.getlist(name) for v in _COMMAS.split(raw)]
        elif name in repeated:
            values = [v.strip() for v in form.getlist(name)]
        else:
            value = (form.get(name) or "").strip()
            if value:
                data[name] = value
            continue
        if values := [v for v in values if v]:
            data[name] = values
    return data


def parse_form(
    form: MultiDict[str, str], model: type[M], language: str, *, now: datetime | None = None
) -> M:
    """The form validated as `model`, or FormInvalid with a message for each bad field
    (a past deadline or "needed by" date too, counted from `now`, else the wall clock)."""
    try:
        return model.model_validate(form_data(form, model), context=submission_context(now))
    except ValidationError as exc:
        raise FormInvalid(field_errors(exc, language)) from exc


def field_errors(exc: ValidationError, language: str) -> dict[str, str]:
    """Pydantic's errors as {form field: message in `language`}, the first per field."""
    _ = translations(language).gettext
    errors: dict[str, str] = {}
    for err in exc.errors(include_input=False, include_url=False):
        field, message = _field_and_message(err)
        context = {k: v for k, v in (err.get("ctx") or {}).items() if isinstance(v, int | str)}
        text = _(message)
        try:
            text = text % context if "%(" in text else text
        except (KeyError, ValueError):
            text = _(_INVALID)
        errors.setdefault(field, text)
    return errors


def _field_and_message(err: Any) -> tuple[str, str]:
    loc = err["loc"]
    if loc and loc[0] == "details":  # a kind's own fields sit on the form by their names
        loc = loc[1:]
    if not loc:
        for needle, field, message in _MODEL_ERRORS:
            if needle in err["msg"]:
                return field, message
        return "(form)", _INVALID
    field = str(loc[0])
    if err["type"] == "value_error":
        # Control, bidirectional, tag or noncharacters: invisible, so one message for all.
        if isinstance((err.get("ctx") or {}).get("error"), UnsafeText):
            return field, _CONTROL_CHARACTERS
        return field, _VALUE_ERROR_BY_FIELD.get(field, _INVALID)
    if err["type"] == "missing" and field in _CHOICE_FIELDS:
        return field, _CHOOSE
    return field, _BY_TYPE.get(err["type"], _INVALID)
