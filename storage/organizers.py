"""Organizer accounts: argon2 password hashes, a lock after wrong tries, browser sessions."""

import asyncio
import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Table, delete, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage.clock import aware, now
from storage.report_models import KnownAddress, LoginAttempt, Organizer, OrganizerSession
from storage.roles import ROLES

ORGANIZER: Table = Organizer.__table__  # type: ignore[attr-defined]
ATTEMPT: Table = LoginAttempt.__table__  # type: ignore[attr-defined]
SESSION: Table = OrganizerSession.__table__  # type: ignore[attr-defined]
KNOWN: Table = KnownAddress.__table__  # type: ignore[attr-defined]
# Wrong tries for one login from one address in LOCK_TIME: the next from there is refused
# unchecked until the oldest ages out. Per address, so that a stranger elsewhere cannot lock
# the organizer out.
MAX_FAILURES = 5
# Tries from one address in LOCK_TIME, whatever the logins: a spray across many logins, a few
# guesses each, is slowed to this pace, and the logins it tried are not locked by it.
MAX_ADDRESS_TRIES = 20
# Checked tries for one login in LOCK_TIME from everywhere: beyond them the login is not locked
# but slowed, one checked try every ACCOUNT_PACE (the others refused unchecked and not
# counted). Reaching it takes twenty addresses' five tries; holding it, a checked try every
# few seconds from yet more: the organizer's own try gets through between them.
ACCOUNT_TRIES = 100
ACCOUNT_PACE = timedelta(seconds=10)
# An address that signed in to a login successfully in this time is not slowed by that pace
# (the organizer's own computer, while a spray from elsewhere holds it); its own limits above
# still hold.
KNOWN_TIME = timedelta(days=30)
MIN_PASSWORD = 10
LOCK_TIME = timedelta(minutes=15)
SESSION_TIME = timedelta(hours=12)
_HASHER = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Checked when the login is unknown, so that a wrong login takes as long as a wrong
    password; made at the first sign-in (in a worker thread, like every hash), not at import
    (every hocso command imports this)."""
    return _HASHER.hash(secrets.token_hex(16))


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
    """The result of a sign-in: a session token, or whether the login is locked for now from
    this address, or the address has tried too often, or the login is being tried too often
    from everywhere (those three: the try was not checked, nor counted)."""

    token: str = ""
    locked: bool = False
    busy: bool = False
    slowed: bool = False


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"the password needs at least {MIN_PASSWORD} characters")


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def _verify(password_hash: str, password: str) -> bool:
    def check() -> bool:
        try:
            return _HASHER.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
    return await asyncio.to_thread(check)  # about 50 ms of CPU: keep the loop free


async def _serialised(connection: AsyncConnection, login: str, address: str) -> None:
    """Wait for the other sign-ins to the login, and from the address, to be counted first.
    On PostgreSQL (READ COMMITTED) a try's count does not see the tries of transactions still
    open, so a burst sent at once would all pass the limits: transaction-scoped advisory locks,
    the login's then the address's (always in that order, so two tries never wait on each
    other). On SQLite the transaction began IMMEDIATE, holding the write lock: they waited."""
    if connection.dialect.name == "postgresql":
        await connection.execute(text("SELECT pg_advisory_xact_lock(hashtext(:login))"),
                                 {"login": login})
        await connection.execute(text("SELECT pg_advisory_xact_lock(1, hashtext(:address))"),
                                 {"address": address})


async def _known(connection: AsyncConnection, login: str, address: str) -> bool:
    """Whether the login signed in successfully from the address within KNOWN_TIME."""
    return bool(await connection.scalar(select(func.count()).select_from(KNOWN).where(
        (KNOWN.c.login == login) & (KNOWN.c.address == address)
        & (KNOWN.c.signed_in_at > now() - KNOWN_TIME))))


class Organizers:
    """Accounts and sessions of the dashboard."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        # Password checks at once: a burst of sign-ins must not take every core from the bot.
        self._hashing = asyncio.Semaphore(2)

    async def add(self, *, login: str, name: str, area_id: str, role: str,
                  password: str) -> int:
        """Create an account; ValueError when the login is taken or a value is not allowed."""
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}")
        _check_password(password)
        hashed = await asyncio.to_thread(_HASHER.hash, password)
        try:
            async with self.engine.begin() as connection:
                result = await connection.execute(insert(ORGANIZER).values(
                    login=login, name=name, area_id=area_id, role=role, password_hash=hashed,
                    created_at=now()))
        except IntegrityError as error:
            raise ValueError(f"the login '{login}' is taken") from error
        return int(result.inserted_primary_key[0])  # type: ignore[index]

    async def sign_in(self, login: str, password: str, address: str = "") -> SignIn:
        """Check a password. Each try is written down before the check, for known and
        unknown logins alike, so that parallel guesses count too. A try is refused unchecked,
        and not counted, after MAX_FAILURES tries for the login from this address in
        LOCK_TIME (until the oldest ages out), after MAX_ADDRESS_TRIES from the address, or,
        past ACCOUNT_TRIES for the login from everywhere, within ACCOUNT_PACE of its last
        checked try. Tries older than LOCK_TIME are forgotten."""
        since = now() - LOCK_TIME
        address = address[:64]
        async with self.engine.begin() as connection:
            await _serialised(connection, login, address)
            # Unknown logins' tries would otherwise stay forever: no success deletes them.
            await connection.execute(delete(ATTEMPT).where(ATTEMPT.c.attempted_at <= since))
            mine = (await connection.execute(insert(ATTEMPT).values(
                login=login, address=address, attempted_at=now())
                .returning(ATTEMPT.c.id))).scalar_one()
            recent = ATTEMPT.c.attempted_at > since
            here = await connection.scalar(select(func.count()).select_from(ATTEMPT).where(
                (ATTEMPT.c.address == address) & recent))
            tries = await connection.scalar(select(func.count()).select_from(ATTEMPT).where(
                (ATTEMPT.c.login == login) & (ATTEMPT.c.address == address) & recent))
            refused = SignIn(busy=True) if (here or 0) > MAX_ADDRESS_TRIES else \
                SignIn(locked=True) if (tries or 0) > MAX_FAILURES else None
            if refused is None:
                everywhere = await connection.scalar(
                    select(func.count()).select_from(ATTEMPT).where(
                        (ATTEMPT.c.login == login) & recent))
                if (everywhere or 0) > ACCOUNT_TRIES and not await _known(
                        connection, login, address) and await connection.scalar(
                        select(func.count()).select_from(ATTEMPT).where(
                            (ATTEMPT.c.login == login) & (ATTEMPT.c.id != mine)
                            & (ATTEMPT.c.attempted_at > now() - ACCOUNT_PACE))):
                    refused = SignIn(slowed=True)
            if refused is not None:
                await connection.execute(delete(ATTEMPT).where(ATTEMPT.c.id == mine))
                return refused
            row = (await connection.execute(select(ORGANIZER).where(
                ORGANIZER.c.login == login))).first()
        async with self._hashing:
            stored = row.password_hash if row else await asyncio.to_thread(_dummy_hash)
            right = await _verify(stored, password)
        if row is None or not right:
            return SignIn(locked=(tries or 0) >= MAX_FAILURES)
        token = secrets.token_urlsafe(32)
        async with self.engine.begin() as connection:
            await connection.execute(delete(ATTEMPT).where(ATTEMPT.c.login == login))
            await connection.execute(delete(KNOWN).where(
                (KNOWN.c.signed_in_at <= now() - KNOWN_TIME)
                | ((KNOWN.c.login == login) & (KNOWN.c.address == address))))
            await connection.execute(insert(KNOWN).values(login=login, address=address,
                                                          signed_in_at=now()))
            await connection.execute(delete(SESSION).where(SESSION.c.expires_at <= now()))
            await connection.execute(insert(SESSION).values(
                token_hash=_hash_token(token), organizer_id=row.id,
                csrf_token=secrets.token_urlsafe(32), created_at=now(),
                expires_at=now() + SESSION_TIME))
        return SignIn(token=token)

    async def remove(self, login: str) -> bool:
        """Delete an account and end its sessions; False when there is no such login."""
        async with self.engine.begin() as connection:
            found = await self._id(connection, login)
            if found is not None:
                await connection.execute(delete(SESSION).where(SESSION.c.organizer_id == found))
                await connection.execute(delete(ORGANIZER).where(ORGANIZER.c.id == found))
                await connection.execute(delete(KNOWN).where(KNOWN.c.login == login))
        return found is not None

    async def set_password(self, login: str, password: str) -> bool:
        """Give an account a new password, end its sessions and lift a lock."""
        _check_password(password)
        hashed = await asyncio.to_thread(_HASHER.hash, password)
        async with self.engine.begin() as connection:
            found = await self._id(connection, login)
            if found is not None:
                await connection.execute(update(ORGANIZER).where(ORGANIZER.c.id == found)
                                         .values(password_hash=hashed))
                await connection.execute(delete(SESSION).where(SESSION.c.organizer_id == found))
                await connection.execute(delete(ATTEMPT).where(ATTEMPT.c.login == login))
        return found is not None

    async def unlock(self, login: str) -> None:
        """Forget a login's wrong tries (after a lock-out that was not an attack)."""
        async with self.engine.begin() as connection:
            await connection.execute(delete(ATTEMPT).where(ATTEMPT.c.login == login))

    @staticmethod
    async def _id(connection: AsyncConnection, login: str) -> int | None:
        found = await connection.scalar(select(ORGANIZER.c.id).where(ORGANIZER.c.login == login))
        return int(found) if found is not None else None

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
        if row is None or aware(row.expires_at) <= now():
            return None
        return OrganizerRecord(row.id, row.login, row.name, row.area_id, row.role), row.csrf_token

    async def sign_out(self, token: str) -> None:
        """End a session."""
        async with self.engine.begin() as connection:
            await connection.execute(delete(SESSION).where(
                SESSION.c.token_hash == _hash_token(token)))
