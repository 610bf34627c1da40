"""The quiz after a lesson: one question at a time, feedback at once, a score at the end."""

from bot.handlers.context import Context, Rows
from bot.handlers.events import CourseFinished, QuizFailedTwice, QuizFinished, publish
from bot.handlers.folding import ASIDE, fold, typed_words
from bot.handlers.menu import show_menu
from bot.handlers.payloads import Choose, StartLesson, StartQuiz
from bot.handlers.registry import Command, Feature
from bot.handlers.typed_buttons import PARTICLES
from bot.lessons.model import Course, Lesson, Question
from bot.lessons.progress import (
    Mode,
    answer_quiz,
    pass_mark,
    passed,
    question_number,
    shown_options,
    start_quiz,
)
from bot.listening.words import expand

# Words asking to take a quiz again ("làm lại bài kiểm tra"), one a line; the words after
# them may name the lesson ("… cài vneid").
RETAKE_WORDS = "retake_words"
# Words that may come before them, folded: who asks and for whom ("cho bác làm lại…").
_RETAKE_LEADS = frozenset({"cho", "xin", "muon", "de", "giup", "toi", "tui", "minh", "bac",
                           "co", "chu", "ong", "ba", "anh", "chi", "em", "chau", "con", "hay"})
# The command a typed retake runs when no quiz was taken yet: there is none to take again.
NO_QUIZ_YET = "noquiz"
# Words after them that name no lesson: "… bài vừa rồi", "… lần nữa".
_RETAKE_FILLERS = frozenset({"bai", "cua", "lai", "lan", "nua", "mot", "nay", "do", "kia", "vua",
                             "roi", "truoc", "cho", "duoc", "khong"})


async def typed_retake(ctx: Context, folded: str) -> str | None:
    """The payload of a typed "làm lại bài kiểm tra (cài vneid)": the quiz of the lesson its
    other words name best, else of the one whose quiz was taken last, or NO_QUIZ_YET when
    none was taken; None when the text asks no such thing. Its button is gone once another
    question comes (the ward's)."""
    lines = typed_words(ctx, RETAKE_WORDS)
    words = folded.split()
    start = next((at for at, word in enumerate(words) if word not in _RETAKE_LEADS), 0)
    lead = next((start + size for size in sorted({len(line.split()) for line in lines},
                                                 reverse=True)
                 if " ".join(words[start:start + size]) in lines), 0)
    if not lead:
        return None
    scores = await ctx.turn.lesson_scores()
    taken = [(score.course_id, score.lesson_id) for score in scores]
    named = set(expand(" ".join(words[lead:]))) - typed_words(ctx, ASIDE) \
        - typed_words(ctx, PARTICLES) - _RETAKE_FILLERS
    found = _named_lesson(ctx, named, taken) if named else None
    if named and found is None:
        return None  # words of something else ("thi lại bằng lái ở đâu")
    current = ctx.current_course_lesson()
    here = (current[0].id, current[1].id) if current else None
    if found is None and ctx.position.mode == Mode.QUIZ and here is not None:
        found = here  # asked during a quiz, the first one too: that quiz ("học tiếp / làm lại")
    if found is None and taken:
        found = here if here in taken else taken[-1]
    # No lesson named and no quiz taken: not a question for the lesson matcher ("no lesson
    # about that"), but a quiz not reached yet.
    return StartQuiz(*found).pack() if found else NO_QUIZ_YET


def _no_quiz_yet(ctx: Context) -> None:
    """"Làm lại bài kiểm tra" before any quiz: where quizzes are, and the courses to start."""
    show_menu(ctx, ctx.text("retake_none"))


def _named_lesson(ctx: Context, named: set[str],
                  taken: list[tuple[str, str]]) -> tuple[str, str] | None:
    """The lesson whose title and course share most of the `named` words (a quiz taken
    first among equals), if any shares one."""
    best = max(((len(named & set(fold(f"{course.title} {course.id} {lesson.title}").split())),
                 (course.id, lesson.id) in taken, (course.id, lesson.id))
                for course in ctx.resident_courses() for lesson in course.lessons),
               default=None)
    return best[2] if best and best[0] else None


def option_rows(ctx: Context, question: Question, order: tuple[int, ...] = ()) -> Rows:
    """One big button per option, in `order` (1-based option numbers; the author's order when
    empty), then the way home. Each payload carries the place and the option's own number, so
    an answer means the same option whatever the order, and a typed "2" or "cái thứ hai"
    presses the second button shown."""
    numbers = order or tuple(range(1, len(question.options) + 1))
    rows: Rows = [[ctx.button("button_option", Choose(ctx.position.seq, number),
                              text=question.options[number - 1])] for number in numbers]
    rows.append(ctx.menu_row())
    return rows


def show_question(ctx: Context) -> None:
    """Ask the question the learner is at, its options in this take's order."""
    found = ctx.current_course_lesson()
    if found is None:
        return
    _, lesson = found
    index = lesson.question_index(ctx.position.question_id) or 0
    question = ctx.question(lesson.quiz[index])
    order = shown_options(ctx.position, question)
    ctx.say(ctx.text("question", number=question_number(ctx.position, lesson),
                     total=len(lesson.quiz), question=question.question),
            option_rows(ctx, question, order))


def pick_an_answer(ctx: Context) -> None:
    """Typed text that answers no option clearly ("tiếp", half an option): say how to
    answer, and ask the question again."""
    ctx.say(ctx.text("pick_an_answer"))
    show_question(ctx)


def introduce(ctx: Context, lesson: Lesson) -> None:
    """Announce the quiz, then ask its first question. A retake (the take the position is
    at was finished before) opens plainly: the lesson finished is no news the second time."""
    ctx.say(ctx.text("quiz_start", lesson=lesson.title, total=len(lesson.quiz),
                     again=ctx.position.quiz_attempt > 0))
    show_question(ctx)


async def finished_takes(ctx: Context, course: Course, lesson: Lesson) -> int:
    """How many times the learner has finished this lesson's quiz: the number of the take
    that starts now (0, the first, asks in the author's order; a retake shuffles)."""
    return next((score.attempts for score in await ctx.turn.lesson_scores()
                 if (score.course_id, score.lesson_id) == (course.id, lesson.id)), 0)


async def start(ctx: Context, course: Course, lesson: Lesson) -> None:
    """(Re)take a lesson's quiz from its first question."""
    ctx.position = start_quiz(ctx.position, course, lesson,
                              attempt=await finished_takes(ctx, course, lesson))
    introduce(ctx, lesson)


def give_feedback(ctx: Context, question: Question, option: int) -> bool:
    """Say right or wrong, and why; return whether the answer was right."""
    correct = question.is_correct(option)
    if correct:
        ctx.say(ctx.text("right", explanation=question.explanation))
    else:
        ctx.say(ctx.text("wrong", why=question.why(option),
                         answer=question.options[question.answer - 1],
                         explanation=question.explanation))
    return correct


async def answer(ctx: Context, option: int) -> bool:
    """Record an answer to the current question; False when there is no such option."""
    found = ctx.current_course_lesson()
    if found is None:
        return False
    course, lesson = found
    index = lesson.question_index(ctx.position.question_id)
    if index is None or not 1 <= option <= len(lesson.quiz[index].options):
        return False
    question = lesson.quiz[index]
    correct = give_feedback(ctx, ctx.question(question), option)
    await ctx.turn.record_answer(course_id=course.id, lesson_id=lesson.id,
                                 question_id=question.id, chosen=option, correct=correct)
    ctx.position = answer_quiz(ctx.position, lesson, correct=correct)
    if ctx.position.question_id:
        show_question(ctx)
    else:
        await finish(ctx, course, lesson)
    return True


async def finish(ctx: Context, course: Course, lesson: Lesson) -> None:
    """Store the score and offer a retry, the next lesson and the menu."""
    correct, total = ctx.position.quiz_correct, len(lesson.quiz)
    best = await ctx.turn.record_quiz(course_id=course.id, lesson_id=lesson.id,
                                      correct=correct, total=total, passed=passed(correct, total))
    rows: Rows = [[ctx.button("button_retry_quiz", StartQuiz(course.id, lesson.id))]]
    following = course.lesson_after(lesson.id)
    if following is not None:
        rows.append([ctx.button("button_next_lesson", StartLesson(course.id, following.id))])
    text = ctx.text("quiz_done", lesson=lesson.title, correct=correct, total=total, best=best,
                    passed=passed(correct, total), best_passed=passed(best, total),
                    need=pass_mark(total))
    scores = {score.lesson_id: score for score in await ctx.turn.lesson_scores()
              if score.course_id == course.id}
    finished = all(item.id in scores for item in course.lessons) and \
        await ctx.turn.record_course_done(course.id)
    unpassed = [item.title for item in course.lessons if item.id in scores and
                not passed(scores[item.id].best_correct, scores[item.id].total)]
    # The course just finished: with every quiz passed, the certificate that follows
    # (a CourseFinished subscriber) is the one congratulation; else what is left to pass.
    if finished and unpassed:
        text = f"{text}\n\n{ctx.text('course_done', course=course.title, unpassed=unpassed)}"
    rows.append(ctx.menu_row())
    ctx.say(text, rows)
    if finished:
        await publish(ctx, CourseFinished(course))
    await publish(ctx, QuizFinished(course, lesson, correct=correct, total=total,
                                    passed=passed(correct, total), following=following))
    # ">= 2": failures before a pairing count too (subscribers say things once).
    if not passed(correct, total) and await ctx.turn.quiz_failures(
            course_id=course.id, lesson_id=lesson.id) >= 2:
        await publish(ctx, QuizFailedTwice(course, lesson))


FEATURE = Feature(commands=(Command(NO_QUIZ_YET, _no_quiz_yet),), samples={
    "quiz_start": {"lesson": "Bấm nút và gõ số", "total": 3, "again": False},
    "question": {"number": 1, "total": 3, "question": "Câu hỏi?"},
    "right": {"explanation": "Vì sao đúng."},
    "wrong": {"why": "Vì sao phương án này chưa đúng.", "answer": "Phương án đúng",
              "explanation": "Vì sao."},
    "quiz_done": {"lesson": "Bấm nút và gõ số", "correct": 1, "total": 3, "best": 1,
                  "passed": False, "best_passed": False, "need": 2},
    "course_done": {"course": "Làm quen với Học Số", "unpassed": ["Bấm nút và gõ số"]},
    "button_retry_quiz": {}, "button_next_lesson": {}, "button_option": {"text": "Phương án"},
    "pick_an_answer": {}, RETAKE_WORDS: {}, "retake_none": {},
})
