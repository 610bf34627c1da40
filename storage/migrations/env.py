"""Alembic environment: runs on the connection handed over by storage.database.upgrade."""

from alembic import context
from sqlmodel import SQLModel

# Registers every table on SQLModel.metadata.
import storage.certificates
import storage.models
import storage.reminders
import storage.report_models  # noqa: F401

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with `hocso db upgrade` (storage.database.upgrade)")
context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=True,  # SQLite alters tables by copying them
)
with context.begin_transaction():
    context.run_migrations()
