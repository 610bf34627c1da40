"""Serving processes' heartbeats: who is alive to send the replies it has committed."""

import secrets
from datetime import timedelta

from sqlalchemy import Table, delete, insert, update
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.clock import now
from storage.models import ServingProcess

PROCESS: Table = ServingProcess.__table__  # type: ignore[attr-defined]
FORGOTTEN_AFTER = timedelta(days=1)  # rows of processes that died without saying goodbye


def new_process_id() -> str:
    """A fresh id for this run of the process (a restart is a new process)."""
    return secrets.token_hex(8)


async def beat(engine: AsyncEngine, process_id: str) -> None:
    """Say that `process_id` is alive now."""
    async with engine.begin() as connection:
        done = await connection.execute(update(PROCESS).where(PROCESS.c.id == process_id)
                                        .values(alive_at=now()))
        if not done.rowcount:
            await connection.execute(insert(PROCESS).values(id=process_id, alive_at=now()))
            await connection.execute(delete(PROCESS).where(
                PROCESS.c.alive_at < now() - FORGOTTEN_AFTER))


async def goodbye(engine: AsyncEngine, process_id: str) -> None:
    """Say that `process_id` has stopped (after sending what it owed)."""
    async with engine.begin() as connection:
        await connection.execute(delete(PROCESS).where(PROCESS.c.id == process_id))
