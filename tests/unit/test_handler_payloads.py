"""A handler declares the payload model it takes; the consumer hands it that model or
treats the event as poison. No Java: the check is pure."""

from __future__ import annotations

import importlib.util

import pytest

from dev.services import REPO
from shared.domain.errors import PoisonMessage
from shared.domain.events import (
    PAYLOADS,
    InterestAccepted,
    InterestExpressed,
    ProfileCreated,
    ProjectSubmitted,
    new_event,
)
from shared.runtime.consumer import declared_payloads, payload_for
from tests.builders import NOW


def _takes_accepted(envelope, ad, payload: InterestAccepted) -> None:
    raise AssertionError("never called here")


def _takes_subscriber(envelope, ad, payload: ProfileCreated | ProjectSubmitted) -> None:
    raise AssertionError("never called here")


def _takes_anything(envelope, ad, payload) -> None:
    raise AssertionError("never called here")


def test_handler_gets_the_payload_as_the_model_it_declares():
    event = new_event(InterestAccepted(interest_id="i_1"), correlation_id="c-12345678", now=NOW)
    assert payload_for(_takes_accepted, event) == InterestAccepted(interest_id="i_1")


def test_another_events_payload_of_the_same_shape_is_poison():
    # interest.expressed and interest.accepted both carry only an interest_id: parsing the
    # dict into the declared model would succeed; the event's own model decides.
    event = new_event(InterestExpressed(interest_id="i_1"), correlation_id="c-12345678", now=NOW)
    with pytest.raises(PoisonMessage) as raised:
        payload_for(_takes_accepted, event)
    assert "takes InterestAccepted, not interest.expressed v1" in raised.value.reason


def test_a_union_declares_every_model_the_handler_takes():
    assert declared_payloads(_takes_subscriber) == (ProfileCreated, ProjectSubmitted)
    event = new_event(ProjectSubmitted(project_id="p_1"), correlation_id="c-12345678", now=NOW)
    assert payload_for(_takes_subscriber, event) == ProjectSubmitted(project_id="p_1")


def test_handler_without_a_payload_model_is_a_programming_error_not_poison():
    with pytest.raises(TypeError, match="payload"):
        declared_payloads(_takes_anything)


def _handler_table(function: str) -> dict:
    path = REPO / "functions" / function / "main.py"
    spec = importlib.util.spec_from_file_location(f"gm_handlers_{function}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.HANDLERS


@pytest.mark.parametrize("function", ["match", "notify"])
def test_every_registered_handler_takes_each_version_of_its_event(function):
    table = _handler_table(function)
    assert table
    for name, handler in table.items():
        models = [model for (event, _), model in PAYLOADS.items() if event is name]
        assert models, name
        for model in models:
            assert model in declared_payloads(handler), (name, handler.__qualname__)
