"""Event-loop lag and learners' latency while the first report refresh and an XLSX export run."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import itertools
import os
import random
import statistics
import time
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from tutor_bench import COURSE_ID, Learner, percentile

from bot.admin.export import to_xlsx
from bot.admin.report import build, choose, tables
from bot.app import build_core
from bot.config import Settings
from bot.lessons.model import Library
from bot.messages import Incoming, Outgoing
from bot.tutor import Tutor
from storage.clock import local_date
from storage.database import is_sqlite
from storage.reports import Period
from storage.rollup import refresh
from storage.scope import Scope
from storage.transactions import SharedCommits

PROBE = 0.01  # seconds the probe sleeps; what it oversleeps is the loop's lag
HELD = 0.01  # a callback using more CPU than this (seconds) is listed
DAILY = ("daily_answers", "daily_lessons", "daily_courses")


def _runnable() -> float:
    """Seconds this thread has spent ready to run but waiting for a CPU (Linux's schedstat;
    0 elsewhere): what other processes on the machine cost it."""
    try:
        with open("/proc/thread-self/schedstat") as stats:
            return int(stats.read().split()[1]) / 1e9
    except OSError:
        return 0.0


class Clock:
    """What the probe and the learners measured, each sample with when it began; the phases
    are told apart afterwards: a phase holds the samples that ended inside it or overlapped
    it, so a freeze that began just before the refresh counts in the refresh, not before."""

    def __init__(self) -> None:
        self.lags: list[tuple[float, float]] = []  # (when the probe slept, seconds overslept)
        self.turns: list[tuple[float, float]] = []  # (when the tap was due, seconds to reply)
        self.collections: list[tuple[float, float]] = []  # the garbage collector's, as lags
        self.collections_cpu: list[tuple[float, float]] = []  # their CPU time
        # Callbacks of the loop that used more than HELD s of CPU (its thread's time, which
        # other processes on the machine do not inflate): (when, CPU seconds, what ran).
        self.held: list[tuple[float, float, str]] = []
        self.starved: list[tuple[float, float]] = []  # of lags over 50 ms: s runnable
        # SQLite: how long each shared transaction of turns waited to begin (the write lock).
        self.begins: list[tuple[float, float]] = []
        opening = SharedCommits._open

        async def timed_open(commits: SharedCommits) -> Any:
            began, beginning = time.perf_counter(), commits._connection is None
            try:
                return await opening(commits)
            finally:
                if beginning:
                    self.begins.append((began, time.perf_counter() - began))

        setattr(SharedCommits, "_open", timed_open)  # noqa: B010
        self.phases: dict[str, tuple[float, float]] = {}
        self._collecting = (0.0, 0.0)
        gc.callbacks.append(self._collector)
        self._watch_callbacks()

    def _collector(self, what: str, info: dict[str, int]) -> None:
        # Told apart from the work measured: a full collection holds the loop as long.
        if what == "start":
            self._collecting = (time.perf_counter(), time.thread_time())
        elif info["generation"] == 2:
            began, cpu = self._collecting
            self.collections.append((began, time.perf_counter() - began))
            self.collections_cpu.append((began, time.thread_time() - cpu))

    def _watch_callbacks(self) -> None:
        run = asyncio.events.Handle._run

        def timed(handle: asyncio.Handle) -> None:
            cpu = time.thread_time()
            run(handle)
            spent = time.thread_time() - cpu
            if spent > HELD:
                task = getattr(getattr(handle, "_callback", None), "__self__", None)
                coro = task.get_coro() if isinstance(task, asyncio.Task) else None
                what = getattr(coro, "__qualname__", None) or repr(handle)[:80]
                self.held.append((time.perf_counter() - spent, spent, what))

        setattr(asyncio.events.Handle, "_run", timed)  # noqa: B010

    async def probe(self) -> None:
        while True:
            before, waited = time.perf_counter(), _runnable()
            await asyncio.sleep(PROBE)
            lag = time.perf_counter() - before - PROBE
            self.lags.append((before, lag))
            if lag > 0.05:  # how much of it the loop's thread spent waiting for a CPU
                self.starved.append((before, _runnable() - waited))

    def of(self, phase: str, samples: list[tuple[float, float]]) -> list[float]:
        start, end = self.phases[phase]
        return [value for when, value in samples if when < end and when + value >= start
                and (phase != "idle" or when + value < end)]


class Tapper(Learner):
    """tutor_bench's Learner, tapping after a pause of `think` seconds on average (open loop:
    the latency counts from the moment the tap is due, so a frozen loop shows in it)."""

    def __init__(self, tutor: Tutor, library: Library, user_ref: str, ids: Any,
                 clock: Clock, think: float, rng: random.Random) -> None:
        course = library.course(COURSE_ID)
        assert course is not None
        super().__init__(tutor, course.lessons[0], user_ref, ids)
        self.clock, self.think, self.rng = clock, think, rng

    async def send(self, incoming: Incoming, latencies: list[float]) -> list[Outgoing]:
        due = time.perf_counter() + self.rng.expovariate(1 / self.think)
        await asyncio.sleep(due - time.perf_counter())
        replies = await self.tutor.handle(incoming)
        self.clock.turns.append((due, time.perf_counter() - due))
        if not replies:
            raise RuntimeError(f"{self.user_ref}: no reply to {incoming}")
        self.last_update_id = incoming.update_id or ""
        return replies


async def learner(number: int, tutor: Tutor, library: Library, clock: Clock, think: float,
                  run_id: str, ids: Any) -> None:
    """One person at a time on this seat: each takes the first lesson, then the next comes."""
    rng = random.Random(number)
    for turn in itertools.count():
        await Tapper(tutor, library, f"{run_id}-{number}-{turn}", ids, clock, think,
                     rng).take_lesson([])


async def empty_daily_tables(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        if is_sqlite(str(engine.url)):
            for table in DAILY:
                await connection.execute(text(f"DELETE FROM {table}"))
        else:
            await connection.execute(text(f"TRUNCATE {', '.join(DAILY)}"))
        await connection.execute(text("UPDATE rollup_state SET refreshed_at = NULL"))


async def exports(core: Any, url: str, area: str, pause: float, done: asyncio.Event,
                  took: list[tuple[float, int]]) -> None:
    """The dashboard's download of the area's whole report as XLSX, again and again, as
    bot.admin.pages.download makes it."""
    today = local_date()
    period = Period(today - timedelta(days=29), today)
    while not done.is_set():
        started = time.perf_counter()
        if hasattr(core, "worker"):
            found = await core.worker.download(url, core.tutor.library, "bao-cao", "xlsx",
                                               Scope(area), period, with_learners=False)
            body = found[0]
        else:  # before issue 18's last pass: in the serving process, the file in a thread
            report = await build(core.reports, Scope(area), period)
            body = await asyncio.to_thread(to_xlsx, choose(
                tables(report, core.tutor.library), "bao-cao"))
        took.append((time.perf_counter() - started, len(body)))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(done.wait(), pause)


def summary(values: list[float]) -> str:
    if not values:
        return "|     |     |     |     |"
    ordered = sorted(values)
    p50, p99 = percentile(ordered, 0.5) * 1000, percentile(ordered, 0.99) * 1000
    return f"| {len(ordered):>7,} | {p50:7.1f} | {p99:7.1f} | {ordered[-1] * 1000:8.1f} |"


# Wired as `hocso serve` wires it (bot.app.build_core): learners tap through the Tutor, and the
# refresh and the export run in the app's report worker (child processes). The database is one
# filled by report_data.py (PostgreSQL) or copied from it by report_sqlite.py (SQLite); its
# daily tables are emptied first, so that the refresh is the first one.
async def main(url: str, learners: int, think: float, warm_up: float, idle: float,
               limit: float, area: str, pause: float) -> None:
    core = await build_core(Settings(DATABASE_URL=url))
    reports = core.reports
    library = core.tutor.library
    clock = Clock()
    await empty_daily_tables(reports)
    run_id, counter = uuid.uuid4().hex[:8], itertools.count(1)

    def ids() -> str:
        return f"{run_id}:{next(counter)}"

    cpu, wall = time.process_time(), time.perf_counter()
    background = [asyncio.create_task(clock.probe())] + [
        asyncio.create_task(learner(n, core.tutor, library, clock, think, run_id, ids))
        for n in range(learners)]
    refreshed: dict[str, Any] = {}
    took: list[tuple[float, int]] = []
    try:
        await asyncio.sleep(warm_up)
        began = time.perf_counter()
        await asyncio.sleep(idle)
        clock.phases["idle"] = (began, time.perf_counter())
        done = asyncio.Event()
        exporting = asyncio.create_task(exports(core, url, area, pause, done, took))
        started = time.perf_counter()
        job = asyncio.create_task(
            core.worker.refresh(url, library.lesson_ids()) if hasattr(core, "worker")
            else refresh(reports, courses=library.lesson_ids()))
        finished, _ = await asyncio.wait([job], timeout=limit or None)
        clock.phases["refresh"] = (started, time.perf_counter())
        refreshed["seconds"] = time.perf_counter() - started
        refreshed["days"] = job.result() if finished else "stopped"
        done.set()
        job.cancel()
        await asyncio.gather(job, exporting, return_exceptions=True)
        await asyncio.sleep(5)  # the taps due during the refresh get their answers
    finally:
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        for task in background:
            task.cancel()
        await asyncio.gather(*background, return_exceptions=True)
        await core.dispose()
    backend = "SQLite" if is_sqlite(url) else "PostgreSQL"
    print(f"\n{backend}, {learners} learners tapping every {think:g} s on average; "
          f"first refresh: {refreshed['days']} days in {refreshed['seconds']:.1f} s; "
          f"{len(took)} XLSX exports of {area} (median "
          f"{statistics.median([s for s, _ in took]) if took else 0:.2f} s, "
          f"{took[0][1] if took else 0:,} bytes)")
    print("| phase | s | taps | tap p50 ms | tap p99 ms | tap max ms "
          "| probes | lag p50 ms | lag p99 ms | lag max ms |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for phase in ("idle", "refresh"):
        start, end = clock.phases[phase]
        print(f"| {phase} | {end - start:.0f} {summary(clock.of(phase, clock.turns))[:-1]}"
              f"{summary(clock.of(phase, clock.lags))}")
    calm, busy = (sorted(clock.of(phase, clock.turns)) for phase in ("idle", "refresh"))
    ratio = f"{percentile(busy, 0.99) / percentile(calm, 0.99):.2f}" if busy else "no taps"
    worst = sorted(((lag, when - clock.phases["refresh"][0]) for when, lag in clock.lags
                    if lag > 0.05), reverse=True)
    print(f"taps' p99 during / idle: {ratio}; lags over 50 ms: {len(worst)}, the worst (s from "
          "the refresh's start): " + ", ".join(f"{lag * 1000:.0f} ms at {at:.0f}"
                                              for lag, at in worst[:5]))
    for phase in ("idle", "refresh"):
        start, end = clock.phases[phase]
        over = [(lag, starved) for (when, lag), (_, starved) in zip(
            [(w, v) for w, v in clock.lags if v > 0.05], clock.starved, strict=True)
            if start <= when < end]
        print(f"lags over 50 ms, {phase}: {len(over)}, {sum(lag for lag, _ in over):.2f} s in all, "
              f"of which {sum(s for _, s in over):.2f} s waiting for a CPU (other processes)")
    for phase in ("idle", "refresh"):
        waits = sorted(clock.of(phase, clock.begins))
        if waits:
            print(f"SQLite, turns' transactions waiting to begin, {phase}: {len(waits)}, p99 "
                  f"{percentile(waits, 0.99) * 1000:.1f} ms, max {waits[-1] * 1000:.1f} ms")
    for phase in ("idle", "refresh"):
        full = clock.of(phase, clock.collections)
        cpu_full = clock.of(phase, clock.collections_cpu)
        print(f"full garbage collections, {phase}: {len(full)}, longest "
              f"{max(full, default=0) * 1000:.0f} ms ({max(cpu_full, default=0) * 1000:.0f} ms "
              "of CPU)")
    for phase in ("idle", "refresh"):
        start, end = clock.phases[phase]
        held = sorted(((cpu, what) for when, cpu, what in clock.held
                       if start <= when < end), reverse=True)
        print(f"callbacks holding the loop's CPU over {HELD * 1000:.0f} ms, {phase}: "
              f"{len(held)}; the longest: " + ", ".join(
                  f"{cpu * 1000:.0f} ms {what}" for cpu, what in held[:6]))
    print(f"CPU: this process {cpu / wall:.0%} of one core over {wall:.0f} s; load average "
          f"{os.getloadavg()[0]:.2f} at the end")

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="database filled by report_data.py or "
                                                     "report_sqlite.py")
    parser.add_argument("--learners", type=int, default=200)
    parser.add_argument("--think", type=float, default=1.0, help="mean seconds between taps")
    parser.add_argument("--warm-up", type=float, default=10)
    parser.add_argument("--idle", type=float, default=60, help="seconds measured before")
    parser.add_argument("--limit", type=float, default=0,
                        help="stop the refresh after this many seconds (0: let it finish)")
    parser.add_argument("--area", default="ha-noi", help="the exported area")
    parser.add_argument("--pause", type=float, default=5, help="seconds between exports")
    options = parser.parse_args()
    asyncio.run(main(options.url, options.learners, options.think, options.warm_up,
                     options.idle, options.limit, options.area, options.pause))
