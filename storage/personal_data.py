"""A learner's own data: everything kept about them, to hand over, and erasing all of it."""

import json
from collections.abc import Collection
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, or_, select

from storage.certificates import CERTIFICATE
from storage.mentoring import ALERT, CHECK_IN
from storage.mentors import ATTEMPT, INVITATION, MENTOR, PAIRING
from storage.outbox import OUTBOX
from storage.reminders import REMINDER
from storage.repository import ANSWER, COMPLETION, FAILED, LEARNER, PROCESSED, RESULT
from storage.transactions import Connection

# Learner columns that are the bot's own bookkeeping, not something about the person.
_BOOKKEEPING = {"id", "seq", "shown_buttons", "state", "state_data", "content_version"}


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime | date) else value


def _rows(result: Any, *, leave_out: Collection[str] = ("learner_id",)) -> list[dict[str, Any]]:
    return [{key: _plain(value) for key, value in row._mapping.items() if key not in leave_out}
            for row in result]


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
                (FAILED.c.channel == me.channel) & (FAILED.c.user_ref == me.user_ref))
            .order_by(FAILED.c.id)), leave_out=()),
        # Marks of messages already handled, kept a few days against platforms' redeliveries.
        "messages_received_recently": int(await connection.scalar(
            select(func.count()).select_from(PROCESSED).where(
                (PROCESSED.c.channel == me.channel) & (PROCESSED.c.user_ref == me.user_ref)))),
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

    Pairings go with their check-ins and alerts, so the other side's views lose them at once;
    the daily report tables hold only counts per place and are left as they are. The marks
    of their updates go too, this turn's included: a platform that delivers this very
    message again finds a stranger, who is greeted and asked as anyone new.
    """
    me = (await connection.execute(
        select(LEARNER.c.channel, LEARNER.c.user_ref).where(LEARNER.c.id == learner_id))).one()
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
        delete(FAILED).where((FAILED.c.channel == me.channel)
                             & (FAILED.c.user_ref == me.user_ref)),
        delete(PROCESSED).where((PROCESSED.c.channel == me.channel)
                                & (PROCESSED.c.user_ref == me.user_ref)),
        delete(LEARNER).where(LEARNER.c.id == learner_id),
    ):
        await connection.execute(statement)
