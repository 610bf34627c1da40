"""learner.consented_at: when the learner agreed to what Học Số keeps about them;
outbox.about_id: whom a message to someone else is about, so erasing a person erases it too

Learners from before this revision have none: they are asked at their next message, and
their progress is kept meanwhile (declining erases it).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("learner", schema=None) as batch_op:
        batch_op.add_column(sa.Column("consented_at", sa.DateTime(timezone=True),
                                      nullable=True))
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("about_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_outbox_about_id_learner", "learner", ["about_id"], ["id"])
        batch_op.create_index("ix_outbox_about", ["about_id"])


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_about")
        batch_op.drop_constraint("fk_outbox_about_id_learner", type_="foreignkey")
        batch_op.drop_column("about_id")
    with op.batch_alter_table("learner", schema=None) as batch_op:
        batch_op.drop_column("consented_at")
