"""Fill the daily report tables from answers, results and completions, one local day at a time.

Reports read only these small tables, so a province's overview does not scan millions of
answers. A day is rebuilt whole (delete, then insert from the raw rows), so a refresh can run
again at any time and never counts twice. Rows are placed by the learner's area at refresh
time; a learner who moves later does not move the days already filled.

The grouping, seconds of reading on a province, is staged in temporary tables of the
connection: on SQLite that is a read, which learners' turns do not wait for (WAL), and only
copying the staged rows in takes the database's one write lock, for milliseconds.
"""

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Column,
    Date,
    MetaData,
    Table,
    case,
    delete,
    exists,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.schema import CreateTable

from storage.clock import aware, day_start, local_date, now
from storage.mentors import MENTOR
from storage.report_models import DailyAnswers, DailyCourses, DailyLessons, RollupState
from storage.repository import ANSWER, COMPLETION, LEARNER, RESULT

DAILY_ANSWERS: Table = DailyAnswers.__table__  # type: ignore[attr-defined]
DAILY_LESSONS: Table = DailyLessons.__table__  # type: ignore[attr-defined]
DAILY_COURSES: Table = DailyCourses.__table__  # type: ignore[attr-defined]
STATE: Table = RollupState.__table__  # type: ignore[attr-defined]
AREA = ("area_province", "area_commune", "area_village")
TRAINED = ("trained", "approved")
# Residents are the learners who are not volunteers (trained mentors learn on Học Số too);
# someone who only began to register as a mentor is still a resident.
RESIDENT = LEARNER.c.id.not_in(select(MENTOR.c.learner_id).where(MENTOR.c.status.in_(TRAINED)))
# A turn commits within seconds of its timestamps; refilling this far back catches stragglers.
MARGIN = timedelta(minutes=15)
_TEMPORARY = MetaData()


def _staging(table: Table) -> Table:
    """A temporary twin of `table` (its columns but the id), private to each connection."""
    return Table(f"staged_{table.name}", _TEMPORARY,
                 *[Column(column.name, column.type) for column in table.columns
                   if column.name != "id"], prefixes=["TEMPORARY"])


STAGED = {table: _staging(table) for table in (DAILY_ANSWERS, DAILY_LESSONS, DAILY_COURSES,
                                               COMPLETION)}


def _grouped(day: date, source: Table, when: str, keys: dict[str, Any],
             counts: dict[str, Any]) -> tuple[list[str], Any]:
    """The day's rows of `source` grouped by the learner's area and `keys`, and the daily
    table's columns they fill."""
    start, end = day_start(day), day_start(day + timedelta(days=1))
    group = [LEARNER.c[column] for column in AREA] + list(keys.values())
    query = (select(literal(day, Date), *group, *counts.values())
             .select_from(source.join(LEARNER, LEARNER.c.id == source.c.learner_id))
             .where((source.c[when] >= start) & (source.c[when] < end) & RESIDENT)
             .group_by(*group))
    return ["day", *AREA, *keys, *counts], query


def _plans(day: date) -> dict[Table, tuple[list[str], Any]]:
    return {
        DAILY_ANSWERS: _grouped(day, ANSWER, "answered_at", {
            "course_id": ANSWER.c.course_id, "lesson_id": ANSWER.c.lesson_id,
            "question_id": ANSWER.c.question_id,
        }, {"answered": func.count(), "wrong": func.sum(case((ANSWER.c.correct, 0), else_=1))}),
        DAILY_LESSONS: _grouped(day, RESULT, "first_completed_at", {
            "course_id": RESULT.c.course_id, "correct": RESULT.c.first_correct,
            "total": RESULT.c.total,
        }, {"lessons": func.count()}),
        DAILY_COURSES: _grouped(day, COMPLETION, "completed_at", {
            "course_id": COMPLETION.c.course_id,
        }, {"courses": func.count()}),
    }


async def _stage(connection: AsyncConnection, table: Table, columns: list[str],
                 query: Any) -> None:
    """Put the rows `query` makes into `table`'s temporary twin, emptied first; commit (on
    SQLite this writes only the connection's temporary database, so no lock is held)."""
    staged = STAGED[table]
    await connection.execute(CreateTable(staged, if_not_exists=True))
    await connection.execute(delete(staged))
    await connection.execute(insert(staged).from_select(columns, query))
    await connection.commit()


async def fill_day(connection: AsyncConnection, day: date) -> None:
    """Rebuild one day of every daily table: group in a read, then swap the day's rows in
    one short write transaction."""
    plans = _plans(day)
    for table, (columns, query) in plans.items():
        await _stage(connection, table, columns, query)
    async with connection.begin():
        # The state row is the lock: two refreshes never rebuild one day at once. A write
        # first, so that SQLite takes its write lock here (waiting for it if need be), not
        # at a later write where a deferred transaction could not wait.
        await connection.execute(update(STATE).where(STATE.c.id == 1).values(
            refreshed_at=STATE.c.refreshed_at))
        for table, (columns, _) in plans.items():
            await connection.execute(delete(table).where(table.c.day == day))
            await connection.execute(insert(table).from_select(
                columns, select(*[STAGED[table].c[name] for name in columns])))


async def _first_day(connection: AsyncConnection) -> date | None:
    earliest = [await connection.scalar(select(func.min(column))) for column in
                (ANSWER.c.answered_at, RESULT.c.first_completed_at, COMPLETION.c.completed_at)]
    found = [when for when in earliest if when is not None]
    return local_date(aware(min(found))) if found else None


async def note_finished_courses(connection: AsyncConnection,
                                courses: dict[str, tuple[str, ...]]) -> None:
    """Record the courses learners finished before completions were recorded (once, at the
    first refresh): every lesson of the course has a result."""
    columns = ["learner_id", "course_id", "completed_at"]
    staged = STAGED[COMPLETION]
    for course_id, lessons in courses.items():
        done = (select(RESULT.c.learner_id, literal(course_id),
                       func.max(RESULT.c.first_completed_at))
                .where((RESULT.c.course_id == course_id) & RESULT.c.lesson_id.in_(lessons)
                       & RESULT.c.learner_id.not_in(select(COMPLETION.c.learner_id).where(
                           COMPLETION.c.course_id == course_id)))
                .group_by(RESULT.c.learner_id).having(func.count() == len(lessons)))
        await _stage(connection, COMPLETION, columns, done)
        async with connection.begin():
            # A learner may have finished the course since it was staged.
            await connection.execute(insert(COMPLETION).from_select(
                columns, select(*[staged.c[name] for name in columns]).where(~exists().where(
                    (COMPLETION.c.learner_id == staged.c.learner_id)
                    & (COMPLETION.c.course_id == staged.c.course_id)))))


async def refresh(engine: AsyncEngine, *, until: datetime | None = None,
                  courses: dict[str, tuple[str, ...]] | None = None) -> int:
    """Refill every day touched since the last refresh (all of them the first time, after
    noting the courses finished so far: `courses` maps each course to its lesson ids);
    return how many days were filled."""
    started = until or now()
    async with engine.connect() as connection:
        last = await connection.scalar(select(STATE.c.refreshed_at).where(STATE.c.id == 1))
        await connection.rollback()
    async with engine.connect() as connection:
        if last is None and courses:
            await note_finished_courses(connection, courses)
        first = local_date(aware(last) - MARGIN) if last else await _first_day(connection)
        await connection.rollback()
        days = 0
        day = first
        while day is not None and day <= local_date(started):
            await fill_day(connection, day)
            days += 1
            day += timedelta(days=1)
    async with engine.begin() as connection:
        await connection.execute(update(STATE).where(STATE.c.id == 1).values(
            refreshed_at=started))
    return days


async def refreshed_at(connection: AsyncConnection) -> datetime | None:
    """When the daily tables were last filled in (None: never)."""
    last = await connection.scalar(select(STATE.c.refreshed_at).where(STATE.c.id == 1))
    return aware(last) if last else None
