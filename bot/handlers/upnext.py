"""The lesson a learner should take next: the first one not finished, their course first."""

from bot.handlers.context import Context
from bot.lessons.model import Course, Lesson
from storage.repository import LessonScore


def done_by_course(scores: list[LessonScore]) -> dict[str, set[str]]:
    """The ids of the finished lessons of each course."""
    done: dict[str, set[str]] = {}
    for score in scores:
        done.setdefault(score.course_id, set()).add(score.lesson_id)
    return done


def first_unfinished(course: Course, done: set[str]) -> Lesson | None:
    """The first lesson of `course` whose id is not in `done`."""
    return next((item for item in course.lessons if item.id not in done), None)


async def suggested(ctx: Context) -> tuple[Course, Lesson] | None:
    """The next unfinished lesson, in the course the learner was last in if it has one;
    None when every offered lesson is done."""
    done = done_by_course(await ctx.turn.lesson_scores())
    preferred = sorted(ctx.resident_courses(), key=lambda c: c.id != ctx.position.course_id)
    for course in preferred:
        following = first_unfinished(course, done.get(course.id, set()))
        if following is not None:
            return course, following
    return None
