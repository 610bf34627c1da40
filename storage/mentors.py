"""Mentors and their invitation codes, inside a learner's turn (and an organizer's approval,
list and suspension)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    FromClause,
    Select,
    Table,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.models import CodeAttempt, Invitation, Mentor, Pairing
from storage.outbox import OUTBOX
from storage.repository import IDENTITY, LEARNER, now
from storage.transactions import Connection

MENTOR: Table = Mentor.__table__  # type: ignore[attr-defined]
INVITATION: Table = Invitation.__table__  # type: ignore[attr-defined]
ATTEMPT: Table = CodeAttempt.__table__  # type: ignore[attr-defined]
PAIRING: Table = Pairing.__table__  # type: ignore[attr-defined]

CAN_MENTOR = ("trained", "approved")
SUSPENDED = "suspended"  # by an organizer (`hocso mentor suspend`): no mentees, no codes


@dataclass(frozen=True)
class MentorRecord:
    """A volunteer's mentor profile."""

    learner_id: int
    name: str  # what residents see: `shown_name`
    ward: str
    unit: str
    status: str

    @property
    def can_mentor(self) -> bool:
        return self.status in CAN_MENTOR

    @property
    def suspended(self) -> bool:
        return self.status == SUSPENDED


def shown_name(mentor_learner: FromClause = LEARNER) -> ColumnElement[str]:
    """A mentor's name as residents see it: the full name they gave signing up, else (approved
    before giving one) the name they are called by now, which a copy would leave behind."""
    return func.coalesce(func.nullif(MENTOR.c.full_name, ""), mentor_learner.c.display_name)


def with_name() -> Select[Any]:
    """Mentor rows with their `shown_name`, as `mentor_record` reads them."""
    return select(MENTOR, shown_name().label("name")).join(
        LEARNER, LEARNER.c.id == MENTOR.c.learner_id)


def mentor_record(row: Any) -> MentorRecord:
    return MentorRecord(row.learner_id, row.name, row.ward, row.unit, row.status)


class MentorQueries:
    """A volunteer's profile and codes, on the turn's connection (same transaction)."""

    def __init__(self, connection: Connection, learner_id: int) -> None:
        self._db = connection
        self.me = learner_id

    # --------------------------------------------------------------- mentors

    async def mentor(self, learner_id: int | None = None) -> MentorRecord | None:
        """Return a mentor profile (the turn's learner's by default)."""
        who = self.me if learner_id is None else learner_id
        row = (await self._db.execute(with_name().where(MENTOR.c.learner_id == who))).first()
        return mentor_record(row) if row is not None else None

    async def save_mentor(self, **values: str) -> None:
        """Create or update the learner's mentor profile with the given fields."""
        if await self.mentor() is None:
            fields = {"full_name": "", "ward": "", "unit": "", "status": "registering",
                      "approved_by": "", **values}
            await self._db.execute(insert(MENTOR).values(learner_id=self.me, created_at=now(),
                                                         **fields))
        else:
            await self._db.execute(update(MENTOR).where(MENTOR.c.learner_id == self.me)
                                   .values(**values))

    async def mark_trained(self) -> None:
        """The learner passed the mentor course: they may now take mentees."""
        await self._db.execute(update(MENTOR).where(
            (MENTOR.c.learner_id == self.me) & (MENTOR.c.status != "approved")
        ).values(status="trained", trained_at=now()))

    # ----------------------------------------------------------- invitations

    async def add_invitation(self, code: str, expires_at: datetime) -> bool:
        """Store a new code of the learner's; False if that code already exists."""
        try:
            async with self._db.begin_nested():
                await self._db.execute(insert(INVITATION).values(
                    code=code, mentor_id=self.me, created_at=now(), expires_at=expires_at))
        except IntegrityError:
            return False
        return True

    async def current_invitation(self) -> tuple[str, datetime] | None:
        """The learner's newest code that is neither revoked nor expired."""
        row = (await self._db.execute(
            select(INVITATION.c.code, INVITATION.c.expires_at)
            .where((INVITATION.c.mentor_id == self.me) & INVITATION.c.revoked_at.is_(None)
                   & (INVITATION.c.expires_at > now()))
            .order_by(INVITATION.c.created_at.desc()).limit(1))).first()
        return (row.code, row.expires_at) if row is not None else None

    async def revoke_invitations(self) -> None:
        """Make every code of the learner's unusable, and the consent screens they opened."""
        await self._db.execute(update(INVITATION).where(
            (INVITATION.c.mentor_id == self.me) & INVITATION.c.revoked_at.is_(None)
        ).values(revoked_at=now()))
        await self._db.execute(update(PAIRING).where(
            (PAIRING.c.mentor_id == self.me) & (PAIRING.c.status == "pending")
            & (PAIRING.c.origin == "code")).values(status="declined", decided_at=now()))

    async def invitation_mentor(self, code: str) -> MentorRecord | None:
        """The mentor whose valid code this is, or None (unknown, expired or revoked)."""
        row = (await self._db.execute(
            with_name().join(INVITATION, INVITATION.c.mentor_id == MENTOR.c.learner_id)
            .where(_live(code) & MENTOR.c.status.in_(CAN_MENTOR)))).first()
        return mentor_record(row) if row is not None else None

    async def wrong_codes_since(self, since: datetime, kind: str = "invite") -> int:
        """How many wrong codes of `kind` ("invite" or "link") the learner typed since
        `since`."""
        query = select(func.count()).select_from(ATTEMPT).where(
            (ATTEMPT.c.learner_id == self.me) & (ATTEMPT.c.attempted_at > since)
            & (ATTEMPT.c.kind == kind))
        return int((await self._db.execute(query)).scalar_one())

    async def wrong_codes_everywhere_since(self, since: datetime, kind: str = "invite") -> int:
        """How many wrong codes of `kind` everyone together typed since `since`."""
        query = select(func.count()).select_from(ATTEMPT).where(
            (ATTEMPT.c.attempted_at > since) & (ATTEMPT.c.kind == kind))
        return int((await self._db.execute(query)).scalar_one())

    async def record_wrong_code(self, kind: str = "invite") -> None:
        """Count one wrong code of `kind` against the learner."""
        await self._db.execute(insert(ATTEMPT).values(learner_id=self.me, attempted_at=now(),
                                                      kind=kind))


def _live(code: str) -> ColumnElement[bool]:
    return ((INVITATION.c.code == code) & INVITATION.c.revoked_at.is_(None)
            & (INVITATION.c.expires_at > now()))


async def invitation_is_live(engine: AsyncEngine, code: str) -> bool:
    """Whether `code` is an invitation that can still be used (not expired, not revoked)."""
    async with engine.connect() as connection:
        return await connection.scalar(select(INVITATION.c.code).where(_live(code))) is not None


async def approve_mentor(engine: AsyncEngine, *, channel: str, user_ref: str,
                         by: str) -> MentorRecord | None:
    """An organizer lets a learner mentor without the course: their profile now (its ward may
    be empty: they are asked for it in the chat), or None for an unknown learner."""
    async with engine.begin() as connection:
        learner = (await connection.execute(  # by any app the person joined (/lien_ket)
            select(LEARNER.c.id)
            .join(IDENTITY, IDENTITY.c.learner_id == LEARNER.c.id)
            .where((IDENTITY.c.channel == channel) & (IDENTITY.c.user_ref == user_ref)))).first()
        if learner is None:
            return None
        queries = MentorQueries(connection, learner.id)
        if await queries.mentor() is None:  # no full name: residents see the one called by
            await queries.save_mentor()
        await connection.execute(update(MENTOR).where(MENTOR.c.learner_id == learner.id)
                                 .values(status="approved", approved_by=by[:64]))
        return await queries.mentor()


@dataclass(frozen=True)
class MentorSummary:
    """What an organizer lists of a mentor: no way to reach them."""

    learner_id: int
    name: str
    ward: str
    unit: str
    status: str
    mentees: int  # active pairings


async def list_mentors(engine: AsyncEngine) -> list[MentorSummary]:
    """Every mentor profile, with how many residents each coaches now."""
    mentees = select(func.count()).select_from(PAIRING).where(
        (PAIRING.c.mentor_id == MENTOR.c.learner_id) & (PAIRING.c.status == "active")
    ).scalar_subquery()
    async with engine.connect() as connection:
        rows = await connection.execute(with_name().add_columns(mentees.label("mentees"))
                                        .order_by(MENTOR.c.learner_id))
        return [MentorSummary(row.learner_id, row.name, row.ward, row.unit, row.status,
                              row.mentees) for row in rows]


@dataclass(frozen=True)
class Suspension:
    """A mentor just suspended: their name, and the residents whose pairing or request ended."""

    name: str
    mentees: tuple[int, ...]  # coached until now
    requests: tuple[int, ...]  # had asked them, not yet answered


async def suspend_mentor(connection: Connection, learner_id: int) -> Suspension | None:
    """Stop a mentor from coaching: their codes revoked, their pairings ended, the requests
    and invitations waiting on them declined, and what residents' turns left for them and
    they have not received yet (a message a resident checked, a question, an alert) taken
    back. None for no such mentor."""
    found = (await connection.execute(with_name().where(MENTOR.c.learner_id == learner_id))
             ).first()
    if found is None:
        return None
    at = now()
    await connection.execute(update(MENTOR).where(MENTOR.c.learner_id == learner_id)
                             .values(status=SUSPENDED))
    await connection.execute(update(INVITATION).where(
        (INVITATION.c.mentor_id == learner_id) & INVITATION.c.revoked_at.is_(None)
    ).values(revoked_at=at))
    mine = PAIRING.c.mentor_id == learner_id
    waiting = (await connection.execute(select(PAIRING.c.mentee_id, PAIRING.c.status,
                                               PAIRING.c.origin).where(
        mine & PAIRING.c.status.in_(("active", "pending"))))).all()
    await connection.execute(update(PAIRING).where(mine & (PAIRING.c.status == "active"))
                             .values(status="ended", ended_at=at))
    await connection.execute(update(PAIRING).where(mine & (PAIRING.c.status == "pending"))
                             .values(status="declined", decided_at=at))
    # Undelivered messages about anyone else (about no one: someone erased since): a web
    # mentor would collect them on their next visit, a messenger's worker send them. Replies
    # to their own turns stay.
    await connection.execute(delete(OUTBOX).where(
        (OUTBOX.c.learner_id == learner_id) & OUTBOX.c.sent_at.is_(None)
        & (OUTBOX.c.about_id.is_(None) | (OUTBOX.c.about_id != learner_id))))
    return Suspension(
        found.name, tuple(row.mentee_id for row in waiting if row.status == "active"),
        tuple(row.mentee_id for row in waiting
              if row.status == "pending" and row.origin == "request"))
