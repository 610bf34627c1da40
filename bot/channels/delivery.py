"""Retry a send with exponential backoff while its failure is transient."""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeAlias

from bot.messages import Outgoing

log = logging.getLogger("hocso.channels")
# Told of replies a channel is done with: sent, kept in failed_send, or refused for good.
Done: TypeAlias = Callable[[list[Outgoing]], Awaitable[None]]


async def with_retries(attempt: Callable[[], Awaitable[None]], *,
                       transient: Callable[[Exception], bool], what: str,
                       attempts: int = 5, backoff_seconds: float = 1.0) -> Exception | None:
    """Run `attempt` until it succeeds; return None, or the error that ended the tries.

    Transient errors (as `transient` judges them) are retried after 1, 2, 4... times
    `backoff_seconds`; any other error ends at once. Every failure is logged.
    """
    for number in range(1, attempts + 1):
        try:
            await attempt()
            return None
        except Exception as error:  # the caller's judge decides what is worth a retry
            if not transient(error) or number == attempts:
                log.error("%s failed for good (attempt %s/%s): %s", what, number, attempts,
                          error)
                return error
            log.warning("%s failed (attempt %s/%s), retrying: %s", what, number, attempts,
                        error)
            await asyncio.sleep(backoff_seconds * 2 ** (number - 1))
    raise AssertionError("unreachable: attempts must be at least 1")
