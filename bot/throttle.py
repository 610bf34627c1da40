"""Flood limits: one person sending hundreds of messages a second is slowed, nobody else.

Two token buckets. A person's own bucket refills at `per_user_per_minute`; once it is empty,
their further messages are not acted on (one kind "slow down" answer, then silence until it
refills), so a flood never reaches the database and never makes the bot flood back. The
global bucket refills at `per_second`: beyond it, every message waits its turn instead of
being refused. Buckets live in this process only and forget people once theirs is full again.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


@dataclass
class _Bucket:
    tokens: float
    at: float
    warned: bool = False


@dataclass
class Throttle:
    """Decides, per message, whether to act on it now."""

    per_user_per_minute: float = 60.0
    user_burst: int = 20
    per_second: float = 500.0
    clock: Clock = time.monotonic
    sleep: Sleep = asyncio.sleep
    _users: dict[str, _Bucket] = field(default_factory=dict)
    _global: _Bucket | None = None

    def _refill(self, bucket: _Bucket, rate: float, burst: float, now: float) -> None:
        bucket.tokens = min(burst, bucket.tokens + (now - bucket.at) * rate)
        bucket.at = now

    def admit(self, user: str) -> bool | None:
        """True to act on this person's message; False to answer "slow down" once; None to
        let it pass without a word (they were told already)."""
        now = self.clock()
        rate = self.per_user_per_minute / 60
        bucket = self._users.get(user)
        if bucket is None:
            if len(self._users) > 10_000:
                self._forget_full(now, rate)
            bucket = self._users[user] = _Bucket(self.user_burst, now)
        self._refill(bucket, rate, self.user_burst, now)
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            bucket.warned = False
            return True
        if bucket.warned:
            return None
        bucket.warned = True
        return False

    def spent(self, user: str) -> bool:
        """Whether `user` has nothing left just now (asking charges nothing)."""
        bucket = self._users.get(user)
        if bucket is None:
            return False
        rate = self.per_user_per_minute / 60
        return bucket.tokens + (self.clock() - bucket.at) * rate < 1

    def _forget_full(self, now: float, rate: float) -> None:
        for user, bucket in list(self._users.items()):
            if bucket.tokens + (now - bucket.at) * rate >= self.user_burst:
                del self._users[user]

    async def wait_turn(self) -> None:
        """Wait until the whole bot may take one more message (the global limit)."""
        burst = max(1.0, self.per_second)
        if self._global is None:
            self._global = _Bucket(burst, self.clock())
        bucket = self._global
        while True:
            self._refill(bucket, self.per_second, burst, self.clock())
            if bucket.tokens >= 1:
                bucket.tokens -= 1
                return
            # At least a millisecond: a shorter wait could round to no time at all.
            await self.sleep(max(0.001, (1 - bucket.tokens) / self.per_second))
