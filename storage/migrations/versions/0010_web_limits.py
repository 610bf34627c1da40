"""invitation.code up to 16 characters (codes of 8 letters and digits after "KEM-");
code_attempt by time, to count everyone's wrong codes of the last hour

Revision ID: 0010_web_limits
Revises: 0009_login_address
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_web_limits"
down_revision: str | None = "0009_login_address"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.alter_column("code", existing_type=sa.String(length=8),
                              type_=sa.String(length=16), existing_nullable=False)
    op.create_index("ix_code_attempt_time", "code_attempt", ["attempted_at"])


def downgrade() -> None:
    op.drop_index("ix_code_attempt_time", table_name="code_attempt")
    op.execute("DELETE FROM invitation WHERE length(code) > 8")  # they cannot fit any more
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.alter_column("code", existing_type=sa.String(length=16),
                              type_=sa.String(length=8), existing_nullable=False)
