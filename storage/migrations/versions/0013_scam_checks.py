"""daily_scam_checks: per day and place, how many messages were checked for scams and how
many raised each red flag (counts only, no text)

Revision ID: 0013_scam_checks
Revises: 0012_settings
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_scam_checks"
down_revision: str | None = "0012_settings"  # placeholder: the lead re-chains on merging
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LEVELS = ("province", "commune", "village")


def upgrade() -> None:
    op.create_table(
        "daily_scam_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        *[sa.Column(f"area_{level}", sa.String(length=52), nullable=False) for level in LEVELS],
        sa.Column("flag", sa.String(length=24), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("day", "area_province", "area_commune", "area_village", "flag",
                            name="uq_daily_scam_checks_key"),
    )
    for level in LEVELS:
        op.create_index(f"ix_daily_scam_checks_{level}", "daily_scam_checks",
                        [f"area_{level}", "day"])


def downgrade() -> None:
    for level in LEVELS:
        op.drop_index(f"ix_daily_scam_checks_{level}", table_name="daily_scam_checks")
    op.drop_table("daily_scam_checks")
