"""The benchmark's own logic: percentiles, hop timelines, log and /proc parsing, and the
workload's promise that every grant fits exactly one profile. Benchmarks print figures;
the code that computes them must still be right."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from bench import hops, procstat, workload
from bench.cold_start import importtime_by_package
from bench.machine import cpu_model
from bench.report import table
from bench.stats import percentile, ratio, summary


def test_percentile_interpolates_between_closest_ranks():
    values = [4.0, 1.0, 3.0, 2.0]
    assert percentile(values, 50) == 2.5
    assert percentile(values, 0) == 1.0
    assert percentile(values, 100) == 4.0
    assert percentile(list(range(1, 101)), 95) == pytest.approx(95.05)


def test_percentile_refuses_nothing_and_out_of_range():
    with pytest.raises(ValueError):
        percentile([], 50)
    with pytest.raises(ValueError):
        percentile([1.0], 101)


def test_summary_reports_count_percentiles_and_max():
    figures = summary([0.1, 0.2, 0.3, 0.4, 1.0])
    assert figures["count"] == 5
    assert figures["p50"] == 0.3
    assert figures["max"] == 1.0
    assert summary([]) == {"count": 0}


def test_ratio_is_none_without_a_positive_denominator():
    assert ratio(3.0, 1.5) == 2.0
    assert ratio(1.0, 0.0) is None


def test_json_lines_skip_plain_text_and_broken_lines():
    lines = ['{"a": 1}', "[2026-11-29 10:00:00] [INFO] Booting worker", '{"broken": ', "[1, 2]"]
    assert list(hops.json_lines(lines)) == [{"a": 1}]


def test_log_times_keep_the_first_line_of_a_message_per_grant():
    records = [
        {"message": "grant created", "grant_id": "g_1", "time": "2026-11-29T10:00:01+00:00"},
        {"message": "grant created", "grant_id": "g_1", "time": "2026-11-29T10:00:05+00:00"},
        {"message": "relay pass", "time": "2026-11-29T10:00:02+00:00"},
        {"message": "grant matched", "grant_id": "g_2", "time": "2026-11-29T10:00:03+00:00"},
    ]
    expected = datetime(2026, 11, 29, 10, 0, 1, tzinfo=UTC).timestamp()
    assert hops.log_times(records, "grant created") == {"g_1": expected}


def _timeline(**overrides: float | None) -> hops.Timeline:
    stamps = {
        "stored": 0.02,
        "match_started": 0.1,
        "matched": 0.2,
        "alert_created": 0.25,
        "claimed": 0.5,
        "emailed": 0.51,
    }
    return hops.Timeline(sent=0.0, answered=0.03, stamps={**stamps, **overrides})


def test_hops_add_up_to_the_whole_journey():
    durations = _timeline().hops()
    assert durations is not None
    assert list(durations) == [name for name, _, _ in hops.HOPS]
    assert sum(durations.values()) == pytest.approx(0.51)
    assert durations["send to the SendGrid sink"] == pytest.approx(0.01)


def test_a_grant_missing_a_stamp_has_no_hops_and_is_left_out_of_the_summary():
    assert _timeline(claimed=None).hops() is None
    summary_ = hops.hop_summary([_timeline(), _timeline(matched=None)])
    assert all(figures["count"] == 1 for figures in summary_.values())


def test_op_costs_divide_by_grants_and_keep_only_the_given_correlation_ids():
    records = [
        {"bench_op": "firestore.get_grant", "seconds": 0.004, "correlation_id": "bench-000001"},
        {"bench_op": "firestore.get_grant", "seconds": 0.006, "correlation_id": "bench-000002"},
        {"bench_op": "pubsub.publish_many", "seconds": 0.030, "correlation_id": "bench-000001"},
        {"bench_op": "pubsub.publish_many", "seconds": 9.0, "correlation_id": "bench-000000"},
        {"message": "grant matched"},
    ]
    costs = hops.op_costs(records, per=2, only={"bench-000001", "bench-000002"})
    assert list(costs) == ["pubsub.publish_many", "firestore.get_grant"]  # costliest first
    assert costs["firestore.get_grant"] == {
        "calls_per_grant": 1.0,
        "ms_per_grant": 5.0,
        "ms_per_call": 5.0,
    }
    assert costs["pubsub.publish_many"]["calls_per_grant"] == 0.5


def test_grants_told_reads_the_numbers_in_alert_emails_only():
    messages = [
        {
            "categories": ["alerts"],
            "received_at": 12.5,
            "text": "Bench grant 000007: radio\nBench grant 000003: radio\nBench grant 000007",
        },
        {"categories": ["confirmation"], "received_at": 13.0, "text": "Bench grant 000009"},
    ]
    assert list(workload.grants_told(messages)) == [(3, 12.5), (7, 12.5)]


def test_every_benchmark_grant_fits_its_own_profile_and_no_other():
    from shared.domain.models import Grant, Profile
    from shared.matching.engine import evaluate

    now = datetime(2026, 11, 1, tzinfo=UTC)
    chosen = workload.targets(60)
    assert len({(t.country, t.sector, t.applicant_type) for t in chosen}) == 60
    profiles = [
        Profile(
            id=t.profile_id,
            email=f"p{i}@bench.example.org",
            org_name="CSO",
            countries=[t.country],
            sectors=[t.sector],
            applicant_type=t.applicant_type,
            created_at=now,
            updated_at=now,
        )
        for i, t in enumerate(chosen)
    ]
    for number in (0, 21, 59):
        body = workload.grant_body(number, chosen[number], date(2026, 11, 1))
        grant = Grant(**body, id=f"g{number}", funder_id="f", created_at=now, updated_at=now)
        fits = [p.id for p in profiles if evaluate(grant, p, date(2026, 11, 2)) is not None]
        assert fits == [chosen[number].profile_id]


def test_proc_status_and_stat_are_parsed_even_with_odd_command_names():
    status = "Name:\tpython\nVmHWM:\t  123456 kB\nVmRSS:\t   99 kB\nThreads:\t9\n"
    assert procstat.parse_status(status) == {"VmHWM": 123456, "VmRSS": 99}
    fields = ["S", "41"] + ["0"] * 9 + [str(3 * procstat.CLOCK_TICKS), str(procstat.CLOCK_TICKS)]
    stat = "4242 (gunicorn: worker (x)) " + " ".join(fields) + " 0 0 0"
    assert procstat.parse_stat(stat) == (41, 4.0)


def test_machine_busy_time_leaves_out_idle_iowait_and_guest():
    hz = procstat.CLOCK_TICKS
    line = f"cpu  {3 * hz} 0 {hz} {10 * hz} {2 * hz} 0 0 0 {5 * hz} 0\ncpu0 1 2 3 4\n"
    assert procstat.parse_cpu_line(line) == (4.0, 16.0)


def test_importtime_is_summed_per_top_level_package():
    stderr = "\n".join(
        [
            "import time: self [us] | cumulative | imported package",
            "import time:       100 |        100 |     jinja2.utils",
            "import time:       200 |        300 |   jinja2",
            "import time:      1000 |       1000 |       google.cloud.firestore_v1.types",
            "import time:        50 |       1050 |     google.cloud",
            "some other warning line",
        ]
    )
    totals = importtime_by_package(stderr)
    assert totals == {"google.cloud.firestore_v1": 0.001, "jinja2": 0.0003, "google": 0.00005}


def test_cpu_model_comes_from_cpuinfo():
    assert cpu_model("processor\t: 0\nmodel name\t: AMD EPYC 7B13\n") == "AMD EPYC 7B13"


def test_tables_are_markdown_with_numbers_right_aligned():
    text = table(("name", "ms"), [("ingest", 12.34), ("match", None)])
    assert text.splitlines() == [
        "| name | ms |",
        "|---|---:|",
        "| ingest | 12.3 |",
        "| match | – |",
    ]


def test_traced_lines_are_json_the_op_costs_can_read(capsys: pytest.CaptureFixture[str]):
    from bench import traced

    class Repo:
        def get(self, key: str) -> str:
            return self.inner(key)

        def inner(self, key: str) -> str:
            return key.upper()

        def stream(self):
            yield from (1, 2)

    traced._wrap_public(Repo, "firestore")
    assert Repo().get("a") == "A"
    assert list(Repo().stream()) == [1, 2]
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    # Only the outermost call counts: `get` calling `inner` is one call, not two.
    assert [line["bench_op"] for line in lines] == ["firestore.get", "firestore.stream"]


def test_the_bench_stack_lets_one_funder_post_a_whole_run_without_429():
    """Every grant of a run comes from one funder key; under the production limit most
    of them would be refused, and the figures would measure the limiter."""
    from bench.local_stack import BENCH_LIMITS
    from bench.stack_speed import FULL
    from shared.runtime.config import Settings

    limit = Settings.model_fields["rate_limit_key_requests"].default
    per_minute = max(FULL["rates"]) * 60
    assert per_minute > limit  # the production limit alone would throttle the run
    assert int(BENCH_LIMITS["RATE_LIMIT_KEY_REQUESTS"]) > per_minute + FULL["latency_grants"]


def test_the_harvest_table_puts_the_harvest_next_to_the_bulk_import():
    from bench.report import harvest, render

    step = {"records": 10_000, "seconds": 50.0, "per_second": 200.0, "peak_mib": 120.0}
    results = {
        "harvest": {
            "records": 10_000,
            "profiles": 100,
            "baseline_mib": 95.0,
            "steps": {
                "import": {**step, "created": 10_000, "per_second": 900.0},
                "harvest": {**step, "written": 8_462},
                "reharvest": {**step, "written": 0},
                "match": {**step, "records": 8_462, "matches": 9_000, "per_second": 10.0},
            },
            "end_to_end_per_second": 11.0,
            "end_to_end_peak_mib": 157.0,
        }
    }
    rendered = harvest(results)
    lines = rendered.splitlines()
    assert lines[2].startswith("| bulk import") and "| 900.0 |" in lines[2]
    assert lines[3].startswith("| harvest (") and "| 8,462 |" in lines[3]
    assert lines[6] == "| harvest -> stored -> matched | 10,000 | 9,000 | 11.0 | 157.0 |"
    assert "### Harvest next to the bulk import" in render(results)
