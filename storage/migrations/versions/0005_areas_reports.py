"""areas and reports: learners' area ids, first attempts, course completions, organizers,
daily report tables

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHEN = sa.DateTime(timezone=True)
LEVELS = ("province", "commune", "village")
DAILY = ("daily_answers", "daily_lessons", "daily_courses")


def _area_columns() -> list[sa.Column]:
    return [sa.Column(f"area_{level}", sa.String(length=52), nullable=False, server_default="")
            for level in LEVELS]


def _daily(name: str, *columns: sa.Column) -> None:
    op.create_table(
        name,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        *[sa.Column(f"area_{level}", sa.String(length=52), nullable=False) for level in LEVELS],
        sa.Column("course_id", sa.String(length=16), nullable=False),
        *columns,
        sa.PrimaryKeyConstraint("id"),
    )
    for level in LEVELS:
        op.create_index(f"ix_{name}_{level}", name, [f"area_{level}", "day"])


def upgrade() -> None:
    with op.batch_alter_table("learner", schema=None) as batch_op:
        for column in _area_columns():
            batch_op.add_column(column)
        batch_op.add_column(sa.Column("area_asked_at", WHEN, nullable=True))
    for level in LEVELS:
        op.create_index(f"ix_learner_{level}", "learner", [f"area_{level}", "last_active_at"])
    with op.batch_alter_table("lesson_result", schema=None) as batch_op:
        batch_op.add_column(sa.Column("first_correct", sa.Integer(), nullable=False,
                                      server_default="0"))
        batch_op.add_column(sa.Column("first_completed_at", WHEN, nullable=True))
    # Older results kept no first attempt: their best one is the nearest thing we have.
    op.execute("UPDATE lesson_result SET first_correct = best_correct, "
               "first_completed_at = completed_at")
    op.create_index("ix_lesson_result_first", "lesson_result", ["first_completed_at"])
    op.create_index("ix_quiz_answer_at", "quiz_answer", ["answered_at"])
    op.create_table(
        "course_completion",
        sa.Column("learner_id", sa.Integer(), sa.ForeignKey("learner.id"), nullable=False),
        sa.Column("course_id", sa.String(length=16), nullable=False),
        sa.Column("completed_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("learner_id", "course_id"),
    )
    op.create_index("ix_course_completion_at", "course_completion", ["completed_at"])
    op.create_table(
        "organizer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("login", sa.String(length=64), nullable=False, unique=True),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("area_id", sa.String(length=52), nullable=False),
        sa.Column("role", sa.String(length=12), nullable=False),
        sa.Column("password_hash", sa.String(length=256), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "login_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("login", sa.String(length=64), nullable=False),
        sa.Column("attempted_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_login_attempt_login", "login_attempt", ["login", "attempted_at"])
    op.create_table(
        "organizer_session",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("organizer_id", sa.Integer(), sa.ForeignKey("organizer.id"), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("expires_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    op.create_index("ix_organizer_session_organizer_id", "organizer_session", ["organizer_id"])
    op.create_table(
        "rollup_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("refreshed_at", WHEN, nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.execute("INSERT INTO rollup_state (id) VALUES (1)")
    _daily("daily_answers", sa.Column("lesson_id", sa.String(length=16), nullable=False),
           sa.Column("question_id", sa.String(length=16), nullable=False),
           sa.Column("answered", sa.Integer(), nullable=False),
           sa.Column("wrong", sa.Integer(), nullable=False))
    _daily("daily_lessons", sa.Column("correct", sa.Integer(), nullable=False),
           sa.Column("total", sa.Integer(), nullable=False),
           sa.Column("lessons", sa.Integer(), nullable=False))
    _daily("daily_courses", sa.Column("courses", sa.Integer(), nullable=False))


def downgrade() -> None:
    for table in (*DAILY, "rollup_state", "login_attempt", "organizer_session", "organizer",
                  "course_completion"):
        op.drop_table(table)
    op.drop_index("ix_quiz_answer_at", "quiz_answer")
    op.drop_index("ix_lesson_result_first", "lesson_result")
    with op.batch_alter_table("lesson_result", schema=None) as batch_op:
        batch_op.drop_column("first_completed_at")
        batch_op.drop_column("first_correct")
    for level in LEVELS:
        op.drop_index(f"ix_learner_{level}", "learner")
    with op.batch_alter_table("learner", schema=None) as batch_op:
        batch_op.drop_column("area_asked_at")
        for level in reversed(LEVELS):
            batch_op.drop_column(f"area_{level}")
