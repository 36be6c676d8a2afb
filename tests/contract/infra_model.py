"""What infra/*.tf declares, put in the shape of infra/topology.json, so the two compare
field by field and every difference reads as a sentence."""

from __future__ import annotations

import re
from typing import Any

from tests.contract.terraform import Ref, Terraform

FUNCTION = "google_cloudfunctions2_function"
SUBSCRIPTION = "google_pubsub_subscription"
INVOKERS = "google_cloud_run_v2_service_iam_binding"
PUBLISHERS = "google_pubsub_topic_iam_binding"
SECRET_READERS = "google_secret_manager_secret_iam_binding"
SCHEDULER_JOB = "google_cloud_scheduler_job"

_PUSH_ENDPOINT = re.compile(
    r"^\$\{(?P<function>[^}]+)\.service_config\[0\]\.uri\}"
    r"/projects/\$\{var\.project_id\}/topics/(?P<topic>[^/]+)$"
)


def member(ref: Any) -> str:
    """The IAM member string of a service account email reference."""
    return f"serviceAccount:{ref}"


def function_uri(function_address: str) -> Ref:
    """Where a function is called (its Cloud Run address)."""
    return Ref(function_address, ("service_config", 0, "uri"))


def seconds(duration: Any) -> Any:
    """'600s' -> 600 (anything else is returned as it is, to show up in a diff)."""
    if isinstance(duration, str) and re.fullmatch(r"\d+s", duration):
        return int(duration[:-1])
    return duration


def name_of(tf: Terraform, ref: Any) -> str:
    """The `name` of the instance a reference points to, or why there is none."""
    try:
        return tf.at(ref)["name"]
    except (KeyError, AttributeError):
        return f"undeclared {ref}"


def single(blocks: list[dict[str, Any]] | None) -> dict[str, Any]:
    """The one block of a nested block list (empty if the block is absent)."""
    return blocks[0] if blocks else {}


# -- declared -------------------------------------------------------------------------------
def declared_topology(tf: Terraform) -> dict[str, Any]:
    """Topics, subscriptions, functions and schedules as the Terraform declares them."""
    functions = tf.instances(FUNCTION)
    names = {address: fn["name"] for address, fn in functions.items()}
    return {
        "topics": sorted(t["name"] for t in tf.instances("google_pubsub_topic").values()),
        "subscriptions": {
            s["name"]: _subscription(tf, s, names) for s in tf.instances(SUBSCRIPTION).values()
        },
        "functions": {fn["name"]: _function(tf, address, fn) for address, fn in functions.items()},
        "schedules": {
            job["name"]: _schedule(tf, job, names) for job in tf.instances(SCHEDULER_JOB).values()
        },
        "secret_readers": _secret_readers(tf, functions),
    }


def _subscription(tf: Terraform, sub: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "topic": name_of(tf, sub["topic"]),
        "ack_deadline_seconds": sub.get("ack_deadline_seconds"),
    }
    push = single(sub.get("push_config"))
    if push:
        endpoint = _PUSH_ENDPOINT.match(str(push.get("push_endpoint")))
        if endpoint is None:
            out["push_to"] = f"unrecognised push_endpoint {push.get('push_endpoint')!r}"
        else:
            out["push_to"] = names.get(endpoint["function"], endpoint["function"])
            if endpoint["topic"] != out["topic"]:
                out["push_path_topic"] = endpoint["topic"]
    else:
        out["pull"] = True
    if "message_retention_duration" in sub:
        out["retention_seconds"] = seconds(sub["message_retention_duration"])
    dead_letter = single(sub.get("dead_letter_policy"))
    if dead_letter:
        out["dead_letter_topic"] = name_of(tf, dead_letter["dead_letter_topic"])
        out["max_delivery_attempts"] = dead_letter.get("max_delivery_attempts")
    retry = single(sub.get("retry_policy"))
    if retry:
        out["min_backoff_seconds"] = seconds(retry.get("minimum_backoff"))
        out["max_backoff_seconds"] = seconds(retry.get("maximum_backoff"))
    return out


def _function(tf: Terraform, address: str, fn: dict[str, Any]) -> dict[str, Any]:
    service = single(fn.get("service_config"))
    runtime_member = member(service.get("service_account_email"))
    publishes = [
        name_of(tf, binding["topic"])
        for binding in tf.instances(PUBLISHERS).values()
        if runtime_member in binding["members"]
    ]
    return {
        "entry_point": single(fn.get("build_config")).get("entry_point"),
        "trigger": _trigger(tf, address, service.get("ingress_settings")),
        "publishes": sorted(publishes),
        "secrets": sorted(s["key"] for s in service.get("secret_environment_variables", [])),
    }


def _trigger(tf: Terraform, address: str, ingress: Any) -> str:
    """How a function is reached, judged from who may invoke it and its ingress."""
    bindings = [b for b in tf.instances(INVOKERS).values() if b["name"] == Ref(address, ("name",))]
    members = {m for b in bindings for m in b["members"]}
    callers = set()
    for who in members:
        if who == "allUsers":
            callers.add("public")
        elif who in push_identities(tf):
            callers.add("pubsub")
        elif who in scheduler_identities(tf):
            callers.add("schedule")
        else:
            callers.add(who)
    if callers == {"public"} and ingress == "ALLOW_ALL":
        return "http"
    if callers in ({"pubsub"}, {"schedule"}) and ingress == "ALLOW_INTERNAL_ONLY":
        return callers.pop()
    return f"unclear: callers {sorted(callers)}, ingress {ingress}"


def push_identities(tf: Terraform) -> set[str]:
    """Members whose OIDC tokens sign our push subscriptions."""
    return {
        member(single(single(s.get("push_config")).get("oidc_token")).get("service_account_email"))
        for s in tf.instances(SUBSCRIPTION).values()
        if s.get("push_config")
    }


def scheduler_identities(tf: Terraform) -> set[str]:
    """Members whose OIDC tokens sign the scheduler's HTTP calls."""
    return {
        member(single(single(j.get("http_target")).get("oidc_token")).get("service_account_email"))
        for j in tf.instances(SCHEDULER_JOB).values()
        if j.get("http_target")
    }


def _schedule(tf: Terraform, job: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    out = {"schedule": job.get("schedule"), "time_zone": job.get("time_zone")}
    http = single(job.get("http_target"))
    if http:
        uri = http.get("uri")
        function = uri.address if isinstance(uri, Ref) else str(uri)
        out["invoke"] = names.get(function, f"not a function uri: {uri}")
    pubsub = single(job.get("pubsub_target"))
    if pubsub:
        out["topic"] = name_of(tf, pubsub["topic_name"])
    return out


def _secret_readers(tf: Terraform, functions: dict[str, dict[str, Any]]) -> dict[str, list[str]]:
    by_member = {
        member(single(fn.get("service_config")).get("service_account_email")): fn["name"]
        for fn in functions.values()
    }
    readers: dict[str, list[str]] = {}
    for binding in tf.instances(SECRET_READERS).values():
        secret = binding["secret_id"]
        env = secret.address.split('["', 1)[1].rstrip('"]') if isinstance(secret, Ref) else secret
        readers[env] = sorted(by_member.get(m, m) for m in binding["members"])
    return readers


# -- expected -------------------------------------------------------------------------------
def expected_topology(topology: dict[str, Any]) -> dict[str, Any]:
    """The same shape, from infra/topology.json."""
    functions = topology["functions"]
    secret_readers: dict[str, list[str]] = {}
    for name, spec in sorted(functions.items()):
        for secret in spec.get("secrets", []):
            secret_readers.setdefault(secret, []).append(name)
    return {
        "topics": sorted(topology["topics"]),
        "subscriptions": {
            s["name"]: {k: v for k, v in s.items() if k != "name"}
            for s in topology["subscriptions"]
        },
        "functions": {
            name: {
                "entry_point": spec["entry_point"],
                "trigger": spec["trigger"],
                "publishes": sorted(spec.get("publishes", [])),
                "secrets": sorted(spec.get("secrets", [])),
            }
            for name, spec in functions.items()
        },
        "schedules": {
            s["name"]: {k: v for k, v in s.items() if k != "name"}
            for s in topology.get("schedules", [])
        },
        "secret_readers": secret_readers,
    }


def differences(declared: Any, expected: Any, where: str = "") -> list[str]:
    """Every place where Terraform and topology.json disagree, as sentences."""
    if isinstance(declared, dict) and isinstance(expected, dict):
        found = []
        for key in sorted(set(declared) | set(expected), key=str):
            path = f"{where}.{key}" if where else str(key)
            if key not in declared:
                found.append(f"{path}: in topology.json ({expected[key]!r}), not in Terraform")
            elif key not in expected:
                found.append(f"{path}: in Terraform ({declared[key]!r}), not in topology.json")
            else:
                found.extend(differences(declared[key], expected[key], path))
        return found
    if declared != expected:
        return [f"{where}: Terraform has {declared!r}, topology.json has {expected!r}"]
    return []
