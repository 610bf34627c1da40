"""One person on the web chat, Zalo (Bot and OA) and Telegram: the unmodified channels against
the fakes.

A resident begins at the kiosk's web page, joins Zalo at home with the code, then Telegram;
each app gets the replies to what is typed on it, the other apps hear that one joined, and
the outbox's messages for the person go to the app used last that can push, and elsewhere
once the person blocked the bot there.
"""

import io
import re
from collections.abc import AsyncIterator

import pytest
import zxingcpp
from aiohttp import ClientSession
from aiohttp.test_utils import TestServer
from PIL import Image
from sqlalchemy import select

from bot.channels.web import create_web_app
from bot.messages import Outgoing
from bot.tutor import Tutor
from storage.outbox import queue
from storage.repository import IDENTITY
from tests.conftest import CONTENT_DIR
from tests.conversation import until
from tests.fake_telegram import FakeTelegram
from tests.fake_zalo_bot import FakeZaloBot
from tests.fake_zalo_oa import FakeZaloOA
from tests.test_linking import address_now
from tests.test_mentoring_channels import telegram_and_zalo
from tests.test_telegram import Bot
from tests.test_web_api import begin, chat, new_session
from tests.test_zalo_bot import Resident
from tests.test_zalo_oa import Follower, _serving_oa

TELEGRAM_CHAT = 5550001
ZALO_USER = "b1c2d3e4f5a60718"
_CODE = re.compile(r"\b([A-HJKMNP-Z2-9]{3} [A-HJKMNP-Z2-9]{3})\b")


@pytest.fixture
async def apps(tutor: Tutor) -> AsyncIterator[tuple[FakeTelegram, FakeZaloBot, ClientSession,
                                                    str]]:
    async with telegram_and_zalo(tutor) as (telegram, zalo):
        server = TestServer(create_web_app(tutor, CONTENT_DIR), host="127.0.0.1")
        await server.start_server()
        async with ClientSession() as client:
            yield telegram, zalo, client, str(server.make_url(""))
        await server.close()


def _code(text: str) -> str:
    found = _CODE.search(text)
    assert found, text
    return found.group(1)


async def test_the_kiosk_zalo_and_telegram_are_one_person(
        apps: tuple[FakeTelegram, FakeZaloBot, ClientSession, str], tutor: Tutor) -> None:
    telegram, zalo, client, base = apps
    session = await new_session(client, base)
    await begin(client, base, session)
    await chat(client, base, session=session, payload="l:lam-quen:nut-bam")
    _, body = await chat(client, base, session=session, text="/lien_ket")
    code = _code(body["replies"][0]["text"])

    # At home on Zalo, the code is the first message: joined, without the notice again.
    resident = Resident(zalo, ZALO_USER)
    [joined] = await resident.say(code.lower())
    assert "Đã nối xong" in (joined.text or "") and "trang web" in (joined.text or "")
    [resumed] = await resident.say("1")  # "Tiếp tục bài đang học"
    assert "Bác" in (resumed.text or "") or "bác" in (resumed.text or "")

    # Then Telegram: a new code at the kiosk, whose QR code the resident scans with the phone.
    # The kiosk's page hears first that Zalo joined, and how to undo it if that was not them.
    _, body = await chat(client, base, session=session, text="/lien_ket")
    notice, shown = body["replies"]
    assert "vừa được nối thêm với Zalo" in notice["text"] and "/bo_lien_ket" in notice["text"]
    code = _code(shown["text"]).replace(" ", "")
    assert "quét mã QR" in shown["text"] and shown["image"].endswith(f"/qr/{code}.png")
    async with client.get(f"{base}/qr/{code}.png") as response:
        assert response.status == 200
        [qr] = zxingcpp.read_barcodes(Image.open(io.BytesIO(await response.read())))
    assert qr.text == f"https://t.me/hocso_test_bot?start={code}"
    bot = Bot(telegram, TELEGRAM_CHAT)
    [linked] = await bot.say(f"/start {code}")  # what opening that link sends
    assert "Đã nối xong" in (linked.text or "")
    async with client.get(f"{base}/qr/{code}.png") as response:
        assert response.status == 404  # used: its picture is gone too
    for app in ("trang web", "Zalo", "Telegram"):
        assert app in (linked.text or "")
    # Zalo hears of Telegram at once (pushed by the outbox); Telegram hears of nothing.
    await until(lambda: any("nối thêm với Telegram" in (sent.text or "")
                            for sent in zalo.sent_to(ZALO_USER)), what="Zalo's notice")
    mine, _file = await bot.say("/du_lieu_cua_toi", expect=2)  # the text, then the JSON file
    assert f"trang web, Zalo ({ZALO_USER}), Telegram ({TELEGRAM_CHAT})" in (mine.text or "")

    # A message for the person (a mentor's nudge, a reminder) goes to the app used last.
    async def for_the_person(text: str) -> None:
        async with tutor.repository.engine.begin() as connection:
            person = await connection.scalar(select(IDENTITY.c.learner_id).where(
                IDENTITY.c.user_ref == ZALO_USER))
            to = await address_now(connection, person)
            assert to is not None
            await queue(connection, person, Outgoing(text=text).to_json(), to=to, about=None)

    before_zalo, before = len(zalo.sent_to(ZALO_USER)), len(telegram.sent)
    await for_the_person("Nhắc học: còn 2 bước")
    await telegram.wait_for_sent(before + 1)
    assert "Nhắc học" in (telegram.sent_to(TELEGRAM_CHAT)[-1].text or "")
    assert len(zalo.sent_to(ZALO_USER)) == before_zalo
    # The web page asks for its messages too: the kiosk heard that Telegram joined, and
    # nothing else (the reminder went to Telegram).
    async with client.post(f"{base}/api/inbox", json={"session": session}) as response:
        [joined_notice] = (await response.json())["replies"]
    assert "nối thêm với Telegram" in joined_notice["text"]

    # The person blocks the Telegram bot: its 403 marks that app alone, and what comes next
    # reaches them on Zalo, the app they used before.
    telegram.block(TELEGRAM_CHAT)
    await for_the_person("Nhắc học: lần này Telegram trả lời 403")
    await until(lambda: _unreachable(tutor, "telegram", str(TELEGRAM_CHAT)),
                what="Telegram marked unreachable")
    await for_the_person("Người kèm nhắn: hẹn bác chiều mai")
    await until(lambda: any("hẹn bác chiều mai" in (sent.text or "")
                            for sent in zalo.sent_to(ZALO_USER)), what="the message on Zalo")
    assert not await _unreachable(tutor, "zalo", ZALO_USER)
    telegram.unblock(TELEGRAM_CHAT)

    # Separated from Telegram, the kiosk's page keeps the person.
    await bot.say("/bo_lien_ket")
    [done] = await bot.press("Tách Telegram")
    assert "Đã tách ứng dụng này" in (done.text or "")
    status, body = await chat(client, base, session=session, text="/tien_do")
    assert status == 200 and "chưa" not in body["replies"][0]["text"].split("\n")[0]
    _greeting, notice = await bot.say("/start", expect=2)  # someone new: asked to agree again
    assert "Tôi đồng ý" in str(notice.reply_markup)


async def _unreachable(tutor: Tutor, channel: str, user_ref: str) -> bool:
    found = await tutor.repository.find_learner(channel=channel, user_ref=user_ref)
    return found is not None and not found.reachable


async def test_a_zalo_oa_follower_joins_the_kiosk_session(tutor: Tutor) -> None:
    fake = FakeZaloOA()
    await fake.start()
    try:
        async with _serving_oa(fake, tutor, backoff_seconds=0.01):
            server = TestServer(create_web_app(tutor, CONTENT_DIR), host="127.0.0.1")
            await server.start_server()
            async with ClientSession() as client:
                base = str(server.make_url(""))
                session = await new_session(client, base)
                await begin(client, base, session)
                _, body = await chat(client, base, session=session, text="/lien_ket")
                follower = Follower(fake, "oa-follower-1")
                [joined] = await follower.say(_code(body["replies"][0]["text"]))
                assert "Đã nối xong" in (joined.text or "")
                await follower.say("/bo_lien_ket")
                [done] = await follower.press("Tách trang web")
                assert "Đã tách trang web" in (done.text or "")
                status, _ = await chat(client, base, session=session, text="/tien_do")
                assert status == 404  # the kiosk's session opens nothing any more
            await server.close()
    finally:
        await fake.close()
