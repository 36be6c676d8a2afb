"""Field conversions every format needs: text, dates, amounts, links, places, deadlines.

Mappers raise `Unmappable` for what makes a record unusable and append to `warnings`
for what they had to leave out, so the report says both.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from html.parser import HTMLParser

import pycountry
from pydantic import TypeAdapter, ValidationError

from shared.domain.models import MAX_DESCRIPTION, Url
from shared.importers.mapping import ImportMappings
from shared.importers.records import ImportOptions, Unmappable

_URL = TypeAdapter(Url)
_YEAR_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_YEAR = re.compile(r"^(\d{4})$")
ELLIPSIS = "…"


def clean(value: object) -> str:
    """A source value as stripped text ('' for missing)."""
    return "" if value is None else str(value).strip()


# Tags that end a line or a paragraph when HTML becomes text; the text of script and
# style elements is never content.
_LINE_TAGS = frozenset({"br", "tr", "ul", "ol", "dl", "dt", "dd"})
_PARAGRAPH_TAGS = frozenset(
    {"p", "div", "section", "article", "blockquote", "pre", "table", "hr", "h1", "h2", "h3",
     "h4", "h5", "h6"}
)  # fmt: skip
_HIDDEN_TAGS = frozenset({"script", "style", "head", "title"})
_TAG = re.compile(r"</?[A-Za-z]")
_SPACES = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n{3,}")


class _TextOfHtml(HTMLParser):
    """The text a reader of an HTML fragment sees, with its line and paragraph breaks."""

    def __init__(self, *, markup: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0
        # In markup a line break in the source is a space; only tags break lines.
        self._newline = " " if markup else "\n"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN_TAGS:
            self._hidden += 1
        elif tag == "li":
            self.parts.append("\n- ")
        else:
            self._break(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._break(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN_TAGS:
            self._hidden = max(0, self._hidden - 1)
        else:
            self._break(tag)

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data.replace("\n", self._newline))

    def _break(self, tag: str) -> None:
        if tag in _PARAGRAPH_TAGS:
            self.parts.append("\n\n")
        elif tag in _LINE_TAGS:
            self.parts.append("\n")


def html_text(value: object) -> str:
    """A source value that may be HTML (tags, `&amp;`, `&#167;`) as the plain text it
    shows: entities decoded, tags dropped (block tags become line breaks), script and
    style left out. Text without tags keeps its line breaks."""
    text = clean(value)
    if "<" not in text and "&" not in text:
        return text
    parser = _TextOfHtml(markup=_TAG.search(text) is not None)
    parser.feed(text)
    parser.close()
    lines = (_SPACES.sub(" ", line).strip() for line in "".join(parser.parts).split("\n"))
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def parse_date(value: object, what: str, *, end_of_period: bool = False) -> date | None:
    """An ISO date, date-time, year-month or year; a partial date is read as the first
    day of its period, or the last with `end_of_period` (an end date 2027-06 means the
    whole of June). Unmappable if the text is not a date."""
    text = clean(value)
    if not text:
        return None
    try:
        if len(text) >= 10 and text[4] == "-":
            return date.fromisoformat(text[:10])
        if m := _YEAR_MONTH.match(text):
            year, month = int(m[1]), int(m[2])
            day = calendar.monthrange(year, month)[1] if end_of_period else 1
            return date(year, month, day)
        if m := _YEAR.match(text):
            return date(int(m[1]), 12, 31) if end_of_period else date(int(m[1]), 1, 1)
    except ValueError:
        pass
    raise Unmappable(f"{what} {text!r} is not a date")


def parse_us_date(value: object, what: str) -> date | None:
    """A Grants.gov MMDDYYYY date (ISO is accepted too)."""
    text = clean(value)
    if len(text) == 8 and text.isdigit():
        try:
            return datetime.strptime(text, "%m%d%Y").date()
        except ValueError:
            raise Unmappable(f"{what} {text!r} is not a MMDDYYYY date") from None
    return parse_date(text, what)


def add_months(start: date, months: int) -> date:
    """`start` moved by whole months, clamped to the end of a shorter month."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def amount(
    value: object, what: str, warnings: list[str], *, zero_is_missing: bool = False
) -> float | None:
    """A positive amount, or None with a warning (returned or zero grants exist in real
    data; they say nothing about what one can apply for). Some sources write 0 for
    "not given": `zero_is_missing` reads it so, without a warning."""
    text = clean(value).replace(",", "")
    if not text or text.lower() == "none" or (zero_is_missing and text.strip("0.") == ""):
        return None
    try:
        number = float(text)
    except ValueError:
        warnings.append(f"{what} {text!r} is not a number; left out")
        return None
    if number <= 0:
        warnings.append(f"{what} {number:g} is not positive; left out")
        return None
    return number


def clipped(text: str, what: str, warnings: list[str], limit: int = MAX_DESCRIPTION) -> str:
    """Text cut to the contract's limit, with a warning when it was cut."""
    if len(text) <= limit:
        return text
    warnings.append(f"{what} cut from {len(text)} to {limit} characters")
    return text[: limit - 1] + ELLIPSIS


def link(value: object, warnings: list[str]) -> str | None:
    """An http(s) link, or None with a warning: a bad link must not cost the grant."""
    text = clean(value)
    if not text:
        return None
    try:
        return str(_URL.validate_python(text))
    except ValidationError:
        warnings.append(f"link {text[:100]!r} is not an http(s) URL; left out")
        return None


def languages(codes: Iterable[str], warnings: list[str]) -> list[str]:
    """ISO 639-1 codes, in order, without repeats; others become a warning."""
    found: dict[str, None] = {}
    unknown: list[str] = []
    for code in codes:
        code = code.strip().lower().split("-")[0]
        if len(code) == 2 and pycountry.languages.get(alpha_2=code) is not None:
            found[code] = None
        elif code:
            unknown.append(code)
    if unknown:
        warnings.append(f"unknown languages {', '.join(dict.fromkeys(unknown))} ignored")
    return list(found)


def places(
    values: Iterable[str], mappings: ImportMappings, what: str, warnings: list[str]
) -> list[str]:
    """ISO alpha-2 codes for country codes or names; unknown ones become a warning."""
    found: dict[str, None] = {}
    unknown: list[str] = []
    for value in values:
        code = mappings.country(value)
        if code is None:
            unknown.append(value)
        else:
            found[code] = None
    if unknown:
        warnings.append(f"unknown {what} {', '.join(unknown)} ignored")
    return list(found)


def default_places(fmt: str, mappings: ImportMappings, options: ImportOptions) -> list[str]:
    """The countries of a record that names none: the funder's choice, else the
    format's documented default, else Unmappable (never 'worldwide' by accident)."""
    countries = list(options.countries) if options.countries else mappings.default_countries(fmt)
    if not countries:
        raise Unmappable("names no country or region: pass the countries it is for")
    return countries


def relevant_until(
    end: date | None, start: date | None, mappings: ImportMappings, warnings: list[str]
) -> date:
    """The `deadline` of an awarded grant or activity: when its funded period ends. With
    no end date, the documented number of days after its start or award; with no date at
    all the record cannot say whether it is current, so it is Unmappable."""
    if end is not None:
        return end
    if start is None:
        raise Unmappable("has no date: cannot tell whether this funding is still current")
    days = mappings.undated_relevance_days
    warnings.append(f"no end date: taken as relevant for {days} days from {start.isoformat()}")
    return start + timedelta(days=days)
