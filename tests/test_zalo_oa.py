"""The unmodified Zalo OA channel against a fake OA API: signed events, buttons, token refresh."""

import asyncio
import hashlib
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientSession
from aiohttp.test_utils import TestServer

from bot.channels.web import create_web_app
from bot.channels.zalo_oa import (
    BUTTON_PREFIX,
    CHANNEL,
    MAX_TEXT,
    SIGNATURE_HEADER,
    WEBHOOK_PATH,
    ZaloOAChannel,
    ZaloOAConfig,
    render,
)
from bot.lessons.model import Library
from bot.messages import Button, Outgoing
from bot.tutor import Tutor
from storage.tokens import OaTokenStore
from tests.conftest import CONTENT_DIR
from tests.conversation import exchange, expect_answer, fixture_loader
from tests.fake_zalo_oa import (
    DEFAULT_APP_ID,
    DEFAULT_APP_SECRET,
    DEFAULT_OA_SECRET_KEY,
    FakeZaloOA,
    SentMessage,
)
from tests.server import free_port, serving_here
from tests.virtual_time import VirtualTime

USER = "2512523625412515"
PUBLIC = "https://hocso.example.vn"

fixture = fixture_loader("zalo_oa")


@pytest.fixture
async def fake() -> AsyncIterator[FakeZaloOA]:
    server = FakeZaloOA()
    await server.start()
    yield server
    await server.close()


@pytest.fixture
async def oa(fake: FakeZaloOA, tutor: Tutor) -> AsyncIterator[ZaloOAChannel]:
    async with _serving_oa(fake, tutor, backoff_seconds=0.01) as channel:
        yield channel


@asynccontextmanager
async def _serving_oa(fake: FakeZaloOA, tutor: Tutor, **options: Any,
                      ) -> AsyncIterator[ZaloOAChannel]:
    config = ZaloOAConfig(app_id=DEFAULT_APP_ID, app_secret=DEFAULT_APP_SECRET,
                          oa_secret_key=DEFAULT_OA_SECRET_KEY, refresh_token="refresh-0",
                          api_base_url=fake.api_base, oauth_base_url=fake.oauth_base,
                          public_url=PUBLIC, picture_hosts=("127.0.0.1",))
    tokens = OaTokenStore(tutor.repository.engine, app_id=config.app_id,
                          seed_refresh_token=config.refresh_token)
    channel = ZaloOAChannel(config, tutor, tokens, **options)
    app = create_web_app(tutor, CONTENT_DIR)
    app.add_routes(channel.routes())
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    fake.set_webhook(str(server.make_url(WEBHOOK_PATH)))
    await channel.start()
    yield channel
    await server.close()
    await channel.stop()


class Follower:
    """A Zalo user talking to the OA through the fake."""

    def __init__(self, fake: FakeZaloOA, user: str = USER) -> None:
        self.fake = fake
        self.user = user

    async def _exchange(self, push: Any, expect: int) -> list[SentMessage]:
        return await exchange(lambda: self.fake.sent_to(self.user), push, expect)

    async def follow(self, expect: int = 2) -> list[SentMessage]:
        return await self._exchange(lambda: self.fake.push_follow(self.user), expect)

    async def join(self) -> list[SentMessage]:
        """Follow, then agree to the notice: the greeting, the notice, then the thanks with
        the menu."""
        sent = await self.follow()
        await self.press("Tôi đồng ý")
        await self.say("bạn")  # to be called "bạn": its label typed picks it
        return sent + await self.say("1")  # by the messenger's name, or none

    async def say(self, text: str, expect: int = 1) -> list[SentMessage]:
        return await self._exchange(lambda: self.fake.push_text(self.user, text), expect)

    async def press(self, title: str, expect: int = 1) -> list[SentMessage]:
        for message in reversed(self.fake.sent_to(self.user)):
            for label, kind, payload in message.buttons:
                if title in label:
                    assert kind == "oa.query.hide"
                    return await self.say(str(payload), expect)
        raise AssertionError(f"no button {title!r}")


async def test_a_whole_lesson_and_quiz_with_buttons(fake: FakeZaloOA, oa: ZaloOAChannel,
                                                    library: Library) -> None:
    course = library.courses[0]
    lesson = course.lessons[0]
    user = Follower(fake)
    welcome, notice, menu = await user.join()
    assert "trợ lý học tự động" in (welcome.text or "")
    assert [label for label, _, _ in notice.buttons] == ["1 · ✅ Tôi đồng ý", "2 · Không đồng ý"]
    # Seven courses and three actions are more buttons than OA shows: a numbered list instead.
    assert menu.buttons == [] and f"\n1. 📘 {course.title}\n" in (menu.text or "")
    listing = (await user.say("1"))[-1]
    assert listing.buttons[0][0] == f"1 · {lesson.title}"  # a course's few lessons fit
    step = (await user.press(lesson.title))[-1]
    assert step.message_id  # a reply to the user's message: free within the window
    for index, item in enumerate(lesson.steps):
        following = lesson.steps[index + 1] if index + 1 < len(lesson.steps) else None
        # A picture goes before its text; feedback joins the next text, not a picture.
        pictured = following is not None and following.image is not None
        if item.check is not None:
            sent = await user.press(item.check.options[item.check.answer - 1],
                                    expect=3 if pictured else 1)
        else:
            sent = await user.press("Tiếp tục", expect=2 if pictured else 1)
        if pictured:
            picture = next(message for message in sent if message.image_url)
            assert picture.image_url == f"{PUBLIC}/media/{following.image}"  # type: ignore[union-attr]
    for question in lesson.quiz:  # feedback and the next question (or the result) at once
        sent = await user.press(question.options[question.answer - 1],
                                expect=1 if question is not lesson.quiz[-1] else 2)
        assert (sent[0].text or "").startswith("✅")
    # The result, then once, after a first lesson: where do you live? (typed: 126 places)
    assert "đúng 3/3" in (sent[0].text or "") and "xã hoặc phường" in (sent[1].text or "")
    saved = await user.say("hong ha")
    assert "Phường Hồng Hà" in (saved[0].text or "")
    assert all(message.billed == "reply" for message in fake.sent_to(USER)[2:])


async def test_a_bad_signature_is_rejected(fake: FakeZaloOA, oa: ZaloOAChannel) -> None:
    fake.push_text(USER, "menu", bad_signature=True)
    await fake.wait_for_webhook_idle()
    assert fake.webhook_deliveries[-1].status == 401 and fake.sent == []
    event = fixture("user_send_text")
    body = json.dumps(event).encode()
    async with ClientSession() as client:
        for headers in ({}, {SIGNATURE_HEADER: "mac=00"}, {SIGNATURE_HEADER: "nonsense"}):
            async with client.post(fake.webhook_url or "", data=body, headers=headers) as answer:
                assert answer.status == 401


def signed(body: bytes, timestamp: str) -> dict[str, str]:
    """The signature header Zalo would send with `body` (whatever the body holds)."""
    digest = hashlib.sha256(DEFAULT_APP_ID.encode() + body + timestamp.encode()
                            + DEFAULT_OA_SECRET_KEY.encode()).hexdigest()
    return {SIGNATURE_HEADER: f"mac={digest}"}


async def test_malformed_bodies_are_refused_unsigned_ones_before_parsing(
        fake: FakeZaloOA, oa: ZaloOAChannel, caplog: pytest.LogCaptureFixture) -> None:
    head = f'{{"app_id":"{DEFAULT_APP_ID}","timestamp":"1700000000000","x":'.encode()
    deep = head + b"[" * 1000 + b"]" * 1000 + b"}"  # 2 KB that once raised RecursionError
    async with ClientSession() as client:
        for body, headers, status in [
                (deep, {}, 401), (b"{not json", {SIGNATURE_HEADER: "mac=00"}, 401),
                (deep, signed(deep, "1700000000000"), 400),
                # Signed, but with another timestamp than the event's own.
                (head + b"1}", signed(head + b"1}", "1700000000001"), 401)]:
            async with client.post(fake.webhook_url or "", data=body, headers=headers) as answer:
                assert answer.status == status
    await oa.drain()
    assert fake.sent == [] and not [record for record in caplog.records if record.exc_info]


async def test_half_a_character_in_a_mentors_name_still_gets_an_answer(
        fake: FakeZaloOA, oa: ZaloOAChannel) -> None:
    user = Follower(fake)
    await user.join()
    await user.say("/lam_nguoi_kem")
    # "\ud800" is half of a UTF-16 pair: JSON carries it, but no database stores it.
    [answer] = await user.say("Nguyễn Văn\ud800 An")
    assert "Xin chào bạn Nguyễn Văn\ufffd An!" in (answer.text or "")


async def test_a_redelivered_event_is_answered_once(fake: FakeZaloOA,
                                                    oa: ZaloOAChannel) -> None:
    user = Follower(fake)
    await user.join()
    event = fake.push_text(USER, "tiến độ")
    await fake.wait_for_sent(6)
    fake.redeliver(event)
    await user.say("menu")
    await fake.wait_for_webhook_idle()
    assert len(fake.sent_to(USER)) == 7


async def test_the_token_is_refreshed_in_the_middle_of_a_conversation(
        fake: FakeZaloOA, oa: ZaloOAChannel, tutor: Tutor) -> None:
    user = Follower(fake)
    await user.join()
    assert len(fake.refresh_history) == 1  # at start: the seed token bought the first pair
    fake.expire_access_tokens()
    sent = await user.say("tiến độ")
    assert "Tiến độ" in (sent[0].text or "") or "chưa học xong" in (sent[0].text or "")
    assert [attempt.ok for attempt in fake.refresh_history] == [True, True]
    assert fake.refresh_history[1].refresh_token == fake.refresh_history[0].new_refresh_token
    async with tutor.repository.engine.connect() as connection:
        stored = (await connection.exec_driver_sql(
            "SELECT refresh_token FROM oa_token")).scalar_one()
    assert stored == fake.refresh_history[1].new_refresh_token  # the new single-use token


async def test_a_closed_window_marks_the_learner_unreachable(fake: FakeZaloOA,
                                                             oa: ZaloOAChannel,
                                                             tutor: Tutor) -> None:
    await Follower(fake).join()
    # A user's own message reopens the window, so Zalo's refusal is injected directly.
    fake.fail(1, -230, "User has not interacted with the OA in the past 7 days")
    fake.push_text(USER, "menu")
    await fake.wait_for_webhook_idle()
    for _ in range(200):  # marked unreachable, then the reply kept: two transactions
        learner = await tutor.repository.find_learner(channel=CHANNEL, user_ref=USER)
        kept = await tutor.repository.failed_sends(channel=CHANNEL)
        if learner is not None and not learner.reachable and kept:
            break
        await asyncio.sleep(0.02)
    else:
        raise AssertionError("the learner was never marked unreachable, or nothing was kept")
    assert kept and all(user == USER and "-230" in error for user, _, error in kept)
    assert "Bạn muốn làm gì" in kept[0][1]  # the menu it could not deliver


async def test_transient_errors_are_retried_and_lasting_ones_kept(
        fake: FakeZaloOA, oa: ZaloOAChannel, tutor: Tutor) -> None:
    fake.fail_http(2, status=502)
    welcome, _ = await Follower(fake).follow()
    assert "trợ lý học tự động" in (welcome.text or "")
    fake.fail(1, -201 - 1000, "Parameters are invalid")
    fake.push_text(USER, "tiến độ")
    for _ in range(200):
        kept = await tutor.repository.failed_sends(channel=CHANNEL)
        if kept:
            break
        await asyncio.sleep(0.02)
    assert len(kept) == 1 and kept[0][0] == USER and "-1201" in kept[0][2]


async def test_an_owed_reply_outlasts_five_minutes_of_5xx_and_comes_once(
        fake: FakeZaloOA, tutor: Tutor) -> None:
    time = VirtualTime(start=0)  # the outage passes at once
    async with _serving_oa(fake, tutor, sleep=time.sleep):
        # With waits of 1, 2, 4... s, a minute at most, ten failures span five minutes.
        fake.fail_http(10, status=500)
        welcome, _ = await Follower(fake).follow()
    assert time.now >= 300
    assert "trợ lý học tự động" in (welcome.text or "")
    assert [r.text for r in fake.sent_to(USER)].count(welcome.text) == 1
    assert await tutor.repository.failed_sends(channel=CHANNEL) == []


@pytest.mark.parametrize(("name", "expected"), [
    ("user_send_text", "điều bạn hỏi"),  # a question: the lesson finder answers (issue 20)
    ("user_send_image", "chưa đọc được chữ trong ảnh"),
    ("user_send_sticker", "chỉ đọc được chữ"), ("user_send_audio", "chỉ đọc được chữ"),
    ("user_send_location", "chỉ đọc được chữ"), ("follow", "quay lại"),
    ("user_seen_message", None), ("anonymous_send_text", None), ("unfollow", None),
])
async def test_recorded_events(fake: FakeZaloOA, oa: ZaloOAChannel, name: str,
                               expected: str | None) -> None:
    await Follower(fake).join()
    before = len(fake.sent)
    fake.push_event(fixture(name))
    await fake.wait_for_webhook_idle()
    assert fake.webhook_deliveries[-1].status == 200
    await expect_answer(fake, before, expected, oa.drain)


def test_rendering_buttons_long_texts_and_too_many_options() -> None:
    few = Outgoing(text="Chọn:", buttons=((Button("Tiếp tục ▶", "n:1"),),))
    [message] = render(few, "Trả lời bằng số:")
    assert message["attachment"]["payload"]["buttons"] == [
        {"title": "1 · Tiếp tục ▶", "type": "oa.query.hide", "payload": BUTTON_PREFIX + "n:1"}]
    many = Outgoing(text="Chọn:", buttons=tuple((Button(f"Lựa chọn {n}", f"a:1:{n}"),)
                                                 for n in range(1, 8)))
    [numbered] = render(many, "Trả lời bằng số:")
    assert "attachment" not in numbered and "7. Lựa chọn 7" in numbered["text"]
    long = Outgoing(text="\n\n".join("chữ " * 300 for _ in range(4)), buttons=few.buttons)
    parts = render(long, "Trả lời bằng số:")
    assert len(parts) > 1 and all(len(part["text"]) <= MAX_TEXT for part in parts)
    assert "attachment" in parts[-1] and all("attachment" not in p for p in parts[:-1])


async def test_hocso_serve_runs_the_oa_when_its_credentials_are_set(fake: FakeZaloOA,
                                                                     tmp_path: Path) -> None:
    port = free_port()
    env = {"ZALO_OA_APP_ID": DEFAULT_APP_ID, "ZALO_OA_APP_SECRET": DEFAULT_APP_SECRET,
           "ZALO_OA_SECRET_KEY": DEFAULT_OA_SECRET_KEY, "ZALO_OA_REFRESH_TOKEN": "refresh-0",
           "ZALO_OA_API_BASE_URL": fake.api_base, "ZALO_OA_OAUTH_BASE_URL": fake.oauth_base}
    fake.set_webhook(f"http://127.0.0.1:{port}{WEBHOOK_PATH}")
    async with serving_here(tmp_path, port, extra_env=env):
        welcome, _ = await Follower(fake).follow()
        assert "trợ lý học tự động" in (welcome.text or "")
    assert "Zalo OA: receiving signed events" in (tmp_path / "server.log").read_text("utf-8")


async def test_a_message_from_someone_elses_turn_goes_out_proactive_with_its_qr(
        fake: FakeZaloOA, oa: ZaloOAChannel) -> None:
    await Follower(fake).follow()
    before = len(fake.sent_to(USER))
    menu = ((Button("👥 Học viên của tôi", "mentees"),),)
    await oa.deliver(USER, Outgoing(text="Bà Lan cần giúp đỡ.", buttons=menu,
                                    qr="https://t.me/hocso_bot?start=KEM-7Q4X",
                                    invitation="KEM-7Q4X"))
    picture, message = fake.sent_to(USER)[before:]
    assert picture.image_url == f"{PUBLIC}/qr/KEM-7Q4X.png"
    assert message.text == "Bà Lan cần giúp đỡ." and message.message_id is None
    assert message.billed == "proactive" and message.buttons[0][0] == "1 · 👥 Học viên của tôi"
