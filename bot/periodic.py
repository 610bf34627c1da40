"""Run a background job every few seconds until cancelled; a failure is logged, not fatal."""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

log = logging.getLogger("hocso")


async def every(seconds: float, job: Callable[[], Awaitable[Any]], *, what: str) -> None:
    """Call `job`, wait `seconds`, and again, until the task is cancelled."""
    while True:
        try:
            await job()
        except Exception:
            log.exception("%s failed; trying again in %.0f s", what, seconds)
        await asyncio.sleep(seconds)
