"""The client's own address behind a trusted reverse proxy, from X-Forwarded-For."""

import logging
from collections.abc import Awaitable, Callable, Sequence
from ipaddress import ip_address

from aiohttp import hdrs, web

from bot.addresses import Network, client_address

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
log = logging.getLogger("hocso.web")


def trust_proxies(app: web.Application, trusted: Sequence[Network]) -> None:
    """Make `request.remote` the client's address when a request comes through one of the
    `trusted` proxies, so that limits per address (the web chat, admin sign-in, QR codes)
    count people, not the proxy. Only those peers are believed: anyone could write the header."""
    warned = False

    @web.middleware
    async def client(request: web.Request, handler: Handler) -> web.StreamResponse:
        nonlocal warned
        forwarded = request.headers.getall(hdrs.X_FORWARDED_FOR, [])
        if not forwarded:
            return await handler(request)
        address = client_address(request.remote, forwarded, trusted)
        if address != request.remote:
            return await handler(request.clone(remote=address))
        if not warned and _private(address):  # most likely our own proxy, not trusted yet
            warned = True
            log.warning("requests from %s carry X-Forwarded-For, which is not trusted: every "
                        "client behind that proxy shares one address's limits. Add %s to "
                        "HOCSO_TRUSTED_PROXIES if it is your reverse proxy", address, address)
        return await handler(request)

    app.middlewares.append(client)


def _private(address: str) -> bool:
    try:
        return ip_address(address).is_private
    except ValueError:
        return False
