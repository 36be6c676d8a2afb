"""Languages: message catalogues (Babel/gettext) and locale-correct dates, money, places.

Catalogues live in `shared/locale/<lang>/LC_MESSAGES/messages.po` and are compiled to
`.mo` by `make messages-compile` (which `make dev` and `make test` run). A missing
catalogue or a missing string falls back to English; a translation whose placeholders
do not fit its English original is dropped at load time, so a typo in a catalogue can
never break an email.
"""

from __future__ import annotations

import gettext
import logging
import re
from collections.abc import Iterator
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, Final

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency
from babel.support import Translations
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from shared.domain.taxonomy import (
    APPLICANT_TYPE_LABELS,
    PRODUCT_LANGUAGES,
    SECTOR_LABELS,
    applicant_type_label,
    sector_label,
)

log = logging.getLogger(__name__)

LANGUAGES: Final[tuple[str, ...]] = tuple(PRODUCT_LANGUAGES)
FALLBACK: Final = "en"
LOCALE_DIR: Final = Path(__file__).resolve().parents[1] / "locale"
DOMAIN: Final = "messages"
_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def N_(message: str) -> str:
    """Mark a string for the catalogues (`make messages-extract`); translate where shown."""
    return message


def language_or_fallback(language: str | None) -> str:
    """`language` if the product speaks it, else English."""
    return language if language in LANGUAGES else FALLBACK


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The checked catalogue of a product language (English: none needed)."""
    language = language_or_fallback(language)
    if language == FALLBACK:
        return gettext.NullTranslations()
    loaded = Translations.load(str(LOCALE_DIR), [language], DOMAIN)
    if not isinstance(loaded, gettext.GNUTranslations):
        log.warning("no compiled catalogue; emails fall back to English", extra={"lang": language})
        return gettext.NullTranslations()
    dropped = drop_unsafe_translations(loaded._catalog)
    if dropped:
        log.warning("unsafe translations dropped", extra={"lang": language, "msgids": dropped})
    return loaded


def drop_unsafe_translations(catalog: dict[Any, str]) -> list[str]:
    """Remove translations that would fail `%`-formatting with their original's
    placeholders (so English is used for them); returns the affected msgids."""
    dropped = []
    for key, translated in list(catalog.items()):
        msgid = key[0] if isinstance(key, tuple) else key
        if not msgid:  # the catalogue header
            continue
        names = dict.fromkeys(_PLACEHOLDER.findall(msgid), 1)
        try:
            translated % names
        except (KeyError, ValueError, TypeError):
            del catalog[key]
            dropped.append(msgid)
    return dropped


@cache
def jinja_environment(language: str) -> Environment:
    """Templates (emails and pages) with the catalogue of `language` installed; `.html.j2`
    templates are autoescaped."""
    env = Environment(
        loader=PackageLoader("shared", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    env.globals["lang"] = language_or_fallback(language)
    return env


# -- locale-correct values (CLDR data through Babel) ------------------------------------
def format_money(amount: float, currency: str, language: str) -> str:
    """`$40,000` (en), `40.000 US$` (vi), `1,500,000៛` (km): no decimals for whole amounts."""
    locale = Locale.parse(language_or_fallback(language))
    pattern = None
    if float(amount).is_integer():
        pattern = locale.currency_formats["standard"].pattern.replace("0.00", "0")
    return format_currency(
        amount, currency, format=pattern, locale=locale, currency_digits=pattern is None
    )


def format_day(day: date, language: str) -> str:
    """A date the way the reader writes it: `31 មីនា 2027`, `31 tháng 3, 2027`."""
    return format_date(day, format="long", locale=language_or_fallback(language))


def language_name(code: str, language: str) -> str:
    """A language's name in the reader's language (CLDR), or the code if unknown."""
    name: str = Locale.parse(language_or_fallback(language)).languages.get(code, code)
    return name


def country_name(code: str, language: str) -> str:
    """A country's name in the reader's language (CLDR), or the code if unknown."""
    name: str = Locale.parse(language_or_fallback(language)).territories.get(code, code)
    return name


def sector_name(slug: str, language: str) -> str:
    """A sector's label, translated (the slug itself if unknown)."""
    return translations(language).gettext(sector_label(slug))


def applicant_type_name(slug: str, language: str) -> str:
    """An applicant type's label, translated (the slug itself if unknown)."""
    return translations(language).gettext(applicant_type_label(slug))


def extract_taxonomy_labels(
    fileobj: Any, keywords: Any, comment_tags: Any, options: Any
) -> Iterator[tuple[int, str, str, list[str]]]:
    """Babel extractor (see babel.cfg): the taxonomy's labels are data, not `_()` calls,
    so they are listed from the dictionaries themselves."""
    for label in [*SECTOR_LABELS.values(), *APPLICANT_TYPE_LABELS.values()]:
        yield 0, "gettext", label, ["taxonomy label"]
