"""SQLite on the event loop: waits for another process's lock, and group-durable commits."""

import asyncio
import sqlite3
from pathlib import Path

from sqlalchemy import func, select

from bot.lessons.model import Library
from bot.messages import Incoming, Kind
from bot.tutor import Tutor
from storage.database import create_engine, unreachable, upgrade
from storage.inline_sqlite import InlineEngine
from storage.repository import ANSWER, LEARNER, SqlRepository


async def _engine(path: Path, busy_seconds: float = 30) -> InlineEngine:
    engine = create_engine(f"sqlite:///{path}", busy_seconds=busy_seconds)
    await upgrade(engine)
    assert isinstance(engine, InlineEngine)
    return engine


async def test_turns_answer_only_after_an_fsync_they_share(tmp_path: Path,
                                                           library: Library) -> None:
    engine = await _engine(tmp_path / "hocso.db")
    tutor = Tutor(repository=SqlRepository(engine), library=library)
    before = engine.fsyncs
    replies = await asyncio.gather(*(tutor.handle(Incoming(
        channel="web", user_ref=f"u{n}", kind=Kind.START, update_id=str(n))) for n in range(20)))
    assert all(replies)
    assert engine.synced == engine.commits  # nothing answered is still only in the cache
    assert 1 <= engine.fsyncs - before < 20  # the turns committing together shared fsyncs
    await engine.dispose()


async def test_another_process_holding_the_lock_is_waited_for_without_blocking(
        tmp_path: Path) -> None:
    path = tmp_path / "hocso.db"
    engine = await _engine(path)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another program writes
    ticks = 0

    async def ticking() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    clock = asyncio.create_task(ticking())
    waiting = asyncio.create_task(SqlRepository(engine).create_learner(channel="web",
                                                                       user_ref="a"))
    await asyncio.sleep(0.3)
    assert not waiting.done() and ticks >= 10  # the loop kept running meanwhile
    other.execute("COMMIT")
    await waiting
    clock.cancel()
    async with engine.connect() as connection:
        assert (await connection.execute(select(func.count()).select_from(LEARNER))).scalar() == 1
    other.close()
    await engine.dispose()


async def test_a_lock_held_past_the_wait_is_an_error_the_tutor_knows(tmp_path: Path) -> None:
    path = tmp_path / "hocso.db"
    engine = await _engine(path, busy_seconds=0.1)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        await SqlRepository(engine).create_learner(channel="web", user_ref="a")
    except Exception as error:
        assert unreachable(error)
    else:
        raise AssertionError("the lock was not noticed")
    finally:
        other.close()
        await engine.dispose()


async def test_turns_queued_together_share_a_commit_and_a_failed_one_undoes_only_itself(
        tmp_path: Path) -> None:
    engine = await _engine(tmp_path / "hocso.db")
    repository = SqlRepository(engine)
    before = engine.commits

    async def step(n: int) -> int:
        async with repository.turn(channel="web", user_ref=f"u{n}",
                                   update_id=str(n % 20)) as turn:  # 20 to 29 come again
            if turn is None:
                return -1
            await turn.record_answer(course_id="c", lesson_id="l", question_id="q",
                                     chosen=1, correct=True)
            if n == 7:
                raise RuntimeError("a handler's bug")
            return turn.learner.id

    outcomes = await asyncio.gather(*(step(n) for n in range(30)), return_exceptions=True)
    assert isinstance(outcomes[7], RuntimeError)
    # Update 7 failed and left no mark, so its redelivery (turn 27) is handled; the others
    # come again after their first delivery committed, and are skipped.
    handled = [n for n, outcome in enumerate(outcomes) if isinstance(outcome, int)
               and outcome > 0]
    assert handled == [*range(7), *range(8, 20), 27]
    assert all(outcomes[n] == -1 for n in range(20, 30) if n != 27)
    assert engine.commits - before < 10  # 30 turns, a handful of commits
    assert engine.synced == engine.commits
    async with engine.connect() as connection:
        learners = (await connection.execute(select(LEARNER.c.user_ref))).scalars().all()
        answers = (await connection.execute(select(func.count()).select_from(ANSWER))).scalar()
    assert sorted(learners) == sorted(f"u{n}" for n in handled)
    assert answers == len(handled)
    await engine.dispose()


async def test_a_transaction_of_its_own_commits_the_turns_before_it(tmp_path: Path) -> None:
    engine = await _engine(tmp_path / "hocso.db")
    repository = SqlRepository(engine)

    async def step() -> None:
        async with repository.turn(channel="web", user_ref="lan", update_id="1") as turn:
            assert turn is not None

    turning = asyncio.create_task(step())
    await asyncio.sleep(0)  # the turn takes the connection first
    async with engine.connect() as connection:  # e.g. the outbox worker, queued behind it
        # What the turn did is committed already: it reads the same from another connection.
        other = sqlite3.connect(tmp_path / "hocso.db")
        assert other.execute("SELECT user_ref FROM learner").fetchall() == [("lan",)]
        other.close()
        assert not connection.in_transaction()
    await turning
    await engine.dispose()
