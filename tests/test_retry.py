"""The shared retry policy, on a controlled clock: backoff, attempts, deadlines, asked waits."""

from collections.abc import Awaitable, Callable

import pytest

from bot.retry import backoff, retry
from tests.virtual_time import VirtualTime


class Busy(Exception):
    """A 429 that says how long to wait."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"wait {seconds}")
        self.seconds = seconds


def failing(*errors: Exception) -> tuple[list[int], Callable[[], Awaitable[int]]]:
    """A call that raises `errors` in turn, then returns how many tries it took."""
    tries: list[int] = []

    async def call() -> int:
        tries.append(1)
        if len(tries) <= len(errors):
            raise errors[len(tries) - 1]
        return len(tries)

    return tries, call


def asked(error: BaseException) -> float | None:
    return error.seconds if isinstance(error, Busy) else None


def test_backoff_doubles_up_to_its_cap() -> None:
    wait = backoff(0.5, cap=3.0)
    assert [wait(n) for n in range(1, 6)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    assert backoff(1.0, cap=60.0)(10_000) == 60.0  # no overflow after many failures


async def test_transient_errors_are_retried_with_backoff_then_it_gives_up() -> None:
    time = VirtualTime(start=0.0)
    tries, call = failing(*[OSError(n) for n in range(9)])
    heard: list[int] = []
    with pytest.raises(OSError, match="2"):
        await retry(call, retry_on=lambda e: isinstance(e, OSError), wait=backoff(1.0),
                    attempts=3, on_failure=lambda _e, n: heard.append(n), sleep=time.sleep)
    assert len(tries) == 3 and heard == [1, 2, 3] and time.slept == [1.0, 2.0]


async def test_other_errors_are_raised_at_once() -> None:
    time = VirtualTime(start=0.0)
    tries, call = failing(OSError("net"), ValueError("bad"))
    with pytest.raises(ValueError):
        await retry(call, retry_on=lambda e: isinstance(e, OSError), wait=backoff(1.0),
                    attempts=5, sleep=time.sleep)
    assert len(tries) == 2 and time.slept == [1.0]


async def test_an_asked_wait_is_waited_out_and_never_counted_as_a_failure() -> None:
    time = VirtualTime(start=0.0)
    _, call = failing(*[Busy(30) for _ in range(10)], OSError("net"), Busy(5))
    heard: list[int] = []
    result = await retry(call, retry_on=lambda e: isinstance(e, OSError), wait=backoff(1.0),
                         attempts=2, asked_wait=asked, on_failure=lambda _e, n: heard.append(n),
                         sleep=time.sleep)
    assert result == 13 and heard == [1]
    assert time.slept == [30.0] * 10 + [1.0, 5.0]


async def test_a_deadline_stops_before_a_wait_that_would_pass_it() -> None:
    time = VirtualTime(start=0.0)
    tries, call = failing(*[OSError(n) for n in range(99)])
    with pytest.raises(OSError):
        await retry(call, retry_on=lambda e: isinstance(e, OSError),
                    wait=backoff(0.1, cap=5.0), deadline=time() + 20, clock=time,
                    sleep=time.sleep)
    # Slept 16.3 s in all: the next wait, 5 s, would start a try after the deadline.
    assert time.slept == pytest.approx([0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 5.0, 5.0])
    assert len(tries) == len(time.slept) + 1


async def test_without_attempts_or_deadline_it_never_gives_up() -> None:
    time = VirtualTime(start=0.0)
    _, call = failing(*[OSError(n) for n in range(200)])
    assert await retry(lambda: call(), retry_on=lambda e: isinstance(e, OSError),
                       wait=backoff(1.0, cap=30.0), sleep=time.sleep) == 201
    assert max(time.slept) == 30.0


async def test_the_first_try_is_judged_like_the_others() -> None:
    """The first try runs outside tenacity; whatever it raises is retried or raised as any
    later try's would be, even what is not an Exception."""
    class Stopped(BaseException):
        pass

    for judge, expected in ((lambda e: True, [1.0, 2.0]), (lambda e: False, [])):
        time = VirtualTime(start=0.0)
        tries, call = failing(Stopped(), Stopped())  # type: ignore[arg-type]
        if expected:
            assert await retry(call, retry_on=judge, wait=backoff(1.0), attempts=5,
                               sleep=time.sleep) == 3
        else:
            with pytest.raises(Stopped):
                await retry(call, retry_on=judge, wait=backoff(1.0), attempts=5,
                            sleep=time.sleep)
        assert time.slept == expected and len(tries) == len(expected) + 1
