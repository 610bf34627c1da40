"""The outbox: messages kept in the database until they are delivered.

Once delivered, a row keeps no words: its body is emptied in the same statement that marks
it sent (a message for a mentor may hold a resident's question or a message they checked),
and the row itself, which says only to whom and when, goes with the old processed marks
(storage/retention.py).

A turn queues messages for other people in its own transaction, so an alert exists exactly
when the change that caused it was committed. Each row names the app account it goes to (an
identity of the recipient, chosen by bot/handlers/reach.py). Messenger channels take them in
a worker; the web chat and the terminal hand them over at the person's next request.

A messenger turn's own replies are kept the same way, owned by the serving process that
sends them at once; it deletes them once sent. Only a crash in between leaves them. Then the
learner's next turn takes them over and sends them before its own replies, unless a button
pressed on one proves it arrived; the worker of any process sends the rest. Either waits only
until the owner is known dead: at once after a restart on the same machine, else when its
heartbeat has stopped (storage/processes). A taken message is owned by its taker in turn, so
a second crash delays it no longer than the first.
"""

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Table, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.models import OutboxMessage
from storage.processes import alive
from storage.repository import IDENTITY, LEARNER, now
from storage.transactions import Connection

OUTBOX: Table = OutboxMessage.__table__  # type: ignore[attr-defined]
KEEP = insert(OUTBOX).returning(OUTBOX.c.id)


# A row's app account is still its recipient's (one separated since is someone else now).
_STILL_THEIRS = ((IDENTITY.c.channel == OUTBOX.c.channel)
                 & (IDENTITY.c.user_ref == OUTBOX.c.user_ref)
                 & (IDENTITY.c.learner_id == OUTBOX.c.learner_id))
# Priorities: what people wait for goes first; reminders (a fan-out of thousands) after.
PROMPT, LATER = 0, 1
# A delivered row's body: its words are not kept once they reached the person.
DELIVERED = ""


App = tuple[str, str]  # an app account: (channel, user_ref)


def _row(learner_id: int, to: App, body: str, about: int | None, *,
         owner: str | None = None, priority: int = PROMPT) -> dict[str, object]:
    """A new outbox row: due at once, never tried."""
    created = now()
    return {"learner_id": learner_id, "channel": to[0], "user_ref": to[1], "about_id": about,
            "body": body, "created_at": created, "next_try_at": created, "attempts": 0,
            "sent_at": None, "owner": owner, "priority": priority}


async def queue(connection: Connection, learner_id: int, body: str, *, to: App,
                about: int | None, owner: str | None = None, priority: int = PROMPT) -> int:
    """Keep a message (JSON text) for `learner_id` on their app account `to`, about learner
    `about`, in the caller's transaction; with an `owner`, workers leave it to that process
    while it is alive. Return its id."""
    return int((await connection.execute(KEEP, _row(
        learner_id, to, body, about, owner=owner, priority=priority))).scalar_one())


async def queue_many(connection: Connection,
                     messages: list[tuple[int, App, str, int | None]], *,
                     priority: int) -> None:
    """Keep messages (recipient, their app account, JSON text, about whom) in one statement
    (executemany)."""
    if messages:
        await connection.execute(insert(OUTBOX), [
            _row(learner_id, to, body, about, priority=priority)
            for learner_id, to, body, about in messages])


async def waiting_reminders(engine: AsyncEngine) -> int:
    """How many reminders are queued and not yet sent."""
    async with engine.connect() as connection:
        return int(await connection.scalar(
            select(func.count()).select_from(OUTBOX)
            .where(OUTBOX.c.sent_at.is_(None) & (OUTBOX.c.priority >= LATER))) or 0)


async def hand_over(connection: Connection, learner_id: int, *, channels: Collection[str],
                    user_ref: str | None = None) -> list[str]:
    """Return (as JSON texts) and mark sent, their words emptied, the messages waiting for a
    learner on apps of these `channels` (those without push: web chat, terminal), or on the
    one account (`user_ref`), in the caller's transaction."""
    where = ((OUTBOX.c.learner_id == learner_id) & OUTBOX.c.sent_at.is_(None)
             & OUTBOX.c.channel.in_(sorted(channels)))
    if user_ref is not None:
        where &= OUTBOX.c.user_ref == user_ref
    rows = (await connection.execute(
        select(OUTBOX.c.id, OUTBOX.c.body).where(where)
        .order_by(OUTBOX.c.id).with_for_update())).all()
    if rows:
        await connection.execute(update(OUTBOX).where(
            OUTBOX.c.id.in_([row.id for row in rows])).values(sent_at=now(), body=DELIVERED))
    return [row.body for row in rows]


async def forget(connection: Connection, ids: list[int]) -> None:
    """Delete the kept copies of replies that were sent."""
    await connection.execute(delete(OUTBOX).where(OUTBOX.c.id.in_(ids)))


async def still_kept(connection: Connection, ids: list[int]) -> set[int]:
    """Which of these kept messages exist and are not sent yet."""
    if not ids:
        return set()
    rows = await connection.execute(select(OUTBOX.c.id).where(
        OUTBOX.c.id.in_(ids) & OUTBOX.c.sent_at.is_(None)))
    return {row.id for row in rows}


async def owed_by_the_dead(connection: Connection, learner_id: int, *,
                           gone_after: timedelta) -> list[tuple[int, str]]:
    """A learner's replies that a dead process kept and may not have sent, oldest first, as
    (id, JSON text), held for the caller's transaction."""
    rows = (await connection.execute(
        select(OUTBOX.c.id, OUTBOX.c.body)
        .where((OUTBOX.c.learner_id == learner_id) & OUTBOX.c.sent_at.is_(None)
               & OUTBOX.c.owner.is_not(None) & ~alive(OUTBOX.c.owner, gone_after))
        .order_by(OUTBOX.c.id).with_for_update(of=OUTBOX))).all()
    return [(row.id, row.body) for row in rows]


async def adopt(connection: Connection, ids: list[int], owner: str) -> None:
    """Make `owner` the process that sends these kept messages now."""
    await connection.execute(update(OUTBOX).where(OUTBOX.c.id.in_(ids)).values(owner=owner))


@dataclass(frozen=True)
class Waiting:
    """A message that waits for a worker or a request: where it goes, and its priority."""

    id: int
    to: App
    priority: int
    body: str


async def waiting_for(connection: Connection, learner_id: int) -> list[Waiting]:
    """A person's messages that nobody is sending (not a turn's kept reply, not in a worker's
    hands), held for the caller's transaction: those may still go elsewhere."""
    rows = await connection.execute(
        select(OUTBOX.c.id, OUTBOX.c.channel, OUTBOX.c.user_ref, OUTBOX.c.priority,
               OUTBOX.c.body)
        .where((OUTBOX.c.learner_id == learner_id) & OUTBOX.c.sent_at.is_(None)
               & OUTBOX.c.owner.is_(None)).order_by(OUTBOX.c.id).with_for_update())
    return [Waiting(row.id, (row.channel, row.user_ref), row.priority, row.body)
            for row in rows]


async def misaddressed(connection: Connection, *, limit: int = 100) -> list[int]:
    """People with a waiting message addressed to an app account that is no longer theirs."""
    rows = await connection.execute(
        select(OUTBOX.c.learner_id).distinct()
        .select_from(OUTBOX.outerjoin(IDENTITY, _STILL_THEIRS))
        .where(OUTBOX.c.sent_at.is_(None) & OUTBOX.c.owner.is_(None)
               & IDENTITY.c.learner_id.is_(None)).limit(limit))
    return [row.learner_id for row in rows]


async def send_elsewhere(connection: Connection, ids: list[int], to: App) -> None:
    """Send these waiting messages to another app account of their recipient."""
    if ids:
        await connection.execute(update(OUTBOX).where(OUTBOX.c.id.in_(ids)).values(
            channel=to[0], user_ref=to[1]))


@dataclass(frozen=True)
class Pending:
    """An outbox message taken for delivery, with the app account it goes to."""

    id: int
    learner_id: int
    channel: str
    user_ref: str
    body: str  # the message as JSON text
    attempts: int
    priority: int = PROMPT


class Outbox:
    """Takes pending messages for delivery and records the outcome."""

    def __init__(self, engine: AsyncEngine, *, process_id: str,
                 owner_gone_after: timedelta = timedelta(seconds=20)) -> None:
        self.engine = engine
        self.process_id = process_id  # a taken message is owned by this process
        # A process that has not beaten for this long died: its owed replies are taken.
        self.owner_gone_after = owner_gone_after

    async def take(self, channels: set[str], *, limit: int = 10) -> list[Pending]:
        """Take due messages for these channels: nobody's that are due, and those of dead
        processes at once. They become this process's, so no other worker sends them while
        it lives, and any worker may as soon as it has died."""
        due = OUTBOX.c.owner.is_(None) & (OUTBOX.c.next_try_at <= now())
        orphaned = (OUTBOX.c.owner.is_not(None) & (OUTBOX.c.owner != self.process_id)
                    & ~alive(OUTBOX.c.owner, self.owner_gone_after))
        async with self.engine.begin() as connection:
            rows = (await connection.execute(
                select(OUTBOX).join(IDENTITY, _STILL_THEIRS)
                .where(OUTBOX.c.sent_at.is_(None) & OUTBOX.c.channel.in_(sorted(channels))
                       & (due | orphaned))
                .order_by(OUTBOX.c.priority, OUTBOX.c.id).limit(limit)
                .with_for_update(skip_locked=True, of=OUTBOX))).all()
            if rows:
                await connection.execute(update(OUTBOX).where(
                    OUTBOX.c.id.in_([row.id for row in rows])
                ).values(owner=self.process_id, attempts=OUTBOX.c.attempts + 1))
        return [Pending(row.id, row.learner_id, row.channel, row.user_ref, row.body,
                        row.attempts + 1, row.priority) for row in rows]

    async def delivered(self, item: Pending, *, offer: Sequence[str] = (),
                        labels: Sequence[str] = (), while_mode: str = "") -> None:
        """Mark a message sent, its words emptied; `offer` becomes the buttons a typed digit
        (or one of their `labels`) picks for its recipient while their mode is `while_mode`
        (the caller's rule)."""
        async with self.engine.begin() as connection:
            await connection.execute(update(OUTBOX).where(OUTBOX.c.id == item.id)
                                     .values(sent_at=now(), body=DELIVERED))
            if offer:
                await connection.execute(update(LEARNER).where(
                    (LEARNER.c.id == item.learner_id) & (LEARNER.c.mode == while_mode)
                ).values(shown_buttons="\n".join(offer), shown_labels="\n".join(labels)))

    async def retry_later(self, item: Pending, delay: timedelta) -> None:
        """Try a message again after `delay`, by whichever worker comes first (a reminder,
        marked sent before it went, gets its words back from `item`)."""
        async with self.engine.begin() as connection:
            await connection.execute(update(OUTBOX).where(OUTBOX.c.id == item.id)
                                     .values(next_try_at=now() + delay, owner=None,
                                             sent_at=None, body=item.body))
