"""certificate: one per learner and finished course, found by its short code

Revision ID: 0014_certificates
Revises: 0013_scam_checks
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_certificates"
down_revision: str | None = "0013_scam_checks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "certificate",
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("address", sa.String(length=8), nullable=False),
        sa.Column("issuer", sa.String(length=160), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("area_province", sa.String(length=52), nullable=False),
        sa.Column("area_commune", sa.String(length=52), nullable=False),
        sa.Column("area_village", sa.String(length=52), nullable=False),
        sa.ForeignKeyConstraint(["learner_id"], ["learner.id"]),
        sa.PrimaryKeyConstraint("code"),
        sa.UniqueConstraint("learner_id", "course_id", name="uq_certificate_learner_course"),
    )


def downgrade() -> None:
    op.drop_table("certificate")
