"""Download a picture a person sent (Zalo gives its URL) for the message check's OCR."""

import logging
from urllib.parse import urlsplit

import aiohttp

log = logging.getLogger(__name__)

MAX_PICTURE_BYTES = 10 * 1024 * 1024  # a phone's screenshot is well under this
TIMEOUT = aiohttp.ClientTimeout(total=20)
# Where Zalo keeps the pictures people send (its CDN); anything else is not fetched, so an
# event cannot make the bot request an address of someone's choosing.
ZALO_HOSTS = ("zdn.vn", "zadn.vn", "zalo.me", "zaloapp.com")


def allowed(url: str, hosts: tuple[str, ...]) -> bool:
    """Whether `url` is http(s) on one of `hosts` or a subdomain of one."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower() if parts.scheme in ("https", "http") else ""
    except ValueError:  # a malformed address (a bad port, brackets)
        return False
    return any(host == name or host.endswith(f".{name}") for name in hosts)


async def download(session: aiohttp.ClientSession, url: str,
                   hosts: tuple[str, ...] = ZALO_HOSTS) -> bytes:
    """The picture at `url` (http or https on one of `hosts`), at most MAX_PICTURE_BYTES;
    b"" when it cannot be fetched (the tutor then says it could not read it). The URL is
    not logged: it leads to the person's picture."""
    if not allowed(url, hosts):
        log.warning("picture not downloaded: not on the messenger's own hosts")
        return b""
    try:
        async with session.get(url, timeout=TIMEOUT, allow_redirects=False) as response:
            if response.status != 200:
                log.warning("picture not downloaded: HTTP %s", response.status)
                return b""
            data = await response.content.read(MAX_PICTURE_BYTES + 1)
    except (aiohttp.ClientError, TimeoutError) as error:
        log.warning("picture not downloaded: %s", type(error).__name__)
        return b""
    return data if len(data) <= MAX_PICTURE_BYTES else b""
