"""A person's app accounts: which identities lead to a learner, when each was last used and
whether it can be reached, the app used last, detaching one.

Every turn finds its learner through `identity` (channel, user_ref). A person who joined
several apps with a link code (storage/linking.py) has one identity per app and one learner
row; that row's own `channel` and `user_ref` name the app they used last. Each identity keeps
its own last use and reachability: a message for the person goes to an app that can take it
(bot/handlers/reach.py), and Zalo OA's window counts from that account's last message.
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import String, bindparam, cast, delete, literal, select, update

from storage.clock import aware, now
from storage.repository import IDENTITY, LEARNER
from storage.transactions import Connection


@dataclass(frozen=True)
class AppAccount:
    """One app a person uses: its channel, their id there, and when they last wrote from it."""

    channel: str
    user_ref: str
    linked_at: datetime
    last_used_at: datetime
    last: bool  # the app they used last
    reachable: bool = True  # False once the platform said messages cannot reach it

    @property
    def key(self) -> tuple[str, str]:
        return self.channel, self.user_ref


# Built once: it runs in web chat turns (bot/handlers/reminders.py asks where pushes reach).
_APPS_OF = (select(IDENTITY, LEARNER.c.channel.label("last_channel"),
                   LEARNER.c.user_ref.label("last_ref"))
            .join(LEARNER, LEARNER.c.id == IDENTITY.c.learner_id)
            .where(IDENTITY.c.learner_id.in_(bindparam("ids", expanding=True)))
            .order_by(IDENTITY.c.linked_at, IDENTITY.c.channel))


async def apps_of(connection: Connection,
                  learner_ids: Collection[int]) -> dict[int, list[AppAccount]]:
    """Each person's app accounts, in the order they were joined (one query for all)."""
    found: dict[int, list[AppAccount]] = {learner_id: [] for learner_id in learner_ids}
    if not found:
        return found
    rows = await connection.execute(_APPS_OF, {"ids": list(found)})
    for row in rows:
        found[row.learner_id].append(AppAccount(
            row.channel, row.user_ref, aware(row.linked_at), aware(row.last_used_at),
            (row.channel, row.user_ref) == (row.last_channel, row.last_ref),
            row.unreachable_at is None))
    return found


async def accounts(connection: Connection, learner_id: int) -> list[AppAccount]:
    """A person's app accounts, in the order they were joined."""
    return (await apps_of(connection, [learner_id]))[learner_id]


async def mark_reachable(connection: Connection, *, channel: str, user_ref: str,
                         reachable: bool) -> int | None:
    """Record whether messages can reach this app account (a blocked bot, an unfollow, or
    back), in the caller's transaction; return its person (None for an unknown account).
    Only this app: a person who blocked the Telegram bot is still reached on Zalo."""
    return await connection.scalar(update(IDENTITY).where(
        (IDENTITY.c.channel == channel) & (IDENTITY.c.user_ref == user_ref)
    ).values(unreachable_at=None if reachable else now()).returning(IDENTITY.c.learner_id))


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
