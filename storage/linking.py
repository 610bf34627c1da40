"""Link codes (/lien_ket): 6 characters an elder can read and type (no 0/O or 1/I/L), valid 15
minutes, used once; only their SHA-256 is kept. Joining the two learners is storage/joining.py.
"""

import hashlib
import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import Table, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.models import LinkCode
from storage.repository import now
from storage.transactions import Connection

LINK_CODE: Table = LinkCode.__table__  # type: ignore[attr-defined]
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # read aloud or typed: no 0/O, 1/I/L
LETTERS = frozenset(char for char in ALPHABET if char.isalpha())
CODE_LENGTH = 6
_TYPED = re.compile(f"([{ALPHABET}]{{3}})[ .-]?([{ALPHABET}]{{3}})")
LIFETIME = timedelta(minutes=15)


def normalize(text: str) -> str | None:
    """A typed code as issued ("k7m 4qx", "K7M-4QX" → "K7M4QX"), or None when the text is
    not shaped like one: two groups of 3 characters of the alphabet, or 6 together, letters
    and digits both (so no word, number or "TP HCM 9" a learner types is taken for a code)."""
    found = _TYPED.fullmatch(text.strip().upper())
    if found is None:
        return None
    code = found.group(1) + found.group(2)
    letters = sum(char in LETTERS for char in code)
    return code if 0 < letters < CODE_LENGTH else None


def shown(code: str) -> str:
    """A code as it is shown, in two groups of three: "K7M 4QX"."""
    return f"{code[:3]} {code[3:]}"


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _new_code() -> str:
    while True:
        code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
        if normalize(code) == code:
            return code


async def issue(connection: Connection, learner_id: int) -> tuple[str, datetime]:
    """A new code for a person (their earlier ones stop working) and when it expires."""
    moment = now()
    await connection.execute(delete(LINK_CODE).where(
        (LINK_CODE.c.learner_id == learner_id) | (LINK_CODE.c.expires_at <= moment)))
    while True:
        code = _new_code()
        if await connection.scalar(select(LINK_CODE.c.code_hash).where(
                LINK_CODE.c.code_hash == _hash(code))) is None:
            break  # a live code of someone else's is all but impossible; draw again then
    await connection.execute(insert(LINK_CODE).values(
        code_hash=_hash(code), learner_id=learner_id, created_at=moment,
        expires_at=moment + LIFETIME))
    return code, moment + LIFETIME


async def redeem(connection: Connection, code: str) -> int | None:
    """The person a live code belongs to, the code used up; None for a wrong or expired one.
    Of two apps typing one code at once, one gets it (the row is deleted once)."""
    return await connection.scalar(delete(LINK_CODE).where(
        (LINK_CODE.c.code_hash == _hash(code)) & (LINK_CODE.c.expires_at > now())
    ).returning(LINK_CODE.c.learner_id))


async def is_live(engine: AsyncEngine, code: str) -> bool:
    """Whether a code (as issued, "K7M4QX") can still be used: for its QR code's picture."""
    async with engine.connect() as connection:
        return await connection.scalar(select(LINK_CODE.c.learner_id).where(
            (LINK_CODE.c.code_hash == _hash(code)) & (LINK_CODE.c.expires_at > now()))
        ) is not None
