"""Virtual time for code that takes a clock and a sleep (the pacer): waiting costs no real time."""

import asyncio


class VirtualTime:
    """A clock that only sleeping moves: sleep(s) returns at once, with the clock s further on.

    The code under test reads the clock just before it sleeps, so a wait booked for a slot
    ends at that slot. `slept` lists every wait asked for.
    """

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)  # as a real sleep does, let other tasks run
