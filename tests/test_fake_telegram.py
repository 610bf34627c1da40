"""The fake Telegram server speaks well enough for the unmodified python-telegram-bot client."""

import asyncio
import datetime as dtm
import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllPrivateChats,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MessageEntity,
    Update,
)
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, RetryAfter
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, filters

from bot.channels.telegram import telegram_http
from tests.conversation import Receiver
from tests.fake_telegram import BOT_ID, FakeTelegram

FIXTURES = Path(__file__).parent / "fixtures" / "telegram"
LAN = 5550001


def keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(d, callback_data=d)] for d in data])


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    # With the channel's HTTP clients: each Bot made two of its own, each loading the CA
    # certificates (telegram_http).
    async with Bot(fake.token, base_url=fake.base_url, request=telegram_http(),
                   get_updates_request=telegram_http(1)) as client:
        yield client


# ---------------------------------------------------------------- raw wire format


async def test_raw_wire_format_errors_and_encodings(fake: FakeTelegram) -> None:
    root = fake.base_url
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{root}1:wrong/getMe") as response:
            assert response.status == 401
            assert await response.json() == {"ok": False, "error_code": 401,
                                              "description": "Unauthorized"}
        async with http.post(f"{root}{fake.token}/noSuchMethod") as response:
            assert response.status == 404
            assert await response.json() == {"ok": False, "error_code": 404,
                                              "description": "Not Found"}
        async with http.get(f"{root}{fake.token}/getMe") as response:
            assert (await response.json())["result"]["username"] == "hocso_test_bot"
        # JSON body with typed values; a text that looks like JSON stays a string.
        async with http.post(f"{root}{fake.token}/sendMessage",
                             json={"chat_id": LAN, "text": "123"}) as response:
            assert (await response.json())["result"]["text"] == "123"
        # Form body: non-string values arrive JSON-encoded.
        async with http.post(f"{root}{fake.token}/sendMessage", data={
                "chat_id": str(LAN), "text": "true",
                "reply_markup": json.dumps(keyboard("a").to_dict())}) as response:
            assert response.status == 200
        # Query string on GET.
        async with http.get(f"{root}{fake.token}/sendMessage",
                            params={"chat_id": str(LAN), "text": ""}) as response:
            assert response.status == 400
            assert (await response.json())["description"] == "Bad Request: message text is empty"
    assert [(r.text, r.reply_markup) for r in fake.sent] == [
        ("123", None), ("true", {"inline_keyboard": [[{"text": "a", "callback_data": "a"}]]})]
    assert [method for method, _ in fake.requests] == [
        "getMe", "noSuchMethod", "getMe", "sendMessage", "sendMessage", "sendMessage"]


async def test_wrong_token_is_rejected_by_ptb(fake: FakeTelegram) -> None:
    with pytest.raises(InvalidToken):
        async with Bot("654321:wrong", base_url=fake.base_url):
            pass


# ---------------------------------------------------------------- sending


async def test_get_me(bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.is_bot, me.first_name, me.username) == (
        BOT_ID, True, "Học Số", "hocso_test_bot")
    assert me.can_join_groups is True
    assert bot.username == "hocso_test_bot"


async def test_send_message_with_inline_keyboard(fake: FakeTelegram, bot: Bot) -> None:
    first = await bot.send_message(LAN, "Xin chào Lan!", reply_markup=keyboard("ans:q1:a"))
    second = await bot.send_message(LAN, "Câu tiếp theo")
    other = await bot.send_message(5550002, "Chào bạn")
    assert (first.message_id, second.message_id, other.message_id) == (1, 2, 1)
    assert first.chat.id == LAN and first.chat.type == "private"
    assert first.from_user is not None and first.from_user.id == BOT_ID
    assert first.reply_markup == keyboard("ans:q1:a")
    assert second.reply_markup is None
    record = fake.sent[0]
    assert (record.chat_id, record.method, record.text, record.message_id) == (
        LAN, "sendMessage", "Xin chào Lan!", 1)
    assert record.reply_markup == {"inline_keyboard": [[
        {"text": "ans:q1:a", "callback_data": "ans:q1:a"}]]}
    assert [r.text for r in fake.sent_to(LAN)] == ["Xin chào Lan!", "Câu tiếp theo"]


async def test_text_limits(fake: FakeTelegram, bot: Bot) -> None:
    await bot.send_message(LAN, "ă" * 4096)
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(LAN, "ă" * 4097)
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(LAN, " ")
    # Length counts after HTML entity parsing, as on Telegram.
    await bot.send_message(LAN, "<b>" + "a" * 4096 + "</b>", parse_mode="HTML")
    await bot.send_message(LAN, "*" + "a\\." * 2048 + "*", parse_mode="MarkdownV2")
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(LAN, "<i>" + "a" * 4097 + "</i>", parse_mode="HTML")
    assert len(fake.sent) == 3
    assert [method for method, _ in fake.requests].count("sendMessage") == 6


async def test_callback_data_is_limited_to_64_bytes(fake: FakeTelegram, bot: Bot) -> None:
    await bot.send_message(LAN, "ok", reply_markup=keyboard("x" * 64))
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await bot.send_message(LAN, "too long", reply_markup=keyboard("x" * 65))
    # 33 Vietnamese letters are 66 bytes in UTF-8.
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await bot.send_message(LAN, "bytes", reply_markup=keyboard("ă" * 33))
    assert len(fake.sent) == 1


async def test_blocked_user(fake: FakeTelegram, bot: Bot) -> None:
    fake.block(LAN)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(LAN, "Bạn còn đó không?")
    with pytest.raises(Forbidden):
        await bot.send_chat_action(LAN, "typing")
    await bot.send_message(5550002, "others still work")
    fake.unblock(LAN)
    await bot.send_message(LAN, "welcome back")
    assert [r.chat_id for r in fake.sent] == [5550002, LAN]


async def test_flood_raises_retry_after(fake: FakeTelegram, bot: Bot,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    # PTB_TIMEDELTA opts in to retry_after as a timedelta, as PTB 23 will give it.
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    fake.flood(2, retry_after=7)
    for _ in range(2):
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(LAN, "nhanh quá")
        assert caught.value.retry_after == dtm.timedelta(seconds=7)
    await bot.send_message(LAN, "now it goes through")
    fake.flood(1, retry_after=3, method="sendPhoto")
    with pytest.raises(RetryAfter):
        await bot.send_photo(LAN, b"\x89PNG")
    assert [r.text for r in fake.sent] == ["now it goes through"]


async def test_send_photo(fake: FakeTelegram, bot: Bot) -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
    message = await bot.send_photo(LAN, png, caption="Bước 1: mở Cài đặt",
                                   reply_markup=keyboard("next"))
    assert message.caption == "Bước 1: mở Cài đặt"
    assert message.photo and message.photo[-1].width == 800
    assert message.reply_markup == keyboard("next")
    record = fake.sent[0]
    assert (record.method, record.photo, record.caption) == ("sendPhoto", png,
                                                             "Bước 1: mở Cài đặt")
    assert record.reply_markup == keyboard("next").to_dict()
    again = await bot.send_photo(LAN, message.photo[-1].file_id)
    by_url = await bot.send_photo(LAN, "https://example.org/buoc-2.png")
    assert (again.message_id, by_url.message_id) == (2, 3)
    assert fake.sent[2].photo == "https://example.org/buoc-2.png"
    with pytest.raises(BadRequest, match=r"(?i)caption is too long"):
        await bot.send_photo(LAN, png, caption="c" * 1025)
    with pytest.raises(BadRequest, match=r"(?i)wrong file identifier"):
        await bot.send_photo(LAN, "not-a-file-id")


async def test_chat_action_and_edit_reply_markup(fake: FakeTelegram, bot: Bot) -> None:
    await bot.send_chat_action(LAN, "typing")
    assert fake.chat_actions == [(LAN, "typing")]
    sent = await bot.send_message(LAN, "Chọn đáp án", reply_markup=keyboard("a", "b"))
    edited = await bot.edit_message_reply_markup(LAN, sent.message_id)
    assert not isinstance(edited, bool) and edited.reply_markup is None
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_reply_markup(LAN, sent.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_reply_markup(LAN, 99)
    user_message = fake.push_message(LAN, "tin của Lan")["message"]["message_id"]
    with pytest.raises(BadRequest, match=r"(?i)message can't be edited"):
        await bot.edit_message_reply_markup(LAN, user_message)
    assert [(e.method, e.message_id, e.reply_markup) for e in fake.edits] == [
        ("editMessageReplyMarkup", 1, None)]
    assert len(fake.sent) == 1


async def test_wait_for_sent_reports_what_was_sent(fake: FakeTelegram, bot: Bot) -> None:
    await bot.send_message(LAN, "only one")
    assert len(await fake.wait_for_sent(1, timeout=0.1)) == 1
    with pytest.raises(AssertionError, match="only one"):
        await fake.wait_for_sent(2, timeout=0.1)


# ---------------------------------------------------------------- receiving by getUpdates


async def test_get_updates_offset_semantics(fake: FakeTelegram, bot: Bot) -> None:
    pushed = [fake.push_message(LAN, f"tin {n}") for n in range(3)]
    ids = [u["update_id"] for u in pushed]
    assert ids == list(range(ids[0], ids[0] + 3))
    updates = await bot.get_updates()
    assert [u.update_id for u in updates] == ids
    assert [u.message.text for u in updates if u.message] == ["tin 0", "tin 1", "tin 2"]
    assert [u.update_id for u in await bot.get_updates()] == ids  # not confirmed yet
    assert [u.update_id for u in await bot.get_updates(offset=ids[1], limit=1)] == [ids[1]]
    await fake.wait_until_confirmed(ids[0], timeout=0.1)
    assert await bot.get_updates(offset=ids[2] + 1) == ()
    assert await bot.get_updates() == ()
    await fake.wait_until_confirmed(ids[2], timeout=0.1)
    with pytest.raises(AssertionError):
        await fake.wait_until_confirmed(ids[2] + 1, timeout=0.1)


async def test_get_updates_negative_offset_and_long_poll(fake: FakeTelegram, bot: Bot) -> None:
    ids = [fake.push_message(LAN, f"m{n}")["update_id"] for n in range(4)]
    assert [u.update_id for u in await bot.get_updates(offset=-2)] == ids[2:]
    assert [u.update_id for u in await bot.get_updates()] == ids[2:]  # the rest is forgotten
    await bot.get_updates(offset=ids[3] + 1)

    async def push_later() -> None:
        await asyncio.sleep(0.2)
        fake.push_message(LAN, "muộn")

    loop = asyncio.get_running_loop()
    started = loop.time()
    pusher = asyncio.create_task(push_later())
    updates = await bot.get_updates(offset=ids[3] + 1, timeout=5)
    await pusher
    assert [u.message.text for u in updates if u.message] == ["muộn"]
    assert 0.15 < loop.time() - started < 3
    started = loop.time()
    assert await bot.get_updates(offset=updates[0].update_id + 1,
                                timeout=dtm.timedelta(seconds=0.3)) == ()
    assert loop.time() - started >= 0.25


async def test_pushed_updates_parse_and_carry_command_entities(fake: FakeTelegram,
                                                               bot: Bot) -> None:
    fake.push_message(LAN, "/start KEM-7Q4X", first_name="Lan")
    fake.push_message(LAN, "xem 🙂 /help nhé")
    sent = await bot.send_message(LAN, "Câu 1", reply_markup=keyboard("ans:1:a", "ans:1:b"))
    fake.push_callback(LAN, "ans:1:b", message_id=sent.message_id)
    start, help_, press = await bot.get_updates()
    assert start.message is not None and start.message.text == "/start KEM-7Q4X"
    assert start.message.entities == (MessageEntity("bot_command", 0, 6),)
    assert start.message.from_user is not None and start.message.from_user.first_name == "Lan"
    assert help_.message is not None
    assert help_.message.parse_entities() == {MessageEntity("bot_command", 7, 5): "/help"}
    query = press.callback_query
    assert query is not None and query.data == "ans:1:b" and query.from_user.id == LAN
    assert query.message is not None and query.message.message_id == sent.message_id
    assert start.message.message_id < help_.message.message_id < sent.message_id
    assert await bot.answer_callback_query(query.id, text="Đúng rồi!")
    assert fake.callback_answers == [query.id]
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(query.id)
    other = fake.push_callback(LAN, "x")["callback_query"]["id"]
    with pytest.raises(BadRequest, match=r"(?i)message_too_long"):
        await bot.answer_callback_query(other, text="d" * 201)


async def test_push_update_keeps_a_given_update_id(fake: FakeTelegram, bot: Bot) -> None:
    first = fake.push_message(LAN, "một lần")
    await bot.get_updates(offset=first["update_id"] + 1)
    again = fake.push_update(first)
    assert again == first
    assert [u.update_id for u in await bot.get_updates(offset=first["update_id"] + 1)] == [
        first["update_id"]]
    assert await bot.get_updates(offset=first["update_id"] + 1) == ()
    fresh = fake.push_update({"message": first["message"]})
    assert fresh["update_id"] == first["update_id"] + 1


async def test_ptb_application_polls_the_fake(fake: FakeTelegram) -> None:
    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None and update.message.text is not None
        await update.message.reply_text(update.message.text.upper())

    app: Application = ApplicationBuilder().token(fake.token).base_url(fake.base_url).build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    async with app:
        assert app.updater is not None
        await app.updater.start_polling(timeout=1)
        await app.start()
        update = fake.push_message(LAN, "chào bot")
        await fake.wait_for_sent(1)
        await fake.wait_until_confirmed(update["update_id"])
        await app.updater.stop()
        await app.stop()
    assert fake.sent[0].text == "CHÀO BOT"
    assert fake.pending_updates() == []


# ---------------------------------------------------------------- receiving by webhook


async def test_webhook_delivery_with_secret_and_retry(fake: FakeTelegram, bot: Bot) -> None:
    early = fake.push_message(LAN, "trước webhook")
    async with Receiver([500]) as receiver:
        assert await bot.set_webhook(receiver.url, secret_token="s3cr3t-Token_x",
                                     allowed_updates=["message", "callback_query"])
        with pytest.raises(Conflict, match="webhook is active"):
            await bot.get_updates()
        update = fake.push_message(LAN, "qua webhook")
        await fake.wait_for_webhook_idle()
        info = await bot.get_webhook_info()
    assert [body["update_id"] for body in receiver.bodies()] == [
        early["update_id"], early["update_id"], update["update_id"]]
    assert all(h["X-Telegram-Bot-Api-Secret-Token"] == "s3cr3t-Token_x"
               for h, _ in receiver.calls)
    assert receiver.bodies()[-1] == update
    assert [(d.update_id, d.attempt, d.status) for d in fake.webhook_deliveries] == [
        (early["update_id"], 1, 500), (early["update_id"], 2, 200), (update["update_id"], 1, 200)]
    assert info.url == receiver.url and info.pending_update_count == 0
    assert info.last_error_message == "Wrong response from the webhook: 500 Internal Server Error"
    assert info.allowed_updates == ("callback_query", "message")


async def test_webhook_gives_up_and_can_be_deleted(fake: FakeTelegram, bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)secret token contains unallowed characters"):
        await bot.set_webhook("http://127.0.0.1:1/hook", secret_token="bad:token")
    async with Receiver([502] * 10) as receiver:
        await bot.set_webhook(receiver.url)
        update = fake.push_message(LAN, "không ai nhận")
        await fake.wait_for_webhook_idle()
    assert [d.status for d in fake.webhook_deliveries] == [502] * 5
    assert "X-Telegram-Bot-Api-Secret-Token" not in receiver.calls[0][0]
    # Nobody listens any more: connection errors are recorded and retried too.
    fake.push_message(LAN, "vẫn không ai nhận")
    await fake.wait_for_webhook_idle()
    assert [d.status for d in fake.webhook_deliveries[5:]] == [None] * 5
    assert all(d.error for d in fake.webhook_deliveries[5:])
    assert await bot.delete_webhook()
    later = fake.push_message(LAN, "polling again")
    assert [u.update_id for u in await bot.get_updates()] == [later["update_id"]]
    assert update["update_id"] < later["update_id"]


async def test_updates_queued_while_webhook_is_being_set_move_over(fake: FakeTelegram,
                                                                   bot: Bot) -> None:
    async with Receiver([]) as receiver:
        await bot.set_webhook(receiver.url, drop_pending_updates=True)
        await bot.delete_webhook()
        queued = fake.push_message(LAN, "chờ")
        await bot.set_webhook(receiver.url)
        await fake.wait_for_webhook_idle()
    assert receiver.bodies() == [queued]


async def test_ptb_application_behind_a_webhook(fake: FakeTelegram) -> None:
    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None and update.message.text is not None
        await update.message.reply_text(f"Đã nhận: {update.message.text}")

    app: Application = (ApplicationBuilder().token(fake.token).base_url(fake.base_url)
                        .updater(None).build())
    app.add_handler(MessageHandler(filters.TEXT, echo))
    seen: list[str] = []

    async def webhook(request: web.Request) -> web.Response:
        seen.append(request.headers.get("X-Telegram-Bot-Api-Secret-Token", ""))
        await app.update_queue.put(Update.de_json(await request.json(), app.bot))
        return web.Response()

    server = web.Application()
    server.router.add_post("/tg/hook", webhook)
    runner = web.AppRunner(server, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        async with app:
            await app.start()
            await app.bot.set_webhook(f"http://127.0.0.1:{runner.addresses[0][1]}/tg/hook",
                                      secret_token="hook-secret")
            fake.push_message(LAN, "bài 1")
            await fake.wait_for_sent(1)
            await app.stop()
    finally:
        await runner.cleanup()
    assert seen == ["hook-secret"]
    assert fake.sent[0].text == "Đã nhận: bài 1"


# ---------------------------------------------------------------- commands


async def test_set_my_commands_per_language(fake: FakeTelegram, bot: Bot) -> None:
    vi = [BotCommand("start", "Bắt đầu học"), BotCommand("help", "Trợ giúp")]
    en = [BotCommand("start", "Start learning")]
    assert await bot.set_my_commands(vi, language_code="vi")
    assert await bot.set_my_commands(en)
    await bot.set_my_commands([BotCommand("stop", "Dừng")], scope=BotCommandScopeAllPrivateChats(),
                              language_code="vi")
    assert fake.commands[("default", "vi")] == [
        {"command": "start", "description": "Bắt đầu học"},
        {"command": "help", "description": "Trợ giúp"}]
    assert fake.commands[("default", "")] == [{"command": "start",
                                               "description": "Start learning"}]
    assert ("all_private_chats", "vi") in fake.commands
    assert await bot.get_my_commands(language_code="vi") == tuple(vi)
    assert await bot.get_my_commands(language_code="en") == ()
    with pytest.raises(BadRequest, match=r"(?i)bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Start", "viết hoa")])
    with pytest.raises(BadRequest, match=r"(?i)bot_command_invalid"):
        await bot.set_my_commands([BotCommand("c" * 33, "quá dài")])
    with pytest.raises(BadRequest):
        await bot.set_my_commands([BotCommand("long", "d" * 257)])
    assert await bot.delete_my_commands(language_code="vi")
    assert ("default", "vi") not in fake.commands


# ---------------------------------------------------------------- recorded payloads


def _message_kind(attribute: str) -> Callable[[Update], bool]:
    return lambda u: u.message is not None and getattr(u.message, attribute) is not None


FIXTURE_KINDS: dict[str, Callable[[Update], bool]] = {
    "text": lambda u: u.message is not None and u.message.text is not None
    and not u.message.entities,
    "start_deeplink": lambda u: u.message is not None
    and u.message.text == "/start KEM-7Q4X"
    and u.message.parse_entities([MessageEntity.BOT_COMMAND]) == {
        MessageEntity("bot_command", 0, 6): "/start"},
    "callback_query": lambda u: u.callback_query is not None
    and u.callback_query.data == "ans:q1:c" and u.callback_query.message is not None,
    "sticker": _message_kind("sticker"),
    "voice": _message_kind("voice"),
    "photo": lambda u: u.message is not None and len(u.message.photo) == 4,
    "contact": _message_kind("contact"),
    "location": _message_kind("location"),
    "edited_message": lambda u: u.edited_message is not None
    and u.edited_message.edit_date is not None,
    "group_message": lambda u: u.message is not None and u.message.chat.type == "group",
    "channel_post": lambda u: u.channel_post is not None
    and u.channel_post.chat.type == "channel",
    "my_chat_member_kicked": lambda u: u.my_chat_member is not None
    and u.my_chat_member.chat.type == "private"
    and u.my_chat_member.new_chat_member.status == "kicked",
    "my_chat_member_member": lambda u: u.my_chat_member is not None
    and u.my_chat_member.old_chat_member.status == "kicked"
    and u.my_chat_member.new_chat_member.status == "member",
}


def test_every_fixture_file_is_checked() -> None:
    assert {path.stem for path in FIXTURES.glob("*.json")} == set(FIXTURE_KINDS)


@pytest.mark.parametrize("name", sorted(FIXTURE_KINDS))
async def test_recorded_fixture_parses(name: str, bot: Bot) -> None:
    data = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    update = Update.de_json(data, bot)
    assert update.update_id == data["update_id"]
    assert FIXTURE_KINDS[name](update)
    assert update.api_kwargs == {}
    if update.effective_message is not None:
        assert update.effective_message.api_kwargs == {}
    user = update.effective_user
    if update.channel_post is None:
        assert user is not None and user.id == LAN


@pytest.mark.parametrize("name", sorted(FIXTURE_KINDS))
async def test_fixture_reaches_ptb_through_get_updates(name: str, fake: FakeTelegram,
                                                       bot: Bot) -> None:
    data = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    fake.push_update(data)
    (update,) = await bot.get_updates()
    assert FIXTURE_KINDS[name](update)
