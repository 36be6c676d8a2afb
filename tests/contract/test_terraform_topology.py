"""The Terraform declares exactly the topology the local stack runs (infra/topology.json):
topics, subscriptions and their push targets, ack deadlines, retry and dead-letter
policies, functions and entry points, schedules; and the IAM that makes it work with
nothing more. No Terraform binary and no network: the .tf files are parsed."""

from __future__ import annotations

import ast
import re
import shutil
import tomllib

import pytest

from dev.services import REPO
from dev.topology import load_topology
from shared.domain.events import DEAD_LETTER_TOPIC, TOPIC_FOR_EVENT
from tests.contract.infra_model import (
    FUNCTION,
    INVOKERS,
    SCHEDULER_JOB,
    SUBSCRIPTION,
    declared_topology,
    differences,
    expected_topology,
    function_uri,
    member,
    single,
)
from tests.contract.terraform import Ref, Terraform

INFRA = REPO / "infra"


@pytest.fixture(scope="module")
def tf() -> Terraform:
    return Terraform(INFRA)


@pytest.fixture(scope="module")
def topology() -> dict:
    return load_topology()


def test_terraform_pins_terraform_and_the_google_provider(tf):
    settings = tf.terraform[0]
    assert settings["required_version"]
    google = single(settings["required_providers"])["google"]
    assert google["source"] == "hashicorp/google"
    assert re.fullmatch(r"\d+\.\d+\.\d+", google["version"]), "pin an exact provider version"


def test_terraform_declares_exactly_the_topology(tf, topology):
    assert differences(declared_topology(tf), expected_topology(topology)) == []


@pytest.mark.parametrize(
    ("file", "before", "after", "reported"),
    [
        (
            "pubsub.tf",
            "ack_deadline_seconds  = 120",
            "ack_deadline_seconds  = 60",
            "subscriptions.match-on-grant-published.ack_deadline_seconds",
        ),
        (
            "pubsub.tf",
            "max_backoff_seconds   = 600",
            "max_backoff_seconds   = 60",
            "subscriptions.match-on-grant-published.max_backoff_seconds",
        ),
        ("pubsub.tf", '"scheduled-jobs", "dead-letter",', '"dead-letter",', "topics"),
        (
            "pubsub.tf",
            '"match-found"       = [local.runtime_member.match, ',
            '"match-found"       = [',
            "functions.match.publishes",
        ),
        ("functions.tf", 'entry_point     = "notify"', 'entry_point     = "main"', "notify"),
        (
            "functions.tf",
            'secrets         = ["SENDGRID_API_KEY", "LINK_SIGNING_SECRET"]',
            'secrets         = ["SENDGRID_API_KEY"]',
            "functions.notify.secrets",
        ),
        ("scheduler.tf", '"* * * * *"', '"*/5 * * * *"', "schedules.outbox-relay.schedule"),
    ],
)
def test_a_terraform_edit_that_breaks_the_topology_is_reported(
    tmp_path, topology, file, before, after, reported
):
    infra = shutil.copytree(INFRA, tmp_path / "infra")
    path = infra / file
    text = path.read_text()
    assert before in text
    path.write_text(text.replace(before, after, 1))
    found = differences(declared_topology(Terraform(infra)), expected_topology(topology))
    assert any(reported in line for line in found), found


def test_a_subscription_only_topology_json_knows_is_reported(tf, topology):
    extra = {
        "name": "notify-on-digest-due",
        "topic": "digest-due",
        "push_to": "notify",
        "ack_deadline_seconds": 120,
    }
    grown = {**topology, "subscriptions": [*topology["subscriptions"], extra]}
    found = differences(declared_topology(tf), expected_topology(grown))
    assert any(line.startswith("subscriptions.notify-on-digest-due:") for line in found)


def test_every_function_folder_is_deployed_with_its_entry_point(topology):
    folders = {p.parent.name for p in (REPO / "functions").glob("*/main.py")}
    assert folders == set(topology["functions"])
    decorator_for = {"http": "http", "schedule": "http", "pubsub": "cloud_event"}
    for name, spec in topology["functions"].items():
        tree = ast.parse((REPO / "functions" / name / "main.py").read_text())
        entry = [
            node
            for node in tree.body
            if isinstance(node, ast.FunctionDef) and node.name == spec["entry_point"]
        ]
        assert entry, f"functions/{name}/main.py defines no {spec['entry_point']}()"
        decorators = {ast.unparse(d) for d in entry[0].decorator_list}
        assert f"functions_framework.{decorator_for[spec['trigger']]}" in decorators, name


def test_event_topics_are_the_ones_the_code_publishes_to(topology):
    assert topology["events"] == {event.value: topic for event, topic in TOPIC_FOR_EVENT.items()}
    assert {*TOPIC_FOR_EVENT.values(), DEAD_LETTER_TOPIC} <= set(topology["topics"])


def test_every_topic_has_a_publisher_and_a_subscriber(topology):
    published = {t for spec in topology["functions"].values() for t in spec["publishes"]}
    published |= {s["topic"] for s in topology.get("schedules", []) if "topic" in s}
    subscribed = {s["topic"] for s in topology["subscriptions"]}
    for topic in topology["topics"]:
        assert topic in published, f"nobody may publish to {topic}"
        assert topic in subscribed, f"messages on {topic} would be lost: no subscription"


def test_every_push_subscription_has_a_dead_letter_policy(topology):
    for sub in topology["subscriptions"]:
        if not sub.get("pull"):
            assert sub["dead_letter_topic"] in topology["topics"], sub["name"]
            assert sub["max_delivery_attempts"] >= 5, "Pub/Sub's minimum is 5"


def _invocable_by(tf: Terraform, who: str) -> list[str]:
    """The functions `who` may invoke."""
    return sorted(
        tf.at(b["name"].address)["name"]
        for b in tf.instances(INVOKERS).values()
        if who in b["members"]
    )


def test_push_subscriptions_sign_as_an_identity_that_may_invoke_only_their_function(tf):
    token_creators = tf.instances("google_service_account_iam_member").values()
    agent = tf.local("pubsub_agent")
    for sub in tf.instances(SUBSCRIPTION).values():
        push = single(sub.get("push_config"))
        if not push:
            continue
        oidc = single(push["oidc_token"])
        target = push["push_endpoint"].split("}", 1)[0].removeprefix("${")
        target = target.removesuffix(".service_config[0].uri")
        assert oidc["audience"] == function_uri(target), sub["name"]
        assert _invocable_by(tf, member(oidc["service_account_email"])) == [
            tf.at(target)["name"]
        ], sub["name"]
        identity = Ref(oidc["service_account_email"].address, ("name",))
        assert any(
            g["service_account_id"] == identity
            and g["role"] == "roles/iam.serviceAccountTokenCreator"
            and g["member"] == agent
            for g in token_creators
        ), f"the Pub/Sub agent cannot sign pushes of {sub['name']}"


def test_scheduler_jobs_sign_as_an_identity_that_may_invoke_only_their_function(tf):
    for job in tf.instances(SCHEDULER_JOB).values():
        http = single(job.get("http_target"))
        if not http:
            continue
        oidc = single(http["oidc_token"])
        assert oidc["audience"] == http["uri"], job["name"]
        assert _invocable_by(tf, member(oidc["service_account_email"])) == [
            tf.at(http["uri"].address)["name"]
        ], job["name"]


def test_the_pubsub_agent_can_dead_letter_every_push_subscription(tf):
    agent = tf.local("pubsub_agent")
    assert re.fullmatch(
        r"serviceAccount:service-\$\{[^}]+\}@gcp-sa-pubsub\.iam\.gserviceaccount\.com", agent
    )
    forwarding = list(tf.instances("google_pubsub_subscription_iam_member").values())
    publishers = tf.instances("google_pubsub_topic_iam_binding").values()
    for address, sub in tf.instances(SUBSCRIPTION).items():
        dead_letter = single(sub.get("dead_letter_policy"))
        if not dead_letter:
            continue
        assert any(
            f["subscription"] == Ref(address, ("name",))
            and f["role"] == "roles/pubsub.subscriber"
            and f["member"] == agent
            for f in forwarding
        ), f"the Pub/Sub agent cannot take dead letters off {sub['name']}"
        topic = Ref(dead_letter["dead_letter_topic"].address, ("name",))
        assert any(p["topic"] == topic and agent in p["members"] for p in publishers), (
            f"the Pub/Sub agent cannot publish {sub['name']}'s dead letters"
        )


def test_nothing_but_the_public_api_is_open_to_everyone(tf, topology):
    public = sorted(n for n, spec in topology["functions"].items() if spec["trigger"] == "http")
    assert _invocable_by(tf, "allUsers") == public
    for rtype in (t for t in tf.resources if "_iam_" in t):
        for address, instance in tf.instances(rtype).items():
            if address.startswith(INVOKERS):
                continue
            granted = [*instance.get("members", []), instance.get("member")]
            assert "allUsers" not in granted and "allAuthenticatedUsers" not in granted, address


def test_functions_hold_no_project_wide_role_but_firestore(tf):
    runtime = {
        member(single(fn["service_config"])["service_account_email"])
        for fn in tf.instances(FUNCTION).values()
    }
    callers = {m for b in tf.instances(INVOKERS).values() for m in b["members"]} - {"allUsers"}
    for grant in tf.instances("google_project_iam_member").values():
        if grant["member"] in runtime:
            assert grant["role"] == "roles/datastore.user", grant
        assert grant["member"] not in callers, f"a caller identity holds {grant['role']}"


def test_a_push_function_finishes_within_its_ack_deadline(tf):
    timeout = {
        fn["name"]: single(fn["service_config"])["timeout_seconds"]
        for fn in tf.instances(FUNCTION).values()
    }
    for name, sub in declared_topology(tf)["subscriptions"].items():
        if "push_to" in sub:
            assert timeout[sub["push_to"]] <= sub["ack_deadline_seconds"], name


def test_functions_run_a_python_the_project_supports(tf):
    runtimes = {single(fn["build_config"])["runtime"] for fn in tf.instances(FUNCTION).values()}
    assert len(runtimes) == 1, runtimes
    version = re.fullmatch(r"python3(\d+)", runtimes.pop())
    assert version is not None
    requires = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["requires-python"]
    minimum = int(re.fullmatch(r">=3\.(\d+)", requires).group(1))
    assert int(version.group(1)) >= minimum


def test_function_sources_are_the_zips_make_build_writes(tf):
    for address, fn in tf.instances(FUNCTION).items():
        source = single(single(single(fn["build_config"])["source"])["storage_source"])
        assert tf.at(source["object"])["source"].endswith(f"/{fn['name']}.zip"), address


def test_terraform_reads_the_same_index_file_the_contract_checks(tf):
    assert "firestore.indexes.json" in tf.locals["firestore"]
    assert "jsondecode(file(" in tf.locals["firestore"]
    index = tf.resources["google_firestore_index"]["composite"]
    overrides = tf.resources["google_firestore_field"]["override"]
    assert "local.firestore.indexes" in index["for_each"]
    assert "local.firestore.fieldOverrides" in overrides["for_each"]
    assert [d for d in overrides["dynamic"] if "ttl_config" in d], "TTL overrides are not applied"


def test_scheduled_ticks_are_the_messages_the_local_command_publishes(tf, topology):
    """Cloud Scheduler's Pub/Sub jobs (topology.json `schedules` with a topic) and
    `grantmatch schedule JOB` (infra/scheduler.json) must fire the same jobs, on the same
    clock, onto the same topic; the Terraform reads each job's message from scheduler.json."""
    import json

    jobs = json.loads((INFRA / "scheduler.json").read_text())["jobs"]
    local_runs = {(j["schedule"], j["time_zone"], j["topic"]) for j in jobs.values()}
    cloud_runs = {
        (s["schedule"], s["time_zone"], s["topic"]) for s in topology["schedules"] if "topic" in s
    }
    assert cloud_runs == local_runs
    assert {s["job"] for s in tf.local("topic_schedules").values()} == set(jobs)
