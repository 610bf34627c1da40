"""Say in words where a learner is, and how long ago they were active (for mentors)."""

from datetime import datetime

from bot.handlers.context import Context
from bot.lessons.progress import Mode, Position, question_number
from bot.lessons.render import called_name
from storage.clock import VIETNAM, local_date
from storage.mentoring import PairingRecord

__all__ = ["VIETNAM", "days_ago", "describe_place", "local_date", "me_as_called", "mentee_called",
           "met", "who"]


def describe_place(ctx: Context, position: Position) -> str:
    """"Đang học bài X, bước 3/7" and the like, from a learner's stored place."""
    course = ctx.library.course(position.course_id)
    lesson = course.lesson(position.lesson_id) if course else None
    if position.mode == Mode.MENU or course is None or lesson is None:
        return ctx.text("place_none")
    if position.mode == Mode.LESSON:
        index = lesson.step_index(position.step_id)
        return ctx.text("place_lesson", lesson=lesson.title, course=course.title,
                        number=(index or 0) + 1, total=len(lesson.steps))
    return ctx.text("place_quiz", lesson=lesson.title, course=course.title,
                    number=question_number(position, lesson), total=len(lesson.quiz))


def days_ago(when: datetime, today: datetime | None = None) -> int:
    """Calendar days in Vietnam between `when` and now: 0 today, 1 yesterday."""
    return max(0, (local_date(today) - local_date(when)).days)


def who(ctx: Context, name: str, form: str = "") -> str:
    """A resident's name as their mentor reads it: after the form they chose to be called by
    ("bác Tư", "bà Mai"), or a polite stand-in when they gave no name."""
    return called_name(ctx.base.templates, name, form) if name else ctx.text("someone")


def mentee_called(ctx: Context, pairing: PairingRecord) -> str:
    """A pairing's resident as their mentor reads them ("bác Tư"; `who`)."""
    return who(ctx, pairing.mentee_name, pairing.mentee_form)


def met(pairing: PairingRecord) -> bool:
    """Whether the two have a way to reach each other: a code is handed over in person, while
    a mentor found through "Tìm người kèm" has neither the resident's number nor theirs (phone
    numbers never pass through Học Số), so texts offer a message or a meeting arranged
    through the ward's Youth Union instead of "gọi điện"."""
    return pairing.origin == "code"


def me_as_called(ctx: Context) -> str:
    """The turn's learner's name as others read it ("bác Tư"; `who`)."""
    return who(ctx, ctx.display_name, str(ctx.settings.get("address") or ""))
