"""The Zalo OA token store: refresh under a row lock and save the new pair in that transaction."""

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Table, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.models import OaToken
from storage.repository import now

TOKENS: Table = OaToken.__table__  # type: ignore[attr-defined]
EXPIRED = datetime(2000, 1, 1, tzinfo=UTC)
log = logging.getLogger("hocso.zalo_oa")


@dataclass(frozen=True)
class TokenPair:
    """What a refresh returns: a new access token, the next single-use refresh token, a life."""

    access_token: str
    refresh_token: str
    expires_in: timedelta


Refresh = Callable[[str], Awaitable[TokenPair]]


class OaTokenStore:
    """Hands out a valid access token, refreshing it (once, across workers) when it is old."""

    def __init__(self, engine: AsyncEngine, *, app_id: str, seed_refresh_token: str) -> None:
        self._engine = engine
        self._app_id = app_id
        self._seed = seed_refresh_token
        self._cached: tuple[str, datetime, timedelta] | None = None  # token, expiry, margin

    async def access_token(self, refresh: Refresh, *, margin: timedelta,
                           invalid: str | None = None) -> str:
        """Return an access token valid for at least `margin`, calling `refresh` if needed.

        `invalid` is a token the API just refused: it is refreshed even if it looks valid,
        unless another worker has already replaced it.
        The row stays locked from reading the old refresh token until the new one is saved,
        so two workers never spend the same single-use refresh token; the new pair is written
        and committed as soon as the response arrives.
        """
        cached = self._cached
        if cached is not None and cached[0] != invalid and cached[1] - cached[2] > now():
            return cached[0]  # no database round trip for every message
        key = TOKENS.c.app_id == self._app_id
        await self._ensure_row()
        async with self._engine.begin() as connection:
            row = (await connection.execute(select(TOKENS).where(key).with_for_update())).one()
            if row.seed_refresh_token != self._seed:  # the operator gave a new refresh token
                await connection.execute(update(TOKENS).where(key).values(self._seeded()))
                row = (await connection.execute(select(TOKENS).where(key))).one()
            # A token that lives an hour or less would otherwise be refreshed at every send.
            early = min(margin, (row.expires_at - row.updated_at) / 4)
            usable = row.access_token and row.access_token != invalid
            if usable and row.expires_at - early > now():
                self._cached = (str(row.access_token), row.expires_at, early)  # maybe another's
                return str(row.access_token)
            try:
                pair = await refresh(row.refresh_token)
            except Exception:
                if not usable or row.expires_at <= now():
                    raise
                log.exception("Zalo OA token refresh failed; the current token still works "
                              "until %s", row.expires_at.isoformat())
                return str(row.access_token)
            expires_at = now() + pair.expires_in
            await connection.execute(update(TOKENS).where(key).values(
                access_token=pair.access_token, refresh_token=pair.refresh_token,
                expires_at=expires_at, updated_at=now()))
        self._cached = (pair.access_token, expires_at, min(margin, pair.expires_in / 4))
        return pair.access_token

    def _seeded(self) -> dict[str, object]:
        return {"access_token": "", "refresh_token": self._seed,
                "seed_refresh_token": self._seed, "expires_at": EXPIRED, "updated_at": EXPIRED}

    async def _ensure_row(self) -> None:
        async with self._engine.begin() as connection:
            if (await connection.execute(select(TOKENS.c.app_id).where(
                    TOKENS.c.app_id == self._app_id))).first() is not None:
                return
            try:
                async with connection.begin_nested():
                    await connection.execute(insert(TOKENS).values(app_id=self._app_id,
                                                                   **self._seeded()))
            except IntegrityError:
                pass  # another worker created it first
