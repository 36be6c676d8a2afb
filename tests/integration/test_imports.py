"""Bulk imports against the real emulators: batched, idempotent, announced like posts."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest

from shared.adapters.firestore.grants import GRANTS
from shared.adapters.firestore.ledgers import OUTBOX
from shared.domain.models import GrantSubmission, ProfileSubmission
from shared.importers import read_records
from shared.importers.records import Mapped, Rejected
from shared.services import imports
from shared.services.imports import import_grants
from shared.services.matchmaking import on_grant_published
from shared.services.outbox_relay import GRACE, relay_once
from shared.services.submissions import submit_grant, submit_profile
from tests.builders import grant_body, profile_body
from tests.import_fixtures import FIXTURES
from tests.real_adapters import at, client_of

FUNDER = "f_import"


def _import_file(ad, fmt: str, path: Path, **kwargs):
    with path.open("rb") as stream:
        return import_grants(
            ad,
            FUNDER,
            read_records(fmt, stream),
            correlation_id="c-import-1",
            **kwargs,
        )


def _import(ad, records, **kwargs):
    return import_grants(ad, FUNDER, records, correlation_id="c-import-1", **kwargs)


def _mapped(external_id: str, position: str = "", **overrides) -> Mapped:
    body = grant_body(external_id=external_id, **overrides)
    return Mapped(position or external_id, GrantSubmission(**body))


def _count(ad, collection: str) -> int:
    return len(list(client_of(ad).collection(collection).stream()))


def test_a_file_is_stored_and_each_new_grant_announced_once(ad, bus):
    report = _import_file(ad, "360giving", FIXTURES / "360giving.json")
    assert (report.created, report.rejected, report.records) == (5, 2, 7)
    assert _count(ad, GRANTS) == 5
    events = bus.events("grant-published")
    assert len(events) == 5 == report.events
    assert {e.parsed().funder_id for e in events} == {FUNDER}
    assert {e.correlation_id for e in events} == {"c-import-1"}
    assert _count(ad, OUTBOX) == 0  # all confirmed, nothing left for the relay
    khmer = next(e for e in events if "0001" in ad.grants.get(e.parsed().grant_id).external_id)
    assert ad.grants.get(khmer.parsed().grant_id).title == "សិទ្ធិមនុស្ស និងការអប់រំសហគមន៍"


def test_importing_the_same_file_again_changes_nothing_and_announces_nothing(ad, bus):
    _import_file(ad, "iati", FIXTURES / "iati-2.03.xml")
    first_events = bus.events("grant-published")
    again = _import_file(ad, "iati", FIXTURES / "iati-2.03.xml")
    assert (again.created, again.updated, again.unchanged, again.events) == (0, 0, 3, 0)
    assert bus.events("grant-published") == []
    assert _count(ad, GRANTS) == 3 and len(first_events) == 3
    assert {ad.grants.get(e.parsed().grant_id).revision for e in first_events} == {1}


def test_a_changed_record_is_updated_and_announced_alone(ad, bus, tmp_path):
    _import_file(ad, "grantsgov", FIXTURES / "grantsgov.xml")
    bus.events("grant-published")
    edited = tmp_path / "grantsgov.xml"
    edited.write_bytes((FIXTURES / "grantsgov.xml").read_bytes().replace(b"03312027", b"04152027"))
    report = _import_file(ad, "grantsgov", edited)
    assert (report.updated, report.unchanged, report.created) == (1, 2, 0)
    (event,) = bus.events("grant-published")
    grant = ad.grants.get(event.parsed().grant_id)
    assert (grant.external_id, grant.revision, grant.deadline.isoformat()) == (
        "900001",
        2,
        "2027-04-15",
    )


def test_an_imported_grant_is_the_same_grant_as_a_posted_one(ad, bus):
    posted = submit_grant(ad, FUNDER, GrantSubmission(**grant_body()), correlation_id="c-post-1")
    bus.events("grant-published")
    report = _import(ad, [_mapped(grant_body()["external_id"])])
    assert report.unchanged == 1 and report.events == 0
    assert _count(ad, GRANTS) == 1 and ad.grants.get(posted.id) is not None


def _batch_sizes(ad, monkeypatch) -> list[int]:
    """Spy on the real batch writes: how many grants each commit carried."""
    sizes: list[int] = []
    save = ad.grants.save

    def recording(writes):
        sizes.append(len(writes))
        return save(writes)

    monkeypatch.setattr(ad.grants, "save", recording)
    return sizes


def test_chunks_respect_the_batch_size_and_a_duplicate_in_a_chunk_is_superseded(
    ad, bus, monkeypatch
):
    sizes = _batch_sizes(ad, monkeypatch)
    ids = ["g-0", "g-1", "g-2", "g-3", "g-5", "g-5", "g-4", "g-6"]
    records = [_mapped(gid, position=f"#{i}", title=f"title {i}") for i, gid in enumerate(ids)]
    records.append(Rejected("line 99", "bad-1", "a reason"))
    report = _import(ad, records, batch_size=3)
    assert sizes == [3, 3, 1]
    assert (report.created, report.superseded, report.rejected, report.records) == (7, 1, 1, 9)
    assert _count(ad, GRANTS) == 7 and len(bus.events("grant-published")) == 7
    kinds = {(p.position, p.kind) for p in report.problems}
    assert kinds == {("#4", "superseded"), ("line 99", "rejected")}
    titles = {
        g.get("external_id"): g.get("title") for g in client_of(ad).collection(GRANTS).stream()
    }
    assert titles["g-5"] == "title 5"


def test_a_chunk_is_cut_early_when_its_text_would_make_the_commit_too_big(ad, bus, monkeypatch):
    sizes = _batch_sizes(ad, monkeypatch)
    monkeypatch.setattr(imports, "MAX_CHUNK_BYTES", 2 * 3 * 1000)
    long_text = "ក" * 1000  # Khmer: 3 bytes a character in UTF-8
    report = _import(ad, [_mapped(f"big-{i}", description=long_text) for i in range(5)])
    assert report.created == 5 and sizes == [2, 2, 1]


def test_a_duplicate_in_a_later_chunk_updates_the_grant_as_a_second_post_would(ad, bus):
    records = [_mapped("g-a", title="first"), _mapped("g-b"), _mapped("g-a", title="second")]
    report = _import(ad, records, batch_size=2)
    assert (report.created, report.updated) == (2, 1)
    assert [e.parsed().revision for e in bus.events("grant-published")] == [1, 1, 2]


def test_events_pubsub_did_not_confirm_stay_in_the_outbox_for_the_relay(ad, bus):
    bus.delete_topic("grant-published")
    report = _import(ad, [_mapped(f"g-{i}") for i in range(4)])
    assert report.created == 4 and report.events_left_for_relay == 4
    assert _count(ad, OUTBOX) == 4  # stored, not lost
    bus.reset()
    assert relay_once(at(ad, ad.clock.now() + GRACE * 2)).published == 4
    assert len(bus.events("grant-published")) == 4 and _count(ad, OUTBOX) == 0


def test_a_broken_file_keeps_what_came_before_and_says_where_it_stopped(ad, tmp_path):
    whole = (FIXTURES / "iati-2.01.xml").read_bytes()
    broken = tmp_path / "broken.xml"
    broken.write_bytes(
        whole.replace(b"</iati-activities>", b"<iati-activity><oops></iati-activities>")
    )
    report = _import_file(ad, "iati", broken)
    assert report.created == 1
    assert report.stopped_at is not None and report.stopped_at.startswith("line ")


def test_a_grant_changed_during_the_import_is_retried_one_by_one(ad, bus, monkeypatch):
    _import(ad, [_mapped("race-1", title="v1"), _mapped("race-2", title="v1")])
    read_versions = ad.grants.versions
    edits = []

    def versions_then_a_concurrent_edit(ids):
        versions = read_versions(ids)
        if edits:
            return versions
        edits.append("race-1")
        submit_grant(
            ad,
            FUNDER,
            GrantSubmission(**grant_body(external_id="race-1", title="edited meanwhile")),
            correlation_id="c-other",
        )
        return versions  # now stale for race-1: the batch's precondition fails

    monkeypatch.setattr(ad.grants, "versions", versions_then_a_concurrent_edit)
    report = _import(ad, [_mapped("race-1", title="v2"), _mapped("race-2", title="v2")])
    assert report.updated == 2
    titles = {
        g.get("external_id"): g.get("title") for g in client_of(ad).collection(GRANTS).stream()
    }
    assert titles == {"race-1": "v2", "race-2": "v2"}
    # v1, the concurrent edit, then v2 re-read on top of it: the stale batch wrote nothing.
    revisions = {
        g.get("external_id"): g.get("revision") for g in client_of(ad).collection(GRANTS).stream()
    }
    assert revisions == {"race-1": 3, "race-2": 2}


def test_imported_grants_are_matched_like_posted_ones(ad, bus):
    profile = submit_profile(
        ad,
        ProfileSubmission(**profile_body(countries=["KH"], sectors=["human-rights"])),
        idempotency_key=None,
        correlation_id="c-prof-1",
    )
    deadline = (ad.clock.now() + timedelta(days=60)).date().isoformat()
    records = [
        _mapped("fits", sectors=["human-rights"], countries=["KH"], deadline=deadline,
                applicant_types=["unregistered_group"]),
        _mapped("elsewhere", sectors=["human-rights"], countries=["TH"], deadline=deadline),
    ]  # fmt: skip
    _import(ad, records)
    matched = [
        m for e in bus.events("grant-published") for m in on_grant_published(e, ad, e.parsed())
    ]
    assert [(ad.grants.get(m.grant_id).external_id, m.target_id) for m in matched] == [
        ("fits", profile.id)
    ]


@pytest.mark.parametrize("batch_size", [0, 251])
def test_a_batch_size_firestore_cannot_take_is_refused(ad, batch_size):
    with pytest.raises(ValueError, match="batch_size"):
        _import(ad, [], batch_size=batch_size)


def _profile(ad, country: str, email: str):
    body = profile_body(
        countries=[country], sectors=[], email=email, applicant_type="registered_ngo"
    )
    return submit_profile(ad, ProfileSubmission(**body), idempotency_key=None, correlation_id="c-p")


def test_a_real_shaped_iati_file_for_indonesia_alerts_no_cambodian_profile(ad, bus):
    # Issue 17: every activity of Spain's real file for Indonesia also named region 789, and
    # a Cambodian profile was alerted "Country: Cambodia" for closed activities too.
    cambodia = _profile(ad, "KH", "kh@cso.example.org")
    indonesia = _profile(ad, "ID", "id@cso.example.org")
    report = _import_file(ad, "iati", FIXTURES / "iati-maec-indonesia.xml")
    assert (report.created, report.rejected) == (2, 4)  # statuses 1 and 2; 3, 4, 5, 6 rejected
    matched = [
        m for e in bus.events("grant-published") for m in on_grant_published(e, ad, e.parsed())
    ]
    assert {m.target_id for m in matched} == {indonesia.id}
    assert cambodia.id not in {m.target_id for m in matched}


SLASHED_HEADER = "Identifier,Title,Currency,Award Date,Beneficiary Location:0:Country Code\n"


def _slash_dated_file(rows: int, date: str) -> io.BytesIO:
    """A 360Giving CSV shaped like the real one of issue 17: every date day/month/year."""
    lines = [f"D-{i},Grant {i},GBP,{date},KH" for i in range(rows)]
    return io.BytesIO((SLASHED_HEADER + "\n".join(lines) + "\n").encode())


def test_dates_the_standard_does_not_allow_are_reported_once_per_file_not_per_record(ad, bus):
    everything = []
    records = read_records("360giving", _slash_dated_file(379, "05/06/2014"))
    report = _import(ad, records, on_problem=everything.append)
    assert (report.records, report.rejected, report.created, report.warnings) == (379, 379, 0, 1)
    (problem,) = report.problems  # not 379 lines saying the same thing
    assert (problem.position, problem.kind) == ("file", "warning")
    assert problem.message.startswith("379 records rejected for their dates, the first at row 1")
    assert [p.kind for p in everything].count("rejected") == 379  # --report keeps every one


def test_a_note_about_the_whole_file_is_listed_before_the_records_problems(ad, bus):
    body = _slash_dated_file(30, "25/06/2014")  # read as 25 June
    report = _import(ad, read_records("360giving", body))
    # Each record: no amount, no end date (two warnings); the file: one note.
    assert report.created == 30 and report.warnings == 2 * 30 + 1
    assert report.problems[0].position == "file"
    assert "30 records give dates as day/month/year" in report.problems[0].message
