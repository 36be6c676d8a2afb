"""The sender waits as long as SendGrid asks (X-RateLimit-Reset), within a bound."""

from __future__ import annotations

from tenacity import RetryCallState, Retrying

from shared.adapters.sendgrid_sender import (
    MAX_WAIT_SECONDS,
    TransientSendError,
    _reset_delay,
    _wait,
)


def _state_after(exc: Exception) -> RetryCallState:
    state = RetryCallState(Retrying(), fn=None, args=(), kwargs={})
    state.set_exception((type(exc), exc, None))
    return state


def test_reset_header_is_a_unix_time_turned_into_a_delay():
    assert _reset_delay({"X-RateLimit-Reset": "1007"}, now=1000.0) == 7.0
    assert _reset_delay({"X-RateLimit-Reset": "990"}, now=1000.0) == 0.0
    assert _reset_delay({"Retry-After": "3"}, now=1000.0) == 3.0
    assert _reset_delay({}, now=1000.0) is None


def test_wait_honours_the_reset_time_capped():
    assert _wait(_state_after(TransientSendError("429", retry_after=7.0))) == 7.0
    assert _wait(_state_after(TransientSendError("429", retry_after=600))) == MAX_WAIT_SECONDS


def test_without_a_reset_time_it_backs_off():
    first = _wait(_state_after(TransientSendError("503")))
    assert 0 < first <= MAX_WAIT_SECONDS
