"""learner.awaiting ("note:12:met:2") becomes a state name plus JSON data; learner.locale

Revision ID: 0011_conversation_state
Revises: 0010_web_limits
Create Date: 2026-12-06
"""

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0011_conversation_state"
down_revision: str | None = "0010_web_limits"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LEARNER = sa.table("learner", sa.column("id", sa.Integer), sa.column("awaiting", sa.String),
                   sa.column("state", sa.String), sa.column("state_data", sa.Text))


def state_of(awaiting: str) -> tuple[str, dict[str, Any]]:
    """The state and data an old `awaiting` string meant (bot/handlers before issue 19)."""
    kind, _, rest = awaiting.partition(":")
    if kind == "area":
        return "area", {"within": rest}
    if kind == "consent":
        return "consent", {"code": rest}
    if kind == "nudge" and rest.isdigit():
        return "nudge", {"pairing": int(rest)}
    if kind == "note":
        pairing, verb, day = [*rest.split(":"), "", "", ""][:3]
        if pairing.isdigit() and day.isdigit():
            return "note", {"pairing": int(pairing), "verb": verb, "day": int(day)}
    if kind in ("code", "ward", "mentor_name", "mentor_ward", "mentor_unit") and not rest:
        return kind, {}
    return "", {}  # nothing else was ever written; an unknown one is simply not waited for


def awaiting_of(state: str, data: dict[str, Any]) -> str:
    """The old `awaiting` string for a state (for downgrade)."""
    if state == "area":
        return f"area:{data.get('within', '')}"
    if state == "consent":
        return f"consent:{data.get('code', '')}"
    if state == "nudge":
        return f"nudge:{data.get('pairing', '')}"
    if state == "note":
        return f"note:{data.get('pairing', '')}:{data.get('verb', '')}:{data.get('day', '')}"
    return state


# Plain ALTER TABLE, not batch mode: batch mode copies the learner table on SQLite, and
# dropping the old copy breaks the foreign keys of every pairing, answer and result.
# SQLite has had ADD and DROP COLUMN since 3.35.


def upgrade() -> None:
    op.add_column("learner", sa.Column("state", sa.String(length=32), nullable=False,
                                       server_default=""))
    op.add_column("learner", sa.Column("state_data", sa.Text(), nullable=False,
                                       server_default="{}"))
    op.add_column("learner", sa.Column("locale", sa.String(length=16), nullable=False,
                                       server_default="vi"))
    connection = op.get_bind()
    rows = connection.execute(sa.select(LEARNER.c.id, LEARNER.c.awaiting)
                              .where(LEARNER.c.awaiting != "")).all()
    for learner_id, awaiting in rows:
        state, data = state_of(awaiting)
        connection.execute(LEARNER.update().where(LEARNER.c.id == learner_id).values(
            state=state, state_data=json.dumps(data, ensure_ascii=False)))
    op.drop_column("learner", "awaiting")


def downgrade() -> None:
    op.add_column("learner", sa.Column("awaiting", sa.String(length=48), nullable=False,
                                       server_default=""))
    connection = op.get_bind()
    rows = connection.execute(sa.select(LEARNER.c.id, LEARNER.c.state, LEARNER.c.state_data)
                              .where(LEARNER.c.state != "")).all()
    for learner_id, state, data in rows:
        connection.execute(LEARNER.update().where(LEARNER.c.id == learner_id).values(
            awaiting=awaiting_of(state, json.loads(data))[:48]))
    for column in ("state_data", "state", "locale"):
        op.drop_column("learner", column)
