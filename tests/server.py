"""Run `hocso serve` (and other `hocso` commands) as real processes, for end-to-end tests, or
`hocso serve`'s own serve() in this process for tests that only talk to it over HTTP."""

import asyncio
import atexit
import functools
import gc
import io
import logging
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.request
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, asynccontextmanager, closing, contextmanager
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy
from sqlalchemy import Select, func, select

from storage.database import create_engine, upgrade
from storage.outbox import OUTBOX
from storage.repository import PROCESSED

T = TypeVar("T")


def aside(job: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run `job` in an event loop of its own, in a thread: a session fixture (or a file made
    once) may be first asked for from inside a test's running event loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, job()).result()


@functools.cache
def migrated_sqlite_file() -> Path:
    """A SQLite file migrated to the latest revision, made once per test process, to copy:
    running every migration took longer than many tests themselves."""
    folder = Path(tempfile.mkdtemp(prefix="hocso-migrated-"))
    atexit.register(shutil.rmtree, folder, True)
    path = folder / "hocso.db"

    async def migrate() -> None:
        engine = create_engine(f"sqlite:///{path}")
        try:
            await upgrade(engine)
        finally:
            await engine.dispose()

    aside(migrate)  # the first caller may be inside a running event loop
    with closing(sqlite3.connect(path)) as connection:  # all in the one file, to copy alone
        connection.execute("PRAGMA journal_mode=DELETE")
    return path


def migrated(data_dir: Path) -> None:
    """Give a `hocso` process about to start on `data_dir` a migrated SQLite file, unless the
    test has put one there: it then upgrades nothing, as a server does on every restart."""
    data_dir.mkdir(parents=True, exist_ok=True)
    if not (data_dir / "hocso.db").exists():
        shutil.copyfile(migrated_sqlite_file(), data_dir / "hocso.db")


@functools.cache
def content_checked_mark() -> Path:
    """The mark a server leaves in its data folder once the shipped content passed its start-up
    check (bot/lessons/checked.py), made once per test process by that check, to copy: the
    check costs each start 0.5-1 s of CPU, and the suite starts about 60 servers. Tests of
    the check itself, and servers given other content, check as a first start does."""
    from bot.config import PROJECT_ROOT
    from bot.handlers.registry import registry
    from bot.lessons.checked import check_for_serving

    folder = Path(tempfile.mkdtemp(prefix="hocso-checked-"))
    atexit.register(shutil.rmtree, folder, True)
    _, problems = check_for_serving(PROJECT_ROOT / "content", folder, registry().samples,
                                    commands=registry().commands)
    assert not problems, problems
    [mark] = folder.iterdir()
    return mark


def content_checked(data_dir: Path) -> None:
    """Leave in `data_dir` the mark of the shipped content's passed check, as a server that
    started there before would have."""
    data_dir.mkdir(parents=True, exist_ok=True)
    mark = content_checked_mark()
    shutil.copyfile(mark, data_dir / mark.name)


# How long `hocso serve` in this process may take to stop: well under a second, but 60 s and
# more while a job cancelled mid-query kept SQLite's write lock (storage/database.py).
STOP_SECONDS = 60
# How long `hocso serve` may take to answer /healthz: about 3 s of CPU, but a machine whose two
# cores run the suite's workers, their servers and Chromium has been seen to take over 30 s.
START_SECONDS = 90


def hocso(data_dir: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[bytes]:
    """Run one `hocso` command with its SQLite file in `data_dir`, as an operator would."""
    migrated(data_dir)
    content_checked(data_dir)
    env = {**os.environ, "HOCSO_DATA_DIR": str(data_dir)}
    env.pop("DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin.encode(), env=env,
                          capture_output=True, check=False)


@contextmanager
def as_hocso(data_dir: Path) -> Iterator[None]:
    """The environment `hocso(data_dir, ...)` gives its process, in this one meanwhile."""
    saved = {name: os.environ.get(name) for name in ("HOCSO_DATA_DIR", "DATABASE_URL")}
    os.environ["HOCSO_DATA_DIR"] = str(data_dir)
    os.environ.pop("DATABASE_URL", None)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def hocso_here(data_dir: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[bytes]:
    """What `hocso(data_dir, *args)` gives, from the same `bot.cli.main` run in this process.

    For a test that runs one command many times to vary its arguments: starting Python and
    importing the bot costs a process 2-3 s of CPU, more than the command itself. At least one
    test per command still runs it as a real process (exit codes, stdin, stdout of its own).
    """
    from bot.cli import main  # imported here: a test that only starts processes needs none

    migrated(data_dir)
    out, err = io.BytesIO(), io.BytesIO()
    stdout, stderr = (io.TextIOWrapper(buffer, encoding="utf-8") for buffer in (out, err))
    saved_streams = sys.stdin, sys.stdout, sys.stderr
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level  # main() sets its own
    sys.stdin, sys.stdout, sys.stderr = io.StringIO(stdin), stdout, stderr
    try:
        # In a thread of its own: main() runs its own event loop, and a test's may be running.
        with as_hocso(data_dir), ThreadPoolExecutor(max_workers=1) as pool:
            try:
                code = pool.submit(main, list(args)).result()
            except SystemExit as error:  # argparse refusing the arguments
                code = error.code if isinstance(error.code, int) else 2
        stdout.flush()
        stderr.flush()
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved_streams
        root.handlers = saved_handlers
        root.setLevel(saved_level)
    return subprocess.CompletedProcess(["hocso", *args], code, out.getvalue(), err.getvalue())


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now.

    It is taken below the range the kernel hands out by itself (to sockets bound to port 0
    and to outgoing connections), so no other test, in this process or in a parallel one,
    is given it before `hocso serve` listens on it.
    """
    try:
        ephemeral = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        ephemeral = 32768
    while True:
        port = random.randrange(10_000, max(ephemeral, 20_000))
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:  # taken
                continue
            return port


@contextmanager
def running_server(data_dir: Path, port: int, *, extra_env: dict[str, str] | None = None,
                   wait_until_up: bool = True) -> Iterator[subprocess.Popen[bytes]]:
    """Start `hocso serve` with its SQLite file in `data_dir`; stop it (SIGTERM) on exit.

    Unless told not to, wait until it answers /healthz (its channels have started)."""
    env = {**os.environ, "HOCSO_DATA_DIR": str(data_dir), "HOCSO_PORT": str(port),
           "HOCSO_HOST": "127.0.0.1", **(extra_env or {})}
    if "DATABASE_URL" not in (extra_env or {}):
        env.pop("DATABASE_URL", None)  # the SQLite file in data_dir, whatever the shell says
        migrated(data_dir)
    content_checked(data_dir)
    log = data_dir / "server.log"
    with log.open("ab") as output:
        process = subprocess.Popen([sys.executable, "-m", "bot", "serve"], env=env,
                                   stdout=output, stderr=subprocess.STDOUT)
    try:
        if wait_until_up:
            _wait_until_answered(port, lambda: _exited(process, log))
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@asynccontextmanager
async def serving(data_dir: Path, port: int | None = None, *,
                  extra_env: dict[str, str] | None = None, wait_until_up: bool = True,
                  ) -> AsyncIterator[subprocess.Popen[bytes]]:
    """running_server (on a free port unless given), started and stopped in a worker thread.

    The calling event loop stays free meanwhile, so a fake messenger API it serves can answer
    `hocso serve` while it starts, runs and stops cleanly (SIGTERM) on leaving the block.
    """
    with ExitStack() as stack:
        chosen = free_port() if port is None else port
        process = await asyncio.to_thread(stack.enter_context, running_server(
            data_dir, chosen, extra_env=extra_env, wait_until_up=wait_until_up))
        try:
            yield process
        finally:
            await asyncio.to_thread(stack.close)


@contextmanager
def running_here(data_dir: Path, port: int, *, extra_env: dict[str, str] | None = None,
                 ) -> Iterator[str]:
    """What running_server starts, from `hocso serve`'s own bot.app.serve run in this process,
    in a thread with an event loop of its own; give its address, stop it (as SIGTERM does) on
    exit. Its log lines (those of its threads) go to server.log in `data_dir`, as a process's.

    For tests that only talk to the server: a `hocso serve` process costs 1.5-2.5 s of CPU to
    start, mostly the imports that this process has already made. What needs a process of its
    own (kill -9, restarts, several servers sharing a database, signals, the command line) is
    tested with running_server and serving.
    """
    from bot import logs  # imported here: a test that only starts processes needs none
    from bot.app import serve
    from bot.config import Settings

    environment = {"HOCSO_DATA_DIR": str(data_dir), "HOCSO_PORT": str(port),
                   "HOCSO_HOST": "127.0.0.1", "DATABASE_URL": "", **(extra_env or {})}
    if not environment["DATABASE_URL"]:
        migrated(data_dir)
    content_checked(data_dir)
    # The rest from this process's environment, as a process started here would read it.
    settings = Settings(**environment)  # type: ignore[arg-type]
    name = f"hocso-serve:{port}:"  # its threads' names begin so
    loop = asyncio.new_event_loop()
    loop.set_default_executor(ThreadPoolExecutor(thread_name_prefix=name))
    stop = asyncio.Event()
    failed: list[BaseException] = []

    def run() -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(serve(settings, stop))
        except BaseException as error:  # told to the test below
            failed.append(error)
        finally:
            loop.run_until_complete(loop.shutdown_default_executor())
            loop.close()

    with (data_dir / "server.log").open("a", encoding="utf-8") as log:
        written = logs.handler(settings, log)
        written.addFilter(lambda record: (record.threadName or "").startswith(name))
        root = logging.getLogger()
        level, threshold = root.level, gc.get_threshold()
        root.addHandler(written)
        wanted = logging.getLevelName(settings.log_level.upper())
        if level > wanted:
            root.setLevel(wanted)
        thread = threading.Thread(target=run, name=name + "loop", daemon=True)
        thread.start()
        try:
            _wait_until_answered(port, lambda: failed[0] if failed else (
                None if thread.is_alive() else RuntimeError("the server thread ended")))
            # What build_core sets for a serving process, not for this one's tests.
            gc.unfreeze()
            gc.set_threshold(*threshold)
            yield f"http://127.0.0.1:{port}"
        finally:
            if thread.is_alive():
                loop.call_soon_threadsafe(stop.set)
            thread.join(timeout=STOP_SECONDS)
            stuck = _where_stuck(loop, name) if thread.is_alive() else ""
            root.removeHandler(written)
            root.setLevel(level)
            gc.unfreeze()
            gc.set_threshold(*threshold)
    if stuck:
        raise RuntimeError(f"hocso serve (in this process) did not stop within {STOP_SECONDS} s;"
                           f" where it waits:\n{stuck}")
    if failed and not isinstance(failed[0], Exception):
        raise failed[0]
    if failed:
        raise RuntimeError("hocso serve (in this process) failed") from failed[0]


def _where_stuck(loop: asyncio.AbstractEventLoop, name: str) -> str:
    """The stacks of a server (running_here) that did not stop: those of its threads, whose
    names begin with `name`, and the awaits its event loop's tasks wait in. Read from this
    thread, while that loop waits: at worst a task moves on as it is read."""
    frames = sys._current_frames()
    lines: list[str] = []
    for thread in threading.enumerate():
        if thread.name.startswith(name) and thread.ident in frames:
            lines += [f"thread {thread.name}:", *(entry.rstrip("\n") for entry in
                                                   traceback.format_stack(frames[thread.ident]))]
    for task in asyncio.all_tasks(loop):
        lines.append(f"{task!r} awaits:")
        awaited: Any = task.get_coro()
        while (frame := getattr(awaited, "cr_frame", None) or getattr(awaited, "gi_frame", None)):
            lines.append(f"  {frame.f_code.co_filename}:{frame.f_lineno} in {frame.f_code.co_name}")
            awaited = getattr(awaited, "cr_await", None) or getattr(awaited, "gi_yieldfrom", None)
    return "\n".join(lines)


@asynccontextmanager
async def serving_here(data_dir: Path, port: int | None = None, *,
                       extra_env: dict[str, str] | None = None) -> AsyncIterator[str]:
    """running_here (on a free port unless given), started and stopped in a worker thread, as
    serving does: the calling event loop stays free meanwhile (for the fakes it serves)."""
    with ExitStack() as stack:
        chosen = free_port() if port is None else port
        address = await asyncio.to_thread(stack.enter_context, running_here(
            data_dir, chosen, extra_env=extra_env))
        try:
            yield address
        finally:
            await asyncio.to_thread(stack.close)


def _wait_until_answered(port: int, failure: Callable[[], BaseException | None]) -> None:
    """Until /healthz answers; `failure` tells why the server will not (it exited, its thread
    ended), raised as the cause."""
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if (error := failure()) is not None:
            raise RuntimeError("hocso serve did not start") from error
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"hocso serve did not answer within {START_SECONDS} s")


def _exited(process: subprocess.Popen[bytes], log: Path) -> BaseException | None:
    if process.poll() is None:
        return None
    return RuntimeError(f"it exited with {process.returncode}:\n{log.read_text(errors='replace')}")


def unsent() -> Select[int]:
    """How many messages the outbox holds unsent: a turn's replies until `hocso serve` has
    sent them (or a process that took over those of one that died), and messages for others."""
    return select(func.count()).select_from(OUTBOX).where(OUTBOX.c.sent_at.is_(None))


def marked(channel: str) -> Select[int]:
    """How many updates of `channel` are marked processed."""
    return select(func.count()).select_from(PROCESSED).where(PROCESSED.c.channel == channel)


def read_only(data_dir: Path) -> sqlalchemy.Engine:
    """The SQLite file of `hocso serve` in `data_dir`, to read while it runs: a reader takes
    no lock, so the server never waits for the test."""
    return sqlalchemy.create_engine(f"sqlite:///file:{data_dir / 'hocso.db'}?mode=ro&uri=true")


def handled_and_sent(engine: sqlalchemy.Engine, channel: str, updates: int) -> bool:
    """Whether `updates` updates of `channel` are processed and the outbox owes nothing: once
    so, a server that has sent each reply once sends nothing more."""
    with engine.connect() as connection:
        return (connection.execute(marked(channel)).scalar() == updates
                and connection.execute(unsent()).scalar() == 0)
