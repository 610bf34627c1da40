"""Organizer accounts: argon2 password hashes, a lock after wrong passwords, browser sessions."""

import asyncio
import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Table, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.clock import now
from storage.report_models import Organizer, OrganizerSession

ORGANIZER: Table = Organizer.__table__  # type: ignore[attr-defined]
SESSION: Table = OrganizerSession.__table__  # type: ignore[attr-defined]
ROLES = ("organizer", "viewer")  # a viewer sees numbers only, never the list of learners
MAX_FAILURES = 5
LOCK_TIME = timedelta(minutes=15)
SESSION_TIME = timedelta(hours=12)
_HASHER = PasswordHasher()
# Checked when the login is unknown, so that a wrong login takes as long as a wrong password.
_DUMMY_HASH = _HASHER.hash(secrets.token_hex(16))


@dataclass(frozen=True)
class OrganizerRecord:
    """A signed-in organizer: who, which area ("" = every area), which role."""

    id: int
    login: str
    name: str
    area_id: str
    role: str

    @property
    def sees_learners(self) -> bool:
        return self.role == "organizer"


@dataclass(frozen=True)
class SignIn:
    """The result of a sign-in: a session token, or why there is none."""

    token: str = ""
    locked_until: datetime | None = None


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo else when.replace(tzinfo=UTC)


async def _verify(password_hash: str, password: str) -> bool:
    def check() -> bool:
        try:
            return _HASHER.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
    return await asyncio.to_thread(check)  # about 50 ms of CPU: keep the loop free


class Organizers:
    """Accounts and sessions of the dashboard."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def add(self, *, login: str, name: str, area_id: str, role: str,
                  password: str) -> int:
        """Create an account; ValueError when the login is taken or a value is not allowed."""
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}")
        if len(password) < 10:
            raise ValueError("the password needs at least 10 characters")
        hashed = await asyncio.to_thread(_HASHER.hash, password)
        try:
            async with self.engine.begin() as connection:
                result = await connection.execute(insert(ORGANIZER).values(
                    login=login, name=name, area_id=area_id, role=role, password_hash=hashed,
                    failed_logins=0, locked_until=None, created_at=now()))
        except IntegrityError as error:
            raise ValueError(f"the login '{login}' is taken") from error
        return int(result.inserted_primary_key[0])  # type: ignore[index]

    async def sign_in(self, login: str, password: str) -> SignIn:
        """Check a password; after MAX_FAILURES wrong ones the account waits LOCK_TIME."""
        async with self.engine.connect() as connection:
            row = (await connection.execute(select(ORGANIZER).where(
                ORGANIZER.c.login == login))).first()
            await connection.rollback()
        if row is None:
            await _verify(_DUMMY_HASH, password)
            return SignIn()
        if row.locked_until is not None and _aware(row.locked_until) > now():
            return SignIn(locked_until=_aware(row.locked_until))
        if not await _verify(row.password_hash, password):
            return await self._failed(row.id)
        token = secrets.token_urlsafe(32)
        async with self.engine.begin() as connection:
            await connection.execute(update(ORGANIZER).where(ORGANIZER.c.id == row.id).values(
                failed_logins=0, locked_until=None))
            await connection.execute(insert(SESSION).values(
                token_hash=_hash_token(token), organizer_id=row.id,
                csrf_token=secrets.token_urlsafe(32), created_at=now(),
                expires_at=now() + SESSION_TIME))
        return SignIn(token=token)

    async def _failed(self, organizer_id: int) -> SignIn:
        async with self.engine.begin() as connection:
            failures = await connection.scalar(
                update(ORGANIZER).where(ORGANIZER.c.id == organizer_id)
                .values(failed_logins=ORGANIZER.c.failed_logins + 1)
                .returning(ORGANIZER.c.failed_logins))
            if failures is not None and failures >= MAX_FAILURES:
                until = now() + LOCK_TIME
                await connection.execute(update(ORGANIZER).where(
                    ORGANIZER.c.id == organizer_id).values(failed_logins=0, locked_until=until))
                return SignIn(locked_until=until)
        return SignIn()

    async def session(self, token: str) -> tuple[OrganizerRecord, str] | None:
        """The organizer and CSRF token of a live session, or None."""
        if not token:
            return None
        async with self.engine.connect() as connection:
            row = (await connection.execute(
                select(ORGANIZER, SESSION.c.csrf_token, SESSION.c.expires_at)
                .join(SESSION, SESSION.c.organizer_id == ORGANIZER.c.id)
                .where(SESSION.c.token_hash == _hash_token(token)))).first()
            await connection.rollback()
        if row is None or _aware(row.expires_at) <= now():
            return None
        return OrganizerRecord(row.id, row.login, row.name, row.area_id, row.role), row.csrf_token

    async def sign_out(self, token: str) -> None:
        """End a session."""
        async with self.engine.begin() as connection:
            await connection.execute(delete(SESSION).where(
                SESSION.c.token_hash == _hash_token(token)))
