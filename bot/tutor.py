"""The Tutor: one Incoming in, replies out, the learner's whole turn committed in between."""

import logging
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, TypeVar

from bot.handlers.context import Context, Writer
from bot.handlers.progress import show_current
from bot.handlers.reach import reopened, reroute
from bot.handlers.router import route
from bot.handlers.rules import InviteLinks, MentoringRules
from bot.lessons.model import BASE_LOCALE, Library
from bot.lessons.progress import Position, Reconciled, reconcile
from bot.lessons.render import Renderer
from bot.listening.ocr import (
    TESSERACT,
    NotAPicture,
    OcrFailed,
    OcrUnavailable,
    read_text_in_thread,
)
from bot.logs import UPDATE
from bot.messages import MAX_KEPT_CHARS, PULLED, Button, Incoming, Kind, Outgoing, mend
from bot.retry import backoff, retry
from bot.throttle import Guesses, Throttle
from storage.certificates import Certificate
from storage.certificates import find as find_certificate
from storage.clock import now
from storage.database import unreachable
from storage.identities import detach, mark_reachable
from storage.linking import is_live as link_is_live
from storage.linking import normalize as normalize_link
from storage.mentors import invitation_is_live
from storage.outbox import (
    adopt,
    forget,
    hand_over,
    misaddressed,
    owed_by_the_dead,
    queue,
    still_kept,
)
from storage.personal_data import erase
from storage.repository import SqlRepository, UnknownLearner
from storage.transactions import Connection, RunAgain

__all__ = ["MAX_KEPT_CHARS", "Tutor", "UnknownLearner", "clean"]
T = TypeVar("T")

# Control and bidirectional-override characters never mean anything in a lesson chat.
_INVISIBLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
log = logging.getLogger("hocso.tutor")


def clean(incoming: Incoming) -> Incoming:
    """Drop invisible control characters, mend lone surrogates and cap sizes before anything
    reads the input (a name or text that cannot be stored would lose the person's answer)."""
    user_ref, payload = mend(incoming.user_ref), mend(incoming.payload[:128])
    text = mend(_INVISIBLE.sub("", incoming.text[: MAX_KEPT_CHARS + 1]))
    display_name = mend(" ".join(_INVISIBLE.sub("", incoming.display_name).split())[:64])
    if (user_ref, text, payload, display_name) == (
            incoming.user_ref, incoming.text, incoming.payload, incoming.display_name):
        return incoming  # the usual case: copying it cost more than the checks
    return replace(incoming, user_ref=user_ref, text=text, payload=payload,
                   display_name=display_name)


async def read_picture(incoming: Incoming, tesseract: str = TESSERACT) -> Incoming:
    """A photo's text, read by OCR before the turn opens: about a second in a thread, which
    must not hold the learner's transaction (and on SQLite every writer) open. The bytes are
    dropped here; the text is the message check's (bot/handlers/message_check.py)."""
    if not incoming.picture:  # the channel could not fetch it: nothing to read
        return replace(incoming, ocr="failed", text="")
    try:
        text, outcome = await read_text_in_thread(incoming.picture, command=tesseract), "read"
    except OcrUnavailable:
        text, outcome = "", "unavailable"
    except NotAPicture:  # a document or a broken file sent as a picture
        text, outcome = "", "not_picture"
    except OcrFailed:
        text, outcome = "", "failed"
    # Capped like typed text; the check reads up to the router's limit.
    return replace(incoming, picture=b"", ocr=outcome, text=mend(text[:MAX_KEPT_CHARS]))


Rows = tuple[tuple[Button, ...], ...]


@dataclass
class _Last:
    buttons: Rows = ()
    locale: str = BASE_LOCALE
    slow_down: str = ""  # the "slow down" answer in the person's own words, once known


class LastButtons:
    """The buttons each recent person was last shown, the language they read and the "slow
    down" answer in their own form of address, so that a flood is answered without a database
    read (a flood must not reach the database)."""

    def __init__(self, size: int = 10_000) -> None:
        self.size = size
        self._rows: OrderedDict[str, _Last] = OrderedDict()

    def _row(self, person: str) -> _Last:
        row = self._rows.setdefault(person, _Last())
        self._rows.move_to_end(person)
        if len(self._rows) > self.size:
            self._rows.popitem(last=False)
        return row

    def keep(self, person: str, replies: list[Outgoing]) -> None:
        """Remember the buttons of the last of `replies` that has any."""
        last = next((reply for reply in reversed(replies) if reply.buttons), None)
        if last is not None:
            row = self._row(person)
            row.buttons, row.locale = last.buttons, last.locale

    def keep_words(self, person: str, slow_down: str) -> None:
        """Remember the "slow down" answer as this person's turn words it (bác, cô, anh…)."""
        self._row(person).slow_down = slow_down

    def forget(self, person: str) -> None:
        self._rows.pop(person, None)

    def of(self, person: str) -> _Last:
        return self._rows.get(person) or _Last()


def _at_once_if_undone(error: BaseException) -> float | None:
    """A transaction that another turn's failure undid (RunAgain, SQLite's shared commits)
    runs again at once: nothing of it was kept. Any other error is no such request."""
    return 0.0 if isinstance(error, RunAgain) else None


class Tutor:
    """Routes each Incoming to a handler inside one transaction, then hands back replies."""

    def __init__(self, *, repository: SqlRepository, library: Library,
                 rules: MentoringRules | None = None, links: InviteLinks | None = None,
                 throttle: Throttle | None = None, patience_seconds: float = 300,
                 kept_replies: Collection[str] = (), pulled: Collection[str] = PULLED,
                 process_id: str | None = None,
                 owner_gone_after: timedelta = timedelta(seconds=20),
                 tesseract: str = TESSERACT) -> None:
        self.repository = repository
        self.tesseract = tesseract  # the OCR program that reads photos (bot/listening/ocr.py)
        # Channels whose replies are sent after the turn: those are kept in the outbox,
        # owned by this process (storage/processes.py) until it has sent them.
        self.kept_replies = frozenset(kept_replies)
        # Channels without push: messages others left for their learners (a mentor's
        # nudge) are handed over at the learner's next turn, before its replies.
        self.pulled = frozenset(pulled)
        self.process_id = process_id
        # A process whose heartbeat is this old has died: its kept replies are taken over.
        self.owner_gone_after = owner_gone_after
        # How long a turn is tried again while the database cannot be reached.
        self.patience_seconds = patience_seconds
        self.database_ok = True  # False from a failed try until a turn commits again
        self.throttle = throttle  # flood limits; None in tests that drive the tutor fast
        self.guesses = Guesses()  # wrong invitation codes by address, for this process
        self.library = library
        # One renderer a locale; the Vietnamese one also speaks for the process (slow down).
        self.renderers = {locale: Renderer(library.in_locale(locale).templates)
                          for locale in library.locales}
        self.renderer = self.renderers[BASE_LOCALE]
        self.writer = Writer(library, self.renderers)  # messages for others, in their words
        self.rules = rules or MentoringRules()
        self.links = links or InviteLinks()
        self.last_buttons = LastButtons()

    def words(self, locale: str, key: str, **values: Any) -> str:
        """A shared text in `locale` (Vietnamese where it has none): for the words that the
        channels add around replies (the numbered list's heading, Telegram's keyboard)."""
        return self.renderers.get(locale, self.renderer).message(key, **values)

    async def handle(self, incoming: Incoming, *, known_only: bool = False,
                     patience: float | None = None,
                     active_since: datetime | None = None) -> list[Outgoing]:
        """Handle one update; a redelivered update (same update id) gets no reply. With
        `known_only`, a learner who does not exist yet, or has been idle since `active_since`,
        raises UnknownLearner. While the database is unreachable the turn is tried again for
        `patience` seconds (by default the Tutor's), then the error is raised: nothing of the
        turn was kept."""
        incoming = clean(incoming)
        person = f"{incoming.channel}:{incoming.user_ref}"
        if self.throttle is not None:
            admitted = self.throttle.admit(person, tap=incoming.kind == Kind.BUTTON)
            if admitted is not True:  # a flood: not acted on, and said so once
                # With the buttons they had: nothing was done, so those still mean the same.
                last = self.last_buttons.of(person)
                return [] if admitted is None else [Outgoing(
                    last.slow_down or self.words(last.locale, "slow_down"), last.buttons,
                    locale=last.locale)]
            await self.throttle.wait_turn()
        if incoming.kind == Kind.PHOTO:
            incoming = await read_picture(incoming, self.tesseract)
        marked = UPDATE.set(f"{incoming.channel}:{incoming.update_id or '-'}")
        tried: list[Outgoing] = []  # the replies of the last try that got to its commit
        try:
            replies = await self._until_committed(
                lambda: self._turn(incoming, known_only, active_since, tried), patience)
        finally:
            UPDATE.reset(marked)
        self.last_buttons.keep(person, replies)
        return replies

    async def _until_committed(self, transaction: Callable[[], Awaitable[T]],
                               patience: float | None = None) -> T:
        """Run a transaction (a turn); while the database is unreachable, wait and run it again.

        A failed try rolled back entirely, so running it again cannot count anything twice;
        if the commit itself went through before the connection broke, the processed mark
        makes the next try a no-op (that update then gets no reply, never two).
        """
        def failed(error: BaseException, _failures: int) -> None:
            if self.database_ok:
                log.warning("database unreachable, trying again: %s", error)
            self.database_ok = False

        done = await retry(transaction, retry_on=unreachable, asked_wait=_at_once_if_undone,
                           wait=backoff(0.1, cap=5.0),
                           deadline=time.monotonic() + (
                               self.patience_seconds if patience is None else patience),
                           on_failure=failed)
        if not self.database_ok:
            log.info("database reachable again")
        self.database_ok = True
        return done

    async def _turn(self, incoming: Incoming, known_only: bool,
                    active_since: datetime | None, tried: list[Outgoing]) -> list[Outgoing]:
        """One try of a turn. `tried` holds the replies of an earlier try whose commit broke
        off: if the update is found done, that commit went through, and its replies are given
        now, not lost (on messengers, kept in the outbox until the next restart)."""
        async with self.repository.turn(channel=incoming.channel, user_ref=incoming.user_ref,
                                        update_id=incoming.update_id, create=not known_only,
                                        active_since=active_since) as turn:
            if turn is None:
                return await self._replies_of_a_lost_answer(tried)
            waiting: list[Outgoing] = []
            if incoming.channel in self.pulled and turn.learner.waiting:
                # Those left on any app of theirs without push: they are here now.
                waiting = [Outgoing.from_json(body) for body in await hand_over(
                    turn.connection, turn.learner.id, channels=self.pulled)]
            elif incoming.channel in self.kept_replies and turn.learner.waiting:
                waiting = await self._take_over(turn.connection, turn.learner.id, incoming)
            position, outcome = reconcile(Position.stored_as(turn.learner.place),
                                          self.library)
            ctx = Context(incoming=incoming, turn=turn, base=self.library,
                          renderers=self.renderers, position=position,
                          locale=turn.learner.locale, rules=self.rules, links=self.links,
                          guesses=self.guesses, settings=dict(turn.learner.settings))
            if outcome == Reconciled.UNCHANGED:
                await route(ctx)
            else:
                # The learner acted on content that has changed: say so, show the new place.
                found = ctx.current_course_lesson()
                ctx.say(ctx.text("content_updated_gone") if found is None else ctx.text(
                    "content_updated_restart", lesson=found[1].title))
                show_current(ctx)
            outbound = await self.writer.write(turn.connection, ctx.outbound)
            if ctx.erase:  # nothing about them stays, messages to others about them included
                for letter in outbound:
                    await queue(turn.connection, letter.learner_id, letter.message.to_json(),
                                to=letter.to, about=None)
                await erase(turn.connection, turn.learner.id)
                self.last_buttons.forget(f"{incoming.channel}:{incoming.user_ref}")
                return ctx.replies
            self.last_buttons.keep_words(f"{incoming.channel}:{incoming.user_ref}",
                                         ctx.text("slow_down"))
            shown = ctx.shown_buttons()
            await turn.save(
                ctx.position.stored(),
                shown_buttons=turn.learner.shown_buttons if shown is None else shown[0],
                shown_labels=turn.learner.shown_labels if shown is None else shown[1],
                display_name=ctx.display_name,
                state=ctx.state.name if ctx.state else "",
                state_data=ctx.state.data if ctx.state else None,
                locale=ctx.locale if ctx.locale != turn.learner.locale else None,
                settings=ctx.settings if ctx.settings != turn.learner.settings else None,
                ward=ctx.ward, area=ctx.area, area_asked=ctx.area_asked, consent=ctx.consent,
            )
            for letter in outbound:
                await queue(turn.connection, letter.learner_id, letter.message.to_json(),
                            to=letter.to, about=turn.learner.id)
            if turn.learner.waiting and reopened(
                    incoming.channel, reachable=turn.learner.reachable,
                    used_at=turn.learner.app_used_at, at=now()):
                # This message opened the app again (Zalo OA's window, a follow): what
                # waited on a web page for want of it comes here now.
                await reroute(turn.connection, turn.learner.id)
            if incoming.channel not in self.kept_replies:
                tried[:] = waiting + ctx.replies
            else:  # kept for the app the turn came from: replies go back where asked
                here = (incoming.channel, incoming.user_ref)
                tried[:] = waiting + [replace(reply, kept_as=await queue(
                    turn.connection, turn.learner.id, reply.to_json(), to=here,
                    about=turn.learner.id, owner=self.process_id)) for reply in ctx.replies]
            return list(tried)

    async def _replies_of_a_lost_answer(self, tried: list[Outgoing]) -> list[Outgoing]:
        """An earlier try's replies, found done: what its commit kept. A kept reply still in
        the outbox is unsent (a later try's would have other ids); the web chat's and the
        terminal's are not kept, and the done mark says their commit went through."""
        kept_ids = [reply.kept_as for reply in tried if reply.kept_as is not None]
        if not kept_ids:
            return tried
        async with self.repository.transaction() as connection:
            kept = await still_kept(connection, kept_ids)
        return [reply for reply in tried if reply.kept_as is None or reply.kept_as in kept]

    async def _take_over(self, connection: Connection, learner_id: int,
                         incoming: Incoming) -> list[Outgoing]:
        """The learner's replies that a dead process kept and may not have sent, to go before
        this turn's own: a crash must not let newer replies overtake them.

        A reply whose button was just pressed has arrived, and so has every reply kept before
        it (a chat's replies go in order): those are forgotten, not sent again.
        """
        owed = [(kept_as, Outgoing.from_json(body)) for kept_as, body in
                await owed_by_the_dead(connection, learner_id, gone_after=self.owner_gone_after)]
        proven = max((number for number, (_, reply) in enumerate(owed, start=1)
                      if incoming.pressed_on and incoming.pressed_on == tuple(
                          button.payload for button in reply.flat_buttons())), default=0)
        if proven:
            await forget(connection, [kept_as for kept_as, _ in owed[:proven]])
        rest = owed[proven:]
        if rest and self.process_id is not None:
            await adopt(connection, [kept_as for kept_as, _ in rest], self.process_id)
        return [replace(reply, kept_as=kept_as) for kept_as, reply in rest]

    async def settle(self, replies: list[Outgoing]) -> None:
        """Forget the kept copies of replies now sent (or kept as failed sends). On SQLite
        the deletions of chats sending at the same moment share a commit with the turns."""
        kept = [reply.kept_as for reply in replies if reply.kept_as is not None]
        if kept:  # as patient as a turn: a copy left behind would be sent again after a restart
            await self._until_committed(lambda: self._forget(kept))

    async def _forget(self, kept: list[int]) -> None:
        async with self.repository.transaction() as connection:
            await forget(connection, kept)

    async def inbox(self, *, channel: str, user_ref: str,
                    active_since: datetime | None = None) -> list[Outgoing]:
        """Hand over the messages waiting for this app account of a learner (none for one
        idle since `active_since`). Only its own: a kiosk page left open takes nothing
        meant for the person's other apps."""
        learner = await self.repository.find_learner(channel=channel, user_ref=user_ref,
                                                     active_since=active_since)
        if learner is None:
            return []

        async def hand() -> list[Outgoing]:
            async with self.repository.transaction() as connection:
                return [Outgoing.from_json(body) for body in await hand_over(
                    connection, learner.id, channels={channel}, user_ref=user_ref)]
        return await self._again_if_undone(hand)

    async def invitation_link(self, code: str) -> str:
        """The link a live invitation's or link code's QR code holds; "" for a code that is
        unknown, expired, used or revoked, or when there is nowhere to link to."""
        if normalize_link(code) == code:  # a link code (/lien_ket): scanned at the kiosk
            live = await link_is_live(self.repository.engine, code)
        else:
            live = await invitation_is_live(self.repository.engine, code)
        return self.links.for_qr(code) if live else ""

    async def certificate(self, code: str) -> Certificate | None:
        """The certificate with this code (the public verify page's), or None."""
        return await find_certificate(self.repository.engine, code)

    async def _again_if_undone(self, transaction: Callable[[], Awaitable[T]]) -> T:
        """Run a write transaction that is not a turn. On SQLite it shares a commit with the
        turns, and another turn's failure undoes it (RunAgain): it runs again at once, as a
        turn does. An unreachable database is the caller's to answer at once (a page's 503, a
        webhook the platform sends again): there is no reply to wait for."""
        return await retry(transaction, retry_on=lambda _error: False, wait=backoff(0.1),
                           asked_wait=_at_once_if_undone,
                           deadline=time.monotonic() + self.patience_seconds)

    async def new_learner(self, *, channel: str, user_ref: str) -> None:
        """Register a learner before their first message (the web chat's new session)."""
        await self._again_if_undone(
            lambda: self.repository.create_learner(channel=channel, user_ref=user_ref))

    async def end_session(self, *, channel: str, user_ref: str) -> bool:
        """End a session for good (the web chat's "someone else uses this computer"): its id
        opens nothing any more, and what waited for it goes to the person's other apps.
        False when there was no such learner."""
        async def end() -> bool:
            async with self.repository.transaction() as connection:
                person = await detach(connection, channel=channel, user_ref=user_ref)
                if person is not None:
                    await reroute(connection, person)
            return person is not None
        return await self._again_if_undone(end)

    async def set_reachable(self, *, channel: str, user_ref: str, reachable: bool) -> bool:
        """Record whether messages can reach a learner's app account (the bot blocked or
        back); what waits for them goes to an app that can take it. False when there is no
        such account."""
        async def mark() -> bool:
            async with self.repository.transaction() as connection:
                person = await mark_reachable(connection, channel=channel, user_ref=user_ref,
                                              reachable=reachable)
                if person is not None:
                    await reroute(connection, person)
            return person is not None
        return await self._again_if_undone(mark)

    async def readdress(self) -> int:
        """Send on what waits for an app account that is no longer its recipient's (separated
        while a worker held the message, or while another turn addressed it): to an app of
        theirs that can take it, or nowhere. Return how many people's messages moved."""
        async def send_on() -> int:
            async with self.repository.transaction() as connection:
                people = await misaddressed(connection)
                for person in people:
                    await reroute(connection, person)
            return len(people)
        return await self._again_if_undone(send_on)

    async def keep_failed_send(self, *, channel: str, user_ref: str, text: str,
                               error: str) -> None:
        """Keep a reply that could not be delivered, so nothing is dropped silently."""
        await self.repository.record_failed_send(channel=channel, user_ref=user_ref,
                                                 text=text, error=error)
