"""Copy the report benchmark's PostgreSQL database (report_data.py) into a migrated SQLite file."""

import argparse
import asyncio
import sqlite3
import time
from pathlib import Path

import asyncpg
from report_data import TABLES
from sqlalchemy.engine import make_url

from storage.database import create_engine, upgrade

BATCH = 50_000
# As SQLAlchemy's SQLite types store them: naive UTC text, dates as ISO, booleans as 0/1.
TIMESTAMP = "to_char({0} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')"
CONVERT = {"timestamp with time zone": TIMESTAMP, "timestamp without time zone": TIMESTAMP,
           "date": "to_char({0}, 'YYYY-MM-DD')", "boolean": "{0}::int"}


async def _migrated(path: Path) -> None:
    path.unlink(missing_ok=True)
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    engine = create_engine(f"sqlite:///{path}")
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


async def copy(pg_url: str, path: Path) -> None:
    """Fill a fresh SQLite file at `path` with every row the generator wrote."""
    started = time.perf_counter()
    await _migrated(path)
    target = sqlite3.connect(path, isolation_level=None)
    # Loading only: nothing to lose if the machine stops, so no journal and no fsync.
    for pragma in ("journal_mode=OFF", "synchronous=OFF", "cache_size=-4000000",
                   "foreign_keys=OFF", "temp_store=MEMORY"):
        target.execute(f"PRAGMA {pragma}")
    indexes = target.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        f"AND tbl_name IN ({', '.join('?' * len(TABLES))})", TABLES).fetchall()
    for name, _ in indexes:
        target.execute(f'DROP INDEX "{name}"')
    source = await asyncpg.connect(make_url(pg_url).set(drivername="postgresql")
                                   .render_as_string(hide_password=False))
    try:
        for table in TABLES:
            columns = [row[1] for row in target.execute(f"PRAGMA table_info({table})")]
            types = dict(await source.fetch(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_name = $1", table))
            selected = ", ".join(CONVERT.get(types[column], "{0}").format(f'"{column}"')
                                 for column in columns)
            insert = (f"INSERT INTO {table} ({', '.join(columns)}) "
                      f"VALUES ({', '.join('?' * len(columns))})")
            table_started, rows = time.perf_counter(), 0
            async with source.transaction():
                cursor = await source.cursor(f"SELECT {selected} FROM {table}")
                target.execute("BEGIN")
                while batch := await cursor.fetch(BATCH):
                    target.executemany(insert, batch)
                    rows += len(batch)
                target.execute("COMMIT")
            print(f"  {table:<20} {rows:>12,} rows {time.perf_counter() - table_started:7.1f} s",
                  flush=True)
    finally:
        await source.close()
    index_started = time.perf_counter()
    for _, sql in indexes:
        target.execute(sql)
    target.execute("ANALYZE")
    target.execute("PRAGMA journal_mode=WAL")
    target.close()
    print(f"  {'indexes, analyze':<20} {time.perf_counter() - index_started:20.1f} s")
    print(f"  {'total':<20} {time.perf_counter() - started:20.1f} s, "
          f"{path.stat().st_size / 2**30:.1f} GiB")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True, help="postgresql+asyncpg://... filled by "
                                                     "report_data.py")
    parser.add_argument("--sqlite", type=Path, required=True, help="file to (re)create")
    options = parser.parse_args()
    asyncio.run(copy(options.url, options.sqlite))
