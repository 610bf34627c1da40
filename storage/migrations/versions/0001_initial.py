"""learners, processed updates, lesson results, quiz answers

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "learner",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("user_ref", sa.String(length=128), nullable=False),
        sa.Column("display_name", sa.String(length=128), nullable=False),
        sa.Column("mode", sa.String(length=8), nullable=False),
        sa.Column("course_id", sa.String(length=16), nullable=False),
        sa.Column("lesson_id", sa.String(length=16), nullable=False),
        sa.Column("step_id", sa.String(length=16), nullable=False),
        sa.Column("question_id", sa.String(length=16), nullable=False),
        sa.Column("quiz_correct", sa.Integer(), nullable=False),
        sa.Column("quiz_answered", sa.Integer(), nullable=False),
        sa.Column("content_version", sa.String(length=16), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("shown_buttons", sa.String(length=1024), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_active_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("channel", "user_ref", name="uq_learner_channel_user"),
    )
    op.create_table(
        "processed_update",
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("update_id", sa.String(length=128), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("channel", "update_id"),
    )
    op.create_table(
        "lesson_result",
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.String(length=16), nullable=False),
        sa.Column("lesson_id", sa.String(length=16), nullable=False),
        sa.Column("best_correct", sa.Integer(), nullable=False),
        sa.Column("last_correct", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["learner.id"],
        ),
        sa.PrimaryKeyConstraint("learner_id", "course_id", "lesson_id"),
    )
    op.create_table(
        "quiz_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.String(length=16), nullable=False),
        sa.Column("lesson_id", sa.String(length=16), nullable=False),
        sa.Column("question_id", sa.String(length=16), nullable=False),
        sa.Column("chosen", sa.Integer(), nullable=False),
        sa.Column("correct", sa.Boolean(), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["learner.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("quiz_answer", schema=None) as batch_op:
        batch_op.create_index(
            "ix_quiz_answer_learner", ["learner_id", "course_id", "lesson_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("quiz_answer", schema=None) as batch_op:
        batch_op.drop_index("ix_quiz_answer_learner")

    op.drop_table("quiz_answer")
    op.drop_table("lesson_result")
    op.drop_table("processed_update")
    op.drop_table("learner")
