"""Pace outgoing messages: an overall rate and a per-chat rate, each allowing a short burst."""

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class _Rate:
    """Generic cell rate algorithm: `per_second` on average, up to `burst` back to back."""

    __slots__ = ("_interval", "_tolerance", "theoretical_arrival")

    def __init__(self, per_second: float, burst: int) -> None:
        self._interval = 1.0 / per_second
        self._tolerance = self._interval * (burst - 1)
        self.theoretical_arrival = 0.0

    def reserve(self, now: float) -> float:
        """Book the next slot; return how long to wait for it."""
        arrival = max(self.theoretical_arrival, now)
        self.theoretical_arrival = arrival + self._interval
        return max(0.0, arrival - self._tolerance - now)

    def hold(self, until: float) -> None:
        """Allow no send before `until`."""
        self.theoretical_arrival = max(self.theoretical_arrival, until + self._tolerance)


class Pacer:
    """Waits as long as a platform's rate limits ask, before each send.

    `clock` and `sleep` are the time it keeps and waits on; tests give both a virtual time.
    """

    MAX_IDLE_CHATS = 10_000

    def __init__(self, *, overall_per_second: float, chat_per_second: float, chat_burst: int,
                 clock: Clock = time.monotonic, sleep: Sleep = asyncio.sleep) -> None:
        self._overall = _Rate(overall_per_second, burst=max(1, int(overall_per_second)))
        self._chat_per_second = chat_per_second
        self._chat_burst = chat_burst
        self._chats: dict[Hashable, _Rate] = {}
        self._clock = clock
        self._sleep = sleep
        self._background = asyncio.Lock()  # one background send waits for its slot at a time

    def reserve(self, chat: Hashable) -> float:
        """Book a send to `chat`; return the seconds to wait before making it."""
        now = self._clock()
        rate = self._chats.get(chat)
        if rate is None:
            if len(self._chats) >= self.MAX_IDLE_CHATS:
                self._forget_idle(now)
            rate = self._chats[chat] = _Rate(self._chat_per_second, self._chat_burst)
        return max(rate.reserve(now), self._overall.reserve(now))

    def pause(self, seconds: float) -> None:
        """Send nothing to anyone for `seconds` (the platform said it is flooded)."""
        self._overall.hold(self._clock() + seconds)

    async def wait(self, chat: Hashable, *, background: bool = False) -> None:
        """Sleep until a send to `chat` keeps within the limits. A `background` send (a
        reminder) first waits until the overall rate has no backlog, and never uses its
        burst: that stays free for replies to people talking now, which go first."""
        if not background:
            delay = self.reserve(chat)
            if delay > 0:
                await self._sleep(delay)
            return
        # One at a time, so that background sends never book more than one slot ahead.
        async with self._background:
            while (backlog := self._overall.theoretical_arrival - self._clock()) > 0:
                await self._sleep(backlog)
            delay = self.reserve(chat)
            if delay > 0:
                await self._sleep(delay)

    def _forget_idle(self, now: float) -> None:
        # A chat whose slots are all in the past behaves exactly like a new one.
        for chat in [c for c, rate in self._chats.items() if rate.theoretical_arrival <= now]:
            del self._chats[chat]
