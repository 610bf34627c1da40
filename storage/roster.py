"""The resident list organizers see for their own area: names, places, results, no contacts."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.clock import aware
from storage.mentors import MENTOR, PAIRING, shown_name
from storage.repository import COMPLETION, LEARNER, RESULT
from storage.rollup import COUNTED
from storage.scope import Scope

CHUNK = 2000


@dataclass(frozen=True)
class RosterRow:
    """One learner as an organizer sees them: never a phone number or a chat id."""

    display_name: str
    area_id: str
    lessons: int
    courses: int
    average: float | None  # first-attempt quiz score over their finished lessons, percent
    mentor: str
    last_active_at: datetime


async def roster(connection: AsyncConnection, scope: Scope, *, limit: int | None = 100,
                 offset: int = 0, leave_out: tuple[str, ...] = ()) -> list[RosterRow]:
    """Learners of the scope, most recently active first, with their results but in the
    courses left out (the mentor course, as in the report's figures)."""
    # Correlated lookups by primary-key prefix: a page of 100 costs 300 index probes,
    # whatever the size of the whole tables.
    mine = (RESULT.c.learner_id == LEARNER.c.id) & RESULT.c.course_id.not_in(leave_out)
    lessons = select(func.count()).where(mine).scalar_subquery()
    average = (select(func.avg(RESULT.c.first_correct * 100.0 / RESULT.c.total))
               .where(mine & (RESULT.c.total > 0)).scalar_subquery())
    courses = (select(func.count()).where((COMPLETION.c.learner_id == LEARNER.c.id)
                                          & COMPLETION.c.course_id.not_in(leave_out))
               .scalar_subquery())
    mentor_learner = LEARNER.alias("mentor_learner")
    mentor = (select(shown_name(mentor_learner))
              .join(PAIRING, MENTOR.c.learner_id == PAIRING.c.mentor_id)
              .join(mentor_learner, mentor_learner.c.id == MENTOR.c.learner_id)
              .where((PAIRING.c.mentee_id == LEARNER.c.id) & (PAIRING.c.status == "active"))
              .limit(1).scalar_subquery())
    query = (select(LEARNER.c.display_name, LEARNER.c.area_province, LEARNER.c.area_commune,
                    LEARNER.c.area_village, LEARNER.c.last_active_at,
                    lessons.label("lessons"), average.label("average"),
                    courses.label("courses"), func.coalesce(mentor, "").label("mentor"))
             .where(scope.where(LEARNER) & COUNTED)
             .order_by(LEARNER.c.last_active_at.desc(), LEARNER.c.id.desc())
             .limit(limit).offset(offset))
    found: list[RosterRow] = []
    # A chunk at a time: a province's whole list is hundreds of thousands of rows, and the
    # event loop serves learners between chunks.
    async for rows in (await connection.stream(query)).partitions(CHUNK):
        found.extend(RosterRow(
            display_name=row.display_name,
            area_id=row.area_village or row.area_commune or row.area_province,
            lessons=int(row.lessons), courses=int(row.courses),
            average=float(row.average) if row.average is not None else None,
            mentor=row.mentor, last_active_at=aware(row.last_active_at),
        ) for row in rows)
    return found


async def roster_size(connection: AsyncConnection, scope: Scope) -> int:
    """How many learners the scope's list holds."""
    return int(await connection.scalar(
        select(func.count()).select_from(LEARNER).where(scope.where(LEARNER) & COUNTED)) or 0)
