"""Counts of messages checked for scams, per day and place and red flag: added inside the
turn that checked a message, read by the dashboard for an organizer's scope and period."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.clock import local_date
from storage.report_models import DailyScamChecks
from storage.reports import Period
from storage.repository import area_columns
from storage.scope import Scope
from storage.transactions import Connection

SCAM_CHECKS: Table = DailyScamChecks.__table__  # type: ignore[attr-defined]
CHECKS = ""  # the `flag` of the row that counts the checks themselves


async def add_check(connection: Connection, *, area_id: str, flags: Iterable[str],
                    at: datetime | None = None) -> None:
    """Count one check in `area_id` ("" where the resident did not say) on the Vietnamese
    day of `at` (now by default), and each of its flags once, in the caller's transaction."""
    place = {"day": local_date(at), **area_columns(area_id)}
    for flag in (CHECKS, *dict.fromkeys(flags)):
        key = place | {"flag": flag}
        where = [SCAM_CHECKS.c[column] == value for column, value in key.items()]
        bumped = await connection.execute(
            update(SCAM_CHECKS).where(*where).values(count=SCAM_CHECKS.c.count + 1))
        if bumped.rowcount:
            continue
        try:  # the first of the day here; another turn may insert it at the same moment
            async with connection.begin_nested():
                await connection.execute(insert(SCAM_CHECKS).values(**key, count=1))
        except IntegrityError:
            await connection.execute(
                update(SCAM_CHECKS).where(*where).values(count=SCAM_CHECKS.c.count + 1))


@dataclass(frozen=True)
class ScamCount:
    """How many checks (`flag` "") or flags of one kind in one part of the scope. `area_id`
    is the part (a province, a commune, a village) or "" for checks placed no lower."""

    area_id: str
    flag: str
    count: int


async def scam_counts(connection: AsyncConnection, scope: Scope,
                      period: Period) -> list[ScamCount]:
    """Checks and each flag's count per part of `scope` over `period`, most first within
    each part; at village level, the village itself is the one part."""
    part = scope.part_column(SCAM_CHECKS)
    area = part if part is not None else SCAM_CHECKS.c.area_village
    total = func.sum(SCAM_CHECKS.c.count)
    query = (select(area.label("area_id"), SCAM_CHECKS.c.flag, total.label("count"))
             .where(scope.where(SCAM_CHECKS), SCAM_CHECKS.c.day >= period.first,
                    SCAM_CHECKS.c.day <= period.last)
             .group_by(area, SCAM_CHECKS.c.flag)
             .order_by(area, total.desc(), SCAM_CHECKS.c.flag))
    rows = await connection.execute(query)
    return [ScamCount(row.area_id, row.flag, int(row[2])) for row in rows]
