"""The database unreachable for a while: nothing half done, webhooks refused, service resumes."""

import asyncio
import sqlite3
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.lessons.model import Library
from bot.messages import Kind
from bot.tutor import Tutor
from storage.database import create_engine, upgrade
from storage.outbox import Outbox, still_kept
from storage.processes import beat
from storage.repository import PROCESSED, SqlRepository
from tests.chat import Chat
from tests.conftest import new_postgres_database
from tests.fake_telegram import FakeTelegram
from tests.fake_zalo_bot import FakeZaloBot
from tests.mentoring_helpers import paired, received
from tests.server import free_port, serving, serving_here
from tests.tcp_proxy import TcpProxy
from tests.test_telegram import SECRET, Bot
from tests.test_zalo_bot import Resident
from tests.test_zalo_bot import running as zalo_running


async def _until(condition, timeout: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "condition never came true"
        await asyncio.sleep(0.02)


async def test_a_locked_sqlite_file_delays_the_turn_and_loses_nothing(
        tmp_path: Path, library: Library) -> None:
    path = tmp_path / "hocso.db"
    engine = create_engine(f"sqlite:///{path}", busy_seconds=0.2)
    await upgrade(engine)
    tutor = Tutor(repository=SqlRepository(engine), library=library)
    chat = Chat(tutor)
    await chat.start()
    course = library.courses[0]
    await chat.press(course.title)
    await chat.press(course.lessons[0].title)
    locked, release = threading.Event(), threading.Event()

    def hold_the_lock() -> None:  # another program (a careless backup, say) holds the file
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")
        locked.set()
        release.wait(10)
        other.execute("COMMIT")
        other.close()

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    await asyncio.to_thread(locked.wait, 5)
    incoming = chat.incoming(Kind.BUTTON, payload=chat.payload_of("Tiếp tục"))
    pressed = asyncio.create_task(chat.send(incoming))
    await _until(lambda: not tutor.database_ok)  # a try failed on the lock
    assert not pressed.done()
    release.set()
    replies = await pressed
    await asyncio.to_thread(holder.join)
    assert "Bước 2/" in replies[0].text and tutor.database_ok
    assert await tutor.handle(incoming) == []  # the same update again: already done
    async with engine.connect() as connection:
        marks = (await connection.execute(select(func.count()).select_from(PROCESSED))).scalar()
    assert marks == 7  # start, agree, how to be called, the name, course, lesson, next: once
    await engine.dispose()


@pytest.fixture
async def cuttable() -> AsyncIterator[tuple[TcpProxy, str]]:
    """A new PostgreSQL database of the test's own (what it counts is its own) behind a TCP
    proxy the test can cut, and the database URL through it."""
    with new_postgres_database() as database:
        url = make_url(database)
        proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
        await proxy.start()
        yield proxy, url.set(port=proxy.port).render_as_string(hide_password=False)
        await proxy.close()


@pytest.mark.parametrize("channel", ["telegram", "web"])
async def test_a_commit_whose_answer_is_lost_still_gives_its_replies(
        cuttable: tuple[TcpProxy, str], library: Library, channel: str) -> None:
    proxy, database_url = cuttable
    engine = create_engine(database_url)
    await upgrade(engine)
    await beat(engine, "serving")  # alive: no worker takes its kept replies
    # Telegram's replies are kept in the outbox until sent; the web chat's are not kept.
    tutor = Tutor(repository=SqlRepository(engine), library=library,
                  kept_replies=("telegram",), process_id="serving")
    chat = Chat(tutor, user=f"commit-lost-{channel}", channel=channel)
    await tutor.settle(await chat.start())  # sent: their kept copies go
    await tutor.settle(await chat.press(library.courses[0].title))
    await tutor.settle(await chat.press(library.courses[0].lessons[0].title))
    proxy.lose_answer_to(b"COMMIT")  # the turn commits; the connection breaks before "done"
    replies = await chat.press("Tiếp tục")
    assert proxy.lost.is_set()
    # The try again finds the update done: it answers with what that commit kept, not nothing.
    assert len(replies) == 1 and "Bước 2/" in replies[0].text
    assert (replies[0].kept_as is not None) == (channel == "telegram")
    assert await Outbox(engine, process_id="worker").take({channel}) == []
    await tutor.settle(replies)
    async with engine.connect() as connection:  # sent once, then forgotten: no copy later
        assert await still_kept(connection, [reply.kept_as or 0 for reply in replies]) == set()
    assert "Bước 3/" in (await chat.press("Tiếp tục"))[0].text  # the place moved on once
    await engine.dispose()


async def test_postgres_cut_off_webhooks_are_refused_until_it_is_back(
        tmp_path: Path, cuttable: tuple[TcpProxy, str]) -> None:
    proxy, database_url = cuttable
    fake = FakeTelegram(webhook_attempts=200, webhook_retry_delay=0.1, webhook_timeout=1.0)
    await fake.start()
    port = free_port()
    env = {"TELEGRAM_BOT_TOKEN": fake.token, "TELEGRAM_API_BASE_URL": fake.base_url,
           "TELEGRAM_WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram/webhook",
           "TELEGRAM_WEBHOOK_SECRET": SECRET,
           "DATABASE_URL": database_url}
    chat = 7_100_001
    try:
        async with serving_here(tmp_path, port, extra_env=env):
            user = Bot(fake, chat)
            await user.start()
            await user.press("Làm quen")
            [step] = await user.press("Bấm nút")
            assert "Bước 1/" in (step.text or "")
            before = len(fake.sent_to(chat))

            await proxy.cut()
            pressed = fake.push_callback(chat, next(
                b["callback_data"] for row in (step.reply_markup or {})["inline_keyboard"]
                for b in row if "Tiếp tục" in b["text"]))
            typed = fake.push_message(chat, "tiến độ")

            def statuses(update: dict[str, object]) -> list[int | None]:
                return [d.status for d in fake.webhook_deliveries
                        if d.update_id == update["update_id"]]

            # No answer while its turn cannot commit (the fake gives up waiting after 1 s),
            # then 503 for its redeliveries: never 200 for an update that is not kept.
            await _until(lambda: 503 in statuses(pressed))
            assert 200 not in statuses(pressed) and statuses(typed) == []
            assert len(fake.sent_to(chat)) == before  # nothing half done was answered
            await proxy.restore()

            await _until(lambda: statuses(typed)[-1:] == [200], timeout=30)
        # Stopped cleanly, so every update it took is handled and every reply sent.
        answers = [record.text or record.caption or "" for record in fake.sent_to(chat)[before:]]
        assert len(answers) == 2, answers  # each once, the redelivered press included
        assert "Bước 2/" in answers[0] and "Tiến độ" in answers[1]
        # The first try waits for the database (no answer within the fake's second), or is
        # refused at once if the deletion of a sent reply found the database gone first.
        assert statuses(pressed)[0] in (None, 503) and statuses(pressed)[-1] == 200
        log = (tmp_path / "server.log").read_text("utf-8")
        assert "database unreachable, trying again" in log and "database reachable again" in log
    finally:
        await fake.close()


async def test_on_zalo_an_event_whose_turn_cannot_commit_gets_503_until_it_can(
        tmp_path: Path, library: Library) -> None:
    path = tmp_path / "hocso.db"
    engine = create_engine(f"sqlite:///{path}", busy_seconds=0.1)
    await upgrade(engine)
    tutor = Tutor(repository=SqlRepository(engine), library=library, patience_seconds=0.5)
    fake = FakeZaloBot(webhook_attempts=100, webhook_retry_delay=0.2)
    await fake.start()
    try:
        async with zalo_running(fake, tutor, "webhook") as (channel, _):
            user = Resident(fake)
            await user.start()
            before = len(fake.sent_to(user.chat))
            other = sqlite3.connect(path, isolation_level=None)
            other.execute("BEGIN EXCLUSIVE")  # another program holds the file
            event = fake.push_text(user.chat, "tiến độ")
            mine = event["message"]["message_id"]

            def statuses() -> list[int | None]:
                return [d.status for d in fake.webhook_deliveries if d.message_id == mine]

            await _until(lambda: statuses().count(503) >= 2)
            assert len(fake.sent_to(user.chat)) == before
            other.execute("COMMIT")
            other.close()
            await _until(lambda: statuses()[-1:] == [200])
            await fake.wait_for_sent(before + 1)
            await channel.drain()  # the event's turn and its replies are over
            sent = fake.sent_to(user.chat)[before:]
            assert len(sent) == 1 and "Tiến độ" in (sent[0].text or "")  # answered once
    finally:
        await fake.close()
        await engine.dispose()


async def test_a_postgres_cut_mid_burst_then_a_restart_sends_no_reply_twice(
        tmp_path: Path, cuttable: tuple[TcpProxy, str]) -> None:
    proxy, database_url = cuttable
    # Update ids of its own: the run's PostgreSQL database holds other tests' marks.
    fake = FakeTelegram(webhook_attempts=600, webhook_retry_delay=0.05, webhook_timeout=1.0,
                        first_update_id=990_000_001)
    await fake.start()
    port = free_port()
    env = {"TELEGRAM_BOT_TOKEN": fake.token, "TELEGRAM_API_BASE_URL": fake.base_url,
           "TELEGRAM_WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram/webhook",
           "TELEGRAM_WEBHOOK_SECRET": SECRET, "HOCSO_HEARTBEAT_SECONDS": "0.5",
           "DATABASE_URL": database_url}
    chats = range(7_200_001, 7_200_031)
    try:
        async with serving(tmp_path, port, extra_env=env):
            for chat in chats:
                fake.push_message(chat, "/start")
            await fake.wait_for_sent(10, timeout=20)
            await proxy.cut()  # mid-burst: turns, and the deletions of sent replies, fail
            # Cut until the server has felt it: a turn that could not commit, its update
            # refused (503) for Telegram to send again.
            await _until(lambda: any(delivery.status == 503
                                     for delivery in fake.webhook_deliveries))
            await _until(lambda: "database unreachable, trying again" in (
                tmp_path / "server.log").read_text("utf-8"))
            await proxy.restore()
            await fake.wait_for_sent(2 * len(chats), timeout=60)
        answered = {chat: [r.text for r in fake.sent_to(chat)] for chat in chats}
        async with serving(tmp_path, port, extra_env=env):  # a clean restart
            await asyncio.sleep(3)  # the outbox worker has polled several times by now
        again = {chat: [r.text for r in fake.sent_to(chat)] for chat in chats}
        assert again == answered  # nothing sent again after the restart
        assert all(len(texts) == 2 for texts in answered.values()), answered  # nor before
    finally:
        await fake.close()


async def test_postgres_cut_off_the_web_chat_answers_503_and_resumes(
        tmp_path: Path, cuttable: tuple[TcpProxy, str]) -> None:
    proxy, database_url = cuttable
    env = {"DATABASE_URL": database_url}
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    async with serving_here(tmp_path, port, extra_env=env), aiohttp.ClientSession() as client:
        async def post(path: str, **body: object) -> tuple[int, dict[str, object]]:
            async with client.post(base + path, json=body) as response:
                return response.status, await response.json()

        status, created = await post("/api/session")
        session = created["session"]
        assert status == 200 and (await post("/api/chat", session=session,
                                             payload="start"))[0] == 200
        await proxy.cut()
        answers = [await post("/api/chat", session=session, text="tiến độ", id=f"m{n}")
                   for n in range(10)]
        answers += [await post("/api/session"), await post("/api/inbox", session=session)]
        assert [status for status, _ in answers] == [503] * 12, answers
        assert all("try again" in str(body["error"]) for _, body in answers)
        await proxy.restore()
        status, body = await post("/api/chat", session=session, payload="agree", id="m99")
        assert status == 200 and body["replies"]
        assert (await post("/api/session"))[0] == 200


async def test_what_subscribers_do_commits_with_the_turn_that_published(
        cuttable: tuple[TcpProxy, str], library: Library) -> None:
    """A quiz's last answer publishes QuizFinished; mentoring's subscriber writes the mentor's
    alert inside that turn's transaction. The turn's COMMIT succeeds but its answer is lost:
    the try again finds the update done, and the alert is there, once (not lost, not twice)."""
    proxy, database_url = cuttable
    engine = create_engine(database_url)
    await upgrade(engine)
    tutor = Tutor(repository=SqlRepository(engine), library=library)
    mentor, resident = Chat(tutor, "event-mentor"), Chat(tutor, "event-resident")
    await paired(mentor, resident, library)
    await received(tutor, mentor)  # the acceptance: handed over
    course = library.course("lam-quen")
    assert course is not None
    lesson = course.lessons[0]
    await resident.learn(course.id, lesson.id)
    for question in lesson.quiz[:-1]:
        await resident.press(question.options[question.answer - 1])
    last = lesson.quiz[-1]
    proxy.lose_answer_to(b"COMMIT")
    replies = await resident.press(last.options[last.answer - 1])
    assert proxy.lost.is_set()
    assert any(lesson.title in reply.text for reply in replies)  # the score, from the commit
    told = [reply.text for reply in await received(tutor, mentor)]
    assert len([text for text in told if lesson.title in text]) == 1, told
    assert await _count(engine, "lesson_result") == 1  # the score the turn kept, once
    assert await _count(engine, "quiz_answer") == len(lesson.quiz)
    await engine.dispose()


async def _count(engine: AsyncEngine, table: str) -> int:
    """The resident's rows in `table` (this test's database is its own)."""
    async with engine.connect() as connection:
        return int((await connection.execute(text(
            f"SELECT count(*) FROM {table} r JOIN learner l ON l.id = r.learner_id "
            "WHERE l.user_ref = 'event-resident'"))).scalar_one())
