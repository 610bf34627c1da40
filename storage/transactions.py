"""Write transactions of learners' turns: their own on PostgreSQL, shared commits on SQLite.

SQLite has one writer and syncs the disk at every commit (`synchronous=FULL`): one commit per
turn measured about 400 turns/s, most of it BEGIN, COMMIT and fsync. So on SQLite the turns
that queue for the one write connection meanwhile run one after another in one transaction,
and each returns once that transaction is committed, so a step is still answered only once it
is on the disk. A turn that fails takes the others' work with it: they are told to run again
(`RunAgain`), which costs little since a turn fails only on a fault. PostgreSQL runs turns
side by side on a pool and groups concurrent WAL flushes itself.
"""

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, suppress
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine


class RunAgain(Exception):
    """The shared transaction was rolled back because another turn in it failed: nothing
    of this turn was kept, so it can simply run again."""


class Transactions(Protocol):
    """Opens write transactions, each committed (and on the disk) when its block ends."""

    def __call__(self) -> AbstractAsyncContextManager[AsyncConnection]:
        """A connection in a transaction; an exception rolls it back."""


def transactions_for(engine: AsyncEngine) -> Transactions:
    """Shared commits on SQLite, a transaction of its own for each turn elsewhere."""
    if engine.dialect.name == "sqlite":
        return SharedCommits(engine)
    return OwnTransactions(engine)


class OwnTransactions:
    """Each turn in a transaction of its own, on a connection of the pool."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    def __call__(self) -> AbstractAsyncContextManager[AsyncConnection]:
        """Begin; commit at the end (PostgreSQL's commit waits for its disk)."""
        return self.engine.begin()


class SharedCommits:
    """Turns one at a time on one connection, committed together when the queue empties.

    When the first turn of a transaction ends, a committer joins the queue for the
    connection: the turns waiting before it join the transaction, those coming after it
    start the next. asyncio.Lock serves its waiters first come, first served.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._lock = asyncio.Lock()
        self._connection: AsyncConnection | None = None
        self._committed: asyncio.Future[None] | None = None  # of the open transaction
        self._committer: asyncio.Task[None] | None = None
        self.commits = 0  # shared transactions committed so far (the benchmark reports it)

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[AsyncConnection]:
        """The shared transaction's connection; returns once that transaction commits."""
        async with self._lock:
            connection = await self._open()
            committed = self._committed
            assert committed is not None
            try:
                yield connection
            except BaseException:
                await self._end(RunAgain("another turn in the shared transaction failed"))
                raise
            finally:
                if self._committer is None and self._committed is not None:
                    self._committer = asyncio.ensure_future(self._commit_after_queue())
        await asyncio.shield(committed)

    async def _open(self) -> AsyncConnection:
        if self._connection is None:  # the first turn of a shared transaction
            connection = await self.engine.connect()
            try:
                await connection.begin()
            except BaseException:
                await connection.close()
                raise
            self._connection = connection
            self._committed = asyncio.get_running_loop().create_future()
        return self._connection

    async def _commit_after_queue(self) -> None:
        async with self._lock:
            self._committer = None
            await self._end(None)

    async def _end(self, failure: Exception | None) -> None:
        """Commit the shared transaction (roll it back after a failure), give the connection
        back to the pool, and tell its turns."""
        committed, self._committed = self._committed, None
        connection, self._connection = self._connection, None
        if committed is None or connection is None:
            return
        try:
            if failure is None:
                await connection.commit()
                self.commits += 1
        except Exception as error:
            failure = error
        # Rolls back what was not committed. A connection that broke is dropped by the pool
        # even when closing it fails, and the turns must hear of their transaction anyway.
        with suppress(Exception):
            await connection.close()
        if failure is not None:
            committed.set_exception(failure)
            committed.exception()  # its turns raise it; with none waiting, nothing to log
        else:
            committed.set_result(None)
