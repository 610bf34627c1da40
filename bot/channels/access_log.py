"""The web server's access log: no query strings, invitation or certificate codes."""

import logging
import re

from aiohttp.abc import AbstractAccessLogger
from aiohttp.web import BaseRequest, StreamResponse

from bot.logs import HIDDEN

_INVITATION_PICTURE = re.compile(r"^/qr/")
# A certificate's code opens its page (its name, course and date): kept out of logs too.
_CERTIFICATE = re.compile(r"^/xac-minh/[^/.]*")


class AccessLog(AbstractAccessLogger):
    """One INFO line a request: address, method, path, status, bytes, seconds.

    Without query strings (`/?kem=<code>` opens the chat with an invitation code typed), Referer
    headers (they hold the same), invitation codes in QR pictures' paths (`/qr/….png`) or
    certificates' codes (`/xac-minh/…`, `/xac-minh/….pdf`).
    """

    def log(self, request: BaseRequest, response: StreamResponse, time: float) -> None:
        path = request.rel_url.path
        if _INVITATION_PICTURE.match(path):
            path = f"/qr/{HIDDEN}.png"
        path = _CERTIFICATE.sub(f"/xac-minh/{HIDDEN}", path)
        self.logger.info('%s "%s %s" %s %s %.3fs', request.remote, request.method, path,
                         response.status, response.body_length, time)

    @property
    def enabled(self) -> bool:
        return self.logger.isEnabledFor(logging.INFO)
