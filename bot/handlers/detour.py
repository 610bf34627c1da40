"""A lesson opened from an answer keeps the learner's place; one tap takes them back to it.

A resident who asks a question in the middle of a lesson and opens the lesson that answers
it has not given up the first one. Its place is kept in `ctx.settings["detour"]` (with the
lesson opened), and "Quay lại bài … đang học dở" is offered when that lesson's quiz is done
and whenever "Tiếp tục bài đang học" finds the learner at the menu.
"""

from dataclasses import replace
from typing import Any

from bot.handlers import lesson
from bot.handlers.context import Context
from bot.handlers.events import QuizFinished
from bot.handlers.registry import Command, Feature
from bot.lessons.model import Course, Lesson
from bot.lessons.progress import Mode, Position, Reconciled, question_number, reconcile

DETOUR = "detour"  # the settings key: {"place": Position.stored(), "course": …, "lesson": …}
BACK = "detourback"  # the command of the button that goes back


def keep(ctx: Context, course: Course, opened: Lesson, *, here: bool = False) -> None:
    """Remember the learner's place before `opened` starts. A detour taken during a detour
    (from inside the lesson opened before, or from the menu) keeps the first place: that is
    the lesson the learner was learning. `here`: keep the place the learner is at, whatever
    was kept before (a quiz opened meanwhile says so)."""
    detour = ctx.settings.get(DETOUR)
    at_menu = ctx.position.mode == Mode.MENU
    # Only from the lesson opened before: from another one (started since), that is the place.
    inside = isinstance(detour, dict) and (ctx.position.course_id, ctx.position.lesson_id) == (
        detour.get("course"), detour.get("lesson"))
    if isinstance(detour, dict) and not here and (inside or at_menu):
        ctx.settings[DETOUR] = {**detour, "course": course.id, "lesson": opened.id}
    elif not at_menu:
        ctx.settings[DETOUR] = {"place": ctx.position.stored(), "course": course.id,
                                "lesson": opened.id}


def forget(ctx: Context, course: Course, chosen: Lesson) -> None:
    """The learner chose to start `chosen` (from the menu, a switch): unless it is the lesson
    opened from the answer (started again), the place kept before is not the lesson they are
    learning any more, and must not come back in place of this one."""
    detour = ctx.settings.get(DETOUR)
    if isinstance(detour, dict) and (detour.get("course"), detour.get("lesson")) == (
            course.id, chosen.id):
        return
    ctx.settings.pop(DETOUR, None)


def _saved(ctx: Context) -> tuple[Position, Reconciled] | None:
    """The kept place, re-anchored on today's content; None (and forgotten) when there is none
    or its lesson is gone."""
    detour = ctx.settings.get(DETOUR)
    if not isinstance(detour, dict):
        return None
    try:
        position, outcome = reconcile(Position.stored_as(detour["place"]), ctx.base)
    except (KeyError, TypeError, ValueError):  # not a place this code wrote
        outcome = Reconciled.GONE
    if outcome == Reconciled.GONE:
        ctx.settings.pop(DETOUR, None)
        return None
    return position, outcome


def offer(ctx: Context) -> bool:
    """Offer one tap back to the kept place; False when there is none to go back to."""
    saved = _saved(ctx)
    found = _lesson_of(ctx, saved[0]) if saved else None
    if found is None:
        return False
    position, chosen = found
    in_quiz = position.mode == Mode.QUIZ
    number = question_number(position, chosen) if in_quiz \
        else (chosen.step_index(position.step_id) or 0) + 1
    ctx.say(ctx.text("detour_offer", lesson=chosen.title, in_quiz=in_quiz, number=number,
                     total=len(chosen.quiz if in_quiz else chosen.steps)),
            [[ctx.button("button_detour_back", BACK, lesson=chosen.title)], ctx.menu_row()])
    return True


def _lesson_of(ctx: Context, position: Position) -> tuple[Position, Lesson] | None:
    course = ctx.library.course(position.course_id)
    chosen = course.lesson(position.lesson_id) if course else None
    return (position, chosen) if chosen else None


async def back(ctx: Context) -> None:
    """Go back to the kept place, exactly (a new seq: the buttons shown since are old)."""
    saved = _saved(ctx)
    # An old button: nothing kept, or a lesson half-done now that it would drop.
    if saved is None or lesson.would_drop(ctx):
        ctx.say(ctx.text("stale_button", at_menu=ctx.position.mode == Mode.MENU))
        _show_current(ctx)
        return
    position, outcome = saved
    del ctx.settings[DETOUR]
    ctx.position = replace(position, seq=ctx.position.seq + 1)
    if outcome == Reconciled.RESTARTED:
        found = ctx.current_course_lesson()
        if found is not None:
            ctx.say(ctx.text("content_updated_restart", lesson=found[1].title))
    _show_current(ctx)


def _show_current(ctx: Context) -> None:
    from bot.handlers.progress import show_current  # progress offers the way back: imports us

    show_current(ctx)


def leads_back(ctx: Context, event: QuizFinished) -> bool:
    """Whether `event` finished the lesson opened from an answer: the way back is offered."""
    detour = ctx.settings.get(DETOUR)
    return isinstance(detour, dict) and (event.course.id, event.lesson.id) == (
        detour.get("course"), detour.get("lesson"))


async def _quiz_finished(scene: Any, event: QuizFinished) -> None:
    """The lesson opened from an answer is done: offer the way back. The kept lesson itself
    finished some other way: nothing is left to go back to."""
    if not isinstance(scene, Context) or not isinstance(scene.settings.get(DETOUR), dict):
        return
    place = scene.settings[DETOUR].get("place") or {}
    if leads_back(scene, event):
        offer(scene)
    elif (event.course.id, event.lesson.id) == (place.get("course_id"), place.get("lesson_id")):
        del scene.settings[DETOUR]


FEATURE = Feature(
    commands=(Command(BACK, back),),
    events={QuizFinished: _quiz_finished},
    samples={
        "detour_offer": {"lesson": "Cài đặt VNeID", "in_quiz": False, "number": 3, "total": 7},
        "button_detour_back": {"lesson": "Cài đặt VNeID"},
    },
)
