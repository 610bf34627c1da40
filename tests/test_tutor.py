"""The Tutor end to end on a real SQLite file: de-duplication, bad input, resume, content edits."""

from pathlib import Path

import pytest

from bot.handlers.context import MERGED_CHARS, merges_into
from bot.lessons.loader import load_library
from bot.lessons.model import Library
from bot.lessons.progress import Mode, Position, pass_mark
from bot.messages import Button, Incoming, Kind, Outgoing
from bot.tutor import Tutor
from storage.repository import SqlRepository
from tests.chat import Chat, answer_quiz


async def position_of(tutor: Tutor, user: str = "u1") -> Position:
    learner = await tutor.repository.find_learner(channel="test", user_ref=user)
    assert learner is not None
    return Position.stored_as(learner.place)


async def into_lesson(chat: Chat, library: Library, steps: int = 1) -> None:
    """Start the first lesson and go `steps` steps in."""
    await chat.start()
    await chat.press(library.courses[0].title)
    await chat.press(library.courses[0].lessons[0].title)
    for _ in range(steps):
        await chat.press("Tiếp tục")


async def test_welcome_says_it_is_automated_and_shows_the_menu(tutor: Tutor,
                                                               library: Library) -> None:
    chat = Chat(tutor)
    replies = await chat.start()
    assert "trợ lý học tự động" in replies[0].text and "không phải người thật" in replies[0].text
    labels = [button.label for button in replies[-1].flat_buttons()]
    # Nothing started yet: no "continue" (a tester found it offered on the first menu).
    assert labels[-2:] == ["📊 Tiến độ của tôi", "❓ Trợ giúp"]
    assert "▶️ Tiếp tục bài đang học" not in labels
    course = library.courses[0]
    await chat.tap(f"l:{course.id}:{course.lessons[0].id}")
    replies = await chat.tap("menu")  # a lesson begun: now there is one to continue
    labels = [button.label for button in replies[-1].flat_buttons()]
    assert labels[-3:] == ["▶️ Tiếp tục bài đang học", "📊 Tiến độ của tôi", "❓ Trợ giúp"]


async def test_feedback_and_what_follows_come_as_one_message(tutor: Tutor,
                                                              library: Library) -> None:
    chat = Chat(tutor)
    welcome, notice = await chat.send(chat.incoming(Kind.START))
    assert welcome.buttons == () and notice.buttons  # the greeting alone (Telegram's keyboard)
    (asked,) = await chat.tap("agree")  # the thanks, then how to be called
    assert asked.text.startswith("Cảm ơn")
    assert "\n\nDạ, Học Số nên gọi thế nào cho phải phép ạ?" in asked.text
    await chat.tap("ad:ban")
    (menu,) = await chat.tap("skip")  # no name: saying so, then the menu
    assert "\n\nBạn muốn làm gì" in menu.text
    lesson = library.courses[0].lessons[0]
    await chat.learn(library.courses[0].id, lesson.id)
    question = lesson.quiz[0]
    (answered,) = await chat.press(question.options[question.answer - 1])
    feedback, asked = answered.text.split("\n\n", 1)
    assert feedback.startswith("✅") and asked.startswith("Câu 2/")
    assert [b.label for b in answered.flat_buttons()][:-1] == list(lesson.quiz[1].options)


def test_only_a_plain_text_takes_the_next_one_and_only_while_both_fit() -> None:
    plain, asked = Outgoing("Đúng rồi!"), Outgoing("Câu 2/3?", ((Button("Có", "a:1:1"),),))
    assert merges_into(plain, asked)
    assert not merges_into(asked, plain)  # the buttons would end up under the wrong text
    assert not merges_into(plain, Outgoing("Bước 2", image="images/a.png"))
    assert merges_into(plain, Outgoing("x" * (MERGED_CHARS - len(plain.text) - 2)))
    assert not merges_into(plain, Outgoing("x" * (MERGED_CHARS - len(plain.text) - 1)))


async def test_the_same_update_twice_changes_state_once_and_replies_once(
        tutor: Tutor, library: Library) -> None:
    chat = Chat(tutor)
    await into_lesson(chat, library, steps=0)
    press_next = chat.incoming(Kind.BUTTON, payload=chat.payload_of("Tiếp tục"),
                               update_id="redelivered-1")
    first = await chat.send(press_next)
    after_first = await position_of(tutor)
    second = await chat.send(press_next)
    assert first and second == []
    assert await position_of(tutor) == after_first
    assert after_first.step_id == library.courses[0].lessons[0].steps[1].id


async def test_a_double_tap_on_an_answer_counts_once(tutor: Tutor, library: Library) -> None:
    chat = Chat(tutor)
    lesson = library.courses[0].lessons[0]
    await into_lesson(chat, library, steps=0)
    await chat.learn(library.courses[0].id, lesson.id)
    answer = chat.payload_of(lesson.quiz[0].options[0])
    await chat.tap(answer)
    replies = await chat.tap(answer)  # the same button again, from the same message
    assert "ở tin nhắn cũ nên không bấm được nữa" in replies[0].text
    learner = await tutor.repository.find_learner(channel="test", user_ref="u1")
    assert learner is not None
    assert await tutor.repository.count_answers(learner.id) == 1
    assert Position.stored_as(learner.place).question_id == lesson.quiz[1].id


@pytest.mark.parametrize("payload", [
    "n:999", "a:1:1", "l:lam-quen:khong-co", "c:khong-co", "q:khong-co:x", "hack", "", "n:-1",
    "a:" + "9" * 60 + ":1", "{{ config }}",
])
async def test_forged_or_stale_payloads_get_a_kind_answer_and_change_nothing(
        tutor: Tutor, library: Library, payload: str) -> None:
    chat = Chat(tutor)
    await into_lesson(chat, library, steps=2)
    before = await position_of(tutor)
    (reply,) = await chat.tap(payload)  # the kind answer and the step again, one message
    notice, step = reply.text.split("\n\n", 1)
    assert "ở tin nhắn cũ nên không bấm được nữa" in notice
    assert step.startswith(library.courses[0].lessons[0].title)
    assert await position_of(tutor) == before


async def test_an_old_button_at_the_menu_says_the_menu_follows(tutor: Tutor) -> None:
    # "…gửi lại bước bạn đang học" came above the main menu, to someone in no lesson.
    chat = Chat(tutor)
    await chat.start()
    await chat.tap("n:999")
    assert "chọn lại ở danh mục dưới đây" in chat.text() and "gửi lại bước" not in chat.text()


async def test_an_old_next_button_does_not_skip_a_step(tutor: Tutor, library: Library) -> None:
    chat = Chat(tutor)
    await into_lesson(chat, library, steps=0)
    old_next = chat.payload_of("Tiếp tục")
    await chat.tap(old_next)
    before = await position_of(tutor)
    replies = await chat.tap(old_next)
    assert "ở tin nhắn cũ nên không bấm được nữa" in replies[0].text
    assert await position_of(tutor) == before


@pytest.mark.parametrize(("text", "expected"), [
    ("", "chưa hiểu"),
    ("   ", "chưa hiểu"),
    ("a" * 5000, "dài quá"),
    ("😀🙏👍", "chưa hiểu"),
    ("asdf qwerty", "chưa hiểu"),
    ("{{ 7 * 7 }}", "chưa hiểu"),
    ("/lenh_la", "chưa hiểu"),
    ("\u202egnol\x00", "chưa hiểu"),
    ("99", "từ 1 đến 3"),
])
async def test_bad_text_gets_a_friendly_answer_and_changes_nothing(
        tutor: Tutor, library: Library, text: str, expected: str) -> None:
    chat = Chat(tutor)
    await into_lesson(chat, library, steps=1)
    before = await position_of(tutor)
    replies = await chat.type(text)
    assert expected in replies[0].text
    assert "49" not in chat.text()
    assert await position_of(tutor) == before


async def test_unreadable_media_gets_a_kind_answer(tutor: Tutor, library: Library) -> None:
    chat = Chat(tutor)
    await into_lesson(chat, library, steps=1)
    before = await position_of(tutor)
    replies = await chat.send(chat.incoming(Kind.UNSUPPORTED))
    assert "chỉ đọc được chữ" in replies[0].text
    assert await position_of(tutor) == before


@pytest.mark.parametrize(("typed", "step_index"), [("tiếp", 2), ("Tiếp tục", 2), ("1", 2),
                                                    ("nhắc lại", 1), ("2", 1)])
async def test_typing_works_like_tapping(tutor: Tutor, library: Library, typed: str,
                                         step_index: int) -> None:
    chat = Chat(tutor)
    await into_lesson(chat, library, steps=1)
    await chat.type(typed)
    assert (await position_of(tutor)).step_id == library.courses[0].lessons[0].steps[
        step_index].id


async def test_menu_and_help_by_typing_keep_the_lesson(tutor: Tutor, library: Library) -> None:
    chat = Chat(tutor)
    await into_lesson(chat, library, steps=1)
    before = await position_of(tutor)
    assert "Bạn muốn làm gì" in (await chat.type("MENU"))[0].text
    assert "Cách dùng Học Số" in (await chat.type("trợ giúp"))[0].text
    resumed = await chat.press("Tiếp tục bài đang học")
    assert resumed[0].text.startswith(library.courses[0].lessons[0].title + " · Bước 2/")
    assert (await position_of(tutor)).step_id == before.step_id


async def test_a_restarted_tutor_resumes_mid_quiz(sqlite_repository: SqlRepository,
                                                  library: Library) -> None:
    lesson = library.courses[0].lessons[0]
    chat = Chat(Tutor(repository=sqlite_repository, library=library))
    await chat.start()
    await chat.learn(library.courses[0].id, lesson.id)
    await chat.press(lesson.quiz[0].options[lesson.quiz[0].answer - 1])
    restarted = Chat(Tutor(repository=sqlite_repository, library=library))
    replies = await restarted.tap("resume")
    assert replies[-1].text == f"Câu 2/{len(lesson.quiz)}: {chat.read(lesson.quiz[1].question)}"
    await restarted.press(lesson.quiz[1].options[lesson.quiz[1].answer - 1])
    await restarted.press(lesson.quiz[2].options[0])
    assert "Kết quả: đúng" in restarted.text()


async def test_progress_shows_lessons_done_best_scores_and_next(tutor: Tutor,
                                                                library: Library) -> None:
    course = library.courses[0]
    lesson = course.lessons[0]
    chat = Chat(tutor)
    await chat.start()
    for right in (True, False):  # all right, then a retake all wrong
        await chat.learn(course.id, lesson.id)
        await answer_quiz(chat, lesson, right=right)
    assert "Điểm cao nhất của bạn" in chat.text()
    replies = await chat.type("tiến độ")
    card = replies[0].text
    assert f"đã học 1/{len(course.lessons)} bài" in card
    assert f"{lesson.title}: đúng {len(lesson.quiz)}/{len(lesson.quiz)} câu" in card
    assert f"Bài tiếp theo: {course.lessons[1].title}" in card


async def test_a_quiz_not_passed_is_said_so_and_progress_shows_where_the_learner_is(
        tutor: Tutor, library: Library) -> None:
    # A resident who got 0/3 was told only "you can take it again" and read "✔ finished" on
    # the progress card, while their mentor heard they had not passed.
    course = library.courses[0]
    chat = Chat(tutor)
    await chat.start()
    for lesson in course.lessons:
        await chat.learn(course.id, lesson.id)
        for question in lesson.quiz:
            await chat.press(question.options[question.answer % len(question.options)])
    last = course.lessons[-1]
    assert f"Lần này bạn chưa đạt: cần đúng từ {pass_mark(len(last.quiz))}/{len(last.quiz)} " \
        "câu" in chat.text()
    card = (await chat.type("tiến độ"))[0].text
    assert f"{last.title}: đúng 0/{len(last.quiz)} câu (chưa đạt)" in card
    assert "Đã học hết khóa này" not in card and "làm lại cho đạt" in card
    # In the middle of a lesson, the card says which and where.
    await into_lesson(chat, library, steps=1)
    card = (await chat.type("tiến độ"))[0].text
    first = course.lessons[0]
    assert f"Đang học dở: {first.title} (bước 2/{len(first.steps)})" in card


async def test_a_display_name_is_never_run_as_a_template(tutor: Tutor) -> None:
    replies = await tutor.handle(Incoming(channel="test", user_ref="x", kind=Kind.START,
                                          display_name="Lan {{ 7 * 7 }}\u202e"))
    assert "Lan {{ 7 * 7 }}" in replies[0].text and "49" not in replies[0].text


def _edit(content: Path, old: str, new: str) -> None:
    path = content / "lam-quen" / "course.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


async def test_an_edited_course_resumes_by_step_id(sqlite_repository: SqlRepository,
                                                   library: Library, content_copy: Path) -> None:
    lesson = library.courses[0].lessons[0]
    chat = Chat(Tutor(repository=sqlite_repository, library=library))
    await into_lesson(chat, library, steps=2)
    step = lesson.steps[2]
    _edit(content_copy, step.text.splitlines()[0], "Câu chữ đã sửa cho dễ hiểu hơn.")
    edited = load_library(content_copy)
    assert edited.courses[0].version != library.courses[0].version
    chat.tutor = Tutor(repository=sqlite_repository, library=edited)
    replies = await chat.press("Nhắc lại")
    assert "Câu chữ đã sửa cho dễ hiểu hơn." in replies[0].text
    position = await position_of(chat.tutor)
    assert position.step_id == step.id and position.content_version == edited.courses[0].version


async def test_a_removed_step_restarts_the_lesson_with_a_note(
        sqlite_repository: SqlRepository, library: Library, content_copy: Path) -> None:
    lesson = library.courses[0].lessons[0]
    chat = Chat(Tutor(repository=sqlite_repository, library=library))
    await into_lesson(chat, library, steps=2)
    _edit(content_copy, f"- id: {lesson.steps[2].id}\n", "- id: buoc-moi\n")
    chat.tutor = Tutor(repository=sqlite_repository, library=load_library(content_copy))
    (reply,) = await chat.type("tiếp")
    notice, step = reply.text.split("\n\n", 1)
    assert "vừa được cập nhật" in notice
    assert (await position_of(chat.tutor)).step_id == lesson.steps[0].id
    assert step.startswith(f"{lesson.title} · Bước 1/")


async def test_learners_are_kept_apart(tutor: Tutor, library: Library) -> None:
    first, second = Chat(tutor, user="a"), Chat(tutor, user="b")
    await into_lesson(first, library, steps=2)
    await second.start()
    assert (await position_of(tutor, "a")).mode == Mode.LESSON
    assert (await position_of(tutor, "b")).mode == Mode.MENU


async def test_progress_lists_scores_in_lesson_order(tutor: Tutor, library: Library) -> None:
    course = library.courses[0]
    last, first = course.lessons[-1], course.lessons[0]  # taken last lesson first
    chat = Chat(tutor)
    await chat.start()
    for lesson in (last, first):
        await chat.learn(course.id, lesson.id)
        for question in lesson.quiz:
            await chat.press(question.options[question.answer - 1])
    card = (await chat.type("tiến độ"))[0].text
    assert card.index(f"{first.title}: đúng") < card.index(f"{last.title}: đúng")
