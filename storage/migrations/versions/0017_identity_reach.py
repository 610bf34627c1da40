"""identity.unreachable_at (reachability per app account, from learner.unreachable_at); each
identity's own last use; outbox.channel/user_ref (the app account a message goes to)

Revision ID: 0017_identity_reach
Revises: 0016_reminders
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017_identity_reach"
down_revision: str | None = "0016_reminders"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The learner's own row names the app they used last: that identity's values came from it.
_CURRENT = ("learner.id = identity.learner_id AND learner.channel = identity.channel"
            " AND learner.user_ref = identity.user_ref")


def upgrade() -> None:
    with op.batch_alter_table("identity") as batch:
        batch.add_column(sa.Column("unreachable_at", sa.DateTime(timezone=True), nullable=True))
    # Until now only apps left behind kept their last use; the app used last had the
    # learner's. And "unreachable" was said of the app used last.
    op.execute(f"UPDATE identity SET"
               f" last_used_at = (SELECT last_active_at FROM learner WHERE {_CURRENT}),"
               f" unreachable_at = (SELECT unreachable_at FROM learner WHERE {_CURRENT})"
               f" WHERE EXISTS (SELECT 1 FROM learner WHERE {_CURRENT})")
    # SQLite drops a plain column in place (3.35+): no copy of the learner table, whose
    # partial index a batch copy would have to rebuild.
    op.drop_column("learner", "unreachable_at")
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("channel", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("user_ref", sa.String(length=128), nullable=True))
    # Waiting messages go where they went before: the recipient's app used last.
    op.execute("UPDATE outbox SET"
               " channel = (SELECT channel FROM learner WHERE learner.id = outbox.learner_id),"
               " user_ref = (SELECT user_ref FROM learner WHERE learner.id = outbox.learner_id)")
    with op.batch_alter_table("outbox") as batch:
        batch.alter_column("channel", existing_type=sa.String(length=16), nullable=False)
        batch.alter_column("user_ref", existing_type=sa.String(length=128), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("user_ref")
        batch.drop_column("channel")
    op.add_column("learner", sa.Column("unreachable_at", sa.DateTime(timezone=True),
                                       nullable=True))
    op.execute("UPDATE learner SET unreachable_at = (SELECT unreachable_at FROM identity"
               " WHERE identity.channel = learner.channel"
               " AND identity.user_ref = learner.user_ref)")
    with op.batch_alter_table("identity") as batch:
        batch.drop_column("unreachable_at")
