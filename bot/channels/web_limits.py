"""The web chat's limits per client address and network, checked before any other work."""

import asyncio
import logging
import math
import time
from dataclasses import dataclass

from aiohttp import hdrs, web

from bot.addresses import network_of
from bot.throttle import Buckets, Clock

log = logging.getLogger("hocso.web")
# A refused request is answered only after this wait. A flooding client that waits for its
# answers (as browsers and scripts do) is slowed to its number of connections a second, and
# every refusal costs the server almost nothing: a sleeping request is no work.
REFUSAL_DELAY_SECONDS = 1.0


@dataclass
class WebLimits:
    """Requests, new sessions and photos per address and per network (a /24 or a /64).

    A network may send several times what one address may: a commune office or a mobile
    operator puts many people behind one address, and more behind one network.
    """

    requests_per_minute: float = 600
    sessions_per_hour: float = 60
    # Each photo costs about a second of CPU for OCR: far fewer of those than of messages.
    photos_per_minute: float = 6
    refusal_delay: float = REFUSAL_DELAY_SECONDS
    clock: Clock = time.monotonic  # tests pass a stopped one

    def __post_init__(self) -> None:
        def buckets(per_second: float, burst: float) -> Buckets:
            return Buckets(per_second, burst=burst, clock=self.clock)
        per_second = self.requests_per_minute / 60
        self._requests = buckets(per_second, max(20.0, per_second * 10))
        self._network_requests = buckets(3 * per_second, max(60.0, per_second * 30))
        per_hour = self.sessions_per_hour / 3600
        self._sessions = buckets(per_hour, max(5.0, self.sessions_per_hour / 2))
        self._network_sessions = buckets(5 * per_hour, max(25.0, self.sessions_per_hour * 2.5))
        photos = self.photos_per_minute / 60
        self._photos = buckets(photos, max(3.0, self.photos_per_minute / 2))
        self._network_photos = buckets(3 * photos, max(9.0, self.photos_per_minute * 1.5))

    @staticmethod
    def client(request: web.Request) -> str:
        """The address of whoever sent `request` (bot.forwarded has looked past our proxies)."""
        return request.remote or ""

    async def admit(self, request: web.Request, *, new_session: bool = False,
                    photo: bool = False) -> web.Response | None:
        """None when the request may go ahead; else the 429 to answer (after a pause)."""
        address = self.client(request)
        network = network_of(address)
        checks = [(self._requests, address), (self._network_requests, network)]
        if new_session:
            checks += [(self._sessions, address), (self._network_sessions, network)]
        if photo:
            checks += [(self._photos, address), (self._network_photos, network)]
        for buckets, key in checks:
            if not buckets.has(key):
                return await self._refuse(buckets.wait(key))
        for buckets, key in checks:
            buckets.take(key)
        return None

    async def _refuse(self, wait: float) -> web.Response:
        await asyncio.sleep(self.refusal_delay)
        response = web.json_response(
            {"error": "Too many requests from your address; wait a little."}, status=429)
        response.headers[hdrs.RETRY_AFTER] = str(max(1, math.ceil(wait)))
        return response
