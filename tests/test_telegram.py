"""The unmodified Telegram channel against a fake Bot API on loopback, by polling and webhook."""

import asyncio
import io
import json
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientSession
from aiohttp.test_utils import TestServer
from telegram import Bot as PtbBot
from telegram import Update

from bot.channels.delivery import ATTEMPTS
from bot.channels.pacing import Pacer
from bot.channels.telegram import (
    CHANNEL,
    SECRET_HEADER,
    WEBHOOK_PATH,
    ChatOrderedProcessor,
    TelegramChannel,
    TelegramConfig,
    telegram_http,
    telegram_pacer,
    to_incoming,
)
from bot.channels.telegram_send import GaveUp, TelegramSender
from bot.channels.web import create_web_app
from bot.lessons.loader import load_library
from bot.lessons.model import Library
from bot.messages import Button, Kind, Outgoing
from bot.tutor import Tutor
from tests.conftest import CONTENT_DIR
from tests.conversation import channel_fixtures, exchange, fixture_loader, post_json
from tests.fake_telegram import FakeTelegram, SentRecord
from tests.server import serving
from tests.virtual_time import VirtualTime

USER = 5550001
WORDS = load_library(CONTENT_DIR)  # the shared texts, for senders built without a tutor
SECRET = "s3cret-token_for-tests"

fixture = fixture_loader("telegram")


def ptb_bot(fake: FakeTelegram) -> PtbBot:
    """python-telegram-bot's own Bot on the fake, with the channel's HTTP clients: each Bot
    made two of its own, each loading the CA certificates (telegram_http)."""
    return PtbBot(fake.token, base_url=fake.base_url, request=telegram_http(),
                  get_updates_request=telegram_http(1))


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

    async def start(self) -> list[SentRecord]:
        """/start, agree to the notice, then be called "bạn" by the messenger's name: the
        greeting, the notice, then the thanks with the menu."""
        sent = await self.say("/start", expect=2)
        await self.press("Tôi đồng ý")
        await self.press("Bạn")
        return sent + await self.tap("namekeep")


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram()
    await server.start()
    yield server
    await server.close()


@asynccontextmanager
async def running(fake: FakeTelegram, tutor: Tutor, mode: str,
                  time: VirtualTime | None = None) -> AsyncIterator[tuple[TelegramChannel, str]]:
    """The channel receiving by long polling, or by webhook on a local web server.

    It keeps Telegram's pace (one message a second to a chat) on virtual `time`, so the
    test does not wait for it.
    """
    time = time or VirtualTime()
    pacer = telegram_pacer(clock=time, sleep=time.sleep)
    if mode == "polling":
        channel = TelegramChannel(TelegramConfig(token=fake.token, api_base_url=fake.base_url),
                                  tutor, CONTENT_DIR, pacer=pacer)
        await channel.start()
        yield channel, ""
        await channel.stop()
        return
    placeholder = TelegramConfig(token=fake.token, api_base_url=fake.base_url,
                                 webhook_url="http://pending", webhook_secret=SECRET)
    channel = TelegramChannel(placeholder, tutor, CONTENT_DIR, pacer=pacer)
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


polling, webhook, channel = channel_fixtures(running)


async def test_telegram_clients_share_one_verifying_tls_context(fake: FakeTelegram,
                                                                tutor: Tutor) -> None:
    # Each client made its own (loading the CA certificates, 15-30 ms of CPU), two a channel:
    # one a process now, still what httpx makes by default for https://api.telegram.org.
    config = TelegramConfig(token="1:x", api_base_url="https://api.telegram.org/bot")
    bots = [TelegramChannel(config, tutor, CONTENT_DIR).application.bot for _ in range(2)]
    bots.append(ptb_bot(fake))
    # The transports' own contexts: python-telegram-bot and httpx show them nowhere public.
    contexts = {id(request._client._transport._pool._ssl_context): request._client._transport
                ._pool._ssl_context for bot in bots for request in bot._request}
    assert len(contexts) == 1 and len([r for bot in bots for r in bot._request]) == 6
    [context] = contexts.values()
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert context.cert_store_stats()["x509_ca"] > 0


async def test_start_sets_commands_and_greets_with_both_keyboards(
        fake: FakeTelegram, polling: TelegramChannel) -> None:
    # Every command whose texts give a menu entry, in the files' order (messages.yaml first):
    # a new command's texts add it here, with no list to keep in the code or in this test.
    menu = [texts.slash[0] for texts in WORDS.commands.values() if texts.menu]
    for language in ("vi", ""):
        commands = [c["command"] for c in fake.commands[("default", language)]]
        assert commands == menu
        assert commands[:5] == ["start", "bai_hoc", "tiep_tuc", "tien_do", "tro_giup"]
        assert {"ngon_ngu", "doi_cach_goi", "chung_nhan", "lien_ket", "kiem_tra",
                "nhac_hoc"} <= set(commands)
    english = {c["command"]: c["description"] for c in fake.commands[("default", "en")]}
    assert list(english)[:4] == ["start", "lessons", "continue", "progress"]
    assert english["language"] == "Change language (Ngôn ngữ)"
    user = Bot(fake)
    welcome, notice = await user.say("/start", expect=2)
    assert "trợ lý học tự động" in (welcome.text or "")
    assert welcome.reply_markup and welcome.reply_markup["keyboard"][0][0]["text"] == "📚 Bài học"
    assert buttons(notice) == [("1 · ✅ Tôi đồng ý", "agree"), ("2 · Không đồng ý", "decline")]
    (asked,) = await user.press("Tôi đồng ý")  # the thanks, then how to be called
    assert (asked.text or "").startswith("Cảm ơn bạn đã đồng ý")
    assert ("3 · Bác", "ad:bac") in buttons(asked) and ("9 · Bạn", "ad:ban") in buttons(asked)
    (name,) = await user.press("Bác")
    assert "Cháu gọi bác bằng tên nào" in (name.text or "") or "tên" in (name.text or "")
    (menu,) = await user.tap("namekeep")  # the messenger's name, then the menu, one message
    assert any(label.endswith(" · 📊 Tiến độ của tôi") and data == "progress"
               for label, data in buttons(menu))


async def test_a_whole_lesson_and_quiz_by_pressing_buttons(
        fake: FakeTelegram, channel: TelegramChannel, library: Library) -> None:
    course = library.courses[0]
    lesson = course.lessons[0]
    user = Bot(fake)
    await user.start()
    await user.press(course.title)
    await user.press(lesson.title)
    for index, step in enumerate(lesson.steps):
        following = lesson.steps[index + 1] if index + 1 < len(lesson.steps) else None
        if step.check is not None:  # the feedback joins the next step's text, not a picture
            sent = await user.press(step.check.options[step.check.answer - 1],
                                    expect=2 if following and following.image else 1)
            assert (sent[0].text or "").startswith("✅")
        elif following is None:
            (sent,) = await user.press("Tiếp tục")  # the quiz intro with question 1
            assert "Câu 1/" in (sent.text or "")
        else:
            sent = await user.press("Tiếp tục")
            following = lesson.steps[lesson.steps.index(step) + 1]
            if following.image:
                assert sent[0].method == "sendPhoto" and isinstance(sent[0].photo, bytes)
                assert sent[0].caption and "Bước" in sent[0].caption
                assert buttons(sent[0])
    for question in lesson.quiz:
        sent = await user.press(question.options[question.answer - 1],
                                expect=1 if question is not lesson.quiz[-1] else 2)
        assert (sent[0].text or "").startswith("✅")
    # With the result, then once, after a first lesson: where do you live? (typed: 126 places)
    assert "đúng 3/3" in (sent[0].text or "") and "xã hoặc phường" in (sent[1].text or "")
    saved = await user.say("hong ha")
    assert "Phường Hồng Hà" in (saved[0].text or "")
    called = sum(1 for method, _ in fake.requests if method == "answerCallbackQuery")
    in_answers = sum(1 for method, _ in fake.webhook_replies if method == "answerCallbackQuery")
    # Every press is answered: agreeing, how to be called and the name, the course, the
    # lesson, each step and question; by webhook in the webhook's answer to Telegram, saving
    # a call of its own.
    presses = len(lesson.steps) + len(lesson.quiz) + 5
    assert len(fake.callback_answers) == presses
    assert (called, in_answers) == ((0, presses) if fake.webhook_url else (presses, 0))


async def test_typing_digits_works_like_buttons(fake: FakeTelegram, channel: TelegramChannel,
                                                library: Library) -> None:
    user = Bot(fake)
    await user.start()
    await user.say("1")  # the first course
    step = await user.say("1")  # its first lesson
    assert (step[0].text or "").startswith(library.courses[0].lessons[0].title)
    assert buttons(step[0])[0][0] == "1 · Tiếp tục ▶"  # the digit that picks it


async def test_a_stale_button_gets_the_kind_answer(fake: FakeTelegram,
                                                   channel: TelegramChannel) -> None:
    user = Bot(fake)
    await user.start()
    await user.say("1")
    await user.say("1")
    old_next = payload_of(fake, USER, "Tiếp tục")
    await user.tap(old_next)
    notice, step = await user.tap(old_next, expect=2)  # step 2 has a picture: not joined
    assert "ở tin nhắn cũ nên không bấm được nữa" in (notice.text or "")
    assert step.method == "sendPhoto" and "Bước 2/" in (step.caption or "")


async def test_a_redelivered_update_gets_one_reply(fake: FakeTelegram, channel: TelegramChannel,
                                                   tutor: Tutor) -> None:
    user = Bot(fake)
    await user.start()
    update = fake.push_message(USER, "tiến độ")
    await fake.wait_for_sent(4)
    fake.push_update(update)  # the same update_id again
    fake.push_message(USER, "menu")
    await fake.wait_for_sent(5)
    await channel.drain()  # both handled, the same update again included
    texts = [record.text or "" for record in fake.sent_to(USER)]
    assert len(texts) == 5 and "Bạn muốn làm gì" in texts[-1]


async def test_a_deep_link_reaches_the_tutor(fake: FakeTelegram, channel: TelegramChannel) -> None:
    incoming = to_incoming(Update.de_json(fixture("start_deeplink"), channel.application.bot))
    assert incoming is not None
    assert (incoming.kind, incoming.text, incoming.user_ref) == (Kind.START, "KEM-7Q4X",
                                                                 str(USER))
    user = Bot(fake)
    sent = await user.say("/start KEM-7Q4X", expect=2)
    assert "trợ lý học tự động" in (sent[0].text or "")
    (sent,) = await user.press("Tôi đồng ý")  # the code waits for the agreement
    assert "Mã này không đúng" in (sent.text or "")  # no mentor made this invitation


async def test_my_data_comes_as_text_and_a_json_document(fake: FakeTelegram,
                                                        channel: TelegramChannel) -> None:
    user = Bot(fake)
    await user.start()
    text, document = await user.say("/du_lieu_cua_toi", expect=2)
    assert "Lan" in (text.text or "") and "du-lieu-hoc-so.json" in (text.text or "")
    assert document.method == "sendDocument" and document.file_name == "du-lieu-hoc-so.json"
    assert isinstance(document.document, bytes)
    data = json.loads(document.document)
    assert data["learner"]["user_ref"] == str(USER) and data["learner"]["display_name"] == "Lan"
    [confirm] = await user.press("Xóa dữ liệu của tôi")
    assert "không lấy lại được" in (confirm.text or "")
    [done] = await user.press("Xóa hết dữ liệu của tôi")
    assert "Đã xóa hết" in (done.text or "")


async def test_a_blocked_user_is_marked_unreachable_and_back(
        fake: FakeTelegram, channel: TelegramChannel, tutor: Tutor) -> None:
    user = Bot(fake)
    await user.start()
    fake.block(USER)
    fake.push_message(USER, "menu")
    await _until(lambda: _reachable(tutor), False)
    forbidden = [m for m, p in fake.requests if m == "sendMessage"]
    assert len(forbidden) == 6  # five before, one refused send, and nothing more after it
    fake.unblock(USER)
    fake.push_update(fixture("my_chat_member_member"))
    await _until(lambda: _reachable(tutor), True)
    fake.push_update(fixture("my_chat_member_kicked"))
    await _until(lambda: _reachable(tutor), False)


async def test_a_429_is_waited_out_and_the_message_still_arrives(
        fake: FakeTelegram, channel: TelegramChannel) -> None:
    fake.flood(1, retry_after=1)
    sent = await Bot(fake).say("/start", expect=2)
    assert "trợ lý học tự động" in (sent[0].text or "")
    refused = [p for m, p in fake.requests if m == "sendMessage"]
    assert len(refused) == 3  # the flooded attempt, its retry, then the menu


async def test_replies_keep_to_telegrams_pace_of_one_a_second_after_a_burst_of_three(
        fake: FakeTelegram, tutor: Tutor) -> None:
    time = VirtualTime()
    async with running(fake, tutor, "polling", time):
        start = time.now
        user = Bot(fake)
        await user.say("/start", expect=2)  # the greeting and the notice
        await user.press("Tôi đồng ý")  # the thanks: a burst of three, no wait
        assert time.now == start
        await user.say("tiến độ")
        await user.say("menu")
    assert time.now - start == pytest.approx(2.0)  # the fourth and fifth waited 1 s each
    assert len(fake.sent_to(USER)) == 5


async def test_a_429_holds_every_send_for_its_retry_after(fake: FakeTelegram,
                                                          tutor: Tutor) -> None:
    time = VirtualTime()
    async with running(fake, tutor, "polling", time):
        start = time.now
        fake.flood(1, retry_after=3)
        await Bot(fake).say("/start", expect=2)
    assert 3.0 <= time.now - start < 3.5  # then the overall pace, 30 a second, goes on


async def _reachable(tutor: Tutor) -> bool | None:
    learner = await tutor.repository.find_learner(channel=CHANNEL, user_ref=str(USER))
    return None if learner is None else learner.reachable


async def _until(probe: Any, expected: object, timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while await probe() != expected:
        assert asyncio.get_running_loop().time() < deadline, f"never became {expected}"
        await asyncio.sleep(0.02)


# ---------------------------------------------------------------------- webhook


async def test_by_webhook_a_lesson_starts_and_buttons_work(
        fake: FakeTelegram, webhook: tuple[TelegramChannel, str], library: Library) -> None:
    assert fake.webhook_url == webhook[1]
    user = Bot(fake)
    await user.start()
    await user.press(library.courses[0].title)
    sent = await user.press(library.courses[0].lessons[0].title)
    assert (sent[0].text or "").startswith(library.courses[0].lessons[0].title)
    assert all(d.secret_token == SECRET for d in fake.webhook_deliveries)


@pytest.mark.parametrize("secret", [None, "", "wrong-secret-token-value", SECRET + "x"])
async def test_the_webhook_refuses_a_missing_or_wrong_secret(
        fake: FakeTelegram, webhook: tuple[TelegramChannel, str], secret: str | None) -> None:
    headers = {} if secret is None else {SECRET_HEADER: secret}
    assert await post_json(webhook[1], fixture("text"), headers) == 401
    await webhook[0].drain()
    assert fake.sent == []


RECORDED = [  # fixture, what the learner gets back, reachable afterwards
    # A resident's question gets the lesson finder's answer (issue 20), found or not.
    ("text", "điều bạn hỏi", True), ("sticker", "chỉ đọc được chữ", True),
    ("voice", "chỉ đọc được chữ", True), ("photo", "chưa đọc được chữ trong ảnh", True),
    ("contact", "chỉ đọc được chữ", True), ("location", "chỉ đọc được chữ", True),
    ("start_deeplink", "Mã này không đúng", True),  # an invitation nobody made
    ("callback_query", "không bấm được nữa", True),  # a button from a message of long ago
    ("edited_message", None, True), ("group_message", None, True), ("channel_post", None, True),
    ("my_chat_member_kicked", None, False), ("my_chat_member_member", None, True),
]


@pytest.mark.parametrize(("name", "expected", "reachable"), RECORDED)
async def test_recorded_updates_of_every_kind(fake: FakeTelegram,
                                              webhook: tuple[TelegramChannel, str], tutor: Tutor,
                                              name: str, expected: str | None,
                                              reachable: bool) -> None:
    await Bot(fake).start()  # a known learner, past the welcome
    before = len(fake.sent)
    update = fixture(name)
    if "callback_query" in update:
        fake.push_update(update)  # through the fake, which then knows the query to answer
    else:  # posted as Telegram would, even kinds that allowed_updates keeps away
        assert await post_json(webhook[1], update, {SECRET_HEADER: SECRET}) == 200
    if expected is None:
        await webhook[0].drain()
        assert fake.sent[before:] == []
    else:
        await fake.wait_for_sent(before + 1)
        assert expected in (fake.sent[before].text or "")
    if "callback_query" in update:
        assert fake.callback_answers[-1] == update["callback_query"]["id"]
    await _until(lambda: _reachable(tutor), reachable)


async def test_the_four_keyboard_buttons_do_what_they_say(fake: FakeTelegram,
                                                          channel: TelegramChannel) -> None:
    user = Bot(fake)
    await user.start()
    lessons = await user.say("📚 Bài học")
    assert "Bạn muốn làm gì" in (lessons[0].text or "")
    nothing = await user.say("▶️ Tiếp tục")
    assert "Bài nên học tiếp theo" in (nothing[0].text or "")  # nothing started: a suggestion
    first = await user.say("1")  # "▶️ Bắt đầu học" under the suggestion
    assert "Bước 1/" in (first[0].text or "")
    going_on = await user.say("▶️ Tiếp tục")
    assert "Bước 2/" in (going_on[0].text or going_on[0].caption or "")
    progress = await user.say("📊 Tiến độ")
    assert "Tiến độ" in (progress[0].text or "")
    helped = await user.say("❓ Trợ giúp")
    assert "menu" in (helped[0].text or "")


async def test_an_update_this_library_cannot_parse_is_dropped_not_redelivered(
        fake: FakeTelegram, webhook: tuple[TelegramChannel, str],
        caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("ERROR", logger="hocso.telegram"):
        status = await post_json(webhook[1], {"update_id": 77, "message": "x"},
                                 {SECRET_HEADER: SECRET})
    assert status == 200  # a 4xx/5xx would make Telegram send it again and again
    assert any("77" in record.getMessage() for record in caplog.records)
    assert fake.sent == []


def test_a_webhook_without_a_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="secret"):
        TelegramConfig(token="1:x", api_base_url="http://127.0.0.1:9/bot",
                       webhook_url="https://hocso.example.vn/telegram/webhook")


@pytest.mark.parametrize(("body", "status"), [
    (b"{broken", 400), (b"[1, 2]", 400), (b'{"update_id": "x"}', 400),
    (b'{"update_id": 5, "message": {"text": "\xff\xfe"}}', 400),  # not UTF-8
    (b'{"update_id": 6, "pad": "' + b"x" * (2 * 1024 * 1024) + b'"}', 413),  # 2 MiB
    (b'{"update_id": 7, "message": ' + b"[" * 1000 + b"]" * 1000 + b"}", 400),  # 2 KB, deep
    (b'{"update_id": 8, "message": ' + b'{"a":' * 100 + b"1" + b"}" * 101, 400),
])
async def test_a_garbage_webhook_body_is_refused_without_harm(
        fake: FakeTelegram, webhook: tuple[TelegramChannel, str], body: bytes,
        status: int, caplog: pytest.LogCaptureFixture) -> None:
    async with ClientSession() as client, client.post(
            webhook[1], data=io.BytesIO(body), headers={
                SECRET_HEADER: SECRET, "Content-Type": "application/json"}) as response:
        assert response.status == status
    await webhook[0].drain()
    assert fake.sent == []
    assert not [record for record in caplog.records if record.exc_info]  # no traceback


async def test_a_name_and_a_text_with_half_a_character_still_get_answers(
        fake: FakeTelegram, channel: TelegramChannel, tutor: Tutor) -> None:
    # "\ud800" is half of a UTF-16 pair: JSON carries it, but no database stores it.
    await exchange(lambda: fake.sent_to(USER),
                   lambda: fake.push_message(USER, "/start", first_name="Lan\ud800"), 2)
    await Bot(fake).press("Tôi đồng ý")
    [answer] = await exchange(lambda: fake.sent_to(USER), lambda: fake.push_message(
        USER, "B\ud800c", first_name="Lan\ud800"), 1)
    assert "gõ cách gọi" in (answer.text or "")  # the form question again, saying how
    learner = await tutor.repository.find_learner(channel=CHANNEL, user_ref=str(USER))
    assert learner is not None and learner.display_name == "Lan\ufffd"


async def test_a_long_message_quoting_a_long_message_is_taken_and_answered_kindly(
        fake: FakeTelegram, webhook: tuple[TelegramChannel, str]) -> None:
    await Bot(fake).start()
    update = fixture("start_deeplink")
    update["update_id"] = 880_001
    text = "Chữ có dấu, rất dài. " * 240  # 5,000 characters, ~7 KB of UTF-8
    update["message"]["text"] = text
    update["message"].pop("entities", None)
    update["message"]["reply_to_message"] = {**update["message"], "message_id": 1,
                                             "text": "Đoạn trích dẫn. " * 256}
    assert len(json.dumps(update).encode()) > 16 * 1024  # over the web chat's own limit
    before = len(fake.sent)
    assert await post_json(webhook[1], update, {SECRET_HEADER: SECRET}) == 200
    await fake.wait_for_sent(before + 1)
    assert "dài quá" in (fake.sent[before].text or "")


async def test_a_clean_shutdown_finishes_every_received_update(
        fake: FakeTelegram, webhook: tuple[TelegramChannel, str]) -> None:
    channel, url = webhook
    chats = range(7000001, 7000021)
    async with ClientSession() as client:
        for number, chat in enumerate(chats):
            update = fixture("start_deeplink")
            update["message"]["text"] = "/start"
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
    # httpx logs every Bot API request, whose path holds the token: masked, never written.
    assert fake.token not in log and "/bot***/getUpdates" in log
    assert fake.commands[("default", "vi")]
    await fake.wait_until_confirmed(update["update_id"])


@pytest.mark.parametrize("status", [500, 429])
@pytest.mark.parametrize("seconds", [15, 60, 300])
async def test_owed_replies_outlast_an_outage_none_lost_none_twice_each_chat_in_order(
        fake: FakeTelegram, status: int, seconds: int) -> None:
    time = VirtualTime(start=0)  # the waits pass at once, on the pacer's clock too
    fake.outage(lambda: time.now < seconds, status)
    chats = range(USER, USER + 5)
    done: list[str] = []

    async def settle(replies: list[Outgoing]) -> None:
        done.extend(reply.text for reply in replies)

    async with ptb_bot(fake) as bot:
        sender = TelegramSender(
            bot, content_dir=CONTENT_DIR, on_unreachable=_never, on_failed=_never, words=_words,
            sleep=time.sleep, pacer=Pacer(overall_per_second=100, chat_per_second=100,
                                          chat_burst=10, clock=time, sleep=time.sleep))
        await asyncio.gather(*(sender.send(chat, [Outgoing(f"{chat}: bước {n}")
                                                  for n in range(3)], done=settle)
                               for chat in chats))
    assert time.now >= seconds  # the outage was really waited out
    for chat in chats:
        assert [r.text for r in fake.sent_to(chat)] == [f"{chat}: bước {n}" for n in range(3)]
    assert sorted(done) == sorted(f"{chat}: bước {n}" for chat in chats for n in range(3))


async def test_a_stop_during_an_outage_leaves_the_owed_replies_kept_for_the_next_start(
        fake: FakeTelegram) -> None:
    fake.outage(lambda: True, 500)
    tries = asyncio.Event()
    done: list[Outgoing] = []

    async def sleep(_wait: float) -> None:
        tries.set()
        await asyncio.sleep(3600)  # the stop cuts this wait short

    async def settle(replies: list[Outgoing]) -> None:
        done.extend(replies)

    async with ptb_bot(fake) as bot:
        sender = TelegramSender(bot, content_dir=CONTENT_DIR, on_unreachable=_never,
                                on_failed=_never, words=_words, sleep=sleep, pacer=_pacer())
        sending = asyncio.create_task(sender.send(USER, [Outgoing("Bước 1"), Outgoing("Bước 2")],
                                                  done=settle))
        await tries.wait()
        sender.stop()
        await sending
    assert done == [] and fake.sent_to(USER) == []  # neither settled: both stay kept


async def test_an_outbox_message_gives_up_after_a_few_tries_for_the_outbox_to_retry(
        fake: FakeTelegram, caplog: pytest.LogCaptureFixture) -> None:
    fake.outage(lambda: True, 502)
    async with ptb_bot(fake) as bot:
        sender = TelegramSender(bot, content_dir=CONTENT_DIR, on_unreachable=_never,
                                on_failed=_never, words=_words, backoff_seconds=0.001,
                                pacer=_pacer())
        with caplog.at_level("WARNING", logger="hocso.telegram"), pytest.raises(GaveUp):
            await sender.send(USER, [Outgoing(text="Xin chào")], owed=False)
    warnings = [r for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == ATTEMPTS and "attempt 1" in warnings[0].getMessage()


async def test_a_429_is_a_wait_not_a_failure_however_often_it_comes(fake: FakeTelegram) -> None:
    now = [0.0]

    async def sleep(seconds: float) -> None:  # the waits pass at once, on the pacer's clock too
        now[0] += seconds

    fake.flood(ATTEMPTS + 3, retry_after=30)
    async with ptb_bot(fake) as bot:
        sender = TelegramSender(
            bot, content_dir=CONTENT_DIR, on_unreachable=_never, on_failed=_never, words=_words,
            sleep=sleep,
            pacer=Pacer(overall_per_second=100, chat_per_second=100, chat_burst=10,
                        clock=lambda: now[0]))
        await sender.send(USER, [Outgoing(text="Xin chào")])
    assert [r.text for r in fake.sent_to(USER)] == ["Xin chào"]
    assert now[0] == 30 * (ATTEMPTS + 3)


async def test_long_texts_split_and_long_captions_follow_the_photo(fake: FakeTelegram) -> None:
    image = "images/bam-nut-hoac-go-so.png"
    menu = ((Button("🏠 Về menu", "menu"),),)

    async with ptb_bot(fake) as bot:
        sender = _sender(bot)
        long_text = "\n\n".join(f"Đoạn {n}. " + "chữ " * 400 for n in range(5))
        await sender.send(USER, [Outgoing(text=long_text, buttons=menu)])
        await sender.send(USER, [Outgoing(text="Chú thích " * 150, image=image, buttons=menu),
                                 Outgoing(text="Ngắn", image=image)])
        # 1,000 characters but 1,030 UTF-16 units, as Telegram counts: too long for a caption.
        await sender.send(USER, [Outgoing(text="🙂" * 30 + "a" * 970, image=image)])
    sent = fake.sent_to(USER)
    texts = [r for r in sent[:3] if r.method == "sendMessage"]
    assert len(texts) == 3 and all(len(r.text or "") <= 4096 for r in texts)
    assert [bool(buttons(r)) for r in texts] == [False, False, True]
    photo, caption_text, second_photo, emoji_photo, emoji_text = sent[3:]
    assert photo.method == "sendPhoto" and photo.caption is None and isinstance(photo.photo, bytes)
    assert caption_text.method == "sendMessage" and buttons(caption_text)
    assert second_photo.caption == "Ngắn" and isinstance(second_photo.photo, str)  # file id reused
    assert emoji_photo.caption is None and emoji_text.text == "🙂" * 30 + "a" * 970


async def test_a_refused_picture_still_delivers_its_text_and_buttons(fake: FakeTelegram,
                                                                     tmp_path: Path) -> None:
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "rong.png").write_bytes(b"")  # Telegram refuses an empty file
    menu = ((Button("🏠 Về menu", "menu"),),)
    async with ptb_bot(fake) as bot:
        await _sender(bot, tmp_path).send(USER, [Outgoing("Bước 2", menu, "images/rong.png")])
    [text] = fake.sent_to(USER)
    assert text.method == "sendMessage" and text.text == "Bước 2" and buttons(text)


def _words(locale: str, key: str) -> str:
    """The shared texts, as the tutor gives them to its channels."""
    return WORDS.in_locale(locale).templates[key]


async def _never(_chat: int, *_rest: str) -> None:
    raise AssertionError("every send succeeds here")


def _pacer() -> Pacer:
    return Pacer(overall_per_second=100, chat_per_second=100, chat_burst=10)


def _sender(bot: PtbBot, content_dir: Path = CONTENT_DIR) -> TelegramSender:
    return TelegramSender(bot, content_dir=content_dir, on_unreachable=_never, on_failed=_never,
                          words=_words, pacer=Pacer(overall_per_second=100, chat_per_second=100,
                                      chat_burst=10))


async def test_one_busy_chat_does_not_hold_up_the_others() -> None:
    processor = ChatOrderedProcessor(max_concurrent_updates=2)
    release = asyncio.Event()
    done: list[int] = []

    async def handle(chat: int) -> None:
        if chat == 1:
            await release.wait()
        done.append(chat)

    def update(chat: int, number: int) -> Update:
        return Update.de_json({"update_id": number, "message": {
            "message_id": number, "date": 0, "text": "x",
            "chat": {"id": chat, "type": "private"}}}, None)

    busy = [asyncio.create_task(processor.process_update(update(1, n), handle(1)))
            for n in range(10)]  # more queued updates of one chat than there are slots
    other = asyncio.create_task(processor.process_update(update(2, 99), handle(2)))
    await asyncio.wait_for(other, timeout=5)
    assert done == [2]
    release.set()
    await asyncio.gather(*busy)
    assert done == [2] + [1] * 10
