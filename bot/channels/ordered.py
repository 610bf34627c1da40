"""Background work that keeps each chat's events in order and can be drained on shutdown."""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Hashable

log = logging.getLogger("hocso.channels")


class OrderedTasks:
    """Run jobs concurrently across keys, one at a time per key, all tracked until done."""

    def __init__(self) -> None:
        self._tails: dict[Hashable, asyncio.Task[None]] = {}
        self._running: set[asyncio.Task[None]] = set()

    def submit(self, key: Hashable, job: Callable[[], Awaitable[None]]) -> None:
        """Queue `job` after every earlier job of `key`; failures are logged, never lost."""
        previous = self._tails.get(key)

        async def run() -> None:
            if previous is not None:
                await asyncio.wait([previous])  # its outcome was already logged
            try:
                await job()
            except Exception:
                log.exception("handling an event for %s failed", key)

        task = asyncio.create_task(run())
        self._tails[key] = task
        self._running.add(task)
        task.add_done_callback(lambda done: self._finished(key, done))

    def _finished(self, key: Hashable, task: asyncio.Task[None]) -> None:
        self._running.discard(task)
        if self._tails.get(key) is task:
            del self._tails[key]

    @property
    def pending(self) -> int:
        """How many jobs are queued or running."""
        return len(self._running)

    async def drain(self) -> None:
        """Wait until every submitted job, including ones submitted meanwhile, has finished."""
        while self._running:
            await asyncio.wait(list(self._running))
