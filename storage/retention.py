"""What is kept only for a while: old processed marks, people who never agreed, delivered
outbox rows, undelivered messages, and a person's own words kept for a button they never
pressed, removed.

Run every few minutes (bot/app.py) in small transactions, with a pause after each as long
as it took: on SQLite learners' turns wait for the one write lock meanwhile, so no batch
may keep them waiting long. A learner is deleted only under a row lock taken with their
latest row in view, so one who writes during the sweep is kept (on PostgreSQL a learner
whose turn is running is skipped till the next sweep; on SQLite the sweep waits for it).
"""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Table, and_, delete, exists, or_, select, text, tuple_, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.sql.elements import ColumnElement

from storage.clock import now
from storage.linking import LINK_CODE
from storage.mentors import ATTEMPT, INVITATION, MENTOR, PAIRING
from storage.models import UNCONSENTED
from storage.outbox import OUTBOX
from storage.repository import ANSWER, COMPLETION, FAILED, IDENTITY, LEARNER, PROCESSED, RESULT

log = logging.getLogger("hocso.retention")
BATCH = 500  # rows a transaction deletes at most
PAUSE = 0.025  # seconds between two transactions at least (as storage/rollup.py, and why)


@dataclass(frozen=True)
class Retention:
    """How long what is kept only for a while is kept."""

    unconsented: timedelta = timedelta(hours=24)  # since they last wrote, never having agreed
    # Telegram keeps an undelivered update for 24 hours at most, and Zalo sends a webhook
    # event again only for a short while: a mark older than this meets no redelivery.
    processed: timedelta = timedelta(days=7)
    # A person's words kept in their conversation state for one button ("Gửi cho người kèm
    # xem" under a checked message, "Hỏi người kèm" under a question): the states that keep
    # them, and how long after the person's last message they go unpressed.
    words_in: tuple[str, ...] = ()
    words: timedelta = timedelta(minutes=30)


@dataclass(frozen=True)
class Swept:
    """How many rows one sweep removed."""

    learners: int = 0
    marks: int = 0
    words: int = 0  # conversation states whose kept words were cleared
    delivered: int = 0  # outbox rows delivered long enough ago
    failed: int = 0  # messages that could not be delivered, kept long enough for operators


def _none_in(table: Table, column: str) -> ColumnElement[bool]:
    return ~exists().where(table.c[column] == LEARNER.c.id)


# A learner row that holds nothing but the greeting: never agreed, never moved past the
# consent question (seq 0), no name or place, nothing learned, no mentoring, and no message
# still owed to them. Learners from before consent was asked who have progress stay.
_GREETING_ONLY = and_(
    text(UNCONSENTED), LEARNER.c.display_name == "",
    # No place, by name or area; as one expression, so that SQLite does not read every
    # learner without a place through the area's index instead of this one's.
    LEARNER.c.ward.concat(LEARNER.c.area_province) == "", _none_in(RESULT, "learner_id"),
    _none_in(ANSWER, "learner_id"), _none_in(COMPLETION, "learner_id"),
    _none_in(MENTOR, "learner_id"), _none_in(INVITATION, "mentor_id"),
    _none_in(PAIRING, "mentor_id"), _none_in(PAIRING, "mentee_id"),
    ~exists().where((OUTBOX.c.learner_id == LEARNER.c.id) & OUTBOX.c.sent_at.is_(None)))


async def _paced(engine: AsyncEngine, batch: Callable[[AsyncConnection], Awaitable[int]]) -> int:
    """Run `batch` in transactions until it removes nothing; return how many it removed."""
    removed = 0
    while True:
        started = time.perf_counter()
        async with engine.begin() as connection:
            done = await batch(connection)
        removed += done
        if done == 0:
            return removed
        await asyncio.sleep(max(time.perf_counter() - started, PAUSE))


async def _old_marks(connection: AsyncConnection, before: datetime, rows: int) -> int:
    """Delete up to `rows` processed marks made before `before`."""
    oldest = (select(PROCESSED.c.channel, PROCESSED.c.update_id)
              .where(PROCESSED.c.processed_at < before)
              .order_by(PROCESSED.c.processed_at).limit(rows))
    return int((await connection.execute(delete(PROCESSED).where(
        tuple_(PROCESSED.c.channel, PROCESSED.c.update_id).in_(oldest)))).rowcount)


async def _unconsented(connection: AsyncConnection, before: datetime, rows: int) -> int:
    """Delete up to `rows` learners who hold nothing but the greeting and have not written
    since `before`, with what little refers to them."""
    # Locked, so that a turn running now keeps its learner; one that a turn holds is left
    # for the next sweep (PostgreSQL; on SQLite this transaction is the only writer).
    found = (await connection.execute(
        select(LEARNER.c.id, LEARNER.c.channel, LEARNER.c.user_ref)
        .where(_GREETING_ONLY & (LEARNER.c.last_active_at < before))
        .order_by(LEARNER.c.last_active_at).limit(rows)
        .with_for_update(skip_locked=True))).all()
    ids = [row.id for row in found]
    by_channel: dict[str, list[str]] = {}
    for row in found:
        by_channel.setdefault(row.channel, []).append(row.user_ref)
    statements = [
        delete(OUTBOX).where(or_(OUTBOX.c.learner_id.in_(ids), OUTBOX.c.about_id.in_(ids))),
        delete(ATTEMPT).where(ATTEMPT.c.learner_id.in_(ids)),
        delete(LINK_CODE).where(LINK_CODE.c.learner_id.in_(ids)),
        # Never agreed, so never joined to another app: their one identity.
        delete(IDENTITY).where(IDENTITY.c.learner_id.in_(ids))]
    for channel, refs in by_channel.items():
        statements += [delete(table).where((table.c.channel == channel)
                                           & table.c.user_ref.in_(refs))
                       for table in (FAILED, PROCESSED)]
    for statement in [*statements, delete(LEARNER).where(LEARNER.c.id.in_(ids))] if ids else []:
        await connection.execute(statement)
    return len(ids)


async def _old_delivered(connection: AsyncConnection, before: datetime, rows: int) -> int:
    """Delete up to `rows` outbox rows delivered before `before` (their words went already;
    this is whom they went to and when)."""
    oldest = (select(OUTBOX.c.id).where(OUTBOX.c.sent_at < before)
              .order_by(OUTBOX.c.sent_at).limit(rows))
    return int((await connection.execute(delete(OUTBOX).where(
        OUTBOX.c.id.in_(oldest)))).rowcount)


async def _old_failures(connection: AsyncConnection, before: datetime, rows: int) -> int:
    """Delete up to `rows` undelivered messages kept since before `before`: operators have
    seen them by then, and their words (a message a resident checked, for a mentor who blocked
    the bot) are nobody's to keep longer."""
    oldest = (select(FAILED.c.id).where(FAILED.c.failed_at < before)
              .order_by(FAILED.c.failed_at).limit(rows))
    return int((await connection.execute(delete(FAILED).where(
        FAILED.c.id.in_(oldest)))).rowcount)


async def _unpressed_words(connection: AsyncConnection, states: tuple[str, ...],
                           before: datetime, rows: int) -> int:
    """Clear up to `rows` conversation states of `states` (which keep a person's words for a
    button) of learners silent since `before`. A learner writing now is not touched: the
    condition is read again on their row once their turn has committed (PostgreSQL), or the
    turn waits for this one (SQLite)."""
    stale = (LEARNER.c.state.in_(states) & (LEARNER.c.last_active_at < before))
    ids = (await connection.scalars(select(LEARNER.c.id).where(stale)
                                    .order_by(LEARNER.c.id).limit(rows))).all()
    if not ids:
        return 0
    return int((await connection.execute(update(LEARNER).where(
        LEARNER.c.id.in_(ids) & stale).values(state="", state_data="{}"))).rowcount)


async def sweep(engine: AsyncEngine, retention: Retention = Retention(), *,
                rows: int = BATCH) -> Swept:
    """Remove what has been kept long enough: words kept for a button never pressed,
    learners who never agreed, old marks, old delivered outbox rows and old failed sends."""
    moment = now()
    words = await _paced(engine, lambda connection: _unpressed_words(
        connection, retention.words_in, moment - retention.words, rows)) \
        if retention.words_in else 0
    learners = await _paced(engine, lambda connection: _unconsented(
        connection, moment - retention.unconsented, rows))
    marks = await _paced(engine, lambda connection: _old_marks(
        connection, moment - retention.processed, rows))
    delivered = await _paced(engine, lambda connection: _old_delivered(
        connection, moment - retention.processed, rows))
    failed = await _paced(engine, lambda connection: _old_failures(
        connection, moment - retention.processed, rows))
    if learners or marks or words or delivered or failed:
        log.info("removed %d learners who never agreed, %d old processed marks, %d delivered "
                 "and %d undeliverable messages, and the words kept for %d buttons not "
                 "pressed", learners, marks, delivered, failed, words)
    return Swept(learners=learners, marks=marks, words=words, delivered=delivered,
                 failed=failed)
