"""Reminder schedules: one row per learner who asked to be reminded, claimed when due by one
worker of any process (FOR UPDATE SKIP LOCKED), and counted per area for organizers."""

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    case,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import SQLModel

from storage.clock import aware
from storage.repository import LEARNER, RESULT
from storage.scope import Scope
from storage.transactions import Connection

ON, OFF, STOPPED = "on", "off", "stopped"  # chosen, turned off, stopped after a silent month
_METADATA: MetaData = SQLModel.metadata
WHEN = DateTime(timezone=True)
REMINDER = Table(
    "reminder", _METADATA,
    # Erasing the learner deletes it (storage/personal_data.py `erase`).
    Column("learner_id", Integer, ForeignKey("learner.id"), primary_key=True),
    Column("hour", Integer, nullable=False),  # the hour of the day, Vietnam time (7-20)
    Column("status", String(8), nullable=False),
    Column("due_at", WHEN, nullable=True),  # the next reminder; None when none is planned
    Column("weekly", Boolean, nullable=False),  # after a week without an answer
    # The first reminder sent since the learner last wrote: a week of silence makes them
    # weekly, a month stops them. None once the learner has written again.
    Column("quiet_since", WHEN, nullable=True),
    Column("last_sent_at", WHEN, nullable=True),
    Column("sent", Integer, nullable=False),
    Column("returned", Integer, nullable=False),  # times the learner came back after one
    Column("created_at", WHEN, nullable=False),
    Index("ix_reminder_due", "due_at"),
)


def utc(when: datetime | None) -> datetime | None:
    """A moment as stored: in UTC (SQLite keeps a datetime's digits and drops its zone)."""
    return when.astimezone(UTC) if when is not None else None


@dataclass(frozen=True)
class Schedule:
    """A learner's reminder as they chose it."""

    hour: int
    status: str
    weekly: bool


async def schedule_of(connection: Connection, learner_id: int) -> Schedule | None:
    row = (await connection.execute(select(REMINDER.c.hour, REMINDER.c.status,
                                           REMINDER.c.weekly)
                                    .where(REMINDER.c.learner_id == learner_id))).first()
    return Schedule(row.hour, row.status, row.weekly) if row else None


async def choose(connection: Connection, learner_id: int, *, hour: int, due_at: datetime,
                 at: datetime) -> None:
    """Remind the learner daily at `hour` from `due_at` (a new choice starts afresh)."""
    values = {"hour": hour, "status": ON, "due_at": utc(due_at), "weekly": False,
              "quiet_since": None}
    done = await connection.execute(update(REMINDER).where(REMINDER.c.learner_id == learner_id)
                                    .values(**values))
    if not done.rowcount:
        await connection.execute(insert(REMINDER).values(
            learner_id=learner_id, last_sent_at=None, sent=0, returned=0, created_at=utc(at),
            **values))


async def turn_off(connection: Connection, learner_id: int) -> bool:
    """No more reminders; False when none was on."""
    done = await connection.execute(
        update(REMINDER).where((REMINDER.c.learner_id == learner_id)
                               & (REMINDER.c.status == ON))
        .values(status=OFF, due_at=None))
    return bool(done.rowcount)


@dataclass(frozen=True)
class Due:
    """A due reminder, claimed, with what deciding and writing it needs."""

    learner_id: int
    hour: int
    due_at: datetime
    weekly: bool
    quiet_since: datetime | None
    last_sent_at: datetime | None
    locale: str
    settings: str  # the learner's settings JSON
    last_active_at: datetime
    consented: bool
    mode: str
    course_id: str
    lesson_id: str
    step_id: str
    question_id: str
    quiz_answered: int = 0  # the questions answered: a retake asks them in its own order


async def claim(connection: Connection, when: datetime, *, limit: int) -> list[Due]:
    """The reminders due by `at`, oldest first, locked for the caller's transaction; rows
    another worker holds are skipped (SQLite has one writer: its BEGIN IMMEDIATE)."""
    rows = (await connection.execute(
        select(REMINDER, LEARNER.c.locale, LEARNER.c.settings,
               LEARNER.c.last_active_at, LEARNER.c.consented_at,
               LEARNER.c.mode, LEARNER.c.course_id, LEARNER.c.lesson_id, LEARNER.c.step_id,
               LEARNER.c.question_id, LEARNER.c.quiz_answered)
        .join(LEARNER, LEARNER.c.id == REMINDER.c.learner_id)
        .where((REMINDER.c.status == ON) & (REMINDER.c.due_at <= when.astimezone(UTC)))
        .order_by(REMINDER.c.due_at).limit(limit)
        .with_for_update(skip_locked=True, of=REMINDER))).all()
    return [Due(row.learner_id, row.hour, aware(row.due_at), row.weekly,
                row.quiet_since and aware(row.quiet_since),
                row.last_sent_at and aware(row.last_sent_at), row.locale,
                row.settings, aware(row.last_active_at), row.consented_at is not None,
                row.mode, row.course_id, row.lesson_id, row.step_id, row.question_id,
                row.quiz_answered)
            for row in rows]


async def finished_lessons(connection: Connection,
                           learner_ids: list[int]) -> dict[int, set[tuple[str, str]]]:
    """(course, lesson) of every lesson each learner finished, in one query."""
    found: dict[int, set[tuple[str, str]]] = {learner_id: set() for learner_id in learner_ids}
    if learner_ids:
        rows = await connection.execute(
            select(RESULT.c.learner_id, RESULT.c.course_id, RESULT.c.lesson_id)
            .where(RESULT.c.learner_id.in_(learner_ids)))
        for row in rows:
            found[row.learner_id].add((row.course_id, row.lesson_id))
    return found


@dataclass(frozen=True)
class Settled:
    """What became of a claimed reminder (sent or put off) and when the next is due."""

    learner_id: int
    due_at: datetime | None
    status: str
    weekly: bool
    quiet_since: datetime | None
    sent_at: datetime | None  # when one was sent now
    returned: bool  # the learner came back after the last one


_SETTLE = update(REMINDER).where(REMINDER.c.learner_id == bindparam("b_id")).values(
    due_at=bindparam("b_due", type_=WHEN), status=bindparam("b_status"),
    weekly=bindparam("b_weekly"), quiet_since=bindparam("b_quiet", type_=WHEN),
    last_sent_at=func.coalesce(bindparam("b_sent_at", type_=WHEN), REMINDER.c.last_sent_at),
    sent=REMINDER.c.sent + bindparam("b_sent", type_=Integer),
    returned=REMINDER.c.returned + bindparam("b_returned", type_=Integer))


async def settle(connection: Connection, settled: list[Settled]) -> None:
    """Record what became of claimed reminders, in one statement (executemany)."""
    if settled:
        await connection.execute(_SETTLE, [{
            "b_id": item.learner_id, "b_due": utc(item.due_at), "b_status": item.status,
            "b_weekly": item.weekly, "b_quiet": utc(item.quiet_since),
            "b_sent_at": utc(item.sent_at), "b_sent": int(item.sent_at is not None),
            "b_returned": int(item.returned)} for item in settled])


@dataclass(frozen=True)
class ReminderCount:
    """Per part of an area: residents whose reminders are on, and who came back after one."""

    area_id: str
    on: int
    reminded: int  # sent at least one
    came_back: int


async def reminder_counts(connection: AsyncConnection, scope: Scope) -> list[ReminderCount]:
    """Reminders now, per part of `scope` (learners' places as they are today)."""
    part = scope.part_column(LEARNER)
    area = part if part is not None else LEARNER.c.area_village
    # Came back: after an earlier reminder (counted when the next came due), or since the last.
    back = (REMINDER.c.returned > 0) | (REMINDER.c.last_sent_at.is_not(None)
                                       & (LEARNER.c.last_active_at > REMINDER.c.last_sent_at))
    rows = await connection.execute(
        select(area.label("area_id"),
               func.sum(case((REMINDER.c.status == ON, 1), else_=0)).label("on"),
               func.sum(case((REMINDER.c.sent > 0, 1), else_=0)).label("reminded"),
               func.sum(case((back, 1), else_=0)).label("came_back"))
        .select_from(REMINDER.join(LEARNER, LEARNER.c.id == REMINDER.c.learner_id))
        .where(scope.where(LEARNER)).group_by(area).order_by(area))
    return [ReminderCount(row.area_id, int(row.on or 0), int(row.reminded or 0),
                          int(row.came_back or 0)) for row in rows]
