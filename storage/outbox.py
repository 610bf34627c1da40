"""The outbox: messages kept in the database until they are delivered.

A turn queues messages for other people in its own transaction, so an alert exists exactly
when the change that caused it was committed. Messenger channels take them in a worker; the
web chat and the terminal hand them over at the learner's next request.

A messenger turn's own replies are kept the same way, owned by the serving process that
sends them at once; it deletes them once sent. Only a crash in between leaves them, and the
worker of any process sends them once the owner's heartbeat has stopped (storage/processes).
"""

import asyncio
import base64
import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Table, bindparam, delete, exists, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.messages import Attachment, Button, Outgoing
from storage.models import OutboxMessage
from storage.prepared import Prepared
from storage.processes import PROCESS
from storage.repository import LEARNER, now

OUTBOX: Table = OutboxMessage.__table__  # type: ignore[attr-defined]
# Built once: a messenger turn keeps its replies with these (see storage/repository.py).
KEEP = Prepared(insert(OUTBOX).returning(OUTBOX.c.id))
FORGET = Prepared(delete(OUTBOX).where(OUTBOX.c.id == bindparam("kept_id")))


def encode(reply: Outgoing) -> str:
    """An Outgoing as JSON text."""
    data: dict[str, Any] = {
        "text": reply.text, "image": reply.image, "qr": reply.qr,
        "buttons": [[[b.label, b.payload] for b in row] for row in reply.buttons]}
    if reply.attachment is not None:
        file = reply.attachment
        data["file"] = [file.name, file.mime, base64.b64encode(file.data).decode()]
    return json.dumps(data, ensure_ascii=False)


def decode(body: str) -> Outgoing:
    """The Outgoing that `encode` wrote."""
    data: dict[str, Any] = json.loads(body)
    buttons = tuple(tuple(Button(label, payload) for label, payload in row)
                    for row in data["buttons"])
    file = data.get("file")
    attachment = Attachment(file[0], base64.b64decode(file[2]), file[1]) if file else None
    return Outgoing(text=data["text"], buttons=buttons, image=data["image"], qr=data["qr"],
                    attachment=attachment)


async def queue(connection: AsyncConnection, learner_id: int, reply: Outgoing, *,
                about: int | None, owner: str | None = None) -> int:
    """Keep a message for `learner_id` about learner `about`, in the caller's transaction;
    with an `owner`, workers leave it to that process while it is alive. Return its id."""
    created = now()
    (row,) = await KEEP.rows(connection, {
        "learner_id": learner_id, "about_id": about, "body": encode(reply),
        "created_at": created, "next_try_at": created, "attempts": 0, "sent_at": None,
        "owner": owner})
    return int(row["id"])


class SentReplies:
    """Deletes the kept copies of sent replies; the chats sending at the same moment share
    one transaction, which cost as much as a turn when each reply had its own."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._ids: list[int] = []
        self._batch: asyncio.Future[None] | None = None

    async def forget(self, ids: list[int]) -> None:
        """Delete these kept copies; return once that is committed (so a chat's next reply
        goes only then, and a crash can repeat at most the one reply in flight)."""
        self._ids += ids
        if self._batch is None:
            self._batch = asyncio.ensure_future(self._forget_batch())
        await asyncio.shield(self._batch)

    async def _forget_batch(self) -> None:
        # The batch waits for the connection like any turn; ids arriving meanwhile join it.
        async with self.engine.begin() as connection:
            ids, self._ids, self._batch = self._ids, [], None
            await FORGET.run(connection, [{"kept_id": kept} for kept in ids])


@dataclass(frozen=True)
class Pending:
    """An outbox message taken for delivery, with where its recipient is."""

    id: int
    learner_id: int
    channel: str
    user_ref: str
    reply: Outgoing
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
        return [Pending(row.id, row.learner_id, row.channel, row.user_ref, decode(row.body),
                        row.attempts + 1) for row in rows]

    async def delivered(self, item: Pending) -> None:
        """Mark a message sent; its buttons become the ones a typed digit picks, unless the
        recipient is in a lesson or quiz (there "3" must still answer the question)."""
        async with self.engine.begin() as connection:
            await connection.execute(update(OUTBOX).where(OUTBOX.c.id == item.id)
                                     .values(sent_at=now()))
            shown = [button.payload for button in item.reply.flat_buttons()]
            if shown:
                await connection.execute(update(LEARNER).where(
                    (LEARNER.c.id == item.learner_id) & (LEARNER.c.mode == "menu")
                ).values(shown_buttons="\n".join(shown)))

    async def retry_later(self, item: Pending, delay: timedelta) -> None:
        """Try a message again after `delay`."""
        async with self.engine.begin() as connection:
            await connection.execute(update(OUTBOX).where(OUTBOX.c.id == item.id)
                                     .values(next_try_at=now() + delay))

    async def hand_over(self, *, channel: str, user_ref: str) -> list[Outgoing]:
        """Return and mark sent every message waiting for one learner (web chat, terminal)."""
        async with self.engine.begin() as connection:
            rows = (await connection.execute(
                select(OUTBOX.c.id, OUTBOX.c.body)
                .join(LEARNER, LEARNER.c.id == OUTBOX.c.learner_id)
                .where((LEARNER.c.channel == channel) & (LEARNER.c.user_ref == user_ref)
                       & OUTBOX.c.sent_at.is_(None))
                .order_by(OUTBOX.c.id).with_for_update(of=OUTBOX))).all()
            if rows:
                await connection.execute(update(OUTBOX).where(
                    OUTBOX.c.id.in_([row.id for row in rows])).values(sent_at=now()))
        return [decode(row.body) for row in rows]
