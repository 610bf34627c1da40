"""A resident's own words: "tôi không hiểu" explains the step again, a question finds its lesson.

Text that nothing else understood comes here (a `Reads`, after the message check). A plea
("khó quá", "nói lại") at a step gets the step again, in its simpler wording where the author
wrote one, and at the menu the first course and who can help; a request to learn ("muốn học
về lừa đảo", "mở bài quét QR") the course it names or the lessons that teach it; a question
gets the best step of the lessons that answer it (bot/listening/), with those lessons as
buttons that keep the learner's place (bot/handlers/detour.py); a question no lesson answers
gets an honest "not yet", and the mentor, or the way to find one. A password or code in the
words is masked before anything reads or keeps them, and the learner is warned.
"""

from collections.abc import Callable
from dataclasses import dataclass

from bot.handlers import detour, help, lesson, payloads, quiz
from bot.handlers.access import PairingAct
from bot.handlers.context import Context, Rows
from bot.handlers.events import HelpRequested, publish
from bot.handlers.menu import show_course, show_menu
from bot.handlers.payloads import Next, OpenCourse, Payload, Repeat
from bot.handlers.places import met
from bot.handlers.registry import Command, Feature, Reads
from bot.lessons.model import MENTOR_COURSE, Course, Lesson, Library, Step, per_library
from bot.lessons.progress import Mode
from bot.listening.confusion import is_confused
from bot.listening.learning import wanted
from bot.listening.questions import Match, QuestionIndex
from bot.listening.secret import Masked, mask
from bot.listening.words import content_words, expand, fold
from storage.mentoring import PairingRecord

# The state that keeps an unanswered question for the mentor button of the next turn. It is
# no `Waits`: whatever the learner types next is read as usual, and the state is gone.
ASKED = "question"
# The state after a step was explained again (no `Waits` either): a second plea at the same
# place gets who can help, not the same text word for word.
EXPLAINED = "explained"
TO_MENTOR = "askmentor"  # the command of "Hỏi người kèm" under an unanswered question
MAX_QUESTION = 500  # what a mentor is sent of a long message
# Words that call someone or greet, folded ("chào cháu", "alo bạn ơi"): no topic to look up.
_GREETING = frozenset({"ban", "anh", "chau", "con", "co", "chu", "bac", "ong", "ba", "em",
                       "alo", "hello", "hi"})

# One index a library, built once (about 0.3 s). The matcher knows Vietnamese only, so it
# indexes the Vietnamese library for every learner: an English learner's Vietnamese question
# finds its lesson; English text finds none, and gets the honest answer rather than a guess on
# English function words.
index_for: Callable[[Library], QuestionIndex] = per_library(QuestionIndex.build)


@dataclass(frozen=True)
class OpenFromAnswer(Payload):
    """Open a lesson shown in an answer, keeping the learner's place to come back to."""

    prefix = "o"
    course: str
    lesson: str


async def read(ctx: Context, text: str) -> bool:
    """Answer the learner's own words: a plea to explain again, or a question."""
    if not text.strip():
        return False
    masked = mask(text)
    if masked.found:  # from here on only the masked words: matched, kept, sent to the mentor
        warn_of_secret(ctx, masked)
        text = masked.text
    index = index_for(ctx.base)
    # "noilai", "khohieu": a plea typed run together is a plea too, not a question.
    if is_confused(text) or is_confused(index.unglued(text)):
        return await _explain_again(ctx)
    learn = wanted(text)  # "muốn học về lừa đảo": what exists, not "no lesson about this"
    if learn is not None and await _learn(ctx, index, learn):
        return True
    # "👍", "chào cháu", "asdf": nothing to look up; the usual "not understood" answers.
    topic = " ".join(set(content_words(expand(fold(text)))) - _GREETING)
    if not index.has_words(topic):
        return False
    matches = await _for_this_learner(ctx, index.ask(text))
    if matches:
        _answer(ctx, matches)
    else:
        await _no_answer(ctx, text)
    return True


async def _for_this_learner(ctx: Context, matches: list[Match]) -> list[Match]:
    """A resident is offered residents' lessons: the mentor course's speak to the volunteer
    ("cô hỏi: Bác cho cháu cầm máy…") and cast a resident who opens one as the mentor. They
    stay when nothing else answers (a resident asking how to help a neighbour), and for
    mentors and those in the mentor course."""
    theirs = [match for match in matches if match.course != MENTOR_COURSE]
    if not theirs or len(theirs) == len(matches) or ctx.position.course_id == MENTOR_COURSE:
        return matches
    return matches if await ctx.mentoring.mentor() is not None else theirs


def warn_of_secret(ctx: Context, masked: Masked, *, pasted: bool = False) -> None:
    """Tell the learner, kindly, that their words seem to hold a password or a code (nobody
    may be given it, it was hidden, a real password is best changed), or a card or CCCD
    number (not to be sent in messages). `pasted`: a message they received and sent to be
    checked (a bank's OTP notice), which they did not type and holds no password of theirs."""
    ctx.say(ctx.text("secret_warning", codes=masked.codes, pasted=pasted))


async def _explain_again(ctx: Context) -> bool:
    """The step again (its simpler wording, if any) with its own buttons and the mentor; in
    a quiz, the question again with a gentle word, and never its answer."""
    found = ctx.current_course_lesson()
    if found is None or ctx.position.mode == Mode.MENU:
        await _lost_at_menu(ctx)
        return True
    _, current = found
    if ctx.position.mode == Mode.QUIZ:
        index = current.question_index(ctx.position.question_id) or 0
        ctx.say(ctx.text("confused_quiz", count=len(current.quiz[index].options)))
        quiz.show_question(ctx)
        return True
    step = current.steps[current.step_index(ctx.position.step_id) or 0]
    mine, finds, extra = await who_helps(ctx)
    again = ctx.asked is not None and ctx.asked.name == EXPLAINED and \
        ctx.asked.data.get("seq") == ctx.position.seq
    ctx.ask(EXPLAINED, seq=ctx.position.seq)
    if again:  # said twice: the same words a third time would not help; a person may
        _explained_again(ctx, current, step, extra, mentor=mine is not None, finds=finds)
        return True
    ctx.say(ctx.text("confused_step", simpler=bool(step.simpler)))
    # The plainer words right after "let me say it more simply", who can help after them.
    body = (step.simpler and ctx.course_text(step.simpler)) or _without_greeting(
        ctx.course_text(step.text))
    if mine is not None or finds:
        body = f"{body}\n\n{ctx.text('confused_step_help', mentor=mine is not None)}"
    lesson.step_message(ctx, current, step, extra=extra, body=body)
    return True


async def who_helps(ctx: Context) -> tuple[PairingRecord | None, bool, Rows]:
    """The learner's mentor; whether, without one, they are offered to find one (someone who
    sits beside them; not in the mentor course); and the button for either."""
    mine = await ctx.mentoring.my_mentor()
    finds = mine is None and ctx.position.course_id != MENTOR_COURSE
    rows: Rows = ([[ctx.button("button_ask_mentor", _help_act(mine))]] if mine else
                  [[ctx.button("button_find_mentor", payloads.FIND_MENTOR)]] if finds else [])
    return mine, finds, rows


async def _lost_at_menu(ctx: Context) -> None:
    """"Khó quá", "ko hiểu gì hết" at the menu, with no step to explain again: kindly, the
    first course (how to use Học Số) and who can help."""
    mine, finds, rows = await who_helps(ctx)
    first = ctx.resident_courses()[0]
    ctx.say(ctx.text("confused_menu", course=first.title, mentor=mine is not None, finds=finds),
            [[ctx.button("button_course", OpenCourse(first.id), title=first.title)], *rows,
             ctx.menu_row()])


def _without_greeting(text: str) -> str:
    """A step's text without the greeting it opens with ("Chào cô Ba ạ! 👋"): said again, the
    greeting reads as if the conversation had started over."""
    first, _, rest = text.partition("\n")
    return rest.strip() if rest.strip() and fold(first).startswith(("chao ", "xin chao ")) \
        else text


def _explained_again(ctx: Context, current: Lesson, step: Step, extra: Rows, *, mentor: bool,
                     finds: bool) -> None:
    """A second plea at a step already explained again: no third telling of the same words,
    but who can help in person, and that going on is allowed; the step's own buttons stay."""
    check = ctx.question(step.check) if step.check is not None else None
    text = ctx.text("confused_again", mentor=mentor, finds=finds, simpler=bool(step.simpler),
                    check=check.question if check else "")
    if check is not None:
        rows = quiz.option_rows(ctx, check)
    else:
        seq = ctx.position.seq
        rows = [[ctx.button("button_next", Next(seq))],
                [ctx.button("button_repeat", Repeat(seq)), *ctx.menu_row()]]
    rows[-1:-1] = extra
    ctx.say(text, rows)


def _help_act(pairing: PairingRecord) -> Payload:
    """"Tôi cần giúp đỡ" of the pairing (checked by bot/handlers/access.py): the mentor is
    told where the learner is stuck."""
    return PairingAct("help", pairing.id)


def _answer(ctx: Context, matches: list[Match]) -> None:
    """The best step's text, and the lessons that answer the question as buttons."""
    best = matches[0]
    course = ctx.library.course(best.course)
    found = course.lesson(best.lesson) if course else None
    step = next((item for item in found.steps if item.id == best.step), None) if found else None
    # A lesson's first step may open with a greeting ("Chào cô Hoa ạ! 👋"): quoted in an
    # answer, it read as if the conversation had started over.
    text = _without_greeting(ctx.course_text(step.text)) if step else best.step_text
    rows, keeps = _lesson_rows(ctx, matches)
    ctx.say(ctx.text("question_answer", lesson=_title(ctx, best), text=text,
                     many=len(matches) > 1, keeps=keeps), rows)


def _lesson_rows(ctx: Context, matches: list[Match]) -> tuple[Rows, bool]:
    """A button for each lesson, opened keeping the learner's place; the way back to the
    lesson in progress (and whether there is one), and the menu."""
    rows: Rows = [[ctx.button("button_answer_lesson", OpenFromAnswer(match.course, match.lesson),
                              title=_title(ctx, match))] for match in matches]
    keeps = ctx.position.mode != Mode.MENU and ctx.current_course_lesson() is not None
    if keeps:
        rows.append([ctx.button("button_keep_lesson", payloads.RESUME)])
    rows.append(ctx.menu_row())
    return rows, keeps


async def _learn(ctx: Context, index: QuestionIndex, topic: str) -> bool:
    """A request to learn or to open a lesson: the course its `topic` names ("lừa đảo",
    "VNeID"), else the lessons that teach it ("mã QR", "cài vneid"); nothing named ("tôi muốn
    học"), the courses. False when no lesson teaches it: the words are then read as a
    question, and get the honest "not yet"."""
    if not topic:
        show_menu(ctx)
        return True
    course = _named_course(ctx, topic)
    if course is not None:
        await show_course(ctx, course)
        return True
    matches = await _for_this_learner(ctx, index.ask(topic))
    if not matches:
        return False
    rows, keeps = _lesson_rows(ctx, matches)
    ctx.say(ctx.text("learn_lessons", many=len(matches) > 1, keeps=keeps), rows)
    return True


def _named_course(ctx: Context, topic: str) -> Course | None:
    """The one course offered to the learner whose title or keywords (in Vietnamese, as the
    matcher reads every learner's words) hold every word of `topic`, folded."""
    asked = set(content_words(topic.split()))
    named = [course for course in ctx.resident_courses()
             if any(asked <= set(content_words(expand(fold(name))))
                    for name in _course_names(ctx.base.course(course.id) or course))]
    return named[0] if len(named) == 1 else None


def _course_names(course: Course) -> tuple[str, ...]:
    return (course.title, *course.keywords)


def _title(ctx: Context, match: Match) -> str:
    course = ctx.library.course(match.course)
    found = course.lesson(match.lesson) if course else None
    return found.title if found else match.title


async def _no_answer(ctx: Context, text: str) -> None:
    """Say honestly that no lesson answers this yet: the menu, the mentor if there is one, and
    without one the way to find one (else a dead end: a resident alone has no one to ask)."""
    mine, finds, _ = await who_helps(ctx)
    rows: Rows = []
    if mine is not None:
        rows.append([ctx.button("button_ask_mentor", TO_MENTOR)])
        ctx.ask(ASKED, text=text[:MAX_QUESTION])
    elif finds:
        rows.append([ctx.button("button_find_mentor", payloads.FIND_MENTOR)])
    if ctx.position.mode != Mode.MENU and ctx.current_course_lesson() is not None:
        rows.append([ctx.button("button_keep_lesson", payloads.RESUME)])
    rows.append(ctx.menu_row())
    ctx.say(ctx.text("question_unknown", mentor=mine is not None, finds=finds), rows)


async def _to_mentor(ctx: Context) -> None:
    """"Hỏi người kèm": send the question just asked to the learner's mentor."""
    asked = ctx.asked
    mine = await ctx.mentoring.my_mentor()
    if asked is None or asked.name != ASKED or mine is None:
        help.stale_button(ctx)  # pressed later, or the pairing has ended meanwhile
        return
    await publish(ctx, HelpRequested(question=str(asked.data.get("text", ""))))
    rows: Rows = []
    if ctx.position.mode != Mode.MENU and ctx.current_course_lesson() is not None:
        rows.append([ctx.button("button_keep_lesson", payloads.RESUME)])
    ctx.say(ctx.text("question_sent", name=mine.mentor_name, contact=met(mine)),
            [*rows, ctx.menu_row()])


async def _open(ctx: Context, action: OpenFromAnswer) -> bool:
    """Start the lesson without the switch question: the place it leaves is kept."""
    course = ctx.library.course(action.course)
    chosen = course.lesson(action.lesson) if course else None
    if course is None or chosen is None:
        return False
    here = (ctx.position.course_id, ctx.position.lesson_id) == (course.id, chosen.id)
    if here and ctx.position.mode != Mode.MENU:  # the lesson they are in: where they are
        (lesson.show_step if ctx.position.mode == Mode.LESSON else quiz.show_question)(ctx)
        return True
    detour.keep(ctx, course, chosen)
    lesson.start(ctx, course, chosen)
    return True


FEATURE = Feature(
    reads=Reads(read, order=50),
    commands=(Command(TO_MENTOR, _to_mentor),),
    buttons={OpenFromAnswer: _open},
    samples={
        "confused_step": {"simpler": True}, "confused_step_help": {"mentor": True},
        "confused_quiz": {"count": 3},
        "confused_again": {"mentor": False, "finds": True, "simpler": False, "check": ""},
        "question_answer": {"lesson": "Cài đặt VNeID", "text": "Nội dung bước.", "many": True,
                            "keeps": True},
        "question_unknown": {"mentor": False, "finds": True},
        "confused_menu": {"course": "Làm quen với Học Số", "mentor": False, "finds": True},
        "learn_lessons": {"many": True, "keeps": True},
        "question_sent": {"name": "Minh Anh", "contact": False},
        "button_answer_lesson": {"title": "Cài đặt VNeID"},
        "button_ask_mentor": {},
        "secret_warning": {"codes": True, "pasted": False},
    },
)
