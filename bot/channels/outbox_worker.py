"""Deliver the outbox: messages a turn queued for other people, each through their own channel."""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import timedelta

from bot.lessons.progress import Mode
from bot.messages import Outgoing, shown_label
from bot.retry import backoff
from storage.outbox import LATER as LATER_PRIORITY
from storage.outbox import Outbox, Pending

log = logging.getLogger("hocso.outbox")

Deliver = Callable[[str, Outgoing], Awaitable[None]]  # (user_ref on that channel, message)
# After the nth failed try: 10 s, 20 s, 40 s... an hour at most. The wait is kept in the outbox
# row (next_try_at), not slept, so it outlives a restart.
LATER = backoff(10.0, cap=3600.0)
BATCH = 30  # messages taken at a time: a second of Telegram's 30 a second
# Reminders being sent at once: enough to keep up 30 a second over a few milliseconds of
# database and network each, and all a kill can lose (each is marked sent before it goes).
IN_FLIGHT = 3


class OutboxWorker:
    """Polls the outbox and sends what is due through the channels running in this process."""

    def __init__(self, outbox: Outbox, channels: dict[str, Deliver], *,
                 interval: float = 0.5) -> None:
        self.outbox = outbox
        self.channels = channels
        self.interval = interval
        self.taken = 0  # how many the last run_once took
        self._in_flight = asyncio.Semaphore(IN_FLIGHT)

    async def run_once(self) -> int:
        """Send a batch of due messages once; return how many were delivered."""
        self.taken = 0
        if not self.channels:
            return 0
        items = await self.outbox.take(set(self.channels), limit=BATCH)
        self.taken = len(items)
        # Each recipient's messages in order; different recipients side by side, so a batch
        # of reminders (one each) takes one send's time, not ten, within the rate limits.
        by_learner: dict[int, list[Pending]] = {}
        for item in items:
            by_learner.setdefault(item.learner_id, []).append(item)
        done = await asyncio.gather(*(self._send_in_order(mine) for mine in by_learner.values()))
        return sum(done)

    async def _send_in_order(self, items: list[Pending]) -> int:
        delivered = 0
        for item in items:
            delivered += await self._send(item)
        return delivered

    async def _send(self, item: Pending) -> bool:
        reply = Outgoing.from_json(item.body)
        if item.priority < LATER_PRIORITY:
            return await self._deliver(item, reply, background=False)
        async with self._in_flight:
            # At most once: marked sent before it goes (one transaction, not two), so a kill
            # mid-send loses this reminder and never doubles it.
            await self._mark(item, reply)
            return await self._deliver(item, reply, background=True)

    async def _mark(self, item: Pending, reply: Outgoing) -> None:
        # Its buttons become the ones a typed digit picks, unless the recipient is in a
        # lesson or quiz: there "3" must still answer the question.
        buttons = reply.flat_buttons()
        await self.outbox.delivered(item, offer=[b.payload for b in buttons],
                                    labels=[shown_label(b.label) for b in buttons],
                                    while_mode=Mode.MENU)

    async def _deliver(self, item: Pending, reply: Outgoing, *, background: bool) -> bool:
        try:
            # A reminder waits for the rate limits' idle moments: live replies go first.
            await self.channels[item.channel](item.user_ref, replace(
                reply, background=background))
        except Exception:  # kept and tried again later; a channel that keeps failing
            # keeps the message in failed_send itself. Delivery is at least once: a crash
            # between the send and the mark sends it again when the lease runs out.
            log.exception("outbox message %s to %s failed (try %s)", item.id, item.channel,
                          item.attempts)
            await self.outbox.retry_later(item, timedelta(seconds=LATER(item.attempts)))
            return False
        if not background:  # a reminder was marked before it went
            await self._mark(item, reply)
        return True

    async def run(self, *, after: float = 0.0) -> None:
        """Deliver until cancelled, starting `after` seconds from now."""
        await asyncio.sleep(after)
        while True:
            try:
                await self.run_once()
            except Exception:
                log.exception("outbox delivery failed; trying again in %.1f s", self.interval)
                self.taken = 0
            # A full batch means more are waiting (a fan-out of reminders): on at once.
            await asyncio.sleep(self.interval if self.taken < BATCH else 0)
