"""learner.quiz_attempt: which take of a quiz the learner is on, so that a retake asks its
questions and options in an order of its own, the same on every turn of that take

Revision ID: 0021_quiz_attempt
Revises: 0020_known_address
Create Date: 2026-12-09
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021_quiz_attempt"
down_revision: str | None = "0020_known_address"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain column added in place. A learner in a quiz now goes on in the author's order.
    op.add_column("learner", sa.Column("quiz_attempt", sa.Integer(), nullable=False,
                                       server_default="0"))


def downgrade() -> None:
    op.drop_column("learner", "quiz_attempt")
