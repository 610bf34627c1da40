"""Retry a send with exponential backoff while its failure is transient."""

import logging
from collections.abc import Awaitable, Callable
from typing import TypeAlias

from bot.messages import Outgoing
from bot.retry import backoff, retry

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
    failures = 0

    def failed(error: BaseException, number: int) -> None:
        nonlocal failures
        failures = number
        if number < attempts:
            log.warning("%s failed (attempt %s/%s), retrying: %s", what, number, attempts,
                        error)

    def retry_on(error: BaseException) -> bool:
        return isinstance(error, Exception) and transient(error)

    try:
        await retry(attempt, retry_on=retry_on, wait=backoff(backoff_seconds),
                    attempts=attempts, on_failure=failed)
    except Exception as error:  # the caller's judge decided it was not worth another try
        number = failures if retry_on(error) else failures + 1
        log.error("%s failed for good (attempt %s/%s): %s", what, number, attempts, error)
        return error
    return None
