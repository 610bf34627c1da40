"""Kill -9 of `hocso serve` in the middle of a burst of updates or of a token refresh."""

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.channels.zalo_oa import WEBHOOK_PATH
from storage.database import create_engine
from storage.outbox import OUTBOX
from storage.repository import LEARNER, PROCESSED
from storage.tokens import TOKENS
from tests.conversation import fixture_loader, until
from tests.fake_telegram import FakeTelegram
from tests.fake_zalo_oa import (
    DEFAULT_APP_ID,
    DEFAULT_APP_SECRET,
    DEFAULT_OA_SECRET_KEY,
    FakeZaloOA,
)
from tests.server import free_port, handled_and_sent, read_only, serving
from tests.test_telegram import SECRET

fixture = fixture_loader("telegram")
CHATS = range(7_300_001, 7_300_041)
OA_USER = "2512523625412515"


def _once_each(texts: list[str]) -> list[str]:
    """The texts without a repeat of the message just before (a send redone after a kill)."""
    return [text for number, text in enumerate(texts) if number == 0 or texts[number - 1] != text]


@pytest.mark.parametrize("mode", ["webhook", "polling"])
async def test_a_burst_cut_by_kill_9_is_finished_after_restart_once_each(
        tmp_path: Path, mode: str) -> None:
    fake = FakeTelegram(webhook_attempts=500, webhook_retry_delay=0.05, webhook_timeout=2.0)
    await fake.start()
    port = free_port()
    env = {"TELEGRAM_BOT_TOKEN": fake.token, "TELEGRAM_API_BASE_URL": fake.base_url,
           "HOCSO_HEARTBEAT_SECONDS": "0.5"}  # what the killed process owed goes out 2 s on
    if mode == "webhook":  # else long polling, confirmed batch by batch after the commits
        env |= {"TELEGRAM_WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram/webhook",
                "TELEGRAM_WEBHOOK_SECRET": SECRET}
    try:
        async with serving(tmp_path, port, extra_env=env) as process:
            for number, chat in enumerate(CHATS):
                update = fixture("start_deeplink")
                update["message"]["text"] = "/start"
                update["message"].pop("entities", None)
                update["update_id"] = 660_000 + number
                for place in (update["message"]["from"], update["message"]["chat"]):
                    place["id"] = chat
                fake.push_update(update)
            await fake.wait_for_sent(12, timeout=20)
            process.kill()  # SIGKILL: no shutdown at all, in the middle of the burst
            await asyncio.to_thread(process.wait)
        handled_before = len({record.chat_id for record in fake.sent})
        assert handled_before < len(CHATS)  # the kill really came mid-burst
        database = read_only(tmp_path)
        async with serving(tmp_path, port, extra_env=env):  # what was not confirmed comes again
            await fake.wait_for_sent(2 * len(CHATS), timeout=60)
            # Each update handled, and all owed sent, the killed process's replies included
            # (taken over at once: the killed run is known dead): repeats have come by then.
            await until(lambda: handled_and_sent(database, "telegram", len(CHATS)), timeout=30,
                        what="every update handled and every reply sent")
        database.dispose()
        texts = [[record.text for record in fake.sent_to(chat)] for chat in CHATS]
        # The greeting and the consent question, as the last chat read them (its turn too may
        # have gone out in the instant before the kill, and then again: at least once).
        expected = _once_each(texts[-1])
        assert len(expected) == 2
        # Nothing lost, nothing out of order. Sending is at least once: a reply Telegram took
        # in the instant before the kill, before its kept copy was deleted, comes again
        # (one per chat at most: the one its chat had in flight).
        assert all(_once_each(sent) == expected for sent in texts), texts
        repeated = sum(len(sent) - 2 for sent in texts)
        assert repeated <= handled_before, texts
        engine = create_engine(f"sqlite:///{tmp_path / 'hocso.db'}")
        async with engine.connect() as connection:
            marks = (await connection.execute(select(func.count()).select_from(PROCESSED)
                                              .where(PROCESSED.c.channel == "telegram"))).scalar()
            learners = (await connection.execute(select(func.count()).select_from(LEARNER)
                                                 )).scalar()
            owed = (await connection.execute(select(func.count()).select_from(OUTBOX)
                                             .where(OUTBOX.c.sent_at.is_(None)))).scalar()
        await engine.dispose()
        assert marks == learners == len(CHATS)  # every update processed, each once
        assert owed == 0
    finally:
        await fake.close()


async def test_a_kill_during_the_oa_token_refresh_loses_and_repeats_nothing(
        tmp_path: Path) -> None:
    fake = FakeZaloOA(webhook_attempts=600, webhook_retry_delay=0.1)  # for a minute
    await fake.start()
    port = free_port()
    env = {"ZALO_OA_APP_ID": DEFAULT_APP_ID, "ZALO_OA_APP_SECRET": DEFAULT_APP_SECRET,
           "ZALO_OA_SECRET_KEY": DEFAULT_OA_SECRET_KEY, "ZALO_OA_REFRESH_TOKEN": "refresh-0",
           "ZALO_OA_API_BASE_URL": fake.api_base, "ZALO_OA_OAUTH_BASE_URL": fake.oauth_base,
           "HOCSO_HEARTBEAT_SECONDS": "0.5"}
    fake.set_webhook(f"http://127.0.0.1:{port}{WEBHOOK_PATH}")
    fake.refresh_gate = asyncio.Event()
    try:
        # Not waiting for /healthz: that answers once the channel has started, and starting
        # it is what refreshes the token (held by Zalo until the request times out).
        async with serving(tmp_path, port, extra_env=env, wait_until_up=False) as process:
            fake.push_follow(OA_USER)  # sent again and again until a server takes it
            await fake.wait_for_held_refresh(timeout=30)
            process.kill()  # SIGKILL while Zalo has the refresh request
            await asyncio.to_thread(process.wait)
        fake.push_text(OA_USER, "Tôi đồng ý")  # arrives while nothing answers: sent again
        fake.refresh_gate.set()  # the held request finds its caller gone
        fake.refresh_gate = None
        assert fake.sent == []
        database = read_only(tmp_path)
        async with serving(tmp_path, port, extra_env=env):
            await fake.wait_for_sent(3, timeout=30)
            # Both events handled, and all owed sent: anything repeated has come by then.
            await until(lambda: handled_and_sent(database, "zalo_oa", 2), timeout=30,
                        what="both events handled and every reply sent")
        database.dispose()
        texts = [message.text or "" for message in fake.sent_to(OA_USER)]
        assert len(texts) == 3 and len(set(texts)) == 3, texts  # each reply once
        assert any("trợ lý học tự động" in text for text in texts)  # the greeting...
        assert any(text.startswith("🔒") for text in texts)  # ...the notice, and the thanks
        assert any(text.startswith("Cảm ơn") for text in texts)  # with the menu
        engine = create_engine(f"sqlite:///{tmp_path / 'hocso.db'}")
        async with engine.connect() as connection:
            learner = (await connection.execute(select(LEARNER))).one()
            marks = (await connection.execute(select(func.count()).select_from(PROCESSED)
                                              .where(PROCESSED.c.channel == "zalo_oa"))).scalar()
            owed = (await connection.execute(select(func.count()).select_from(OUTBOX)
                                             .where(OUTBOX.c.sent_at.is_(None)))).scalar()
            stored = (await connection.execute(select(TOKENS.c.refresh_token))).scalar()
        await engine.dispose()
        assert learner.consented_at is not None and marks == 2 and owed == 0
        # refresh-0 was never spent by the request cut off; its successor is the one kept.
        assert stored == fake.refresh_token and fake.refresh_token in fake.valid_refresh_tokens
        assert [attempt.refresh_token for attempt in fake.refresh_history] == ["refresh-0"]
    finally:
        await fake.close()
