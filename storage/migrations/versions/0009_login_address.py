"""login_attempt.address: where a sign-in try came from, so that one address trying many
logins is refused for a while without locking those logins

Revision ID: 0009_login_address
Revises: 0008_retention
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_login_address"
down_revision: str | None = "0008_retention"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("login_attempt", schema=None) as batch_op:
        batch_op.add_column(sa.Column("address", sa.String(length=64), nullable=False,
                                      server_default=""))
        batch_op.create_index("ix_login_attempt_address", ["address", "attempted_at"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("login_attempt", schema=None) as batch_op:
        batch_op.drop_index("ix_login_attempt_address")
        batch_op.drop_column("address")
