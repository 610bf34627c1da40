"""Reminder fan-out: many learners' reminders due the same minute, on PostgreSQL, sent by a
real `hocso serve` to the fake Telegram at 30 messages a second in all, while 200 web chat
learners tap once a second. Measures the time to queue and to send them, that no one gets
two, and the live learners' p99 with and without the fan-out."""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import asyncpg
from sqlalchemy import func, select, text, update

from bot.config import PROJECT_ROOT

sys.path.insert(0, str(PROJECT_ROOT))  # the fake Telegram lives with the tests

from storage.database import create_engine, upgrade
from storage.outbox import OUTBOX
from storage.reminders import REMINDER
from tests.fake_telegram import FakeTelegram

FIRST_CHAT = 800_000_000
BATCH = 5_000  # learners inserted a statement


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, int(fraction * len(ordered) + 0.999) - 1))]


async def fresh_database(admin_url: str, name: str) -> str:
    """Drop and create database `name` on the server of `admin_url`; return its URL."""
    dsn = admin_url.replace("postgresql+asyncpg://", "postgresql://")
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


async def seed(url: str, learners: int) -> float:
    """`learners` Telegram learners quiet for two days, each with an evening reminder not yet
    due; return the seconds it took."""
    started = time.perf_counter()
    engine = create_engine(url)
    await upgrade(engine)
    quiet = datetime.now(UTC) - timedelta(days=2)
    later = datetime.now(UTC) + timedelta(days=1)
    async with engine.begin() as connection:
        for first in range(0, learners, BATCH):
            chats = range(FIRST_CHAT + first, FIRST_CHAT + min(learners, first + BATCH))
            await connection.execute(text(
                "INSERT INTO learner (channel, user_ref, display_name, mode, course_id, "
                "lesson_id, step_id, question_id, quiz_correct, quiz_answered, content_version, "
                "seq, shown_buttons, created_at, last_active_at, state, state_data, locale, "
                "settings, ward, area_province, area_commune, area_village, area_asked_at, "
                "consented_at) SELECT 'telegram', g::text, '', 'menu', '', '', '', '', 0, 0, '', "
                "1, '', :quiet, :quiet, '', '{}', 'vi', "
                "'{\"address\": \"bac\", \"reminder_asked\": true}', '', '', '', '', :quiet, "
                ":quiet FROM generate_series(CAST(:first AS bigint), CAST(:last AS bigint)) AS g"),
                {"quiet": quiet, "first": chats[0], "last": chats[-1]})
        await connection.execute(text(
            "INSERT INTO reminder (learner_id, hour, status, due_at, weekly, quiet_since, "
            "last_sent_at, sent, returned, created_at) SELECT id, 19, 'on', :later, false, "
            "NULL, NULL, 0, 0, :quiet FROM learner WHERE channel = 'telegram'"),
            {"later": later, "quiet": quiet})
        # Each learner's app account, as a first message makes it: reminders go to one.
        await connection.execute(text(
            "INSERT INTO identity (channel, user_ref, learner_id, linked_at, last_used_at)"
            " SELECT channel, user_ref, id, created_at, last_active_at FROM learner"
            " WHERE channel = 'telegram'"))
    await engine.dispose()
    return time.perf_counter() - started


async def serve(url: str, fake: FakeTelegram, port: int, log: Path) -> subprocess.Popen[bytes]:
    """Start `hocso serve`; the fake (on this loop) answers it while a thread waits."""
    return await asyncio.to_thread(_serve, url, fake, port, log)


def _serve(url: str, fake: FakeTelegram, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATABASE_URL": url, "HOCSO_PORT": str(port),
           "HOCSO_HOST": "127.0.0.1", "TELEGRAM_BOT_TOKEN": fake.token,
           "TELEGRAM_API_BASE_URL": fake.base_url, "HOCSO_REMINDER_CHECK_SECONDS": "1",
           "HOCSO_REMINDER_HOURS": "0-24",  # whatever the hour the bench runs at
           "HOCSO_USER_MESSAGES_PER_MINUTE": "600", "HOCSO_LOG_LEVEL": "WARNING",
           # 200 people behind one address (this process): the per-address limits off
           "HOCSO_WEB_REQUESTS_PER_MINUTE": "100000", "HOCSO_WEB_SESSIONS_PER_HOUR": "100000"}
    with log.open("ab") as output:
        process = subprocess.Popen([sys.executable, "-m", "bot", "serve"], env=env,
                                   stdout=output, stderr=subprocess.STDOUT)
    import urllib.request
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"hocso serve exited: see {log}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return process
        except OSError:
            time.sleep(0.1)


class Tapper:
    """A web chat learner who has agreed and then taps a button about once a second."""

    def __init__(self, http: aiohttp.ClientSession, base: str) -> None:
        self.http, self.base, self.session, self.ids = http, base, "", iter(range(1, 10**9))

    async def press(self, payload: str) -> tuple[float, list[str]]:
        body = {"session": self.session, "id": str(next(self.ids)), "payload": payload}
        started = time.perf_counter()
        async with self.http.post(f"{self.base}/api/chat", json=body) as response:
            data = await response.json()
            if response.status != 200:
                raise RuntimeError(f"{response.status}: {data}")
        shown = [b["payload"] for reply in data["replies"] for row in reply.get("buttons", [])
                 for b in row]
        return time.perf_counter() - started, shown

    async def join(self) -> None:
        async with self.http.post(f"{self.base}/api/session") as response:
            self.session = (await response.json())["session"]
        _, shown = await self.press("start")
        for wanted in ("agree", "ad:ban", "namekeep", "skip"):
            if wanted in shown:
                _, shown = await self.press(wanted)

    async def tap(self, until: float, latencies: list[float]) -> None:
        await asyncio.sleep(random.random())  # spread over the second
        while time.perf_counter() < until:
            tick = time.perf_counter()
            latency, _ = await self.press(random.choice(("menu", "progress")))
            latencies.append(latency)
            await asyncio.sleep(max(0.0, 1.0 - (time.perf_counter() - tick)))


async def live(tappers: list[Tapper], seconds: float) -> list[float]:
    latencies: list[float] = []
    until = time.perf_counter() + seconds
    await asyncio.gather(*(tapper.tap(until, latencies) for tapper in tappers))
    return latencies


def row(name: str, latencies: list[float]) -> str:
    ms = [value * 1000 for value in latencies]
    return (f"| {name} | {len(ms):,} | {percentile(ms, 0.5):.1f} | {percentile(ms, 0.95):.1f} "
            f"| **{percentile(ms, 0.99):.1f}** | {max(ms):.1f} |")


async def counts(url: str) -> tuple[int, int]:
    """(outbox rows, rows not yet sent)."""
    engine = create_engine(url, pool_size=1)
    async with engine.connect() as connection:
        rows = (await connection.execute(select(func.count()).select_from(OUTBOX))).scalar()
        unsent = (await connection.execute(select(func.count()).select_from(OUTBOX)
                                           .where(OUTBOX.c.sent_at.is_(None)))).scalar()
    await engine.dispose()
    return int(rows or 0), int(unsent or 0)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--admin-url", default="postgresql+asyncpg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--database", default="hocso_fanout")
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument("--live", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60, help="each live phase")
    parser.add_argument("--max-wait", type=float, default=4_000,
                        help="seconds to wait for every reminder to be sent")
    parser.add_argument("--port", type=int, default=18_731)
    args = parser.parse_args()

    url = await fresh_database(args.admin_url, args.database)
    print(f"seeded {args.learners:,} learners in {await seed(url, args.learners):.1f} s",
          flush=True)
    fake = FakeTelegram()
    await fake.start()
    log = Path(f"/tmp/reminder_fanout_{args.port}.log")
    process = await serve(url, fake, args.port, log)
    try:
        connector = aiohttp.TCPConnector(limit=args.live)
        async with aiohttp.ClientSession(connector=connector) as http:
            tappers = [Tapper(http, f"http://127.0.0.1:{args.port}") for _ in range(args.live)]
            for tapper in tappers:
                await tapper.join()
            print(f"load average at start: {os.getloadavg()}", flush=True)
            quiet = await live(tappers, args.seconds)
            print(row("without the fan-out", quiet), flush=True)
            engine = create_engine(url, pool_size=1)
            async with engine.begin() as connection:  # everyone due this minute
                await connection.execute(update(REMINDER).values(
                    due_at=datetime.now(UTC) - timedelta(seconds=1)))
            await engine.dispose()
            due = time.perf_counter()
            during = await live(tappers, args.seconds)
            print(row("during the fan-out", during), flush=True)
            print(f"load average after the live phases: {os.getloadavg()}", flush=True)
        queued_at = None
        while time.perf_counter() - due < args.max_wait:
            rows, unsent = await counts(url)
            if queued_at is None and rows >= args.learners:
                queued_at = time.perf_counter() - due
                print(f"all {rows:,} queued {queued_at:.1f} s after they came due", flush=True)
            if rows >= args.learners and unsent == 0:
                break
            await asyncio.sleep(5)
            print(f"  {time.perf_counter() - due:.0f} s: {len(fake.sent):,} sent", flush=True)
        took = time.perf_counter() - due
        received = Counter(record.chat_id for record in fake.sent)
        times = sorted(record.at for record in fake.sent)
        window = start = 0
        for end, moment in enumerate(times):  # most messages in any one second
            while moment - times[start] >= 1.0:
                start += 1
            window = max(window, end - start + 1)
        print(f"sent {len(fake.sent):,} to {len(received):,} chats in {took:.0f} s "
              f"({len(fake.sent) / took:.1f}/s); most in one second: {window}; "
              f"chats with two or more: {sum(count > 1 for count in received.values())}",
              flush=True)
        rows, unsent = await counts(url)
        engine = create_engine(url, pool_size=1)
        async with engine.connect() as connection:
            doubled = (await connection.execute(text(
                "SELECT count(*) FROM (SELECT learner_id FROM outbox GROUP BY learner_id "
                "HAVING count(*) > 1) AS d"))).scalar()
        await engine.dispose()
        print(f"outbox: {rows:,} rows, {unsent:,} unsent, learners queued twice: {doubled}")
    finally:
        process.terminate()  # its shutdown still talks to the fake, on this loop
        try:
            await asyncio.to_thread(process.wait, 60)
        except subprocess.TimeoutExpired:
            process.kill()
        await fake.close()


if __name__ == "__main__":
    asyncio.run(main())
