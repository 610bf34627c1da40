"""A fake Zalo Bot Platform API on 127.0.0.1, speaking the wire format of PLATFORMS.md section 2."""

from __future__ import annotations

import copy
import json
import secrets
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import aiohttp
from aiohttp import web

from tests.conversation import fixture_loader
from tests.fake_server import BotApiFake, WebhookOutcome, WebhookRequest

JSON = dict[str, Any]
Shape = Literal["flat", "wrapped"]

DEFAULT_TOKEN = "1234567890:zalo-TEST-token"
BOT_ID = "3b7e0c9a5d2f8146"
BOT_INFO: JSON = {
    "id": BOT_ID,
    "account_name": "Bot Học Số",
    "account_type": "BASIC",
    "can_join_groups": False,
}
SECRET_HEADER = "X-Bot-Api-Secret-Token"
FIXTURES = Path(__file__).parent / "fixtures" / "zalo_bot"
# The recorded payload tests/fixtures/zalo_bot/<name>.json (".json" optional), freshly parsed.
load_fixture = fixture_loader("zalo_bot")

MAX_TEXT = 2000
MAX_CAPTION = 2000
DEFAULT_POLL_TIMEOUT = 30.0
CHAT_ACTIONS = frozenset({"typing"})  # "upload_photo" is documented as "coming soon"

# Descriptions for error codes. 401/404/408/429 are the documented or observed texts; the others
# are plausible guesses, unverified against the live API.
DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Internal Server Error",  # sic: the docs label 403 "internal server error"
    404: "Not Found",
    408: "Request timeout",
    429: "Quota exceeded",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}
# Unverified: the docs only say getUpdates stops working while a webhook is set.
GET_UPDATES_WHILE_WEBHOOK = "Bad Request: webhook is active, call deleteWebhook before getUpdates"
# Unverified: whether Zalo answers 400 or 404 for a chat that never wrote to the bot is unknown.
UNKNOWN_CHAT_CODE = 400
UNKNOWN_CHAT = "Bad Request: chat not found"


def new_message_id() -> str:
    """A fresh Zalo message id: 20 lowercase hex characters."""
    return secrets.token_hex(10)


def now_ms() -> int:
    """The current time in epoch milliseconds, as Zalo stamps dates."""
    return int(time.time() * 1000)


def unwrap(body: JSON) -> JSON:
    """The event inside a documented `{"ok":true,"result":{...}}` body, or the body itself."""
    if "event_name" not in body and isinstance(body.get("result"), dict):
        return body["result"]
    return body


def _utf16_length(text: str) -> int:
    """Length in UTF-16 code units: never less than the code-point count, so the stricter one."""
    return len(text.encode("utf-16-le")) // 2


class ApiError(Exception):
    """A Zalo API failure; Zalo answers it with HTTP 200 and `ok:false` unless told otherwise."""

    def __init__(self, code: int, description: str | None = None, *, http_status: int = 200,
                 raw_body: str | None = None) -> None:
        super().__init__(f"{code} {description}")
        self.code = code
        self.description = description or DESCRIPTIONS.get(code, "Error")
        self.http_status = http_status
        self.raw_body = raw_body

    def response(self) -> web.Response:
        """The HTTP response carrying this error."""
        if self.raw_body is not None:
            return web.Response(status=self.http_status, text=self.raw_body,
                                content_type="text/html")
        return web.json_response({"ok": False, "error_code": self.code,
                                  "description": self.description}, status=self.http_status)


@dataclass
class SentRecord:
    """One successful send the bot made."""

    chat_id: str
    method: str
    text: str | None = None
    photo: str | None = None
    caption: str | None = None
    sticker: str | None = None
    message_id: str = ""
    date: int = 0
    params: JSON = field(default_factory=dict, repr=False)


@dataclass
class WebhookDelivery:
    """One attempt to POST an event to the webhook."""

    event_name: str
    message_id: str | None
    attempt: int
    url: str
    status: int | None
    shape: Shape
    secret_token: str | None
    error: str | None = None


@dataclass
class _Failure:
    remaining: int
    code: int
    description: str | None
    http_status: int
    raw_body: str | None


@dataclass
class _Pending:
    event: JSON
    shape: Shape


class FakeZaloBot(BotApiFake[_Pending, SentRecord, WebhookDelivery]):
    """An aiohttp server answering /bot<token>/<method> like bot-api.zaloplatforms.com does."""

    def __init__(self, token: str = DEFAULT_TOKEN, *, max_poll_seconds: float = 1.0,
                 webhook_attempts: int = 3, webhook_retry_delay: float = 0.2,
                 webhook_timeout: float = 5.0, utf16_lengths: bool = True) -> None:
        super().__init__(token, webhook_attempts=max(1, webhook_attempts),
                         webhook_retry_delay=webhook_retry_delay, webhook_timeout=webhook_timeout)
        # Unverified whether Zalo's 2000-character limit counts UTF-16 units or code points;
        # by default the fake counts UTF-16 units (stricter: emoji outside the BMP count twice).
        self._length: Callable[[str], int] = _utf16_length if utf16_lengths else len
        self._max_poll_seconds = max_poll_seconds
        self._methods: dict[str, Callable[[JSON], Awaitable[Any]]] = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "sendMessage": self._send_message,
            "sendPhoto": self._send_photo,
            "sendSticker": self._send_sticker,
            "sendChatAction": self._send_chat_action,
        }
        self._queue: deque[_Pending] = deque()  # for getUpdates
        self._webhook_url = ""
        self._webhook_secret: str | None = None
        self._webhook_updated_at = 0
        self._failures: dict[str, _Failure] = {}
        self._known_chats: set[str] = set()
        self._pictures: dict[str, bytes] = {}  # photos users sent, served at /photos/<name>
        # What tests look at (besides sent and webhook_deliveries).
        self.chat_actions: list[tuple[str, str]] = []
        self.requests: list[tuple[str, JSON]] = []
        self.polled: list[JSON] = []
        self.dropped: list[JSON] = []

    # ----------------------------------------------------------------- lifecycle

    @property
    def webhook_url(self) -> str:
        """The webhook URL currently set, or "" in getUpdates mode."""
        return self._webhook_url

    @property
    def webhook_secret(self) -> str | None:
        """The secret_token given with the current webhook."""
        return self._webhook_secret

    # ----------------------------------------------------------------- test-facing API

    def push_text(self, chat_id: str, text: str, *, display_name: str = "Bà Lan",
                  shape: Shape = "flat", user_id: str | None = None,
                  chat_type: Literal["PRIVATE", "GROUP"] = "PRIVATE") -> JSON:
        """Push a message.text.received event from chat_id (user_id too, for groups)."""
        event: JSON = {
            "event_name": "message.text.received",
            "message": {
                "from": {"id": user_id or chat_id, "display_name": display_name,
                         "is_bot": False},
                "chat": {"id": chat_id, "chat_type": chat_type},
                "text": text,
                "message_id": new_message_id(),
                "date": now_ms(),
            },
        }
        return self.push_event(event, shape=shape)

    def push_photo(self, chat_id: str, picture: bytes, *, display_name: str = "Bà Lan",
                   field_name: Literal["photo", "photo_url"] = "photo") -> JSON:
        """Push a message.image.received event whose picture this fake serves over HTTP,
        as Zalo's CDN does (the event carries its URL in "photo" or "photo_url")."""
        name = f"{secrets.token_hex(8)}.jpg"
        self._pictures[name] = picture
        return self.push_event({
            "event_name": "message.image.received",
            "message": {
                "from": {"id": chat_id, "display_name": display_name, "is_bot": False},
                "chat": {"id": chat_id, "chat_type": "PRIVATE"},
                field_name: f"http://127.0.0.1:{self.port}/photos/{name}", "caption": "",
                "message_type": "CHAT_PHOTO", "message_id": new_message_id(),
                "date": now_ms(),
            },
        })

    async def _picture(self, request: web.Request) -> web.Response:
        picture = self._pictures.get(request.match_info["name"])
        if picture is None:
            return web.Response(status=404)
        return web.Response(body=picture, content_type="image/jpeg")

    def _add_routes(self, router: web.UrlDispatcher) -> None:
        router.add_get("/photos/{name}", self._picture)
        super()._add_routes(router)

    def push_event(self, raw: JSON, *, shape: Shape = "flat") -> JSON:
        """Push any raw event (a wrapped body is unwrapped first); returns the flat event."""
        event = copy.deepcopy(unwrap(raw))
        message = event.get("message")
        if isinstance(message, dict) and isinstance(message.get("chat"), dict):
            chat_id = message["chat"].get("id")
            if isinstance(chat_id, str) and chat_id:
                self._known_chats.add(chat_id)
        pending = _Pending(event, shape)
        if self._webhook_url:
            self._webhook_queue.append(pending)
        else:
            self._queue.append(pending)
        self._notify()
        return copy.deepcopy(event)

    def redeliver(self, event: JSON, *, shape: Shape = "flat") -> JSON:
        """Push the same event again (same message_id), as a platform retry would."""
        return self.push_event(event, shape=shape)

    def add_chat(self, chat_id: str) -> None:
        """Make chat_id known, as if it had written to the bot, without pushing an event."""
        self._known_chats.add(chat_id)

    def fail(self, method: str, error_code: int, times: int = 1, *,
             description: str | None = None, http_status: int = 200,
             raw_body: str | None = None) -> None:
        """Answer the next `times` calls of `method` with error_code (raw_body: non-JSON body)."""
        self._failures[method] = _Failure(times, error_code, description, http_status, raw_body)

    def failing(self, method: str) -> int:
        """How many more calls of `method` fail() will still make fail."""
        failure = self._failures.get(method)
        return failure.remaining if failure is not None else 0

    def pending_events(self) -> list[JSON]:
        """Events waiting for getUpdates or for webhook delivery."""
        return [copy.deepcopy(p.event) for p in (*self._queue, *self._webhook_queue)]

    def sent_to(self, chat_id: str) -> list[SentRecord]:
        """Every successful send to chat_id, in order."""
        return [record for record in self.sent if record.chat_id == chat_id]

    async def probe_webhook(self) -> int:
        """POST an empty body without Content-Type to the webhook, as Zalo was seen to do."""
        if self._session is None or not self._webhook_url:
            raise RuntimeError("no webhook is set")
        headers = {SECRET_HEADER: self._webhook_secret} if self._webhook_secret else {}
        async with self._session.post(
                self._webhook_url, headers=headers, skip_auto_headers=("Content-Type",),
                timeout=aiohttp.ClientTimeout(total=self._webhook_timeout)) as response:
            await response.read()
            return response.status

    # ----------------------------------------------------------------- plumbing

    async def _not_found(self, request: web.Request) -> web.Response:
        return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"},
                                 status=404)

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        try:
            params = await self._read_params(request)
        except ApiError as error:
            self.requests.append((method, {}))
            return error.response()
        self.requests.append((method, params))
        try:
            if not secrets.compare_digest(request.match_info["token"].encode(),
                                          self._token.encode()):
                raise ApiError(401)
            handler = self._methods.get(method)  # method names are case-sensitive
            if handler is None:
                raise ApiError(404)
            self._check_failure(method)
            result = await handler(params)
        except ApiError as error:
            return error.response()
        finally:
            self._notify()
        return web.json_response({"ok": True, "result": result})

    async def _read_params(self, request: web.Request) -> JSON:
        params: JSON = dict(request.query)
        if not request.body_exists:
            return params
        if request.content_type == "application/json":
            try:
                body = json.loads(await request.read() or b"{}")
            except ValueError:
                raise ApiError(400, "Bad Request: invalid JSON body") from None
            if not isinstance(body, dict):
                raise ApiError(400, "Bad Request: JSON object expected")
            params.update(body)
        elif request.content_type in ("application/x-www-form-urlencoded",
                                      "multipart/form-data"):
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    params[key] = value.file.read()  # an upload; sendPhoto rejects it
                else:
                    params[key] = value if isinstance(value, str) else bytes(value)
        return params

    def _check_failure(self, method: str) -> None:
        failure = self._failures.get(method)
        if failure is None or failure.remaining <= 0:
            return
        failure.remaining -= 1
        if failure.remaining <= 0:
            del self._failures[method]
        raise ApiError(failure.code, failure.description, http_status=failure.http_status,
                       raw_body=failure.raw_body)

    def _chat_id(self, params: JSON) -> str:
        value = params.get("chat_id")
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value:
            raise ApiError(400, "Bad Request: chat_id is required")
        if value not in self._known_chats:
            raise ApiError(UNKNOWN_CHAT_CODE, UNKNOWN_CHAT)
        return value

    def _text(self, params: JSON, name: str, limit: int, *, required: bool) -> str | None:
        value = params.get(name)
        if value is None and not required:
            return None
        if not isinstance(value, str):
            raise ApiError(400, f"Bad Request: {name} must be a string")
        # Unverified: whether whitespace-only text counts as empty; the fake says it does.
        if required and not value.strip():
            raise ApiError(400, f"Bad Request: {name} is empty")
        if self._length(value) > limit:
            raise ApiError(400, f"Bad Request: {name} must be at most {limit} characters")
        return value

    def _record(self, chat_id: str, method: str, params: JSON, **content: str | None) -> JSON:
        result: JSON = {"message_id": new_message_id(), "date": now_ms()}
        self.sent.append(SentRecord(chat_id, method, message_id=result["message_id"],
                                    date=result["date"], params=params, **content))
        return result

    # ----------------------------------------------------------------- API methods

    async def _get_me(self, params: JSON) -> JSON:
        return dict(BOT_INFO)

    async def _get_updates(self, params: JSON) -> JSON:
        if self._webhook_url:
            raise ApiError(400, GET_UPDATES_WHILE_WEBHOOK)
        try:
            timeout = float(params.get("timeout", DEFAULT_POLL_TIMEOUT))
        except (TypeError, ValueError):
            raise ApiError(400, "Bad Request: timeout must be a number of seconds") from None
        timeout = min(max(timeout, 0.0), self._max_poll_seconds)
        await self._wait(lambda: bool(self._queue) or bool(self._webhook_url), timeout)
        if self._webhook_url:
            raise ApiError(400, GET_UPDATES_WHILE_WEBHOOK)
        if not self._queue:
            raise ApiError(408)
        event = self._queue.popleft().event  # no offset, no acknowledgement: it is gone now
        self.polled.append(copy.deepcopy(event))
        return event

    async def _set_webhook(self, params: JSON) -> JSON:
        url = params.get("url")
        # Real Zalo wants HTTPS; the fake also takes plain http for local receivers.
        if not isinstance(url, str) or not url.startswith(("https://", "http://")):
            raise ApiError(400, "Bad Request: url must be an HTTPS URL")
        secret = params.get("secret_token")
        if not isinstance(secret, str) or not 8 <= len(secret) <= 256:
            raise ApiError(400, "Bad Request: secret_token must be 8-256 characters")
        self._webhook_url, self._webhook_secret = url, secret
        self._webhook_updated_at = now_ms()
        # Unverified: what happens to undelivered events when the mode changes; they move over.
        self._webhook_queue.extend(self._queue)
        self._queue.clear()
        return {"url": url, "updated_at": self._webhook_updated_at}

    async def _delete_webhook(self, params: JSON) -> JSON:
        self._webhook_url, self._webhook_secret = "", None
        self._webhook_updated_at = now_ms()
        self._queue.extend(self._webhook_queue)
        self._webhook_queue.clear()
        return {"url": "", "updated_at": self._webhook_updated_at}

    async def _get_webhook_info(self, params: JSON) -> JSON:
        return {"url": self._webhook_url, "updated_at": self._webhook_updated_at}

    async def _send_message(self, params: JSON) -> JSON:
        text = self._text(params, "text", MAX_TEXT, required=True)
        chat_id = self._chat_id(params)
        return self._record(chat_id, "sendMessage", params, text=text)

    async def _send_photo(self, params: JSON) -> JSON:
        photo = params.get("photo")
        if not isinstance(photo, str) or not photo.startswith(("https://", "http://")):
            # Unverified: whether multipart upload works; the docs describe a URL string.
            raise ApiError(400, "Bad Request: photo must be an image URL")
        caption = self._text(params, "caption", MAX_CAPTION, required=False)
        chat_id = self._chat_id(params)
        return self._record(chat_id, "sendPhoto", params, photo=photo, caption=caption)

    async def _send_sticker(self, params: JSON) -> JSON:
        sticker = params.get("sticker")
        if not isinstance(sticker, str) or not sticker:
            raise ApiError(400, "Bad Request: sticker is required")
        chat_id = self._chat_id(params)
        return self._record(chat_id, "sendSticker", params, sticker=sticker)

    async def _send_chat_action(self, params: JSON) -> bool:
        action = params.get("action")
        if action not in CHAT_ACTIONS:
            raise ApiError(400, "Bad Request: action must be typing")
        chat_id = self._chat_id(params)
        self.chat_actions.append((chat_id, action))
        return True  # Unverified: the result of sendChatAction is not documented.

    # ----------------------------------------------------------------- webhook delivery

    @property
    def _webhook_target(self) -> str | None:
        return self._webhook_url or None

    def _webhook_request(self, item: _Pending, url: str, attempt: int) -> WebhookRequest:
        body = item.event if item.shape == "flat" else {"ok": True, "result": item.event}
        headers = {"Content-Type": "application/json"}
        secret = self._webhook_secret
        if secret:
            headers[SECRET_HEADER] = secret
        # UTF-8 as Zalo sends it; half a UTF-16 pair, which UTF-8 cannot carry, as JSON's
        # own escape ("\ud800"): backslashreplace writes exactly that.
        data = json.dumps(body, ensure_ascii=False).encode("utf-8", "backslashreplace")
        return WebhookRequest(url, headers, data, secret=secret)

    def _delivery(self, item: _Pending, attempt: int, request: WebhookRequest,
                  outcome: WebhookOutcome) -> WebhookDelivery:
        message = item.event.get("message")
        message_id = message.get("message_id") if isinstance(message, dict) else None
        return WebhookDelivery(str(item.event.get("event_name", "")), message_id, attempt,
                               request.url, outcome.status, item.shape, request.secret,
                               outcome.error)

    def _webhook_gone(self, item: _Pending) -> None:
        self._queue.appendleft(item)  # the webhook was deleted: back to getUpdates

    def _delivery_abandoned(self, item: _Pending) -> None:
        self.dropped.append(copy.deepcopy(item.event))
