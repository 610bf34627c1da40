"""Alerts that come from time passing: a mentee quiet for N days, told to their mentor once."""

from collections.abc import Callable
from datetime import datetime, timedelta

from bot.handlers import payloads
from bot.handlers.places import days_ago
from bot.handlers.rules import MentoringRules
from bot.lessons.render import Renderer
from bot.messages import Button, Outgoing
from bot.periodic import every
from storage.mentoring import claim_alert, inactive_pairings
from storage.outbox import queue
from storage.repository import SqlRepository, now


class InactivityWatch:
    """Finds idle mentees in storage (not in memory), so a restart repeats no alert."""

    def __init__(self, repository: SqlRepository, renderer: Renderer, rules: MentoringRules, *,
                 clock: Callable[[], datetime] = now, interval: float = 600.0) -> None:
        self.repository = repository
        self.renderer = renderer
        self.rules = rules
        self.clock = clock
        self.interval = interval

    async def check(self) -> int:
        """Raise the alerts that are due; return how many were raised."""
        today = self.clock()
        cutoff = today - timedelta(days=self.rules.inactive_days)
        raised = 0
        for pairing_id, mentor_id, mentee_id, name, last_active in await inactive_pairings(
                self.repository.engine, cutoff):
            # One alert per quiet stretch: the key holds when the mentee was last seen.
            key = f"idle:{pairing_id}:{last_active.isoformat()}"
            async with self.repository.engine.begin() as connection:
                if not await claim_alert(connection, key, pairing_id):
                    continue
                text = self.renderer.message(
                    "alert_inactive", name=name or self.renderer.message("someone"),
                    days=days_ago(last_active, today))
                button = Button(self.renderer.message("button_mentees"), payloads.MENTEES)
                await queue(connection, mentor_id,
                            Outgoing(text=text, buttons=((button,),)).to_json(), about=mentee_id)
            raised += 1
        return raised

    async def run(self) -> None:
        """Check every `interval` seconds until cancelled."""
        await every(self.interval, self.check, what="the inactivity check")
