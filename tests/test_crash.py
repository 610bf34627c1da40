"""Kill -9 of `hocso serve` in the middle of a burst of updates, then a restart."""

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import func, select

from storage.database import create_engine
from storage.repository import LEARNER, PROCESSED
from tests.conversation import fixture_loader
from tests.fake_telegram import FakeTelegram
from tests.server import free_port, serving
from tests.test_telegram import SECRET

fixture = fixture_loader("telegram")
CHATS = range(7_300_001, 7_300_041)


@pytest.mark.parametrize("mode", ["webhook", "polling"])
async def test_a_burst_cut_by_kill_9_is_finished_after_restart_once_each(
        tmp_path: Path, mode: str) -> None:
    fake = FakeTelegram(webhook_attempts=500, webhook_retry_delay=0.05, webhook_timeout=2.0)
    await fake.start()
    port = free_port()
    env = {"TELEGRAM_BOT_TOKEN": fake.token, "TELEGRAM_API_BASE_URL": fake.base_url}
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
        async with serving(tmp_path, port, extra_env=env):  # what was not confirmed comes again
            await fake.wait_for_sent(2 * len(CHATS) - 2, timeout=60)
            await asyncio.sleep(1.0)
        per_chat = [len(fake.sent_to(chat)) for chat in CHATS]
        assert max(per_chat) == 2, per_chat  # nobody got a reply twice
        # At most the update in flight at the kill (committed, its replies not all sent)
        # lacks its replies; the resident's next message shows where they are.
        assert sum(1 for count in per_chat if count < 2) <= 1, per_chat
        engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'hocso.db'}")
        async with engine.connect() as connection:
            marks = (await connection.execute(select(func.count()).select_from(PROCESSED)
                                              .where(PROCESSED.c.channel == "telegram"))).scalar()
            learners = (await connection.execute(select(func.count()).select_from(LEARNER)
                                                 )).scalar()
        await engine.dispose()
        assert marks == learners == len(CHATS)  # every update processed, each once
    finally:
        await fake.close()
