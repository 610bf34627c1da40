"""The unmodified Zalo Bot Platform channel against a fake Bot API, by polling and webhook."""

import copy
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientSession
from aiohttp.test_utils import TestServer

from bot.channels.text import with_numbered_options
from bot.channels.web import create_web_app
from bot.channels.zalo_bot import (
    CHANNEL,
    MAX_TEXT,
    SECRET_HEADER,
    WEBHOOK_PATH,
    ZaloBotChannel,
    ZaloBotConfig,
    to_incoming,
    unwrap,
)
from bot.lessons.model import Library
from bot.messages import Button, Kind, Outgoing
from bot.tutor import Tutor
from tests.conftest import CONTENT_DIR
from tests.conversation import (
    channel_fixtures,
    exchange,
    expect_answer,
    fixture_loader,
    post_json,
    until,
)
from tests.fake_zalo_bot import FakeZaloBot, SentRecord
from tests.server import free_port, serving_here
from tests.virtual_time import VirtualTime

USER = "6f4a2b9c8d7e1f00"
SECRET = "zalo-secret-123"
PUBLIC = "https://hocso.example.vn"

fixture = fixture_loader("zalo_bot")


class Resident:
    """A Zalo user typing to the bot through the fake."""

    def __init__(self, fake: FakeZaloBot, chat: str = USER) -> None:
        self.fake = fake
        self.chat = chat

    async def say(self, text: str, expect: int = 1, **extra: Any) -> list[SentRecord]:
        return await exchange(lambda: self.fake.sent_to(self.chat),
                              lambda: self.fake.push_text(self.chat, text, **extra), expect)

    async def start(self) -> list[SentRecord]:
        """/start, then agree to the notice by typing its number: the greeting, the notice,
        then the thanks with the menu."""
        sent = await self.say("/start", expect=2)
        await self.say("1")
        await self.say("bạn")  # to be called "bạn": its label typed picks it
        return sent + await self.say("1")  # by the messenger's name, or none


@pytest.fixture
async def fake() -> AsyncIterator[FakeZaloBot]:
    server = FakeZaloBot(max_poll_seconds=0.3)
    await server.start()
    yield server
    await server.close()


def config(fake: FakeZaloBot, **webhook: str) -> ZaloBotConfig:
    return ZaloBotConfig(token=fake.token, api_base_url=fake.base_url, public_url=PUBLIC,
                         picture_hosts=("127.0.0.1",), **webhook)


@asynccontextmanager
async def running(fake: FakeZaloBot, tutor: Tutor,
                  mode: str) -> AsyncIterator[tuple[ZaloBotChannel, str]]:
    """The channel receiving by long polling, or by webhook on a local web server."""
    if mode == "polling":
        channel = ZaloBotChannel(config(fake), tutor, backoff_seconds=0.01)
        await channel.start()
        yield channel, ""
        await channel.stop()
        return
    channel = ZaloBotChannel(config(fake, webhook_url="http://pending", webhook_secret=SECRET),
                             tutor, backoff_seconds=0.01)
    app = create_web_app(tutor, CONTENT_DIR)
    app.add_routes(channel.routes())
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    url = str(server.make_url(WEBHOOK_PATH))
    channel.config = config(fake, webhook_url=url, webhook_secret=SECRET)
    await channel.start()
    yield channel, url
    await server.close()
    await channel.stop()


polling, webhook, channel = channel_fixtures(running)


def number_of(record: SentRecord, label: str) -> str:
    """The number printed before `label` in a numbered list."""
    for line in (record.text or "").splitlines():
        number, dot, rest = line.partition(". ")
        if dot and number.isdigit() and rest.startswith(label):
            return number
    raise AssertionError(f"no option {label!r} in {record.text!r}")


async def test_a_whole_lesson_and_quiz_answered_with_digits(
        fake: FakeZaloBot, channel: ZaloBotChannel, library: Library) -> None:
    course = library.courses[0]
    lesson = course.lessons[0]
    user = Resident(fake)
    welcome, notice, menu = await user.start()
    assert "trợ lý học tự động" in (welcome.text or "")
    assert (notice.text or "").endswith("Trả lời bằng số:\n1. ✅ Tôi đồng ý\n2. Không đồng ý")
    assert "Trả lời bằng số:\n1. 📘 " + course.title in (menu.text or "")
    last = (await user.say(number_of(menu, "📘 " + course.title)))[-1]
    last = (await user.say(number_of(last, lesson.title)))[-1]
    for index, step in enumerate(lesson.steps):
        following = lesson.steps[index + 1] if index + 1 < len(lesson.steps) else None
        # A picture goes before its text; feedback joins the next text, not a picture.
        pictured = following is not None and following.image is not None
        if step.check is not None:
            sent = await user.say(str(step.check.answer), expect=3 if pictured else 1)
        else:
            sent = await user.say(number_of(last, "Tiếp tục"), expect=2 if pictured else 1)
        if following is not None and following.image:
            photo = next(r for r in sent if r.method == "sendPhoto")
            assert photo.photo == f"{PUBLIC}/media/{following.image}"
        last = sent[-1]
    for question in lesson.quiz:  # feedback and the next question (or the result) at once
        sent = await user.say(str(question.answer),
                                expect=1 if question is not lesson.quiz[-1] else 2)
        assert (sent[0].text or "").startswith("✅")
    # The result, then once, after a first lesson: where do you live? (typed: 126 places)
    assert "đúng 3/3" in (sent[0].text or "") and "xã hoặc phường" in (sent[1].text or "")
    saved = await user.say("hong ha")
    assert "Phường Hồng Hà" in (saved[0].text or "")
    assert all(len(r.text or "") <= MAX_TEXT for r in fake.sent)


async def test_a_redelivered_event_is_answered_once(fake: FakeZaloBot,
                                                    channel: ZaloBotChannel) -> None:
    user = Resident(fake)
    await user.start()
    event = fake.push_text(USER, "tiến độ")
    await fake.wait_for_sent(6)  # the greeting, the notice, how to be called, the name, the menu
    fake.redeliver(event)
    await user.say("menu")
    assert len(fake.sent_to(USER)) == 7


async def test_transient_errors_are_retried_and_lasting_ones_kept(
        fake: FakeZaloBot, channel: ZaloBotChannel, tutor: Tutor) -> None:
    fake.fail("sendMessage", 429, times=2, description="Quota exceeded")
    welcome, _ = await Resident(fake).say("/start", expect=2)
    assert "trợ lý học tự động" in (welcome.text or "")
    fake.fail("sendMessage", 400, times=1, description="Bad request")
    await Resident(fake).say("tiến độ", expect=0)
    await until(lambda: tutor.repository.failed_sends(channel=CHANNEL), what="a kept send")
    await channel.drain()  # the turn is over: nothing more to keep
    kept = await tutor.repository.failed_sends(channel=CHANNEL)
    assert len(kept) == 1 and kept[0][0] == USER and "400" in kept[0][2]


async def test_an_owed_reply_outlasts_five_minutes_of_429s_and_comes_once(
        fake: FakeZaloBot, tutor: Tutor) -> None:
    time = VirtualTime(start=0)  # the outage passes at once
    channel = ZaloBotChannel(config(fake), tutor, sleep=time.sleep)
    await channel.start()
    try:
        # With waits of 1, 2, 4... s, a minute at most, ten failures span five minutes.
        fake.fail("sendMessage", 429, times=10, description="Quota exceeded")
        welcome, notice = await Resident(fake).say("/start", expect=2)
    finally:
        await channel.stop()
    assert time.now >= 300
    assert "trợ lý học tự động" in (welcome.text or "") and notice.text
    assert len(fake.sent_to(USER)) == 2  # none lost, none twice
    assert await tutor.repository.failed_sends(channel=CHANNEL) == []


async def test_long_texts_are_split_under_2000_characters(fake: FakeZaloBot,
                                                          polling: ZaloBotChannel) -> None:
    fake.add_chat(USER)
    paragraphs = [f"Đoạn {n}. " + "chữ " * 200 for n in range(6)]
    reply = Outgoing(text="\n\n".join(paragraphs), buttons=((Button("🏠 Về menu", "menu"),),))
    await polling.send(USER, reply)
    sent = fake.sent_to(USER)
    assert len(sent) > 1 and all(len(r.text or "") <= MAX_TEXT for r in sent)
    heading = "Trả lời bằng số:"
    assert "\n\n".join(r.text or "" for r in sent) == with_numbered_options(reply, heading)
    assert (sent[-1].text or "").endswith("1. 🏠 Về menu")


@pytest.mark.parametrize(("name", "kind"), [
    ("text_flat", Kind.TEXT), ("text_wrapped", Kind.TEXT),
    ("image_with_caption", Kind.PHOTO), ("image_photo_field", Kind.PHOTO),
    ("sticker", Kind.UNSUPPORTED), ("voice", Kind.UNSUPPORTED),
    ("unsupported_with_message", Kind.UNSUPPORTED), ("unsupported_without_message", None),
    ("group_text", None),
])
def test_recorded_payload_shapes(name: str, kind: Kind | None) -> None:
    event = unwrap(fixture(name))
    assert event is not None
    incoming = to_incoming(event)
    assert (incoming.kind if incoming else None) == kind
    if incoming is not None:
        assert incoming.user_ref == USER
        assert incoming.update_id and incoming.update_id.startswith(event["event_name"] + ":")


# ---------------------------------------------------------------------- webhook


async def test_by_webhook_in_both_body_shapes(fake: FakeZaloBot,
                                              webhook: tuple[ZaloBotChannel, str],
                                              library: Library) -> None:
    assert fake.webhook_url == webhook[1] and fake.webhook_secret == SECRET
    user = Resident(fake)
    *_, menu = await user.start()
    listing = (await user.say(number_of(menu, "📘"), shape="wrapped"))[-1]
    step = (await user.say(number_of(listing, library.courses[0].lessons[0].title)))[-1]
    assert (step.text or "").startswith(library.courses[0].lessons[0].title)
    assert await fake.probe_webhook() == 200  # Zalo's empty probe


@pytest.mark.parametrize("secret", [None, "", "wrong-secret", SECRET + "x"])
async def test_the_webhook_refuses_a_wrong_secret(fake: FakeZaloBot,
                                                  webhook: tuple[ZaloBotChannel, str],
                                                  secret: str | None) -> None:
    headers = {} if secret is None else {SECRET_HEADER: secret}
    assert await post_json(webhook[1], fixture("text_flat"), headers) == 403
    await webhook[0].drain()
    assert fake.sent == []


@pytest.mark.parametrize(("name", "expected"), [
    ("text_flat", "điều bạn hỏi"),  # a question: the lesson finder answers (issue 20)
    ("text_wrapped", "quay lại"),
    ("image_with_caption", "chưa đọc được chữ trong ảnh"),  # not on the hosts allowed
    ("sticker", "chỉ đọc được chữ"), ("voice", "chỉ đọc được chữ"),
    ("unsupported_with_message", "chỉ đọc được chữ"), ("unsupported_without_message", None),
    ("group_text", None),
])
async def test_recorded_events_by_webhook(fake: FakeZaloBot,
                                          webhook: tuple[ZaloBotChannel, str],
                                          name: str, expected: str | None) -> None:
    await Resident(fake).start()
    before = len(fake.sent)
    assert await post_json(webhook[1], fixture(name), {SECRET_HEADER: SECRET}) == 200
    await expect_answer(fake, before, expected, webhook[0].drain)


async def test_hocso_serve_runs_zalo_when_the_token_is_set(fake: FakeZaloBot,
                                                            tmp_path: Path) -> None:
    env = {"ZALO_BOT_TOKEN": fake.token, "ZALO_API_BASE_URL": fake.base_url}
    async with serving_here(tmp_path, extra_env=env):
        welcome, _ = await Resident(fake).say("/start", expect=2)
        assert "trợ lý học tự động" in (welcome.text or "")
    log = (tmp_path / "server.log").read_text("utf-8")
    assert "Zalo: receiving by long polling" in log and fake.token not in log


async def test_polling_survives_answers_it_cannot_read(fake: FakeZaloBot,
                                                        polling: ZaloBotChannel) -> None:
    fake.fail("getUpdates", 0, times=1, raw_body='{"ok": false, "error_code": "E_QUOTA"}')
    await until(lambda: not fake.failing("getUpdates"), what="the failed poll")
    fake.fail("getUpdates", 0, times=1, raw_body="<html>502 Bad Gateway</html>")
    welcome, _ = await Resident(fake).say("/start", expect=2)  # still listening
    assert "trợ lý học tự động" in (welcome.text or "")


async def test_a_webhook_body_that_is_no_event_is_acknowledged(
        fake: FakeZaloBot, webhook: tuple[ZaloBotChannel, str]) -> None:
    # Refusing it would only make Zalo send it again.
    assert await post_json(webhook[1], {"ok": True, "result": []}, {SECRET_HEADER: SECRET}) == 200
    await webhook[0].drain()
    assert fake.sent == []


async def test_hocso_serve_keeps_the_web_chat_when_zalo_cannot_start(tmp_path: Path) -> None:
    env = {"ZALO_BOT_TOKEN": "123:abc", "ZALO_API_BASE_URL": "http://127.0.0.1:9/bot"}
    port = free_port()
    async with serving_here(tmp_path, port, extra_env=env):  # nothing listens on port 9
        assert await post_json(f"http://127.0.0.1:{port}/api/session", {}, {}) == 200
    log = (tmp_path / "server.log").read_text("utf-8")
    assert "ZaloBotChannel could not start" in log


async def test_two_peoples_messages_with_one_id_are_both_answered_and_a_resend_once(
        fake: FakeZaloBot, channel: ZaloBotChannel) -> None:
    other = "70aa11bb22cc33dd"
    for chat in (USER, other):
        await Resident(fake, chat).start()
    event = fake.push_text(USER, "tiến độ")
    await fake.wait_for_sent(11)
    # Message ids are one chat's own: another chat's message may carry the same one.
    theirs = copy.deepcopy(event)
    theirs["message"]["chat"]["id"] = theirs["message"]["from"]["id"] = other
    [answer] = await exchange(lambda: fake.sent_to(other), lambda: fake.push_event(theirs), 1)
    assert "Tiến độ" in (answer.text or "")
    fake.redeliver(theirs)  # the platform sending the same message again
    await Resident(fake, other).say("menu")
    assert len(fake.sent_to(other)) == 7 and len(fake.sent_to(USER)) == 6


async def test_a_deeply_nested_body_is_refused_without_a_traceback(
        fake: FakeZaloBot, webhook: tuple[ZaloBotChannel, str],
        caplog: pytest.LogCaptureFixture) -> None:
    deep = b'{"event_name": "message.text.received", "message": ' + b"[" * 1000 + b"]" * 1000
    async with ClientSession() as client, client.post(
            webhook[1], data=deep + b"}", headers={SECRET_HEADER: SECRET}) as response:
        assert response.status == 400
    await webhook[0].drain()
    assert fake.sent == [] and not [record for record in caplog.records if record.exc_info]


async def test_half_a_character_in_a_name_and_a_text_still_gets_answers(
        fake: FakeZaloBot, channel: ZaloBotChannel, tutor: Tutor) -> None:
    # "\ud800" is half of a UTF-16 pair: JSON carries it, but no database stores it.
    user = Resident(fake)
    await user.say("/start", expect=2, display_name="Bà\ud800 Lan")
    await user.say("1", display_name="Bà\ud800 Lan")
    [answer] = await user.say("B\ud800c", display_name="Bà\ud800 Lan")
    assert "gõ cách gọi" in (answer.text or "")  # the form question again, saying how
    learner = await tutor.repository.find_learner(channel=CHANNEL, user_ref=USER)
    assert learner is not None and learner.display_name == "Bà\ufffd Lan"
