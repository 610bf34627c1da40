"""Retry a send with exponential backoff while its failure is transient; owed replies, with
patience, until the platform takes them or the channel stops."""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeAlias

from bot.messages import Outgoing
from bot.retry import backoff, retry

log = logging.getLogger("hocso.channels")
# Told of replies a channel is done with: sent, kept in failed_send, or refused for good.
Done: TypeAlias = Callable[[list[Outgoing]], Awaitable[None]]
ATTEMPTS = 5  # for a message the outbox keeps and tries again later by itself
LONGEST_WAIT = 60.0  # seconds between two tries of an owed reply, at most


class Held(Exception):
    """The channel stopped while a platform was failing: the reply stays kept in the outbox,
    and the next start sends it, in its chat's order."""


class Patience:
    """How long a channel keeps trying: a learner's owed reply until the platform takes it
    (a 429 or a 5xx spell of any length loses nothing), every try cut short once the
    channel stops."""

    def __init__(self, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self._sleep = sleep  # tests pass one that moves a virtual clock
        self._stopping = asyncio.Event()

    def stop(self) -> None:
        """Stop waiting: tries under way end, and what they owed is Held."""
        self._stopping.set()

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    async def sleep(self, seconds: float) -> None:
        """Wait `seconds`, or less if the channel stops meanwhile."""
        if self.stopping:
            return
        waits = [asyncio.ensure_future(self._sleep(seconds)),
                 asyncio.ensure_future(self._stopping.wait())]
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for wait in waits:
                wait.cancel()

    def attempts(self, owed: bool) -> int | None:
        """How many failures end the tries: none for an owed reply."""
        return None if owed else ATTEMPTS


async def with_retries(attempt: Callable[[], Awaitable[None]], *,
                       transient: Callable[[Exception], bool], what: str,
                       patience: Patience, owed: bool,
                       backoff_seconds: float = 1.0) -> Exception | None:
    """Run `attempt` until it succeeds; return None, or the error that ended the tries.

    Transient errors (as `transient` judges them) are retried after 1, 2, 4... times
    `backoff_seconds`, a minute at most: an `owed` reply until the channel stops (then Held
    is returned), anything else up to ATTEMPTS times. Any other error ends at once. Every
    failure is logged.
    """
    failures = 0
    attempts = patience.attempts(owed)

    def failed(error: BaseException, number: int) -> None:
        nonlocal failures
        failures = number
        if attempts is None or number < attempts:
            log.warning("%s failed (attempt %s), retrying: %s", what, number, error)

    def retry_on(error: BaseException) -> bool:
        return isinstance(error, Exception) and transient(error) and not patience.stopping

    try:
        await retry(attempt, retry_on=retry_on, wait=backoff(backoff_seconds, LONGEST_WAIT),
                    attempts=attempts, on_failure=failed, sleep=patience.sleep)
    except Exception as error:  # the caller's judge decided it was not worth another try
        if owed and transient(error):  # only a stop ends an owed reply's transient failures
            log.warning("%s held for the next start: %s", what, error)
            return Held(str(error))
        number = failures if retry_on(error) else failures + 1
        log.error("%s failed for good (attempt %s): %s", what, number, error)
        return error
    return None
