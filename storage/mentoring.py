"""Mentoring queries inside a learner's turn: pairings, mentees' progress, check-ins, alerts.

They only ever return pairings the turn's learner is part of; which side may do what is decided
in bot/handlers/access.py. Mentor profiles and invitation codes are in storage/mentors.py.
"""

import json
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Table, bindparam, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.mentors import (
    CAN_MENTOR,
    MENTOR,
    PAIRING,
    MentorQueries,
    MentorRecord,
    mentor_record,
    shown_name,
    with_name,
)
from storage.models import Alert, CheckIn
from storage.repository import ANSWER, LEARNER, RESULT, now
from storage.transactions import Connection

CHECK_IN: Table = CheckIn.__table__  # type: ignore[attr-defined]
ALERT: Table = Alert.__table__  # type: ignore[attr-defined]
# Asked at every lesson's end: built once.
ACTIVE_MENTOR = select(PAIRING.c.id).where(
    (PAIRING.c.mentee_id == bindparam("by_mentee")) & (PAIRING.c.status == "active"))


@dataclass(frozen=True)
class PairingRecord:
    """A pairing seen from either side, with the other person's name."""

    id: int
    mentor_id: int
    mentee_id: int
    status: str
    origin: str
    mentor_name: str
    mentee_name: str
    created_at: datetime
    mentee_form: str = ""  # how the resident chose to be called ("bac"): their mentor says so


@dataclass(frozen=True)
class MenteeProgress:
    """What a mentor may see of one mentee: learning data only, never contact details."""

    pairing_id: int
    name: str
    mode: str
    course_id: str
    lesson_id: str
    step_id: str
    question_id: str
    last_active_at: datetime
    results: tuple[tuple[str, str, int, int], ...]  # course, lesson, best, total
    missed: tuple[tuple[str, str, str], ...]  # course, lesson, question answered wrong
    form: str = ""  # how the mentee chose to be called ("bac")


class MentoringQueries(MentorQueries):
    """The mentoring side of one turn, on the turn's connection (same transaction)."""

    # --------------------------------------------------------------- pairings

    async def pairing(self, pairing_id: int) -> PairingRecord | None:
        """A pairing the turn's learner is part of (either side), whatever its status."""
        mentee, mentor = LEARNER.alias("mentee"), LEARNER.alias("mentor_learner")
        row = (await self._db.execute(
            select(PAIRING, shown_name(mentor).label("mentor_name"), mentee.c.display_name,
                   mentee.c.settings)
            .join(MENTOR, MENTOR.c.learner_id == PAIRING.c.mentor_id)
            .join(mentor, mentor.c.id == PAIRING.c.mentor_id)
            .join(mentee, mentee.c.id == PAIRING.c.mentee_id)
            .where((PAIRING.c.id == pairing_id)
                   & or_(PAIRING.c.mentor_id == self.me, PAIRING.c.mentee_id == self.me)))
        ).first()
        if row is None:
            return None
        return PairingRecord(row.id, row.mentor_id, row.mentee_id, row.status, row.origin,
                             row.mentor_name, row.display_name, row.created_at,
                             address_form(row.settings))

    async def my_mentor(self) -> PairingRecord | None:
        """The turn's learner's active pairing as a resident, if any."""
        found = await self._db.scalar(ACTIVE_MENTOR, {"by_mentee": self.me})
        return await self.pairing(found) if found is not None else None

    async def has_mentor(self, mentee_id: int) -> bool:
        """Whether a resident has an active mentor (whoever it is: nothing more is told)."""
        return await self._db.scalar(ACTIVE_MENTOR, {"by_mentee": mentee_id}) is not None

    async def drop_other_offers(self, mentee_id: int, keep: int) -> None:
        """A resident now has a mentor: their other pending pairings are declined."""
        await self._db.execute(update(PAIRING).where(
            (PAIRING.c.mentee_id == mentee_id) & (PAIRING.c.status == "pending")
            & (PAIRING.c.id != keep)).values(status="declined", decided_at=now()))

    async def pending_request(self) -> bool:
        """Whether the turn's learner already asked for a mentor and awaits an answer."""
        row = (await self._db.execute(select(PAIRING.c.id).where(
            (PAIRING.c.mentee_id == self.me) & (PAIRING.c.status == "pending")
            & (PAIRING.c.origin == "request")))).first()
        return row is not None

    async def lock_mentor(self, mentor_id: int) -> bool:
        """Lock a mentor's row until the turn commits: capacity is counted, then used, alone.
        Whether they may mentor now, read under the lock (an organizer's suspension commits
        either before it, seen here, or after the turn, ending what it began)."""
        status = (await self._db.execute(select(MENTOR.c.status).where(
            MENTOR.c.learner_id == mentor_id).with_for_update())).scalar_one_or_none()
        return status in CAN_MENTOR

    async def active_mentees(self, mentor_id: int | None = None) -> int:
        """How many residents a mentor coaches now."""
        who = self.me if mentor_id is None else mentor_id
        query = select(func.count()).select_from(PAIRING).where(
            (PAIRING.c.mentor_id == who) & (PAIRING.c.status == "active"))
        return int((await self._db.execute(query)).scalar_one())

    async def propose(self, *, mentor_id: int, mentee_id: int, origin: str) -> int:
        """Create a pending pairing and return its id."""
        result = await self._db.execute(insert(PAIRING).values(
            mentor_id=mentor_id, mentee_id=mentee_id, status="pending", origin=origin,
            created_at=now()).returning(PAIRING.c.id))
        return int(result.scalar_one())

    async def decide(self, pairing_id: int, *, status: str) -> bool:
        """Move a pending pairing to active or declined; False if it was no longer pending or
        the resident has an active mentor already (a unique index guards that)."""
        try:
            async with self._db.begin_nested():
                result = await self._db.execute(update(PAIRING).where(
                    (PAIRING.c.id == pairing_id) & (PAIRING.c.status == "pending")
                ).values(status=status, decided_at=now()))
        except IntegrityError:
            return False
        return bool(result.rowcount)

    async def end(self, pairing_id: int) -> bool:
        """End an active pairing at once (the mentor loses access); False if not active."""
        result = await self._db.execute(update(PAIRING).where(
            (PAIRING.c.id == pairing_id) & (PAIRING.c.status == "active")
            & or_(PAIRING.c.mentor_id == self.me, PAIRING.c.mentee_id == self.me)
        ).values(status="ended", ended_at=now()))
        return bool(result.rowcount)

    async def available_mentors(self, capacity: int) -> list[MentorRecord]:
        """Mentors allowed to coach, with room for one more, other than the learner."""
        # A consent screen left unanswered must not hide a mentor: only requests count.
        taken = (select(func.count()).select_from(PAIRING).where(
            (PAIRING.c.mentor_id == MENTOR.c.learner_id)
            & ((PAIRING.c.status == "active")
               | ((PAIRING.c.status == "pending") & (PAIRING.c.origin == "request"))))
            .scalar_subquery())
        rows = await self._db.execute(
            with_name().where(MENTOR.c.status.in_(CAN_MENTOR)
                                 & (MENTOR.c.learner_id != self.me) & (taken < capacity))
            .order_by(MENTOR.c.learner_id))
        return [mentor_record(row) for row in rows]

    async def mentees(self) -> list[MenteeProgress]:
        """The turn's learner's active mentees and what they have learned."""
        rows = (await self._db.execute(
            select(PAIRING.c.id.label("pairing_id"), LEARNER)
            .join(LEARNER, LEARNER.c.id == PAIRING.c.mentee_id)
            .where((PAIRING.c.mentor_id == self.me) & (PAIRING.c.status == "active"))
            .order_by(PAIRING.c.id))).all()
        found = []
        for row in rows:
            results = await self._db.execute(
                select(RESULT.c.course_id, RESULT.c.lesson_id, RESULT.c.best_correct,
                       RESULT.c.total).where(RESULT.c.learner_id == row.id))
            missed = await self._db.execute(
                select(ANSWER.c.course_id, ANSWER.c.lesson_id, ANSWER.c.question_id).distinct()
                .where((ANSWER.c.learner_id == row.id) & ANSWER.c.correct.is_(False)))
            found.append(MenteeProgress(
                row.pairing_id, row.display_name, row.mode, row.course_id, row.lesson_id,
                row.step_id, row.question_id, row.last_active_at,
                tuple((r[0], r[1], r[2], r[3]) for r in results),
                tuple((m[0], m[1], m[2]) for m in missed), address_form(row.settings)))
        return found

    async def add_check_in(self, pairing_id: int, *, kind: str, met_on: date,
                           note: str) -> None:
        """Keep a coaching session's note."""
        await self._db.execute(insert(CHECK_IN).values(
            pairing_id=pairing_id, kind=kind, met_on=met_on, note=note[:500], created_at=now()))

    async def check_ins(self, pairing_id: int) -> int:
        """How many sessions were logged for a pairing."""
        query = select(func.count()).select_from(CHECK_IN).where(
            CHECK_IN.c.pairing_id == pairing_id)
        return int((await self._db.execute(query)).scalar_one())

    async def alert_once(self, key: str, pairing_id: int) -> bool:
        """Claim an alert by its key; False when it was raised before."""
        return await claim_alert(self._db, key, pairing_id)

    async def alerted_since(self, prefix: str, pairing_id: int, since: datetime) -> bool:
        """Whether an alert whose key starts with `prefix` was raised after `since`."""
        return await self.alerts_since(prefix, pairing_id, since) > 0

    async def alerts_since(self, prefix: str, pairing_id: int, since: datetime) -> int:
        """How many alerts whose keys start with `prefix` were raised after `since`."""
        query = select(func.count()).select_from(ALERT).where(
            ALERT.c.pairing_id == pairing_id, ALERT.c.key.startswith(prefix, autoescape=True),
            ALERT.c.created_at > since)
        return int((await self._db.execute(query)).scalar_one())


async def claim_alert(connection: Connection, key: str, pairing_id: int) -> bool:
    """Insert an alert's key in a savepoint; False when it exists (raised already)."""
    try:
        async with connection.begin_nested():
            await connection.execute(insert(ALERT).values(key=key[:128], pairing_id=pairing_id,
                                                          created_at=now()))
    except IntegrityError:
        return False
    return True


async def inactive_pairings(engine: AsyncEngine,
                            cutoff: datetime) -> list[tuple[int, int, int, str, str, datetime]]:
    """(pairing, mentor, mentee, mentee's name, how they chose to be called, last activity)
    of active pairings idle since `cutoff`."""
    async with engine.connect() as connection:
        rows = await connection.execute(
            select(PAIRING.c.id, PAIRING.c.mentor_id, PAIRING.c.mentee_id, LEARNER.c.display_name,
                   LEARNER.c.settings, LEARNER.c.last_active_at)
            .join(LEARNER, LEARNER.c.id == PAIRING.c.mentee_id)
            .where((PAIRING.c.status == "active") & (LEARNER.c.last_active_at < cutoff)))
        return [(row[0], row[1], row[2], row[3], address_form(row[4]), row[5]) for row in rows]


def address_form(settings: str | None) -> str:
    """The form a learner chose to be called by ("bac"), from their settings ("" if none)."""
    try:
        found = json.loads(settings or "{}").get("address", "")
    except (ValueError, AttributeError):
        return ""
    return found if isinstance(found, str) else ""
