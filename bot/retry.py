"""The one retry policy of the tutor and the channels, on tenacity, clock and sleep injectable."""

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception

T = TypeVar("T")
Backoff = Callable[[int], float]  # seconds to wait after the nth failure


def backoff(first: float, cap: float = float("inf")) -> Backoff:
    """Wait `first` seconds after the first failure, then twice as long each time, up to `cap`."""
    return lambda failures: min(cap, first * 2.0 ** min(failures - 1, 64))


def _no_wait_asked(_error: BaseException) -> float | None:
    return None


async def retry(call: Callable[[], Awaitable[T]], *,
                retry_on: Callable[[BaseException], bool], wait: Backoff,
                attempts: int | None = None, deadline: float | None = None,
                asked_wait: Callable[[BaseException], float | None] = _no_wait_asked,
                on_failure: Callable[[BaseException, int], None] | None = None,
                clock: Callable[[], float] = time.monotonic,
                sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> T:
    """Await `call` until it succeeds; an error that `retry_on` refuses is raised at once.

    After the nth failure it waits `wait(n)` seconds. It gives up, raising the last error, after
    `attempts` failures, or when the next try would start after `deadline` (read on `clock`);
    with neither it never gives up. A wait the other side asked for (`asked_wait` gives its
    seconds, as for a 429's retry_after) is waited out but is no failure: a platform that is
    only busy never makes us give up. `on_failure(error, n)` hears of each failure, the last too.
    """
    def retried(error: BaseException) -> bool:
        return asked_wait(error) is not None or retry_on(error)

    # The first try runs before tenacity is set up: nearly every call succeeds at once, and
    # tenacity's bookkeeping cost 7 % of a web chat request's CPU (bench/RESULTS.md). A first
    # failure is handed to tenacity as its own first try, so it is waited on, counted and
    # given up on exactly as before.
    try:
        return await call()
    except BaseException as error:  # as tenacity judges every try: `retry_on` decides, not we
        if not retried(error):
            raise
        first: list[BaseException] = [error]
    failures = 0  # counted here, not by tenacity, whose attempt numbers include asked waits

    def failed(state: RetryCallState) -> None:
        nonlocal failures
        error = _error(state)
        if asked_wait(error) is None:
            failures += 1
            if on_failure is not None:
                on_failure(error, failures)

    def wait_for(state: RetryCallState) -> float:
        asked = asked_wait(_error(state))
        return wait(failures) if asked is None else asked

    def give_up(state: RetryCallState) -> bool:
        return ((attempts is not None and failures >= attempts)
                or (deadline is not None and clock() + state.upcoming_sleep > deadline))

    # A new AsyncRetrying for every call: tenacity keeps a call's progress on the object,
    # so one shared between tasks would mix their tries up.
    retrying = AsyncRetrying(
        retry=retry_if_exception(retried),
        after=failed, wait=wait_for, stop=give_up, sleep=sleep, reraise=True)

    async def attempt() -> T:  # tenacity awaits only coroutine functions, not any callable
        if first:
            raise first.pop()
        return await call()

    result: T = await retrying(attempt)
    return result


def _error(state: RetryCallState) -> BaseException:
    assert state.outcome is not None
    error = state.outcome.exception()
    assert error is not None  # only failed tries are retried
    return error
