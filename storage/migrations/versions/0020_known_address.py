"""known_address: the addresses a login signed in from successfully, so that a spray against
the login from elsewhere does not slow its organizer's own tries

Revision ID: 0020_known_address
Revises: 0019_code_attempt_kind
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020_known_address"
down_revision: str | None = "0019_code_attempt_kind"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "known_address",
        sa.Column("login", sa.String(64), primary_key=True),
        sa.Column("address", sa.String(64), primary_key=True),
        sa.Column("signed_in_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("known_address")
