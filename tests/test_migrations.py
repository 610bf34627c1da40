"""Migrations: an older database upgrades with its learners intact, to exactly the models."""

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlmodel import SQLModel

import storage.report_models  # noqa: F401  (registers its tables on SQLModel.metadata)
from storage.database import create_engine, current_revision, upgrade
from storage.repository import SqlRepository


async def test_upgrading_keeps_learners_and_reaches_head(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    try:
        await upgrade(engine, "0001")
        assert await current_revision(engine) == "0001"
        async with engine.begin() as connection:
            await connection.execute(text(
                "INSERT INTO learner (channel, user_ref, display_name, mode, course_id, "
                "lesson_id, step_id, question_id, quiz_correct, quiz_answered, "
                "content_version, seq, shown_buttons, created_at, last_active_at) VALUES "
                "('web', 'old-learner', 'Bà Năm', 'lesson', 'lam-quen', 'nut-bam', 'go-so', "
                "'', 0, 0, 'v0', 5, 'n:5', '2026-01-01 00:00:00', '2026-01-01 00:00:00')"))
        await upgrade(engine)
        assert await current_revision(engine) == "0011_scam_checks"
        learner = await SqlRepository(engine).find_learner(channel="web", user_ref="old-learner")
        assert learner is not None and learner.reachable
        assert (learner.display_name, learner.place["step_id"]) == ("Bà Năm", "go-so")
        await upgrade(engine)  # idempotent at head
    finally:
        await engine.dispose()


async def test_the_migrations_build_exactly_the_tables_the_models_describe(
        repository: SqlRepository) -> None:
    async with repository.engine.connect() as connection:
        differences = await connection.run_sync(lambda sync: compare_metadata(
            MigrationContext.configure(sync), SQLModel.metadata))
    assert differences == []
