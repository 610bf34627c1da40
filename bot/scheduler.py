"""Events that come from time passing: a mentee quiet for N days (their mentor is told once)."""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from bot.handlers.context import Label, Told, Writer
from bot.handlers.events import LearnerQuiet, publish
from bot.handlers.rules import MentoringRules
from bot.lessons.model import BASE_LOCALE
from bot.periodic import every
from storage.mentoring import inactive_pairings
from storage.outbox import queue
from storage.repository import SqlRepository, now
from storage.transactions import Connection


class Outside:
    """Where subscribers act outside a learner's turn: one transaction of the scheduler's."""

    def __init__(self, connection: Connection, writer: Writer, *, about: int) -> None:
        self.connection = connection
        self.writer = writer
        self.about = about  # whom the messages are about (erased with them)
        self._told: list[Told] = []

    def text(self, key: str, **values: Any) -> str:
        return self.writer.renderers[BASE_LOCALE].message(key, **values)

    def tell(self, learner_id: int, key: str, rows: list[list[Label]] | None = None,
             **values: Any) -> None:
        self._told.append(Told(learner_id, key, values, tuple(tuple(row) for row in rows or [])))

    async def send(self) -> int:
        """Queue what subscribers said, in this transaction; return how many messages."""
        for learner_id, message in await self.writer.write(self.connection, self._told):
            await queue(self.connection, learner_id, message.to_json(), about=self.about)
        return len(self._told)


class InactivityWatch:
    """Finds idle mentees in storage (not in memory), so a restart repeats no alert."""

    def __init__(self, repository: SqlRepository, writer: Writer, rules: MentoringRules, *,
                 clock: Callable[[], datetime] = now, interval: float = 600.0) -> None:
        self.repository = repository
        self.writer = writer
        self.rules = rules
        self.clock = clock
        self.interval = interval

    async def check(self) -> int:
        """Publish the quiet mentees (their mentors are told by a subscriber, once a quiet
        stretch); return how many were told."""
        today = self.clock()
        cutoff = today - timedelta(days=self.rules.inactive_days)
        raised = 0
        for pairing_id, mentor_id, mentee_id, name, last_active in await inactive_pairings(
                self.repository.engine, cutoff):
            async with self.repository.engine.begin() as connection:
                scene = Outside(connection, self.writer, about=mentee_id)
                await publish(scene, LearnerQuiet(pairing_id, mentor_id, mentee_id, name,
                                                  last_active, today))
                raised += await scene.send()
        return raised

    async def run(self) -> None:
        """Check every `interval` seconds until cancelled."""
        await every(self.interval, self.check, what="the inactivity check")
