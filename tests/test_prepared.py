"""Prepared statements: the same rows, values and errors on SQLite's fast path and PostgreSQL."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from storage.inline_sqlite import InlineEngine
from storage.outbox import OUTBOX
from storage.prepared import Prepared
from storage.repository import LEARNER, PROCESSED, SqlRepository, _new_learner

ADD = Prepared(insert(LEARNER).returning(LEARNER.c.id, LEARNER.c.user_ref))
FIND = Prepared(select(LEARNER.c.user_ref, LEARNER.c.consented_at, LEARNER.c.seq)
                .where(LEARNER.c.user_ref == bindparam("ref")))
DROP = Prepared(delete(LEARNER).where(LEARNER.c.user_ref == bindparam("ref")))
MARK = Prepared(insert(PROCESSED))
# The statement's own literals (the 1 and the "web") go with the values given at each run.
STEP = Prepared(update(LEARNER).where((LEARNER.c.user_ref == bindparam("ref"))
                                      & (LEARNER.c.channel == "web"))
                .values(seq=LEARNER.c.seq + 1))


async def test_rows_values_and_batches_match_what_sqlalchemy_reads(
        repository: SqlRepository) -> None:
    agreed = datetime(2026, 12, 2, 9, 30, 15, 250_000, tzinfo=timezone(timedelta(hours=7)))
    async with repository.engine.begin() as connection:
        (added,) = await ADD.rows(connection, {**_new_learner("web", "lan"),
                                               "consented_at": agreed, "seq": 4})
        assert added["user_ref"] == "lan" and added["id"] > 0
        await ADD.run(connection, [_new_learner("web", ref) for ref in ("binh", "chi")])
        (found,) = await FIND.rows(connection, {"ref": "lan"})
        assert found["user_ref"] == "lan" and found["seq"] == 4
        assert found["consented_at"] is not None
        assert await FIND.rows(connection, {"ref": "nobody"}) == []
        await DROP.run(connection, [{"ref": "binh"}, {"ref": "nobody"}])
        await DROP.run(connection, [])  # an empty batch runs nothing
    # What the fast path wrote reads back through SQLAlchemy's own types unchanged.
    async with repository.engine.connect() as connection:
        rows = (await connection.execute(select(LEARNER.c.user_ref, LEARNER.c.consented_at)
                                         .order_by(LEARNER.c.id))).all()
    assert [row.user_ref for row in rows] == ["lan", "chi"]
    assert rows[0].consented_at == agreed


async def test_a_statements_own_literals_are_kept(repository: SqlRepository) -> None:
    async with repository.engine.begin() as connection:
        await ADD.run(connection, [_new_learner("web", "lan"), _new_learner("zalo", "lan")])
        await STEP.run(connection, {"ref": "lan", "ward": "Phường 1"})
        await STEP.run(connection, {"ref": "lan", "ward": "Phường 2"})
        rows = await Prepared(select(LEARNER.c.channel, LEARNER.c.seq, LEARNER.c.ward)
                              .order_by(LEARNER.c.channel)).rows(connection, {})
    assert [dict(row) for row in rows] == [{"channel": "web", "seq": 2, "ward": "Phường 2"},
                                           {"channel": "zalo", "seq": 0, "ward": ""}]


async def test_errors_are_sqlalchemys_and_roll_back(repository: SqlRepository) -> None:
    mark = {"channel": "web", "update_id": "1", "processed_at": datetime.now(UTC)}
    async with repository.engine.begin() as connection:
        await MARK.run(connection, mark)
    with pytest.raises(IntegrityError):  # what the turn catches for a redelivered update
        async with repository.engine.begin() as connection:
            await MARK.run(connection, {**mark, "update_id": "2"})
            await MARK.run(connection, mark)
    async with repository.engine.connect() as connection:
        marks = (await connection.execute(select(PROCESSED.c.update_id))).scalars().all()
    assert marks == ["1"]  # the failed transaction left nothing, "2" included


async def test_a_missing_value_is_refused_rather_than_left_to_a_default(
        sqlite_repository: SqlRepository) -> None:
    # SQLAlchemy fills a column's Python-side default (outbox.attempts); the fast path says so
    # instead of inventing one.
    assert isinstance(sqlite_repository.engine, InlineEngine)
    keep = Prepared(insert(OUTBOX))
    async with sqlite_repository.engine.connect() as connection:
        with pytest.raises(ValueError, match="attempts"):
            await keep.run(connection, {"learner_id": 1, "body": "{}", "created_at": None,
                                        "next_try_at": None})
