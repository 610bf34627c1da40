"""A fan-out of reminders through real `hocso serve` processes: kill -9 in the middle, and two
processes sharing PostgreSQL. Each learner's reminder is queued once and received at most
once; only the few in flight at the kill may be lost."""

import asyncio
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select

from bot.channels.outbox_worker import IN_FLIGHT
from storage.clock import now
from storage.database import create_engine, upgrade
from storage.outbox import OUTBOX
from storage.reminders import choose
from storage.repository import IDENTITY, LEARNER
from tests.conftest import new_postgres_database
from tests.conversation import until
from tests.fake_telegram import FakeTelegram
from tests.fake_zalo_bot import FakeZaloBot
from tests.fake_zalo_oa import (
    DEFAULT_APP_ID,
    DEFAULT_APP_SECRET,
    DEFAULT_OA_SECRET_KEY,
    FakeZaloOA,
)
from tests.server import free_port, serving, serving_here

FIRST_CHAT = 7_400_001


async def seed(url: str, count: int) -> list[int]:
    """`count` Telegram learners, quiet for two days, each with a reminder due a minute ago;
    return their chat ids."""
    chats = list(range(FIRST_CHAT, FIRST_CHAT + count))
    quiet = now() - timedelta(days=2)
    await seed_learners(url, [("telegram", str(chat), quiet) for chat in chats])
    return chats


async def seed_learners(url: str, learners: list[tuple[str, str, datetime]]) -> None:
    """Learners (channel, user ref, last message) each with a reminder due a minute ago."""
    engine = create_engine(url)
    try:
        await upgrade(engine)
        async with engine.begin() as connection:
            await connection.execute(insert(LEARNER), [{
                "channel": channel, "user_ref": ref, "display_name": "", "mode": "menu",
                "course_id": "", "lesson_id": "", "step_id": "", "question_id": "",
                "quiz_correct": 0, "quiz_answered": 0, "content_version": "", "seq": 1,
                "shown_buttons": "", "created_at": quiet, "last_active_at": quiet,
                "state": "", "state_data": "{}", "locale": "vi",
                "settings": '{"address": "bac", "reminder_asked": true}', "ward": "",
                "area_province": "", "area_commune": "", "area_village": "",
                "area_asked_at": quiet, "consented_at": quiet}
                for channel, ref, quiet in learners])
            rows = (await connection.execute(select(LEARNER.c.id, LEARNER.c.channel,
                                                    LEARNER.c.user_ref, LEARNER.c.created_at,
                                                    LEARNER.c.last_active_at))).all()
            # Each with their app account, as a first message makes it (storage/identities.py).
            await connection.execute(insert(IDENTITY), [{
                "channel": row.channel, "user_ref": row.user_ref, "learner_id": row.id,
                "linked_at": row.created_at, "last_used_at": row.last_active_at}
                for row in rows])
            ids = [row.id for row in rows]
            for learner_id in ids:
                await choose(connection, learner_id, hour=19, due_at=now() - timedelta(minutes=1),
                             at=now())
    finally:
        await engine.dispose()


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
    # Paced at Telegram's 30 a second: 25 sent before the kill, 35 owed after it.
    chats = await seed(url, 60)
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
        # At most the ones in flight were lost (each is marked sent just before it goes).
        assert len(received) >= len(chats) - IN_FLIGHT
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
            chats = await seed(url, 80)  # enough for both to take some at once
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
    finally:
        for fake in fakes:
            await fake.close()


async def test_zalo_learners_are_reminded_and_oa_only_inside_its_window(
        tmp_path: Path) -> None:
    bot, oa = FakeZaloBot(), FakeZaloOA()
    await bot.start()
    await oa.start()
    wrote = now() - timedelta(hours=20)  # inside Zalo OA's 48 hours
    learners = [("zalo", "a1b2c3d4e5f6a7b8c9d0", wrote), ("zalo_oa", "2512523625412515", wrote),
                ("zalo_oa", "2512523625412516", now() - timedelta(days=3))]  # window closed
    await seed_learners(f"sqlite:///{tmp_path / 'hocso.db'}", learners)
    bot.add_chat("a1b2c3d4e5f6a7b8c9d0")
    for _, user, _ in learners[1:]:
        oa.open_window(user)  # Zalo itself would still take both (its limit is 7 days)
    env = {"ZALO_BOT_TOKEN": bot.token, "ZALO_API_BASE_URL": bot.base_url,
           "ZALO_OA_APP_ID": DEFAULT_APP_ID, "ZALO_OA_APP_SECRET": DEFAULT_APP_SECRET,
           "ZALO_OA_SECRET_KEY": DEFAULT_OA_SECRET_KEY, "ZALO_OA_REFRESH_TOKEN": "refresh-0",
           "ZALO_OA_API_BASE_URL": oa.api_base, "ZALO_OA_OAUTH_BASE_URL": oa.oauth_base,
           "HOCSO_REMINDER_CHECK_SECONDS": "0.5", "HOCSO_REMINDER_HOURS": "0-24"}
    try:
        async with serving_here(tmp_path, extra_env=env):
            await bot.wait_for_sent(1, timeout=30)
            await oa.wait_for_sent(1, timeout=30)

            async def settled() -> bool:
                rows, _, unsent = await queued(f"sqlite:///{tmp_path / 'hocso.db'}")
                return rows == 2 and unsent == 0
            await until(settled, timeout=30, what="both reminders sent")
        [to_bot] = bot.sent
        assert to_bot.text is not None and to_bot.text.startswith("Bác ơi,")
        assert "1. " in to_bot.text  # Zalo Bot has no buttons: numbered choices
        assert [m.user_id for m in oa.sent] == ["2512523625412515"]  # not the closed window
        assert (await queued(f"sqlite:///{tmp_path / 'hocso.db'}"))[0] == 2
    finally:
        await bot.close()
        await oa.close()
