"""Report work in child processes, so that its rows, garbage and files never hold the loop.

A report refresh, a dashboard page's report and a download run in processes of their own,
started on first use, from a thread, and niced, so that on a small server the learners' turns
come first. They are forked by multiprocessing's fork server, a process started once that has
imported this module: a child inherits no loop or connection, as a spawned one would, and
starts in milliseconds (it imports only the main module again, bot/cli.py for `hocso`) instead
of importing for 0.6 s of CPU. Where the fork server cannot be reached, they are spawned.
Before, they ran in the serving process: the rows they decoded, the bind parameters they
rendered and the full garbage collections of their objects held the event loop for up to
100-500 ms on a province's data, and every learner's turn waited (bench/RESULTS.md, issue 18).
One process refreshes; the others read, so a page never waits behind a first refresh of
minutes.
"""

import asyncio
import logging
import multiprocessing
import os
import select
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import suppress
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.admin.export import write
from bot.admin.report import Report, build, choose, file_name, tables
from bot.lessons.loader import load_library
from bot.lessons.model import Library
from storage.reports import Period, reports_engine
from storage.rollup import refresh
from storage.scope import Scope

NICE = 10  # how much lower than the serving process the children run
_FORKSERVER = multiprocessing.get_context("forkserver")
# What the fork server imports before forking children, instead of the main module.
_FORKSERVER.set_forkserver_preload([__name__])
_SPAWN = multiprocessing.get_context("spawn")
ENGINES = 4  # databases a child keeps an engine for (tests use many)
T = TypeVar("T")
log = logging.getLogger(__name__)


class ReportWorker:
    """Runs report work in child processes: one for refreshes, `readers` for the rest."""

    def __init__(self, *, readers: int = 1) -> None:
        self._sizes = {"refresh": 1, "read": readers}
        self._pools: dict[str, ProcessPoolExecutor] = {}
        # Jobs are submitted from threads (see _run) while close() runs on the loop: one at a
        # time, so that close() kills every child a submission started, and no job is queued
        # behind its back that its shutdown would then wait for (a refresh takes minutes).
        self._submitting = threading.Lock()
        self._context: BaseContext = _FORKSERVER

    def _pool(self, kind: str) -> ProcessPoolExecutor:
        pool = self._pools.get(kind)
        if pool is None:  # its processes start with its first job
            pool = self._pools[kind] = ProcessPoolExecutor(
                self._sizes[kind], mp_context=self._context, initializer=_start,
                initargs=(os.getpid(),))
        return pool

    async def _run(self, kind: str, job: Callable[..., T], *args: Any) -> T:
        pool = self._pool(kind)
        try:
            # A first job starts its child (and the fork server, the first time): starting a
            # process from the loop's thread held the loop for 10-74 ms, from another thread
            # for under 4 ms. Children that no job needs
            # (no organizer opened a page) are never started.
            return await asyncio.wrap_future(await asyncio.to_thread(self._submit, pool, job,
                                                                     *args))
        except BrokenProcessPool:
            # A child died (killed, out of memory): the next call starts new ones.
            self._forget(kind, pool)
            raise
        except OSError:
            # The fork server's socket, in the temporary directory, is gone: removed by an
            # age-based cleaning of /tmp (systemd-tmpfiles' 10 days on some systems) on a
            # server up that long. Spawned children need no socket.
            self._forget(kind, pool)
            pool.shutdown(wait=False, cancel_futures=True)
            if self._context is _SPAWN:
                raise
            log.warning("the report children's fork server cannot be reached; spawning them")
            self._context = _SPAWN
            return await self._run(kind, job, *args)

    def _forget(self, kind: str, pool: ProcessPoolExecutor) -> None:
        if self._pools.get(kind) is pool:
            del self._pools[kind]

    def _submit(self, pool: ProcessPoolExecutor, job: Callable[..., T], *args: Any) -> Future[T]:
        # After close(), the pool is shut down: submit raises RuntimeError.
        with self._submitting:
            return pool.submit(job, *args)

    async def refresh(self, url: str, courses: dict[str, tuple[str, ...]] | None = None) -> int:
        """storage.rollup.refresh in the refreshing child; how many days it filled."""
        return await self._run("refresh", _refresh, url, courses)

    async def report(self, url: str, scope: Scope, period: Period, *,
                     with_learners: bool = False, learner_limit: int | None = 100) -> Report:
        """bot.admin.report.build in a reading child."""
        return await self._run("read", _report, url, scope, period, with_learners,
                               learner_limit)

    async def download(self, url: str, library: Library, key: str, kind: str, scope: Scope,
                       period: Period, *, with_learners: bool) -> tuple[bytes, str] | None:
        """The file of one table, or of the whole report ("bao-cao"), and its name; None
        when there is no such table in that format."""
        return await self._run("read", _download, url, library.content_dir, key, kind, scope,
                               period, with_learners)

    def close(self) -> None:
        """Stop the children at once, even in the middle of a refresh (it rolls back, and
        the next run of `hocso serve` does it again). Holds the loop while a job being
        submitted starts its child (a few milliseconds)."""
        with self._submitting:
            for pool in self._pools.values():
                # ProcessPoolExecutor waits for a running job; a first refresh takes minutes.
                for process in list(pool._processes.values()):
                    process.kill()
                pool.shutdown(wait=True, cancel_futures=True)
            self._pools.clear()


# What a child keeps between jobs: its own event loop, engines and content.
_loop: asyncio.AbstractEventLoop | None = None
_engines: dict[str, AsyncEngine] = {}
_libraries: dict[str, Library] = {}


def _start(serving: int) -> None:
    with suppress(OSError):
        os.nice(NICE)
    # A serving process killed with SIGKILL cannot stop its children: they stop by themselves.
    threading.Thread(target=_exit_with, args=(serving,), daemon=True).start()


def _exit_with(serving: int) -> None:
    """Exit once the serving process has ended. Not by watching the parent: that is the fork
    server, which lives on while any child holds its pipe, as every child does."""
    try:
        ended = os.pidfd_open(serving)  # readable once it ends, reaped or not (Linux 5.3+)
    except ProcessLookupError:
        os._exit(0)
    except (AttributeError, OSError):  # no pidfd here: look every second
        while _running(serving):
            time.sleep(1)
        os._exit(0)
    select.select([ended], [], [])
    os._exit(0)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):  # ended; its number given to another user's
        return False
    return True


def _run_here(job: Any) -> Any:
    global _loop
    if _loop is None:
        _loop = asyncio.new_event_loop()
    return _loop.run_until_complete(job)


def _engine(url: str) -> AsyncEngine:
    if url not in _engines:
        if len(_engines) >= ENGINES:
            _run_here(_engines.pop(next(iter(_engines))).dispose())
        _engines[url] = reports_engine(url)
    return _engines[url]


def _refresh(url: str, courses: dict[str, tuple[str, ...]] | None) -> int:
    return int(_run_here(refresh(_engine(url), courses=courses)))


def _report(url: str, scope: Scope, period: Period, with_learners: bool,
            learner_limit: int | None) -> Report:
    report: Report = _run_here(build(_engine(url), scope, period, with_learners=with_learners,
                                     learner_limit=learner_limit))
    return report


def _download(url: str, content_dir: str, key: str, kind: str, scope: Scope, period: Period,
              with_learners: bool) -> tuple[bytes, str] | None:
    report = _report(url, scope, period, with_learners, None)
    if content_dir not in _libraries:
        _libraries[content_dir] = load_library(Path(content_dir))
    chosen = choose(tables(report, _libraries[content_dir]), key)
    if not chosen or (kind == "zip" and key != "bao-cao"):
        return None
    return (write(kind, chosen, lambda each: file_name(each, report, "csv")),
            file_name(key, report, kind))
