"""SQLite on the event loop's own thread: the part of AsyncEngine we use, over pysqlite.

A statement on a local SQLite file takes microseconds, while aiosqlite's hop to its thread
and back costs about 0.5 ms for each one; measured, a turn's transactions ran ten times
faster this way (bench/RESULTS.md). So SQLite work runs inline, one connection at a
time behind an asyncio lock (first come, first served, as the one-connection pool was).
The one wait that could be long, another process holding the write lock, is waited out with
asyncio sleeps instead of SQLite's busy handler, so the loop keeps serving meanwhile.

Commits are group-durable: with `synchronous=NORMAL` a commit appends to the WAL file without
waiting for the disk (it survives a crash of the process, not yet a power cut). `durable()`
waits until an fsync of the WAL, run in a thread, has covered every commit made before it;
the turns committing in the meantime share the next one (group commit, off the loop).

Learners' turns also share transactions (`grouped`): each runs in a savepoint of the one
transaction open while turns keep queueing for the connection, and that transaction commits
when none is waiting any more (or after MAX_GROUP turns). A turn that fails rolls back its
savepoint only. Beginning and committing had cost a quarter of a turn's storage work.
"""

import asyncio
import os
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import (
    Connection,
    CursorResult,
    Dialect,
    Engine,
    RootTransaction,
    Transaction,
)
from sqlalchemy.exc import OperationalError

_FIRST_WAIT = 0.001
_LONGEST_WAIT = 0.05
MAX_GROUP = 64  # turns in one shared transaction at most: the first waits for the last
Undo = Callable[[], Awaitable[None]]


def _locked(error: OperationalError) -> bool:
    return "database is locked" in str(error.orig)


def _fail(group: asyncio.Future[None], error: Exception) -> None:
    group.set_exception(error)
    group.exception()  # its turns raise it; with none left waiting, nothing is to be logged


class InlineTransaction:
    """AsyncTransaction's surface: awaited to begin, or used as `async with`."""

    def __init__(self, start: Callable[[], Any]) -> None:
        self._start = start
        self._transaction: Transaction | None = None

    def __await__(self) -> Any:
        return self._begin().__await__()

    async def _begin(self) -> "InlineTransaction":
        self._transaction = await self._start()
        return self

    async def __aenter__(self) -> "InlineTransaction":
        return await self._begin()

    async def __aexit__(self, kind: Any, _error: Any, _trace: Any) -> None:
        assert self._transaction is not None
        if not self._transaction.is_active:
            return
        if kind is None:
            self._transaction.commit()
        else:
            self._transaction.rollback()

    async def commit(self) -> None:
        """Commit (or release the savepoint)."""
        assert self._transaction is not None
        self._transaction.commit()

    async def rollback(self) -> None:
        """Roll back (to the savepoint)."""
        assert self._transaction is not None
        self._transaction.rollback()


class InlineConnection:
    """AsyncConnection's surface over a synchronous connection used on the loop's thread."""

    def __init__(self, sync: Connection, busy_seconds: float) -> None:
        self.sync_connection = sync
        self._busy_seconds = busy_seconds

    async def _begin_root(self) -> RootTransaction:
        """BEGIN IMMEDIATE (see storage.database), waiting while another process writes."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._busy_seconds
        wait = _FIRST_WAIT
        while True:
            try:
                return self.sync_connection.begin()
            except OperationalError as error:
                if not _locked(error) or loop.time() + wait > deadline:
                    raise
                self.sync_connection.rollback()  # forget the transaction that did not start
            await asyncio.sleep(wait)
            wait = min(wait * 2, _LONGEST_WAIT)

    async def _ensure_begun(self) -> None:
        if not self.sync_connection.in_transaction():
            await self._begin_root()

    def begin(self) -> InlineTransaction:
        """Begin the transaction (`await connection.begin()` or `async with`)."""
        return InlineTransaction(self._begin_root)

    def begin_nested(self) -> InlineTransaction:
        """A savepoint inside the transaction."""
        async def start() -> Transaction:
            await self._ensure_begun()
            return self.sync_connection.begin_nested()
        return InlineTransaction(start)

    @property
    def dialect(self) -> Dialect:
        """SQLAlchemy's SQLite dialect."""
        return self.sync_connection.dialect

    async def driver(self) -> sqlite3.Connection:
        """pysqlite's own connection, inside the transaction (storage/prepared.py)."""
        await self._ensure_begun()
        driver = self.sync_connection.connection.driver_connection
        assert isinstance(driver, sqlite3.Connection)
        return driver

    async def execute(self, statement: Any, parameters: Any = None) -> CursorResult[Any]:
        """Run a statement; the first one of a connection begins its transaction."""
        await self._ensure_begun()
        return self.sync_connection.execute(statement, parameters)

    async def scalar(self, statement: Any, parameters: Any = None) -> Any:
        """Run a statement and return the first column of its first row."""
        return (await self.execute(statement, parameters)).scalar()

    async def exec_driver_sql(self, sql: str, parameters: Any = None) -> CursorResult[Any]:
        """Run SQL text as it is."""
        await self._ensure_begun()
        return self.sync_connection.exec_driver_sql(sql, parameters)

    async def run_sync(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Call `function(sync_connection, ...)`, as AsyncConnection does."""
        return function(self.sync_connection, *args, **kwargs)

    async def commit(self) -> None:
        """Commit the transaction begun by the first statement."""
        self.sync_connection.commit()

    async def rollback(self) -> None:
        """Roll back the transaction begun by the first statement."""
        self.sync_connection.rollback()

    async def close(self) -> None:
        """Nothing to do here: the engine's `connect` returns the connection to the pool."""

    def in_transaction(self) -> bool:
        """Whether a transaction is open."""
        return self.sync_connection.in_transaction()


class InlineEngine:
    """AsyncEngine's surface (connect, begin, dispose) over one pysqlite connection."""

    def __init__(self, sync_engine: Engine, *, busy_seconds: float) -> None:
        self.sync_engine = sync_engine
        self.url = sync_engine.url
        self.dialect = sync_engine.dialect
        self._busy_seconds = busy_seconds
        self._turns = asyncio.Lock()
        self._sync: Connection | None = None
        self.commits = 0  # commits so far (the engine's "commit" event counts them)
        self.synced = 0  # how many of them an fsync of the WAL has covered
        self.fsyncs = 0
        self._fsync: asyncio.Future[None] | None = None
        self._wal: int | None = None  # a descriptor of the WAL file, opened at the first need
        # The open shared transaction of grouped turns: done once it is committed.
        self._group: asyncio.Future[None] | None = None
        self._grouped = 0  # turns in it so far
        event.listen(sync_engine, "commit", self._counted)

    def _counted(self, _connection: Connection) -> None:
        self.commits += 1

    async def durable(self) -> None:
        """Return once every commit made so far is on the disk."""
        wanted = self.commits
        while self.synced < wanted:
            if self._fsync is None:
                self._fsync = asyncio.ensure_future(self._sync_wal())
            await asyncio.shield(self._fsync)

    async def _sync_wal(self) -> None:
        covered = self.commits  # what has reached the WAL file before this fsync starts
        try:
            if self._wal is None:
                database = self.url.database
                if not database or database == ":memory:":
                    self.synced = covered  # nothing lives on a disk
                    return
                try:
                    self._wal = os.open(f"{database}-wal", os.O_RDONLY)
                except FileNotFoundError:  # not in WAL mode: SQLite syncs its journal itself
                    self.synced = covered
                    return
            await asyncio.to_thread(os.fsync, self._wal)
            self.fsyncs += 1
            self.synced = max(self.synced, covered)
        finally:
            self._fsync = None

    def _connection(self) -> Connection:
        # One connection for the engine's life: checking it out of a pool for every
        # transaction cost as much as the transaction's statements.
        if self._sync is None or self._sync.invalidated or self._sync.closed:
            self._sync = self.sync_engine.connect()
        return self._sync

    @asynccontextmanager
    async def connect(self) -> AsyncIterator[InlineConnection]:
        """Wait for the connection; what is left uncommitted at the end is rolled back."""
        async with self._turns:
            self._commit_group()  # grouped turns before this one are committed first
            sync = self._connection()
            try:
                yield InlineConnection(sync, self._busy_seconds)
            finally:
                if sync.in_transaction():
                    sync.rollback()

    @asynccontextmanager
    async def grouped(self) -> AsyncIterator[tuple[InlineConnection, Undo]]:
        """A turn's transaction: a savepoint in the one shared by the turns queued meanwhile,
        with `undo` to roll it back. Returns once the shared one is committed and durable."""
        async with self._turns:
            connection = InlineConnection(self._connection(), self._busy_seconds)
            driver = await connection.driver()  # begins the shared transaction if none is open
            if self._group is None:
                self._group = asyncio.get_running_loop().create_future()
            group = self._group

            async def undo() -> None:
                driver.execute("ROLLBACK TO turn")

            # On pysqlite's own connection: through SQLAlchemy these cost as much as a commit.
            driver.execute("SAVEPOINT turn")
            try:
                yield connection, undo
            except BaseException:
                if driver.in_transaction:
                    driver.execute("ROLLBACK TO turn")
                raise
            finally:
                if driver.in_transaction:
                    driver.execute("RELEASE turn")
                    self._grouped += 1
                    if self._grouped >= MAX_GROUP:
                        self._commit_group()
                    else:  # committed once no other turn has taken the connection meanwhile
                        asyncio.get_running_loop().call_soon(self._commit_group_if_idle)
                else:  # SQLite ended the shared transaction itself (a disk error): all lost
                    self._fail_group(OperationalError("SAVEPOINT turn", None, Exception(
                        "the shared transaction was rolled back by SQLite")))
        await asyncio.shield(group)
        await self.durable()

    def _commit_group_if_idle(self) -> None:
        if not self._turns.locked():
            self._commit_group()

    def _commit_group(self) -> None:
        group, self._group, self._grouped = self._group, None, 0
        if group is None:
            return
        assert self._sync is not None
        try:
            self._sync.commit()
        except Exception as error:
            self._sync.rollback()
            _fail(group, error)
        else:
            group.set_result(None)

    def _fail_group(self, error: Exception) -> None:
        group, self._group, self._grouped = self._group, None, 0
        assert self._sync is not None and group is not None
        self._sync.rollback()
        _fail(group, error)

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[InlineConnection]:
        """A connection in a transaction that commits at the end (rolls back on an error)."""
        async with self.connect() as connection, connection.begin():
            yield connection

    async def dispose(self) -> None:
        """Commit what grouped turns left open, then close the connection."""
        self._commit_group()
        if self._wal is not None:
            os.close(self._wal)
            self._wal = None
        if self._sync is not None:
            self._sync.close()
            self._sync = None
        self.sync_engine.dispose()
