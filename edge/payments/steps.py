"""A payment flow written as steps: a generator that does its SQLite work itself and *yields* what
must wait — a provider request (`ProviderCall`) or a pause (`Pause`) — so that whoever runs it
chooses where that waiting happens.

Rule: a `ProviderCall` holds network I/O only (never the till's SQLite connection), so a runner may
send it on another thread while the generator itself, and every SQLite statement in it, stays on
the thread that runs the steps. `run_steps` runs everything here and now (the headless till, the
CLI, tests); the Qt apps run the calls on a worker thread (ui/till/payment_runner.py).
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import TypeVar, cast

T = TypeVar("T")


@dataclass(frozen=True)
class ProviderCall:
    """A request to a payment provider: `call()` returns its answer or raises."""

    call: Callable[[], object]


@dataclass(frozen=True)
class Pause:
    """Wait this long before the next step (a query or reversal that is not due yet)."""

    seconds: float


Step = ProviderCall | Pause
Steps = Generator[Step, object, T]


def provider_call(call: Callable[[], T]) -> Steps[T]:
    """`result = yield from provider_call(lambda: client.query(no))`: the answer, typed, or the
    exception the call raised, raised here."""
    result = yield ProviderCall(call)
    return cast(T, result)


def pause(seconds: float) -> Steps[None]:
    yield Pause(seconds)


def run_steps(steps: Steps[T], sleep: Callable[[float], None]) -> T:
    """Run steps on this thread: each call made at once, each pause slept."""
    answer: object = None
    failure: BaseException | None = None
    while True:
        try:
            step = steps.throw(failure) if failure is not None else steps.send(answer)
        except StopIteration as stop:
            return cast(T, stop.value)
        answer, failure = None, None
        if isinstance(step, Pause):
            sleep(step.seconds)
            continue
        try:
            answer = step.call()
        except Exception as exc:  # handed back to the flow, which decides what it means
            failure = exc
