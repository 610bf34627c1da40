"""SQLite's shared commits: turns queued together commit together, and a failure undoes all."""

import asyncio
import os
import sqlite3
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError

from bot.lessons.model import Library
from bot.lessons.progress import Position
from bot.messages import Incoming, Kind, Outgoing
from bot.tutor import Tutor
from storage.database import create_engine, upgrade
from storage.repository import LEARNER, PROCESSED, SqlRepository
from storage.transactions import RunAgain, SharedCommits

T = TypeVar("T")


async def _sqlite(tmp_path: Path) -> SqlRepository:
    engine = create_engine(f"sqlite:///{tmp_path / 'hocso.db'}")
    await upgrade(engine)
    return SqlRepository(engine)


async def _count(repository: SqlRepository, table) -> int:  # type: ignore[no-untyped-def]
    async with repository.engine.connect() as connection:
        return int((await connection.execute(select(func.count()).select_from(table)))
                   .scalar_one())


async def test_turns_queued_together_share_a_few_commits(tmp_path: Path,
                                                         library: Library) -> None:
    repository = await _sqlite(tmp_path)
    shared = repository.transaction
    assert isinstance(shared, SharedCommits)
    tutor = Tutor(repository=repository, library=library)
    await asyncio.gather(*(tutor.handle(Incoming(channel="t", user_ref=str(n), kind=Kind.START,
                                                 update_id=str(n))) for n in range(30)))
    assert await _count(repository, PROCESSED) == 30
    assert 1 <= shared.commits <= 3  # the first turn alone, then those queued behind it
    await repository.engine.dispose()


async def test_new_web_sessions_share_the_turns_commits(tmp_path: Path) -> None:
    """A new session's learner commits with the turns, never as a second writer that takes
    SQLite's write lock from under them."""
    repository = await _sqlite(tmp_path)
    shared = repository.transaction
    assert isinstance(shared, SharedCommits)
    await asyncio.gather(*(repository.create_learner(channel="web", user_ref=f"s{n:023}")
                           for n in range(10)))
    assert await _count(repository, LEARNER) == 10
    assert 1 <= shared.commits <= 3  # the first alone, then those queued behind it
    await repository.engine.dispose()


async def test_a_failed_turn_undoes_its_transaction_and_the_others_run_again(
        tmp_path: Path) -> None:
    repository = await _sqlite(tmp_path)
    started = asyncio.Event()

    async def turn(number: int) -> None:
        async with repository.turn(channel="t", user_ref=str(number),
                                   update_id=str(number)) as opened:
            assert opened is not None
            await opened.save(Position(seq=number).stored(), shown_buttons=(), display_name="")
            if number == 0:  # the first holds the connection until the others queue behind it
                started.set()
                await asyncio.sleep(0.05)
            if number == 3:
                raise ValueError("a bug in a handler")

    first = asyncio.create_task(turn(0))
    await started.wait()
    outcomes = await asyncio.gather(first, *(turn(n) for n in range(1, 6)),
                                    return_exceptions=True)
    assert isinstance(outcomes[3], ValueError)
    assert all(isinstance(outcomes[n], RunAgain) for n in (0, 1, 2))  # undone with turn 3
    assert outcomes[4] is None and outcomes[5] is None  # the next transaction: kept
    async with repository.engine.connect() as connection:
        kept = set((await connection.execute(select(LEARNER.c.user_ref))).scalars())
    assert kept == {"4", "5"}
    assert await _count(repository, PROCESSED) == 2  # 0, 1 and 2 can run again as they were
    await asyncio.gather(turn(0), turn(1), turn(2))
    assert await _count(repository, PROCESSED) == 5
    await repository.engine.dispose()


async def _behind_a_failing_turn(repository: SqlRepository,
                                 work: Callable[[], Awaitable[T]]) -> T:
    """Start `work` queued for the shared connection between a turn that holds it and a turn
    that fails: the failure undoes the shared transaction, `work`'s first try with it."""
    holding = asyncio.Event()

    async def blocker() -> None:  # holds the connection while the others queue behind it
        async with repository.turn(channel="t", user_ref="first", update_id="a") as opened:
            assert opened is not None
            holding.set()
            await asyncio.sleep(0.05)

    async def failing_turn() -> None:
        async with repository.turn(channel="t", user_ref="bug", update_id="b"):
            raise ValueError("a bug in a handler")

    first = asyncio.create_task(blocker())
    await holding.wait()
    waiting = asyncio.ensure_future(work())
    await asyncio.sleep(0.01)  # the work waits for the connection...
    failing = asyncio.create_task(failing_turn())  # ...and the failing turn behind it
    done = await waiting
    with pytest.raises(ValueError, match="a bug"):
        await failing
    with pytest.raises(RunAgain):
        await first
    return done


async def test_the_tutor_runs_an_undone_turn_again(tmp_path: Path, library: Library) -> None:
    repository = await _sqlite(tmp_path)
    tutor = Tutor(repository=repository, library=library)
    replies = await _behind_a_failing_turn(repository, lambda: asyncio.gather(*(tutor.handle(
        Incoming(channel="t", user_ref=str(n), kind=Kind.START, update_id=str(n)))
        for n in range(5))))
    assert all(replies) and await _count(repository, PROCESSED) == 5
    await repository.engine.dispose()


async def test_a_new_session_undone_by_another_turn_is_made_again(tmp_path: Path,
                                                                  library: Library) -> None:
    """The web chat's POST /api/session shares a commit with the turns: a bug in one of them
    undoes the new learner too, which is made again, not answered with a 500."""
    repository = await _sqlite(tmp_path)
    tutor = Tutor(repository=repository, library=library)
    await _behind_a_failing_turn(
        repository, lambda: tutor.new_learner(channel="web", user_ref="s" * 24))
    assert await repository.find_learner(channel="web", user_ref="s" * 24) is not None
    await repository.engine.dispose()


async def test_ending_a_session_undone_by_another_turn_is_done_again(
        tmp_path: Path, library: Library) -> None:
    """So are the inbox's hand-over, an app blocked or back, and readdressing: each a write
    transaction of its own that shares a commit with the turns on SQLite."""
    repository = await _sqlite(tmp_path)
    tutor = Tutor(repository=repository, library=library)
    await tutor.new_learner(channel="web", user_ref="s" * 24)
    assert await _behind_a_failing_turn(
        repository, lambda: tutor.end_session(channel="web", user_ref="s" * 24))
    assert await repository.find_learner(channel="web", user_ref="s" * 24) is None
    await repository.engine.dispose()


async def test_a_turn_is_answered_only_once_the_wal_is_synced(
        tmp_path: Path, library: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    repository = await _sqlite(tmp_path)
    tutor = Tutor(repository=repository, library=library)
    release = threading.Event()
    syncing = threading.Semaphore(0)
    real_fsync = os.fsync

    def slow_fsync(descriptor: int) -> None:  # a slow disk
        syncing.release()
        release.wait(10)
        real_fsync(descriptor)

    monkeypatch.setattr(os, "fsync", slow_fsync)

    def start(user: str) -> asyncio.Task[list[Outgoing]]:
        return asyncio.create_task(tutor.handle(Incoming(
            channel="t", user_ref=user, kind=Kind.START, update_id=user)))

    first = start("1")
    assert await asyncio.to_thread(syncing.acquire, True, 10)
    second = start("2")  # the connection is free while the first one's fsync runs
    assert await asyncio.to_thread(syncing.acquire, True, 10)
    assert not first.done() and not second.done()  # committed, not yet on the disk
    release.set()
    assert await first and await second
    await repository.engine.dispose()


async def test_a_turn_cancelled_mid_begin_leaves_no_write_lock_behind(tmp_path: Path) -> None:
    """A turn cancelled while its thread is in the middle of a BEGIN IMMEDIATE (here made slow,
    and the lock freed meanwhile, so it goes through): the connection is closed only after
    that BEGIN, which its close then rolls back. Closed before, the BEGIN went through on the
    pool's one connection after the close and kept SQLite's write lock from everyone."""
    path = tmp_path / "hocso.db"
    engine = create_engine(f"sqlite:///{path}")
    await upgrade(engine)
    repository = SqlRepository(engine)
    slow = threading.Event()

    def before(*args: Any) -> None:  # in the turn's thread, just before each BEGIN IMMEDIATE
        if slow.is_set() and args[2] == "BEGIN IMMEDIATE":
            time.sleep(0.2)
    event.listen(repository.transaction.engine,  # type: ignore[attr-defined]
                 "before_cursor_execute", before)
    other = sqlite3.connect(path, isolation_level=None, timeout=0)
    other.execute("BEGIN IMMEDIATE")  # a report's write, say, in another process

    async def save(number: int) -> None:
        async with repository.turn(channel="t", user_ref=str(number), update_id=str(number)):
            pass
    waiting = asyncio.create_task(save(1))
    await asyncio.sleep(0.05)  # asking for the lock again and again
    slow.set()
    await asyncio.sleep(0.02)  # now inside a slow try
    other.execute("COMMIT")  # free: that try will get the lock
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    slow.clear()
    await asyncio.sleep(0.3)  # that try has ended either way
    other.execute("BEGIN IMMEDIATE")  # nobody holds the write lock
    other.execute("ROLLBACK")
    other.close()
    await save(2)  # the turn connection begins again
    await engine.dispose()


async def test_a_turn_waits_for_another_programs_write_lock_then_commits(
        tmp_path: Path) -> None:
    """The turn's BEGIN is tried again while another connection writes, and goes through as
    soon as that one commits; held longer than the busy timeout, it fails as before."""
    path = tmp_path / "hocso.db"
    engine = create_engine(f"sqlite:///{path}", busy_seconds=2)
    await upgrade(engine)
    repository = SqlRepository(engine)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # a report's write, say, in another process

    async def save(number: int) -> None:
        async with repository.turn(channel="t", user_ref=str(number),
                                   update_id=str(number)) as opened:
            assert opened is not None
            await opened.save(Position(seq=number).stored(), shown_buttons=(), display_name="")

    waiting = asyncio.create_task(save(1))
    await asyncio.sleep(0.2)
    assert not waiting.done()  # still asking for the lock
    other.execute("COMMIT")
    await asyncio.wait_for(waiting, 5)
    assert await _count(repository, LEARNER) == 1

    other.execute("BEGIN IMMEDIATE")
    repository.transaction.busy_seconds = 0.1  # type: ignore[attr-defined]
    with pytest.raises(OperationalError, match="locked"):
        await save(2)
    other.execute("COMMIT")
    other.close()
    await save(2)  # the same connection begins again once the lock is free
    assert await _count(repository, LEARNER) == 2
    await engine.dispose()
