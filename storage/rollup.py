"""Fill the daily report tables from answers, results and completions, one local day at a time.

Reports read only these small tables, so a province's overview does not scan millions of
answers. A day is rebuilt from the raw rows, each commune's rows replaced at once, so a
refresh can run again at any time and never counts twice. Rows are placed by the learner's
area at refresh time; a learner who moves later does not move the days already filled.
"""

import asyncio
import time
from collections.abc import Collection
from datetime import date, datetime, timedelta
from itertools import pairwise
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
    true,
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
# The residents reports count and list: those who agreed to what is kept. A web chat page
# opened, or a greeting never answered, is nobody (issue 24: crawlers' sessions counted).
COUNTED = RESIDENT & LEARNER.c.consented_at.is_not(None)
# A turn commits within seconds of its timestamps; refilling this far back catches stragglers.
MARGIN = timedelta(minutes=15)
# Rows a write transaction copies in: on SQLite learners' turns wait for it (about 5 ms; with
# 1,000 rows 25 ms, and their p99 during a first refresh was 8 times the idle one).
SWAP_ROWS = 200
PAUSE = 0.025  # seconds between two such transactions at least (see fill_day)
_TEMPORARY = MetaData()


def twin(table: Table, prefix: str) -> Table:
    """A temporary twin of `table` (its columns but the id), private to each connection."""
    return Table(f"{prefix}_{table.name}", _TEMPORARY,
                 *[Column(column.name, column.type) for column in table.columns
                   if column.name != "id"], prefixes=["TEMPORARY"])


# The grouping, seconds of reading on a province, is staged in temporary tables of the
# connection: on SQLite that is a read, which learners' turns do not wait for (WAL); only
# copying the staged rows in takes the database's one write lock, a few hundred at a time.
STAGED = {table: twin(table, "staged") for table in (DAILY_ANSWERS, DAILY_LESSONS, DAILY_COURSES,
                                               COMPLETION)}


def _grouped(day: date, source: Table, when: str, keys: dict[str, Any],
             counts: dict[str, Any], where: Any) -> tuple[list[str], Any]:
    """The day's rows of `source` grouped by the learner's area and `keys`, and the daily
    table's columns they fill (the query's columns are named as those)."""
    start, end = day_start(day), day_start(day + timedelta(days=1))
    area = [LEARNER.c[column] for column in AREA]
    query = (select(literal(day, Date).label("day"), *area,
                    *[value.label(name) for name, value in (keys | counts).items()])
             .select_from(source.join(LEARNER, LEARNER.c.id == source.c.learner_id))
             .where((source.c[when] >= start) & (source.c[when] < end) & RESIDENT & where)
             .group_by(*area, *keys.values()))
    return ["day", *AREA, *keys, *counts], query


def day_rows(table: Table, day: date, where: Any) -> tuple[list[str], Any]:
    """What `table` holds for `day` once refreshed, read from the raw rows of the learners
    `where` keeps (the live part of a report: a day's rows only, so a quick read), and the
    table's columns it gives, in its order."""
    return _plans(day, where)[table]


def _plans(day: date, where: Any = None) -> dict[Table, tuple[list[str], Any]]:
    where = true() if where is None else where
    return {
        DAILY_ANSWERS: _grouped(day, ANSWER, "answered_at", {
            "course_id": ANSWER.c.course_id, "lesson_id": ANSWER.c.lesson_id,
            "question_id": ANSWER.c.question_id,
        }, {"answered": func.count(), "wrong": func.sum(case((ANSWER.c.correct, 0), else_=1))},
            where),
        DAILY_LESSONS: _grouped(day, RESULT, "first_completed_at", {
            "course_id": RESULT.c.course_id, "correct": RESULT.c.first_correct,
            "total": RESULT.c.total,
        }, {"lessons": func.count()}, where),
        DAILY_COURSES: _grouped(day, COMPLETION, "completed_at", {
            "course_id": COMPLETION.c.course_id,
        }, {"courses": func.count()}, where),
    }


async def stage(connection: AsyncConnection, staged: Table, columns: list[str],
                query: Any) -> Table:
    """Put the rows `query` makes (None: none) into the temporary table `staged`, emptied
    first, and return it. On SQLite this writes only the connection's temporary database:
    no lock."""
    await connection.execute(CreateTable(staged, if_not_exists=True))
    await connection.execute(delete(staged))
    if query is not None:
        await connection.execute(insert(staged).from_select(columns, query))
    return staged


async def _lock(connection: AsyncConnection) -> None:
    # The state row is the lock: two refreshes never write one part at once. A write first,
    # so that SQLite takes its write lock here (waiting for it if need be), not at a later
    # write where a deferred transaction could not wait.
    await connection.execute(update(STATE).where(STATE.c.id == 1).values(
        refreshed_at=STATE.c.refreshed_at))


def _batches(sizes: dict[str, int], most: int) -> list[list[str]]:
    """Communes in groups of at most `most` rows (a bigger commune alone)."""
    batches: list[list[str]] = [[]]
    rows = 0
    for commune, size in sorted(sizes.items()):
        if batches[-1] and rows + size > most:
            batches.append([])
            rows = 0
        batches[-1].append(commune)
        rows += size
    return [batch for batch in batches if batch]


async def fill_day(connection: AsyncConnection, day: date, known: set[str], *,
                   rows: int = SWAP_ROWS) -> int:
    """Rebuild one day of every daily table: group it in a read, then swap its rows in a
    few communes per short write transaction. Each commune's rows change at once, so no
    report ever counts a row twice or misses one; `known` are the communes the daily tables
    may hold rows of already, `rows` how many rows a transaction writes at most. Return how
    many rows the day holds now."""
    plans = _plans(day)
    sizes = dict.fromkeys(known, 0)
    for table, (columns, query) in plans.items():
        staged = await stage(connection, STAGED[table], columns, query)
        for commune, count in await connection.execute(
                select(staged.c.area_commune, func.count()).group_by(staged.c.area_commune)):
            sizes[commune] = sizes.get(commune, 0) + count
    await connection.commit()
    for communes in _batches(sizes, rows):
        started = time.perf_counter()
        async with connection.begin():
            await _lock(connection)
            for table, (columns, _) in plans.items():
                staged = STAGED[table]
                await connection.execute(delete(table).where(
                    (table.c.day == day) & table.c.area_commune.in_(communes)))
                await connection.execute(insert(table).from_select(columns, select(
                    *[staged.c[name] for name in columns]).where(
                        staged.c.area_commune.in_(communes))))
        # Then a pause as long, 25 ms at least: on SQLite a learner's turn that waited for
        # the lock retries after sleeping 1, 2, 5, 10, 15, 20, 25 ms..., and without the
        # pause lost the lock to the next write again and again (waiting up to 0.8 s).
        await asyncio.sleep(max(time.perf_counter() - started, PAUSE))
    return sum(sizes.values())


async def _next_day(connection: AsyncConnection, day: date | None,
                    known: Collection[str] = ()) -> date | None:
    """The first day from `day` on (None: the oldest raw row's) with raw rows to fill, or
    daily rows of the communes `known` to clear (their raw rows erased since). Each is an
    index seek: the raw rows' times are indexed, the daily tables by (area_commune, day)."""
    found = []
    for column in (ANSWER.c.answered_at, RESULT.c.first_completed_at, COMPLETION.c.completed_at):
        query = select(func.min(column))
        if day is not None:
            query = query.where(column >= day_start(day))
        if (when := await connection.scalar(query)) is not None:
            found.append(local_date(aware(when)))  # stored in UTC, a day is Vietnam's
    if day is not None and known:
        # No index leads with the day: asking for `known`'s communes uses theirs.
        for table in (DAILY_ANSWERS, DAILY_LESSONS, DAILY_COURSES):
            if (filled := await connection.scalar(select(func.min(table.c.day)).where(
                    table.c.area_commune.in_(known) & (table.c.day >= day)))) is not None:
                found.append(filled)
    return min(found, default=None)


async def note_finished_courses(connection: AsyncConnection,
                                courses: dict[str, tuple[str, ...]], *,
                                rows: int = SWAP_ROWS) -> None:
    """Record the courses learners finished before completions were recorded (once, at the
    first refresh): every lesson of the course has a result. Found in a read, written
    `rows` learners per transaction."""
    columns = ["learner_id", "course_id", "completed_at"]
    for course_id, lessons in courses.items():
        done = (select(RESULT.c.learner_id, literal(course_id),
                       func.max(RESULT.c.first_completed_at))
                .where((RESULT.c.course_id == course_id) & RESULT.c.lesson_id.in_(lessons)
                       & RESULT.c.learner_id.not_in(select(COMPLETION.c.learner_id).where(
                           COMPLETION.c.course_id == course_id)))
                .group_by(RESULT.c.learner_id).having(func.count() == len(lessons)))
        staged = await stage(connection, STAGED[COMPLETION], columns, done)
        numbered = select(staged.c.learner_id, func.row_number().over(
            order_by=staged.c.learner_id).label("n")).subquery()
        starts = list(await connection.scalars(select(numbered.c.learner_id).where(
            (numbered.c.n - 1) % rows == 0).order_by(numbered.c.learner_id)))
        await connection.commit()
        for low, high in pairwise([*starts, None]):
            part = staged.c.learner_id >= low
            if high is not None:
                part &= staged.c.learner_id < high
            async with connection.begin():
                # A learner may have finished the course since it was staged.
                await connection.execute(insert(COMPLETION).from_select(
                    columns, select(*[staged.c[name] for name in columns]).where(
                        part & ~exists().where(
                            (COMPLETION.c.learner_id == staged.c.learner_id)
                            & (COMPLETION.c.course_id == staged.c.course_id)))))


async def refresh(engine: AsyncEngine, *, until: datetime | None = None,
                  courses: dict[str, tuple[str, ...]] | None = None,
                  rows: int = SWAP_ROWS) -> int:
    """Refill every day touched since the last refresh (all of them the first time, after
    noting the courses finished so far: `courses` maps each course to its lesson ids),
    writing at most `rows` rows a transaction; return how many days were filled. Of days
    with no row to fill or to clear, only the first of each run is (found empty by it)."""
    started = until or now()
    async with engine.connect() as connection:
        last = await connection.scalar(select(STATE.c.refreshed_at).where(STATE.c.id == 1))
        await connection.rollback()
    async with engine.connect() as connection:
        if last is None and courses:
            await note_finished_courses(connection, courses, rows=rows)
        day = local_date(aware(last) - MARGIN) if last else await _next_day(connection, None)
        known = {commune for table in (DAILY_ANSWERS, DAILY_LESSONS, DAILY_COURSES)
                 for commune in await connection.scalars(select(table.c.area_commune).distinct())}
        await connection.rollback()
        days = 0
        while day is not None and day <= local_date(started):
            filled = await fill_day(connection, day, known, rows=rows)
            days += 1
            day += timedelta(days=1)
            # An empty day may begin a gap (a quiet week; on a first refresh, the weeks between
            # old answers and new), each of whose days would cost a dozen statements and a
            # pause. After a busy day no look ahead at all: the next is most likely busy too.
            if not filled and day <= local_date(started):
                found = await _next_day(connection, day, known)
                # Never back: a day found before `day` (a boundary read two ways) would loop.
                day = None if found is None else max(found, day)
    async with engine.begin() as connection:
        await connection.execute(update(STATE).where(STATE.c.id == 1).values(
            refreshed_at=started))
    return days


async def refresh_nothing(engine: AsyncEngine, *, until: datetime | None = None) -> bool:
    """Do what `refresh` does on a database it never refreshed that holds nothing to fill (a
    new install): note the time, and say True. False, changing nothing, anywhere else."""
    started = until or now()
    # The lock first, as refresh takes it: another process's refresh may be filling days. A
    # write each refresh period where the refresh itself writes far more; the turns' engine
    # (IMMEDIATE on SQLite) would take the write lock for a lone read just the same.
    async with engine.begin() as connection:
        await _lock(connection)
        if await refreshed_at(connection) is not None:
            return False
        for table in (ANSWER, RESULT, COMPLETION, DAILY_ANSWERS, DAILY_LESSONS, DAILY_COURSES):
            if await connection.scalar(select(literal(1)).select_from(table).limit(1)):
                return False
        await connection.execute(update(STATE).where(STATE.c.id == 1).values(
            refreshed_at=started))
    return True


async def refreshed_at(connection: AsyncConnection) -> datetime | None:
    """When the daily tables were last filled in (None: never)."""
    last = await connection.scalar(select(STATE.c.refreshed_at).where(STATE.c.id == 1))
    return aware(last) if last else None
