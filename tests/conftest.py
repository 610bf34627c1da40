"""Shared fixtures: the shipped content, real SQLite files and a real PostgreSQL database."""

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import asyncpg
import pytest

from bot.config import PROJECT_ROOT
from bot.lessons.loader import load_library
from bot.lessons.model import Library
from bot.tutor import Tutor
from storage.database import create_engine, upgrade
from storage.repository import SqlRepository

CONTENT_DIR = PROJECT_ROOT / "content"
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


def _asyncpg_dsn(url: str, database: str | None = None) -> str:
    dsn = url.replace("postgresql+asyncpg://", "postgresql://")
    return dsn.rsplit("/", 1)[0] + f"/{database}" if database else dsn


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A fresh PostgreSQL database for this test run, dropped at the end."""
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

    def run_aside(sql: str) -> bool:
        # The fixture may be first requested from inside a test's running event loop.
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(asyncio.run, run(sql)).result()

    require(run_aside(f'CREATE DATABASE "{name}"'), "PostgreSQL at " + POSTGRES_URL)
    yield POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"
    run_aside(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _fresh_engine(url: str):  # type: ignore[no-untyped-def]
    engine = create_engine(url)
    await upgrade(engine)
    return engine


@pytest.fixture(params=["sqlite", "postgres"])
async def repository(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[
        SqlRepository]:
    """The repository on each backend, migrated and empty."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'hocso.db'}"
    else:
        url = request.getfixturevalue("postgres_database")
    engine = await _fresh_engine(url)
    if request.param == "postgres":
        async with engine.begin() as connection:
            await connection.exec_driver_sql(
                "TRUNCATE quiz_answer, lesson_result, processed_update, learner, failed_send, "
                "oa_token, organizer, login_attempt, daily_answers, daily_lessons, daily_courses "
                "RESTART IDENTITY CASCADE")
            await connection.exec_driver_sql("UPDATE rollup_state SET refreshed_at = NULL")
    yield SqlRepository(engine)
    await engine.dispose()


@pytest.fixture
async def sqlite_repository(tmp_path: Path) -> AsyncIterator[SqlRepository]:
    """The repository on a real SQLite file (for tests that need only one backend)."""
    engine = await _fresh_engine(f"sqlite:///{tmp_path / 'hocso.db'}")
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
