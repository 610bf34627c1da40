"""Background work that keeps each chat's events in order and can be drained on shutdown."""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Hashable
from typing import TypeVar

from aiohttp import web

from storage.database import unreachable

log = logging.getLogger("hocso.channels")
T = TypeVar("T")


async def answer_once_done(done: Awaitable[None]) -> web.Response:
    """A webhook's answer once its turn is done: 200 when committed (or failed for good, so
    the platform does not send it forever), 503 when the database was out of reach, so the
    platform sends it again."""
    try:
        await done
    except Exception as error:
        if unreachable(error):
            return web.Response(status=503, text="the database cannot be reached just now")
    return web.Response(text="ok")


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

    async def accept(self, key: Hashable, turn: Callable[[], Awaitable[T]],
                     then: Callable[[T], Awaitable[None]]) -> None:
        """Queue `turn` and then `then(its result)` in `key`'s order; return once `turn` is
        done (its commit), raising what it raised. A webhook answers only then, so an event
        lost in a crash before its commit is sent again by the platform."""
        taken: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        async def job() -> None:
            try:
                result = await turn()
            except BaseException as error:
                taken.set_exception(error)
                raise
            taken.set_result(None)
            await then(result)

        self.submit(key, job)
        await asyncio.shield(taken)

    async def run(self, key: Hashable, job: Callable[[], Awaitable[None]]) -> None:
        """Run `job` in `key`'s order (after the replies already queued for that chat) and
        wait for it, raising what it raised."""
        outcome: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        async def wrapped() -> None:
            try:
                await job()
            except Exception as error:
                outcome.set_exception(error)
            else:
                outcome.set_result(None)

        self.submit(key, wrapped)
        await asyncio.shield(outcome)

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
