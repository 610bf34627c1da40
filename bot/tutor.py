"""The Tutor: one Incoming in, replies out, the learner's whole turn committed in between."""

import logging
import re
import time
from collections.abc import Collection
from dataclasses import replace

from bot.handlers.context import Context
from bot.handlers.progress import show_current
from bot.handlers.router import route
from bot.handlers.rules import InviteLinks, MentoringRules
from bot.lessons.model import Library
from bot.lessons.progress import Reconciled, reconcile
from bot.lessons.render import Renderer
from bot.logs import UPDATE
from bot.messages import Incoming, Outgoing
from bot.retry import backoff, retry
from bot.throttle import Throttle
from storage.database import unreachable
from storage.outbox import SentReplies, queue
from storage.personal_data import erase
from storage.repository import SqlRepository

# Control and bidirectional-override characters never mean anything in a lesson chat.
_INVISIBLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
MAX_KEPT_CHARS = 4096
log = logging.getLogger("hocso.tutor")


def clean(incoming: Incoming) -> Incoming:
    """Drop invisible control characters and cap sizes before anything reads the input."""
    return replace(
        incoming,
        text=_INVISIBLE.sub("", incoming.text[: MAX_KEPT_CHARS + 1]),
        payload=incoming.payload[:128],
        display_name=" ".join(_INVISIBLE.sub("", incoming.display_name).split())[:64],
    )


class Tutor:
    """Routes each Incoming to a handler inside one transaction, then hands back replies."""

    def __init__(self, *, repository: SqlRepository, library: Library,
                 rules: MentoringRules | None = None, links: InviteLinks | None = None,
                 throttle: Throttle | None = None, patience_seconds: float = 300,
                 kept_replies: Collection[str] = (), process_id: str | None = None) -> None:
        self.repository = repository
        # Channels whose replies are sent after the turn: those are kept in the outbox,
        # owned by this process (storage/processes.py) until it has sent them.
        self.kept_replies = frozenset(kept_replies)
        self.process_id = process_id
        self._sent = SentReplies(repository.engine)
        # How long a turn is tried again while the database cannot be reached.
        self.patience_seconds = patience_seconds
        self.database_ok = True  # False from a failed try until a turn commits again
        self.throttle = throttle  # flood limits; None in tests that drive the tutor fast
        self.library = library
        self.renderer = Renderer(library.templates)
        self.rules = rules or MentoringRules()
        self.links = links or InviteLinks()

    async def handle(self, incoming: Incoming) -> list[Outgoing]:
        """Handle one update; a redelivered update (same update id) gets no reply."""
        incoming = clean(incoming)
        if self.throttle is not None:
            admitted = self.throttle.admit(f"{incoming.channel}:{incoming.user_ref}")
            if admitted is not True:  # a flood: not acted on, and said so once
                return [] if admitted is None else [Outgoing(self.renderer.message("slow_down"))]
            await self.throttle.wait_turn()
        marked = UPDATE.set(f"{incoming.channel}:{incoming.update_id or '-'}")
        try:
            return await self._turn_until_it_commits(incoming)
        finally:
            UPDATE.reset(marked)

    async def _turn_until_it_commits(self, incoming: Incoming) -> list[Outgoing]:
        """Run the turn; while the database is unreachable, wait and run it again.

        A failed try rolled back entirely, so running it again cannot count anything twice;
        if the commit itself went through before the connection broke, the processed mark
        makes the next try a no-op (that update then gets no reply, never two).
        """
        def failed(error: BaseException, _failures: int) -> None:
            if self.database_ok:
                log.warning("database unreachable, trying again: %s", error)
            self.database_ok = False

        replies = await retry(lambda: self._turn(incoming), retry_on=unreachable,
                              wait=backoff(0.1, cap=5.0),
                              deadline=time.monotonic() + self.patience_seconds,
                              on_failure=failed)
        if not self.database_ok:
            log.info("database reachable again")
        self.database_ok = True
        return replies

    async def _turn(self, incoming: Incoming) -> list[Outgoing]:
        async with self.repository.turn(channel=incoming.channel, user_ref=incoming.user_ref,
                                        update_id=incoming.update_id) as turn:
            if turn is None:
                return []
            position, outcome = reconcile(turn.learner.position, self.library)
            ctx = Context(incoming=incoming, turn=turn, library=self.library,
                          renderer=self.renderer, position=position, rules=self.rules,
                          links=self.links)
            if outcome == Reconciled.UNCHANGED:
                await route(ctx)
            else:
                # The learner acted on content that has changed: say so, show the new place.
                found = ctx.current_course_lesson()
                ctx.say(ctx.text("content_updated_gone") if found is None else ctx.text(
                    "content_updated_restart", lesson=found[1].title))
                show_current(ctx)
            if ctx.erase:  # nothing about them stays, messages to others about them included
                for learner_id, message in ctx.outbound:
                    await queue(turn.connection, learner_id, message, about=None)
                await erase(turn.connection, turn.learner.id)
                return ctx.replies
            shown = ctx.shown_buttons()
            await turn.save(
                ctx.position,
                shown_buttons=turn.learner.shown_buttons if shown is None else shown,
                display_name=ctx.display_name, awaiting=ctx.awaiting, ward=ctx.ward,
                area=ctx.area, area_asked=ctx.area_asked, consent=ctx.consent,
            )
            for learner_id, message in ctx.outbound:
                await queue(turn.connection, learner_id, message, about=turn.learner.id)
            if incoming.channel not in self.kept_replies:
                return ctx.replies
            return [replace(reply, kept_as=await queue(
                turn.connection, turn.learner.id, reply, about=turn.learner.id,
                owner=self.process_id)) for reply in ctx.replies]

    async def settle(self, replies: list[Outgoing]) -> None:
        """Forget the kept copies of replies now sent (or kept as failed sends)."""
        kept = [reply.kept_as for reply in replies if reply.kept_as is not None]
        if kept:
            await self._sent.forget(kept)
