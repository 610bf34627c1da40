"""Write transactions of learners' turns: their own on PostgreSQL, shared commits on SQLite.

SQLite has one writer and syncs the disk at every commit (`synchronous=FULL`): one commit per
turn measured about 400 turns/s, most of it BEGIN, COMMIT and fsync. So on SQLite the turns
that queue for the one write connection meanwhile share a transaction, each in a savepoint of
its own (a failed turn rolls back only itself), and each returns once that shared transaction
is committed, so a step is still answered only once it is on the disk. PostgreSQL runs turns
side by side on a pool and groups concurrent WAL flushes itself.
"""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

Undo = Callable[[], Awaitable[None]]  # rolls back what the transaction did so far


class Transactions(Protocol):
    """Opens write transactions, each committed (and on the disk) when its block ends."""

    def __call__(self) -> AbstractAsyncContextManager[tuple[AsyncConnection, Undo]]:
        """A transaction and its undo; an exception rolls it back."""


def transactions_for(engine: AsyncEngine) -> Transactions:
    """Shared commits on SQLite, a transaction of its own for each turn elsewhere."""
    if engine.dialect.name == "sqlite":
        return SharedCommits(engine)
    return OwnTransactions(engine)


class OwnTransactions:
    """Each turn in a transaction of its own, on a connection of the pool."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[tuple[AsyncConnection, Undo]]:
        """Begin; commit at the end (PostgreSQL's commit waits for its disk)."""
        async with self.engine.connect() as connection:
            transaction = await connection.begin()
            yield connection, transaction.rollback
            if transaction.is_active:
                await transaction.commit()


class SharedCommits:
    """Turns one at a time on one connection, committed together when the queue empties.

    When the first turn of a transaction ends, a committer joins the queue for the
    connection: the turns waiting before it join the transaction, those coming after it
    start the next one. asyncio.Lock serves its waiters first come, first served.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._lock = asyncio.Lock()
        self._connection: AsyncConnection | None = None
        self._committed: asyncio.Future[None] | None = None  # of the open transaction
        self._committer: asyncio.Task[None] | None = None
        self.commits = 0  # shared transactions committed so far (the benchmark reports it)

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[tuple[AsyncConnection, Undo]]:
        """A savepoint in the shared transaction; returns once that is committed."""
        async with self._lock:
            connection = await self._open()
            committed = self._committed
            assert committed is not None
            savepoint = await connection.begin_nested()
            try:
                yield connection, savepoint.rollback
            except BaseException:
                if savepoint.is_active:
                    await savepoint.rollback()
                raise
            finally:
                if savepoint.is_active:
                    try:
                        await savepoint.commit()
                    except Exception as error:  # SQLite ended the transaction: all are lost
                        await self._end(error)
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
        finally:
            await connection.close()  # rolls back what was not committed
        if failure is not None:
            committed.set_exception(failure)
            committed.exception()  # its turns raise it; with none waiting, nothing to log
        else:
            committed.set_result(None)
