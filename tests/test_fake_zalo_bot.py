"""The fake Zalo Bot Platform speaks the wire format PLATFORMS.md section 2 describes."""

import asyncio
import json
import re
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from tests.conversation import Receiver, until
from tests.fake_zalo_bot import (
    BOT_ID,
    FIXTURES,
    SECRET_HEADER,
    FakeZaloBot,
    load_fixture,
    unwrap,
)

LAN = "6f4a2b9c8d7e1f00"
HEX20 = re.compile(r"[0-9a-f]{20}")
SECRET = "hocso-zalo-secret-01"


@pytest.fixture
async def fake() -> AsyncIterator[FakeZaloBot]:
    async with FakeZaloBot(max_poll_seconds=0.3) as server:
        yield server


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def call(http: aiohttp.ClientSession, fake: FakeZaloBot, method: str,
               **params: Any) -> dict[str, Any]:
    """POST a JSON body the way the channel's client does; Zalo answers errors with HTTP 200."""
    async with http.post(f"{fake.base_url}{fake.token}/{method}", json=params) as response:
        assert response.status == 200
        body: dict[str, Any] = await response.json()
        return body


# ---------------------------------------------------------------- requests and errors


async def test_get_me(fake: FakeZaloBot, http: aiohttp.ClientSession) -> None:
    assert fake.base_url.startswith("http://127.0.0.1:") and fake.base_url.endswith("/bot")
    assert await call(http, fake, "getMe") == {"ok": True, "result": {
        "id": BOT_ID, "account_name": "Bot Học Số", "account_type": "BASIC",
        "can_join_groups": False}}
    assert re.fullmatch(r"[0-9a-f]+", BOT_ID)


async def test_errors_come_back_with_http_200(fake: FakeZaloBot,
                                              http: aiohttp.ClientSession) -> None:
    async with http.post(f"{fake.base_url}1:wrong-token/getMe") as response:
        assert response.status == 200
        assert await response.json() == {"ok": False, "error_code": 401,
                                          "description": "Unauthorized"}
    assert await call(http, fake, "noSuchMethod") == {"ok": False, "error_code": 404,
                                                      "description": "Not Found"}
    # Method names are case-sensitive.
    assert (await call(http, fake, "getme"))["error_code"] == 404
    async with http.post(f"{fake.base_url}{fake.token}/getMe", data=b"{not json",
                         headers={"Content-Type": "application/json"}) as response:
        assert response.status == 200
        assert (await response.json())["error_code"] == 400
    assert [method for method, _ in fake.requests] == ["getMe", "noSuchMethod", "getme", "getMe"]


async def test_parameters_as_json_form_or_query(fake: FakeZaloBot,
                                                http: aiohttp.ClientSession) -> None:
    fake.add_chat(LAN)
    url = f"{fake.base_url}{fake.token}/sendMessage"
    async with http.post(url, json={"chat_id": LAN, "text": "json"}) as response:
        first = await response.json()
    async with http.post(url, data={"chat_id": LAN, "text": "form"}) as response:
        assert (await response.json())["ok"] is True
    async with http.post(url, params={"chat_id": LAN, "text": "query"}) as response:
        assert (await response.json())["ok"] is True
    assert first["ok"] is True
    assert set(first["result"]) == {"message_id", "date"}
    assert HEX20.fullmatch(first["result"]["message_id"])
    assert first["result"]["date"] > 1_700_000_000_000  # milliseconds
    assert [(r.chat_id, r.method, r.text) for r in fake.sent] == [
        (LAN, "sendMessage", "json"), (LAN, "sendMessage", "form"),
        (LAN, "sendMessage", "query")]
    assert fake.sent[0].message_id == first["result"]["message_id"]


async def test_send_message_limits_and_unknown_chat(fake: FakeZaloBot,
                                                    http: aiohttp.ClientSession) -> None:
    fake.push_text(LAN, "chào")
    assert (await call(http, fake, "sendMessage", chat_id=LAN, text="ă" * 2000))["ok"]
    too_long = await call(http, fake, "sendMessage", chat_id=LAN, text="ă" * 2001)
    assert (too_long["ok"], too_long["error_code"]) == (False, 400)
    assert "2000" in too_long["description"]
    # Counted in UTF-16 units: an emoji outside the BMP takes two.
    assert (await call(http, fake, "sendMessage", chat_id=LAN,
                       text="a" * 1999 + "😀"))["error_code"] == 400
    assert (await call(http, fake, "sendMessage", chat_id=LAN, text=""))["error_code"] == 400
    assert (await call(http, fake, "sendMessage", chat_id=LAN))["error_code"] == 400
    stranger = await call(http, fake, "sendMessage", chat_id="0123456789abcdef", text="hi")
    assert stranger["ok"] is False and stranger["error_code"] in (400, 404)
    assert [len(r.text or "") for r in fake.sent_to(LAN)] == [2000]
    assert fake.sent_to("0123456789abcdef") == []


async def test_code_point_lengths_on_request(http: aiohttp.ClientSession) -> None:
    async with FakeZaloBot(utf16_lengths=False) as fake:
        fake.add_chat(LAN)
        assert (await call(http, fake, "sendMessage", chat_id=LAN, text="😀" * 2000))["ok"]
        assert (await call(http, fake, "sendMessage", chat_id=LAN,
                           text="😀" * 2001))["error_code"] == 400


async def test_send_photo_and_chat_action(fake: FakeZaloBot, http: aiohttp.ClientSession) -> None:
    fake.push_text(LAN, "chào")
    photo = "https://hocso.example/static/lesson-1.png"
    ok = await call(http, fake, "sendPhoto", chat_id=LAN, photo=photo, caption="Bước 1")
    assert ok["ok"] and HEX20.fullmatch(ok["result"]["message_id"])
    assert (await call(http, fake, "sendPhoto", chat_id=LAN, photo=photo))["ok"]
    assert (await call(http, fake, "sendPhoto", chat_id=LAN, photo="lesson-1.png",
                       caption="x"))["error_code"] == 400
    assert (await call(http, fake, "sendPhoto", chat_id=LAN, photo=photo,
                       caption="c" * 2001))["error_code"] == 400
    upload = aiohttp.FormData({"chat_id": LAN})
    upload.add_field("photo", b"\x89PNG", filename="a.png", content_type="image/png")
    async with http.post(f"{fake.base_url}{fake.token}/sendPhoto", data=upload) as response:
        assert (await response.json())["error_code"] == 400  # only URLs are documented
    assert await call(http, fake, "sendChatAction", chat_id=LAN, action="typing") == {
        "ok": True, "result": True}
    assert (await call(http, fake, "sendChatAction", chat_id=LAN,
                       action="upload_photo"))["error_code"] == 400
    assert [(r.method, r.photo, r.caption) for r in fake.sent] == [
        ("sendPhoto", photo, "Bước 1"), ("sendPhoto", photo, None)]
    assert fake.chat_actions == [(LAN, "typing")]
    assert await fake.wait_for_sent(2, timeout=0.1) == fake.sent
    with pytest.raises(AssertionError, match="expected 3 sends"):
        await fake.wait_for_sent(3, timeout=0.05)


async def test_fail_injection(fake: FakeZaloBot, http: aiohttp.ClientSession) -> None:
    fake.push_text(LAN, "chào")
    fake.fail("sendMessage", 429, times=2)
    for _ in range(2):
        assert await call(http, fake, "sendMessage", chat_id=LAN, text="nhanh quá") == {
            "ok": False, "error_code": 429, "description": "Quota exceeded"}
    assert (await call(http, fake, "sendMessage", chat_id=LAN, text="được rồi"))["ok"]
    fake.fail("sendMessage", 408)
    assert (await call(http, fake, "sendMessage", chat_id=LAN, text="x"))["error_code"] == 408
    fake.fail("sendPhoto", 500, http_status=500, raw_body="<html>502 Bad Gateway</html>")
    async with http.post(f"{fake.base_url}{fake.token}/sendPhoto", json={
            "chat_id": LAN, "photo": "https://hocso.example/a.png"}) as response:
        assert response.status == 500
        assert response.content_type == "text/html"
        assert await response.text() == "<html>502 Bad Gateway</html>"
    fake.fail("getMe", 500, http_status=500)
    async with http.post(f"{fake.base_url}{fake.token}/getMe") as response:
        assert response.status == 500
        assert await response.json() == {"ok": False, "error_code": 500,
                                          "description": "Internal Server Error"}
    assert (await call(http, fake, "getMe"))["ok"]
    assert [r.text for r in fake.sent] == ["được rồi"]


# ---------------------------------------------------------------- receiving by getUpdates


async def test_get_updates_one_event_per_call_then_408(fake: FakeZaloBot,
                                                       http: aiohttp.ClientSession) -> None:
    first = fake.push_text(LAN, "Bắt đầu")
    second = fake.push_text(LAN, "1", display_name="Lan Nguyễn")
    one = await call(http, fake, "getUpdates", timeout="30")
    two = await call(http, fake, "getUpdates", timeout="30")
    assert one == {"ok": True, "result": first}
    assert two == {"ok": True, "result": second}
    message = one["result"]["message"]
    assert one["result"]["event_name"] == "message.text.received"
    assert HEX20.fullmatch(message["message_id"]) and message["date"] > 1_700_000_000_000
    assert message["from"] == {"id": LAN, "display_name": "Bà Lan", "is_bot": False}
    assert message["chat"] == {"id": LAN, "chat_type": "PRIVATE"}
    assert message["text"] == "Bắt đầu"
    assert "update_id" not in one["result"]
    loop = asyncio.get_running_loop()
    started = loop.time()
    idle = await call(http, fake, "getUpdates", timeout="30")
    assert idle == {"ok": False, "error_code": 408, "description": "Request timeout"}
    assert 0.25 <= loop.time() - started < 2.0  # capped by max_poll_seconds
    assert fake.polled == [first, second]
    assert fake.pending_events() == []


async def polling(fake: FakeZaloBot) -> None:
    """Wait until a getUpdates call has reached the fake and waits there."""
    await until(lambda: fake.requests and fake.requests[-1][0] == "getUpdates",
                what="a waiting long poll")


async def test_long_poll_wakes_up_on_push_and_redelivery(fake: FakeZaloBot,
                                                         http: aiohttp.ClientSession) -> None:
    poll = asyncio.create_task(call(http, fake, "getUpdates", timeout="30"))
    await polling(fake)
    event = fake.push_event(load_fixture("voice"))
    assert (await poll)["result"] == event
    fake.redeliver(event)
    again = await call(http, fake, "getUpdates", timeout="1")
    assert again["result"]["message"]["message_id"] == event["message"]["message_id"]
    # Wrapped bodies are unwrapped: getUpdates always wraps exactly once.
    wrapped = load_fixture("text_wrapped")
    fake.push_event(wrapped)
    assert await call(http, fake, "getUpdates", timeout="1") == wrapped
    assert (await call(http, fake, "getUpdates", timeout="0"))["error_code"] == 408
    assert (await call(http, fake, "getUpdates", timeout="soon"))["error_code"] == 400


async def test_close_ends_a_pending_long_poll(http: aiohttp.ClientSession) -> None:
    fake = FakeZaloBot(max_poll_seconds=30.0)
    await fake.start()
    poll = asyncio.create_task(call(http, fake, "getUpdates", timeout="30"))
    await polling(fake)
    await asyncio.wait_for(fake.close(), 3.0)
    assert (await asyncio.wait_for(poll, 3.0))["error_code"] == 408


# ---------------------------------------------------------------- receiving by webhook


async def test_set_webhook_validates_and_blocks_get_updates(fake: FakeZaloBot,
                                                            http: aiohttp.ClientSession) -> None:
    url = "https://hocso.example/zalo/hook"
    assert (await call(http, fake, "setWebhook", url=url, secret_token="short"))[
        "error_code"] == 400
    assert (await call(http, fake, "setWebhook", url=url, secret_token="s" * 257))[
        "error_code"] == 400
    assert (await call(http, fake, "setWebhook", url=url))["error_code"] == 400
    assert (await call(http, fake, "setWebhook", url="ftp://x", secret_token=SECRET))[
        "error_code"] == 400
    assert fake.webhook_url == ""
    poll = asyncio.create_task(call(http, fake, "getUpdates", timeout="30"))
    await polling(fake)
    set_ = await call(http, fake, "setWebhook", url=url, secret_token="12345678")
    assert set_["ok"] and set_["result"]["url"] == url
    assert set_["result"]["updated_at"] > 1_700_000_000_000
    assert (await poll)["error_code"] == 400  # the waiting poll ends at once
    blocked = await call(http, fake, "getUpdates", timeout="1")
    assert (blocked["ok"], blocked["error_code"]) == (False, 400)
    assert (await call(http, fake, "getWebhookInfo"))["result"]["url"] == url
    deleted = await call(http, fake, "deleteWebhook")
    assert deleted["result"]["url"] == "" and deleted["result"]["updated_at"] > 0
    assert (await call(http, fake, "getWebhookInfo"))["result"]["url"] == ""
    assert (await call(http, fake, "getUpdates", timeout="0"))["error_code"] == 408


async def test_webhook_posts_both_shapes_with_secret(fake: FakeZaloBot,
                                                     http: aiohttp.ClientSession) -> None:
    early = fake.push_text(LAN, "trước webhook")
    async with Receiver([]) as receiver:
        await call(http, fake, "setWebhook", url=receiver.url, secret_token=SECRET)
        flat = fake.push_text(LAN, "phẳng")
        wrapped = fake.push_text(LAN, "bọc", shape="wrapped")
        await fake.wait_for_webhook_idle()
        assert await fake.probe_webhook() == 200
    assert receiver.bodies()[:3] == [early, flat, {"ok": True, "result": wrapped}]
    for headers, _ in receiver.calls[:3]:
        assert headers[SECRET_HEADER] == SECRET
        assert headers["Content-Type"] == "application/json"
    probe_headers, probe_body = receiver.calls[3]
    assert probe_body == b"" and "Content-Type" not in probe_headers
    assert [(d.message_id, d.attempt, d.status, d.shape) for d in fake.webhook_deliveries] == [
        (early["message"]["message_id"], 1, 200, "flat"),
        (flat["message"]["message_id"], 1, 200, "flat"),
        (wrapped["message"]["message_id"], 1, 200, "wrapped")]
    assert all(d.secret_token == SECRET for d in fake.webhook_deliveries)
    assert fake.polled == []
    # UTF-8 on the wire, Vietnamese unescaped.
    assert "phẳng".encode() in receiver.calls[1][1]


async def test_webhook_retries_after_500_then_gives_up(fake: FakeZaloBot,
                                                       http: aiohttp.ClientSession) -> None:
    async with Receiver([500, 503]) as receiver:
        await call(http, fake, "setWebhook", url=receiver.url, secret_token=SECRET)
        event = fake.push_event(load_fixture("image_with_caption"))
        await fake.wait_for_webhook_idle()
        assert [(d.attempt, d.status) for d in fake.webhook_deliveries] == [
            (1, 500), (2, 503), (3, 200)]
        assert receiver.bodies() == [event] * 3
        assert fake.dropped == []
        # A receiver that keeps failing: three attempts 0.2 s apart, then the event is dropped.
        receiver.statuses = [500, 500, 500]
        lost = fake.push_text(LAN, "mất")
        await fake.wait_for_webhook_idle()
    assert [(d.attempt, d.status) for d in fake.webhook_deliveries[3:]] == [
        (1, 500), (2, 500), (3, 500)]
    assert fake.dropped == [lost]


async def test_webhook_unreachable_records_errors(http: aiohttp.ClientSession) -> None:
    async with FakeZaloBot(webhook_attempts=2, webhook_retry_delay=0.01) as fake:
        await call(http, fake, "setWebhook", url="http://127.0.0.1:1/hook",
                   secret_token=SECRET)
        fake.push_text(LAN, "không ai nghe")
        await fake.wait_for_webhook_idle()
        assert [(d.attempt, d.status) for d in fake.webhook_deliveries] == [(1, None), (2, None)]
        assert all(d.error for d in fake.webhook_deliveries)
        assert len(fake.dropped) == 1


async def test_redelivery_reaches_the_webhook_with_the_same_message_id(
        fake: FakeZaloBot, http: aiohttp.ClientSession) -> None:
    async with Receiver([]) as receiver:
        await call(http, fake, "setWebhook", url=receiver.url, secret_token=SECRET)
        event = fake.push_text(LAN, "1")
        fake.redeliver(event, shape="wrapped")
        await fake.wait_for_webhook_idle()
    assert receiver.bodies() == [event, {"ok": True, "result": event}]


async def test_events_pushed_after_delete_webhook_go_to_get_updates(
        fake: FakeZaloBot, http: aiohttp.ClientSession) -> None:
    await call(http, fake, "setWebhook", url="http://127.0.0.1:1/hook", secret_token=SECRET)
    await call(http, fake, "deleteWebhook")
    event = fake.push_text(LAN, "sau khi xóa webhook")
    assert (await call(http, fake, "getUpdates", timeout="1"))["result"] == event
    assert fake.webhook_deliveries == []


# ---------------------------------------------------------------- recorded payloads


EXPECTED_EVENTS = {
    "text_flat": "message.text.received",
    "text_wrapped": "message.text.received",
    "image_with_caption": "message.image.received",
    "image_photo_field": "message.image.received",
    "sticker": "message.sticker.received",
    "voice": "message.voice.received",
    "unsupported_with_message": "message.unsupported.received",
    "unsupported_without_message": "message.unsupported.received",
    "group_text": "message.text.received",
}


def test_fixture_files_are_valid_json_with_the_expected_event() -> None:
    assert {path.stem for path in FIXTURES.glob("*.json")} == set(EXPECTED_EVENTS)
    for name, event_name in EXPECTED_EVENTS.items():
        raw = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
        event = unwrap(raw)
        assert event["event_name"] == event_name, name
        message = event.get("message")
        if message is None:
            assert name == "unsupported_without_message"
            continue
        assert HEX20.fullmatch(message["message_id"]), name
        assert message["date"] > 1_700_000_000_000, name  # milliseconds
        assert message["from"]["is_bot"] is False
        if message["chat"]["chat_type"] == "PRIVATE":
            assert message["chat"]["id"] == message["from"]["id"] == LAN, name
    assert load_fixture("text_wrapped")["ok"] is True
    assert set(load_fixture("text_flat")) == {"event_name", "message"}
    image = load_fixture("image_with_caption")["message"]
    assert (image["message_type"], image["caption"]) == ("CHAT_PHOTO", "Màn hình của tôi hiện "
                                                                       "như thế này")
    assert image["photo_url"].startswith("https://") and "photo" not in image
    documented = load_fixture("image_photo_field")["message"]
    assert documented["photo"].startswith("https://") and "photo_url" not in documented
    sticker = load_fixture("sticker")["message"]
    assert sticker["sticker"] and sticker["url"].startswith("https://")
    voice = load_fixture("voice")["message"]
    assert voice["message_type"] == "CHAT_VOICE" and voice["voice_url"].endswith(".aac")
    bare = load_fixture("unsupported_with_message")["message"]
    assert set(bare) == {"from", "chat", "message_id", "date"}
    assert load_fixture("group_text")["message"]["chat"]["chat_type"] == "GROUP"


async def test_every_fixture_round_trips_through_get_updates(
        fake: FakeZaloBot, http: aiohttp.ClientSession) -> None:
    for name in EXPECTED_EVENTS:
        fake.push_event(load_fixture(name))
    for name in EXPECTED_EVENTS:
        body = await call(http, fake, "getUpdates", timeout="1")
        assert body == {"ok": True, "result": unwrap(load_fixture(name))}, name
    # Group events make the group chat known for replies.
    group = load_fixture("group_text")["message"]["chat"]["id"]
    assert (await call(http, fake, "sendMessage", chat_id=group, text="Chào cả nhóm"))["ok"]
