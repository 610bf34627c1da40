"""The client's own address behind a trusted reverse proxy, from X-Forwarded-For."""

from collections.abc import Awaitable, Callable, Collection

from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def trust_proxies(app: web.Application, proxies: Collection[str]) -> None:
    """Make `request.remote` the client's address when a request comes through one of
    `proxies`, so that limits per address (admin sign-in, QR codes) count people, not the
    proxy. Only those peers are believed: anyone else could write the header too."""
    trusted = frozenset(proxies)
    if not trusted:
        return

    @web.middleware
    async def client_address(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.remote in trusted:
            # Each proxy appends the address it was reached from: the last one not a proxy
            # of ours is the client (those before it are whatever the client claimed).
            hops = [hop.strip() for line in request.headers.getall("X-Forwarded-For", [])
                    for hop in line.split(",") if hop.strip()]
            client = next((hop for hop in reversed(hops) if hop not in trusted), None)
            if client is not None:
                request = request.clone(remote=client[:64])
        return await handler(request)

    app.middlewares.append(client_address)
