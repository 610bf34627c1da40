"""A person's app accounts: which identities lead to a learner, the app used last, detaching one.

Every turn finds its learner through `identity` (channel, user_ref). A person who joined
several apps with a link code (storage/linking.py) has one identity per app and one learner
row; that row's own `channel` and `user_ref` always name the app they used last, so anything
sent to a learner (the outbox, a reminder) reaches the app they are using.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import String, cast, delete, literal, select, update

from storage.clock import aware
from storage.repository import IDENTITY, LEARNER
from storage.transactions import Connection


@dataclass(frozen=True)
class AppAccount:
    """One app a person uses: its channel, their id there, and when they last wrote from it."""

    channel: str
    user_ref: str
    linked_at: datetime
    last_used_at: datetime
    last: bool  # the app they used last, where messages for them go


async def accounts(connection: Connection, learner_id: int) -> list[AppAccount]:
    """A person's app accounts, in the order they were joined."""
    me = (await connection.execute(select(
        LEARNER.c.channel, LEARNER.c.user_ref, LEARNER.c.last_active_at).where(
        LEARNER.c.id == learner_id))).first()
    if me is None:
        return []
    rows = await connection.execute(select(IDENTITY).where(IDENTITY.c.learner_id == learner_id)
                                    .order_by(IDENTITY.c.linked_at, IDENTITY.c.channel))
    found = []
    for row in rows:
        last = (row.channel, row.user_ref) == (me.channel, me.user_ref)
        found.append(AppAccount(row.channel, row.user_ref, aware(row.linked_at),
                                aware(me.last_active_at if last else row.last_used_at), last))
    return found


async def last_used(connection: Connection, learner_id: int) -> tuple[str, str] | None:
    """The (channel, user_ref) a person used last: where a message for them (a reminder)
    goes. None for no such learner, or one whose only web session was ended."""
    row = (await connection.execute(select(LEARNER.c.channel, LEARNER.c.user_ref).where(
        LEARNER.c.id == learner_id))).first()
    if row is None or row.user_ref.startswith("ended:"):
        return None
    return row.channel, row.user_ref


async def detach(connection: Connection, *, channel: str, user_ref: str) -> int | None:
    """Take an app account away from its person, in the caller's transaction: it opens nothing
    of theirs any more, and its next message starts a new person. Return the learner it led
    to (None for an unknown account). If it was the app they used last, their most recently
    used other app becomes it; with none left the learner keeps no way in ("ended:<id>"),
    and what they learned stays, nameless, in the counts."""
    learner_id = await connection.scalar(select(IDENTITY.c.learner_id).where(
        (IDENTITY.c.channel == channel) & (IDENTITY.c.user_ref == user_ref)))
    if learner_id is None:
        return None
    await connection.execute(delete(IDENTITY).where(
        (IDENTITY.c.channel == channel) & (IDENTITY.c.user_ref == user_ref)))
    current = await connection.scalar(select(LEARNER.c.id).where(
        (LEARNER.c.id == learner_id) & (LEARNER.c.channel == channel)
        & (LEARNER.c.user_ref == user_ref)))
    if current is None:
        return int(learner_id)
    other = (await connection.execute(select(IDENTITY.c.channel, IDENTITY.c.user_ref).where(
        IDENTITY.c.learner_id == learner_id).order_by(IDENTITY.c.last_used_at.desc()))).first()
    await connection.execute(update(LEARNER).where(LEARNER.c.id == learner_id).values(
        channel=other.channel, user_ref=other.user_ref) if other is not None else update(
        LEARNER).where(LEARNER.c.id == learner_id).values(
        user_ref=literal("ended:") + cast(LEARNER.c.id, String)))
    return int(learner_id)
