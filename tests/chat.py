"""A learner driving the Tutor in tests: type text, press buttons by label, read replies."""

import itertools

from bot.lessons.model import Lesson
from bot.lessons.render import address_values
from bot.messages import Incoming, Kind, Outgoing
from bot.tutor import Tutor

_ids = itertools.count(1)


class Chat:
    """One learner's conversation with a Tutor, remembering the replies last received."""

    def __init__(self, tutor: Tutor, user: str = "u1", channel: str = "test",
                 display_name: str = "") -> None:
        self.tutor = tutor
        self.user = user
        self.channel = channel
        self.display_name = display_name
        self.last: list[Outgoing] = []
        self.address = "ban"  # how the tutor was asked to call them

    async def send(self, incoming: Incoming) -> list[Outgoing]:
        self.last = await self.tutor.handle(incoming)
        return self.last

    def incoming(self, kind: Kind, *, text: str = "", payload: str = "",
                 update_id: str | None = None) -> Incoming:
        return Incoming(channel=self.channel, user_ref=self.user, kind=kind, text=text,
                        payload=payload, display_name=self.display_name,
                        update_id=update_id if update_id is not None else f"u{next(_ids)}")

    async def start(self, *, agree: bool = True, address: str | None = "ban") -> list[Outgoing]:
        """Send /start; a learner who has not agreed yet taps "Tôi đồng ý" too (unless not
        `agree`), then picks how to be called (`address`, with their messenger's name, or
        none; None leaves the question), and the replies of all those turns come back
        together."""
        replies = await self.send(self.incoming(Kind.START))
        if agree and self._shown(replies, "agree"):
            replies = replies + await self.tap("agree")
        if address is not None and self._shown(replies, f"ad:{address}"):
            self.address = address
            replies = replies + await self.tap(f"ad:{address}")
            replies = replies + await self.tap(
                "namekeep" if self._shown(replies[-1:], "namekeep") else "skip")
        self.last = replies
        return replies

    @staticmethod
    def _shown(replies: list[Outgoing], payload: str) -> bool:
        return any(b.payload == payload for r in replies for b in r.flat_buttons())

    async def type(self, text: str) -> list[Outgoing]:
        return await self.send(self.incoming(Kind.TEXT, text=text))

    async def tap(self, payload: str) -> list[Outgoing]:
        return await self.send(self.incoming(Kind.BUTTON, payload=payload))

    def read(self, source: str) -> str:
        """An author's text (a question, an option) as this learner reads it."""
        if "{{" not in source:
            return source
        address = address_values(self.tutor.library.templates, self.address)
        return self.tutor.renderer.course_text(source, name=self.display_name, **address)

    def payload_of(self, label: str) -> str:
        """Return the payload of the last shown button whose label contains `label` (an
        author's text, such as a quiz option, as a learner called "bạn" reads it)."""
        label = self.read(label)
        for reply in reversed(self.last):
            for button in reply.flat_buttons():
                if label in button.label:
                    return button.payload
        raise AssertionError(f"no button '{label}' in {[r.text[:40] for r in self.last]}")

    async def press(self, label: str) -> list[Outgoing]:
        return await self.tap(self.payload_of(label))

    async def learn(self, course_id: str, lesson_id: str) -> list[Outgoing]:
        """Open a lesson and go through its steps (check questions answered right) up to
        its quiz's first question, as a quiz is reached: only after its lesson. A lesson
        half-finished meanwhile is left (the "switch" button)."""
        course = self.tutor.library.course(course_id)
        lesson = course.lesson(lesson_id) if course else None
        assert lesson is not None, (course_id, lesson_id)
        replies = await self.tap(f"l:{course_id}:{lesson_id}")
        switch = self._payloads(replies, "s:")
        if switch:
            replies = await self.tap(switch[0])
        for step in lesson.steps:
            if step.check is not None:
                answer = [p for p in self._payloads(self.last, "a:")
                          if p.endswith(f":{step.check.answer}")]
                replies = await self.tap(answer[0])
            else:
                replies = await self.tap(self._payloads(self.last, "n:")[0])
        return replies

    @staticmethod
    def _payloads(replies: list[Outgoing], prefix: str) -> list[str]:
        return [b.payload for r in replies for b in r.flat_buttons()
                if b.payload.startswith(prefix)]

    def text(self) -> str:
        return "\n".join(reply.text for reply in self.last)


async def answer_quiz(chat: Chat, lesson: Lesson, *, right: bool = True) -> None:
    """Answer each question of `lesson`'s quiz, all right or all wrong, by its label, as it is
    asked: a retake asks its questions and options in an order of its own."""
    for _ in lesson.quiz:
        shown = next(q for q in lesson.quiz if chat.read(q.question) in chat.last[-1].text)
        option = shown.answer if right else shown.answer % len(shown.options) + 1
        await chat.press(shown.options[option - 1])
