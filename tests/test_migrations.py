"""Migrations: an older database upgrades with its learners intact, to exactly the models."""

import os
import sqlite3
import subprocess
import sys
from contextlib import ExitStack, closing
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import SQLModel

import storage.certificates  # (registers its table on SQLModel.metadata)
import storage.reminders  # (registers its table on SQLModel.metadata)
import storage.report_models  # noqa: F401  (registers its tables on SQLModel.metadata)
from bot.lessons.model import Library
from bot.tutor import Tutor
from storage.database import (
    _alembic_config,
    create_engine,
    current_revision,
    head_revision,
    upgrade,
)
from storage.repository import SqlRepository
from tests.chat import Chat
from tests.conftest import new_postgres_database
from tests.mentoring_helpers import code_in, paired, pass_course


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
        assert await current_revision(engine) == "0021_quiz_attempt"
        learner = await SqlRepository(engine).find_learner(channel="web", user_ref="old-learner")
        assert learner is not None and learner.reachable
        assert (learner.display_name, learner.place["step_id"]) == ("Bà Năm", "go-so")
        assert learner.place["quiz_attempt"] == 0  # a quiz in progress goes on as it was
        await upgrade(engine)  # idempotent at head
    finally:
        await engine.dispose()


def test_the_newest_migration_is_read_from_the_files_as_alembic_reads_it() -> None:
    # A start on a database at head skips alembic by reading the files itself (storage/database.py).
    heads = ScriptDirectory.from_config(_alembic_config(None)).get_heads()  # type: ignore[arg-type]
    assert [head_revision()] == heads


def test_hocso_db_upgrade_migrates_an_empty_folder_as_a_process(tmp_path: Path) -> None:
    """The one test that runs every migration in a `hocso` process of its own (the others
    start from a migrated copy): alembic and its env.py, imported only when there is work."""
    env = {**os.environ, "HOCSO_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    done = subprocess.run([sys.executable, "-m", "bot", "db", "upgrade"], env=env,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    with closing(sqlite3.connect(tmp_path / "hocso.db")) as connection:
        [(revision,)] = connection.execute("SELECT version_num FROM alembic_version")
    assert revision == head_revision()


async def test_the_migrations_build_exactly_the_tables_the_models_describe(
        repository: SqlRepository) -> None:
    async with repository.engine.connect() as connection:
        differences = await connection.run_sync(lambda sync: compare_metadata(
            MigrationContext.configure(sync), SQLModel.metadata))
    assert differences == []


async def _downgrade(engine: AsyncEngine, revision: str) -> None:
    async with engine.begin() as connection:
        await connection.run_sync(
            lambda sync: command.downgrade(_alembic_config(sync), revision))


async def _awaiting(engine: AsyncEngine) -> dict[str, str]:
    async with engine.connect() as connection:
        rows = await connection.execute(text("SELECT user_ref, awaiting FROM learner"))
        return {user_ref: awaiting for user_ref, awaiting in rows}


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_pending_questions_and_places_survive_the_state_migration(
        tmp_path: Path, library: Library, backend: str) -> None:
    with ExitStack() as stack:
        url = f"sqlite:///{tmp_path / 'states.db'}" if backend == "sqlite" else \
            stack.enter_context(new_postgres_database())
        await _states_survive(create_engine(url), library)


async def _states_survive(engine: AsyncEngine, library: Library) -> None:
    """People in the middle of something, left there by the product before issue 19 (its
    `awaiting` strings, made by migrating back), carry on after it: a volunteer half-way
    through registering, a mentor about to type a check-in note, a resident in a lesson."""
    try:
        await upgrade(engine)
        tutor = Tutor(repository=SqlRepository(engine), library=library)
        volunteer = Chat(tutor, "volunteer")
        await volunteer.start()
        await volunteer.type("/lam_nguoi_kem")
        await volunteer.type("Lê Văn Tám")  # asked for the ward next
        mentor, resident = Chat(tutor, "mentor"), Chat(tutor, "resident")
        await paired(mentor, resident, library)
        await resident.type("menu")
        await resident.press("Làm quen")
        await resident.press("Bấm nút")
        await resident.press("Tiếp tục")  # step 2 of a lesson
        place = (await tutor.repository.find_learner(channel="test", user_ref="resident"))
        await mentor.type("/hoc_vien")
        await mentor.press("Ghi buổi kèm")
        await mentor.press("Gặp trực tiếp")
        await mentor.press("Hôm nay")  # asked for a note next

        await _downgrade(engine, "0010_web_limits")
        before = await _awaiting(engine)
        assert before["volunteer"] == "mentor_ward"
        assert before["mentor"].startswith("note:") and before["mentor"].endswith(":met:0")
        assert before["resident"] == ""

        await upgrade(engine)
        tutor = Tutor(repository=SqlRepository(engine), library=library)
        volunteer.tutor = mentor.tutor = resident.tutor = tutor
        await volunteer.type("Phường Hồng Hà")
        assert "Chi đoàn" in volunteer.text() or "đơn vị" in volunteer.text().lower()
        await mentor.type("Đã cài VNeID cho bác")
        assert "gặp trực tiếp" in mentor.text() and "1 buổi" in mentor.text()
        after = await tutor.repository.find_learner(channel="test", user_ref="resident")
        assert place is not None and after is not None and after.place == place.place
        await resident.press("Tiếp tục")
        assert "Bước 3" in resident.text()
        # The volunteer, registered across the migration, takes the mentor course, is made a
        # mentor by its quizzes (an event's subscriber) and pairs with a new resident.
        await volunteer.press("Bỏ qua")  # no youth union unit
        await pass_course(volunteer, library)
        await volunteer.type("/lam_nguoi_kem")
        code = code_in(await volunteer.press("Mời học viên"))
        newcomer = Chat(tutor, "newcomer")
        await newcomer.start()
        await newcomer.type(code)
        await newcomer.press("Đồng ý")
        assert "Lê Văn Tám" in newcomer.text()
        await volunteer.type("/hoc_vien")
        assert "Bạn đang kèm 1 người" in volunteer.text()
    finally:
        await engine.dispose()
