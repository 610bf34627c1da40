"""The outbox: messages kept in the database until they are delivered.

A turn queues messages for other people in its own transaction, so an alert exists exactly
when the change that caused it was committed. Messenger channels take them in a worker; the
web chat and the terminal hand them over at the learner's next request.

A messenger turn's own replies are kept the same way, owned by the serving process that
sends them at once; it deletes them once sent. Only a crash in between leaves them, and the
worker of any process sends them once the owner's heartbeat has stopped (storage/processes).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Table, delete, exists, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage.models import OutboxMessage
from storage.processes import PROCESS
from storage.repository import LEARNER, now

OUTBOX: Table = OutboxMessage.__table__  # type: ignore[attr-defined]
KEEP = insert(OUTBOX).returning(OUTBOX.c.id)


async def queue(connection: AsyncConnection, learner_id: int, body: str, *,
                about: int | None, owner: str | None = None) -> int:
    """Keep a message (JSON text) for `learner_id` about learner `about`, in the caller's
    transaction; with an `owner`, workers leave it to that process while it is alive.
    Return its id."""
    created = now()
    return int((await connection.execute(KEEP, {
        "learner_id": learner_id, "about_id": about, "body": body, "created_at": created,
        "next_try_at": created, "attempts": 0, "sent_at": None, "owner": owner})).scalar_one())


async def hand_over(connection: AsyncConnection, learner_id: int) -> list[str]:
    """Return (as JSON texts) and mark sent every message waiting for a learner who has no
    push (web chat, terminal), in the caller's transaction."""
    rows = (await connection.execute(
        select(OUTBOX.c.id, OUTBOX.c.body)
        .where((OUTBOX.c.learner_id == learner_id) & OUTBOX.c.sent_at.is_(None))
        .order_by(OUTBOX.c.id).with_for_update())).all()
    if rows:
        await connection.execute(update(OUTBOX).where(
            OUTBOX.c.id.in_([row.id for row in rows])).values(sent_at=now()))
    return [row.body for row in rows]


async def forget(connection: AsyncConnection, ids: list[int]) -> None:
    """Delete the kept copies of replies that were sent."""
    await connection.execute(delete(OUTBOX).where(OUTBOX.c.id.in_(ids)))


@dataclass(frozen=True)
class Pending:
    """An outbox message taken for delivery, with where its recipient is."""

    id: int
    learner_id: int
    channel: str
    user_ref: str
    body: str  # the message as JSON text
    attempts: int


class Outbox:
    """Takes pending messages for delivery and records the outcome."""

    def __init__(self, engine: AsyncEngine, *,
                 owner_gone_after: timedelta = timedelta(seconds=20)) -> None:
        self.engine = engine
        # A process that has not beaten for this long died: its owed replies are taken.
        self.owner_gone_after = owner_gone_after

    async def take(self, channels: set[str], *, limit: int = 10,
                   lease: timedelta = timedelta(minutes=5)) -> list[Pending]:
        """Take due messages for these channels, leasing them so no other worker sends them."""
        owner_alive = exists().where((PROCESS.c.id == OUTBOX.c.owner)
                                     & (PROCESS.c.alive_at > now() - self.owner_gone_after))
        async with self.engine.begin() as connection:
            rows = (await connection.execute(
                select(OUTBOX, LEARNER.c.channel, LEARNER.c.user_ref)
                .join(LEARNER, LEARNER.c.id == OUTBOX.c.learner_id)
                .where(OUTBOX.c.sent_at.is_(None) & (OUTBOX.c.next_try_at <= now())
                       & LEARNER.c.channel.in_(sorted(channels))
                       & (OUTBOX.c.owner.is_(None) | ~owner_alive))
                .order_by(OUTBOX.c.id).limit(limit)
                .with_for_update(skip_locked=True, of=OUTBOX))).all()
            if rows:
                await connection.execute(update(OUTBOX).where(
                    OUTBOX.c.id.in_([row.id for row in rows])
                ).values(next_try_at=now() + lease, attempts=OUTBOX.c.attempts + 1))
        return [Pending(row.id, row.learner_id, row.channel, row.user_ref, row.body,
                        row.attempts + 1) for row in rows]

    async def delivered(self, item: Pending, *, offer: Sequence[str] = (),
                        while_mode: str = "") -> None:
        """Mark a message sent; `offer` becomes the buttons a typed digit picks for its
        recipient while their mode is `while_mode` (the caller's rule)."""
        async with self.engine.begin() as connection:
            await connection.execute(update(OUTBOX).where(OUTBOX.c.id == item.id)
                                     .values(sent_at=now()))
            if offer:
                await connection.execute(update(LEARNER).where(
                    (LEARNER.c.id == item.learner_id) & (LEARNER.c.mode == while_mode)
                ).values(shown_buttons="\n".join(offer)))

    async def retry_later(self, item: Pending, delay: timedelta) -> None:
        """Try a message again after `delay`."""
        async with self.engine.begin() as connection:
            await connection.execute(update(OUTBOX).where(OUTBOX.c.id == item.id)
                                     .values(next_try_at=now() + delay))
