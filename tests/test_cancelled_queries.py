"""A job cancelled in the middle of a query leaves SQLite's write lock to the writes after it."""

import asyncio
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.clock import now
from storage.database import create_engine, upgrade
from storage.processes import PROCESS, goodbye
from storage.reports import reports_engine


@pytest.mark.parametrize("engine_for", [create_engine, reports_engine],
                         ids=["serving engine", "reports engine"])
async def test_a_job_cancelled_mid_query_leaves_the_write_lock_free(
        tmp_path: Path, engine_for: Callable[..., AsyncEngine]) -> None:
    """`hocso serve` cancels its background jobs when it stops. One cancelled while
    aiosqlite's thread ran a query of its transaction kept SQLite's write lock for as long
    as the cancelled task was kept, and serve() keeps its tasks until it returns: the stop's
    own writes after it waited out their busy timeout, again and again."""
    url = f"sqlite:///{tmp_path / 'hocso.db'}"
    serving = create_engine(url, busy_seconds=2)  # so that a kept lock fails within 2 s
    await upgrade(serving)
    engine = serving if engine_for is create_engine else engine_for(url, busy_seconds=2)
    running, release = threading.Event(), threading.Event()

    def held() -> int:  # a query's work, in aiosqlite's thread
        running.set()
        release.wait(10)
        return 1

    async def job() -> None:  # a write, then a query, in one transaction
        async with engine.begin() as connection:
            driver = (await connection.get_raw_connection()).driver_connection
            assert driver is not None  # aiosqlite's connection
            await driver.create_function("held", 0, held)
            await connection.execute(insert(PROCESS).values(id="cancelled", alive_at=now()))
            await connection.execute(text("SELECT held()"))

    task = asyncio.create_task(job())
    assert await asyncio.to_thread(running.wait, 10)
    task.cancel()  # while the query runs: it ends without anyone taking its row
    release.set()
    await asyncio.wait([task])  # and kept, as serve() keeps its background tasks
    assert task.cancelled()
    await goodbye(serving, "this-run")  # the stop's last write: "database is locked" before
    async with serving.connect() as connection:  # the cancelled job's write was undone whole
        assert await connection.scalar(select(func.count()).select_from(PROCESS)) == 0
    if engine is not serving:
        await engine.dispose()
    await serving.dispose()
