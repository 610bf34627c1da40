"""What organizers read: counts, scores and most-missed questions for one scope and period.

Every query takes a Scope and applies `scope.where` to the table that carries the area, so
no report can reach outside the organizer's area. Event counts come from the daily tables
(storage/rollup.py) up to the day of their last refresh, and from the raw rows of that day
and later (today, most often: a small read), so that no figure lags the learner list;
counts of people come from the live tables, by indexed area columns.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Table, event, func, select, union_all
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from storage.clock import day_start, local_date, now
from storage.database import ClosingConnection, create_engine, is_sqlite
from storage.mentoring import CHECK_IN
from storage.mentors import MENTOR, PAIRING
from storage.repository import LEARNER, RESULT
from storage.rollup import (
    COUNTED,
    DAILY_ANSWERS,
    DAILY_COURSES,
    DAILY_LESSONS,
    TRAINED,
    day_rows,
    refreshed_at,
    stage,
    twin,
)
from storage.scope import Scope

ID_CHUNK = 5000  # ids per IN list: far below SQLite's and asyncpg's parameter limits
# The rows of the days a report reads live, grouped once per report into temporary tables
# of its connection (every query of the report reads them, some tables three times).
LIVE = {table: twin(table, "live") for table in (DAILY_ANSWERS, DAILY_LESSONS, DAILY_COURSES)}


def reports_engine(url: str, *, busy_seconds: float = 30) -> AsyncEngine:
    """An engine of its own for report work (the dashboard, exports, refreshes).

    On SQLite its transactions begin deferred, not IMMEDIATE as the turns' engine's do:
    seconds of reading take no lock (WAL), so learners' turns never wait for a report, and a
    transaction takes the write lock at its first write, waiting in aiosqlite's thread.
    On PostgreSQL its queries run without parallel workers: each report uses one core at
    most, and learners' turns keep the others.
    """
    if not is_sqlite(url):
        return create_engine(url, pool_size=2, server_settings={
            "max_parallel_workers_per_gather": "0"})
    engine = create_async_engine(make_url(url).set(drivername="sqlite+aiosqlite"),
                                 connect_args={"timeout": busy_seconds,
                                               "factory": ClosingConnection}, pool_size=2,
                                 max_overflow=0)

    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # transactions begin in on_begin
        cursor = dbapi_connection.cursor()
        # What report work writes can be rebuilt at any time, so its many short commits
        # need not wait for the disk; learners' commits, on their own connections, still do.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN")

    return engine


@dataclass(frozen=True)
class Period:
    """Vietnamese calendar days from `first` to `last`, both included."""

    first: date
    last: date

    @property
    def start(self) -> datetime:
        return day_start(self.first)

    @property
    def end(self) -> datetime:
        return day_start(self.last + timedelta(days=1))


@dataclass(frozen=True)
class Counts:
    """The headline numbers of one area (or of one part of it)."""

    # Residents (not volunteers) who agreed to what is kept, having first written by the
    # period's end.
    registered: int = 0
    new: int = 0  # of whom, first wrote in the period
    active_7: int = 0  # wrote in the last 7 days (as of now)
    active_30: int = 0
    lessons: int = 0  # lessons finished for the first time in the period
    courses: int = 0  # courses finished in the period
    average: float | None = None  # their first-attempt quiz score, percent
    mentors: int = 0  # volunteers trained or approved
    pairs: int = 0  # mentor and resident paired now
    check_ins: int = 0  # coaching sessions logged in the period


@dataclass(frozen=True)
class CourseScores:
    """One course in the period: lessons and courses finished, first-attempt scores."""

    course_id: str
    lessons: int
    courses: int
    average: float | None
    median: float | None


@dataclass(frozen=True)
class Missed:
    """A quiz question with how often it was answered, and answered wrong, in the period."""

    course_id: str
    lesson_id: str
    question_id: str
    answered: int
    wrong: int


def median(histogram: list[tuple[float, int]]) -> float | None:
    """The median of values given as (value, how many), without listing them one by one."""
    ordered = sorted(histogram)
    total = sum(count for _, count in ordered)
    if total == 0:
        return None

    def at(index: int) -> float:
        seen = 0
        for value, count in ordered:
            seen += count
            if index < seen:
                return value
        raise IndexError(index)

    return (at((total - 1) // 2) + at(total // 2)) / 2


@dataclass(frozen=True)
class Live:
    """Where a report reads the days from `first` on: the scope's rows of each daily table
    for those days of the period, grouped from the raw rows into temporary tables. Until the
    daily tables are first filled (minutes after a start on a province's data), `first` is
    today and the days before are not counted yet: `whole` is False."""

    first: date
    rows: dict[Table, Table]
    whole: bool


async def live_rows(connection: AsyncConnection, scope: Scope, period: Period) -> Live:
    """Group the scope's raw rows of the period's days from the daily tables' last refresh
    on (today, most often) once, for every query of a report to read."""
    last = await refreshed_at(connection)
    first = local_date(last) if last else local_date()
    start, end = max(first, period.first), min(period.last, local_date())
    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    for table, staged in LIVE.items():
        columns, _ = day_rows(table, first, scope.where(LEARNER))
        queries = [day_rows(table, day, scope.where(LEARNER))[1] for day in days]
        await stage(connection, staged, columns, union_all(*queries) if queries else None)
    return Live(first, LIVE, whole=last is not None or period.first >= first)


def _days(table: Table, scope: Scope, period: Period, live: Live,
          leave_out: tuple[str, ...]) -> Any:
    """`table`'s rows in the scope and period but of the courses left out: stored ones
    before the live days, then the live ones."""
    staged = live.rows[table]
    columns = [column.name for column in staged.columns]
    stored = select(*[table.c[name] for name in columns]).where(
        scope.where(table) & (table.c.day >= period.first) & (table.c.day <= period.last)
        & (table.c.day < live.first))
    rows = union_all(stored, select(*[staged.c[name] for name in columns])).subquery(
        f"all_{table.name}")
    return select(rows).where(rows.c.course_id.not_in(leave_out)).subquery(table.name)


def _parted(scope: Scope, table: Any, by_part: bool) -> list[Any]:
    column = scope.part_column(table) if by_part else None
    return [column.label("part")] if column is not None else []


async def _people(connection: AsyncConnection, scope: Scope, period: Period,
                  by_part: bool) -> dict[str, dict[str, int]]:
    part = _parted(scope, LEARNER, by_part)
    moment = now()
    counts = {
        "registered": func.count(),
        "new": func.count().filter(LEARNER.c.created_at >= period.start),
        "active_7": func.count().filter(LEARNER.c.last_active_at >= moment - timedelta(days=7)),
        "active_30": func.count().filter(LEARNER.c.last_active_at >= moment - timedelta(days=30)),
    }
    query = (select(*part, *[value.label(name) for name, value in counts.items()])
             .where(scope.where(LEARNER) & COUNTED & (LEARNER.c.created_at < period.end)))
    rows = await connection.execute(query.group_by(*part) if part else query)
    return {(row.part if part else ""): {name: int(getattr(row, name)) for name in counts}
            for row in rows}


async def _parts_of(connection: AsyncConnection, scope: Scope, ids: set[int],
                    by_part: bool) -> dict[int, str]:
    """The part of the scope each of these learners is in; those outside it are left out.

    Looked up by primary key, a chunk at a time: the volunteers, pairs and check-ins are
    few, so this beats joining them to a million learners (which PostgreSQL does by scanning).
    """
    part = _parted(scope, LEARNER, by_part)
    found: dict[int, str] = {}
    ordered = sorted(ids)
    for start in range(0, len(ordered), ID_CHUNK):
        chunk = ordered[start:start + ID_CHUNK]
        rows = await connection.execute(select(LEARNER.c.id, *part).where(
            LEARNER.c.id.in_(chunk) & scope.where(LEARNER)))
        found.update({row.id: row.part if part else "" for row in rows})
    return found


async def _related(connection: AsyncConnection, scope: Scope, period: Period,
                   by_part: bool) -> dict[str, dict[str, int]]:
    """Mentors (by their own area), active pairs and check-ins (by the resident's area)."""
    people: dict[str, Counter[int]] = {
        "mentors": Counter(id_ for id_, in await connection.execute(
            select(MENTOR.c.learner_id).where(MENTOR.c.status.in_(TRAINED)))),
        "pairs": Counter(id_ for id_, in await connection.execute(
            select(PAIRING.c.mentee_id).where(PAIRING.c.status == "active"))),
        "check_ins": Counter(dict((await connection.execute(
            select(PAIRING.c.mentee_id, func.count())
            .join(CHECK_IN, CHECK_IN.c.pairing_id == PAIRING.c.id)
            .where((CHECK_IN.c.met_on >= period.first) & (CHECK_IN.c.met_on <= period.last))
            .group_by(PAIRING.c.mentee_id))).all())),
    }
    parts = await _parts_of(connection, scope, set().union(*people.values()), by_part)
    found: dict[str, dict[str, int]] = {}
    for name, counted in people.items():
        for learner_id, count in counted.items():
            if learner_id in parts:
                values = found.setdefault(parts[learner_id], {})
                values[name] = values.get(name, 0) + count
    return found


async def _finished(connection: AsyncConnection, scope: Scope, period: Period,
                    by_part: bool, live: Live,
                    leave_out: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    daily = _days(DAILY_LESSONS, scope, period, live, leave_out)
    part = _parted(scope, daily, by_part)
    lessons = (select(*part, func.sum(daily.c.lessons).label("lessons"),
                      func.sum(daily.c.lessons * daily.c.correct * 100.0
                               / daily.c.total).label("points"))
               .where(daily.c.total > 0))
    for row in await connection.execute(lessons.group_by(*part) if part else lessons):
        done = int(row.lessons or 0)
        found[row.part if part else ""] = {
            "lessons": done, "average": float(row.points) / done if done else None}
    daily = _days(DAILY_COURSES, scope, period, live, leave_out)
    part = _parted(scope, daily, by_part)
    courses = select(*part, func.sum(daily.c.courses).label("courses"))
    for row in await connection.execute(courses.group_by(*part) if part else courses):
        found.setdefault(row.part if part else "", {})["courses"] = int(row.courses or 0)
    return found


async def counts(connection: AsyncConnection, scope: Scope, period: Period, *,
                 by_part: bool = False, live: Live | None = None,
                 leave_out: tuple[str, ...] = ()) -> dict[str, Counts]:
    """The headline numbers of the scope ("" key), or of each of its parts (by area id);
    `live` the rows read from the raw ones (default: grouped here), `leave_out` the
    courses that are not residents' (the mentor course: a volunteer in training is still a
    resident, their own training is not)."""
    live = live or await live_rows(connection, scope, period)
    merged: dict[str, dict[str, Any]] = {}
    for found in (await _people(connection, scope, period, by_part),
                  await _related(connection, scope, period, by_part),
                  await _finished(connection, scope, period, by_part, live, leave_out)):
        for part, values in found.items():
            merged.setdefault(part, {}).update(values)
    if not by_part:
        merged.setdefault("", {})
    return {part: Counts(**values) for part, values in sorted(merged.items())}


@dataclass(frozen=True)
class Training:
    """Volunteers' own course, kept apart from the residents' figures (by their own area)."""

    learning: int = 0  # began to register as a mentor, not yet trained nor approved
    trained: int = 0  # trained or approved
    lessons: int = 0  # lessons of the course they first finished in the period


async def training(connection: AsyncConnection, scope: Scope, period: Period,
                   course_id: str) -> Training:
    """How the scope's volunteers are doing in `course_id` (volunteers are few: their places
    are looked up by primary key)."""
    statuses: dict[int, str] = dict((await connection.execute(
        select(MENTOR.c.learner_id, MENTOR.c.status))).all())
    done: dict[int, int] = dict((await connection.execute(
        select(RESULT.c.learner_id, func.count())
        .where((RESULT.c.course_id == course_id) & RESULT.c.learner_id.in_(
            select(MENTOR.c.learner_id)) & (RESULT.c.first_completed_at >= period.start)
            & (RESULT.c.first_completed_at < period.end))
        .group_by(RESULT.c.learner_id))).all())
    inside = await _parts_of(connection, scope, set(statuses), by_part=False)
    return Training(
        learning=sum(1 for id_ in inside if statuses[id_] not in TRAINED),
        trained=sum(1 for id_ in inside if statuses[id_] in TRAINED),
        lessons=sum(done.get(id_, 0) for id_ in inside))


def total_of(parts: dict[str, Counts]) -> Counts:
    """The scope's numbers from its parts' (each person is in exactly one part): one pass
    over the big tables instead of two."""
    total = {name: sum(getattr(item, name) for item in parts.values())
             for name in Counts.__dataclass_fields__ if name != "average"}
    points = sum(item.average * item.lessons for item in parts.values() if item.average)
    return Counts(**total, average=points / total["lessons"] if total["lessons"] else None)


async def course_scores(connection: AsyncConnection, scope: Scope, period: Period, *,
                        live: Live | None = None,
                        leave_out: tuple[str, ...] = ()) -> list[CourseScores]:
    """Per course: lessons and courses finished, average and median first-attempt score."""
    live = live or await live_rows(connection, scope, period)
    histogram: dict[str, list[tuple[float, int]]] = {}
    daily = _days(DAILY_LESSONS, scope, period, live, leave_out)
    rows = await connection.execute(
        select(daily.c.course_id, daily.c.correct, daily.c.total,
               func.sum(daily.c.lessons).label("lessons"))
        .where(daily.c.total > 0)
        .group_by(daily.c.course_id, daily.c.correct, daily.c.total))
    for row in rows:
        histogram.setdefault(row.course_id, []).append(
            (100.0 * row.correct / row.total, int(row.lessons)))
    daily = _days(DAILY_COURSES, scope, period, live, leave_out)
    finished = {course_id: int(count) for course_id, count in await connection.execute(
        select(daily.c.course_id, func.sum(daily.c.courses)).group_by(daily.c.course_id))}
    result = []
    for course_id in sorted(set(histogram) | set(finished)):
        values = histogram.get(course_id, [])
        lessons = sum(count for _, count in values)
        average = sum(value * count for value, count in values) / lessons if lessons else None
        result.append(CourseScores(course_id, lessons, finished.get(course_id, 0),
                                   average, median(values)))
    return result


async def missed_questions(connection: AsyncConnection, scope: Scope, period: Period, *,
                           limit: int = 10, live: Live | None = None,
                           leave_out: tuple[str, ...] = ()) -> list[Missed]:
    """The questions answered wrong most often in the period (what to teach again)."""
    daily = _days(DAILY_ANSWERS, scope, period, live or await live_rows(connection, scope,
                                                                         period),
                  leave_out)
    wrong, answered = func.sum(daily.c.wrong), func.sum(daily.c.answered)
    key = (daily.c.course_id, daily.c.lesson_id, daily.c.question_id)
    rows = await connection.execute(
        select(*key, answered.label("answered"), wrong.label("wrong")).group_by(*key)
        # Most often wrong first; of as many, the one answered less often (wrong more often).
        .having(wrong > 0).order_by(wrong.desc(), answered, *key).limit(limit))
    return [Missed(row.course_id, row.lesson_id, row.question_id, int(row.answered),
                   int(row.wrong)) for row in rows]


async def lessons_by_day(connection: AsyncConnection, scope: Scope, period: Period, *,
                         live: Live | None = None,
                         leave_out: tuple[str, ...] = ()) -> list[tuple[date, int]]:
    """Lessons finished for the first time on each day of the period that had any."""
    daily = _days(DAILY_LESSONS, scope, period, live or await live_rows(connection, scope,
                                                                         period),
                  leave_out)
    rows = await connection.execute(
        select(daily.c.day, func.sum(daily.c.lessons))
        .group_by(daily.c.day).order_by(daily.c.day))
    return [(day if isinstance(day, date) else date.fromisoformat(day), int(count))
            for day, count in rows]
