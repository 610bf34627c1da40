"""Two people and the mentoring flows through one Tutor: a volunteer and a resident."""

from bot.handlers.mentor_signup import MENTOR_COURSE
from bot.lessons.model import Library
from bot.messages import Outgoing
from bot.tutor import Tutor
from tests.chat import Chat


async def received(tutor: Tutor, chat: Chat) -> list[Outgoing]:
    """Messages others' turns left for `chat` (handed over, as the web chat does)."""
    return await tutor.inbox(channel=chat.channel, user_ref=chat.user)


async def register(mentor: Chat, *, name: str = "Trần Minh Anh",
                   ward: str = "Phường Hồng Hà") -> None:
    """/lam_nguoi_kem and the three questions (the unit skipped)."""
    await mentor.start()
    await mentor.type("/lam_nguoi_kem")
    await mentor.type(name)
    await mentor.type(ward)
    await mentor.press("Bỏ qua")


async def pass_course(chat: Chat, library: Library, course_id: str = MENTOR_COURSE) -> None:
    """Take every quiz of a course and answer every question right."""
    course = library.course(course_id)
    assert course is not None
    for lesson in course.lessons:
        await chat.learn(course.id, lesson.id)
        for question in lesson.quiz:
            await chat.press(question.options[question.answer - 1])


async def trained_mentor(mentor: Chat, library: Library, **details: str) -> str:
    """A registered, trained mentor; return their invitation code."""
    await register(mentor, **details)
    await pass_course(mentor, library)
    await mentor.type("/lam_nguoi_kem")
    replies = await mentor.press("Mời học viên")
    return code_in(replies)


def code_in(replies: list[Outgoing]) -> str:
    """The KEM-XXXX-XXXX code an invitation message shows."""
    for reply in replies:
        for word in reply.text.split():
            if word.startswith("KEM-") and len(word) == len("KEM-XXXX-XXXX"):
                return word
    raise AssertionError(f"no code in {[r.text[:60] for r in replies]}")


async def paired(mentor: Chat, resident: Chat, library: Library) -> str:
    """A trained mentor and a resident who accepted their invitation; return the code."""
    code = await trained_mentor(mentor, library)
    await resident.start()
    await resident.type(code)
    await resident.press("Đồng ý")
    return code


async def write_check_in(mentor: Chat, how: str, day: str, note: str | None) -> None:
    """A mentor records a check-in from their mentees' page: how ("Gọi điện"), which day
    ("Hôm nay") and a note typed, or none ("Bỏ qua")."""
    await mentor.type("/hoc_vien")
    await mentor.press("Ghi buổi kèm")
    await mentor.press(how)
    await mentor.press(day)
    if note is None:
        await mentor.press("Bỏ qua")
    else:
        await mentor.type(note)


async def writing_a_nudge(tutor: Tutor, library: Library, mentor: Chat,
                          resident: Chat) -> None:
    """Pair the two (the resident's own messages read) and open the mentor's "type your own
    words" for the resident."""
    await paired(mentor, resident, library)
    await received(tutor, resident)
    await mentor.type("/hoc_vien")
    await mentor.press("Nhắn động viên")
    await mentor.press("Tự viết lời nhắn")
