"""Write transactions of learners' turns: their own on PostgreSQL, shared commits on SQLite.

SQLite has one writer, and a durable commit waits for an fsync. So on SQLite the turns that
queue for the one write connection meanwhile run one after another in one transaction, and
each returns once that transaction is committed and its WAL synced (in a thread, while the
next transaction's turns already run), so a step is still answered only once it is on the
disk. A turn that fails takes the others' work with it: they are told to run again
(`RunAgain`), which costs little since a turn fails only on a fault.

On SQLite a turn's statements run on the event loop's own thread, on SQLAlchemy's synchronous
pysqlite connection: each is an indexed read or write of one learner's rows, microseconds on
a local file, while through aiosqlite each cost three or four round trips to its thread. That
measured 230-400 turns/s against the 600 asked for, and Telegram answers seconds late at 200
taps a second (bench/RESULTS.md, issue 18). What can wait long runs in a worker thread:
BEGIN IMMEDIATE while another connection holds the write lock (tried once on the loop's thread
first, which never waits), COMMIT and the fsync. Everything else on
SQLite, reports above all, goes through aiosqlite and never holds the loop. PostgreSQL runs
turns side by side on a pool of asyncpg connections and groups concurrent WAL flushes itself.
"""

import asyncio
import os
import sqlite3
import threading
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, suppress
from typing import Any, Protocol

from sqlalchemy.engine import Connection as SyncConnection
from sqlalchemy.engine import CursorResult, Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql import Executable
from tenacity import (
    Retrying,
    retry_if_exception,
    stop_after_delay,
    stop_when_event_set,
    wait_chain,
    wait_fixed,
)

from storage.database import begin_immediate, busy_seconds_of, create_turn_engine

# How often a turn tries again for SQLite's write lock. SQLite's own busy handler sleeps 1, 2,
# 5, 10… ms between tries, so a turn queued behind a report's 3 ms write lost up to 8 ms after
# the lock was free (bench/RESULTS.md, issue 18, taps during the refresh). Each try costs some
# CPU (0.24 s a second of waiting), so after the first LOCK_POLL_FAST seconds, longer than a
# report's writes, a lock held that long (a migration, a backup) is asked for less often.
LOCK_POLL_SECONDS = 0.0005
LOCK_POLL_FAST = 0.05
LOCK_POLL_SLOW = 0.005
_FAST_TRIES = round(LOCK_POLL_FAST / LOCK_POLL_SECONDS)
_LOCK_WAIT = wait_chain(*[wait_fixed(LOCK_POLL_SECONDS)] * _FAST_TRIES, wait_fixed(LOCK_POLL_SLOW))


class RunAgain(Exception):
    """The shared transaction was rolled back because another turn in it failed: nothing
    of this turn was kept, so it can simply run again."""


Rows = CursorResult[*tuple[Any, ...]]  # what a statement returns, as SQLAlchemy gives it


class Connection(Protocol):
    """What work inside a transaction uses: SQLAlchemy's AsyncConnection has it, and so does
    a turn's connection on SQLite (InlineConnection). Both return SQLAlchemy's own results."""

    async def execute(self, statement: Executable, parameters: Any = None) -> Rows:
        """Run a statement."""

    async def scalar(self, statement: Executable, parameters: Any = None) -> Any:
        """Run a statement; the first column of its first row."""

    def begin_nested(self) -> AbstractAsyncContextManager[Any]:
        """A savepoint: an exception inside rolls back to it."""


class Transactions(Protocol):
    """Opens write transactions, each committed (and on the disk) when its block ends."""

    def __call__(self) -> AbstractAsyncContextManager[Connection]:
        """A connection in a transaction; an exception rolls it back."""


def transactions_for(engine: AsyncEngine) -> Transactions:
    """Shared commits on SQLite, a transaction of its own for each turn elsewhere."""
    if engine.dialect.name == "sqlite":
        return SharedCommits(create_turn_engine(engine), busy_seconds=busy_seconds_of(engine))
    return OwnTransactions(engine)


class OwnTransactions:
    """Each turn in a transaction of its own, on a connection of the pool."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    def __call__(self) -> AbstractAsyncContextManager[Connection]:
        """Begin; commit at the end (PostgreSQL's commit waits for its disk)."""
        return self.engine.begin()


class InlineConnection:
    """A turn's SQLite connection: SQLAlchemy's synchronous one, used on the loop's thread."""

    def __init__(self, connection: SyncConnection) -> None:
        self._connection = connection

    async def execute(self, statement: Executable, parameters: Any = None) -> Rows:
        """Run a statement (an indexed read or write: microseconds)."""
        return self._connection.execute(statement, parameters)

    async def scalar(self, statement: Executable, parameters: Any = None) -> Any:
        """Run a statement; the first column of its first row."""
        return self._connection.scalar(statement, parameters)

    @asynccontextmanager
    async def begin_nested(self) -> AsyncIterator[None]:
        """A savepoint: an exception inside rolls back to it."""
        with self._connection.begin_nested():
            yield


class SharedCommits:
    """Turns one at a time on one connection, committed together when the queue empties.

    When the first turn of a transaction ends, a committer joins the queue for the
    connection: the turns waiting before it join the transaction, those coming after it
    start the next. asyncio.Lock serves its waiters first come, first served.
    """

    def __init__(self, engine: Engine, *, busy_seconds: float = 5) -> None:
        self.engine = engine
        self.busy_seconds = busy_seconds
        self._lock = asyncio.Lock()
        self._connection: SyncConnection | None = None
        self._committed: asyncio.Future[None] | None = None  # of the open transaction
        self._committer: asyncio.Task[None] | None = None
        self.commits = 0  # shared transactions committed so far (the benchmark reports it)

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[Connection]:
        """The shared transaction's connection; returns once that transaction commits."""
        async with self._lock:
            connection = await self._open()
            committed = self._committed
            assert committed is not None
            try:
                yield InlineConnection(connection)
            except BaseException:
                await self._end(RunAgain("another turn in the shared transaction failed"))
                raise
            finally:
                if self._committer is None and self._committed is not None:
                    self._committer = asyncio.ensure_future(self._commit_after_queue())
        await asyncio.shield(committed)

    async def _open(self) -> SyncConnection:
        if self._connection is None:  # the first turn of a shared transaction
            connection = self.engine.connect()
            if not _begun_at_once(connection):
                await self._begin_in_thread(connection)
            self._connection = connection
            self._committed = asyncio.get_running_loop().create_future()
        return self._connection

    async def _begin_in_thread(self, connection: SyncConnection) -> None:
        """BEGIN IMMEDIATE while another connection holds the write lock, which may take long."""
        stop = threading.Event()
        begin = asyncio.ensure_future(asyncio.to_thread(self._begin_soon, connection, stop))
        try:  # BEGIN IMMEDIATE may wait for another connection's write lock
            await asyncio.shield(begin)
        except BaseException:
            # Cancelled while the thread still asks for the lock: it stops asking, and
            # the connection is closed once it has, never under a BEGIN in flight (which
            # could leave the one connection holding the write lock).
            stop.set()
            with suppress(BaseException):
                await begin
            connection.close()
            raise

    def _begin_soon(self, connection: SyncConnection, stop: threading.Event) -> None:
        """BEGIN IMMEDIATE, tried again (_LOCK_WAIT) while another connection holds the write
        lock, for up to busy_seconds or until `stop` is set; then the lock error is raised."""
        for attempt in Retrying(retry=retry_if_exception(_locked), reraise=True,
                                wait=_LOCK_WAIT,
                                stop=stop_after_delay(self.busy_seconds)
                                | stop_when_event_set(stop)):
            with attempt:
                begin_immediate(connection)

    async def _commit_after_queue(self) -> None:
        async with self._lock:
            self._committer = None
            committed = await self._end(None)
        if committed is None:
            return
        try:  # outside the lock: the next transaction's turns run during the fsync
            await asyncio.to_thread(self._sync_wal)
        except Exception as error:
            _fail(committed, error)
        else:
            committed.set_result(None)

    async def _end(self, failure: Exception | None) -> asyncio.Future[None] | None:
        """Commit the shared transaction (roll it back after a failure) and give the
        connection back; return its turns' future, to be told once the commit is on the
        disk (a failure is told at once)."""
        committed, self._committed = self._committed, None
        connection, self._connection = self._connection, None
        if committed is None or connection is None:
            return None
        try:
            if failure is None:  # writes the WAL (and may checkpoint): in a thread
                await asyncio.to_thread(connection.commit)
                self.commits += 1
        except Exception as error:
            failure = error
        # Rolls back what was not committed. A connection that broke is dropped by the pool
        # even when closing it fails, and the turns must hear of their transaction anyway.
        with suppress(Exception):
            connection.close()
        if failure is not None:
            _fail(committed, failure)
            return None
        return committed

    def _sync_wal(self) -> None:
        """fsync the WAL file: the turn connection commits with `synchronous=NORMAL`, which
        writes a commit to the WAL without waiting for the disk; this makes it durable."""
        database = self.engine.url.database
        if not database or database == ":memory:":
            return
        try:
            wal = os.open(f"{database}-wal", os.O_RDONLY)
        except FileNotFoundError:  # not in WAL mode: SQLite synced its journal itself
            return
        try:
            os.fsync(wal)
        finally:
            os.close(wal)


def _begun_at_once(connection: SyncConnection) -> bool:
    """BEGIN IMMEDIATE on the loop's thread: microseconds while no other connection holds the
    write lock (the usual case), and no wait when one does (the turns' engine has no busy
    timeout), which returns False. A thread for every BEGIN cost the web chat 1-2 % of its CPU
    a request (bench/RESULTS.md, issue 18)."""
    try:
        begin_immediate(connection)
    except OperationalError as error:
        if _locked(error):
            return False
        connection.close()
        raise
    return True


def _locked(error: BaseException) -> bool:
    """SQLite's "database is locked": another connection holds the write lock."""
    return isinstance(error, OperationalError) and getattr(
        error.orig, "sqlite_errorcode", None) == sqlite3.SQLITE_BUSY


def _fail(committed: asyncio.Future[None], error: Exception) -> None:
    committed.set_exception(error)
    committed.exception()  # its turns raise it; with none waiting, nothing is to be logged
