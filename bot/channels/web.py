"""The web chat: an aiohttp page plus the JSON API that the page itself uses."""

import json
import re
import secrets
from pathlib import Path
from typing import Any

import jinja2
from aiohttp import web

from bot.messages import Incoming, Kind, Outgoing
from bot.tutor import Tutor

CHANNEL = "web"
HERE = Path(__file__).resolve().parent
MAX_BODY_BYTES = 16 * 1024
_SESSION = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_MESSAGE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
TUTOR_KEY = web.AppKey("tutor", Tutor)


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


def render_reply(reply: Outgoing) -> dict[str, Any]:
    """Turn an Outgoing into the JSON the page draws."""
    return {
        "text": reply.text,
        "buttons": [[{"label": b.label, "payload": b.payload} for b in row]
                    for row in reply.buttons],
        "image": f"/media/{reply.image}" if reply.image else None,
    }


async def page(request: web.Request) -> web.Response:
    """Serve the chat page."""
    html = request.app[PAGE_KEY].render()
    return web.Response(text=html, content_type="text/html", charset="utf-8")


async def new_session(request: web.Request) -> web.Response:
    """Create a learner for a new browser and return its session id."""
    session = secrets.token_urlsafe(18)
    await request.app[TUTOR_KEY].repository.create_learner(channel=CHANNEL, user_ref=session)
    return web.json_response({"session": session})


async def _read_json(request: web.Request) -> dict[str, Any] | None:
    if request.content_type != "application/json":
        return None
    try:
        body = json.loads(await request.read())
    except (ValueError, UnicodeDecodeError):
        return None
    return body if isinstance(body, dict) else None


async def chat(request: web.Request) -> web.Response:
    """Take one message or button press and return the tutor's replies."""
    body = await _read_json(request)
    if body is None:
        return _error(400, "Send a JSON object.")
    session, text, payload, message_id = (body.get(key) for key in
                                          ("session", "text", "payload", "id"))
    if not isinstance(session, str) or not _SESSION.match(session):
        return _error(400, "Field 'session' is missing or malformed.")
    if (text is None) == (payload is None):
        return _error(400, "Send exactly one of 'text' or 'payload'.")
    if not isinstance(text if text is not None else payload, str):
        return _error(400, "'text' and 'payload' must be strings.")
    if message_id is not None and (not isinstance(message_id, str)
                                   or not _MESSAGE_ID.match(message_id)):
        return _error(400, "Field 'id' must be 1-64 letters, digits, '-' or '_'.")
    tutor = request.app[TUTOR_KEY]
    if await tutor.repository.find_learner(channel=CHANNEL, user_ref=session) is None:
        return _error(404, "Unknown session: create one with POST /api/session.")
    incoming = Incoming(
        channel=CHANNEL, user_ref=session,
        kind=Kind.TEXT if text is not None else Kind.BUTTON,
        text=text or "", payload=payload or "",
        update_id=f"{session}:{message_id}" if message_id else None,
    )
    replies = await tutor.handle(incoming)
    return web.json_response({"replies": [render_reply(reply) for reply in replies]})


async def health(_request: web.Request) -> web.Response:
    """Answer load balancers and tests that the server is up."""
    return web.Response(text="ok")


PAGE_KEY = web.AppKey("page", jinja2.Template)


def create_web_app(tutor: Tutor, content_dir: Path) -> web.Application:
    """Build the aiohttp application with the page, the API and the lesson images."""
    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app[TUTOR_KEY] = tutor
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True)
    app[PAGE_KEY] = environment.get_template("chat.html")
    app.router.add_get("/", page)
    app.router.add_get("/healthz", health)
    app.router.add_post("/api/session", new_session)
    app.router.add_post("/api/chat", chat)
    app.router.add_static("/static", HERE / "static")
    images = content_dir / "images"
    if images.is_dir():
        app.router.add_static("/media/images", images)
    return app
