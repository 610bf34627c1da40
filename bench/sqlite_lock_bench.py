"""How long a learner's turn waits for SQLite's write lock while another process writes in
short transactions (as a report refresh does): SQLite's own busy handler against SharedCommits
asking again every LOCK_POLL_SECONDS. Each side's turns run through the real SharedCommits."""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

import sqlalchemy
from sqlalchemy import text
from tutor_bench import percentile

from storage.database import create_engine, create_turn_engine
from storage.transactions import SharedCommits


def other_writer(path: str, hold: float, pause: float, stop: Any) -> None:
    """Another process: write transactions of `hold` seconds, `pause` seconds apart."""
    connection = sqlite3.connect(path, isolation_level=None, timeout=30)
    while not stop.is_set():
        connection.execute("BEGIN IMMEDIATE")
        until = time.perf_counter() + hold
        while time.perf_counter() < until:
            connection.execute("INSERT INTO other (x) VALUES (1)")
        connection.execute("COMMIT")
        time.sleep(pause)
    connection.close()


async def turns(shared: SharedCommits, count: int, gap: float) -> list[float]:
    """`count` turns one after another, each timed from asking to its transaction's start."""
    waits = []
    for number in range(count):
        asked = time.perf_counter()
        async with shared() as connection:
            waits.append(time.perf_counter() - asked)
            await connection.execute(text("INSERT INTO mine (x) VALUES (:x)"), {"x": number})
        await asyncio.sleep(gap)
    return waits


async def measure(kind: str, path: Path, args: argparse.Namespace) -> list[float]:
    engine = create_engine(f"sqlite:///{path}")
    if kind == "sqlite's busy handler":  # the turn engine as it was: a 30 s busy timeout
        turn_engine = sqlalchemy.create_engine(
            f"sqlite+pysqlite:///{path}?timeout=30", poolclass=sqlalchemy.pool.StaticPool,
            connect_args={"check_same_thread": False})
        sqlalchemy.event.listen(turn_engine, "connect",  # SharedCommits says BEGIN IMMEDIATE
                                lambda dbapi, _: setattr(dbapi, "isolation_level", None))
    else:
        turn_engine = create_turn_engine(engine)
    shared = SharedCommits(turn_engine, busy_seconds=30)
    stop = multiprocessing.Event()
    writer = multiprocessing.Process(target=other_writer,
                                     args=(str(path), args.hold, args.pause, stop))
    writer.start()
    try:
        await asyncio.sleep(0.5)
        return await turns(shared, args.turns, args.gap)
    finally:
        stop.set()
        writer.join()
        turn_engine.dispose()
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--turns", type=int, default=2000)
    parser.add_argument("--hold", type=float, default=0.003, help="the other's transaction, s")
    parser.add_argument("--pause", type=float, default=0.002, help="between its transactions")
    parser.add_argument("--gap", type=float, default=0.003, help="between our turns, s")
    args = parser.parse_args()
    print("| waiting for the lock | turns | p50 ms | p90 ms | p99 ms | max ms |")
    print("|---|---:|---:|---:|---:|---:|")
    for kind in ("sqlite's busy handler", "SharedCommits every 0.5 ms"):
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / "lock.db"
            with sqlite3.connect(path) as db:
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("CREATE TABLE other (x INTEGER)")
                db.execute("CREATE TABLE mine (x INTEGER)")
            waits = sorted(asyncio.run(measure(kind, path, args)))
            p50, p90, p99 = (percentile(waits, f) * 1000 for f in (0.5, 0.9, 0.99))
            print(f"| {kind} | {len(waits)} | {p50:.2f} | {p90:.2f} | {p99:.2f} "
                  f"| {waits[-1] * 1000:.2f} |", flush=True)


if __name__ == "__main__":
    main()
