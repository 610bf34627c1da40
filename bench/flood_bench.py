"""Flood isolation of the web chat: others' latency while one client floods `hocso serve`.

Residents (each at an address of their own, told by X-Forwarded-For through a trusted proxy
address) send a message every `--think` seconds; their median latency is measured alone, then
while one client, from one address, floods with `--flood-connections` connections at once in
one way after another. The flooder runs in a process of its own, like a real one would.
`--checkout DIR` serves the code of another checkout (the before, for a comparison).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

import aiohttp

FLOODS = {  # how the flooder floods: each request's path and body
    "one session, /api/chat": ("/api/chat", "same"),
    "a new session each time, /api/chat": ("/api/chat", "new"),
    "forged sessions, /api/inbox": ("/api/inbox", "forged"),
    "new sessions, /api/session": ("/api/session", "none"),
}


def start_server(port: int, data: Path, checkout: Path | None) -> subprocess.Popen[bytes]:
    env = {**os.environ, "HOCSO_DATA_DIR": str(data), "HOCSO_PORT": str(port),
           "HOCSO_HOST": "127.0.0.1", "HOCSO_TRUSTED_PROXIES": "127.0.0.1",
           "HOCSO_LOG_LEVEL": "WARNING"}
    env.pop("DATABASE_URL", None)
    if checkout is not None:  # its `bot` and `storage` come first on the path
        env["PYTHONPATH"] = str(checkout)
    process = subprocess.Popen([sys.executable, "-m", "bot", "serve"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               cwd=checkout or Path.cwd())
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("hocso serve did not start")


async def post(http: aiohttp.ClientSession, url: str, address: str,
               body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    async with http.post(url, json=body, headers={"X-Forwarded-For": address}) as response:
        data = await response.json() if response.content_type == "application/json" else {}
        return response.status, data


async def resident(http: aiohttp.ClientSession, base: str, number: int, think: float,
                   until: float, latencies: list[float], failures: list[int]) -> None:
    """One resident at an address of their own: agree, then read their progress now and
    then (a turn that reads and writes, like a step)."""
    address = f"198.{51 + number // 250}.{number % 250}.7"  # a network each
    _, created = await post(http, f"{base}/api/session", address, {})
    session = created["session"]
    for payload in ("start", "agree", "ad:ban", "skip"):  # agree, be called "bạn", no name
        await post(http, f"{base}/api/chat", address, {"session": session, "payload": payload})
    sent = 0
    while time.monotonic() < until:
        sent += 1
        started = time.perf_counter()
        try:
            status, _ = await post(http, f"{base}/api/chat", address, {
                "session": session, "text": "tiến độ", "id": f"r{sent}"})
        except aiohttp.ClientError:
            status = 0  # the server dropped the connection
        if status == 200:
            latencies.append(time.perf_counter() - started)
        else:
            failures.append(status)
        await asyncio.sleep(think)


async def residents(base: str, count: int, think: float,
                    seconds: float) -> tuple[list[float], list[int]]:
    """Residents' latencies of answered messages, and the statuses of the others (0: the
    connection dropped)."""
    latencies: list[float] = []
    failures: list[int] = []
    until = time.monotonic() + seconds
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
        await asyncio.gather(*(resident(http, base, n, think, until, latencies, failures)
                               for n in range(count)))
    return latencies, failures


def flood(base: str, path: str, sessions: str, connections: int, seconds: float,
          statuses: Any) -> None:
    """The flooder's process: `connections` requests at a time, each sent once the last
    answer came, from one address."""
    async def run() -> Counter[int]:
        counts: Counter[int] = Counter()
        until = time.monotonic() + seconds
        async with aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=connections)) as http:
            own = ""
            if sessions == "same":
                own = (await post(http, f"{base}/api/session", "203.0.113.66", {}))[1].get(
                    "session", "")

            async def worker(number: int) -> None:
                sent = 0
                while time.monotonic() < until:
                    sent += 1
                    session = {"same": own, "none": "",
                               "new": secrets.token_urlsafe(18),
                               "forged": secrets.token_urlsafe(18)}[sessions]
                    body = {"session": session, "text": "1", "id": f"f{number}-{sent}"}
                    try:
                        status, _ = await post(http, base + path, "203.0.113.66", body)
                    except aiohttp.ClientError:
                        status = 0
                    counts[status] += 1
            await asyncio.gather(*(worker(n) for n in range(connections)))
        return counts

    statuses.update(asyncio.run(run()))


def median_ms(latencies: list[float]) -> float:
    return statistics.median(latencies) * 1000 if latencies else float("nan")


def p95_ms(latencies: list[float]) -> float:
    ordered = sorted(latencies)
    return ordered[int(0.95 * (len(ordered) - 1))] * 1000 if ordered else float("nan")


def measure(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as data:
        port = 20000 + os.getpid() % 10000
        base = f"http://127.0.0.1:{port}"
        server = start_server(port, Path(data), args.checkout)
        try:
            print("| flood | others answered | others not | others' p50 ms | others' p95 ms "
                  "| × alone | flooder's answers (status: count) |")
            print("|---|---:|---:|---:|---:|---:|---|")
            asyncio.run(residents(base, args.residents, args.think, 5))  # warm-up, not timed
            alone, failed = asyncio.run(residents(base, args.residents, args.think,
                                                  args.seconds))
            print(f"| none | {len(alone)} | {len(failed)} | {median_ms(alone):.1f} "
                  f"| {p95_ms(alone):.1f} | 1.0 | |", flush=True)
            for name, (path, sessions) in FLOODS.items():
                with multiprocessing.Manager() as manager:
                    statuses = manager.dict()
                    counter: dict[int, int] = {}
                    flooder = multiprocessing.Process(target=_flood_into, args=(
                        base, path, sessions, args.flood_connections, args.seconds + 2,
                        statuses))
                    flooder.start()
                    time.sleep(1)  # the flood is under way before the residents are timed
                    during, failed = asyncio.run(residents(base, args.residents,
                                                           args.think, args.seconds))
                    flooder.join()
                    counter.update(statuses)
                answers = ", ".join(f"{status}: {count}" for status, count
                                    in sorted(counter.items()))
                print(f"| {name} | {len(during)} | {len(failed)} | {median_ms(during):.1f} "
                      f"| {p95_ms(during):.1f} | {median_ms(during) / median_ms(alone):.1f} "
                      f"| {answers} |", flush=True)
        finally:
            server.terminate()
            server.wait(timeout=30)


def _flood_into(base: str, path: str, sessions: str, connections: int, seconds: float,
                shared: Any) -> None:
    counts: Counter[int] = Counter()
    flood(base, path, sessions, connections, seconds, counts)
    shared.update(counts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--residents", type=int, default=20)
    parser.add_argument("--think", type=float, default=0.5, help="seconds between messages")
    parser.add_argument("--seconds", type=float, default=15, help="length of each phase")
    parser.add_argument("--flood-connections", type=int, default=20)
    parser.add_argument("--checkout", type=Path, help="serve this checkout's code instead")
    measure(parser.parse_args())


if __name__ == "__main__":
    main()
