"""The learner's progress card, and resuming where they stopped."""

from bot.handlers import detour, lesson, payloads, quiz, upnext
from bot.handlers.context import Context
from bot.handlers.menu import SAMPLE_COURSES, show_menu
from bot.handlers.payloads import Repeat, StartLesson
from bot.handlers.registry import Command, Feature
from bot.handlers.reminder_times import goal_state
from bot.lessons.progress import Mode, passed, previous_step, question_number
from storage.clock import local_date


async def show(ctx: Context) -> None:
    """Show lessons done, best quiz scores and what comes next, course by course."""
    scores = await ctx.turn.lesson_scores()
    if not scores and ctx.position.mode == Mode.MENU:
        show_menu(ctx, ctx.text("progress_empty"))
        return
    done = upnext.done_by_course(scores)
    cards = []
    by_lesson = {(score.course_id, score.lesson_id): score for score in scores}
    taken = {score.course_id for score in scores}
    for course in ctx.resident_courses() + [c for c in ctx.library.courses if c.id in taken
                                            and c not in ctx.resident_courses()]:
        # In the course's own lesson order; scores of lessons since removed are left out.
        finished = [(item, by_lesson[course.id, item.id]) for item in course.lessons
                    if (course.id, item.id) in by_lesson]
        following = upnext.first_unfinished(course, done.get(course.id, set()))
        cards.append({
            "title": course.title,
            # Studied: through the lesson and its quiz, passed or not (as organizers count
            # lessons done); passed is said apart, so a quiz failed reads as no success.
            "done": len(finished),
            "passed": sum(passed(score.best_correct, score.total) for _, score in finished),
            "total": len(course.lessons),
            "scores": [{"lesson": item.title, "best": score.best_correct, "total": score.total,
                        "passed": passed(score.best_correct, score.total)}
                       for item, score in finished],
            "next_lesson": following.title if following else "",
            "current": _in_progress(ctx, course.id),
        })
    text = ctx.text("progress", courses=cards)
    goal, this_week, streak = goal_state(ctx.settings, local_date())
    if goal:  # the weekly goal the learner set (/nhac_hoc)
        text = f"{text}\n\n{ctx.text('goal_line', goal=goal, done=this_week, streak=streak)}"
    ctx.say(text, [[ctx.button("button_resume", payloads.RESUME)], ctx.menu_row()])


def _in_progress(ctx: Context, course_id: str) -> str:
    """The lesson of `course_id` the learner stopped in, with the step or question, else ""."""
    found = ctx.current_course_lesson()
    if ctx.position.mode == Mode.MENU or found is None or found[0].id != course_id:
        return ""
    _, current = found
    if ctx.position.mode == Mode.QUIZ:
        where = ctx.text("progress_at_question",
                         number=question_number(ctx.position, current), total=len(current.quiz))
    else:
        ids = [step.id for step in current.steps]
        where = ctx.text("progress_at_step", number=ids.index(ctx.position.step_id) + 1
                         if ctx.position.step_id in ids else 1, total=len(ids))
    return f"{current.title} ({where})"


def show_current(ctx: Context) -> None:
    """Say the step or question the learner is at (the menu when not in a lesson)."""
    if ctx.position.mode == Mode.LESSON:
        lesson.show_step(ctx)
    elif ctx.position.mode == Mode.QUIZ:
        quiz.show_question(ctx)
    else:
        show_menu(ctx)


async def resume(ctx: Context) -> None:
    """Continue the lesson in progress, or go back to the one a question led away from, or
    suggest the next unfinished lesson."""
    if ctx.position.mode != Mode.MENU:
        show_current(ctx)
        return
    if detour.offer(ctx):
        return
    found = await upnext.suggested(ctx)
    if found is None:
        show_menu(ctx, ctx.text("nothing_to_resume"))
        return
    course, following = found
    ctx.say(ctx.text("suggest_next", course=course.title, lesson=following.title,
                     finished=await _just_finished(ctx)),
            [[ctx.button("button_start_lesson", StartLesson(course.id, following.id))],
             ctx.menu_row()])


async def _just_finished(ctx: Context) -> str:
    """The title of the lesson the learner last left by finishing it, else "": right after
    a quiz (and the area question), "no lesson half-finished" read as if it were forgotten."""
    found = ctx.current_course_lesson()
    if found is None:
        return ""
    course, last = found
    done = upnext.done_by_course(await ctx.turn.lesson_scores()).get(course.id, set())
    return last.title if last.id in done else ""


async def go_next(ctx: Context) -> None:
    """'tiếp': the next step when one is waiting, otherwise resume; at a quiz's question or a
    step's check question, how to answer it ("tiếp" or "ok" answers nothing)."""
    if ctx.position.mode == Mode.QUIZ:
        quiz.pick_an_answer(ctx)
    elif lesson.at_plain_step(ctx):
        await lesson.go_on(ctx)
    elif ctx.position.mode == Mode.LESSON and ctx.current_course_lesson() is not None:
        ctx.say(ctx.text("pick_an_answer"))  # its check question waits for an answer
        lesson.show_step(ctx)
    else:
        await resume(ctx)


async def go_back(ctx: Context) -> None:
    """"quay lại bước trước": the step before, in a lesson; at its first step, or in a quiz
    (whose answers are counted as they come), the place as it is, saying why."""
    found = ctx.current_course_lesson()
    if ctx.position.mode == Mode.MENU or found is None:
        await resume(ctx)
        return
    if ctx.position.mode == Mode.QUIZ:
        ctx.say(ctx.text("back_in_quiz"))
        quiz.show_question(ctx)
        return
    before = previous_step(ctx.position, found[1])
    if before is None:
        ctx.say(ctx.text("back_at_first_step"))
    else:
        ctx.position = before
    lesson.show_step(ctx)


async def _repeat(ctx: Context, action: Repeat) -> bool:
    show_current(ctx)
    return True


FEATURE = Feature(
    commands=(Command(payloads.PROGRESS, show), Command(payloads.RESUME, resume),
              Command("next", go_next), Command("back", go_back)),
    buttons={Repeat: _repeat},
    samples={
        "progress": {"courses": SAMPLE_COURSES}, "progress_empty": {}, "nothing_to_resume": {},
        "progress_at_step": {"number": 2, "total": 8},
        "progress_at_question": {"number": 1, "total": 3},
        "suggest_next": {"course": "Làm quen với Học Số", "lesson": "Bấm nút và gõ số",
                         "finished": "Làm quen"},
        "button_resume": {}, "button_progress": {}, "button_start_lesson": {},
        "back_in_quiz": {}, "back_at_first_step": {},
    },
)
