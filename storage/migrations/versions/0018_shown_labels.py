"""learner.shown_labels: the labels of the buttons shown last, so that a typed label picks
its button as a typed number does

Revision ID: 0018_shown_labels
Revises: 0017_identity_reach
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018_shown_labels"
down_revision: str | None = "0017_identity_reach"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain column added in place (no copy of the learner table). Learners shown buttons
    # before it have no labels: until their next buttons, only numbers pick them.
    op.add_column("learner", sa.Column("shown_labels", sa.Text(), nullable=False,
                                       server_default=""))


def downgrade() -> None:
    op.drop_column("learner", "shown_labels")
