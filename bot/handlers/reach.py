"""Where a message for a person goes: of their apps that can be reached, the one they used most
recently that can push it now; else one without push, where it waits for their next request."""

from collections.abc import Iterable
from datetime import datetime, timedelta

from bot.messages import PULLED, Outgoing
from storage.clock import now
from storage.identities import AppAccount, accounts
from storage.outbox import LATER, App, Waiting, forget, send_elsewhere, waiting_for
from storage.repository import keep_failed
from storage.transactions import Connection

OA = "zalo_oa"  # the channel with a 48-hour window (bot/channels/zalo_oa.py CHANNEL)
OA_WINDOW = timedelta(hours=48)  # Zalo OA: free messages only this long after theirs
OA_MARGIN = timedelta(minutes=30)  # sent this much before the window closes, at the latest
UNREACHABLE = "no app of this person can be reached"  # failed_send's error for such messages


def has_push(app: AppAccount) -> bool:
    """Whether this app account can be reached and sent to unasked (at some hour: Zalo OA
    only within its window)."""
    return app.reachable and app.channel not in PULLED


def pushes(app: AppAccount, at: datetime) -> bool:
    """Whether a message can be sent to this app account now, unasked: it can be reached,
    has push, and on Zalo OA the person wrote from it within the window."""
    if not has_push(app):
        return False
    return app.channel != OA or at < app.last_used_at + OA_WINDOW - OA_MARGIN


def reopened(channel: str, *, reachable: bool, used_at: datetime | None, at: datetime) -> bool:
    """Whether a turn from this app account makes it take messages again: it could not be
    reached, or it is Zalo OA and its window had closed (the person's message opens it)."""
    return not reachable or (channel == OA and used_at is not None
                             and at >= used_at + OA_WINDOW - OA_MARGIN)


def pick(apps: Iterable[AppAccount], at: datetime, *, push_only: bool = False,
         only: App | None = None) -> AppAccount | None:
    """The app a message goes to (`only` that one, if it can take it): the most recently used
    that pushes now; without one, the most recently used reachable app without push (it is
    handed over at their next request), unless `push_only` (a reminder: then none)."""
    found = [app for app in apps if only is None or app.key == only]
    pushing = [app for app in found if pushes(app, at)]
    if pushing:
        return max(pushing, key=lambda app: app.last_used_at)
    waiting = [app for app in found if app.reachable and app.channel in PULLED]
    if push_only or not waiting:
        return None
    return max(waiting, key=lambda app: app.last_used_at)


async def reroute(connection: Connection, learner_id: int, *,
                  at: datetime | None = None) -> None:
    """After the person's apps changed (one blocked the bot or came back, was separated, or
    joined), move their waiting messages off an app that can no longer take them, or one
    without push when one with push is there now; a reminder with no app that pushes, and
    anything with no app at all, is dropped. A turn's kept reply stays where it was asked."""
    waiting = await waiting_for(connection, learner_id)
    if not waiting:
        return
    when = at or now()
    apps = await accounts(connection, learner_id)
    best = pick(apps, when)
    by_key = {app.key: app for app in apps}
    dropped: list[Waiting] = []
    moved: list[int] = []
    for message in waiting:
        target = by_key.get(message.to)
        if message.priority >= LATER and (best is None or not pushes(best, when)):
            dropped.append(message)
        elif target is not None and target.reachable and (
                pushes(target, when) or best is None or not pushes(best, when)):
            continue  # it can still go where it was going
        elif best is None:
            dropped.append(message)
        elif message.to != best.key:
            moved.append(message.id)
    for message in dropped:  # a reminder lapses; anything else is kept where staff see it
        if message.priority < LATER:
            await keep_failed(connection, channel=message.to[0], user_ref=message.to[1],
                              text=Outgoing.from_json(message.body).text, error=UNREACHABLE)
    if dropped:
        await forget(connection, [message.id for message in dropped])
    if best is not None:
        await send_elsewhere(connection, moved, best.key)
