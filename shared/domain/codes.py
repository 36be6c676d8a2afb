"""Validated ISO codes (countries, currencies, languages) as pydantic annotated types.

pycountry carries the ISO tables, so a typo such as `KM` for Cambodia is caught at the
edge with a message instead of silently matching nothing.
"""

from __future__ import annotations

from typing import Annotated

import pycountry
from pydantic import AfterValidator, BeforeValidator, WithJsonSchema


def _upper(value: object) -> object:
    return value.strip().upper() if isinstance(value, str) else value


def _lower(value: object) -> object:
    return value.strip().lower() if isinstance(value, str) else value


def _country(code: str) -> str:
    if pycountry.countries.get(alpha_2=code) is None:
        raise ValueError(f"'{code}' is not an ISO 3166-1 alpha-2 country code (e.g. KH, LA, MM)")
    return code


def _currency(code: str) -> str:
    if pycountry.currencies.get(alpha_3=code) is None:
        raise ValueError(f"'{code}' is not an ISO 4217 currency code (e.g. USD, THB, KHR)")
    return code


def _language(code: str) -> str:
    if len(code) != 2 or pycountry.languages.get(alpha_2=code) is None:
        raise ValueError(f"'{code}' is not an ISO 639-1 language code (e.g. en, km, lo, my)")
    return code


# The JSON schema (OpenAPI) states the shape; the validators check the code really exists.
CountryCode = Annotated[
    str,
    BeforeValidator(_upper),
    AfterValidator(_country),
    WithJsonSchema(
        {"type": "string", "pattern": "^[A-Za-z]{2}$", "description": "ISO 3166-1 alpha-2"}
    ),
]
CurrencyCode = Annotated[
    str,
    BeforeValidator(_upper),
    AfterValidator(_currency),
    WithJsonSchema({"type": "string", "pattern": "^[A-Za-z]{3}$", "description": "ISO 4217"}),
]
LanguageCode = Annotated[
    str,
    BeforeValidator(_lower),
    AfterValidator(_language),
    WithJsonSchema({"type": "string", "pattern": "^[A-Za-z]{2}$", "description": "ISO 639-1"}),
]
