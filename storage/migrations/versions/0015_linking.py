"""identity: a person's app accounts (every learner gets theirs); link_code: /lien_ket codes

Revision ID: 0015_linking
Revises: 0014_certificates
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_linking"
down_revision: str | None = "0014_certificates"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "identity",
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("user_ref", sa.String(length=128), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["learner_id"], ["learner.id"]),
        sa.PrimaryKeyConstraint("channel", "user_ref"),
    )
    op.create_index("ix_identity_learner", "identity", ["learner_id"])
    op.create_table(
        "link_code",
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["learner_id"], ["learner.id"]),
        sa.PrimaryKeyConstraint("code_hash"),
    )
    op.create_index("ix_link_code_learner", "link_code", ["learner_id"])
    # Every learner is one person on one app: their own identity. A web session someone
    # ended ("ended:<id>") opens nothing, so it gets none.
    op.execute(
        "INSERT INTO identity (channel, user_ref, learner_id, linked_at, last_used_at)"
        " SELECT channel, user_ref, id, created_at, last_active_at FROM learner"
        " WHERE user_ref NOT LIKE 'ended:%'")


def downgrade() -> None:
    # Joined people stay one learner row, reached from the app they used last.
    op.drop_index("ix_link_code_learner", table_name="link_code")
    op.drop_table("link_code")
    op.drop_index("ix_identity_learner", table_name="identity")
    op.drop_table("identity")
