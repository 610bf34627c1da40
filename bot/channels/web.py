"""The web chat: an aiohttp page plus the JSON API that the page itself uses."""

import base64
import json
import re
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import wraps
from pathlib import Path
from typing import Any

import jinja2
from aiohttp import web

from bot.addresses import Network, parse_networks
from bot.channels import json_body
from bot.channels.headers import PAGE_HEADERS
from bot.channels.pictures import MAX_PICTURE_BYTES
from bot.channels.qr import qr_png, qr_route
from bot.channels.text import numbered_rows, picture_url
from bot.channels.verify import verify_routes
from bot.channels.web_limits import WebLimits
from bot.channels.web_photo import TooLarge, read_upload
from bot.forwarded import trust_proxies
from bot.handlers.channel_words import WEB
from bot.messages import Attachment, Incoming, Kind, Outgoing
from bot.tutor import MAX_KEPT_CHARS, Tutor, UnknownLearner
from storage.clock import now
from storage.database import unreachable

CHANNEL = "web"
HERE = Path(__file__).resolve().parent
MAX_BODY_BYTES = 16 * 1024  # the web chat's own requests: the page's longest text fits
# Any request on this server, webhooks included: a Telegram update quoting a long message is
# tens of kilobytes, and refusing it would make the platform send it again and again.
MAX_REQUEST_BYTES = 1024 * 1024
_SESSION = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_MESSAGE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
# The browser's language ("en-US"): a hint the consent notice may offer, as Telegram's is.
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8}){0,3}$")
TUTOR_KEY = web.AppKey("tutor", Tutor)


@dataclass(frozen=True)
class WebOptions:
    """How this deployment's web chat behaves (from Settings)."""

    # A session nobody has used for this long is over: its id opens nothing any more.
    session_idle: timedelta = timedelta(days=30)
    # A computer many people use (a commune service desk): the page keeps nothing in the
    # browser and ends a session after `kiosk_idle` without a message, on the server too.
    kiosk: bool = False
    kiosk_idle: timedelta = timedelta(minutes=5)
    limits: WebLimits = field(default_factory=WebLimits)
    # A reverse proxy on the same machine, as docs/OPERATIONS.md sets it up, is believed.
    trusted_proxies: tuple[Network, ...] = parse_networks("127.0.0.1, ::1")

    @property
    def idle(self) -> timedelta:
        return self.kiosk_idle if self.kiosk else self.session_idle


OPTIONS_KEY = web.AppKey("options", WebOptions)
# How long a web request waits for an unreachable database before it is answered 503: a
# resident looking at the page should hear soon that they can try again in a while.
WEB_PATIENCE_SECONDS = 5.0
OUTAGE = "The database cannot be reached just now; try again later."
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


def _outage() -> web.Response:
    """503, which the page turns into "try again in a few minutes"."""
    response = _error(503, OUTAGE)
    response.headers["Retry-After"] = "60"
    return response


def _api(handler: Handler, *, new_session: bool = False, photo: bool = False) -> Handler:
    """An API route: first the limits per address (no other work for a flood), then the
    handler, which answers 503, not 500, while the database cannot be reached."""
    @wraps(handler)
    async def guarded(request: web.Request) -> web.StreamResponse:
        refused = await request.app[OPTIONS_KEY].limits.admit(request, new_session=new_session,
                                                              photo=photo)
        if refused is not None:
            return refused
        try:
            return await handler(request)
        except Exception as error:
            if unreachable(error):
                return _outage()
            raise
    return guarded


def png_size(head: bytes) -> tuple[int, int] | None:
    """Width and height from the first 24 bytes of a PNG; None for anything else."""
    if len(head) < 24 or head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        return None
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


def picture_size(reply: Outgoing, content_dir: Path | None) -> tuple[int, int] | None:
    """The size of a reply's picture, so the page keeps its space before it loads."""
    if reply.qr and reply.invitation:
        try:
            return png_size(qr_png(reply.qr)[:24])
        except ValueError:  # a link too long for a QR code: the picture is not served either
            return None
    if not reply.image or content_dir is None:
        return None
    try:
        with (content_dir / reply.image).open("rb") as file:
            return png_size(file.read(24))
    except OSError:
        return None


def render_reply(reply: Outgoing, content_dir: Path | None = None) -> dict[str, Any]:
    """Turn an Outgoing into the JSON the page draws: buttons numbered as typed digits pick
    them ("1 · Tiếp tục"), with the label alone that the page echoes when one is pressed."""
    said = iter(reply.flat_buttons())
    return {
        "text": reply.text,
        "buttons": [[{"label": label, "payload": payload, "said": next(said).label}
                     for label, payload in row] for row in numbered_rows(reply)],
        "image": picture_url(reply) or None,
        "size": picture_size(reply, content_dir),
        # The learner's data file travels in the answer itself: it is theirs, for this session.
        "file": _file(reply.attachment) if reply.attachment else None,
        # The learner's language: the page says its own words in it too.
        "locale": reply.locale,
    }


def _file(attachment: Attachment) -> dict[str, str]:
    """A file for the page: a picture (a certificate) as base64, a data file as its text."""
    if attachment.mime.startswith("image/"):
        return {"name": attachment.name, "type": attachment.mime,
                "base64": base64.b64encode(attachment.data).decode()}
    return {"name": attachment.name, "type": attachment.mime, "text": attachment.data.decode()}


def _active_since(request: web.Request) -> datetime:
    """Sessions idle since before this moment are over."""
    return now() - request.app[OPTIONS_KEY].idle


def page_words(tutor: Tutor, *, minutes: int) -> dict[str, dict[str, str]]:
    """The page's own words in every language the content speaks (content/templates/
    <locale>/web.yaml); the page picks the learner's. A file's name is put in by the page."""
    values: dict[str, dict[str, Any]] = {"web_kiosk_note": {"minutes": minutes},
                                         "web_download": {"name": "{name}"}}
    return {locale: {key: tutor.words(locale, key, **values.get(key, {})) for key in WEB}
            for locale in tutor.library.locales}


async def page(request: web.Request) -> web.Response:
    """Serve the chat page, in Vietnamese until a reply says the learner reads another
    language (the page keeps every language's words)."""
    options = request.app[OPTIONS_KEY]
    idle_seconds = int(options.idle.total_seconds())
    words = page_words(request.app[TUTOR_KEY], minutes=idle_seconds // 60)
    # As much as the Tutor reads (one more, so that it sees the text is too long and says so).
    html = request.app[PAGE_KEY].render(
        kiosk=options.kiosk, idle_seconds=idle_seconds,
        max_text=MAX_KEPT_CHARS + 1, max_photo=MAX_PICTURE_BYTES,
        t=words[request.app[TUTOR_KEY].library.locale], texts=json.dumps(words))
    return web.Response(text=html, content_type="text/html", charset="utf-8",
                        headers=PAGE_HEADERS)


async def new_session(request: web.Request) -> web.Response:
    """Create a learner for a new browser and return its session id."""
    session = secrets.token_urlsafe(18)
    await request.app[TUTOR_KEY].new_learner(channel=CHANNEL, user_ref=session)
    return web.json_response({"session": session})


async def _read_json(request: web.Request) -> dict[str, Any] | None:
    if request.content_type != "application/json":
        return None
    try:
        body = await json_body.read(request, max_bytes=MAX_BODY_BYTES)
    except json_body.BadJson:
        return None
    return body if isinstance(body, dict) else None


async def chat(request: web.Request) -> web.Response:
    """Take one message or button press and return the tutor's replies."""
    body = await _read_json(request)
    if body is None:
        return _error(400, "Send a JSON object.")
    session, text, payload, message_id, language = (
        body.get(key) for key in ("session", "text", "payload", "id", "language"))
    if not isinstance(session, str) or not _SESSION.match(session):
        return _error(400, "Field 'session' is missing or malformed.")
    if (text is None) == (payload is None):
        return _error(400, "Send exactly one of 'text' or 'payload'.")
    if not isinstance(text if text is not None else payload, str):
        return _error(400, "'text' and 'payload' must be strings.")
    if message_id is not None and (not isinstance(message_id, str)
                                   or not _MESSAGE_ID.match(message_id)):
        return _error(400, "Field 'id' must be 1-64 letters, digits, '-' or '_'.")
    if language is not None and not isinstance(language, str):
        return _error(400, "Field 'language' must be a string such as \"en-US\".")
    return await _answer(request, Incoming(
        channel=CHANNEL, user_ref=session,
        kind=Kind.TEXT if text is not None else Kind.BUTTON,
        text=text or "", payload=payload or "",
        language=language if language and _LANGUAGE.match(language) else "",
        update_id=f"{session}:{message_id}" if message_id else None,
        source=request.app[OPTIONS_KEY].limits.client(request),
    ))


async def photo(request: web.Request) -> web.Response:
    """Take a picture of a message ("📷 Gửi ảnh tin nhắn"): the message check reads it by
    OCR, and a file that is no picture gets a friendly answer in the conversation."""
    try:
        upload = await read_upload(request)
    except TooLarge:
        return _error(413, "The picture is too large.")
    if upload is None:
        return _error(400, "Send a multipart form with 'session', 'id' and 'photo'.")
    session, message_id = upload.fields.get("session", ""), upload.fields.get("id")
    if not _SESSION.match(session):
        return _error(400, "Field 'session' is missing or malformed.")
    if message_id is not None and not _MESSAGE_ID.match(message_id):
        return _error(400, "Field 'id' must be 1-64 letters, digits, '-' or '_'.")
    return await _answer(request, Incoming(
        channel=CHANNEL, user_ref=session, kind=Kind.PHOTO, picture=upload.picture,
        update_id=f"{session}:{message_id}" if message_id else None,
        source=request.app[OPTIONS_KEY].limits.client(request),
    ))


async def _answer(request: web.Request, incoming: Incoming) -> web.Response:
    """The tutor's replies to one turn of a known session, as the page draws them."""
    tutor = request.app[TUTOR_KEY]
    try:  # messages others' turns left for this learner (a mentor's nudge) come first
        # Once a turn has found the database unreachable, one try each until one succeeds.
        replies = await tutor.handle(incoming, known_only=True, patience=(
            WEB_PATIENCE_SECONDS if tutor.database_ok else 0),
            active_since=_active_since(request))
    except UnknownLearner:
        return _error(404, "Unknown session: create one with POST /api/session.")
    return web.json_response({"replies": [render_reply(reply, request.app[CONTENT_KEY])
                                          for reply in replies]})


async def _session_of(request: web.Request) -> str | None:
    body = await _read_json(request)
    session = body.get("session") if body else None
    return session if isinstance(session, str) and _SESSION.match(session) else None


async def inbox(request: web.Request) -> web.Response:
    """Return the messages waiting for a session (the page asks now and then)."""
    session = await _session_of(request)
    if session is None:
        return _error(400, "Field 'session' is missing or malformed.")
    waiting = await request.app[TUTOR_KEY].inbox(channel=CHANNEL, user_ref=session,
                                                 active_since=_active_since(request))
    return web.json_response({"replies": [render_reply(reply, request.app[CONTENT_KEY])
                                          for reply in waiting]})


async def end_session(request: web.Request) -> web.Response:
    """End a session for good: someone else is about to use this computer."""
    session = await _session_of(request)
    if session is None:
        return _error(400, "Field 'session' is missing or malformed.")
    ended = await request.app[TUTOR_KEY].end_session(channel=CHANNEL, user_ref=session)
    return web.json_response({"ended": ended})


async def health(_request: web.Request) -> web.Response:
    """Answer load balancers and tests that the server is up."""
    return web.Response(text="ok")


PAGE_KEY = web.AppKey("page", jinja2.Template)
CONTENT_KEY = web.AppKey("content", Path)


def create_web_app(tutor: Tutor, content_dir: Path,
                   options: WebOptions | None = None) -> web.Application:
    """Build the aiohttp application with the page, the API and the lesson images."""
    app = web.Application(client_max_size=MAX_REQUEST_BYTES)
    app[TUTOR_KEY] = tutor
    app[OPTIONS_KEY] = options = options or WebOptions()
    app[CONTENT_KEY] = content_dir
    trust_proxies(app, options.trusted_proxies)  # for every route: the admin's and webhooks' too
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True)
    app[PAGE_KEY] = environment.get_template("chat.html")
    app.router.add_get("/", page)
    app.router.add_get("/healthz", health)
    app.router.add_post("/api/session", _api(new_session, new_session=True))
    app.router.add_post("/api/session/end", _api(end_session))
    app.router.add_post("/api/chat", _api(chat))
    app.router.add_post("/api/photo", _api(photo, photo=True))
    app.router.add_post("/api/inbox", _api(inbox))
    app.add_routes([qr_route(tutor)])  # invitations' QR codes
    app.add_routes(verify_routes(tutor))  # the public verify page of certificates
    app.router.add_static("/static", HERE / "static")
    images = content_dir / "images"
    if images.is_dir():
        app.router.add_static("/media/images", images)
    return app
