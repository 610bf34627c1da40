"""Going through a lesson: one step per message, inline check questions, then the quiz."""

from bot.handlers import payloads, quiz
from bot.handlers.context import Context, Rows
from bot.handlers.events import LessonFinished, publish
from bot.handlers.payloads import Choose, Next, Repeat, StartLesson, StartQuiz, Switch
from bot.handlers.registry import Feature
from bot.lessons.model import Course, Lesson, Step
from bot.lessons.progress import Mode, advance_step, question_number, start_lesson, start_quiz


def step_message(ctx: Context, lesson: Lesson, step: Step, *, body: str | None = None,
                 extra: Rows | None = None) -> None:
    """Say one step: its text (or `body`, another wording of it), its check question if any,
    and what can be done next (with `extra` rows before the way home)."""
    body = ctx.course_text(step.text) if body is None else body
    text = ctx.text("step", lesson=lesson.title, number=lesson.steps.index(step) + 1,
                    total=len(lesson.steps), text=body)
    if step.check is not None:
        check = ctx.question(step.check)
        text = f"{text}\n\n{ctx.text('check', question=check.question)}"
        rows = quiz.option_rows(ctx, check)
    else:
        seq = ctx.position.seq
        rows = [[ctx.button("button_next", Next(seq))],
                [ctx.button("button_repeat", Repeat(seq)), *ctx.menu_row()]]
    if extra:
        rows[-1:-1] = extra
    ctx.say(text, rows, image=step.image)


def show_step(ctx: Context) -> None:
    """Say the step the learner is at."""
    found = ctx.current_course_lesson()
    if found is None:
        return
    _, lesson = found
    index = lesson.step_index(ctx.position.step_id)
    step_message(ctx, lesson, lesson.steps[index or 0])


def start(ctx: Context, course: Course, lesson: Lesson) -> None:
    """Begin a lesson at its first step."""
    ctx.position = start_lesson(ctx.position, course, lesson)
    show_step(ctx)


async def go_on(ctx: Context) -> None:
    """Move to the next step, or into the quiz after the last one."""
    found = ctx.current_course_lesson()
    if found is None:
        return
    course, lesson = found
    following = advance_step(ctx.position, lesson)
    if following is not None:
        ctx.position = following
        show_step(ctx)
        return
    # Into the quiz after the last step: a retake when it was finished before.
    ctx.position = start_quiz(ctx.position, course, lesson,
                              attempt=await quiz.finished_takes(ctx, course, lesson))
    await publish(ctx, LessonFinished(course, lesson))
    quiz.introduce(ctx, lesson)


async def answer_check(ctx: Context, option: int) -> bool:
    """Answer the current step's check question; False when it has none or no such option."""
    found = ctx.current_course_lesson()
    if found is None:
        return False
    _, lesson = found
    index = lesson.step_index(ctx.position.step_id)
    check = lesson.steps[index].check if index is not None else None
    if check is None or not 1 <= option <= len(check.options):
        return False
    quiz.give_feedback(ctx, ctx.question(check), option)
    await go_on(ctx)
    return True


def would_drop(ctx: Context) -> bool:
    """Whether starting another lesson or quiz now would lose a half-finished lesson: one
    past its first step, or in its quiz (going back to a first step loses nothing)."""
    found = ctx.current_course_lesson()
    if ctx.position.mode == Mode.MENU or found is None:
        return False
    return ctx.position.mode == Mode.QUIZ or bool(found[1].step_index(ctx.position.step_id))


def ask_switch(ctx: Context, course: Course, lesson: Lesson, kind: str) -> None:
    """Ask before leaving a half-finished lesson: one tap goes back to it, one starts the
    other (its button carries the place's seq, so it is stale once the place has moved)."""
    found = ctx.current_course_lesson()
    assert found is not None
    _, current = found
    in_quiz = ctx.position.mode == Mode.QUIZ
    number = question_number(ctx.position, current) if in_quiz \
        else (current.step_index(ctx.position.step_id) or 0) + 1
    # "Start over" when the button restarts this lesson, or its quiz from a question; from a
    # step, its quiz is somewhere else to go.
    same = (ctx.position.course_id, current.id) == (course.id, lesson.id) \
        and (kind == "l" or in_quiz)
    flags = {"same": same, "quiz": kind == "q"}
    ctx.say(ctx.text("switch_ask", current=current.title, in_quiz=in_quiz, number=number,
                     total=len(current.quiz if in_quiz else current.steps),
                     lesson=lesson.title, **flags),
            [[ctx.button("button_keep_lesson", payloads.RESUME)],
             [ctx.button("button_switch", Switch(ctx.position.seq, kind, course.id, lesson.id),
                         **flags)],
             ctx.menu_row()])


def at_plain_step(ctx: Context) -> bool:
    """Whether the learner is at a lesson step without a check question."""
    found = ctx.current_course_lesson()
    if found is None or ctx.position.mode != Mode.LESSON:
        return False
    index = found[1].step_index(ctx.position.step_id)
    return index is not None and found[1].steps[index].check is None


async def learned(ctx: Context, course: Course, chosen: Lesson) -> bool:
    """Whether the learner has been through `chosen`'s steps, so its quiz may start: they
    finished it before (a retake), or they are at its last step or in its quiz now. The
    buttons that start a quiz (a retake, the switch asked before it) offer nothing else, but
    a forged `q:` payload must not pass a course without reading it."""
    position = ctx.position
    if (position.course_id, position.lesson_id) == (course.id, chosen.id):
        if position.mode == Mode.QUIZ:
            return True
        if position.mode == Mode.LESSON and chosen.steps and \
                chosen.step_index(position.step_id) == len(chosen.steps) - 1:
            return True
    return any((score.course_id, score.lesson_id) == (course.id, chosen.id)
               for score in await ctx.turn.lesson_scores())


def lesson_first(ctx: Context, course: Course, chosen: Lesson) -> None:
    """A quiz asked for before its lesson: say so kindly, with one tap to the lesson (or back
    to it, when the learner is in it now)."""
    found = ctx.current_course_lesson()
    inside = ctx.position.mode == Mode.LESSON and found is not None and \
        (found[0].id, found[1].id) == (course.id, chosen.id)
    button = ctx.button("button_keep_lesson", payloads.RESUME) if inside else \
        ctx.button("button_start_lesson", StartLesson(course.id, chosen.id))
    ctx.say(ctx.text("quiz_needs_lesson", lesson=chosen.title, inside=inside),
            [[button], ctx.menu_row()])


async def _open(ctx: Context, course_id: str, lesson_id: str, kind: str) -> bool:
    """Start a lesson ("l") or its quiz ("q"), asking first if that would drop another."""
    course = ctx.library.course(course_id)
    chosen = course.lesson(lesson_id) if course else None
    if course is None or chosen is None:
        return False
    if kind == "q" and not await learned(ctx, course, chosen):
        lesson_first(ctx, course, chosen)
    elif kind == "q" and would_drop(ctx) and not _inside(ctx, course, chosen):
        await quiz_meanwhile(ctx, course, chosen)
    elif would_drop(ctx):
        ask_switch(ctx, course, chosen, kind)
    else:
        await _begin(ctx, course, chosen, kind)
    return True


def _inside(ctx: Context, course: Course, chosen: Lesson) -> bool:
    return (ctx.position.course_id, ctx.position.lesson_id) == (course.id, chosen.id)


async def quiz_meanwhile(ctx: Context, course: Course, chosen: Lesson) -> None:
    """Another lesson's quiz, opened in the middle of a lesson: the place is kept, as a
    lesson opened from an answer keeps it, and offered back when the quiz is done."""
    from bot.handlers import detour  # detour goes back through this module: it imports us

    found = ctx.current_course_lesson()
    assert found is not None
    detour.keep(ctx, course, chosen, here=True)
    ctx.say(ctx.text("quiz_keeps_place", current=found[1].title))
    await quiz.start(ctx, course, chosen)


async def _begin(ctx: Context, course: Course, chosen: Lesson, kind: str) -> None:
    if kind == "l":
        from bot.handlers import detour  # detour goes back through this module: it imports us

        detour.forget(ctx, course, chosen)
        start(ctx, course, chosen)
    else:
        await quiz.start(ctx, course, chosen)


async def _start_lesson(ctx: Context, action: StartLesson) -> bool:
    return await _open(ctx, action.course, action.lesson, "l")


async def _start_quiz(ctx: Context, action: StartQuiz) -> bool:
    return await _open(ctx, action.course, action.lesson, "q")


async def _switch(ctx: Context, action: Switch) -> bool:
    """"Leave the half-finished lesson", asked at this very place."""
    course = ctx.library.course(action.course)
    chosen = course.lesson(action.lesson) if course else None
    if course is None or chosen is None:
        return False
    if action.kind == "q" and not await learned(ctx, course, chosen):
        lesson_first(ctx, course, chosen)
        return True
    await _begin(ctx, course, chosen, action.kind)
    return True


async def _next(ctx: Context, action: Next) -> bool:
    if not at_plain_step(ctx):
        return False
    await go_on(ctx)
    return True


async def _choose(ctx: Context, action: Choose) -> bool:
    if ctx.position.mode == Mode.LESSON:
        return await answer_check(ctx, action.option)
    return await quiz.answer(ctx, action.option)


FEATURE = Feature(
    buttons={StartLesson: _start_lesson, StartQuiz: _start_quiz, Switch: _switch, Next: _next,
             Choose: _choose},
    samples={
        "step": {"lesson": "Bấm nút và gõ số", "number": 2, "total": 5, "text": "Nội dung bước."},
        "check": {"question": "Câu hỏi?"},
        "switch_ask": {"current": "Bấm nút và gõ số", "in_quiz": False, "number": 3, "total": 7,
                       "lesson": "Gõ chữ", "same": False, "quiz": False},
        "button_next": {}, "button_repeat": {}, "button_keep_lesson": {},
        "button_switch": {"same": False, "quiz": False},
        "quiz_needs_lesson": {"lesson": "Gõ chữ", "inside": False},
        "quiz_keeps_place": {"current": "Bấm nút và gõ số"},
    },
)
