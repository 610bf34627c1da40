"""mentoring: mentors, invitations, pairings, check-ins, alerts, code attempts, the outbox

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("learner", schema=None) as batch_op:
        batch_op.add_column(sa.Column("awaiting", sa.String(length=48), nullable=False,
                                      server_default=""))
        batch_op.add_column(sa.Column("ward", sa.String(length=128), nullable=False,
                                      server_default=""))
    with op.batch_alter_table("lesson_result", schema=None) as batch_op:
        batch_op.add_column(sa.Column("failures", sa.Integer(), nullable=False,
                                      server_default="0"))
    op.create_table(
        "mentor",
        sa.Column("learner_id", sa.Integer(), sa.ForeignKey("learner.id"), nullable=False),
        sa.Column("full_name", sa.String(length=64), nullable=False),
        sa.Column("ward", sa.String(length=128), nullable=False),
        sa.Column("unit", sa.String(length=128), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("approved_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("trained_at", WHEN, nullable=True),
        sa.PrimaryKeyConstraint("learner_id"),
    )
    op.create_table(
        "invitation",
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("mentor_id", sa.Integer(), sa.ForeignKey("learner.id"), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("expires_at", WHEN, nullable=False),
        sa.Column("revoked_at", WHEN, nullable=True),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_index("ix_invitation_mentor", "invitation", ["mentor_id"])
    op.create_table(
        "pairing",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mentor_id", sa.Integer(), sa.ForeignKey("learner.id"), nullable=False),
        sa.Column("mentee_id", sa.Integer(), sa.ForeignKey("learner.id"), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("origin", sa.String(length=8), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("decided_at", WHEN, nullable=True),
        sa.Column("ended_at", WHEN, nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_pairing_mentee", "pairing", ["mentee_id", "status"])
    op.create_index("ix_pairing_mentor", "pairing", ["mentor_id", "status"])
    op.create_index("uq_pairing_one_active_mentor", "pairing", ["mentee_id"], unique=True,
                    sqlite_where=sa.text("status = 'active'"),
                    postgresql_where=sa.text("status = 'active'"))
    op.create_table(
        "check_in",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pairing_id", sa.Integer(), sa.ForeignKey("pairing.id"), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("met_on", sa.Date(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_check_in_pairing_id", "check_in", ["pairing_id"])
    op.create_table(
        "alert",
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("pairing_id", sa.Integer(), sa.ForeignKey("pairing.id"), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "code_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("learner_id", sa.Integer(), sa.ForeignKey("learner.id"), nullable=False),
        sa.Column("attempted_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_code_attempt_learner", "code_attempt", ["learner_id", "attempted_at"])
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("learner_id", sa.Integer(), sa.ForeignKey("learner.id"), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("next_try_at", WHEN, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("sent_at", WHEN, nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_outbox_pending", "outbox", ["sent_at", "next_try_at"])
    op.create_index("ix_outbox_learner", "outbox", ["learner_id", "sent_at"])


def downgrade() -> None:
    for table in ("outbox", "code_attempt", "alert", "check_in", "pairing", "invitation",
                  "mentor"):
        op.drop_table(table)
    with op.batch_alter_table("lesson_result", schema=None) as batch_op:
        batch_op.drop_column("failures")
    with op.batch_alter_table("learner", schema=None) as batch_op:
        batch_op.drop_column("ward")
        batch_op.drop_column("awaiting")
