"""Soak under faults: learners press forward by buttons while `hocso serve` is killed (-9) again
and again, PostgreSQL is cut off and Telegram answers 429 for a minute; then count what was lost
and what came twice (issue 24's done-criterion).

    .venv/bin/python bench/soak.py --kills 20

A reply is lost when a press is never answered. A copy is a step message (its buttons carry the
learner's place, so each is unique) that arrived twice. A copy is "provable" when the learner had
pressed a button of the first one before the copy was sent: that press proved delivery, and the
copy should have been dropped. A copy is "late" when it came after the answer to the learner's
next press.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))  # the fakes live in tests/

from tests.fake_telegram import FakeTelegram, SentRecord  # noqa: E402
from tests.server import free_port  # noqa: E402
from tests.tcp_proxy import TcpProxy  # noqa: E402

SECRET = "soak-secret-0123456789"
# Which button a learner presses: forward in a lesson, an answer, else into a lesson.
PREFERRED = ("n:", "a:", "l:", "c:", "resume")


def _payloads(record: SentRecord) -> list[str]:
    markup = record.reply_markup or {}
    return [str(button.get("callback_data", "")) for row in markup.get("inline_keyboard", [])
            for button in row]


def _seq(record: SentRecord) -> int | None:
    """The learner's place a step message's buttons carry (n:seq, a:seq:k), if any."""
    for payload in _payloads(record):
        kind, _, rest = payload.partition(":")
        if kind in ("n", "a", "r") and rest.split(":")[0].isdigit():
            return int(rest.split(":")[0])
    return None


@dataclass
class Press:
    chat: int
    message_id: int
    at: float


@dataclass
class Soak:
    fake: FakeTelegram
    learners: int
    presses: list[Press] = field(default_factory=list)
    stuck: list[int] = field(default_factory=list)  # chats whose press got no answer
    running: bool = True

    async def learner(self, chat: int, patience: float) -> None:
        """Start, agree, then keep pressing the preferred button of the newest message."""
        self.fake.push_message(chat, "/start")
        pressed = 0
        while self.running:
            deadline = time.monotonic() + patience
            choice = None
            while choice is None and time.monotonic() < deadline:
                choice = self._choice(chat, pressed)
                if choice is None:
                    await asyncio.sleep(0.05)
            if choice is None:
                if self.running:
                    self.stuck.append(chat)
                return
            record, payload = choice
            pressed = record.message_id
            self.presses.append(Press(chat, record.message_id, time.monotonic()))
            self.fake.push_callback(chat, payload, message_id=record.message_id)
            await asyncio.sleep(random.uniform(0.2, 1.0))  # reading the step

    def _choice(self, chat: int, after: int) -> tuple[SentRecord, str] | None:
        for record in reversed(self.fake.sent_to(chat)):
            if record.message_id <= after:
                return None
            payloads = _payloads(record)
            for first in ("agree", "ad:ban", "namekeep", "skip"):  # agree, be called "bạn"
                if first in payloads:
                    return record, first
            for prefix in PREFERRED:
                chosen = next((p for p in payloads if p.startswith(prefix)), None)
                if chosen:
                    return record, chosen
        return None


def _serve(data_dir: Path, port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    with (data_dir / "server.log").open("ab") as log:
        return subprocess.Popen([sys.executable, "-m", "bot", "serve"],
                                env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT,
                                cwd=PROJECT_ROOT)


async def _started(data_dir: Path, port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """Start `hocso serve` and wait until it listens, starting it again as a supervisor
    (systemd's Restart=always) would when it exits: it does when the database is out of
    reach at start."""
    process = _serve(data_dir, port, env)
    while True:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return process
        except OSError:
            await asyncio.sleep(0.1)
        if process.poll() is not None:
            await asyncio.sleep(1.0)
            process = _serve(data_dir, port, env)


async def _next_send(fake: FakeTelegram, timeout: float = 5.0) -> None:
    """Return as soon as the fake has taken one more message (or after `timeout`)."""
    seen = len(fake.sent)
    deadline = time.monotonic() + timeout
    while len(fake.sent) == seen and time.monotonic() < deadline:
        await asyncio.sleep(0.0005)


def _report(soak: Soak, started: float) -> dict[str, Any]:
    copies = provable = late = 0
    for chat in range(1, soak.learners + 1):
        sent = soak.fake.sent_to(chat)
        presses = [p for p in soak.presses if p.chat == chat]
        first: dict[str, int] = {}
        for index, record in enumerate(sent):
            seq = _seq(record)
            if seq is None:
                continue
            key = json.dumps([record.text, record.caption, record.reply_markup])
            if key not in first:
                first[key] = index
                continue
            copies += 1
            original = sent[first[key]]
            if any(p.message_id == original.message_id and p.at < record.at for p in presses):
                provable += 1
            if any((_seq(r) or -1) > seq for r in sent[first[key] + 1:index]):
                late += 1
    return {"learners": soak.learners, "presses": len(soak.presses),
            "sent": sum(len(soak.fake.sent_to(c)) for c in range(1, soak.learners + 1)),
            "lost (presses never answered)": len(soak.stuck), "copies": copies,
            "copies a press had proven delivered": provable,
            "copies after the next step": late, "seconds": round(time.monotonic() - started)}


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--learners", type=int, default=30)
    parser.add_argument("--spell", type=float, default=60.0, help="seconds of 429s")
    parser.add_argument("--outage", type=float, default=10.0, help="seconds without PostgreSQL")
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432")
    args = parser.parse_args()

    database = f"hocso_soak_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(f"{args.postgres}/postgres")
    await admin.execute(f'CREATE DATABASE "{database}"')
    proxy = TcpProxy("127.0.0.1", int(args.postgres.rsplit(":", 1)[1]))
    await proxy.start()
    fake = FakeTelegram(webhook_attempts=1_000_000, webhook_retry_delay=0.1,
                        webhook_timeout=5.0, first_update_id=1)
    await fake.start()
    port = free_port()
    data_dir = Path(f"/tmp/{database}")
    data_dir.mkdir()
    env = {"TELEGRAM_BOT_TOKEN": fake.token, "TELEGRAM_API_BASE_URL": fake.base_url,
           "TELEGRAM_WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram/webhook",
           "TELEGRAM_WEBHOOK_SECRET": SECRET, "HOCSO_PORT": str(port),
           "HOCSO_HOST": "127.0.0.1", "HOCSO_DATA_DIR": str(data_dir),
           "DATABASE_URL": f"postgresql+asyncpg://postgres@127.0.0.1:{proxy.port}/{database}"}
    soak = Soak(fake, args.learners)
    started = time.monotonic()
    process = await _started(data_dir, port, env)
    learners = [asyncio.create_task(soak.learner(chat, patience=args.spell + 90))
                for chat in range(1, args.learners + 1)]
    try:
        for kill in range(1, args.kills + 1):
            await asyncio.sleep(random.uniform(2.0, 6.0))
            await _next_send(fake)  # strike just as Telegram takes a message, as the issue saw
            if kill == args.kills // 4:
                print(f"kill {kill}: PostgreSQL cut off for {args.outage:.0f} s", flush=True)
                await proxy.cut()
                asyncio.get_running_loop().call_later(
                    args.outage, lambda: asyncio.ensure_future(proxy.restore()))
            if kill == args.kills // 2:
                print(f"kill {kill}: Telegram answers 429 for {args.spell:.0f} s", flush=True)
                end = time.monotonic() + args.spell
                fake.outage(lambda: time.monotonic() < end, 429)  # noqa: B023 (set once)
            process.send_signal(signal.SIGKILL)
            await asyncio.to_thread(process.wait)  # this loop serves the fakes and the proxy
            process = await _started(data_dir, port, env)
        await asyncio.sleep(20)  # a few more presses after the last kill
    finally:
        soak.running = False
        await asyncio.gather(*learners)
        await asyncio.sleep(5)  # the last answers
        process.send_signal(signal.SIGTERM)
        await asyncio.to_thread(process.wait)
        print(json.dumps(_report(soak, started), ensure_ascii=False, indent=2))
        await fake.close()
        await proxy.close()
        await admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        await admin.close()


if __name__ == "__main__":
    asyncio.run(main())
