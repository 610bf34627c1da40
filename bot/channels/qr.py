"""QR code pictures of invitation links: drawn here (no outside service), off the event loop."""

import asyncio
import io
from functools import lru_cache

import segno
from aiohttp import web

from bot.throttle import Buckets
from bot.tutor import Tutor
from storage.database import unreachable

MAX_QR_TEXT = 512
PATH = "/qr/{code:[A-Za-z0-9-]{1,32}}.png"  # an invitation code, nothing else
EVERYONE = "*"


@lru_cache(maxsize=256)  # a few hundred live invitations at most; each PNG is about 1 KB
def qr_png(text: str) -> bytes:
    """A PNG of a QR code holding `text`, big enough to scan from a phone screen."""
    if not text or len(text) > MAX_QR_TEXT:
        raise ValueError(f"a QR code here holds 1 to {MAX_QR_TEXT} characters")
    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", scale=10, border=4)
    return buffer.getvalue()


async def drawn(text: str) -> bytes:
    """qr_png in a worker thread: a picture takes milliseconds of CPU that no learner waits on."""
    return await asyncio.to_thread(qr_png, text)


def qr_route(tutor: Tutor) -> web.RouteDef:
    """GET /qr/<code>.png: the QR code of a live invitation's link; 404 for any other code.

    Whether a code is live is worth knowing to someone guessing codes, so wrong codes are
    limited: per address and in all. Once either limit is spent every answer is 429, right
    codes too, until it refills: otherwise 200 against 429 would still tell them apart.
    """
    by_address = Buckets(per_second=10 / 60, burst=20)
    overall = Buckets(per_second=1.0, burst=120)

    async def picture(request: web.Request) -> web.Response:
        address = request.remote or ""
        if not (by_address.has(address) and overall.has(EVERYONE)):
            return web.Response(status=429, text="too many wrong codes; try again later")
        try:
            link = await tutor.invitation_link(request.match_info["code"])
        except Exception as error:
            if unreachable(error):
                return web.Response(status=503, text="the database cannot be reached just now")
            raise
        if not link:
            by_address.charge(address)
            overall.charge(EVERYONE)
            return web.Response(status=404, text="no such invitation")
        return web.Response(body=await drawn(link), content_type="image/png",
                            headers={"Cache-Control": "public, max-age=3600"})

    return web.get(PATH, picture)
