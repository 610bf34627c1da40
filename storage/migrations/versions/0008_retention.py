"""processed_update.user_ref: whose update a mark is, so erasure removes it; indexes to prune
marks by age and to find learners who never agreed (storage/retention.py)

Revision ID: 0008_retention
Revises: 0007
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_retention"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNCONSENTED = "consented_at IS NULL AND seq = 0"


def upgrade() -> None:
    with op.batch_alter_table("processed_update", schema=None) as batch_op:
        batch_op.add_column(sa.Column("user_ref", sa.String(length=128), nullable=False,
                                      server_default=""))
    op.create_index("ix_processed_update_user", "processed_update", ["channel", "user_ref"])
    op.create_index("ix_processed_update_at", "processed_update", ["processed_at"])
    op.create_index("ix_learner_unconsented", "learner", ["last_active_at"],
                    sqlite_where=sa.text(UNCONSENTED), postgresql_where=sa.text(UNCONSENTED))


def downgrade() -> None:
    op.drop_index("ix_learner_unconsented", table_name="learner")
    op.drop_index("ix_processed_update_at", table_name="processed_update")
    op.drop_index("ix_processed_update_user", table_name="processed_update")
    with op.batch_alter_table("processed_update", schema=None) as batch_op:
        batch_op.drop_column("user_ref")
