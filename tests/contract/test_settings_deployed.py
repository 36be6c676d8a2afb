"""Every setting the code reads (shared/runtime/config.py) is set on each function by the
Terraform, or has a default that is right in production; secrets come from Secret Manager
and never pass through Terraform."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from dev.services import REPO
from dev.topology import load_topology
from shared.runtime.config import PRODUCTION_DEFAULTS, Settings
from tests.contract.infra_model import FUNCTION, single
from tests.contract.terraform import Ref, Terraform

INFRA = REPO / "infra"
EMULATOR_VARIABLES = ("FIRESTORE_EMULATOR_HOST", "PUBSUB_EMULATOR_HOST")


@pytest.fixture(scope="module")
def tf() -> Terraform:
    return Terraform(INFRA)


def _services(tf: Terraform) -> dict[str, dict]:
    return {fn["name"]: single(fn["service_config"]) for fn in tf.instances(FUNCTION).values()}


def undeployed_settings(settings: type[Settings], tf: Terraform, topology: dict) -> list[str]:
    """Why each setting would run on a wrong value in the cloud (empty: none would)."""
    services = _services(tf)
    declared_secrets = tf.local("secrets")
    mounted = {
        f: {s["key"] for s in svc.get("secret_environment_variables", [])}
        for f, svc in services.items()
    }
    problems = []
    for name, info in settings.model_fields.items():
        env = name.upper()
        if info.annotation is SecretStr:
            if env not in declared_secrets:
                problems.append(f"{env}: a secret with no Secret Manager secret in secrets.tf")
            readers = [f for f, spec in topology["functions"].items() if env in spec["secrets"]]
            if not readers:
                problems.append(f"{env}: no function lists it in topology.json `secrets`")
            for function in readers:
                if env not in mounted.get(function, set()):
                    problems.append(f"{env}: not mounted from Secret Manager on {function}")
            for function, svc in services.items():
                if env in svc.get("environment_variables", {}):
                    problems.append(f"{env}: a secret set as a plain variable on {function}")
        elif name not in PRODUCTION_DEFAULTS:
            for function, svc in services.items():
                if env not in svc.get("environment_variables", {}):
                    problems.append(f"{env}: not set on {function} and its default is local-only")
    return problems


def test_every_setting_is_deployed_or_safe_by_default(tf):
    assert undeployed_settings(Settings, tf, load_topology()) == []


def test_a_new_setting_is_reported_until_the_terraform_sets_it(tf):
    class Grown(Settings):
        unsubscribe_signing_key: SecretStr = SecretStr("")
        digest_send_hour: int = 6

    problems = undeployed_settings(Grown, tf, load_topology())
    assert any(p.startswith("UNSUBSCRIBE_SIGNING_KEY: a secret with no") for p in problems)
    assert any(p.startswith("DIGEST_SEND_HOUR: not set on notify") for p in problems)


def test_safe_defaults_name_real_settings():
    assert set(PRODUCTION_DEFAULTS) <= set(Settings.model_fields)


def test_terraform_sets_only_settings_the_code_reads(tf):
    known = {name.upper() for name in Settings.model_fields}
    for function, svc in _services(tf).items():
        assert set(svc["environment_variables"]) <= known, function
        for variable in EMULATOR_VARIABLES:
            assert variable not in svc["environment_variables"], function


def test_secrets_are_mounted_from_secret_manager(tf):
    for function, svc in _services(tf).items():
        for secret in svc.get("secret_environment_variables", []):
            where = f'google_secret_manager_secret.secret["{secret["key"]}"]'
            assert secret["secret"] == Ref(where, ("secret_id",)), function
            assert tf.at(where)["secret_id"] == tf.local("secrets")[secret["key"]]


def test_secret_values_never_pass_through_terraform(tf):
    assert "google_secret_manager_secret_version" not in tf.resources
    for path in INFRA.glob("*.tf"):
        assert "secret_data" not in path.read_text(), path.name


def test_notify_gives_up_before_another_delivery_may_take_its_claim(tf):
    notify = _services(tf)["notify"]
    lease = notify["environment_variables"].get(
        "NOTIFICATION_LEASE_SECONDS", Settings.model_fields["notification_lease_seconds"].default
    )
    assert notify["timeout_seconds"] <= int(lease)
