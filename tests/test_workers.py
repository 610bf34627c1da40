"""Two `hocso serve` workers on one PostgreSQL: every update is handled by exactly one."""

import asyncio
from pathlib import Path

from aiohttp import ClientSession
from sqlalchemy.engine import make_url

from bot.channels.telegram import SECRET_HEADER
from tests.conversation import fixture_loader
from tests.fake_telegram import FakeTelegram
from tests.server import free_port, serving
from tests.test_telegram import SECRET

fixture = fixture_loader("telegram")


async def test_the_same_updates_sent_to_two_workers_are_answered_once(
        tmp_path: Path, postgres_database: str) -> None:
    fake = FakeTelegram()
    await fake.start()
    ports = [free_port(), free_port()]
    database = make_url(postgres_database).render_as_string(hide_password=False)

    def env(port: int) -> dict[str, str]:
        return {"TELEGRAM_BOT_TOKEN": fake.token, "TELEGRAM_API_BASE_URL": fake.base_url,
                "TELEGRAM_WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram/webhook",
                "TELEGRAM_WEBHOOK_SECRET": SECRET, "DATABASE_URL": database}

    chats = range(7_200_001, 7_200_031)
    try:
        async with serving(tmp_path / "a", ports[0], extra_env=env(ports[0])), \
                serving(tmp_path / "b", ports[1], extra_env=env(ports[1])):
            async with ClientSession() as client:
                async def post(port: int, update: dict[str, object]) -> int:
                    async with client.post(f"http://127.0.0.1:{port}/telegram/webhook",
                                           json=update,
                                           headers={SECRET_HEADER: SECRET}) as answer:
                        return answer.status

                posts = []
                for number, chat in enumerate(chats):
                    update = fixture("start_deeplink")
                    update["message"]["text"] = "/start"
                    update["message"].pop("entities", None)
                    update["update_id"] = 770_000 + number
                    for place in (update["message"]["from"], update["message"]["chat"]):
                        place["id"] = chat
                    # A redelivery that reaches the other worker, at the same moment.
                    posts += [post(ports[0], update), post(ports[1], update)]
                assert set(await asyncio.gather(*posts)) == {200}
            await fake.wait_for_sent(2 * len(chats), timeout=30)
        # Both stopped cleanly, so every update they took is handled and every reply sent.
        for chat in chats:  # the greeting and the notice, once
            assert len(fake.sent_to(chat)) == 2, chat
    finally:
        await fake.close()
