"""Benchmark the Telegram path (PTB → TelegramChannel → tutor → SQLite) against a PTB echo bot."""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import logging
import random
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from conventional_bot import build as build_conventional
from conventional_bot import presses
from sqlalchemy import event, func, select
from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler
from telegram.request import BaseRequest, RequestData
from tutor_bench import COURSE_ID, Learner, percentile, sqlite_url

from bot.channels.pacing import Pacer
from bot.channels.telegram import CHANNEL, TelegramChannel, TelegramConfig
from bot.config import PROJECT_ROOT
from bot.lessons.loader import load_library
from bot.lessons.model import Lesson, Library
from bot.messages import Button, Incoming, Kind, Outgoing
from bot.tutor import Tutor
from storage.database import create_engine, upgrade
from storage.outbox import OUTBOX
from storage.processes import beat
from storage.repository import PROCESSED, SqlRepository

CONTENT_DIR = PROJECT_ROOT / "content"
TOKEN = "123456:BENCH-token_abc"
JSON = dict[str, Any]
BOT_USER: JSON = {"id": 123456, "is_bot": True, "first_name": "Học Số",
                  "username": "hocso_bench_bot", "can_join_groups": True,
                  "can_read_all_group_messages": False, "supports_inline_queries": False}
BOT_FROM: JSON = {key: BOT_USER[key] for key in ("id", "is_bot", "first_name", "username")}
FIRST_CHAT_ID = 700_000_000
ECHO_STEPS = 13  # per echo chat: /start, then 12 button presses, like a Học Số learner
T = TypeVar("T")


@dataclass
class Sent:
    """One sendMessage or sendPhoto the stub received, as the tutor's Outgoing."""

    reply: Outgoing
    message: JSON  # the Message object the stub answered with


class StubRequest(BaseRequest):
    """PTB's HTTP layer replaced: decode each call, record sends per chat, answer valid JSON."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.sent: dict[int, list[Sent]] = {}
        self.last_keyboard: dict[int, JSON] = {}  # chat → last message with an inline keyboard
        self.last_message: dict[int, JSON] = {}  # chat → last message sent
        self.seconds = 0.0  # time spent inside do_request
        self._message_ids = itertools.count(1)
        self._file_ids = itertools.count(1)

    @property
    def read_timeout(self) -> float | None:
        return 5.0

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    def take(self, chat_id: int) -> list[Outgoing]:
        """Return and forget what was sent to `chat_id` since the last call."""
        return [sent.reply for sent in self.sent.pop(chat_id, [])]

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout: Any = None, write_timeout: Any = None,
                         connect_timeout: Any = None, pool_timeout: Any = None,
                         ) -> tuple[int, bytes]:
        started = time.perf_counter()
        api_method = url.rsplit("/", 1)[-1]
        self.calls[api_method] += 1
        # What HTTPXRequest puts on the wire: JSON-encoded values (strings as they are), plus
        # the multipart file parts when a file is uploaded.
        params = request_data.json_parameters if request_data else {}
        files = request_data.multipart_data if request_data and request_data.contains_files \
            else {}
        status = 200
        body: JSON = {"ok": True, "result": True}
        if api_method == "getMe":
            body["result"] = BOT_USER
        elif api_method in ("sendMessage", "sendPhoto"):
            body["result"] = self._send(api_method, params, files)
        elif api_method not in ("answerCallbackQuery", "setMyCommands"):
            status, body = 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        payload = json.dumps(body).encode()
        self.seconds += time.perf_counter() - started
        return status, payload

    def _send(self, api_method: str, params: dict[str, str], files: dict[str, Any]) -> JSON:
        chat_id = int(params["chat_id"])
        markup: JSON = json.loads(params.get("reply_markup", "{}"))
        rows = markup.get("inline_keyboard", [])
        message: JSON = {"message_id": next(self._message_ids), "from": BOT_FROM,
                         "chat": {"id": chat_id, "first_name": "Lan", "type": "private"},
                         "date": int(time.time())}
        if api_method == "sendMessage":
            message["text"] = text = params["text"]
        else:
            if "photo" not in params and "photo" not in files:
                raise RuntimeError(f"sendPhoto to {chat_id} without a photo")
            number = next(self._file_ids)
            message["photo"] = [{"file_id": f"AgACAgIAA{number:06d}{size}",
                                 "file_unique_id": f"AQAD{number:06d}{size}",
                                 "width": size, "height": size * 3 // 4, "file_size": size * 80}
                                for size in (90, 320, 800)]
            text = params.get("caption", "")
            if text:
                message["caption"] = text
        self.last_message[chat_id] = message
        if rows:
            message["reply_markup"] = {"inline_keyboard": rows}
            self.last_keyboard[chat_id] = message
        buttons = tuple(tuple(Button(b["text"], b["callback_data"]) for b in row) for row in rows)
        self.sent.setdefault(chat_id, []).append(Sent(Outgoing(text, buttons), message))
        return message


class ErrorCounter(logging.Handler):
    """Counts ERROR (and worse) records, keeping the first few messages."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        error = record.exc_info[1] if record.exc_info else None
        self.records.append(f"{record.name}: {record.getMessage()} {error!r}")


class Chat:
    """One private chat seen from Telegram's side: real-shaped updates in, the bot's sends out."""

    def __init__(self, application: Application[Any, Any, Any, Any, Any, Any],
                 stub: StubRequest, chat_id: int) -> None:
        self.application = application
        self.stub = stub
        self.chat_id = chat_id
        self.user: JSON = {"id": chat_id, "is_bot": False, "first_name": "Lan",
                           "last_name": f"Nguyễn {chat_id - FIRST_CHAT_ID}",
                           "language_code": "vi"}

    def raw_update(self, update_id: int, kind: Kind, payload: str) -> JSON:
        """A Bot API update dict: a /start message, or a press on the last inline keyboard.

        The echo bot sends no keyboards: its presses come from its last message instead.
        """
        if kind == Kind.START:
            message = {"message_id": update_id, "from": self.user, "date": int(time.time()),
                       "chat": {"id": self.chat_id, "first_name": "Lan", "type": "private"},
                       "text": "/start",
                       "entities": [{"type": "bot_command", "offset": 0, "length": 6}]}
            return {"update_id": update_id, "message": message}
        if kind != Kind.BUTTON:
            raise ValueError(f"no Telegram update for {kind}")
        shown = (self.stub.last_keyboard.get(self.chat_id)
                 or self.stub.last_message.get(self.chat_id))
        if shown is None:
            raise RuntimeError(f"chat {self.chat_id}: a press before any message was sent")
        return {"update_id": update_id, "callback_query": {
            "id": f"{self.chat_id}-{update_id}", "from": self.user, "message": shown,
            "chat_instance": f"-{self.chat_id}", "data": payload}}

    async def deliver(self, update_id: int, kind: Kind, payload: str,
                      latencies: list[float], arrived: float | None = None) -> list[Outgoing]:
        """Feed one update to the application and return what the bot sent back to this chat.

        The latency counts from `arrived` when given (the update's arrival, open loop), else
        from the call (closed loop: each chat sends as soon as its last answer is in)."""
        started = arrived if arrived is not None else time.perf_counter()
        update = Update.de_json(self.raw_update(update_id, kind, payload), self.application.bot)
        self.stub.take(self.chat_id)
        if arrived is None:
            started = time.perf_counter()
        await self.application.process_update(update)
        latencies.append(time.perf_counter() - started)
        return self.stub.take(self.chat_id)


class TelegramLearner(Learner):
    """tutor_bench's Learner, pressing buttons through Telegram updates instead of Incoming."""

    def __init__(self, chat: Chat, library: Library, update_ids: Callable[[], str],
                 think: float = 0.0) -> None:
        course = library.course(COURSE_ID)
        assert course is not None
        super().__init__(None, course.lessons[0], str(chat.chat_id),  # type: ignore[arg-type]
                         update_ids)
        self.chat = chat
        self.think = think  # mean seconds a person reads before the next tap (0: none)
        self.pause = random.Random(chat.chat_id)

    async def send(self, incoming: Incoming, latencies: list[float]) -> list[Outgoing]:
        update_id = int(incoming.update_id or 0)
        arrived = None
        if self.think:
            arrived = time.perf_counter() + self.pause.expovariate(1 / self.think)
            await asyncio.sleep(arrived - time.perf_counter())
        replies = await self.chat.deliver(update_id, incoming.kind, incoming.payload, latencies,
                                          arrived)
        if not replies:
            raise RuntimeError(f"{self.user_ref}: no reply to {incoming}")
        self.last_update_id = str(update_id)
        return replies


@dataclass
class Phase:
    """What one path measured."""

    path: str
    chats: int
    latencies: list[float] = field(default_factory=list)  # seconds, one per process_update
    wall: float = 0.0
    cpu: float = 0.0  # process CPU seconds (all threads) during the phase
    api_calls: int = 0
    stub_seconds: float = 0.0
    timed: dict[str, float] = field(default_factory=dict)  # seconds summed per wrapped call


async def run_tasks(jobs: list[Callable[[], Awaitable[None]]], concurrency: int) -> None:
    """Run the jobs, `concurrency` at a time, each one to its end (a learner's updates in order)."""
    queue = list(reversed(jobs))

    async def worker() -> None:
        while queue:
            await queue.pop()()

    async with asyncio.TaskGroup() as group:
        for _ in range(min(concurrency, len(jobs))):
            group.create_task(worker())


async def timed_phase(phase: Phase, stub: StubRequest,
                      jobs: list[Callable[[], Awaitable[None]]], concurrency: int) -> None:
    """Run the jobs and fill in wall time, CPU time and the stub's counters."""
    cpu, started = time.process_time(), time.perf_counter()
    await run_tasks(jobs, concurrency)
    phase.wall = time.perf_counter() - started
    phase.cpu = time.process_time() - cpu
    phase.timed = dict(phase.timed)  # a snapshot: the checks that follow use the database too
    phase.api_calls = sum(stub.calls.values()) - stub.calls["getMe"]
    phase.stub_seconds = stub.seconds


async def echo_floor(chats: int, concurrency: int) -> Phase:
    """A plain PTB application whose one handler echoes each update's text back."""
    stub = StubRequest()
    application = ApplicationBuilder().token(TOKEN).request(stub).updater(None).build()

    async def echo(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None
        query = update.callback_query
        await message.reply_text((query.data if query else message.text) or "?")

    application.add_handler(TypeHandler(Update, echo))
    phase = Phase("echo floor", chats)
    counter = itertools.count(1)

    def job(chat: Chat) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            for step in range(ECHO_STEPS):
                kind, payload = (Kind.START, "") if step == 0 else (Kind.BUTTON, f"n:{step}")
                replies = await chat.deliver(next(counter), kind, payload, phase.latencies)
                if len(replies) != 1 or replies[0].text != (payload or "/start"):
                    raise RuntimeError(f"echo chat {chat.chat_id}: got {replies}")
        return run

    async with application:
        print(f"echo floor: {chats} chats x {ECHO_STEPS} updates, {concurrency} at a time ...",
              flush=True)
        chat_list = [Chat(application, stub, FIRST_CHAT_ID + n) for n in range(chats)]
        await timed_phase(phase, stub, [job(chat) for chat in chat_list], concurrency)
    if stub.calls["sendMessage"] != len(phase.latencies):
        raise SystemExit(f"echo: {stub.calls} for {len(phase.latencies)} updates")
    return phase


async def conventional(lesson: Lesson, chats: int, concurrency: int,
                       update_interval: float) -> Phase:
    """The usual lesson bot (bench/conventional_bot.py): ConversationHandler, PicklePersistence."""
    stub = StubRequest()
    phase = Phase(f"pickle {update_interval:g}s", chats)
    counter = itertools.count(1)
    buttons = presses(lesson)

    def job(chat: Chat) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            await chat.deliver(next(counter), Kind.START, "", phase.latencies)
            for payload in buttons:
                await chat.deliver(next(counter), Kind.BUTTON, payload, phase.latencies)
            last = stub.last_message[chat.chat_id]["text"]
            if f"{len(lesson.quiz)}/{len(lesson.quiz)}" not in last:
                raise RuntimeError(f"conventional chat {chat.chat_id} ended with {last!r}")
        return run

    with tempfile.TemporaryDirectory(prefix="hocso-pickle-") as directory:
        application = build_conventional(lesson, token=TOKEN, request=stub,
                                         pickle_file=Path(directory) / "bot.pickle",
                                         update_interval=update_interval)
        async with application:
            await application.start()  # runs the persistence flush every update_interval
            print(f"{phase.path}: {chats} chats x {len(buttons) + 1} updates, "
                  f"{concurrency} at a time ...", flush=True)
            chat_list = [Chat(application, stub, FIRST_CHAT_ID + n) for n in range(chats)]
            await timed_phase(phase, stub, [job(chat) for chat in chat_list], concurrency)
            await application.stop()
    return phase


def timing(totals: dict[str, float], name: str,
           method: Callable[..., Awaitable[T]]) -> Callable[..., Awaitable[T]]:
    """Wrap an async method so the seconds spent in it add up in totals[name]."""
    totals[name] = 0.0

    async def wrapper(*args: Any, **kwargs: Any) -> T:
        started = time.perf_counter()
        try:
            return await method(*args, **kwargs)
        finally:
            totals[name] += time.perf_counter() - started
    return wrapper


def watch_connections(engine: Any, totals: dict[str, float]) -> None:
    """Add up how long pooled connections are checked out (SQLite: one connection)."""
    totals["db connection held"] = 0.0
    since: dict[int, float] = {}

    @event.listens_for(engine.sync_engine, "checkout")
    def on_checkout(_dbapi: Any, record: Any, _proxy: Any) -> None:
        since[id(record)] = time.perf_counter()

    @event.listens_for(engine.sync_engine, "checkin")
    def on_checkin(_dbapi: Any, record: Any) -> None:
        started = since.pop(id(record), None)
        if started is not None:
            totals["db connection held"] += time.perf_counter() - started


async def hocso_path(library: Library, learners: int, concurrency: int,
                     think: float = 0.0) -> Phase:
    """The real TelegramChannel on a migrated SQLite file; learners take lesson 1 and its quiz."""
    phase = Phase("Học Số", learners)
    async with sqlite_url() as url:
        engine = create_engine(url)
        try:
            await upgrade(engine)
            repository = SqlRepository(engine)
            await beat(engine, "bench")
            # As `hocso serve` runs it: each reply kept in the outbox until it is sent.
            tutor = Tutor(repository=repository, library=library, kept_replies=(CHANNEL,),
                          process_id="bench")
            stub = StubRequest()
            pacer = Pacer(overall_per_second=1e9, chat_per_second=1e9, chat_burst=1000)
            channel = TelegramChannel(TelegramConfig(token=TOKEN, api_base_url="http://stub/bot"),
                                      tutor, CONTENT_DIR, pacer=pacer, request=stub)
            tutor.handle = timing(phase.timed, "Tutor.handle", tutor.handle)  # type: ignore
            channel.sender.send = timing(  # type: ignore[method-assign, assignment]
                phase.timed, "TelegramSender.send", channel.sender.send)
            watch_connections(engine, phase.timed)
            await channel.application.initialize()
            try:
                counter = itertools.count(1)
                people = [TelegramLearner(Chat(channel.application, stub, FIRST_CHAT_ID + n),
                                          library, lambda: str(next(counter)), think)
                          for n in range(learners)]
                print(f"Học Số: {learners} learners, {concurrency} at a time ...", flush=True)
                shared = repository.transaction
                before = getattr(shared, "commits", 0)
                await timed_phase(phase, stub, [partial(person.take_lesson, phase.latencies)
                                                for person in people], concurrency)
                print(f"Học Số: {getattr(shared, 'commits', 0) - before} shared commits for "
                      f"{len(phase.latencies)} updates", flush=True)
            finally:
                await channel.application.shutdown()
            await verify(repository, library, phase, people, stub)
        finally:
            await engine.dispose()
    return phase


async def verify(repository: SqlRepository, library: Library, phase: Phase,
                 people: list[TelegramLearner], stub: StubRequest) -> None:
    """Check from the database that every learner finished, and the stub's call counts."""
    course = library.course(COURSE_ID)
    assert course is not None
    lesson = course.lessons[0]
    total = len(lesson.quiz)
    expected = [(COURSE_ID, lesson.id, total, total, total, 1)]
    problems: list[str] = []
    for person in people:
        record = await repository.find_learner(channel=CHANNEL, user_ref=person.user_ref)
        if record is None:
            problems.append(f"{person.user_ref}: no learner row")
            continue
        scores = [(s.course_id, s.lesson_id, s.best_correct, s.last_correct, s.total, s.attempts)
                  for s in await repository.lesson_scores(record.id)]
        if scores != expected:
            problems.append(f"{person.user_ref}: lesson_scores {scores}, expected {expected}")
    async with repository.engine.connect() as connection:
        processed = (await connection.execute(
            select(func.count()).select_from(PROCESSED))).scalar_one()
        kept = (await connection.execute(select(func.count()).select_from(OUTBOX))).scalar_one()
    if kept:
        problems.append(f"outbox: {kept} replies still kept after their sends")
    updates = len(phase.latencies)
    if processed != updates:
        problems.append(f"processed_update: {processed} rows for {updates} updates")
    presses = updates - len(people)
    if stub.calls["answerCallbackQuery"] != presses:
        problems.append(f"answerCallbackQuery: {stub.calls['answerCallbackQuery']} calls "
                        f"for {presses} button presses")
    if problems:
        shown = "\n  ".join(problems[:20])
        raise SystemExit(f"Học Số: {len(problems)} problems, e.g.\n  {shown}")
    print(f"Học Số: verified {len(people)} learners finished '{lesson.id}' ({total}/{total}), "
          f"{processed} processed updates; stub calls {dict(stub.calls)}", flush=True)


def report(phases: list[Phase], concurrency: int) -> None:
    """Print the side-by-side table, the ratio and the Học Số breakdown."""
    print(f"\n{concurrency} chats in flight; latency = one Application.process_update call")
    print("| path       | chats | updates | wall s | updates/s | p50 ms | p95 ms | p99 ms "
          "| max ms | API calls/update | CPU % |")
    print("|------------|------:|--------:|-------:|----------:|-------:|-------:|-------:"
          "|-------:|-----------------:|------:|")
    rates: list[float] = []
    p50s: list[float] = []
    for phase in phases:
        values = sorted(phase.latencies)
        p50, p95, p99 = (percentile(values, f) * 1000 for f in (0.50, 0.95, 0.99))
        rates.append(len(values) / phase.wall)
        p50s.append(p50)
        print(f"| {phase.path:<10} | {phase.chats:>5} | {len(values):>7} | {phase.wall:>6.1f} "
              f"| {rates[-1]:>9.0f} | {p50:>6.2f} | {p95:>6.2f} | {p99:>6.1f} "
              f"| {values[-1] * 1000:>6.0f} | {phase.api_calls / len(values):>16.2f} "
              f"| {100 * phase.cpu / phase.wall:>5.0f} |")
    print(f"\nHọc Số / echo: throughput {rates[1] / rates[0]:.3f} "
          f"(echo is {rates[0] / rates[1]:.1f}x faster), p50 {p50s[1] / p50s[0]:.1f}x")
    for phase, rate in zip(phases[2:], rates[2:], strict=True):
        print(f"Học Số / {phase.path}: throughput {rates[1] / rate:.2f}")
    for phase in phases:
        if not phase.timed:
            continue
        updates = len(phase.latencies)
        print(f"\n{phase.path}: where the time goes (ms per update, summed over all tasks, "
              f"so waiting counts too; 'of wall' = busy fraction of the {phase.wall:.1f} s run)")
        print("| measured inside              | ms/update | of wall |")
        print("|------------------------------|----------:|--------:|")
        rows = [("Application.process_update", sum(phase.latencies)), *phase.timed.items(),
                ("stub transport (do_request)", phase.stub_seconds)]
        for name, seconds in rows:
            print(f"| {name:<28} | {1000 * seconds / updates:>9.2f} "
                  f"| {100 * seconds / phase.wall:>6.0f}% |")


def open_loop(phase: Phase, think: float) -> None:
    """Print the latency of updates that arrive as people tap, not as fast as possible."""
    values = sorted(phase.latencies)
    p50, p95, p99 = (percentile(values, f) * 1000 for f in (0.50, 0.95, 0.99))
    print(f"\n{phase.chats} chats active at once, each tapping after {think:g} s on average "
          f"(exponential); latency from the update's arrival to its last reply sent")
    print("| chats | updates | updates/s | p50 ms | p95 ms | p99 ms | max ms | CPU % |")
    print("|------:|--------:|----------:|-------:|-------:|-------:|-------:|------:|")
    print(f"| {phase.chats:>5} | {len(values):>7} | {len(values) / phase.wall:>9.0f} "
          f"| {p50:>6.2f} | {p95:>6.2f} | {p99:>6.1f} | {values[-1] * 1000:>6.0f} "
          f"| {100 * phase.cpu / phase.wall:>5.0f} |")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--learners", type=int, default=1000,
                        help="Học Số learners; the echo floor gets as many chats")
    parser.add_argument("--concurrency", type=int, default=50,
                        help="chats in flight at once (asyncio tasks)")
    parser.add_argument("--think", type=float, default=0.0,
                        help="open loop: every chat active at once, each waiting this many "
                             "seconds on average before its next tap (Học Số only)")
    parser.add_argument("--hocso-only", action="store_true",
                        help="run only the Học Số path (for profiling)")
    args = parser.parse_args()
    errors = ErrorCounter()
    for name in ("hocso", "telegram"):  # covers hocso.telegram and telegram.ext
        logging.getLogger(name).addHandler(errors)
    library = load_library(CONTENT_DIR)
    try:
        course = library.course(COURSE_ID)
        assert course is not None
        if args.think:
            phase = await hocso_path(library, args.learners, args.learners, args.think)
            open_loop(phase, args.think)
            return
        if args.hocso_only:
            await hocso_path(library, args.learners, args.concurrency)
            return
        phases = [await echo_floor(args.learners, args.concurrency),
                  await hocso_path(library, args.learners, args.concurrency),
                  *[await conventional(course.lessons[0], args.learners, args.concurrency,
                                       interval) for interval in (1.0, 60.0)]]
    finally:
        if errors.records:  # also when a learner got stuck: the logged error says why
            shown = "\n  ".join(errors.records[:10])
            print(f"{len(errors.records)} errors were logged, e.g.\n  {shown}", flush=True)
    if errors.records:
        raise SystemExit(f"failed: {len(errors.records)} ERROR records (above)")
    print("no ERROR records from hocso.* or telegram.*", flush=True)
    report(phases, args.concurrency)


if __name__ == "__main__":
    asyncio.run(main())
