"""Flood limits: one person sending hundreds of messages a second is slowed, nobody else.

Two token buckets. A person's own bucket refills at `per_user_per_minute`; once it is empty,
their further messages are not acted on (one kind "slow down" answer, then silence until it
refills), so a flood never reaches the database and never makes the bot flood back. Two
allowances keep a person who is not flooding from being stuck: a button press may run a few
tokens into debt (a nervous double or triple tap), and a message after a pause of
`PAUSE_SECONDS` is always acted on (they did as the "slow down" answer asked). The
global bucket refills at `per_second`: beyond it, every message waits its turn instead of
being refused. Buckets live in this process only and forget people once theirs is full again.
`Buckets` are the same token buckets for any key (a client address, a network), for limits
that are checked before anything else is done.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot.addresses import network_of

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


# A message this long after the person's previous one is acted on even with no token left.
PAUSE_SECONDS = 3.0
# Button presses may run this many tokens into debt (the refill pays it back first).
TAP_EXTRA = 3


@dataclass
class _Bucket:
    tokens: float
    at: float
    warned: bool = False
    last: float = float("-inf")  # when this person's previous message came


@dataclass
class Buckets:
    """Token buckets by key: `burst` at once, then `per_second` (refilled continuously)."""

    per_second: float
    burst: float
    clock: Clock = time.monotonic
    _buckets: dict[str, _Bucket] = field(default_factory=dict)

    def current(self, key: str) -> _Bucket:
        """`key`'s bucket, refilled to now (new keys start full)."""
        now = self.clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) > 10_000:  # forget the keys whose bucket is full again
                self._buckets = {k: b for k, b in self._buckets.items()
                                 if b.tokens + (now - b.at) * self.per_second < self.burst}
            bucket = self._buckets[key] = _Bucket(self.burst, now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.at) * self.per_second)
        bucket.at = now
        return bucket

    def take(self, key: str) -> bool:
        """Take one token for `key`; False (and nothing taken) when there is none."""
        bucket = self.current(key)
        if bucket.tokens < 1:
            return False
        bucket.tokens -= 1
        return True

    def has(self, key: str) -> bool:
        """Whether `key` has a token left, without taking it."""
        return self.current(key).tokens >= 1

    def charge(self, key: str) -> None:
        """Take one token even when none is left: a debt that later refills must pay first
        (for what is counted after it happened, such as a wrong code)."""
        self.current(key).tokens -= 1

    def wait(self, key: str) -> float:
        """Seconds until `key` has a token again."""
        return max(0.0, (1 - self.current(key).tokens) / self.per_second)


def _per_hour(count: float) -> Buckets:
    return Buckets(per_second=count / 3600, burst=count)


@dataclass
class Guesses:
    """Wrong invitation codes counted by where they came from (a web client's address, and
    its network), so that opening a new session does not start the count again."""

    per_address: Buckets = field(default_factory=lambda: _per_hour(20))
    per_network: Buckets = field(default_factory=lambda: _per_hour(60))

    def allowed(self, source: str) -> bool:
        """Whether one more code may be tried from `source` ("" is not counted here)."""
        return not source or (self.per_address.has(source)
                              and self.per_network.has(network_of(source)))

    def wrong(self, source: str) -> None:
        """Count a wrong code from `source`."""
        if source:
            self.per_address.charge(source)
            self.per_network.charge(network_of(source))


@dataclass
class Throttle:
    """Decides, per message, whether to act on it now."""

    per_user_per_minute: float = 60.0
    user_burst: int = 20
    per_second: float = 500.0
    clock: Clock = time.monotonic
    sleep: Sleep = asyncio.sleep

    def __post_init__(self) -> None:
        self._users = Buckets(self.per_user_per_minute / 60, self.user_burst, self.clock)
        self._global = Buckets(self.per_second, max(1.0, self.per_second), self.clock)

    def admit(self, user: str, *, tap: bool = False) -> bool | None:
        """True to act on this person's message (`tap`: a button press); False to answer
        "slow down" once; None to let it pass without a word (they were told already)."""
        now = self.clock()
        bucket = self._users.current(user)
        paused = now - bucket.last >= PAUSE_SECONDS
        bucket.last = now
        if bucket.tokens >= 1 - (TAP_EXTRA if tap else 0) or paused:
            # After a pause the message costs what is left, never more debt.
            bucket.tokens = max(bucket.tokens - 1, min(bucket.tokens, 0)) if paused \
                else bucket.tokens - 1
            bucket.warned = False
            return True
        if bucket.warned:
            return None
        bucket.warned = True
        return False

    async def wait_turn(self) -> None:
        """Wait until the whole bot may take one more message (the global limit)."""
        while not self._global.take(""):
            # At least a millisecond: a shorter wait could round to no time at all.
            await self.sleep(max(0.001, self._global.wait("")))
