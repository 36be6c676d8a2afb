"""Pure helpers every connector's mapping uses: the harvest mapping table, text and
place look-ups, the content checksum, and assembling a `HarvestedCall`.

The table is `shared/data/harvest_mappings.json`, read and checked by the importers'
`ImportMappings` (same semantics, same checks), so a harvested call and an imported
grant speak the same vocabulary.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from functools import cache
from importlib import resources
from typing import Any

from lxml import html as lxml_html
from pydantic import ValidationError

from shared.domain.models import GrantSubmission
from shared.domain.opportunities import OpportunityDetails
from shared.domain.taxonomy import ApplicantType
from shared.harvest.base import (
    TRACKED_FIELDS,
    CallStatus,
    HarvestedCall,
    Origin,
    Outcome,
    Provenance,
    Rejected,
)
from shared.importers.mapping import ImportMappings

_SPACES = re.compile(r"\s+")
#: Tags that break a line when shown: their text must not run into the next block's.
_BLOCK_TAG = re.compile(r"<(/?)(p|div|li|ul|ol|br|h[1-6]|tr|td|th|table|section)\b", re.I)
#: Contract fields that are sets: their order carries no meaning.
_SET_FIELDS = ("sectors", "countries", "applicant_types", "languages")


class HarvestMappings(ImportMappings):
    """The harvest table: the importers' look-ups plus per-source applicant defaults
    and free-text tables matched by normalised term."""

    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__(data)
        self._source_applicants = {
            source: list(types)
            for source, types in data.get("source_applicant_types", {}).items()
            if not source.startswith("_")
        }
        allowed = {a.value for a in ApplicantType}
        for source, types in self._source_applicants.items():
            bad = [t for t in types if t not in allowed]
            if bad:
                raise ValueError(f"harvest mappings: source_applicant_types.{source} has {bad}")

    def applicant_default(self, source: str) -> list[str]:
        """Who may apply to a call of `source` when the record does not say."""
        return list(self._source_applicants.get(source, self.default_applicant_types))

    def terms(self, tables: dict[str, Any], table: str, values: Iterable[str]) -> list[str]:
        """The slugs (or country codes) that free-text `values` name in `table`: only
        positive entries count, matched as normalised whole terms, in first-seen order."""
        lookup = tables[table]
        found: dict[str, None] = {}
        for value in values:
            for slug in lookup.get(term_key(value)) or []:
                found[slug] = None
        return list(found)

    def places_in_text(self, text: str) -> list[str]:
        """Countries named as whole words in `text` (the `text_places` table)."""
        lowered = " " + term_key(re.sub(r"[^\w' ]", " ", text)) + " "
        found: dict[str, None] = {}
        for term, codes in self.region_tables["text_places"].items():
            if f" {term} " in lowered:
                found.update(dict.fromkeys(codes or []))
        return list(found)


def term_key(value: str) -> str:
    """A free-text term as the tables key it: lower-case, '&' as 'and', one space."""
    return _SPACES.sub(" ", value.replace("&", " and ")).strip().casefold()


@cache
def load_harvest_mappings() -> HarvestMappings:
    """The packaged harvest mapping table (read and checked once per process)."""
    text = resources.files("shared").joinpath("data/harvest_mappings.json").read_text("utf-8")
    return HarvestMappings(json.loads(text))


def html_text(value: str | None) -> str:
    """Readable text of an HTML fragment (the sources send descriptions as HTML), blocks
    apart and runs of whitespace collapsed, so reformatted HTML reads the same; a cut-off
    fragment is read as far as it goes."""
    if not value or not value.strip():
        return ""
    try:
        spaced = _BLOCK_TAG.sub(r" <\1\2", value)
        # lxml-stubs type html.fromstring as a bare _Element; it returns an HtmlElement.
        text = lxml_html.fromstring(f"<div>{spaced}</div>").text_content()  # type: ignore[attr-defined]
    except (ValueError, lxml_html.etree.ParserError):
        text = value
    return _SPACES.sub(" ", text).strip()


def content_checksum(
    submission: GrantSubmission, status: CallStatus, details: OpportunityDetails | None = None
) -> str:
    """SHA-256 of what a CSO would notice: the contract fields and the status, with sets
    sorted and whitespace collapsed, so a cosmetic change (spacing, order) leaves it. A
    training's (or other kind's) details count too; a grant's checksum is unchanged."""
    fields = submission.model_dump(mode="json")
    for name in _SET_FIELDS:
        fields[name] = sorted(fields[name])
    for name, value in fields.items():
        if isinstance(value, str):
            fields[name] = _SPACES.sub(" ", value).strip()
    fields["status"] = status.value
    if details is not None:
        fields["details"] = _canonical(details.model_dump(mode="json"))
    canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _canonical(value: Any) -> Any:
    """A JSON value with its strings' whitespace collapsed and its lists sorted."""
    if isinstance(value, str):
        return _SPACES.sub(" ", value).strip()
    if isinstance(value, list):
        return sorted((_canonical(v) for v in value), key=json.dumps)
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in value.items()}
    return value


def assemble(
    *,
    source: str,
    source_id: str,
    source_url: str,
    fetched_at: datetime,
    fields: Mapping[str, Any],
    origins: Mapping[str, Origin],
    status: CallStatus,
    warnings: Iterable[str] = (),
    hold: str | None = None,
    notes: Mapping[str, str] | None = None,
    source_checksum: str | None = None,
    details: OpportunityDetails | None = None,
) -> Outcome:
    """A harvested call from mapped fields, validated by `GrantSubmission` exactly as a
    posted grant is; a breach becomes a rejection naming every bad field. `details`
    (already validated) makes it a training, an event or a tech offer."""
    missing = [name for name in TRACKED_FIELDS if name not in origins]
    if missing:
        raise ValueError(f"{source}: the mapping records no origin for {missing}")
    try:
        submission = GrantSubmission.model_validate(dict(fields))
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}"
            for err in exc.errors(include_input=False, include_url=False)
        )
        return Rejected(source, source_id, "breaks the grant contract", problems)
    provenance = Provenance(
        source=source,
        source_id=source_id,
        source_url=source_url,
        fetched_at=fetched_at,
        checksum=content_checksum(submission, status, details),
        source_checksum=source_checksum,
    )
    return HarvestedCall(
        submission=submission,
        provenance=provenance,
        status=status,
        origins=dict(origins),
        warnings=tuple(warnings),
        hold=hold,
        notes=dict(notes or {}),
        details=details,
    )
