"""Serving processes' heartbeats: who is alive to send the replies it has committed."""

import hashlib
import os
import secrets
import socket
from datetime import timedelta

from sqlalchemy import ColumnElement, Table, delete, exists, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.clock import now
from storage.models import ServingProcess

PROCESS: Table = ServingProcess.__table__  # type: ignore[attr-defined]
FORGOTTEN_AFTER = timedelta(days=1)  # rows of processes that died without saying goodbye


# This machine, as a short tag in process ids (the column holds 32 characters).
HOST = hashlib.sha256(socket.gethostname().encode()).hexdigest()[:6]


def new_process_id() -> str:
    """A fresh id for this run of the process (a restart is a new process). It names the pid
    and the machine, so that the next start on the same machine can tell at once that this
    run has died, rather than after its heartbeat has stopped for a while."""
    return f"{os.getpid()}-{HOST}-{secrets.token_hex(8)}"


def _gone(process_id: str, me: str) -> bool:
    """Whether an earlier run on this machine has died: its pid runs no more, or runs us."""
    pid, _, rest = process_id.partition("-")
    if not pid.isdigit() or not rest.startswith(f"{HOST}-") or process_id == me:
        return False
    if int(pid) == os.getpid():  # a container's restart often reuses the pid
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    return False


async def forget_dead_here(engine: AsyncEngine, me: str) -> int:
    """Forget the runs on this machine that died without saying goodbye (kill -9, a crash):
    what they owed is taken over at once. Return how many."""
    async with engine.begin() as connection:
        ids = (await connection.execute(select(PROCESS.c.id))).scalars().all()
        dead = [process_id for process_id in ids if _gone(process_id, me)]
        if dead:
            await connection.execute(delete(PROCESS).where(PROCESS.c.id.in_(dead)))
    return len(dead)


def alive(owner: ColumnElement[str | None], gone_after: timedelta) -> ColumnElement[bool]:
    """SQL: `owner` is a process that has beaten within `gone_after`."""
    return exists().where((PROCESS.c.id == owner) & (PROCESS.c.alive_at > now() - gone_after))


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
