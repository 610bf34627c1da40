"""Statements every turn runs, compiled once; on inline SQLite they go to the driver itself.

SQLAlchemy's execution of an already compiled statement cost about 80 µs on SQLite, the
statement itself 8 µs (bench/RESULTS.md): for the handful of statements that every step
runs, that was a fifth of a step. A Prepared statement keeps the SQL, the order of its
parameters and their type conversions, and runs them on pysqlite's own connection inside
the transaction SQLAlchemy began. Elsewhere (PostgreSQL) it is executed as usual.
"""

import sqlite3
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import Select
from sqlalchemy.sql.dml import UpdateBase

from storage.inline_sqlite import InlineConnection

Values = Mapping[str, Any]
Row = Mapping[Any, Any]  # a row by column name, as on both paths
Statement = UpdateBase | Select[Any]


@dataclass(frozen=True)
class _Form:
    """The statement compiled for one set of parameter names."""

    sql: str
    names: tuple[str, ...]  # the parameters in the order of the SQL's placeholders
    converters: tuple[Callable[[Any], Any] | None, ...]  # e.g. a datetime to SQLite's text
    fixed: Values  # the statement's own literals (`attempts + 1`, `status == "active"`)

    def arguments(self, values: Values) -> tuple[Any, ...]:
        given = {**self.fixed, **values} if self.fixed else values
        return tuple(value if convert is None or value is None else convert(value)
                     for value, convert in zip((given[name] for name in self.names),
                                               self.converters, strict=True))


class Prepared:
    """One statement, compiled on first use for each set of parameter names given."""

    def __init__(self, statement: Statement) -> None:
        self.statement = statement
        self._forms: dict[tuple[str, ...], _Form] = {}

    async def rows(self, connection: AsyncConnection, values: Values) -> list[Row]:
        """Run with these values; return the rows (of a SELECT or a RETURNING clause)."""
        if not isinstance(connection, InlineConnection):
            result = await connection.execute(self.statement, dict(values))
            return [row._mapping for row in result] if result.returns_rows else []
        form = self._form(connection.dialect, values)
        arguments = form.arguments(values)
        cursor = self._run(await connection.driver(), form, arguments, many=False)
        if cursor.description is None:
            return []
        columns = [column[0] for column in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]

    async def run(self, connection: AsyncConnection, values: Values | Sequence[Values]) -> None:
        """Run once with these values, or once for each of a list of them."""
        many = not isinstance(values, Mapping)
        batch = list(values) if not isinstance(values, Mapping) else [values]
        if not batch:
            return
        if not isinstance(connection, InlineConnection):
            await connection.execute(self.statement, [dict(v) for v in batch] if many
                                     else dict(batch[0]))
            return
        form = self._form(connection.dialect, batch[0])
        arguments = [form.arguments(v) for v in batch]
        self._run(await connection.driver(), form, arguments if many else arguments[0], many)

    def _form(self, dialect: Dialect, values: Values) -> _Form:
        keys = tuple(sorted(values))
        form = self._forms.get(keys)
        if form is None:
            compiled = self.statement.compile(dialect=dialect, column_keys=list(keys))
            names = tuple(compiled.positiontup or ())
            # A literal's parameter carries its value; a column left out (whose default
            # SQLAlchemy would fill in) has none and is not required.
            fixed = {name: compiled.binds[name].value for name in names if name not in keys
                     and not compiled.binds[name].required
                     and compiled.binds[name].value is not None}
            missing = set(names) - set(keys) - set(fixed)
            if missing:  # SQLAlchemy would fill column defaults here; this path does not
                raise ValueError(f"{self.statement}: no value for {sorted(missing)}")
            converters = tuple(
                compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
                for name in names)
            form = self._forms[keys] = _Form(compiled.string, names, converters, fixed)
        return form

    @staticmethod
    def _run(driver: sqlite3.Connection, form: _Form, arguments: Any, many: bool) -> Any:
        try:
            return driver.executemany(form.sql, arguments) if many else \
                driver.execute(form.sql, arguments)
        except sqlite3.Error as error:  # raised as SQLAlchemy would: callers catch those
            raise DBAPIError.instance(form.sql, arguments, error, sqlite3.Error) from error
