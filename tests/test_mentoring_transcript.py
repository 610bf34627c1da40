"""The golden transcript of mentoring: a volunteer and a resident, as each of them reads it."""

import re
from pathlib import Path

import pytest

from bot.handlers.rules import InviteLinks
from bot.lessons.model import Library
from bot.messages import Outgoing
from bot.tutor import Tutor
from storage.repository import SqlRepository
from tests.chat import Chat
from tests.mentoring_helpers import pass_course, received

GOLDEN = Path(__file__).parent / "golden" / "mentoring.txt"


class TwoPeople:
    """Records who said what, what the bot answered, and what reached each person from others."""

    def __init__(self, tutor: Tutor, people: dict[str, Chat]) -> None:
        self.tutor = tutor
        self.people = people
        self.lines: list[str] = []

    def _show(self, prefix: str, replies: list[Outgoing]) -> None:
        for reply in replies:
            if reply.qr:
                self.lines.append(f"{prefix}[mã QR {reply.qr}]")
            self.lines += [f"{prefix}{line}".rstrip() for line in reply.text.splitlines()]
            self.lines += [f"{prefix}  ({n}) {button.label}"
                           for n, button in enumerate(reply.flat_buttons(), start=1)]

    async def act(self, who: str, action: str, value: str) -> None:
        chat = self.people[who]
        if action == "type":
            await chat.type(value)
        elif action == "press":
            await chat.press(value)
        else:
            await chat.start()
        self.lines.append(f"[{who}] > {value if action != 'press' else f'[bấm] {value}'}")
        self._show(f"[{who}] < ", chat.last)
        for other, their_chat in self.people.items():
            if other != who:
                waiting = await received(self.tutor, their_chat)
                if waiting:
                    self.lines.append(f"[{other}] (tin nhắn đến)")
                    self._show(f"[{other}] < ", waiting)
        self.lines.append("")


async def test_mentoring_transcript(sqlite_repository: SqlRepository, library: Library,
                                    request: pytest.FixtureRequest) -> None:
    tutor = Tutor(repository=sqlite_repository, library=library,
                  links=InviteLinks(telegram_username="hocso_bot"))
    mentor = Chat(tutor, user="mentor", channel="telegram", display_name="Minh Anh")
    resident = Chat(tutor, user="ba-lan", channel="zalo", display_name="Nguyễn Thị Lan")
    story = TwoPeople(tutor, {"người kèm": mentor, "bà Lan": resident})
    await story.act("người kèm", "start", "/start")
    for text in ("/lam_nguoi_kem", "Trần Minh Anh", "Phường Hồng Hà"):
        await story.act("người kèm", "type", text)
    await story.act("người kèm", "press", "Bỏ qua")
    await pass_course(mentor, library)  # the course itself has its own golden transcript
    story.lines += ["[người kèm] … học và làm đạt cả ba bài kiểm tra của khóa người kèm …", ""]
    await story.act("người kèm", "type", "/lam_nguoi_kem")
    await story.act("người kèm", "press", "Mời học viên")
    code = next(word for reply in mentor.last for word in reply.text.split()
                if word.startswith("KEM-"))
    story.lines = [line.replace(code, "KEM-XXXX") for line in story.lines]
    await story.act("bà Lan", "start", "/start")
    await story.act("bà Lan", "type", code)
    await story.act("bà Lan", "press", "Đồng ý")
    course = library.courses[0]
    lesson = course.lessons[0]
    await story.act("bà Lan", "press", "Về menu")
    await story.act("bà Lan", "press", course.title)
    await story.act("bà Lan", "press", lesson.title)
    await story.act("bà Lan", "press", "Tiếp tục")
    await story.act("bà Lan", "type", "/nguoi_kem")
    await story.act("bà Lan", "press", "Tôi cần giúp đỡ")
    await story.act("người kèm", "type", "/hoc_vien")
    await story.act("người kèm", "press", "Nhắn động viên")
    await story.act("người kèm", "press", "Sẵn sàng giúp")
    await story.act("người kèm", "press", "Học viên của tôi")
    await story.act("người kèm", "press", "Ghi buổi kèm")
    await story.act("người kèm", "press", "Gặp trực tiếp")
    await story.act("người kèm", "press", "Hôm nay")
    await story.act("người kèm", "type", "Chỉ bà cách bấm nút và gõ số")
    await story.act("bà Lan", "type", "/nguoi_kem")
    await story.act("bà Lan", "press", "Kết thúc kèm")
    await story.act("bà Lan", "press", "Có, kết thúc kèm")
    # The code is random and dates move: the transcript keeps their place, not their value.
    text = re.sub(r"\d\d/\d\d/\d{4}", "DD/MM/YYYY",
                  "\n".join(line.replace(code, "KEM-XXXX") for line in story.lines))
    if request.config.getoption("--update-golden"):
        GOLDEN.write_text(text, encoding="utf-8")
    assert GOLDEN.exists(), "no golden transcript: run pytest --update-golden"
    assert text == GOLDEN.read_text(encoding="utf-8")
