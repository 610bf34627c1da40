"""Golden conversation transcripts: every course walked through, compared with tests/golden/."""

import re
from pathlib import Path

import pytest

from bot.lessons.loader import load_library
from bot.lessons.model import Course, Library, Question
from bot.messages import Button
from bot.tutor import Tutor
from tests.chat import Chat
from tests.conftest import CONTENT_DIR

GOLDEN = Path(__file__).parent / "golden"
# A certificate's code is random: the transcript shows where it goes, not what it is.
_CODE = re.compile(r"\b[A-HJ-NP-Z2-9]{8}\b")


def _buttons(chat: Chat) -> list[Button]:
    """The buttons of the last reply that has any (a certificate's picture has none)."""
    return next((reply.flat_buttons() for reply in reversed(chat.last) if reply.buttons), [])


class Transcript:
    """Records '> learner' and '< bot' lines as a conversation goes."""

    def __init__(self, chat: Chat) -> None:
        self.chat = chat
        self.lines: list[str] = []

    def _record(self, said: str) -> None:
        self.lines.append(f"> {said}")
        for reply in self.chat.last:
            if reply.image:
                self.lines.append(f"< [ảnh {reply.image}]")
            text = _CODE.sub("XXXXXXXX", reply.text) if "/xac-minh/" in reply.text or \
                "Mã xác minh" in reply.text else reply.text
            self.lines += [f"< {line}".rstrip() for line in text.splitlines()]
            self.lines += [f"<   ({n}) {button.label}"
                           for n, button in enumerate(reply.flat_buttons(), start=1)]
        self.lines.append("")

    async def start(self, address: str) -> None:
        await self.chat.start(address=address)
        self._record("/start")

    async def type(self, text: str) -> None:
        await self.chat.type(text)
        self._record(text)

    async def press(self, label: str) -> None:
        await self.chat.press(label)
        self._record(f"[bấm] {self.chat.read(label)}")

    async def open_course(self, course: Course) -> None:
        """Press the course in the menu; a course the menu does not list is opened directly."""
        shown = [button.label for reply in self.chat.last for button in reply.flat_buttons()]
        if any(course.title in label for label in shown):
            await self.press(course.title)
        else:  # the mentor course: volunteers reach it from /lam_nguoi_kem
            await self.chat.tap(f"c:{course.id}")
            self._record(f"[mở khóa] {course.title}")


def _asked(chat: Chat, course: Course) -> Question | None:
    """The check or quiz question shown in the last replies, if any."""
    shown = chat.text()
    for lesson in course.lessons:
        for question in [*lesson.quiz, *(s.check for s in lesson.steps if s.check)]:
            if chat.read(question.question) in shown and _buttons(chat)[
                    0].label in [chat.read(option) for option in question.options]:
                return question
    return None


async def walk_course(transcript: Transcript, course: Course) -> None:
    """Go through every lesson, typing sometimes, with one wrong answer per lesson's quiz."""
    chat = transcript.chat
    for number, lesson in enumerate(course.lessons):
        await transcript.open_course(course)
        await transcript.press(lesson.title)
        if number == 0:
            await transcript.type("tiếp")  # typing works like the button
            await transcript.type("2")  # "Nhắc lại", the second button
        wrong_given = False
        while "Về menu" in _buttons(chat)[-1].label:
            question = _asked(chat, course)
            labels = [button.label for button in _buttons(chat)]
            if question is None and any("Tiếp tục" in label for label in labels):
                await transcript.press("Tiếp tục")
                continue
            if question is None:
                break
            in_quiz = question in lesson.quiz
            choice = question.answer
            if in_quiz and not wrong_given:
                choice = question.answer % len(question.options) + 1
                wrong_given = True
            await transcript.press(question.options[choice - 1])
            if "Làm lại bài kiểm tra" in _buttons(chat)[0].label:
                break
        await transcript.press("Về menu")
    await transcript.press("Tiến độ của tôi")


@pytest.mark.parametrize("course_id", [course.id for course in load_library(CONTENT_DIR).courses])
async def test_course_transcript(tutor: Tutor, library: Library, course_id: str,
                                 request: pytest.FixtureRequest) -> None:
    course = library.course(course_id)
    assert course is not None
    transcript = Transcript(Chat(tutor, user="golden"))
    # Residents' courses as an elder reads them ("bác … cháu … ạ"); the mentor course as a
    # young volunteer does ("bạn … tôi").
    await transcript.start("ban" if course_id == "nguoi-kem" else "bac")
    await walk_course(transcript, course)
    text = "\n".join(transcript.lines)
    golden = GOLDEN / f"{course.id}.txt"
    if request.config.getoption("--update-golden"):
        golden.write_text(text, encoding="utf-8")
    assert golden.exists(), f"no golden transcript: run pytest --update-golden ({golden})"
    assert text == golden.read_text(encoding="utf-8")
    for lesson in course.lessons:  # every quiz finished, with exactly the one wrong answer
        assert f"Kết quả: đúng {len(lesson.quiz) - 1}/{len(lesson.quiz)} câu" in text
