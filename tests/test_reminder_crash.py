"""A fan-out of reminders through real `hocso serve` processes: kill -9 in the middle, and two
processes sharing PostgreSQL. Each learner's reminder is queued once and received at most
once; only the one in flight at the kill may be lost."""

import asyncio
from collections import Counter
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, insert, select

from storage.clock import now
from storage.database import create_engine, upgrade
from storage.outbox import OUTBOX
from storage.reminders import choose
from storage.repository import LEARNER
from tests.conftest import new_postgres_database
from tests.conversation import until
from tests.fake_telegram import FakeTelegram
from tests.server import free_port, serving

FIRST_CHAT = 7_400_001


async def seed(url: str, count: int) -> list[int]:
    """`count` Telegram learners, quiet for two days, each with a reminder due a minute ago;
    return their chat ids."""
    engine = create_engine(url)
    chats = list(range(FIRST_CHAT, FIRST_CHAT + count))
    try:
        await upgrade(engine)
        quiet = now() - timedelta(days=2)
        async with engine.begin() as connection:
            await connection.execute(insert(LEARNER), [{
                "channel": "telegram", "user_ref": str(chat), "display_name": "", "mode": "menu",
                "course_id": "", "lesson_id": "", "step_id": "", "question_id": "",
                "quiz_correct": 0, "quiz_answered": 0, "content_version": "", "seq": 1,
                "shown_buttons": "", "created_at": quiet, "last_active_at": quiet,
                "unreachable_at": None, "state": "", "state_data": "{}", "locale": "vi",
                "settings": '{"address": "bac", "reminder_asked": true}', "ward": "",
                "area_province": "", "area_commune": "", "area_village": "",
                "area_asked_at": quiet, "consented_at": quiet} for chat in chats])
            ids = (await connection.execute(select(LEARNER.c.id))).scalars().all()
            for learner_id in ids:
                await choose(connection, learner_id, hour=19, due_at=now() - timedelta(minutes=1),
                             at=quiet)
    finally:
        await engine.dispose()
    return chats


async def queued(url: str) -> tuple[int, int, int]:
    """(outbox rows, learners with more than one, rows not yet sent)."""
    await asyncio.sleep(0.2)  # looked at five times a second, not a hundred
    engine = create_engine(url, pool_size=1)
    try:
        async with engine.connect() as connection:
            per = (await connection.execute(select(OUTBOX.c.learner_id, func.count())
                                            .group_by(OUTBOX.c.learner_id))).all()
            unsent = (await connection.execute(select(func.count()).select_from(OUTBOX)
                                               .where(OUTBOX.c.sent_at.is_(None)))).scalar()
    finally:
        await engine.dispose()
    return sum(count for _, count in per), sum(count > 1 for _, count in per), int(unsent or 0)


def environment(fake: FakeTelegram, **more: str) -> dict[str, str]:
    return {"TELEGRAM_BOT_TOKEN": fake.token, "TELEGRAM_API_BASE_URL": fake.base_url,
            "HOCSO_HEARTBEAT_SECONDS": "0.5", "HOCSO_REMINDER_CHECK_SECONDS": "0.5",
            # Whatever the hour the test runs at; the night rule has its own tests.
            "HOCSO_REMINDER_HOURS": "0-24", **more}


async def test_kill_9_in_the_middle_of_a_fan_out_sends_no_reminder_twice(
        tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'hocso.db'}"
    chats = await seed(url, 120)
    fake = FakeTelegram()
    await fake.start()
    port = free_port()
    try:
        async with serving(tmp_path, port, extra_env=environment(fake)) as process:
            await fake.wait_for_sent(25, timeout=60)
            process.kill()  # SIGKILL in the middle of the fan-out
            await asyncio.to_thread(process.wait)
        before = len(fake.sent)
        assert before < len(chats)  # the kill really came mid fan-out
        async with serving(tmp_path, port, extra_env=environment(fake)):
            async def all_sent() -> bool:
                rows, _, unsent = await queued(url)
                return rows == len(chats) and unsent == 0
            await until(all_sent, timeout=90, what="every queued reminder sent")
        rows, doubled, _ = await queued(url)
        received = Counter(record.chat_id for record in fake.sent)
        assert rows == len(chats) and doubled == 0  # each queued once, across the restart
        assert max(received.values()) == 1  # no one got two
        assert len(received) >= len(chats) - 1  # at most the one in flight was lost
        assert all(record.text.startswith("Bác ơi,") for record in fake.sent)
    finally:
        await fake.close()


async def test_two_processes_sharing_postgresql_send_each_reminder_once(
        tmp_path: Path) -> None:
    fakes = [FakeTelegram(), FakeTelegram()]
    for fake in fakes:
        await fake.start()
    try:
        with new_postgres_database() as url:
            chats = await seed(url, 150)
            async with serving(tmp_path / "a", extra_env=environment(
                    fakes[0], DATABASE_URL=url)), serving(tmp_path / "b", extra_env=environment(
                        fakes[1], DATABASE_URL=url)):
                async def all_sent() -> bool:
                    rows, _, unsent = await queued(url)
                    return rows == len(chats) and unsent == 0
                await until(all_sent, timeout=90, what="every reminder queued and sent")
                await until(lambda: sum(len(f.sent) for f in fakes) >= len(chats), timeout=30,
                            what="every reminder received")
            rows, doubled, _ = await queued(url)
        received = Counter(record.chat_id for fake in fakes for record in fake.sent)
        assert rows == len(chats) and doubled == 0
        assert sorted(received) == chats and set(received.values()) == {1}
        assert all(fake.sent for fake in fakes)  # both processes took part
    finally:
        for fake in fakes:
            await fake.close()
