"""Personal data: consent before anything is kept, handing it over, and erasing every trace."""

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import String, Text, func, select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import SQLModel

from bot.lessons.model import Library
from bot.lessons.progress import Position
from bot.messages import Kind
from bot.scheduler import InactivityWatch
from bot.tutor import Tutor
from storage.clock import now
from storage.repository import SqlRepository
from storage.rollup import refresh
from tests.chat import Chat
from tests.mentoring_helpers import paired, received

NAME = "Nguyễn Thị Lan"


@pytest.fixture
def tutor_on(repository: SqlRepository, library: Library) -> Tutor:
    """A Tutor on each backend."""
    return Tutor(repository=repository, library=library)


async def finish_first_lesson(chat: Chat, library: Library) -> None:
    course = library.courses[0]
    lesson = course.lessons[0]
    await chat.learn(course.id, lesson.id)
    for number, question in enumerate(lesson.quiz):
        wrong = 1 if question.answer != 1 else 2
        await chat.press(question.options[(wrong if number == 0 else question.answer) - 1])


async def count(connection: AsyncConnection, table: str) -> int:
    query = select(func.count()).select_from(SQLModel.metadata.tables[table])
    return int((await connection.execute(query)).scalar_one())


async def test_nothing_but_the_greeting_is_kept_before_the_learner_agrees(
        tutor: Tutor, library: Library) -> None:
    chat = Chat(tutor, display_name=NAME)
    replies = await chat.start(agree=False)
    assert "không phải người thật" in replies[0].text
    assert "/xoa_du_lieu" in replies[-1].text and "Ai được xem" in replies[-1].text
    course = library.courses[0]
    for attempt in (chat.tap(f"c:{course.id}"), chat.tap(f"l:{course.id}:x"), chat.type("tiếp"),
                    chat.type("9"), chat.tap("eraseok"), chat.type("/tien_do")):
        replies = await attempt
        assert "cần bạn đồng ý" in replies[0].text
        assert [b.payload for b in replies[-1].flat_buttons()] == ["agree", "decline"]
    learner = await tutor.repository.find_learner(channel="test", user_ref="u1")
    assert learner is not None and not learner.consented
    assert learner.display_name == "" and Position.stored_as(learner.place).mode.value == "menu"
    replies = await chat.type("1")  # the first choice: "Tôi đồng ý"
    assert "Cảm ơn bạn đã đồng ý" in replies[0].text
    assert "nên gọi thế nào cho phải phép ạ?" in replies[-1].text
    learner = await tutor.repository.find_learner(channel="test", user_ref="u1")
    assert learner is not None and learner.consented and learner.display_name == NAME


@pytest.mark.parametrize("answer", ["decline", "2", "không đồng ý"])
async def test_declining_keeps_nothing_at_all(tutor: Tutor, answer: str) -> None:
    chat = Chat(tutor, display_name=NAME)
    await chat.start(agree=False)
    replies = await (chat.tap(answer) if answer == "decline" else chat.type(answer))
    assert "không lưu gì" in replies[0].text
    assert await tutor.repository.find_learner(channel="test", user_ref="u1") is None
    replies = await chat.type("chào")  # coming back later: greeted and asked again
    assert "không phải người thật" in replies[0].text and "agree" in [
        b.payload for b in replies[-1].flat_buttons()]


async def test_my_data_lists_everything_and_attaches_it_as_json(tutor: Tutor,
                                                                library: Library) -> None:
    session = "Zq3-web-session-id_0123"  # a web session id is the key to the session
    chat = Chat(tutor, user=session, channel="web", display_name=NAME)
    await chat.start()
    await finish_first_lesson(chat, library)
    await chat.type("hong ha")  # the place question after a first lesson
    [reply] = await chat.type("/du_lieu_cua_toi")
    lesson = library.courses[0].lessons[0]
    total = len(lesson.quiz)
    assert NAME in reply.text and "Phường Hồng Hà" in reply.text
    assert f"{lesson.title}: {total - 1}/{total}" in reply.text
    assert f"{total} câu ({total - 1} câu đúng)" in reply.text
    assert reply.attachment is not None and reply.attachment.name.endswith(".json")
    data = json.loads(reply.attachment.data)
    assert data["learner"]["display_name"] == NAME
    assert data["learner"]["area_commune"] == "ha-noi/hong-ha"
    assert len(data["quiz_answers"]) == total
    assert [r["lesson_id"] for r in data["lesson_results"]] == [lesson.id]
    assert "shown_buttons" not in data["learner"]  # the bot's bookkeeping is not about them
    # Neither the screen nor the file shows the session id: it would open the session.
    assert session not in reply.text and session not in reply.attachment.data.decode()
    assert "mã phiên học được giữ kín" in reply.text
    zalo = Chat(tutor, user="z1", channel="zalo", display_name=NAME)
    await zalo.start()
    [reply] = await zalo.type("dữ liệu của tôi")
    assert reply.attachment is None and "Tệp đính kèm" not in reply.text and NAME in reply.text
    assert "mã người dùng z1" in reply.text  # a messenger's id opens nothing


async def test_a_forged_erase_button_only_asks(tutor: Tutor) -> None:
    chat = Chat(tutor, display_name=NAME)
    await chat.start()
    replies = await chat.tap("eraseok")
    assert "không lấy lại được" in replies[0].text
    assert await tutor.repository.find_learner(channel="test", user_ref="u1") is not None
    replies = await chat.press("Không, giữ lại")
    replies = await chat.tap("eraseok")  # the confirmation is no longer the last thing shown
    assert "không lấy lại được" in replies[0].text
    assert await tutor.repository.find_learner(channel="test", user_ref="u1") is not None


def _person_columns() -> list[tuple[str, str]]:
    """(table, column) of every column that refers to a learner's id."""
    return [(table.name, column.name) for table in SQLModel.metadata.sorted_tables
            for column in table.columns
            if any(key.column.table.name == "learner" for key in column.foreign_keys)
            or (table.name == "learner" and column.name == "id")]


async def _traces(connection: AsyncConnection, learner_id: int, words: list[str]) -> list[str]:
    """Every (table.column) that still holds the learner's id or one of `words`."""
    found = []
    for table_name, column_name in _person_columns():
        column = SQLModel.metadata.tables[table_name].c[column_name]
        query = select(func.count()).where(column == learner_id)
        if (await connection.execute(query)).scalar_one():
            found.append(f"{table_name}.{column_name}")
    for table in SQLModel.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, String | Text):
                for word in words:
                    query = select(func.count()).where(column.contains(word))
                    if (await connection.execute(query)).scalar_one():
                        found.append(f"{table.name}.{column.name}: {word}")
    return found


async def test_erasing_leaves_no_row_that_refers_to_the_person(
        tutor_on: Tutor, library: Library) -> None:
    tutor = tutor_on
    mentor = Chat(tutor, user="mentor-1", channel="telegram", display_name="Trần Minh Anh")
    resident = Chat(tutor, user="resident-1", channel="zalo", display_name=NAME)
    await paired(mentor, resident, library)
    await finish_first_lesson(resident, library)  # a lesson-done alert for the mentor
    await resident.type("hong ha")
    await resident.type("/nguoi_kem")
    await resident.press("Tôi cần giúp đỡ")
    await mentor.type("/hoc_vien")
    await mentor.press("Ghi buổi kèm")
    await mentor.press("Gọi điện")
    await mentor.press("Hôm qua")
    await mentor.type(f"{NAME} đã cài VNeID")
    await refresh(tutor.repository.engine)  # the daily tables count her answers
    engine = tutor.repository.engine
    me = await tutor.repository.find_learner(channel="zalo", user_ref="resident-1")
    assert me is not None
    async with engine.connect() as connection:
        before = await _traces(connection, me.id, [NAME, "resident-1"])
        daily = await count(connection, "daily_answers")
    assert {"quiz_answer.learner_id", "pairing.mentee_id", "outbox.about_id",
            "lesson_result.learner_id"} <= set(before), before
    assert daily > 0

    replies = await resident.type("/xoa_du_lieu")
    assert "việc kèm của bạn sẽ kết thúc" in replies[0].text
    replies = await resident.press("Xóa hết dữ liệu của tôi")
    assert "Đã xóa hết dữ liệu" in replies[0].text

    async with engine.connect() as connection:
        assert await _traces(connection, me.id, [NAME, "resident-1"]) == []
        assert await count(connection, "daily_answers") == daily  # counts, no names, stay
        assert await count(connection, "learner") == 1  # the mentor
    told = [m.text for m in await received(tutor, mentor)]
    assert any("đã xóa dữ liệu" in text for text in told)
    assert not any(NAME in text for text in told)  # what was said about her went too
    await mentor.type("/hoc_vien")
    assert NAME not in mentor.text()
    # Writing again later is a new beginning: greeted, asked, nothing remembered.
    replies = await resident.type("chào")
    assert "không phải người thật" in replies[0].text


async def test_a_mentor_who_erases_ends_every_pairing(tutor: Tutor, library: Library) -> None:
    mentor = Chat(tutor, user="mentor-1", channel="telegram", display_name="Trần Minh Anh")
    resident = Chat(tutor, user="resident-1", channel="zalo", display_name=NAME)
    await paired(mentor, resident, library)
    await mentor.type("xóa dữ liệu")
    await mentor.press("Xóa hết dữ liệu của tôi")
    told = [m.text for m in await received(tutor, resident)]
    assert any("đã xóa dữ liệu" in text for text in told)
    await resident.type("/nguoi_kem")
    assert "Trần Minh Anh" not in resident.text()
    async with tutor.repository.engine.connect() as connection:
        for table in ("mentor", "invitation", "pairing"):
            assert await count(connection, table) == 0, table


def test_every_learner_reference_is_known(library: Library) -> None:
    # A new table that refers to learners must be erased too: this list is what erase() covers.
    covered: set[Any] = {("lesson_result", "learner_id"), ("course_completion", "learner_id"),
                         ("quiz_answer", "learner_id"), ("mentor", "learner_id"),
                         ("invitation", "mentor_id"), ("pairing", "mentor_id"),
                         ("pairing", "mentee_id"), ("code_attempt", "learner_id"),
                         ("outbox", "learner_id"), ("outbox", "about_id"), ("learner", "id"),
                         ("certificate", "learner_id"), ("identity", "learner_id"),
                         ("link_code", "learner_id"), ("reminder", "learner_id")}
    assert set(_person_columns()) == covered


async def test_my_data_holds_what_was_said_about_me_to_others(tutor_on: Tutor,
                                                              library: Library) -> None:
    tutor = tutor_on
    mentor = Chat(tutor, user="mentor-1", channel="telegram", display_name="Trần Minh Anh")
    resident = Chat(tutor, user="resident-1", channel="web", display_name=NAME)
    await paired(mentor, resident, library)  # the mentor is told "Lan đã đồng ý..."
    watch = InactivityWatch(tutor.repository, tutor.writer, tutor.rules,
                            clock=lambda: now() + timedelta(days=4))
    assert await watch.check() == 1  # and, four quiet days later, an alert about her
    await tutor.keep_failed_send(channel="web", user_ref="resident-1", text="Bài mới đây ạ",
                                 error="HTTP 500")
    [reply] = await resident.type("/du_lieu_cua_toi")
    assert reply.attachment is not None
    data = json.loads(reply.attachment.data)
    about = data["messages_about_you"]
    assert [m["to"] for m in about] == ["Trần Minh Anh"] * 2
    assert f"{NAME} đã đồng ý" in about[0]["text"] and "chưa vào học" in about[1]["text"]
    assert [alert["key"].split(":")[0] for alert in data["alerts_to_mentor"]] == ["idle"]
    assert [(m["text"], m["error"]) for m in data["undelivered_messages"]] == [
        ("Bài mới đây ạ", "HTTP 500")]
    assert data["messages_received_recently"] > 0
    assert "nhắc đến bạn (như tin báo cho người kèm): 2" in reply.text
    assert "chưa gửi được tới bạn: 1" in reply.text


async def test_erasing_on_the_web_leaves_no_trace_of_the_session(tutor_on: Tutor) -> None:
    # The web chat's update ids begin with the session id; Zalo OA's follow events hold the
    # user id: the marks of those updates are erased with the person.
    session = "s3ss10n-0f-b4-lan-0123456789abcdef"
    chat = Chat(tutor_on, user=session, channel="web", display_name=NAME)
    messages = iter(range(100))

    async def say(text: str = "", payload: str = "") -> None:
        await chat.send(chat.incoming(Kind.BUTTON if payload else Kind.TEXT, text=text,
                                      payload=payload, update_id=f"{session}:{next(messages)}"))

    await tutor_on.new_learner(channel="web", user_ref=session)
    await say("chào")
    await say(payload="agree")
    await say("/tien_do")
    await say("/xoa_du_lieu")
    await say(payload="eraseok")
    assert "Đã xóa hết dữ liệu" in chat.text()
    async with tutor_on.repository.engine.connect() as connection:
        assert await _traces(connection, -1, [session]) == []
