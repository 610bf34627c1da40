"""learner.settings: what the learner chose that features keep (JSON), e.g. how to be called

Revision ID: 0012_settings
Revises: 0011_conversation_state
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_settings"
down_revision: str | None = "0011_conversation_state"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ALTER TABLE (see 0011): batch mode would copy the learner table on SQLite.
    op.add_column("learner", sa.Column("settings", sa.Text(), nullable=False,
                                       server_default="{}"))


def downgrade() -> None:
    op.drop_column("learner", "settings")
