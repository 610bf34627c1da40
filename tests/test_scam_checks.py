"""Counts of scam checks per day, place and flag, on SQLite and PostgreSQL: added inside
turns' transactions, read per part of an organizer's scope, and never any text."""

import asyncio
from datetime import UTC, date, datetime

from storage.reports import Period
from storage.repository import SqlRepository
from storage.scam_checks import CHECKS, SCAM_CHECKS, ScamCount, add_check, scam_counts
from storage.scope import Scope

NOON = datetime(2026, 12, 6, 5, 0, tzinfo=UTC)  # 12:00 in Vietnam
LATE = datetime(2026, 12, 6, 18, 0, tzinfo=UTC)  # 01:00 on 7 December in Vietnam
WEEK = Period(date(2026, 12, 1), date(2026, 12, 7))


async def _checked(repository: SqlRepository, area_id: str, flags: list[str],
                   at: datetime = NOON) -> None:
    async with repository.transaction() as connection:
        await add_check(connection, area_id=area_id, flags=flags, at=at)


async def _counts(repository: SqlRepository, scope: Scope,
                  period: Period = WEEK) -> list[ScamCount]:
    async with repository.engine.connect() as connection:
        return await scam_counts(connection, scope, period)


async def test_checks_and_flags_add_up_per_part_of_the_scope(
        repository: SqlRepository) -> None:
    await _checked(repository, "ha-noi/hong-ha/tdp-1", ["otp_request", "claim_bank"])
    await _checked(repository, "ha-noi/hong-ha/tdp-2", ["otp_request", "otp_request"])
    await _checked(repository, "ha-noi/hong-ha", [])
    await _checked(repository, "ha-noi/kim-lien", ["prize"])
    await _checked(repository, "", ["gambling"])  # a resident who did not say where
    assert await _counts(repository, Scope("ha-noi")) == [
        ScamCount("ha-noi/hong-ha", CHECKS, 3), ScamCount("ha-noi/hong-ha", "otp_request", 2),
        ScamCount("ha-noi/hong-ha", "claim_bank", 1),
        ScamCount("ha-noi/kim-lien", CHECKS, 1), ScamCount("ha-noi/kim-lien", "prize", 1)]
    assert await _counts(repository, Scope("ha-noi/hong-ha")) == [
        ScamCount("", CHECKS, 1),  # placed at the ward, in no village
        ScamCount("ha-noi/hong-ha/tdp-1", CHECKS, 1),
        ScamCount("ha-noi/hong-ha/tdp-1", "claim_bank", 1),
        ScamCount("ha-noi/hong-ha/tdp-1", "otp_request", 1),
        ScamCount("ha-noi/hong-ha/tdp-2", CHECKS, 1),
        ScamCount("ha-noi/hong-ha/tdp-2", "otp_request", 1)]
    assert await _counts(repository, Scope("ha-noi/hong-ha/tdp-2")) == [
        ScamCount("ha-noi/hong-ha/tdp-2", CHECKS, 1),
        ScamCount("ha-noi/hong-ha/tdp-2", "otp_request", 1)]
    everywhere = await _counts(repository, Scope())
    assert ScamCount("", "gambling", 1) in everywhere
    assert ScamCount("ha-noi", CHECKS, 4) in everywhere


async def test_a_day_is_vietnams_and_the_period_bounds_it(repository: SqlRepository) -> None:
    await _checked(repository, "ha-noi/hong-ha", ["urgency"], at=LATE)  # 7 December there
    assert await _counts(repository, Scope("ha-noi"), Period(date(2026, 12, 6),
                                                             date(2026, 12, 6))) == []
    assert await _counts(repository, Scope("ha-noi"), Period(date(2026, 12, 7),
                                                             date(2026, 12, 7))) == [
        ScamCount("ha-noi/hong-ha", CHECKS, 1), ScamCount("ha-noi/hong-ha", "urgency", 1)]


async def test_checks_at_the_same_moment_count_each_once(repository: SqlRepository) -> None:
    await asyncio.gather(*(_checked(repository, "ha-noi/hong-ha", ["link_fake"])
                           for _ in range(8)))
    assert await _counts(repository, Scope("ha-noi/hong-ha")) == [
        ScamCount("", CHECKS, 8), ScamCount("", "link_fake", 8)]


async def test_a_check_rolled_back_with_its_turn_counts_nothing(
        repository: SqlRepository) -> None:
    try:
        async with repository.transaction() as connection:
            await add_check(connection, area_id="ha-noi", flags=["prize"], at=NOON)
            raise RuntimeError("the turn failed")
    except RuntimeError:
        pass
    assert await _counts(repository, Scope()) == []


def test_the_table_holds_counts_and_places_only() -> None:
    assert {column.name for column in SCAM_CHECKS.columns} == {
        "id", "day", "area_province", "area_commune", "area_village", "flag", "count"}
