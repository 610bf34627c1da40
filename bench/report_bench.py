"""Time the organizer reports on a large PostgreSQL database (fill it with report_data.py).

Measures: filling the daily tables from nothing and the routine refresh; the overview of a
province, a ward and a village; the province's whole report as CSV and XLSX; a ward's resident
list; and, to show what the daily tables buy, the most-missed questions read straight from
quiz_answer.
"""

import argparse
import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import case, func, select, text

from bot.admin.export import write
from bot.admin.report import build, choose, tables
from bot.config import PROJECT_ROOT
from bot.lessons.loader import load_library
from storage.clock import local_date
from storage.database import create_engine
from storage.reports import Period
from storage.repository import ANSWER, LEARNER
from storage.rollup import refresh
from storage.scope import Scope

DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/hocso_report"


async def _timed(what: str, job: Callable[[], Awaitable[Any]], repeat: int) -> Any:
    seconds, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = await job()
        seconds.append(time.perf_counter() - started)
    shown = f"median {statistics.median(seconds) * 1000:8.1f} ms  max " \
            f"{max(seconds) * 1000:8.1f} ms" if repeat > 1 else f"{seconds[0] * 1000:8.1f} ms"
    print(f"{what:<58} {shown}  (n={repeat})", flush=True)
    return result


async def main(url: str, repeat: int, backfill: bool) -> None:
    library = load_library(Path(PROJECT_ROOT / "content"))
    engine = create_engine(url)
    today = local_date()
    month, half_year = (Period(today - timedelta(days=29), today),
                        Period(today - timedelta(days=179), today))
    try:
        async with engine.connect() as connection:
            for table in ("learner", "quiz_answer", "lesson_result", "daily_answers"):
                count = await connection.scalar(text(f"SELECT count(*) FROM {table}"))
                print(f"{table:<16} {count:>12,} rows")
            ward = str(await connection.scalar(
                select(LEARNER.c.area_commune).where(LEARNER.c.area_village != "")
                .group_by(LEARNER.c.area_commune).order_by(func.count().desc()).limit(1)))
            village = str(await connection.scalar(
                select(LEARNER.c.area_village).where(LEARNER.c.area_commune == ward)
                .where(LEARNER.c.area_village != "").limit(1)))
            await connection.rollback()
        if backfill:
            async with engine.begin() as connection:
                await connection.execute(text(
                    "TRUNCATE daily_answers, daily_lessons, daily_courses"))
                await connection.execute(text("UPDATE rollup_state SET refreshed_at = NULL"))
            await _timed("refresh: fill every day from nothing", lambda: refresh(engine), 1)
            # What autovacuum does soon after a fill this big; without it the planner thinks
            # the daily tables are empty and reads them badly.
            async with engine.begin() as connection:
                await connection.execute(text(
                    "ANALYZE daily_answers, daily_lessons, daily_courses"))
        await _timed("refresh: the routine one (last day or two)", lambda: refresh(engine),
                     repeat)
        for label, scope, period in (("province", Scope("ha-noi"), month),
                                     ("province, 180 days", Scope("ha-noi"), half_year),
                                     (f"ward {ward}", Scope(ward), month),
                                     (f"village {village}", Scope(village), month)):
            await _timed(f"overview: {label}", partial(build, engine, scope, period), repeat)

        async def export(kind: str, period: Period) -> int:
            report = await build(engine, Scope("ha-noi"), period)
            chosen = choose(tables(report, library), "bao-cao")
            return len(write(kind, chosen, lambda key: f"{key}.csv"))

        for kind in ("zip", "xlsx"):  # zip: a CSV file per table
            size = await _timed(f"export: province, whole report, {kind}, 30 days",
                                partial(export, kind, month), repeat)
            print(f"{'':<58} {size:,} bytes")

        async def residents(kind: str) -> int:
            report = await build(engine, Scope(ward), month, with_learners=True,
                                 learner_limit=None)
            rows = len(report.learners or [])
            body = write(kind, choose(tables(report, library), "nguoi-hoc"),
                         lambda key: f"{key}.csv")
            print(f"{'':<58} {rows:,} residents, {len(body):,} bytes")
            return rows

        for kind in ("csv", "xlsx"):
            await _timed(f"export: ward {ward}, resident list, {kind}",
                         partial(residents, kind), 1)

        async def missed_from_raw_rows() -> int:
            wrong = func.sum(case((ANSWER.c.correct, 0), else_=1))
            query = (select(ANSWER.c.course_id, ANSWER.c.lesson_id, ANSWER.c.question_id, wrong)
                     .join(LEARNER, LEARNER.c.id == ANSWER.c.learner_id)
                     .where((LEARNER.c.area_province == "ha-noi")
                            & (ANSWER.c.answered_at >= month.start)
                            & (ANSWER.c.answered_at < month.end))
                     .group_by(ANSWER.c.course_id, ANSWER.c.lesson_id, ANSWER.c.question_id)
                     .order_by(wrong.desc()).limit(10))
            async with engine.connect() as connection:
                found = len((await connection.execute(query)).all())
                await connection.rollback()
            return found

        await _timed("without daily tables: most-missed from quiz_answer, 30 d",
                     missed_from_raw_rows, min(repeat, 3))
    finally:
        await engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-backfill", dest="backfill", action="store_false",
                        help="keep the daily tables as they are")
    options = parser.parse_args()
    asyncio.run(main(options.url, options.repeat, options.backfill))
