"""A retaken quiz asks its questions and options in an order of its own (understanding, not
memory of where the right answer was), the same on every turn of that take."""

import re
from dataclasses import replace

import pytest
from sqlalchemy import select

from bot.lessons.model import Course, Lesson, Library, Question
from bot.lessons.progress import (
    Mode,
    Position,
    answer_quiz,
    asked_order,
    shown_options,
    start_quiz,
)
from bot.messages import Outgoing
from bot.tutor import Tutor
from storage.repository import ANSWER, SqlRepository
from tests.chat import Chat


def _lesson(library: Library) -> tuple[Course, Lesson]:
    """A lesson whose quiz has the most questions: its orders tell most."""
    return max(((course, lesson) for course in library.courses for lesson in course.lessons),
               key=lambda pair: (len(pair[1].quiz), pair[1].id))


def _asked(chat: Chat, lesson: Lesson) -> tuple[Question, list[str]]:
    """The question shown last and its options' labels, in the order shown."""
    shown = chat.last[-1]
    question = next(q for q in lesson.quiz if chat.read(q.question) in shown.text)
    labels = [button.label for button in shown.flat_buttons()
              if button.payload.startswith("a:")]
    return question, labels


def _number_of(chat: Chat, question: Question, labels: list[str], option: int) -> int:
    """Where author's option `option` is among the labels shown (1-based)."""
    return labels.index(chat.read(question.options[option - 1])) + 1


async def _take(chat: Chat, lesson: Lesson, *, typed: bool = False) -> list[tuple[str, list[str]]]:
    """Answer every question right, by its label or by typing where it is shown; return the
    question ids and labels as they were asked."""
    seen = []
    for _ in lesson.quiz:
        question, labels = _asked(chat, lesson)
        seen.append((question.id, labels))
        right = _number_of(chat, question, labels, question.answer)
        await (chat.type(f"cái thứ {['nhất', 'hai', 'ba', 'tư'][right - 1]}") if typed
               else chat.press(labels[right - 1]))
        assert "Đúng rồi" in chat.last[0].text, (question.id, labels)
    return seen


def _in_authors_order(chat: Chat, lesson: Lesson) -> list[tuple[str, list[str]]]:
    return [(q.id, [chat.read(option) for option in q.options]) for q in lesson.quiz]


def _score(replies: list[Outgoing]) -> str:
    return "\n".join(reply.text for reply in replies)


async def test_a_retake_shuffles_questions_and_options_and_answers_still_count(
        tutor: Tutor, library: Library) -> None:
    course, lesson = _lesson(library)
    chat = Chat(tutor, "lam-lai")
    await chat.start()
    await chat.learn(course.id, lesson.id)
    first = await _take(chat, lesson)
    assert first == _in_authors_order(chat, lesson)  # the first take: as the author wrote it
    takes = []
    for _ in range(3):
        await chat.press("Làm lại bài kiểm tra")
        assert f"Câu 1/{len(lesson.quiz)}:" in chat.text()
        takes.append(await _take(chat, lesson))
        # Answered by the labels wherever they stood: every answer right, the full score.
        assert f"{len(lesson.quiz)}/{len(lesson.quiz)}" in _score(chat.last)
    assert any([qid for qid, _ in take] != [qid for qid, _ in first] for take in takes)
    assert any(labels != dict(first)[qid] for take in takes for qid, labels in take)
    assert len({str(take) for take in takes}) == 3  # each retake in an order of its own


async def test_typed_numbers_name_the_options_as_shown(tutor: Tutor, library: Library,
                                                       sqlite_repository: SqlRepository) -> None:
    course, lesson = _lesson(library)
    chat = Chat(tutor, "go-so")
    await chat.start()
    await chat.learn(course.id, lesson.id)
    await _take(chat, lesson)
    await chat.press("Làm lại bài kiểm tra")
    # "cái thứ hai" is the second button shown, not the author's second option.
    typed = await _take(chat, lesson, typed=True)
    assert f"{len(lesson.quiz)}/{len(lesson.quiz)}" in _score(chat.last)
    # Some right answers were typed by a place that is not the author's.
    by_id = {question.id: question for question in lesson.quiz}
    assert any(_number_of(chat, by_id[qid], labels, by_id[qid].answer) != by_id[qid].answer
               for qid, labels in typed)
    await chat.press("Làm lại bài kiểm tra")
    question, labels = _asked(chat, lesson)
    wrong = next(n for n in range(1, len(labels) + 1)
                 if n != _number_of(chat, question, labels, question.answer))
    await chat.type(str(wrong))
    assert "Chưa đúng" in chat.last[0].text
    # What is kept is the author's number of the option chosen, whatever its place.
    async with sqlite_repository.engine.connect() as connection:
        kept = (await connection.execute(
            select(ANSWER.c.question_id, ANSWER.c.chosen, ANSWER.c.correct)
            .order_by(ANSWER.c.id.desc()).limit(1))).one()
    authors = [chat.read(option) for option in question.options].index(labels[wrong - 1]) + 1
    assert tuple(kept) == (question.id, authors, False)


async def test_a_take_keeps_its_order_when_shown_again_or_after_a_restart(
        tutor: Tutor, library: Library, sqlite_repository: SqlRepository) -> None:
    course, lesson = _lesson(library)
    chat = Chat(tutor, "giu-thu-tu")
    await chat.start()
    await chat.learn(course.id, lesson.id)
    await _take(chat, lesson)
    await chat.press("Làm lại bài kiểm tra")
    question, labels = _asked(chat, lesson)
    await chat.press(labels[_number_of(chat, question, labels, question.answer) - 1])
    second = _asked(chat, lesson)
    await chat.type("menu")
    await chat.press("Tiếp tục bài đang học")
    assert _asked(chat, lesson) == second
    # A new process on the same database (a restart) asks the rest in the same order.
    again = Chat(Tutor(repository=sqlite_repository, library=library), "giu-thu-tu")
    await again.tap("resume")
    assert _asked(again, lesson) == second


def test_orders_are_fixed_per_take(library: Library) -> None:
    course, lesson = _lesson(library)
    first = start_quiz(Position(), course, lesson, attempt=0)
    assert asked_order(first, lesson) == lesson.quiz
    retake = start_quiz(Position(), course, lesson, attempt=1)
    order = asked_order(retake, lesson)
    assert sorted(q.id for q in order) == sorted(q.id for q in lesson.quiz)
    assert retake.question_id == order[0].id
    assert order == asked_order(retake, lesson)
    assert {asked_order(start_quiz(Position(), course, lesson, attempt=take), lesson)
            for take in range(1, 9)} != {order}
    question = lesson.quiz[0]
    numbers = shown_options(retake, question)
    assert sorted(numbers) == list(range(1, len(question.options) + 1))
    assert numbers == shown_options(retake, question)
    assert shown_options(first, question) == tuple(range(1, len(question.options) + 1))


def _through(position: Position, lesson: Lesson, asked: list[str], answers: int) -> Position:
    """Answer up to `answers` questions right from `position`, noting each one asked."""
    for _ in range(answers):
        if position.mode != Mode.QUIZ:
            break
        asked.append(position.question_id)
        position = answer_quiz(position, lesson, correct=True)
    return position


@pytest.mark.parametrize("take", range(1, 7))
def test_a_question_added_or_removed_mid_take_moves_no_other(library: Library,
                                                            take: int) -> None:
    """Before, the whole quiz was shuffled again: a take repeated a question, skipped some,
    or ended early, and a score could be more than the questions."""
    course, lesson = _lesson(library)
    added = replace(lesson, quiz=(*lesson.quiz, replace(lesson.quiz[0], id="them-moi")))
    removed = replace(lesson, quiz=lesson.quiz[1:])
    for changed in (added, removed):
        for cut in range(1, len(lesson.quiz)):
            asked: list[str] = []
            position = _through(start_quiz(Position(), course, lesson, attempt=take), lesson,
                                asked, cut)
            if changed.question_index(position.question_id) is None:
                continue  # the question being asked is gone: reconcile restarts the lesson
            position = _through(position, changed, asked, len(changed.quiz) + 1)
            assert position.mode == Mode.MENU
            assert len(asked) == len(set(asked)), (changed.quiz, cut, asked)
            assert position.quiz_correct <= position.quiz_answered <= len(changed.quiz)
            # After the change, the take goes on in its own order from the question being
            # asked: none moved by the change.
            order = [q.id for q in asked_order(position, changed)]
            after = order[order.index(asked[cut]):]
            assert asked[cut:] == after[:len(asked) - cut]
            if changed is added:  # every question there from the start is asked
                assert set(asked) >= {q.id for q in lesson.quiz}
            else:  # a full take: the one removed was asked before, or is not missed
                assert position.quiz_answered == len(changed.quiz)


async def test_a_retake_goes_on_in_its_order_after_the_account_is_joined_to_another(
        tutor: Tutor, library: Library, sqlite_repository: SqlRepository) -> None:
    """Before, the order came from the learner's id, and a join mid-take keeps the place under
    the other account's id: the rest of the take was asked in another order (a question twice,
    six answers to five questions, or the take ended after two)."""
    course = library.course("vneid")
    lesson = course.lesson("lua-dao") if course else None
    assert course is not None and lesson is not None
    kiosk = Chat(tutor, "kiosk", channel="web")
    home = Chat(tutor, "home", channel="telegram")
    await home.start()  # the account kept: its id is not the kiosk's
    await kiosk.start()
    await kiosk.learn(course.id, lesson.id)
    await _take(kiosk, lesson)
    await kiosk.press("Làm lại bài kiểm tra")
    asked = []
    for _ in range(2):
        question, labels = _asked(kiosk, lesson)
        asked.append(question.id)
        await kiosk.press(labels[_number_of(kiosk, question, labels, question.answer) - 1])
    before = await sqlite_repository.find_learner(channel="web", user_ref="kiosk")
    shown = "\n".join(reply.text for reply in await kiosk.type("/lien_ket"))
    code = re.search(r"\b[A-HJKMNP-Z2-9]{3} [A-HJKMNP-Z2-9]{3}\b", shown)
    assert code is not None, shown
    await home.type(code.group())
    assert "Đã nối xong" in home.text(), home.text()
    after = await sqlite_repository.find_learner(channel="web", user_ref="kiosk")
    assert before is not None and after is not None and after.id != before.id
    await home.tap("resume")
    for _ in range(len(lesson.quiz) - 2):
        question, labels = _asked(home, lesson)
        asked.append(question.id)
        await home.press(labels[_number_of(home, question, labels, question.answer) - 1])
    assert sorted(asked) == sorted(q.id for q in lesson.quiz)
    assert f"{len(lesson.quiz)}/{len(lesson.quiz)}" in home.text()


async def test_a_retake_opens_plainly_not_as_a_lesson_just_finished(
        tutor: Tutor, library: Library) -> None:
    """The first take opens with the lesson just learnt ("… đã học xong bài … 🎉"); a retake,
    from its button or after reading the lesson again, says plainly that the quiz is taken
    again, in another order, not the news of a lesson finished once more."""
    course, lesson = _lesson(library)
    chat = Chat(tutor, "lam-lai-loi-chao")
    await chat.start()
    replies = await chat.learn(course.id, lesson.id)
    assert f'Bạn đã học xong bài "{lesson.title}". 🎉' in _score(replies)
    await _take(chat, lesson)
    for again in ("Làm lại bài kiểm tra", None):
        if again is None:  # the lesson read again to its end, then its quiz
            replies = await chat.learn(course.id, lesson.id)
        else:
            replies = await chat.press(again)
        opening = _score(replies)
        assert "đã học xong" not in opening and "🎉" not in opening
        assert f'Mình cùng làm lại bài kiểm tra "{lesson.title}" nhé' in opening
        assert f"Câu 1/{len(lesson.quiz)}:" in opening
        await _take(chat, lesson)
