"""Create the async engine (SQLite tuned for one writer, or PostgreSQL) and apply migrations."""

from pathlib import Path
from typing import Any, cast

import sqlalchemy
from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from storage.inline_sqlite import InlineEngine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


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


def create_engine(url: str, *, pool_size: int = 10, busy_seconds: float = 30) -> AsyncEngine:
    """Return an async engine; SQLite gets WAL, BEGIN IMMEDIATE and runs inline.

    No ping before each use of a PostgreSQL connection (a round trip per turn): after a
    restart the first turn meets a dead connection, SQLAlchemy drops the whole pool, and the
    Tutor runs that turn again.
    """
    if not is_sqlite(url):
        return create_async_engine(url, pool_size=pool_size, max_overflow=pool_size)
    sqlite_url = make_url(url).set(drivername="sqlite")  # pysqlite, whatever the URL named
    database = sqlite_url.database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    # One connection: SQLite has one writer anyway. SQLite's own busy handler would block the
    # event loop, so it is off; InlineEngine waits for another process's lock with asyncio.
    engine = sqlalchemy.create_engine(
        sqlite_url, connect_args={"timeout": 0, "check_same_thread": False},
        pool_size=1, max_overflow=0)

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event decide how transactions start (see on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Connection) -> None:
        # Take the write lock up front: a turn reads then writes the learner, and a
        # deferred transaction would fail to upgrade its lock under a concurrent writer.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    # Not an AsyncEngine, but the part of one that storage uses (storage/inline_sqlite.py).
    return cast(AsyncEngine, InlineEngine(engine, busy_seconds=busy_seconds))


def _alembic_config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Apply migrations up to `revision` (alembic, run on the engine's own connection)."""
    async with engine.begin() as connection:
        await connection.run_sync(lambda sync: command.upgrade(_alembic_config(sync), revision))


async def current_revision(engine: AsyncEngine) -> str | None:
    """Return the revision the database is at, or None before the first migration."""
    from alembic.runtime.migration import MigrationContext

    async with engine.connect() as connection:
        return await connection.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_revision()
        )
