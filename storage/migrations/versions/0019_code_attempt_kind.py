"""code_attempt.kind: wrong link codes and wrong invitation codes counted apart, so the wait
is explained with the code the learner did type

Revision ID: 0019_code_attempt_kind
Revises: 0018_shown_labels
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019_code_attempt_kind"
down_revision: str | None = "0018_shown_labels"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Rows from before are read as invitation codes: they are gone within the hour anyway.
    op.add_column("code_attempt", sa.Column("kind", sa.String(8), nullable=False,
                                            server_default="invite"))


def downgrade() -> None:
    op.drop_column("code_attempt", "kind")
