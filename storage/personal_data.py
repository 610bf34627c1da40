"""A learner's own data: everything kept about them, to hand over, and erasing all of it."""

import json
from collections.abc import Collection
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, or_, select, tuple_
from sqlalchemy.sql.elements import ColumnElement

from storage.certificates import CERTIFICATE
from storage.identities import accounts
from storage.linking import LINK_CODE
from storage.mentoring import ALERT, CHECK_IN
from storage.mentors import ATTEMPT, INVITATION, MENTOR, PAIRING
from storage.outbox import OUTBOX
from storage.reminders import REMINDER
from storage.repository import (
    ANSWER,
    COMPLETION,
    FAILED,
    IDENTITY,
    LEARNER,
    PROCESSED,
    RESULT,
)
from storage.transactions import Connection

# Learner columns that are the bot's own bookkeeping, not something about the person.
_BOOKKEEPING = {"id", "seq", "shown_buttons", "shown_labels", "state", "state_data",
                "content_version", "quiz_attempt"}


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime | date) else value


def _rows(result: Any, *, leave_out: Collection[str] = ("learner_id",)) -> list[dict[str, Any]]:
    return [{key: _plain(value) for key, value in row._mapping.items() if key not in leave_out}
            for row in result]


def _of_apps(table: Any, apps: list[tuple[str, str]]) -> ColumnElement[bool]:
    """Rows of `table` (failed sends, processed marks) of any of a person's app accounts."""
    return tuple_(table.c.channel, table.c.user_ref).in_(apps) if apps else (
        table.c.channel != table.c.channel)


async def _apps(connection: Connection, learner_id: int) -> list[tuple[str, str]]:
    """Every (channel, user_ref) of a person: their joined apps, and the one used last."""
    me = (await connection.execute(select(LEARNER.c.channel, LEARNER.c.user_ref).where(
        LEARNER.c.id == learner_id))).one()
    joined = await connection.execute(select(IDENTITY.c.channel, IDENTITY.c.user_ref).where(
        IDENTITY.c.learner_id == learner_id))
    return sorted({(me.channel, me.user_ref), *((row.channel, row.user_ref) for row in joined)})


def _text_of(body: str) -> str:
    """The words of an outbox message (its JSON also holds buttons and pictures)."""
    try:
        return str(json.loads(body).get("text", ""))
    except (ValueError, AttributeError):
        return body


async def _messages(connection: Connection, learner_id: int) -> dict[str, list[dict[str, Any]]]:
    """The messages kept for the learner, and those about them kept for others (a mentor's
    "X đã đồng ý..."), with whom they went to."""
    recipient = LEARNER.alias("recipient")
    rows = await connection.execute(
        select(OUTBOX.c.learner_id, OUTBOX.c.body, OUTBOX.c.created_at, OUTBOX.c.sent_at,
               recipient.c.display_name)
        .join(recipient, recipient.c.id == OUTBOX.c.learner_id)
        .where(or_(OUTBOX.c.learner_id == learner_id, OUTBOX.c.about_id == learner_id))
        .order_by(OUTBOX.c.id))
    found: dict[str, list[dict[str, Any]]] = {"messages_to_you": [], "messages_about_you": []}
    for row in rows:
        message = {"text": _text_of(row.body), "created_at": _plain(row.created_at),
                   "sent_at": _plain(row.sent_at)}
        if row.learner_id == learner_id:
            found["messages_to_you"].append(message)
        else:
            found["messages_about_you"].append({"to": row.display_name, **message})
    return found


async def collect(connection: Connection, learner_id: int) -> dict[str, Any]:
    """Everything stored about one learner, as plain JSON-ready values."""
    me = (await connection.execute(select(LEARNER).where(LEARNER.c.id == learner_id))).one()
    apps = await _apps(connection, learner_id)
    mentor_of = LEARNER.alias("other")
    pairings = await connection.execute(
        select(PAIRING.c.id, PAIRING.c.status, PAIRING.c.origin, PAIRING.c.created_at,
               PAIRING.c.ended_at, PAIRING.c.mentor_id, mentor_of.c.display_name.label("other"))
        .join(mentor_of, mentor_of.c.id == (
            # The other side of the pairing: the mentor for a resident, the resident for a mentor.
            PAIRING.c.mentor_id + PAIRING.c.mentee_id - learner_id))
        .where(or_(PAIRING.c.mentor_id == learner_id, PAIRING.c.mentee_id == learner_id))
        .order_by(PAIRING.c.id))
    pairing_rows = [{"id": row.id, "role": "mentor" if row.mentor_id == learner_id else "resident",
                     "with": row.other, "status": row.status, "origin": row.origin,
                     "created_at": _plain(row.created_at), "ended_at": _plain(row.ended_at)}
                    for row in pairings]
    ids = [row["id"] for row in pairing_rows]
    check_ins = await connection.execute(
        select(CHECK_IN).where(CHECK_IN.c.pairing_id.in_(ids)).order_by(CHECK_IN.c.id))
    alerts = await connection.execute(
        select(ALERT).where(ALERT.c.pairing_id.in_(ids)).order_by(ALERT.c.created_at))
    return {
        "learner": {key: _plain(value) for key, value in me._mapping.items()
                    if key not in _BOOKKEEPING},
        "lesson_results": _rows(await connection.execute(
            select(RESULT).where(RESULT.c.learner_id == learner_id)
            .order_by(RESULT.c.course_id, RESULT.c.lesson_id))),
        "courses_finished": _rows(await connection.execute(
            select(COMPLETION).where(COMPLETION.c.learner_id == learner_id))),
        "certificates": _rows(await connection.execute(
            select(CERTIFICATE).where(CERTIFICATE.c.learner_id == learner_id)
            .order_by(CERTIFICATE.c.issued_on))),
        "reminder": _rows(await connection.execute(
            select(REMINDER).where(REMINDER.c.learner_id == learner_id))),
        "quiz_answers": _rows(await connection.execute(
            select(ANSWER).where(ANSWER.c.learner_id == learner_id).order_by(ANSWER.c.id)),
            leave_out={"id", "learner_id"}),
        "mentor_profile": _rows(await connection.execute(
            select(MENTOR).where(MENTOR.c.learner_id == learner_id))),
        "invitation_codes": _rows(await connection.execute(
            select(INVITATION).where(INVITATION.c.mentor_id == learner_id)),
            leave_out={"mentor_id"}),
        "pairings": pairing_rows,
        "check_ins": _rows(check_ins, leave_out={"id"}),
        "wrong_codes_typed": len((await connection.execute(
            select(ATTEMPT.c.id).where(ATTEMPT.c.learner_id == learner_id))).all()),
        **await _messages(connection, learner_id),
        "alerts_to_mentor": _rows(alerts, leave_out=()),
        "undelivered_messages": _rows(await connection.execute(
            select(FAILED.c.text, FAILED.c.error, FAILED.c.failed_at).where(
                _of_apps(FAILED, apps)).order_by(FAILED.c.id)), leave_out=()),
        # Marks of messages already handled, kept a few days against platforms' redeliveries.
        "messages_received_recently": int(await connection.scalar(
            select(func.count()).select_from(PROCESSED).where(_of_apps(PROCESSED, apps)))),
        # Every app joined to this person (/lien_ket), the one used last first among equals.
        "apps": [{"channel": app.channel, "user_ref": app.user_ref,
                  "linked_at": _plain(app.linked_at), "last_used_at": _plain(app.last_used_at),
                  "used_last": app.last} for app in await accounts(connection, learner_id)],
    }


async def partners(connection: Connection, learner_id: int) -> list[int]:
    """The other side of every active pairing of a learner (to tell them it ended)."""
    rows = await connection.execute(
        select(PAIRING.c.mentor_id, PAIRING.c.mentee_id).where(
            (PAIRING.c.status == "active")
            & or_(PAIRING.c.mentor_id == learner_id, PAIRING.c.mentee_id == learner_id)))
    return [row.mentor_id if row.mentee_id == learner_id else row.mentee_id for row in rows]


async def erase(connection: Connection, learner_id: int) -> None:
    """Delete every row about a learner, in the caller's transaction.

    Everything goes on every app they joined: their identities, so each app's next message
    starts a new person, and those apps' failed sends and marks.
    Pairings go with their check-ins and alerts, so the other side's views lose them at once;
    the daily report tables hold only counts per place and are left as they are. The marks
    of their updates go too, this turn's included: a platform that delivers this very
    message again finds a stranger, who is greeted and asked as anyone new.
    """
    apps = await _apps(connection, learner_id)  # on every app they joined (/lien_ket)
    their_pairings = select(PAIRING.c.id).where(
        or_(PAIRING.c.mentor_id == learner_id, PAIRING.c.mentee_id == learner_id))
    for statement in (
        delete(CHECK_IN).where(CHECK_IN.c.pairing_id.in_(their_pairings)),
        delete(ALERT).where(ALERT.c.pairing_id.in_(their_pairings)),
        delete(PAIRING).where(
            or_(PAIRING.c.mentor_id == learner_id, PAIRING.c.mentee_id == learner_id)),
        delete(INVITATION).where(INVITATION.c.mentor_id == learner_id),
        delete(MENTOR).where(MENTOR.c.learner_id == learner_id),
        delete(ATTEMPT).where(ATTEMPT.c.learner_id == learner_id),
        delete(ANSWER).where(ANSWER.c.learner_id == learner_id),
        delete(RESULT).where(RESULT.c.learner_id == learner_id),
        delete(COMPLETION).where(COMPLETION.c.learner_id == learner_id),
        # Their certificates too: the verify page then says no such certificate exists.
        delete(CERTIFICATE).where(CERTIFICATE.c.learner_id == learner_id),
        delete(REMINDER).where(REMINDER.c.learner_id == learner_id),
        delete(OUTBOX).where(or_(OUTBOX.c.learner_id == learner_id,
                                 OUTBOX.c.about_id == learner_id)),
        delete(FAILED).where(_of_apps(FAILED, apps)),
        delete(PROCESSED).where(_of_apps(PROCESSED, apps)),
        delete(LINK_CODE).where(LINK_CODE.c.learner_id == learner_id),
        delete(IDENTITY).where(IDENTITY.c.learner_id == learner_id),
        delete(LEARNER).where(LEARNER.c.id == learner_id),
    ):
        await connection.execute(statement)
