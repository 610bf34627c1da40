"""Persistence: tables, the async engine, migrations and the repository (storage's one door)."""
