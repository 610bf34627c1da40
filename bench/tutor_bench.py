"""Benchmark Tutor.handle: many interleaved learners take lesson 1 of "lam-quen" and its quiz."""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import math
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import func, select

from bot.config import PROJECT_ROOT
from bot.lessons.loader import load_library
from bot.lessons.model import Lesson, Library, Question
from bot.lessons.render import Renderer
from bot.messages import Button, Incoming, Kind, Outgoing
from bot.tutor import Tutor
from storage.database import create_engine, upgrade
from storage.repository import ANSWER, LEARNER, PROCESSED, RESULT, SqlRepository

COURSE_ID = "lam-quen"
CHANNEL = "bench"
POSTGRES_ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/test"
POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
MAX_STEPS = 40  # a learner needing more than this is stuck: fail instead of looping


@dataclass
class Run:
    """What one backend's run measured."""

    backend: str
    learners: int
    latencies: list[float] = field(default_factory=list)  # seconds, one per handle call
    wall: float = 0.0


class Learner:
    """One simulated learner: presses what the tutor's previous reply offered."""

    def __init__(self, tutor: Tutor, lesson: Lesson, user_ref: str,
                 update_ids: Callable[[], str], renderer: Renderer | None = None) -> None:
        self.tutor = tutor
        self.lesson = lesson
        self.user_ref = user_ref
        self.update_ids = update_ids
        # Options as a learner called "bạn" reads them (authors write {{ you }}).
        read = (renderer or tutor.renderer).course_text
        self.answers = {tuple(read(option) for option in q.options): q.answer
                        for q in _questions(lesson)}
        self.last_update_id = ""
        self.in_lesson = False  # the lesson is open: a "skip" now is the place question's

    def choose(self, replies: list[Outgoing]) -> str | None:
        """Return the payload to press next, or None once the quiz is done."""
        shown: list[Button] = next((r.flat_buttons() for r in reversed(replies) if r.buttons),
                                   [])
        payloads = [button.payload for button in shown]
        # Finished: "retake the quiz", or after a first lesson the place question ("Bỏ qua").
        if f"q:{COURSE_ID}:{self.lesson.id}" in payloads or ("skip" in payloads
                                                              and self.in_lesson):
            return None
        for payload in payloads:
            if payload.startswith("n:"):
                return payload
        options = [button for button in shown if button.payload.startswith("a:")]
        if options:
            labels = tuple(button.label for button in options)
            if labels not in self.answers:
                raise RuntimeError(f"{self.user_ref}: options {labels} match no question")
            return options[self.answers[labels] - 1].payload
        # Agree, be called "bạn" by the messenger's name (no name on the web: skip it), then
        # open the lesson.
        for wanted in ("agree", "ad:ban", "namekeep", "skip", f"l:{COURSE_ID}:{self.lesson.id}",
                       f"c:{COURSE_ID}"):
            if wanted in payloads:
                self.in_lesson = wanted.startswith("l:")
                return wanted
        texts = [reply.text[:60] for reply in replies]
        raise RuntimeError(f"{self.user_ref}: nothing to press in {payloads} after {texts}")

    async def send(self, incoming: Incoming, latencies: list[float]) -> list[Outgoing]:
        started = time.perf_counter()
        replies = await self.tutor.handle(incoming)
        latencies.append(time.perf_counter() - started)
        if not replies:
            raise RuntimeError(f"{self.user_ref}: no reply to {incoming}")
        self.last_update_id = incoming.update_id or ""
        return replies

    def incoming(self, kind: Kind, payload: str = "") -> Incoming:
        return Incoming(channel=CHANNEL, user_ref=self.user_ref, kind=kind, payload=payload,
                        update_id=self.update_ids(), display_name="Học viên thử")

    async def take_lesson(self, latencies: list[float]) -> None:
        """First contact, then buttons only, until the lesson's quiz is done."""
        replies = await self.send(self.incoming(Kind.START), latencies)
        for _ in range(MAX_STEPS):
            payload = self.choose(replies)
            if payload is None:
                return
            replies = await self.send(self.incoming(Kind.BUTTON, payload), latencies)
        raise RuntimeError(f"{self.user_ref}: not done after {MAX_STEPS} steps")


def _questions(lesson: Lesson) -> list[Question]:
    checks = [step.check for step in lesson.steps if step.check is not None]
    return [*checks, *lesson.quiz]


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


async def simulate(backend: str, repository: SqlRepository, library: Library, learners: int,
                   concurrency: int) -> tuple[Run, list[Learner]]:
    """Run every learner through the lesson, `concurrency` at a time, and time each turn."""
    course = library.course(COURSE_ID)
    if course is None:
        raise RuntimeError(f"course {COURSE_ID!r} is not in content/")
    tutor = Tutor(repository=repository, library=library)
    counter = itertools.count(1)
    run_id = uuid.uuid4().hex[:8]
    people = [Learner(tutor, course.lessons[0], f"{run_id}-{n}",
                      lambda: f"{run_id}:{next(counter)}") for n in range(learners)]
    queue: asyncio.Queue[Learner] = asyncio.Queue()
    for person in people:
        queue.put_nowait(person)
    run = Run(backend, learners)

    async def worker() -> None:
        while not queue.empty():
            await queue.get_nowait().take_lesson(run.latencies)

    started = time.perf_counter()
    async with asyncio.TaskGroup() as group:
        for _ in range(min(concurrency, learners)):
            group.create_task(worker())
    run.wall = time.perf_counter() - started
    return run, people


async def verify(repository: SqlRepository, library: Library, run: Run,
                 people: list[Learner]) -> None:
    """Check from the database that every learner finished, and count what was stored."""
    course = library.course(COURSE_ID)
    assert course is not None
    lesson = course.lessons[0]
    expected = (COURSE_ID, lesson.id, len(lesson.quiz), len(lesson.quiz), len(lesson.quiz), 1)
    problems: list[str] = []
    for person in people:
        record = await repository.find_learner(channel=CHANNEL, user_ref=person.user_ref)
        if record is None:
            problems.append(f"{person.user_ref}: no learner row")
            continue
        scores = [(s.course_id, s.lesson_id, s.best_correct, s.last_correct, s.total, s.attempts)
                  for s in await repository.lesson_scores(record.id)]
        if scores != [expected]:
            problems.append(f"{person.user_ref}: lesson_scores {scores}, expected [{expected}]")
    async with repository.engine.connect() as connection:
        counts = {name: int((await connection.execute(
            select(func.count()).select_from(table))).scalar_one())
            for name, table in (("learner", LEARNER), ("processed_update", PROCESSED),
                                ("quiz_answer", ANSWER))}
    wanted = {"learner": len(people), "processed_update": len(run.latencies),
              "quiz_answer": len(people) * len(lesson.quiz)}
    problems += [f"{name}: {counts[name]} rows, expected {wanted[name]}"
                 for name in wanted if counts[name] != wanted[name]]
    # A redelivered update (same update id) must change nothing and get no reply.
    tutor = Tutor(repository=repository, library=library)
    for person in people[:10]:
        again = Incoming(channel=CHANNEL, user_ref=person.user_ref, kind=Kind.BUTTON,
                         payload="menu", update_id=person.last_update_id)
        if await tutor.handle(again):
            problems.append(f"{person.user_ref}: redelivered update got a reply")
    if problems:
        shown = "\n  ".join(problems[:20])
        raise SystemExit(f"{run.backend}: {len(problems)} problems, e.g.\n  {shown}")
    print(f"{run.backend}: verified {len(people)} learners finished '{lesson.id}' "
          f"({len(lesson.quiz)}/{len(lesson.quiz)}), {counts}", flush=True)


@asynccontextmanager
async def sqlite_url() -> AsyncIterator[str]:
    """A SQLite file in a temporary directory, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="hocso-bench-") as directory:
        yield f"sqlite:///{Path(directory) / 'hocso.db'}"


@asynccontextmanager
async def postgres_url() -> AsyncIterator[str]:
    """A fresh PostgreSQL database with a unique name, dropped afterwards."""
    name = f"hocso_bench_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(POSTGRES_ADMIN_DSN, timeout=5)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    try:
        yield POSTGRES_URL.format(name=name)
    finally:
        admin = await asyncpg.connect(POSTGRES_ADMIN_DSN, timeout=5)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


async def bench(backend: str, library: Library, learners: int, concurrency: int) -> Run:
    """Migrate a fresh database, run the learners, verify, and clean up."""
    database = sqlite_url() if backend == "sqlite" else postgres_url()
    async with database as url:
        engine = create_engine(url)
        try:
            await upgrade(engine)
            repository = SqlRepository(engine)
            print(f"{backend}: {learners} learners, {concurrency} at a time ...", flush=True)
            run, people = await simulate(backend, repository, library, learners, concurrency)
            await verify(repository, library, run, people)
        finally:
            await engine.dispose()
    return run


async def worker_process(url: str, library: Library, learners: int, concurrency: int,
                         start_at: float) -> None:
    """One of several worker processes on a shared database: run its own learners from
    `start_at` (wall clock) and print what it measured as JSON."""
    engine = create_engine(url)
    try:
        await asyncio.sleep(max(0.0, start_at - time.time()))
        run, _ = await simulate("postgres", SqlRepository(engine), library, learners,
                                concurrency)
    finally:
        await engine.dispose()
    print(json.dumps({"wall": run.wall, "latencies": run.latencies}), flush=True)


async def several_workers(library: Library, workers: int, learners: int,
                          concurrency: int) -> Run:
    """`workers` processes share one fresh PostgreSQL database, each with its share of the
    learners and of the concurrency; then the database is checked as a whole."""
    async with postgres_url() as url:
        engine = create_engine(url)
        await upgrade(engine)
        start_at = time.time() + 3.0  # every process has imported and connected by then
        processes = [await asyncio.create_subprocess_exec(
            sys.executable, __file__, "--worker-of", url, "--learners", str(learners // workers),
            "--concurrency", str(max(1, concurrency // workers)), "--start-at", str(start_at),
            stdout=asyncio.subprocess.PIPE) for _ in range(workers)]
        outputs = [await process.communicate() for process in processes]
        if any(process.returncode for process in processes):
            raise SystemExit("a worker process failed")
        results = [json.loads(out.splitlines()[-1]) for out, _ in outputs]
        run = Run(f"pg x{workers}", learners // workers * workers)
        run.latencies = [value for result in results for value in result["latencies"]]
        run.wall = max(result["wall"] for result in results)
        async with engine.connect() as connection:
            def count(query: Any) -> Any:
                return connection.execute(query)
            learners_stored = (await count(select(func.count()).select_from(LEARNER))).scalar()
            marks = (await count(select(func.count()).select_from(PROCESSED))).scalar()
            finished = (await count(select(func.count()).select_from(RESULT).where(
                RESULT.c.best_correct == RESULT.c.total))).scalar()
        await engine.dispose()
        if not learners_stored == finished == run.learners or marks != len(run.latencies):
            raise SystemExit(f"{run.backend}: {learners_stored} learners, {finished} finished, "
                             f"{marks} processed marks for {len(run.latencies)} steps")
        print(f"{run.backend}: verified {finished} learners finished, each step once",
              flush=True)
        return run


def report(runs: list[Run], concurrency: int) -> None:
    """Print one table row per backend."""
    print(f"\nconcurrency: {concurrency} learners in flight; latency = one Tutor.handle call")
    print("| backend  | learners | steps  | wall s | steps/s | p50 ms | p95 ms | p99 ms | max ms |")
    print("|----------|---------:|-------:|-------:|--------:|-------:|-------:|-------:|-------:|")
    for run in runs:
        values = sorted(run.latencies)
        p50, p95, p99 = (percentile(values, f) * 1000 for f in (0.50, 0.95, 0.99))
        print(f"| {run.backend:<8} | {run.learners:>8} | {len(values):>6} | {run.wall:>6.1f} "
              f"| {len(values) / run.wall:>7.0f} | {p50:>6.1f} | {p95:>6.1f} | {p99:>6.1f} "
              f"| {values[-1] * 1000:>6.0f} |")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--learners", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=50,
                        help="learners in flight at once (asyncio tasks)")
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--workers", default="",
                        help="also run PostgreSQL with these numbers of worker processes, "
                             "e.g. 2,4 (the concurrency is shared among them)")
    parser.add_argument("--worker-of", help=argparse.SUPPRESS)
    parser.add_argument("--start-at", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    library = load_library(PROJECT_ROOT / "content")
    if args.worker_of:
        await worker_process(args.worker_of, library, args.learners, args.concurrency,
                             args.start_at)
        return
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    runs = [await bench(backend, library, args.learners, args.concurrency)
            for backend in backends]
    runs += [await several_workers(library, int(n), args.learners, args.concurrency)
             for n in args.workers.split(",") if n]
    report(runs, args.concurrency)


if __name__ == "__main__":
    asyncio.run(main())
