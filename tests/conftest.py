"""Shared fixtures: the shipped content, real SQLite files and a real PostgreSQL database."""

import logging
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg
import pytest
import pytest_asyncio
from playwright.async_api import Browser, async_playwright, expect
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.admin.worker import ReportWorker
from bot.config import PROJECT_ROOT
from bot.lessons.loader import load_library
from bot.lessons.model import Library
from bot.tutor import Tutor
from storage.database import create_engine, upgrade
from storage.repository import SqlRepository
from tests.server import aside, free_port, migrated_sqlite_file, running_here

CONTENT_DIR = PROJECT_ROOT / "content"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
TIMEOUT_MS = 10_000  # for each step of a browser test
POSTGRES_URL = os.environ.get("HOCSO_TEST_POSTGRES_URL",
                              "postgresql+asyncpg://postgres@127.0.0.1:5432/test")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite tests/golden/*.txt from the current conversation")


def require(available: bool, what: str) -> None:
    """Skip without `what` on a developer machine; fail in CI, where it must be there."""
    if available:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{what} is required in CI")
    pytest.skip(f"{what} is not available here")


@pytest.fixture(scope="session")
def library() -> Library:
    return load_library(CONTENT_DIR)


@pytest.fixture(scope="session")
def report_worker() -> Iterator[ReportWorker]:
    """The dashboard's child processes, started once for every test that needs them."""
    worker = ReportWorker()
    yield worker
    worker.close()


def _asyncpg_dsn(url: str, database: str | None = None) -> str:
    dsn = url.replace("postgresql+asyncpg://", "postgresql://")
    return dsn.rsplit("/", 1)[0] + f"/{database}" if database else dsn


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A fresh PostgreSQL database for this test run, dropped at the end."""
    with new_postgres_database() as url:
        yield url


@contextmanager
def new_postgres_database() -> Iterator[str]:
    """A new, empty PostgreSQL database (its URL), dropped afterwards."""
    name = f"hocso_test_{uuid.uuid4().hex[:10]}"

    async def run(sql: str) -> bool:
        try:
            connection = await asyncpg.connect(_asyncpg_dsn(POSTGRES_URL), timeout=5)
        except (OSError, asyncpg.PostgresError):
            return False
        try:
            await connection.execute(sql)
        finally:
            await connection.close()
        return True

    require(aside(lambda: run(f'CREATE DATABASE "{name}"')), "PostgreSQL at " + POSTGRES_URL)
    yield POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"
    aside(lambda: run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _fresh_engine(url: str):  # type: ignore[no-untyped-def]
    engine = create_engine(url)
    await upgrade(engine)
    return engine


@pytest.fixture(scope="session")
def migrated_sqlite() -> Path:
    """A SQLite file migrated to the latest revision once per run, for tests to copy: running
    every migration took longer than most tests themselves."""
    return migrated_sqlite_file()


async def _sqlite_engine(template: Path, path: Path):  # type: ignore[no-untyped-def]
    """A fresh copy of the migrated file, upgraded (nothing to do) like any database."""
    shutil.copyfile(template, path)
    return await _fresh_engine(f"sqlite:///{path}")


# What the tests fill; emptied before each test on PostgreSQL, with every table that refers to
# them (as TRUNCATE ... CASCADE would reach), their id sequences started again.
FILLED = ("quiz_answer", "lesson_result", "processed_update", "learner", "failed_send", "oa_token",
          "organizer", "login_attempt", "known_address", "daily_answers", "daily_lessons",
          "daily_courses", "daily_scam_checks", "certificate")
_REFERRING = """
    WITH RECURSIVE reached(oid) AS (
        SELECT oid FROM pg_class WHERE relnamespace = 'public'::regnamespace
                                   AND relname = ANY(CAST(:tables AS text[]))
        UNION
        SELECT conrelid FROM pg_constraint JOIN reached ON confrelid = reached.oid
        WHERE contype = 'f')
    SELECT oid::regclass::text AS name,
           ARRAY(SELECT confrelid::regclass::text FROM pg_constraint
                 WHERE conrelid = reached.oid AND contype = 'f'
                   AND confrelid <> reached.oid) AS parents,
           ARRAY(SELECT objid::regclass::text FROM pg_depend
                 WHERE classid = 'pg_class'::regclass AND refobjid = reached.oid
                   AND deptype IN ('a', 'i')
                   AND objid IN (SELECT oid FROM pg_class WHERE relkind = 'S')) AS sequences
    FROM reached"""
_emptying: dict[str, list[str]] = {}


async def _emptied(engine: AsyncEngine) -> None:
    """Empty the tables the tests fill, as `TRUNCATE <FILLED> RESTART IDENTITY CASCADE` did,
    with DELETE: on tables of a few rows, TRUNCATE's new files cost PostgreSQL 0.6-0.9 s a
    test, DELETE about 15 ms (bench/RESULTS.md, issue 18)."""
    url = engine.url.render_as_string(hide_password=False)
    async with engine.begin() as connection:
        if url not in _emptying:  # the same tables for every test on this database
            rows = (await connection.execute(text(_REFERRING), {"tables": list(FILLED)})).all()
            left = {row.name: set(row.parents) for row in rows}
            order: list[str] = []  # each table after every table that refers to it
            while left:
                referred = set().union(*left.values())
                ready = sorted(name for name in left if name not in referred)
                assert ready, f"tables that refer to each other: {sorted(left)}"
                order += ready
                for name in ready:
                    del left[name]
            _emptying[url] = ([f"DELETE FROM {name}" for name in order]
                              + [f"SELECT setval('{sequence}', 1, false)" for row in rows
                                 for sequence in row.sequences]
                              + ["UPDATE rollup_state SET refreshed_at = NULL"])
        for statement in _emptying[url]:
            await connection.exec_driver_sql(statement)


@pytest.fixture(params=["sqlite", "postgres"])
async def repository(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[
        SqlRepository]:
    """The repository on each backend, migrated and empty."""
    if request.param == "sqlite":
        engine = await _sqlite_engine(request.getfixturevalue("migrated_sqlite"),
                                      tmp_path / "hocso.db")
    else:
        engine = await _fresh_engine(request.getfixturevalue("postgres_database"))
        await _emptied(engine)
    yield SqlRepository(engine)
    await engine.dispose()


@pytest.fixture
async def sqlite_repository(tmp_path: Path, migrated_sqlite: Path) -> AsyncIterator[
        SqlRepository]:
    """The repository on a real SQLite file (for tests that need only one backend)."""
    engine = await _sqlite_engine(migrated_sqlite, tmp_path / "hocso.db")
    yield SqlRepository(engine)
    await engine.dispose()


@pytest.fixture
def tutor(sqlite_repository: SqlRepository, library: Library) -> Tutor:
    return Tutor(repository=sqlite_repository, library=library)


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    """A copy of content/ that a test may edit."""
    target = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, target)
    return target


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def chromium() -> AsyncIterator[Browser]:
    """One headless Chromium for a module's browser tests, which run in the module's event loop
    (pytestmark = pytest.mark.asyncio(loop_scope="module")). Each test opens a browser context
    of its own (its own storage and cookies), so the tests stay apart; launching Chromium cost
    more than many a test's clicks."""
    require(CHROMIUM.exists(), "Debian's chromium")
    expect.set_options(timeout=TIMEOUT_MS)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()


@pytest.fixture(scope="session")
def web_chat_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """One `hocso serve` with the default settings (its data folder, its address), for the
    tests that only use its web chat as visitors do: each starts sessions of its own, so they
    stay apart. A test that needs other settings, or stops or cuts off the server, starts its
    own. It runs in this process (tests.server.running_here), at WARNING: its INFO lines would
    lower the level of the whole process for every test; the web server's access log, whose
    lines tests read, is kept at INFO."""
    data = tmp_path_factory.mktemp("web-chat") / "data"
    # Every test visits from 127.0.0.1: the limits per address would add up across tests and
    # fail whichever comes late. The limits' own tests start servers of their own.
    unlimited = {"HOCSO_WEB_SESSIONS_PER_HOUR": "100000",
                 "HOCSO_WEB_REQUESTS_PER_MINUTE": "100000", "HOCSO_LOG_LEVEL": "WARNING"}
    access = logging.getLogger("aiohttp.access")
    level = access.level
    access.setLevel(logging.INFO)
    try:
        with running_here(data, free_port(), extra_env=unlimited) as address:
            yield data, address
    finally:
        access.setLevel(level)
