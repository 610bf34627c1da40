"""Benchmark `hocso serve` as a process: start-up time and memory with many learners stored,
and POST /api/chat under load from this (second) process against a bare aiohttp handler."""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from tutor_bench import COURSE_ID, Learner, percentile, simulate

from bot.config import PROJECT_ROOT
from bot.lessons.loader import load_library
from bot.lessons.model import Library
from bot.lessons.render import Renderer
from bot.messages import Button, Incoming, Outgoing
from storage.database import create_engine, upgrade
from storage.repository import SqlRepository

SEED_LEARNERS = 200  # taken through a lesson by the real tutor, then copied


async def seed(data_dir: Path, library: Library, learners: int) -> None:
    """A migrated SQLite file holding `learners` learners, each with a finished lesson."""
    url = f"sqlite:///{data_dir / 'hocso.db'}"
    engine = create_engine(url)
    await upgrade(engine)
    if learners:
        await simulate("sqlite", SqlRepository(engine), library, min(learners, SEED_LEARNERS),
                       concurrency=50)
    await engine.dispose()
    copies = learners // SEED_LEARNERS - 1
    if copies <= 0:
        return
    with sqlite3.connect(data_dir / "hocso.db") as db:
        def columns(table: str) -> list[str]:
            return [row[1] for row in db.execute(f"PRAGMA table_info({table})") if row[1] != "id"]
        names = columns("learner")
        values = ["user_ref || '~' || k" if name == "user_ref" else name for name in names]
        db.execute(f"WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE "
                   f"k < {copies}) INSERT INTO learner ({', '.join(names)}) "
                   f"SELECT {', '.join(values)} FROM learner, n")
        for table in ("lesson_result", "quiz_answer"):
            names = columns(table)
            values = ["copy.id" if name == "learner_id" else f"t.{name}" for name in names]
            db.execute(f"INSERT INTO {table} ({', '.join(names)}) SELECT {', '.join(values)} "
                       f"FROM learner copy JOIN learner original ON original.user_ref = "
                       f"substr(copy.user_ref, 1, instr(copy.user_ref, '~') - 1) "
                       f"AND original.channel = copy.channel "
                       f"JOIN {table} t ON t.learner_id = original.id "
                       f"WHERE instr(copy.user_ref, '~') > 0")
        db.commit()


def rss_mb(pid: int) -> float:
    """Resident memory of a process, in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def cpu_seconds(pid: int) -> float:
    """CPU time a process has used so far (user + system): a server's cost per request, which
    the machine's other load changes far less than requests/s."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start(command: list[str], env: dict[str, str], port: int) -> tuple[subprocess.Popen[bytes],
                                                                        float]:
    """Start a server process; return it and the seconds until /healthz answered."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    import urllib.request
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{command} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return process, time.perf_counter() - started
        except OSError:
            time.sleep(0.02)


def outgoing(reply: dict[str, Any]) -> Outgoing:
    """The web API's JSON reply as an Outgoing, for tutor_bench's Learner to choose from."""
    return Outgoing(reply["text"], tuple(tuple(Button(b["said"], b["payload"]) for b in row)
                                         for row in reply.get("buttons", [])))


class WebLearner(Learner):
    """tutor_bench's Learner, talking to POST /api/chat over HTTP."""

    def __init__(self, http: aiohttp.ClientSession, base: str, library: Library,
                 number: int) -> None:
        course = library.course(COURSE_ID)
        assert course is not None
        super().__init__(None, course.lessons[0], "", lambda: "",  # type: ignore[arg-type]
                         renderer=Renderer(library.templates))
        self.http, self.base, self.number = http, base, number
        self.message_ids = iter(range(1, 1000))

    async def send(self, incoming: Incoming, latencies: list[float]) -> list[Outgoing]:
        if not self.user_ref:
            async with self.http.post(f"{self.base}/api/session") as response:
                self.user_ref = (await response.json())["session"]
        body = {"session": self.user_ref, "id": str(next(self.message_ids)),
                "payload": incoming.payload or "start"}  # the page's first press is "start"
        started = time.perf_counter()
        async with self.http.post(f"{self.base}/api/chat", json=body) as response:
            data = await response.json()
            if response.status != 200:
                raise RuntimeError(f"{response.status}: {data}")
        latencies.append(time.perf_counter() - started)
        return [outgoing(reply) for reply in data["replies"]]


async def load_hocso(port: int, library: Library, learners: int,
                     concurrency: int) -> tuple[list[float], float]:
    """Learners take lesson 1 through the web API, `concurrency` at a time."""
    latencies: list[float] = []
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as http:
        people = [WebLearner(http, f"http://127.0.0.1:{port}", library, n)
                  for n in range(learners)]
        queue = list(reversed(people))

        async def worker() -> None:
            while queue:
                await queue.pop().take_lesson(latencies)
        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return latencies, time.perf_counter() - started


async def load_floor(port: int, requests: int, concurrency: int) -> tuple[list[float], float]:
    """The same number of JSON POSTs to the bare handler."""
    latencies: list[float] = []
    remaining = [requests]
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as http:
        async def worker() -> None:
            while remaining[0] > 0:
                remaining[0] -= 1
                started = time.perf_counter()
                async with http.post(f"http://127.0.0.1:{port}/api/chat",
                                     json={"session": "x", "payload": "n:1"}) as response:
                    await response.json()
                latencies.append(time.perf_counter() - started)
        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return latencies, time.perf_counter() - started


def floor_server(port: int) -> None:
    """A bare aiohttp app: parse the JSON body, answer one JSON reply."""
    async def chat(request: web.Request) -> web.Response:
        body = await request.json()
        return web.json_response({"replies": [{"text": body.get("payload", ""), "buttons": []}]})

    async def health(_request: web.Request) -> web.Response:
        return web.Response(text="ok")
    app = web.Application()
    app.router.add_post("/api/chat", chat)
    app.router.add_get("/healthz", health)
    web.run_app(app, host="127.0.0.1", port=port, print=None)


def free_port() -> int:
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def row(name: str, latencies: list[float], wall: float, cpu: float, extra: str = "") -> str:
    values = sorted(latencies)
    p50, p99 = (percentile(values, f) * 1000 for f in (0.5, 0.99))
    return (f"| {name:<28} | {len(values):>8} | {len(values) / wall:>10.0f} | {p50:>6.1f} "
            f"| {p99:>6.1f} | {cpu * 1000 / len(values):>9.2f} |{extra}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stored", default="0,10000,100000",
                        help="learners stored before the start, comma-separated")
    parser.add_argument("--learners", type=int, default=300, help="learners taking a lesson")
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--floor-server", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.floor_server:
        floor_server(args.floor_server)
    else:
        asyncio.run(measure(args))


async def measure(args: argparse.Namespace) -> None:
    """Each stored size in turn, then the floor with as many requests."""
    library = load_library(PROJECT_ROOT / "content")
    # CPU ms/req: the server process's CPU over the load (sessions included) per request.
    print("| hocso serve, web chat        | requests | requests/s | p50 ms | p99 ms "
          "| CPU ms/req | stored learners | start s | RSS at start MiB | RSS after MiB |")
    print("|------------------------------|---------:|-----------:|-------:|-------:"
          "|-----------:|----------------:|--------:|-----------------:|--------------:|")
    for stored in (int(value) for value in args.stored.split(",")):
        with tempfile.TemporaryDirectory(prefix="hocso-serve-bench-") as directory:
            data_dir = Path(directory)
            began = time.perf_counter()
            await seed(data_dir, library, stored)
            print(f"  (seeded {stored} learners in {time.perf_counter() - began:.0f} s)",
                  file=sys.stderr, flush=True)
            port = free_port()
            env = {**os.environ, "HOCSO_DATA_DIR": str(data_dir), "HOCSO_PORT": str(port),
                   "HOCSO_MESSAGES_PER_SECOND": "100000", "HOCSO_LOG_LEVEL": "WARNING",
                   # every simulated learner comes from this one address
                   "HOCSO_WEB_REQUESTS_PER_MINUTE": "100000",
                   "HOCSO_WEB_SESSIONS_PER_HOUR": "100000"}
            env.pop("DATABASE_URL", None)
            process, seconds = start([sys.executable, "-m", "bot", "serve"], env, port)
            try:
                at_start, cpu = rss_mb(process.pid), cpu_seconds(process.pid)
                latencies, wall = await load_hocso(port, library, args.learners,
                                                   args.concurrency)
                after, cpu = rss_mb(process.pid), cpu_seconds(process.pid) - cpu
            finally:
                process.terminate()
                process.wait()
            print(row("Học Số POST /api/chat", latencies, wall, cpu,
                      f" {stored:>15} | {seconds:>7.2f} | {at_start:>16.0f} "
                      f"| {after:>13.0f} |"), flush=True)
    port = free_port()
    process, _ = start([sys.executable, __file__, "--floor-server", str(port)], dict(os.environ),
                       port)
    try:
        cpu = cpu_seconds(process.pid)
        latencies, wall = await load_floor(port, len(latencies), args.concurrency)
        cpu = cpu_seconds(process.pid) - cpu
    finally:
        process.terminate()
        process.wait()
    print(row("bare aiohttp handler (floor)", latencies, wall, cpu, " | | | |"))


if __name__ == "__main__":
    main()
