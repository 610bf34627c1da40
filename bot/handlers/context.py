"""The Context a handler works with: the learner's turn, the content, and the replies so far."""

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cached_property
from typing import Any

from bot.handlers import payloads
from bot.handlers.payloads import Payload
from bot.handlers.reach import UNREACHABLE, pick
from bot.handlers.rules import InviteLinks, MentoringRules
from bot.lessons.model import BASE_LOCALE, MENTOR_COURSE, Course, Lesson, Library, Question
from bot.lessons.progress import Position
from bot.lessons.render import (
    DEFAULT_ADDRESS,
    Renderer,
    address_name,
    address_values,
    given_name,
    render_question,
)
from bot.listening.names import is_name
from bot.messages import Attachment, Button, Incoming, Outgoing, shown_label
from bot.throttle import Guesses
from storage.clock import now
from storage.identities import apps_of
from storage.mentoring import MentoringQueries
from storage.outbox import App
from storage.repository import LearnerTurn, keep_failed, readers
from storage.transactions import Connection

Rows = list[list[Button]]
# Up to the smallest channel's message limit (Zalo's), so a merged reply is never split again.
MERGED_CHARS = 2000


def merges_into(first: Outgoing, second: Outgoing) -> bool:
    """Whether `second` can be said in the same message as `first`: text with no buttons
    (feedback, a heading) followed by a text, with or without buttons, that both fit."""
    plain = not (first.buttons or first.image or first.qr or first.attachment)
    return (plain and not (second.image or second.qr or second.attachment)
            and len(first.text) + len(second.text) + 2 <= MERGED_CHARS)


@dataclass(frozen=True)
class State:
    """What the learner was asked and what typed text answers: a registered state's name
    (bot/handlers/registry.py `Waits`) and the data its handler needs."""

    name: str
    data: Mapping[str, Any] = field(default_factory=dict)


Label = tuple[str, str] | tuple[str, str, Mapping[str, Any]]  # (text key, payload[, values])


@dataclass(frozen=True)
class Told:
    """A message for someone else, rendered later in their own language and form of address
    (bot/tutor.py): a template key and its values, and rows of labelled buttons."""

    learner_id: int
    key: str
    values: Mapping[str, Any]
    rows: tuple[tuple[Label, ...], ...] = ()
    # One app account of theirs (a notice for that app); None: wherever it can reach them.
    to: App | None = None
    push_only: bool = False  # a reminder: only to an app that pushes, else not at all

    def render(self, renderer: Renderer, address: Mapping[str, str], locale: str) -> Outgoing:
        """The message as its reader reads it."""
        def label(item: Label) -> Button:
            values = item[2] if len(item) > 2 else {}  # type: ignore[misc]
            return Button(renderer.message(item[0], **{**address, **values}), item[1])

        return Outgoing(text=renderer.message(self.key, **{**address, **self.values}),
                        buttons=tuple(tuple(label(item) for item in row)
                                      for row in self.rows if row), locale=locale)


@dataclass(frozen=True)
class Letter:
    """A message written for someone else, and the app account of theirs it goes to."""

    learner_id: int
    to: App
    message: Outgoing


class Writer:
    """Writes messages for other people, each in their own language and form of address, and
    addresses them to the app that can take them (bot/handlers/reach.py)."""

    def __init__(self, base: Library, renderers: Mapping[str, Renderer]) -> None:
        self.base = base
        self.renderers = renderers

    async def write(self, connection: Connection, told: list[Told], *,
                    at: datetime | None = None) -> list[Letter]:
        """The messages, as their readers read them, each to the app that can take it at
        `at` (now); one for a person no app of theirs can take is not written."""
        if not told:
            return []
        ids = {item.learner_id for item in told}
        found, apps = await readers(connection, ids), await apps_of(connection, ids)
        when = at or now()
        written = []
        for item in told:
            app = pick(apps[item.learner_id], when, push_only=item.push_only, only=item.to)
            if app is None and (item.push_only or not apps[item.learner_id]):
                continue  # a reminder with nowhere to go lapses; an erased person is gone
            locale, settings = found.get(item.learner_id, (BASE_LOCALE, {}))
            renderer = self.renderers.get(locale) or self.renderers[BASE_LOCALE]
            address = address_values(self.base.in_locale(locale).templates,
                                     str(settings.get("address") or DEFAULT_ADDRESS))
            message = item.render(renderer, address, locale)
            if app is None:  # no app of theirs can be reached: kept where staff see it
                last = max(apps[item.learner_id], key=lambda account: account.last_used_at)
                await keep_failed(connection, channel=last.channel, user_ref=last.user_ref,
                                  text=message.text, error=UNREACHABLE)
                continue
            written.append(Letter(item.learner_id, app.key, message))
        return written


@dataclass
class Context:
    """One turn: handlers read `position`, set a new one and append replies with `say`."""

    incoming: Incoming
    turn: LearnerTurn
    base: Library  # the Vietnamese library, which holds every translation
    renderers: Mapping[str, Renderer]  # the shared texts, one renderer a locale
    position: Position
    locale: str = BASE_LOCALE  # the learner's; a handler may change it for the rest of the turn
    rules: MentoringRules = field(default_factory=MentoringRules)
    links: InviteLinks = field(default_factory=InviteLinks)
    guesses: Guesses = field(default_factory=Guesses)  # the process's count of wrong codes
    replies: list[Outgoing] = field(default_factory=list)
    # Messages for other people (a mentor's alert, a nudge), queued in the turn's transaction.
    outbound: list[Told] = field(default_factory=list)
    # What the learner chose that features keep (Learner.settings); saved when changed.
    settings: dict[str, Any] = field(default_factory=dict)
    # Set by a handler that asks for typed text; any other turn clears it.
    state: State | None = None
    ward: str | None = None  # set when the learner names their ward
    area: str | None = None  # set when the learner picks their place (an area id)
    area_asked: bool = False  # set when the learner is asked where they live
    consent: bool = False  # set when the learner agrees to what is kept
    erase: bool = False  # set when everything about the learner is to be deleted this turn
    _last_alone: bool = field(default=False, init=False, repr=False)
    # The words of each (locale, form of address) used in this turn: a turn renders a dozen
    # texts, and building them for each was 2 % of a web chat request's CPU.
    _addresses: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict, init=False,
                                                              repr=False)

    @cached_property
    def mentoring(self) -> MentoringQueries:
        """Mentoring queries in this turn's transaction."""
        return MentoringQueries(self.turn.connection, self.turn.learner.id)

    @property
    def library(self) -> Library:
        """The courses and texts in the learner's language."""
        return self.base.in_locale(self.locale)

    @property
    def renderer(self) -> Renderer:
        return self.renderers.get(self.locale) or self.renderers[BASE_LOCALE]

    def address(self) -> dict[str, str]:
        """How the learner is addressed: {{ you }}, {{ me }} and the like, in their language."""
        key = self.locale, str(self.settings.get("address") or DEFAULT_ADDRESS)
        found = self._addresses.get(key)
        if found is None:
            found = self._addresses[key] = address_values(self.library.templates, key[1])
        return found

    def course_text(self, source: str) -> str:
        """A text that an author wrote (a step, a command's help line), as this learner
        reads it."""
        return self.renderer.course_text(source, name=self.called_as, **self.address())

    def question(self, question: Question) -> Question:
        """A question as this learner reads it."""
        return render_question(self.renderer, question, name=self.called_as,
                               **self.address())

    @property
    def connection(self) -> Connection:
        """The turn's connection (for event subscribers, which also run outside turns)."""
        return self.turn.connection

    @property
    def asked(self) -> State | None:
        """The question asked in the learner's previous turn, if it waits for an answer."""
        learner = self.turn.learner
        return State(learner.state, learner.state_data) if learner.state else None

    def ask(self, state: str, **data: Any) -> None:
        """Wait for typed text that answers `state` (a registered Waits), with `data`."""
        self.state = State(state, data)

    @property
    def display_name(self) -> str:
        """The name the learner chose to be called by ("" when they chose none: skipping the
        name hides their messenger's too), else their messenger's if it is a name: anyone
        can set a link or a phone number as their messenger's name, and others see this one."""
        if "called" in self.settings:
            return str(self.settings["called"])
        messenger = self.incoming.display_name or self.turn.learner.display_name
        return messenger if is_name(messenger) else ""

    @property
    def called_as(self) -> str:
        """The name said after {{ you }} in what the learner reads: "bác Lan" for a learner
        called "Bà Lan" or "Nguyễn Thị Lan" as "bác" (mentors, organizers and certificates
        keep the whole name)."""
        return given_name(address_name(self.display_name, self.address()["you"]))

    def text(self, key: str, **values: Any) -> str:
        """Render a shared message template, addressing the learner as they chose."""
        return self.renderer.message(key, **{**self.address(), **values})

    def button(self, key: str, payload: str | Payload, **values: Any) -> Button:
        """Make a button whose label is the shared template `key`."""
        packed = payload if isinstance(payload, str) else payload.pack()
        return Button(label=self.text(key, **values), payload=packed)

    def say(self, text: str, rows: Rows | None = None, image: str | None = None,
            invitation: str = "", attachment: Attachment | None = None,
            alone: bool = False) -> None:
        """Queue a reply to the learner. A text right after a plain text joins its message
        (feedback and the next question arrive as one: one call, one notification), unless
        that one was said `alone`."""
        buttons = tuple(tuple(row) for row in rows or [] if row)
        qr = self.links.for_qr(invitation) if invitation else ""  # a picture of the code's link
        reply = Outgoing(text=text, buttons=buttons, image=image, qr=qr, invitation=invitation,
                         attachment=attachment, locale=self.locale)
        if self.replies and not self._last_alone and merges_into(self.replies[-1], reply):
            self.replies[-1] = replace(reply, text=f"{self.replies[-1].text}\n\n{text}")
        else:
            self.replies.append(reply)
        self._last_alone = alone

    def tell(self, learner_id: int, key: str, rows: list[list[Label]] | None = None, *,
             to: App | None = None, **values: Any) -> None:
        """Queue the message `key` for someone else (or for this person on another app of
        theirs, `to`), with buttons as (label key, payload); it is written in their language
        and form of address, and sent after this turn commits."""
        self.outbound.append(Told(learner_id, key, values,
                                  tuple(tuple(row) for row in rows or []), to=to))

    def menu_row(self) -> list[Button]:
        """The way home that every screen offers."""
        return [self.button("button_menu", payloads.MENU)]

    def resident_courses(self) -> list[Course]:
        """The courses residents are offered: all but the mentor course (reached by its own
        door, /lam_nguoi_kem), unless the learner is in it now."""
        return [course for course in self.library.courses
                if course.id != MENTOR_COURSE or course.id == self.position.course_id]

    def current_course_lesson(self) -> tuple[Course, Lesson] | None:
        """Return the course and lesson the position points at, if both still exist."""
        course = self.library.course(self.position.course_id)
        lesson = course.lesson(self.position.lesson_id) if course else None
        return (course, lesson) if course and lesson else None

    def shown_buttons(self) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
        """Payloads and labels of the last reply with buttons (what a typed digit or label
        picks), if any."""
        for reply in reversed(self.replies):
            if reply.buttons:
                buttons = reply.flat_buttons()
                return (tuple(button.payload for button in buttons),
                        tuple(shown_label(button.label) for button in buttons))
        return None
