"""Create the async engine (SQLite tuned for one writer, or PostgreSQL) and apply migrations."""

import re
import sqlite3
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy
from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import StaticPool

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# How every migration names itself and the one it follows (storage/migrations/versions).
_REVISION = re.compile(r'^revision(?::[^=\n]*)? = "([^"]+)"[ \t]*(?:#.*)?$', re.MULTILINE)
_DOWN_REVISION = re.compile(r'^down_revision(?::[^=\n]*)? = (?:"([^"]+)"|None)[ \t]*(?:#.*)?$',
                            re.MULTILINE)


def is_sqlite(url: str) -> bool:
    """Tell whether a database URL points at SQLite."""
    return make_url(url).get_backend_name() == "sqlite"


def unreachable(error: BaseException) -> bool:
    """Whether an error means the database cannot be used just now (down, restarting, cut
    off, or SQLite's file locked by someone else), so the same work may succeed later."""
    if isinstance(error, DBAPIError):
        return error.connection_invalidated or isinstance(error, OperationalError | InterfaceError)
    # asyncpg's own connect errors (refused, reset) arrive unwrapped.
    return isinstance(error, OSError | TimeoutError | PoolTimeout)


class ClosingConnection(sqlite3.Connection):
    """A SQLite connection whose close rolls back its open transaction first.

    A task cancelled while aiosqlite's thread runs one of its queries (`hocso serve` cancels
    its background jobs when it stops) leaves that query open, its rows never read. SQLAlchemy
    then closes the connection without a rollback, and SQLite puts off the close of a
    connection with an open query (sqlite3_close_v2), keeping its transaction and the write
    lock until the query is freed: by the garbage collector, once nothing refers to the
    cancelled task, and serve() refers to its tasks until it returns. Every write of the stop
    (the outbox, the last turns' replies, the goodbye) waited out its busy timeout, again and
    again: stops of 60 s and more (bench/RESULTS.md).
    """

    def close(self) -> None:
        # Closed already, or the rollback failed: closing is all that is left to do.
        with suppress(sqlite3.Error):
            if self.in_transaction:
                self.rollback()
        super().close()


def create_engine(url: str, *, pool_size: int = 10, busy_seconds: float = 30,
                  server_settings: dict[str, str] | None = None) -> AsyncEngine:
    """Return SQLAlchemy's async engine: asyncpg, or aiosqlite with WAL and BEGIN IMMEDIATE.

    No ping before each use of a PostgreSQL connection (a round trip per turn): after a
    restart the first turn meets a dead connection, SQLAlchemy drops the whole pool, and the
    Tutor runs that turn again.
    """
    # hide_parameters: a failed statement's error, which is logged, quotes no one's words (a
    # question, a message being checked, a note); only the statement.
    if not is_sqlite(url):  # server_settings: PostgreSQL settings of each connection
        return create_async_engine(url, pool_size=pool_size, max_overflow=pool_size,
                                   hide_parameters=True,
                                   connect_args={"server_settings": server_settings or {}})
    # SQLite's busy handler waits for another connection's write lock; it runs in aiosqlite's
    # thread, so the event loop keeps serving meanwhile.
    engine = create_async_engine(_sqlite_url(url, "sqlite+aiosqlite", busy_seconds),
                                 pool_size=pool_size, max_overflow=0, hide_parameters=True,
                                 connect_args={"factory": ClosingConnection})
    _tune_sqlite(engine.sync_engine, synchronous="FULL")
    return engine


def create_turn_engine(shared: AsyncEngine) -> Engine:
    """SQLAlchemy's synchronous pysqlite engine on the same SQLite file, tuned the same way,
    for learners' turns (storage/transactions.py says why they do not go through aiosqlite).
    Its busy timeout is zero: SharedCommits waits for the write lock itself (`begin_soon`)."""
    url = shared.url.set(drivername="sqlite+pysqlite").update_query_dict({"timeout": "0"})
    engine = sqlalchemy.create_engine(
        # BEGIN and COMMIT run in worker threads, the statements on the loop's thread.
        url, poolclass=StaticPool, connect_args={"check_same_thread": False},
        hide_parameters=True)
    # Its commits write the WAL without waiting for the disk; SharedCommits then syncs the
    # WAL file in a thread, outside the connection's lock, before any turn is answered.
    # Its transactions begin with `begin_immediate`, not with a "begin" listener: an engine
    # with one dispatches SQLAlchemy's execution events around every statement (3 % of a
    # web chat turn's CPU, bench/RESULTS.md).
    _tune_sqlite(engine, synchronous="NORMAL", begin_listener=False)
    return engine


def begin_immediate(connection: Connection) -> None:
    """Begin a transaction on the turn engine that holds the write lock from the start."""
    transaction = connection.begin()
    try:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    except BaseException:
        transaction.rollback()
        raise


def busy_seconds_of(engine: AsyncEngine) -> float:
    """How long a SQLite engine waits for another connection's write lock."""
    return float(engine.url.normalized_query.get("timeout", ("5",))[-1])  # 5: sqlite3 default


def _sqlite_url(url: str, driver: str, busy_seconds: float) -> URL:
    sqlite_url = make_url(url).set(drivername=driver)  # whatever driver the setting named
    sqlite_url = sqlite_url.update_query_dict({"timeout": str(busy_seconds)})
    database = sqlite_url.database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    return sqlite_url


def _tune_sqlite(engine: Engine, *, synchronous: str, begin_listener: bool = True) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event (or begin_immediate) decide how transactions start.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # A step is answered only once a power cut cannot undo it: with FULL every commit
        # waits for the disk; with NORMAL the caller syncs the WAL (storage/transactions.py).
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    if not begin_listener:
        return

    @event.listens_for(engine, "begin")
    def on_begin(connection: Connection) -> None:
        # Take the write lock up front: a turn reads then writes the learner, and a
        # deferred transaction would fail to upgrade its lock under a concurrent writer.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _alembic_config(connection: Connection) -> "Config":
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str | None:
    """The newest migration, read from the files as they name themselves; None when they do
    not all follow that form or do not make one line (then alembic is asked)."""
    revisions: dict[str, str | None] = {}
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        named, follows = _REVISION.findall(text), _DOWN_REVISION.findall(text)
        if len(named) != 1 or len(follows) != 1:
            return None
        revisions[named[0]] = follows[0] or None
    heads = set(revisions) - set(revisions.values())
    return heads.pop() if len(heads) == 1 else None


async def _at_head(engine: AsyncEngine) -> bool:
    """Whether the database is at the newest migration already: the usual case of a start,
    told by one query, without alembic (importing it and reading its scripts took 0.5-1 s of
    CPU in every `hocso` process; bench/RESULTS.md, issue 18)."""
    head = head_revision()
    if head is None:
        return False
    async with engine.connect() as connection:
        def current(sync: Connection) -> list[str]:
            if not sqlalchemy.inspect(sync).has_table("alembic_version"):
                return []
            return list(sync.execute(sqlalchemy.text(
                "SELECT version_num FROM alembic_version")).scalars())

        return await connection.run_sync(current) == [head]


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Apply migrations up to `revision` (alembic, run on the engine's own connection)."""
    if revision == "head" and await _at_head(engine):
        return
    from alembic import command

    async with engine.begin() as connection:
        await connection.run_sync(lambda sync: command.upgrade(_alembic_config(sync), revision))


async def current_revision(engine: AsyncEngine) -> str | None:
    """Return the revision the database is at, or None before the first migration."""
    from alembic.runtime.migration import MigrationContext

    async with engine.connect() as connection:
        return await connection.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_revision()
        )
