"""A failed statement's error, which the logs print, never quotes the words it carried."""

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from storage.database import create_engine, create_turn_engine
from tests.conftest import POSTGRES_URL

WORDS = "Mật khẩu của tôi là hoahong1960"
FAILING = text("SELECT * FROM no_such_table WHERE note = :note")


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_an_errors_text_holds_the_statement_not_its_values(backend: str,
                                                                 tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'x.db'}" if backend == "sqlite"
                           else POSTGRES_URL)
    try:
        async with engine.connect() as connection:
            with pytest.raises(DBAPIError) as raised:
                await connection.execute(FAILING, {"note": WORDS})
    except OSError:
        pytest.skip("PostgreSQL at " + POSTGRES_URL)
    finally:
        await engine.dispose()
    assert "no_such_table" in str(raised.value) and "hoahong" not in str(raised.value)


async def test_the_turn_engines_errors_hide_their_values_too(tmp_path: Path) -> None:
    shared = create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    turns = create_turn_engine(shared)
    with turns.connect() as connection, pytest.raises(DBAPIError) as raised:
        connection.execute(FAILING, {"note": WORDS})
    turns.dispose()
    await shared.dispose()
    assert "no_such_table" in str(raised.value) and "hoahong" not in str(raised.value)
