"""Joining two learners into one person, in the caller's transaction (storage/linking.py's
codes say who). Everything of one learner (`absorbed`, the one who showed the code) moves
onto the other (`kept`, whose turn typed it, row already locked): the best of each lesson,
every answer, certificates, mentoring, identities; what the two disagree on is chosen by the
person (`Choices`), and the absorbed row is deleted.
"""

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Row

from storage.certificates import CERTIFICATE
from storage.linking import LINK_CODE
from storage.mentors import ATTEMPT, INVITATION, MENTOR, PAIRING, shown_name
from storage.outbox import OUTBOX
from storage.reminders import ON, REMINDER
from storage.repository import (
    ANSWER,
    COMPLETION,
    IDENTITY,
    LEARNER,
    PLACE_COLUMNS,
    RESULT,
    area_columns,
    now,
)
from storage.transactions import Connection

# Every column that holds a learner's id, and how `join` treats it. A feature that adds a
# table of its own about learners (reminders) adds its rule to `join` and its column here;
# tests/test_linking.py fails until it does.
JOINED = {("lesson_result", "learner_id"): "best of each lesson",
          ("course_completion", "learner_id"): "first completion",
          ("certificate", "learner_id"): "first issued",
          ("mentor", "learner_id"): "furthest along",
          ("pairing", "mentee_id"): "one active mentor",
          ("quiz_answer", "learner_id"): "moved", ("code_attempt", "learner_id"): "moved",
          ("invitation", "mentor_id"): "moved", ("pairing", "mentor_id"): "moved",
          ("outbox", "learner_id"): "moved", ("outbox", "about_id"): "moved",
          ("identity", "learner_id"): "moved", ("link_code", "learner_id"): "deleted",
          ("reminder", "learner_id"): "one schedule, the one that is on",
          ("learner", "id"): "merged, then deleted"}
# Mentor profiles, the furthest along kept when both people had one.
_MENTOR_ORDER = ("registering", "training", "trained", "approved")


@dataclass(frozen=True)
class Side:
    """What one of the two learners has where they may disagree."""

    learner_id: int
    mentor_id: int | None  # their active mentor
    mentor_name: str
    area: str  # the deepest area id, or ""
    ward: str
    address: str  # settings' form of address, or ""
    called: str  # settings' name to be called by, or ""


@dataclass(frozen=True)
class Choices:
    """Whose mentor, area and name the joined person keeps (a learner id; None: no question
    was asked, the rule decides)."""

    mentor: int | None = None
    area: int | None = None
    name: int | None = None


async def lock(connection: Connection, learner_id: int) -> Row[Any] | None:
    """The other learner's row, locked for the join (None if it is gone: erased, or already
    joined to someone)."""
    return (await connection.execute(select(LEARNER).where(LEARNER.c.id == learner_id)
                                     .with_for_update())).first()


async def side(connection: Connection, learner_id: int) -> Side:
    """What the person has on this side, for the questions."""
    me = (await connection.execute(select(LEARNER).where(LEARNER.c.id == learner_id))).one()
    mentor = LEARNER.alias("mentor_learner")
    found = (await connection.execute(
        select(PAIRING.c.mentor_id, shown_name(mentor).label("name"))
        .join(mentor, mentor.c.id == PAIRING.c.mentor_id)
        .outerjoin(MENTOR, MENTOR.c.learner_id == PAIRING.c.mentor_id)
        .where((PAIRING.c.mentee_id == learner_id) & (PAIRING.c.status == "active")))).first()
    settings = json.loads(me.settings or "{}")
    return Side(learner_id, found.mentor_id if found else None,
                (found.name or "") if found else "",
                me.area_village or me.area_commune or me.area_province, me.ward,
                str(settings.get("address") or ""), str(settings.get("called") or ""))


def disagreements(kept: Side, absorbed: Side) -> list[str]:
    """What the person must choose: "mentor", "area", "name" where both sides differ."""
    found = []
    if kept.mentor_id and absorbed.mentor_id and kept.mentor_id != absorbed.mentor_id:
        found.append("mentor")
    if kept.area and absorbed.area and kept.area != absorbed.area:
        found.append("area")
    if (kept.address or kept.called) and (absorbed.address or absorbed.called) and (
            (kept.address, kept.called) != (absorbed.address, absorbed.called)):
        found.append("name")
    return found


@dataclass(frozen=True)
class Joined:
    """What a join changed that others must hear of."""

    left_mentor: int | None  # a mentor whose pairing with the person ended


async def join(connection: Connection, *, kept: int, absorbed: int,
               choices: Choices = Choices()) -> Joined:
    """Make one person of two learners, in the caller's transaction; both rows locked."""
    mine = (await connection.execute(select(LEARNER).where(LEARNER.c.id == kept))).one()
    theirs = (await connection.execute(select(LEARNER).where(LEARNER.c.id == absorbed))).one()
    await _results(connection, kept, absorbed)
    await _completions(connection, kept, absorbed)
    await _certificates(connection, kept, absorbed)
    await _mentor_profile(connection, kept, absorbed)
    left = await _mentee_pairings(connection, kept, absorbed, choices.mentor)
    await _reminder(connection, kept, absorbed)
    for table, column in ((ANSWER, "learner_id"), (ATTEMPT, "learner_id"),
                          (INVITATION, "mentor_id"), (PAIRING, "mentor_id"),
                          (OUTBOX, "learner_id"), (OUTBOX, "about_id"),
                          (IDENTITY, "learner_id")):
        await connection.execute(update(table).where(table.c[column] == absorbed)
                                 .values({column: kept}))
    # Mentoring oneself, once two people turned out to be one: over.
    await connection.execute(update(PAIRING).where(
        (PAIRING.c.mentor_id == kept) & (PAIRING.c.mentee_id == kept)
        & PAIRING.c.status.in_(("active", "pending"))).values(status="ended", ended_at=now()))
    await connection.execute(delete(LINK_CODE).where(LINK_CODE.c.learner_id == absorbed))
    await connection.execute(update(LEARNER).where(LEARNER.c.id == kept).values(
        _merged(mine, theirs, choices)))
    await connection.execute(delete(LEARNER).where(LEARNER.c.id == absorbed))
    return Joined(left_mentor=left)


async def _results(connection: Connection, kept: int, absorbed: int) -> None:
    """Each lesson once: the best score, the latest, every attempt, the first as it was."""
    rows = {(row.course_id, row.lesson_id): row for row in await connection.execute(
        select(RESULT).where(RESULT.c.learner_id == kept))}
    for other in (await connection.execute(
            select(RESULT).where(RESULT.c.learner_id == absorbed))).all():
        this = (RESULT.c.course_id == other.course_id) & (RESULT.c.lesson_id == other.lesson_id)
        mine = rows.get((other.course_id, other.lesson_id))
        if mine is None:
            await connection.execute(update(RESULT).where(
                (RESULT.c.learner_id == absorbed) & this).values(learner_id=kept))
            continue
        latest = other if other.completed_at > mine.completed_at else mine
        first = other if (other.first_completed_at or other.completed_at) < (
            mine.first_completed_at or mine.completed_at) else mine
        await connection.execute(update(RESULT).where((RESULT.c.learner_id == kept) & this).values(
            best_correct=max(mine.best_correct, other.best_correct),
            last_correct=latest.last_correct, total=latest.total,
            attempts=mine.attempts + other.attempts, completed_at=latest.completed_at,
            failures=mine.failures + other.failures, first_correct=first.first_correct,
            first_completed_at=first.first_completed_at))
        await connection.execute(delete(RESULT).where((RESULT.c.learner_id == absorbed) & this))


async def _reminder(connection: Connection, kept: int, absorbed: int) -> None:
    """One reminder schedule: the one that is on (the kept account's when both or neither
    are), with both accounts' reminders sent and returns counted."""
    rows = {row.learner_id: row for row in await connection.execute(
        select(REMINDER).where(REMINDER.c.learner_id.in_((kept, absorbed))))}
    other, mine = rows.get(absorbed), rows.get(kept)
    if other is None:
        return
    if mine is None:
        await connection.execute(update(REMINDER).where(REMINDER.c.learner_id == absorbed)
                                 .values(learner_id=kept))
        return
    chosen = other if other.status == ON and mine.status != ON else mine
    values = {column.name: getattr(chosen, column.name) for column in REMINDER.columns
              if column.name != "learner_id"}
    values.update(sent=mine.sent + other.sent, returned=mine.returned + other.returned)
    await connection.execute(update(REMINDER).where(REMINDER.c.learner_id == kept).values(values))
    await connection.execute(delete(REMINDER).where(REMINDER.c.learner_id == absorbed))


async def _completions(connection: Connection, kept: int, absorbed: int) -> None:
    """Each finished course once, finished when it first was."""
    mine = {row.course_id: row.completed_at for row in await connection.execute(
        select(COMPLETION).where(COMPLETION.c.learner_id == kept))}
    for other in (await connection.execute(
            select(COMPLETION).where(COMPLETION.c.learner_id == absorbed))).all():
        if other.course_id in mine and mine[other.course_id] > other.completed_at:
            await connection.execute(update(COMPLETION).where(
                (COMPLETION.c.learner_id == kept) & (COMPLETION.c.course_id == other.course_id)
            ).values(completed_at=other.completed_at))
        if other.course_id not in mine:
            await connection.execute(update(COMPLETION).where(
                (COMPLETION.c.learner_id == absorbed)
                & (COMPLETION.c.course_id == other.course_id)).values(learner_id=kept))
    await connection.execute(delete(COMPLETION).where(COMPLETION.c.learner_id == absorbed))


async def _certificates(connection: Connection, kept: int, absorbed: int) -> None:
    """One certificate a course: the one issued first stays (its code may be printed); the
    other's verify page then says it no longer exists."""
    mine = {row.course_id: row for row in await connection.execute(
        select(CERTIFICATE).where(CERTIFICATE.c.learner_id == kept))}
    for other in (await connection.execute(
            select(CERTIFICATE).where(CERTIFICATE.c.learner_id == absorbed))).all():
        same = mine.get(other.course_id)
        if same is not None and same.issued_on <= other.issued_on:
            await connection.execute(delete(CERTIFICATE).where(
                CERTIFICATE.c.code == other.code))
            continue
        if same is not None:
            await connection.execute(delete(CERTIFICATE).where(CERTIFICATE.c.code == same.code))
        await connection.execute(update(CERTIFICATE).where(CERTIFICATE.c.code == other.code)
                                 .values(learner_id=kept))


async def _mentor_profile(connection: Connection, kept: int, absorbed: int) -> None:
    """One volunteer profile: the one furthest along."""
    rows = {row.learner_id: row for row in await connection.execute(
        select(MENTOR).where(MENTOR.c.learner_id.in_((kept, absorbed))))}
    if absorbed not in rows:
        return
    if kept in rows and _MENTOR_ORDER.index(rows[kept].status) >= _MENTOR_ORDER.index(
            rows[absorbed].status):
        await connection.execute(delete(MENTOR).where(MENTOR.c.learner_id == absorbed))
        return
    if kept in rows:
        await connection.execute(delete(MENTOR).where(MENTOR.c.learner_id == kept))
    await connection.execute(update(MENTOR).where(MENTOR.c.learner_id == absorbed)
                             .values(learner_id=kept))


async def _mentee_pairings(connection: Connection, kept: int, absorbed: int,
                           chosen: int | None) -> int | None:
    """One active mentor: the one chosen (else the kept side's); the other pairing ends.
    Return that other mentor, to be told, unless it was the same mentor twice."""
    active = {row.mentee_id: row for row in await connection.execute(
        select(PAIRING).where(PAIRING.c.mentee_id.in_((kept, absorbed))
                              & (PAIRING.c.status == "active")))}
    if kept in active and absorbed in active:
        loser = active[kept] if chosen == absorbed else active[absorbed]
        await connection.execute(update(PAIRING).where(PAIRING.c.id == loser.id)
                                 .values(status="ended", ended_at=now()))
        told = None if active[kept].mentor_id == active[absorbed].mentor_id else loser.mentor_id
    else:
        told = None
    await connection.execute(update(PAIRING).where(PAIRING.c.mentee_id == absorbed)
                             .values(mentee_id=kept))
    return told


def _earliest(*values: datetime | None) -> datetime | None:
    present = [value for value in values if value is not None]
    return min(present) if present else None


def _merged(mine: Row[Any], theirs: Row[Any], choices: Choices) -> dict[str, Any]:
    """The kept row's new values. The side used more (else the older one) leads for what
    nobody was asked: the language, the name, other settings, the place in a lesson."""
    lead, other = (theirs, mine) if _leads(theirs, mine) else (mine, theirs)
    settings = {**json.loads(other.settings or "{}"), **json.loads(lead.settings or "{}")}
    named = theirs if choices.name == theirs.id else mine if choices.name == mine.id else None
    if named is not None:
        chosen = json.loads(named.settings or "{}")
        for key in ("address", "called"):
            settings.pop(key, None)
            if key in chosen:
                settings[key] = chosen[key]
    placed = _placed(mine, theirs, choices.area)
    in_lesson = lead if lead.mode != "menu" else other if other.mode != "menu" else mine
    return {
        "display_name": lead.display_name or other.display_name,
        "locale": lead.locale if lead.locale != "vi" or other.locale == "vi" else other.locale,
        "settings": json.dumps(settings, ensure_ascii=False),
        "ward": placed.ward,
        **area_columns(placed.area_village or placed.area_commune or placed.area_province),
        "created_at": min(mine.created_at, theirs.created_at),
        "last_active_at": max(mine.last_active_at, theirs.last_active_at),
        "consented_at": _earliest(mine.consented_at, theirs.consented_at),
        "area_asked_at": _earliest(mine.area_asked_at, theirs.area_asked_at),
        **{name: in_lesson._mapping[name] for name in PLACE_COLUMNS},
        # A place of its own: no button either app showed before the join still applies.
        "seq": max(mine.seq, theirs.seq) + 1,
    }


def _leads(theirs: Row[Any], mine: Row[Any]) -> bool:
    """Whether the absorbed side leads: it has been used for more (its place is further on)
    or, equal, it is older. The kept side is often an app that has just said hello."""
    if (theirs.consented_at is None) != (mine.consented_at is None):
        return mine.consented_at is None
    return bool(theirs.seq > mine.seq or (theirs.seq == mine.seq
                                           and theirs.created_at < mine.created_at))


def _placed(mine: Row[Any], theirs: Row[Any], chosen: int | None) -> Row[Any]:
    """Whose area (and ward) the person keeps: the one chosen, else the one that has one."""
    def has(row: Row[Any]) -> bool:
        return bool(row.area_province or row.ward)

    if chosen == theirs.id or (chosen is None and has(theirs) and not has(mine)):
        return theirs
    return mine

