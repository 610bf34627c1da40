"""Becoming a mentor: name, ward and unit, then the mentor course; only then mentees."""

from collections.abc import Mapping
from typing import Any

from bot.handlers import help, payloads, where
from bot.handlers.context import Context, Rows
from bot.handlers.events import QuizFinished
from bot.handlers.payloads import StartLesson
from bot.handlers.registry import Command, Feature, Waits
from bot.lessons.model import MENTOR_COURSE, Course, Lesson
from bot.lessons.progress import passed
from bot.listening.names import capitalised, is_name, shown_problem
from bot.messages import Kind
from storage.mentors import MentorRecord

MAX_NAME = 64
MAX_PLACE = 128


def tidy(text: str, limit: int) -> str:
    """Typed details as stored: single spaces, at most `limit` characters."""
    return " ".join(text.split())[:limit]


async def start(ctx: Context) -> None:
    """/lam_nguoi_kem: the mentor's home, the course still to pass, or the first question."""
    mentor = await ctx.mentoring.mentor()
    if mentor is not None and mentor.suspended:  # by an organizer: not signing up again
        ctx.say(ctx.text("mentor_suspended"), [ctx.menu_row()])
    elif mentor is not None and mentor.can_mentor and mentor.name and not mentor.ward:
        # Approved by an organizer before giving a ward: "Tìm người kèm" finds mentors by it.
        ctx.say(ctx.text("mentor_ask_ward", name=mentor.name), [ctx.menu_row()])
        ctx.ask("mentor_ward")
    elif mentor is not None and mentor.can_mentor and mentor.name:
        await home(ctx, mentor)
    elif mentor is not None and mentor.status == "training":
        await offer_course(ctx, mentor)
    else:
        ctx.say(ctx.text("mentor_intro"), [ctx.menu_row()])
        ctx.ask("mentor_name")


async def not_yet(ctx: Context, mentor: MentorRecord | None) -> None:
    """A mentor's screen (their learners, their code) asked for by someone who may not mentor:
    a volunteer on the way is shown what is left. Anyone else pressed a button only mentors
    are shown, refused as any never shown is; typed (/hoc_vien), it leads to signing up."""
    if mentor is None and ctx.incoming.kind == Kind.BUTTON:
        help.stale_button(ctx)
    else:
        await start(ctx)


async def home(ctx: Context, mentor: MentorRecord) -> None:
    """What a trained mentor can do."""
    count = await ctx.mentoring.active_mentees()
    ctx.say(ctx.text("mentor_home", name=mentor.name, ward=mentor.ward, count=count,
                     capacity=ctx.rules.capacity), mentor_rows(ctx))


def mentor_rows(ctx: Context) -> Rows:
    """A mentor's two actions and the way home."""
    return [[ctx.button("button_mentees", payloads.MENTEES)],
            [ctx.button("button_invite", payloads.INVITE)], ctx.menu_row()]


async def on_input(ctx: Context, field: str, text: str) -> None:
    """A typed answer to one of the registration questions."""
    mentor = await ctx.mentoring.mentor()
    if mentor is not None and mentor.suspended:  # suspended while answering
        ctx.say(ctx.text("mentor_suspended"), [ctx.menu_row()])
        return
    # Residents read these in Học Số's own messages ("Tình nguyện viên … muốn kèm bác"):
    # never a link, a phone number, markup or a request for money there.
    if field == "mentor_name":
        name = capitalised(" ".join(text.split()))
        if not 2 <= len(name) <= MAX_NAME or not is_name(name):
            ctx.say(ctx.text("mentor_bad_name", limit=MAX_NAME), [ctx.menu_row()])
            ctx.ask(field)
            return
        await ctx.mentoring.save_mentor(full_name=name)
        ctx.say(ctx.text("mentor_ask_ward", name=name), [ctx.menu_row()])
        ctx.ask("mentor_ward")
    elif field == "mentor_ward":
        ward = tidy(text, MAX_PLACE)
        problem = shown_problem(ward)
        if len(ward) < 2 or problem:
            if problem:
                ctx.say(ctx.text("mentor_not_shown", unit=False, reason=problem))
            ctx.say(ctx.text("mentor_ask_ward", name=""), [ctx.menu_row()])
            ctx.ask(field)
            return
        district = where.old_district(ctx, ward)
        if district:  # several of today's communes: which one, as the place question asks
            where.ask_within_old_district(ctx, district, field, mentor=True)
            return
        place = where.exact_place(ctx, ward)
        ward = place.name if place else ward
        await ctx.mentoring.save_mentor(ward=ward)
        if not ctx.turn.learner.ward:  # a resident's ward too, unless they gave one
            ctx.ward = ward
            ctx.area = place.id if place else None
        _ask_unit(ctx)
    elif problem := shown_problem(text):  # mentor_unit
        ctx.say(ctx.text("mentor_not_shown", unit=True, reason=problem))
        _ask_unit(ctx)
    else:  # mentor_unit; skipped when empty
        await ctx.mentoring.save_mentor(unit=tidy(text, MAX_PLACE))
        mentor = await ctx.mentoring.mentor()
        assert mentor is not None
        if mentor.can_mentor:  # approved by an organizer before giving their details
            await home(ctx, mentor)
            return
        await ctx.mentoring.save_mentor(status="training")
        if not await _promote_if_trained(ctx, mentor):
            await offer_course(ctx, mentor)


def _ask_unit(ctx: Context) -> None:
    ctx.say(ctx.text("mentor_ask_unit"), [[ctx.button("button_skip", payloads.SKIP)],
                                         ctx.menu_row()])
    ctx.ask("mentor_unit")


async def offer_course(ctx: Context, mentor: MentorRecord) -> None:
    """Point the volunteer at the next lesson of the mentor course they have not passed."""
    course = ctx.library.course(MENTOR_COURSE)
    if course is None:  # a deployment without the course: an organizer approves mentors
        ctx.say(ctx.text("mentor_wait_approval", name=mentor.name), [ctx.menu_row()])
        return
    todo = await _lessons_to_pass(ctx, course)
    lesson = todo[0] if todo else course.lessons[0]
    ctx.say(ctx.text("mentor_training", name=mentor.name, course=course.title,
                     lessons=len(course.lessons), left=len(todo)),
            [[ctx.button("button_start_lesson", StartLesson(course.id, lesson.id))],
             ctx.menu_row()])


async def after_quiz(ctx: Context, event: QuizFinished) -> None:
    """After a mentor-course quiz: a volunteer who has now passed it all may take mentees."""
    if event.course.id != MENTOR_COURSE:
        return
    mentor = await ctx.mentoring.mentor()
    if mentor is not None and mentor.status == "training":
        await _promote_if_trained(ctx, mentor)


async def _promote_if_trained(ctx: Context, mentor: MentorRecord) -> bool:
    course = ctx.library.course(MENTOR_COURSE)
    if course is None or await _lessons_to_pass(ctx, course):
        return False
    await ctx.mentoring.mark_trained()
    ctx.say(ctx.text("mentor_trained", name=mentor.name), mentor_rows(ctx))
    return True


async def _lessons_to_pass(ctx: Context, course: Course) -> list[Lesson]:
    best = {score.lesson_id: score for score in await ctx.turn.lesson_scores()
            if score.course_id == course.id}
    return [lesson for lesson in course.lessons if lesson.id not in best
            or not passed(best[lesson.id].best_correct, best[lesson.id].total)]


def _waits(field: str) -> Waits:
    async def typed(ctx: Context, text: str, data: Mapping[str, Any]) -> None:
        await on_input(ctx, field, text)

    async def skipped(ctx: Context, data: Mapping[str, Any]) -> None:
        await on_input(ctx, field, "")

    # A command's words are nobody's full name: "học viên của tôi" leaves the question.
    return Waits(field, typed, skip=skipped if field == "mentor_unit" else None,
                 yields_to_words=field == "mentor_name")


FEATURE = Feature(
    commands=(Command(payloads.BECOME_MENTOR, start),),
    waits=tuple(_waits(field) for field in ("mentor_name", "mentor_ward", "mentor_unit")),
    events={QuizFinished: after_quiz},
    samples={
        "mentor_intro": {}, "mentor_bad_name": {"limit": 64},
        "mentor_not_shown": {"unit": True, "reason": "money"},
        "mentor_ask_ward": {"name": "Minh Anh"}, "mentor_ask_unit": {},
        "mentor_training": {"name": "Minh Anh", "course": "Khóa cho người kèm", "lessons": 3,
                            "left": 2},
        "mentor_wait_approval": {"name": "Minh Anh"}, "mentor_trained": {"name": "Minh Anh"},
        "mentor_suspended": {}, "mentor_suspended_note": {"name": "Minh Anh", "ended": True},
        "mentor_home": {"name": "Minh Anh", "ward": "Phường Hồng Hà", "count": 1, "capacity": 3},
    },
)
