"""A mentor on Telegram and a resident on Zalo: each hears from the other on their own channel.

The unmodified channels run against the fake Bot APIs; the outbox worker delivers what one
person's turn queued for the other.
"""

import asyncio
import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
import zxingcpp
from PIL import Image

from bot.channels.outbox_worker import OutboxWorker
from bot.channels.pacing import Pacer
from bot.channels.telegram import TelegramChannel, TelegramConfig
from bot.channels.zalo_bot import ZaloBotChannel, ZaloBotConfig
from bot.lessons.model import Library
from bot.messages import Incoming, Kind
from bot.tutor import Tutor
from storage.outbox import Outbox
from tests.chat import Chat
from tests.conftest import CONTENT_DIR
from tests.fake_telegram import FakeTelegram
from tests.fake_zalo_bot import FakeZaloBot
from tests.mentoring_helpers import pass_course, register
from tests.server import unsent
from tests.test_telegram import Bot
from tests.test_zalo_bot import Resident, number_of

MENTOR_CHAT = 7770001
RESIDENT = "a1b2c3d4e5f60718"


@asynccontextmanager
async def telegram_and_zalo(tutor: Tutor) -> AsyncIterator[tuple[FakeTelegram, FakeZaloBot]]:
    """Telegram and Zalo Bot channels on their fakes, with an outbox worker for both."""
    telegram, zalo = FakeTelegram(), FakeZaloBot(max_poll_seconds=0.3)
    await telegram.start()
    await zalo.start()
    tg = TelegramChannel(TelegramConfig(token=telegram.token, api_base_url=telegram.base_url),
                         tutor, CONTENT_DIR,
                         pacer=Pacer(overall_per_second=100, chat_per_second=100, chat_burst=20))
    zb = ZaloBotChannel(ZaloBotConfig(token=zalo.token, api_base_url=zalo.base_url,
                                      public_url="https://hocso.example.vn"), tutor,
                        backoff_seconds=0.01)
    await tg.start()
    await zb.start()
    worker = OutboxWorker(Outbox(tutor.repository.engine, process_id="worker"),
                          {tg.name: tg.deliver, zb.name: zb.deliver}, interval=0.05)
    task = asyncio.create_task(worker.run())
    try:
        yield telegram, zalo
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await zb.stop()
        await tg.stop()
        await zalo.close()
        await telegram.close()


async def _unsent(tutor: Tutor) -> int:
    async with tutor.repository.engine.connect() as connection:
        return int(await connection.scalar(unsent()) or 0)


@pytest.fixture
async def both(tutor: Tutor) -> AsyncIterator[tuple[FakeTelegram, FakeZaloBot]]:
    async with telegram_and_zalo(tutor) as apps:
        yield apps


async def test_a_telegram_mentor_and_a_zalo_resident(both: tuple[FakeTelegram, FakeZaloBot],
                                                     tutor: Tutor, library: Library) -> None:
    telegram, zalo = both
    # The volunteer registers and trains (the same learner as their Telegram chat).
    await register(Chat(tutor, user=str(MENTOR_CHAT), channel="telegram"))
    await pass_course(Chat(tutor, user=str(MENTOR_CHAT), channel="telegram"), library)
    mentor = Bot(telegram, MENTOR_CHAT)
    [invite] = await mentor.say("/lam_nguoi_kem")
    [invite] = await mentor.press("Mời học viên")
    assert invite.method == "sendPhoto" and isinstance(invite.photo, bytes)
    [qr] = zxingcpp.read_barcodes(Image.open(io.BytesIO(invite.photo)))
    code = qr.text.rsplit("=", 1)[1]
    assert qr.text == f"https://t.me/hocso_test_bot?start={code}" and code in (invite.caption or "")

    resident = Resident(zalo, RESIDENT)
    await resident.start()
    [consent] = await resident.say(code)
    assert "Trần Minh Anh muốn kèm bạn" in (consent.text or "")
    before, sent = len(telegram.sent_to(MENTOR_CHAT)), len(telegram.sent)
    [paired] = await resident.say(number_of(consent, "✅ Đồng ý"))
    assert "sẽ kèm bạn học" in (paired.text or "")
    # Counted before the press: the outbox may deliver before the resident's reply is read.
    await telegram.wait_for_sent(sent + 1)
    joined = telegram.sent_to(MENTOR_CHAT)[before]
    assert "đã đồng ý để bạn kèm" in (joined.text or "")  # on the mentor's own channel

    [mine] = await resident.say("/nguoi_kem")
    await resident.say(number_of(mine, "🙋 Tôi cần giúp đỡ"))
    for _ in range(100):
        if any("cần giúp đỡ" in (r.text or "") for r in telegram.sent_to(MENTOR_CHAT)):
            break
        await asyncio.sleep(0.05)
    else:
        raise AssertionError("the help request never reached Telegram")

    await mentor.say("/hoc_vien", expect=2)
    await mentor.press("Nhắn động viên")
    before = len(zalo.sent_to(RESIDENT))
    await mentor.press("Nhắc học tiếp")
    # Received by Zalo is not yet marked sent: the mark makes the nudge's buttons what a
    # typed digit picks, and a resident typing at once (faster than anyone reads) could
    # come first. Waited for until nothing is left unsent.
    for _ in range(100):
        if len(zalo.sent_to(RESIDENT)) > before and not await _unsent(tutor):
            break
        await asyncio.sleep(0.05)
    nudge = zalo.sent_to(RESIDENT)[before]
    assert "Trần Minh Anh (người kèm)" in (nudge.text or "") and "1. ▶️" in (nudge.text or "")
    # The nudge's numbered option is what a typed "1" (or its label) now means for the resident.
    learner = await tutor.repository.find_learner(channel="zalo", user_ref=RESIDENT)
    assert learner is not None and learner.shown_labels[0].startswith("▶️")
    assert learner.shown_labels[0] in (nudge.text or "")
    [suggestion] = await resident.say("1")
    assert "Bài nên học tiếp theo" in (suggestion.text or "")
    unknown = await tutor.handle(Incoming(channel="zalo", user_ref="nobody", kind=Kind.TEXT,
                                          text="KEM-ZZZZ"))
    assert unknown  # a stranger guessing codes gets an answer and nothing else
