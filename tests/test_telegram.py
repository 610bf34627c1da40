"""The unmodified Telegram channel against a fake Bot API on loopback, by polling and webhook."""

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientSession
from aiohttp.test_utils import TestServer
from telegram import Bot as PtbBot
from telegram import Update

from bot.channels.pacing import Pacer
from bot.channels.telegram import (
    CHANNEL,
    SECRET_HEADER,
    WEBHOOK_PATH,
    TelegramChannel,
    TelegramConfig,
    to_incoming,
)
from bot.channels.telegram_send import MAX_ATTEMPTS, TelegramSender
from bot.channels.web import create_web_app
from bot.lessons.model import Library
from bot.messages import Button, Kind, Outgoing
from bot.tutor import Tutor
from tests.conftest import CONTENT_DIR
from tests.conversation import exchange, fixture_loader, post_json
from tests.fake_telegram import FakeTelegram, SentRecord
from tests.server import serving

USER = 5550001
SECRET = "s3cret-token_for-tests"

fixture = fixture_loader("telegram")


def buttons(record: SentRecord) -> list[tuple[str, str]]:
    markup = record.reply_markup or {}
    return [(b["text"], b["callback_data"]) for row in markup.get("inline_keyboard", [])
            for b in row]


def payload_of(fake: FakeTelegram, chat: int, label: str) -> str:
    for record in reversed(fake.sent_to(chat)):
        for text, data in buttons(record):
            if label in text:
                return data
    raise AssertionError(f"no button {label!r} sent to {chat}")


class Bot:
    """A Telegram user talking to the channel through the fake."""

    def __init__(self, fake: FakeTelegram, chat: int = USER) -> None:
        self.fake = fake
        self.chat = chat

    async def _exchange(self, push: Any, expect: int) -> list[SentRecord]:
        return await exchange(lambda: self.fake.sent_to(self.chat), push, expect)

    async def say(self, text: str, expect: int = 1) -> list[SentRecord]:
        return await self._exchange(lambda: self.fake.push_message(self.chat, text), expect)

    async def press(self, label: str, expect: int = 1) -> list[SentRecord]:
        data = payload_of(self.fake, self.chat, label)
        return await self._exchange(lambda: self.fake.push_callback(self.chat, data), expect)

    async def tap(self, data: str, expect: int = 1) -> list[SentRecord]:
        return await self._exchange(lambda: self.fake.push_callback(self.chat, data), expect)


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram()
    await server.start()
    yield server
    await server.close()


@pytest.fixture
async def polling(fake: FakeTelegram, tutor: Tutor) -> AsyncIterator[TelegramChannel]:
    channel = TelegramChannel(TelegramConfig(token=fake.token, api_base_url=fake.base_url),
                              tutor, CONTENT_DIR)
    await channel.start()
    yield channel
    await channel.stop()


async def test_start_sets_commands_and_greets_with_both_keyboards(
        fake: FakeTelegram, polling: TelegramChannel) -> None:
    for language in ("vi", ""):
        commands = [c["command"] for c in fake.commands[("default", language)]]
        assert commands == ["start", "bai_hoc", "tiep_tuc", "tien_do", "tro_giup"]
    welcome, menu = await Bot(fake).say("/start", expect=2)
    assert "trợ lý học tự động" in (welcome.text or "")
    assert welcome.reply_markup and welcome.reply_markup["keyboard"][0][0]["text"] == "📚 Bài học"
    assert ("📊 Tiến độ của tôi", "progress") in buttons(menu)


async def test_a_whole_lesson_and_quiz_by_pressing_buttons(
        fake: FakeTelegram, polling: TelegramChannel, library: Library) -> None:
    course = library.courses[0]
    lesson = course.lessons[0]
    user = Bot(fake)
    await user.say("/start", expect=2)
    await user.press(course.title)
    await user.press(lesson.title)
    for step in lesson.steps:
        if step.check is not None:
            await user.press(step.check.options[step.check.answer - 1], expect=2)
        elif step is lesson.steps[-1]:
            await user.press("Tiếp tục", expect=2)  # the quiz intro, then question 1
        else:
            sent = await user.press("Tiếp tục")
            following = lesson.steps[lesson.steps.index(step) + 1]
            if following.image:
                assert sent[0].method == "sendPhoto" and isinstance(sent[0].photo, bytes)
                assert sent[0].caption and "Bước" in sent[0].caption
                assert buttons(sent[0])
    for question in lesson.quiz:
        sent = await user.press(question.options[question.answer - 1], expect=2)
        assert (sent[0].text or "").startswith("✅")
    assert "đúng 3/3" in (sent[-1].text or "")
    presses = sum(1 for method, _ in fake.requests if method == "answerCallbackQuery")
    assert presses == len(fake.callback_answers) == len(lesson.steps) + len(lesson.quiz) + 2


async def test_typing_digits_works_like_buttons(fake: FakeTelegram, polling: TelegramChannel,
                                                library: Library) -> None:
    user = Bot(fake)
    await user.say("/start", expect=2)
    await user.say("1")  # the first course
    step = await user.say("1")  # its first lesson
    assert (step[0].text or "").startswith(library.courses[0].lessons[0].title)
    assert buttons(step[0])[0][0] == "Tiếp tục ▶"


async def test_a_stale_button_gets_the_kind_answer(fake: FakeTelegram,
                                                   polling: TelegramChannel) -> None:
    user = Bot(fake)
    await user.say("/start", expect=2)
    await user.say("1")
    await user.say("1")
    old_next = payload_of(fake, USER, "Tiếp tục")
    await user.tap(old_next)
    sent = await user.tap(old_next, expect=2)
    assert "không dùng được nữa" in (sent[0].text or "")


async def test_a_redelivered_update_gets_one_reply(fake: FakeTelegram, polling: TelegramChannel,
                                                   tutor: Tutor) -> None:
    user = Bot(fake)
    await user.say("/start", expect=2)
    update = fake.push_message(USER, "tiến độ")
    await fake.wait_for_sent(3)
    fake.push_update(update)  # the same update_id again
    fake.push_message(USER, "menu")
    await fake.wait_for_sent(4)
    await asyncio.sleep(0.2)
    texts = [record.text or "" for record in fake.sent_to(USER)]
    assert len(texts) == 4 and "Bạn muốn làm gì" in texts[-1]


async def test_a_deep_link_reaches_the_tutor(fake: FakeTelegram, polling: TelegramChannel) -> None:
    incoming = to_incoming(Update.de_json(fixture("start_deeplink"), polling.application.bot))
    assert incoming is not None
    assert (incoming.kind, incoming.text, incoming.user_ref) == (Kind.START, "KEM-7Q4X",
                                                                 str(USER))
    sent = await Bot(fake).say("/start KEM-7Q4X", expect=2)
    assert "trợ lý học tự động" in (sent[0].text or "")


async def test_a_blocked_user_is_marked_unreachable_and_back(
        fake: FakeTelegram, polling: TelegramChannel, tutor: Tutor) -> None:
    user = Bot(fake)
    await user.say("/start", expect=2)
    fake.block(USER)
    fake.push_message(USER, "menu")
    await _until(lambda: _reachable(tutor), False)
    forbidden = [m for m, p in fake.requests if m == "sendMessage"]
    assert len(forbidden) == 3  # one refused send, and nothing more after it
    fake.unblock(USER)
    fake.push_update(fixture("my_chat_member_member"))
    await _until(lambda: _reachable(tutor), True)
    fake.push_update(fixture("my_chat_member_kicked"))
    await _until(lambda: _reachable(tutor), False)


async def test_a_429_is_waited_out_and_the_message_still_arrives(
        fake: FakeTelegram, polling: TelegramChannel) -> None:
    fake.flood(1, retry_after=1)
    sent = await Bot(fake).say("/start", expect=2)
    assert "trợ lý học tự động" in (sent[0].text or "")
    refused = [p for m, p in fake.requests if m == "sendMessage"]
    assert len(refused) == 3  # the flooded attempt, its retry, then the menu


async def _reachable(tutor: Tutor) -> bool | None:
    learner = await tutor.repository.find_learner(channel=CHANNEL, user_ref=str(USER))
    return None if learner is None else learner.reachable


async def _until(probe: Any, expected: object, timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while await probe() != expected:
        assert asyncio.get_running_loop().time() < deadline, f"never became {expected}"
        await asyncio.sleep(0.02)


# ---------------------------------------------------------------------- webhook


@pytest.fixture
async def webhook(fake: FakeTelegram, tutor: Tutor) -> AsyncIterator[tuple[TelegramChannel,
                                                                            str]]:
    placeholder = TelegramConfig(token=fake.token, api_base_url=fake.base_url,
                                 webhook_url="http://pending", webhook_secret=SECRET)
    channel = TelegramChannel(placeholder, tutor, CONTENT_DIR)
    app = create_web_app(tutor, CONTENT_DIR)
    app.add_routes(channel.routes())
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    url = str(server.make_url(WEBHOOK_PATH))
    channel.config = TelegramConfig(token=fake.token, api_base_url=fake.base_url,
                                    webhook_url=url, webhook_secret=SECRET)
    await channel.start()
    yield channel, url
    await server.close()
    await channel.stop()


async def test_by_webhook_a_lesson_starts_and_buttons_work(
        fake: FakeTelegram, webhook: tuple[TelegramChannel, str], library: Library) -> None:
    assert fake.webhook_url == webhook[1]
    user = Bot(fake)
    await user.say("/start", expect=2)
    await user.press(library.courses[0].title)
    sent = await user.press(library.courses[0].lessons[0].title)
    assert (sent[0].text or "").startswith(library.courses[0].lessons[0].title)
    assert all(d.secret_token == SECRET for d in fake.webhook_deliveries)


@pytest.mark.parametrize("secret", [None, "", "wrong-secret-token-value", SECRET + "x"])
async def test_the_webhook_refuses_a_missing_or_wrong_secret(
        fake: FakeTelegram, webhook: tuple[TelegramChannel, str], secret: str | None) -> None:
    headers = {} if secret is None else {SECRET_HEADER: secret}
    assert await post_json(webhook[1], fixture("text"), headers) == 401
    await asyncio.sleep(0.1)
    assert fake.sent == []


RECORDED = [  # fixture, what the learner gets back
    ("text", "chưa hiểu"), ("sticker", "chỉ đọc được chữ"), ("voice", "chỉ đọc được chữ"),
    ("photo", "chỉ đọc được chữ"), ("contact", "chỉ đọc được chữ"),
    ("location", "chỉ đọc được chữ"), ("start_deeplink", "trợ lý học tự động"),
    ("edited_message", None), ("group_message", None), ("channel_post", None),
    ("my_chat_member_kicked", None), ("my_chat_member_member", None), ("callback_query", None),
]


@pytest.mark.parametrize(("name", "expected"), RECORDED)
async def test_recorded_updates_of_every_kind(fake: FakeTelegram,
                                              webhook: tuple[TelegramChannel, str],
                                              name: str, expected: str | None) -> None:
    await Bot(fake).say("/start", expect=2)  # a known learner, past the welcome
    before = len(fake.sent)
    assert await post_json(webhook[1], fixture(name), {SECRET_HEADER: SECRET}) == 200
    if expected is None:
        await asyncio.sleep(0.3)
        new = [r for r in fake.sent[before:] if r.method != "answerCallbackQuery"]
        assert name == "callback_query" or new == []
    else:
        await fake.wait_for_sent(before + 1)
        assert expected in (fake.sent[before].text or "")


@pytest.mark.parametrize("body", [b"{broken", b"[1, 2]", b'{"update_id": "x"}'])
async def test_a_garbage_webhook_body_is_refused_without_harm(
        fake: FakeTelegram, webhook: tuple[TelegramChannel, str], body: bytes) -> None:
    async with ClientSession() as client, client.post(
            webhook[1], data=body, headers={SECRET_HEADER: SECRET,
                                            "Content-Type": "application/json"}) as response:
        assert response.status == 400


async def test_a_clean_shutdown_finishes_every_received_update(
        fake: FakeTelegram, webhook: tuple[TelegramChannel, str]) -> None:
    channel, url = webhook
    chats = range(7000001, 7000021)
    async with ClientSession() as client:
        for number, chat in enumerate(chats):
            update = fixture("start_deeplink")
            update["update_id"] = 990_000 + number
            for place in (update["message"]["from"], update["message"]["chat"]):
                place["id"] = chat
            async with client.post(url, json=update, headers={SECRET_HEADER: SECRET}) as answer:
                assert answer.status == 200
    await channel.stop()  # at once: every update already answered 200 must still be handled
    for chat in chats:
        assert len(fake.sent_to(chat)) == 2, chat


async def test_hocso_serve_runs_telegram_when_the_token_is_set(fake: FakeTelegram,
                                                                tmp_path: Path) -> None:
    env = {"TELEGRAM_BOT_TOKEN": fake.token, "TELEGRAM_API_BASE_URL": fake.base_url}
    async with serving(tmp_path, extra_env=env):  # leaving it is SIGTERM: a clean stop
        welcome, _ = await Bot(fake).say("/start", expect=2)
        assert "trợ lý học tự động" in (welcome.text or "")
        update = fake.push_message(USER, "tiến độ")
        await fake.wait_for_sent(3)
    log = (tmp_path / "server.log").read_text(encoding="utf-8")
    assert "Telegram: receiving by long polling" in log
    assert fake.commands[("default", "vi")]
    await fake.wait_until_confirmed(update["update_id"])


async def test_network_errors_are_retried_with_backoff_and_logged(
        caplog: pytest.LogCaptureFixture) -> None:
    unreachable: list[int] = []

    async def mark(chat: int) -> None:
        unreachable.append(chat)

    telegram = FakeTelegram()
    await telegram.start()
    async with PtbBot(telegram.token, base_url=telegram.base_url) as bot:
        await telegram.close()  # Telegram can no longer be reached
        sender = TelegramSender(bot, content_dir=CONTENT_DIR, on_unreachable=mark,
                                pacer=Pacer(overall_per_second=100, chat_per_second=100,
                                            chat_burst=10), backoff_seconds=0.01)
        with caplog.at_level("WARNING", logger="hocso.telegram"):
            await sender.send(USER, [Outgoing(text="Xin chào")])
    warnings = [r for r in caplog.records if r.levelname == "WARNING"]
    errors = [r for r in caplog.records if r.levelname == "ERROR"]
    assert len(warnings) == MAX_ATTEMPTS and "attempt 1/5" in warnings[0].getMessage()
    assert len(errors) == 1 and "gave up" in errors[0].getMessage()
    assert unreachable == []


async def test_long_texts_split_and_long_captions_follow_the_photo(fake: FakeTelegram) -> None:
    image = "images/bam-nut-hoac-go-so.png"
    menu = ((Button("🏠 Về menu", "menu"),),)

    async def never(_chat: int) -> None:
        raise AssertionError("nobody is unreachable here")

    async with PtbBot(fake.token, base_url=fake.base_url) as bot:
        sender = TelegramSender(bot, content_dir=CONTENT_DIR, on_unreachable=never,
                                pacer=Pacer(overall_per_second=100, chat_per_second=100,
                                            chat_burst=10))
        long_text = "\n\n".join(f"Đoạn {n}. " + "chữ " * 400 for n in range(5))
        await sender.send(USER, [Outgoing(text=long_text, buttons=menu)])
        await sender.send(USER, [Outgoing(text="Chú thích " * 150, image=image, buttons=menu),
                                 Outgoing(text="Ngắn", image=image)])
    sent = fake.sent_to(USER)
    texts = [r for r in sent[:3] if r.method == "sendMessage"]
    assert len(texts) == 3 and all(len(r.text or "") <= 4096 for r in texts)
    assert [bool(buttons(r)) for r in texts] == [False, False, True]
    photo, caption_text, second_photo = sent[3:]
    assert photo.method == "sendPhoto" and photo.caption is None and isinstance(photo.photo, bytes)
    assert caption_text.method == "sendMessage" and buttons(caption_text)
    assert second_photo.caption == "Ngắn" and isinstance(second_photo.photo, str)  # file id reused
