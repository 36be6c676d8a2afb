"""Every shipped sample goes through its connector and the harvest service without a
crash, and a second run of the same pages writes nothing (bench/harvest_samples.py
prints the same runs as a table)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bench.harvest_samples import FIXTURES, SAMPLES, harvest_sample, table

NOW = datetime(2026, 12, 3, 13, 0, tzinfo=UTC)


def test_every_shipped_sample_file_is_listed_once():
    shipped = {
        str(p.relative_to(FIXTURES))
        for p in FIXTURES.rglob("*")
        if p.suffix != ".md" and p.is_file()
    }
    listed = [name for sample in SAMPLES for name in sample.files]
    assert sorted(listed) == sorted(shipped)


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda s: s.source)
@pytest.mark.parametrize("replay", [False, True], ids=["today", "as-recorded"])
def test_a_sample_harvests_without_a_crash_and_a_second_run_writes_nothing(sample, replay):
    run = harvest_sample(sample, NOW, replay)
    summary = run.first.summary
    assert summary.page_errors == ()
    assert "mapping failed" not in summary.rejected
    counted = summary.mapped + sum(summary.rejected.values()) + summary.repeated
    assert summary.seen > 0 and counted == summary.seen
    assert run.again.written == 0


def test_replayed_samples_have_open_calls_to_store():
    runs = [harvest_sample(sample, NOW, True) for sample in SAMPLES]
    assert all(run.first.written > 0 for run in runs)
    assert "2019-06-01 (replayed)" in table(runs)
