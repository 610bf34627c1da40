"""A fake Zalo Official Account platform (OAuth v4, OpenAPI v3.0, signed webhooks) on 127.0.0.1."""

from __future__ import annotations

import asyncio
import copy
import hashlib
import itertools
import json
import time
import zlib
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fake_server import LoopbackFake, WebhookOutcome, WebhookRequest

JSON = dict[str, Any]

DEFAULT_APP_ID = "1234567890123456789"
DEFAULT_APP_SECRET = "app-SECRET-test"
DEFAULT_OA_SECRET_KEY = "oa-SECRET-key-test"
DEFAULT_OA_ID = "579745863508352884"

TOKEN_PATH = "/v4/oa/access_token"
MESSAGE_CS_PATH = "/v3.0/oa/message/cs"
SIGNATURE_HEADER = "X-ZEvent-Signature"

# Error codes and texts. Marks as in /work/shared/PLATFORMS.md: [O] observed by public
# integrations, [U] unverified (a guess: do not build logic on the exact number or text).
ERR_ACCESS_TOKEN = -216  # [O] invalid or expired access token
ERR_WINDOW = -230  # [O] user has not interacted with the OA in the past 7 days
ERR_PARAMS = -201  # [U] "parameters are invalid": any malformed message/cs body
ERR_LIMIT = -210  # [U] "parameter exceeds the allowed limit": text, button count/title/payload
ERR_OAUTH_PARAMS = -14001  # [U] missing or malformed form field on /v4/oa/access_token
ERR_OAUTH_APP_ID = -14002  # [U] unknown app_id
ERR_OAUTH_SECRET = -14003  # [U] wrong secret_key header
ERR_OAUTH_REFRESH = -14014  # [U] invalid, expired or already used refresh token
MSG_ACCESS_TOKEN = "Access token is invalid"  # [U] exact text
MSG_WINDOW = "User has not interacted with the OA in the past 7 days"  # [U] exact text

# Limits.
MAX_TEXT = 2000  # [U] the OA text limit is unknown; 2000 matches our chunker
MAX_BUTTONS = 5  # [U] one integration caps buttons at 5
MAX_BUTTON_TITLE = 100  # [O]
MAX_BUTTON_PAYLOAD = 1000  # [O] string payloads
BUTTON_TYPES = frozenset({
    "oa.open.url", "oa.query.show", "oa.query.hide", "oa.open.sms", "oa.open.phone"})
WINDOW_SECONDS = 7 * 24 * 3600  # [O] consultation messages refused 7 days after last interaction
FREE_REPLIES = 8  # [O] 8 free replies within 48 h of the user's last message...
FREE_REPLY_SECONDS = 48 * 3600  # [O] ...and only when recipient.message_id is given
# Events that count as the user interacting with the OA (opens the 7-day window).
INTERACTION_EVENTS = frozenset({"follow", "user_submit_info"})


@dataclass
class SentMessage:
    """One consultation message ("tin tư vấn") that message/cs accepted."""

    user_id: str
    message_id: str | None  # recipient.message_id: the user's message this replies to, if any
    text: str | None
    buttons: list[tuple[str, str, str | JSON]]  # (title, type, payload) in order
    image_url: str | None
    sent_id: str  # the id this fake assigned, returned as data.message_id
    billed: str  # "reply" (free, within 8 per 48 h, with message_id) or "proactive"
    access_token: str = ""
    body: JSON = field(default_factory=dict, repr=False)


@dataclass
class RefreshAttempt:
    """One call of POST /v4/oa/access_token."""

    refresh_token: str | None
    ok: bool
    access_token: str | None = None
    new_refresh_token: str | None = None
    error: int | None = None


@dataclass
class ApiRequest:
    """One HTTP request the fake received (headers keep only the interesting ones)."""

    method: str
    path: str
    headers: dict[str, str]
    body: JSON


@dataclass
class WebhookDelivery:
    """One attempt to POST an event to the webhook URL."""

    event_name: str
    status: int | None  # None when the connection failed or timed out
    attempt: int
    msg_id: str | None
    url: str
    error: str | None = None
    signature: str = ""


@dataclass
class _Outgoing:
    event: JSON
    body: bytes
    signature: str


class _ApiError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"{code} {message}")
        self.code = code
        self.message = message


def _ms_now() -> int:
    return int(time.time() * 1000)


def _hex_id(prefix: str, number: int, length: int) -> str:
    return hashlib.sha256(f"{prefix}-{number}".encode()).hexdigest()[:length]


def user_id_by_app(user_id: str) -> str:
    """A stable fake "user_id_by_app" for an OA-scoped user id (real ones are opaque digits)."""
    return str(3_100_000_000_000_000_000 + zlib.crc32(user_id.encode()) * 1_000_003)


def serialize_event(event: JSON) -> bytes:
    """The raw body the fake sends: compact UTF-8 JSON (unlike Python's default json.dumps).
    Half a UTF-16 pair, which UTF-8 cannot carry, goes as JSON's own escape ("\\ud800")."""
    return json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode(
        "utf-8", "backslashreplace")


class FakeZaloOA(LoopbackFake[_Outgoing, SentMessage, WebhookDelivery]):
    """An aiohttp server answering both oauth.zaloapp.com and openapi.zalo.me routes.

    Its base_url ("http://127.0.0.1:PORT") serves as both oauth_base and api_base.
    """

    def __init__(self, *, app_id: str = DEFAULT_APP_ID, app_secret: str = DEFAULT_APP_SECRET,
                 oa_secret_key: str = DEFAULT_OA_SECRET_KEY, oa_id: str = DEFAULT_OA_ID,
                 refresh_token: str = "refresh-0", access_token_ttl: int = 90000,
                 webhook_attempts: int = 4, webhook_retry_delay: float = 0.2,
                 webhook_timeout: float = 5.0) -> None:
        super().__init__(webhook_attempts=max(1, webhook_attempts),
                         webhook_retry_delay=webhook_retry_delay, webhook_timeout=webhook_timeout)
        self.app_id = app_id
        self.app_secret = app_secret
        self.oa_secret_key = oa_secret_key
        self.oa_id = oa_id
        self.access_token_ttl = access_token_ttl
        # Tokens.
        self._token_numbers = itertools.count(1)
        self._refresh_tokens: set[str] = {refresh_token}
        self._access_tokens: dict[str, float] = {}  # token -> monotonic expiry
        # Users and messages.
        self._last_interaction: dict[str, float] = {}  # user_id -> time.time()
        self._free_replies: dict[str, tuple[float, int]] = {}  # user_id -> (since, remaining)
        self._incoming: dict[str, str] = {}  # msg_id of a user's message -> user_id
        self._in_numbers = itertools.count(1)
        self._out_numbers = itertools.count(1)
        self._last_timestamp = 0
        self._failures: deque[tuple[int, str]] = deque()
        self._http_failures: deque[int] = deque()
        # Webhook.
        self._webhook_url: str | None = None
        # What tests look at (besides sent and webhook_deliveries).
        self.requests: list[ApiRequest] = []
        self.refresh_calls = 0
        self.refresh_history: list[RefreshAttempt] = []
        # While set to an unset Event, refresh requests wait for it before Zalo acts on them.
        self.refresh_gate: asyncio.Event | None = None
        self.refresh_held = 0
        self._pictures: dict[str, bytes] = {}  # photos users sent, served at /photos/<name>

    # ----------------------------------------------------------------- lifecycle

    def _add_routes(self, router: web.UrlDispatcher) -> None:
        router.add_get("/photos/{name}", self._picture)
        router.add_post(TOKEN_PATH, self._handle_token)
        router.add_post(MESSAGE_CS_PATH, self._handle_message_cs)
        router.add_route("*", "/{tail:.*}", self._not_found)

    @property
    def oauth_base(self) -> str:
        """Stands in for https://oauth.zaloapp.com."""
        return self.base_url

    @property
    def api_base(self) -> str:
        """Stands in for https://openapi.zalo.me."""
        return self.base_url

    # ----------------------------------------------------------------- tokens (test API)

    @property
    def valid_access_tokens(self) -> set[str]:
        """Access tokens that message/cs accepts right now."""
        now = time.monotonic()
        return {token for token, expiry in self._access_tokens.items() if expiry > now}

    @property
    def valid_refresh_tokens(self) -> set[str]:
        """Refresh tokens not used yet (each works once)."""
        return set(self._refresh_tokens)

    @property
    def refresh_token(self) -> str | None:
        """The newest unused refresh token, if any."""
        return max(self._refresh_tokens, key=self._token_order, default=None)

    async def wait_for_held_refresh(self, timeout: float = 5.0) -> None:
        """Wait until a refresh request waits at `refresh_gate`."""
        if not await self._wait(lambda: self.refresh_held > 0, timeout):
            raise AssertionError(f"no token refresh arrived within {timeout}s")

    def expire_access_tokens(self) -> None:
        """Make every access token issued so far invalid (calls then get -216)."""
        self._access_tokens.clear()

    def revoke_refresh_tokens(self) -> None:
        """Make every unused refresh token invalid, as after 3 months (re-consent needed)."""
        self._refresh_tokens.clear()

    def new_access_token(self) -> str:
        """Mint a valid access token without a refresh, as from the first OAuth grant."""
        token = f"access-{next(self._token_numbers)}"
        self._access_tokens[token] = time.monotonic() + self.access_token_ttl
        return token

    # ----------------------------------------------------------------- messages (test API)

    def sent_to(self, user_id: str) -> list[SentMessage]:
        """Every accepted message to user_id, in order."""
        return [record for record in self.sent if record.user_id == user_id]

    def close_window(self, user_id: str) -> None:
        """Make user_id's last interaction 8 days old: message/cs then answers -230."""
        self._last_interaction[user_id] = time.time() - WINDOW_SECONDS - 24 * 3600
        self._free_replies.pop(user_id, None)

    def open_window(self, user_id: str) -> None:
        """Make user_id count as having interacted just now (without a webhook event)."""
        self._last_interaction[user_id] = time.time()

    def fail(self, times: int, error: int, message: str = "Injected failure") -> None:
        """Answer the next `times` calls of message/cs with HTTP 200 {"error", "message"}."""
        self._failures.extend([(error, message)] * times)

    def fail_http(self, times: int, status: int = 500) -> None:
        """Answer the next `times` calls of message/cs with a bare HTTP `status`."""
        self._http_failures.extend([status] * times)

    # ----------------------------------------------------------------- webhook (test API)

    @property
    def webhook_url(self) -> str | None:
        """Where events go; None keeps them queued."""
        return self._webhook_url

    def set_webhook(self, url: str | None) -> None:
        """Deliver events to url from now on (queued events go too); None pauses delivery."""
        self._webhook_url = url
        self._notify()

    def push_text(self, user_id: str, text: str, *, msg_id: str | None = None,
                  bad_signature: bool = False) -> JSON:
        """Queue a user_send_text event from user_id; returns the event as sent."""
        return self.push_event({
            "app_id": self.app_id,
            "sender": {"id": user_id},
            "user_id_by_app": user_id_by_app(user_id),
            "recipient": {"id": self.oa_id},
            "event_name": "user_send_text",
            "message": {"text": text, "msg_id": msg_id or self._new_msg_id()},
            "timestamp": self._new_timestamp(),
        }, bad_signature=bad_signature)

    def push_photo(self, user_id: str, picture: bytes) -> JSON:
        """Queue a user_send_image event whose picture (and a thumbnail) this fake serves over
        HTTP, as Zalo's CDN does; returns the event as sent."""
        name = self._new_msg_id()
        self._pictures[name] = picture
        url = f"http://127.0.0.1:{self.port}/photos/{name}"
        return self.push_event({
            "app_id": self.app_id, "sender": {"id": user_id},
            "user_id_by_app": user_id_by_app(user_id), "recipient": {"id": self.oa_id},
            "event_name": "user_send_image",
            "message": {"attachments": [{"payload": {"thumbnail": f"{url}?thumb", "url": url},
                                         "type": "image"}], "msg_id": self._new_msg_id()},
            "timestamp": self._new_timestamp(),
        })

    async def _picture(self, request: web.Request) -> web.Response:
        picture = self._pictures.get(request.match_info["name"])
        if picture is None:
            return web.Response(status=404)
        return web.Response(body=picture, content_type="image/jpeg")

    def push_follow(self, user_id: str, *, source: str = "oa_profile",
                    bad_signature: bool = False) -> JSON:
        """Queue a follow event for user_id; returns the event as sent."""
        return self.push_event({
            "oa_id": self.oa_id,
            "follower": {"id": user_id},
            "user_id_by_app": user_id_by_app(user_id),
            "event_name": "follow",
            "source": source,
            "app_id": self.app_id,
            "timestamp": self._new_timestamp(),
        }, bad_signature=bad_signature)

    def push_event(self, raw: JSON, *, bad_signature: bool = False) -> JSON:
        """Queue any raw event as it is (a missing timestamp is filled in); returns it."""
        event = copy.deepcopy(raw)
        if "timestamp" not in event:
            event["timestamp"] = self._new_timestamp()
        self._observe(event)
        return self._enqueue(event, bad_signature)

    def redeliver(self, event: JSON, *, bad_signature: bool = False) -> None:
        """Queue an already sent event again, byte for byte (same timestamp, same mac)."""
        self._enqueue(copy.deepcopy(event), bad_signature)

    def signature_for(self, body: bytes, *, secret: str | None = None) -> str:
        """The X-ZEvent-Signature value for a raw body: mac=sha256(app_id+body+timestamp+key)."""
        timestamp = json.loads(body).get("timestamp", "")
        key = self.oa_secret_key if secret is None else secret
        digest = hashlib.sha256(self.app_id.encode() + body + str(timestamp).encode()
                                + key.encode()).hexdigest()
        return f"mac={digest}"

    # ----------------------------------------------------------------- plumbing

    @staticmethod
    def _token_order(token: str) -> tuple[int, str]:
        number = token.rsplit("-", 1)[-1]
        return (int(number) if number.isdigit() else -1, token)

    def _new_msg_id(self) -> str:
        return _hex_id(f"in-{self.oa_id}", next(self._in_numbers), 20)

    def _new_timestamp(self) -> str:
        self._last_timestamp = max(_ms_now(), self._last_timestamp + 1)
        return str(self._last_timestamp)

    def _observe(self, event: JSON) -> None:
        """Note what a user event tells the platform: window, free replies, message ids."""
        name = str(event.get("event_name", ""))
        sender, follower = event.get("sender"), event.get("follower")
        user_id = str((sender.get("id") if isinstance(sender, dict) else None)
                      or (follower.get("id") if isinstance(follower, dict) else None) or "")
        if not user_id:
            return
        now = time.time()
        if name.startswith("user_send_"):
            self._last_interaction[user_id] = now
            self._free_replies[user_id] = (now, FREE_REPLIES)
            message = event.get("message")
            if isinstance(message, dict) and message.get("msg_id"):
                self._incoming[str(message["msg_id"])] = user_id
        elif name in INTERACTION_EVENTS:
            self._last_interaction[user_id] = now

    def _enqueue(self, event: JSON, bad_signature: bool) -> JSON:
        body = serialize_event(event)
        secret = "wrong-" + self.oa_secret_key if bad_signature else None
        self._webhook_queue.append(_Outgoing(event, body, self.signature_for(body, secret=secret)))
        self._notify()
        return event

    @property
    def _webhook_target(self) -> str | None:
        return self._webhook_url

    def _webhook_request(self, item: _Outgoing, url: str, attempt: int) -> WebhookRequest:
        headers = {"Content-Type": "application/json", SIGNATURE_HEADER: item.signature}
        if attempt > 1:
            headers["num_retry"] = str(attempt - 1)  # [O] header name from the docs' retry note
        return WebhookRequest(url, headers, item.body)

    def _delivery(self, item: _Outgoing, attempt: int, request: WebhookRequest,
                  outcome: WebhookOutcome) -> WebhookDelivery:
        message = item.event.get("message")
        msg_id = message.get("msg_id") if isinstance(message, dict) else None
        return WebhookDelivery(str(item.event.get("event_name", "")), outcome.status, attempt,
                               msg_id, request.url, outcome.error, item.signature)

    def _webhook_gone(self, item: _Outgoing) -> None:
        self._webhook_queue.appendleft(item)  # delivery paused meanwhile: keep it for later

    def _busy_detail(self) -> str:
        return f", url {self._webhook_url}"

    # ----------------------------------------------------------------- HTTP handlers

    def _record(self, request: web.Request, body: JSON) -> None:
        keep = ("access_token", "secret_key", "Content-Type")
        headers = {name: request.headers[name] for name in keep if name in request.headers}
        self.requests.append(ApiRequest(request.method, request.path, headers, body))

    async def _not_found(self, request: web.Request) -> web.Response:
        self._record(request, {})
        return web.json_response({"error": 404, "message": "Not found"}, status=404)  # [U]

    async def _handle_token(self, request: web.Request) -> web.Response:
        form = {key: value for key, value in (await request.post()).items()
                if isinstance(value, str)}
        self._record(request, dict(form))
        self.refresh_calls += 1
        used = form.get("refresh_token")
        if self.refresh_gate is not None:
            self.refresh_held += 1
            self._notify()
            await self.refresh_gate.wait()
            if request.transport is None or request.transport.is_closing():
                # The caller is gone before Zalo acted on it: its refresh token is unspent.
                return web.Response(status=499, text="caller gone")
        try:
            if request.headers.get("secret_key") != self.app_secret:
                raise _ApiError(ERR_OAUTH_SECRET, "Invalid secret key")
            if not form.get("app_id") or form.get("grant_type") != "refresh_token" or not used:
                raise _ApiError(ERR_OAUTH_PARAMS, "Invalid parameter")
            if form["app_id"] != self.app_id:
                raise _ApiError(ERR_OAUTH_APP_ID, "Invalid app id")
            if used not in self._refresh_tokens:
                raise _ApiError(ERR_OAUTH_REFRESH, "Invalid refresh token")
        except _ApiError as exc:
            self.refresh_history.append(RefreshAttempt(used, False, error=exc.code))
            self._notify()
            # [U] error body shape: error / error_name / error_reason.
            return web.json_response({"error": exc.code, "error_name": exc.message,
                                      "error_reason": f"{exc.message} (FakeZaloOA)"})
        self._refresh_tokens.discard(used)
        number = next(self._token_numbers)
        access, refresh = f"access-{number}", f"refresh-{number}"
        self._access_tokens[access] = time.monotonic() + self.access_token_ttl
        self._refresh_tokens.add(refresh)
        self.refresh_history.append(RefreshAttempt(used, True, access, refresh))
        self._notify()
        return web.json_response({"access_token": access, "refresh_token": refresh,
                                  "expires_in": str(self.access_token_ttl)})

    async def _handle_message_cs(self, request: web.Request) -> web.Response:
        raw = await request.read()
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        self._record(request, body if isinstance(body, dict) else {"_raw": raw.decode(
            "utf-8", "replace")})
        try:
            if self._http_failures:
                status = self._http_failures.popleft()
                return web.Response(status=status, text=f"HTTP {status} (FakeZaloOA)")
            if self._failures:
                raise _ApiError(*self._failures.popleft())
            token = request.headers.get("access_token", "")
            if token not in self.valid_access_tokens:
                raise _ApiError(ERR_ACCESS_TOKEN, MSG_ACCESS_TOKEN)
            if not isinstance(body, dict):
                raise _ApiError(ERR_PARAMS, "Body is not a JSON object")
            record = self._accept_message(body, token)
            self.sent.append(record)
        except _ApiError as exc:
            return web.json_response({"error": exc.code, "message": exc.message})
        finally:
            self._notify()
        return web.json_response({"error": 0, "message": "Success",
                                  "data": {"message_id": record.sent_id,
                                           "user_id": record.user_id}})

    # ----------------------------------------------------------------- message/cs validation

    def _accept_message(self, body: JSON, token: str) -> SentMessage:
        recipient = body.get("recipient")
        if not isinstance(recipient, dict):
            raise _ApiError(ERR_PARAMS, "recipient is missing")
        user_id, reply_to = recipient.get("user_id"), recipient.get("message_id")
        if not (isinstance(user_id, str) and user_id) and not (
                isinstance(reply_to, str) and reply_to):
            raise _ApiError(ERR_PARAMS, "recipient.user_id or recipient.message_id is required")
        owner = self._incoming.get(reply_to) if isinstance(reply_to, str) else None
        if not (isinstance(user_id, str) and user_id):
            if owner is None:
                raise _ApiError(ERR_PARAMS, "recipient.message_id is invalid")
            user_id = owner
        elif owner is not None and owner != user_id:
            raise _ApiError(ERR_PARAMS, "recipient.message_id does not belong to user_id")
        message = body.get("message")
        if not isinstance(message, dict):
            raise _ApiError(ERR_PARAMS, "message is missing")
        text = message.get("text")
        if text is not None and (not isinstance(text, str) or not text.strip()):
            raise _ApiError(ERR_PARAMS, "message.text is empty")
        if isinstance(text, str) and len(text) > MAX_TEXT:
            raise _ApiError(ERR_LIMIT, f"message.text is longer than {MAX_TEXT} characters")
        buttons: list[tuple[str, str, str | JSON]] = []
        image_url: str | None = None
        attachment = message.get("attachment")
        if attachment is not None:
            buttons, image_url = self._attachment(attachment, has_text=text is not None)
        elif text is None:
            raise _ApiError(ERR_PARAMS, "message has neither text nor attachment")
        last = self._last_interaction.get(user_id)
        if last is not None and time.time() - last > WINDOW_SECONDS:
            raise _ApiError(ERR_WINDOW, MSG_WINDOW)
        return SentMessage(
            user_id=user_id, message_id=reply_to if isinstance(reply_to, str) else None,
            text=text, buttons=buttons, image_url=image_url,
            sent_id=_hex_id(f"out-{self.oa_id}", next(self._out_numbers), 32),
            billed=self._bill(user_id, owner == user_id), access_token=token,
            body=copy.deepcopy(body))

    def _bill(self, user_id: str, is_reply: bool) -> str:
        since, remaining = self._free_replies.get(user_id, (0.0, 0))
        if is_reply and remaining > 0 and time.time() - since <= FREE_REPLY_SECONDS:
            self._free_replies[user_id] = (since, remaining - 1)
            return "reply"
        return "proactive"

    def _attachment(self, attachment: Any, *, has_text: bool
                    ) -> tuple[list[tuple[str, str, str | JSON]], str | None]:
        if not isinstance(attachment, dict) or not isinstance(attachment.get("payload"), dict):
            raise _ApiError(ERR_PARAMS, "message.attachment.payload is missing")
        if attachment.get("type") != "template":
            # Real Zalo also knows uploaded files ("file" + token); this fake does not.
            raise _ApiError(ERR_PARAMS, f"attachment type {attachment.get('type')!r} is not "
                                        "supported by FakeZaloOA")
        payload = attachment["payload"]
        template_type = payload.get("template_type")
        if template_type == "media":
            return [], self._media(payload)
        if template_type not in (None, "button"):  # list, request_user_info... not modelled
            raise _ApiError(ERR_PARAMS, f"template_type {template_type!r} is not supported "
                                        "by FakeZaloOA")
        if not has_text:
            raise _ApiError(ERR_PARAMS, "message.text is required with buttons")  # [U]
        return self._buttons(payload.get("buttons")), None

    @staticmethod
    def _media(payload: JSON) -> str:
        elements = payload.get("elements")
        if not isinstance(elements, list) or len(elements) != 1:
            raise _ApiError(ERR_PARAMS, "media template needs exactly one element")
        element = elements[0]
        if not isinstance(element, dict) or element.get("media_type") != "image":
            raise _ApiError(ERR_PARAMS, "media_type must be image")
        url = element.get("url")
        if not isinstance(url, str) or not url.startswith(("https://", "http://")):
            raise _ApiError(ERR_PARAMS, "media element url is invalid")
        return url

    @staticmethod
    def _buttons(buttons: Any) -> list[tuple[str, str, str | JSON]]:
        if not isinstance(buttons, list) or not buttons:
            raise _ApiError(ERR_PARAMS, "buttons must be a non-empty list")
        if len(buttons) > MAX_BUTTONS:
            raise _ApiError(ERR_LIMIT, f"at most {MAX_BUTTONS} buttons are allowed")
        result: list[tuple[str, str, str | JSON]] = []
        for button in buttons:
            if not isinstance(button, dict):
                raise _ApiError(ERR_PARAMS, "button must be an object")
            title, kind, payload = button.get("title"), button.get("type"), button.get("payload")
            if not isinstance(title, str) or not title.strip():
                raise _ApiError(ERR_PARAMS, "button title is empty")
            if len(title) > MAX_BUTTON_TITLE:
                raise _ApiError(ERR_LIMIT, f"button title is longer than {MAX_BUTTON_TITLE}")
            if kind not in BUTTON_TYPES:
                raise _ApiError(ERR_PARAMS, f"button type {kind!r} is invalid")
            if kind in ("oa.query.show", "oa.query.hide"):
                if not isinstance(payload, str) or not payload:
                    raise _ApiError(ERR_PARAMS, "button payload must be a non-empty string")
                if len(payload) > MAX_BUTTON_PAYLOAD:
                    raise _ApiError(ERR_LIMIT,
                                    f"button payload is longer than {MAX_BUTTON_PAYLOAD}")
            else:
                required = {"oa.open.url": ("url",), "oa.open.sms": ("content", "phone_code"),
                            "oa.open.phone": ("phone_code",)}[str(kind)]
                if not isinstance(payload, dict) or not all(
                        isinstance(payload.get(key), str) and payload[key] for key in required):
                    raise _ApiError(ERR_PARAMS, f"{kind} payload needs {', '.join(required)}")
                if any(len(payload[key]) > MAX_BUTTON_PAYLOAD for key in required):
                    raise _ApiError(ERR_LIMIT,
                                    f"button payload is longer than {MAX_BUTTON_PAYLOAD}")
                if kind == "oa.open.url" and not payload["url"].startswith(("https://",
                                                                            "http://")):
                    raise _ApiError(ERR_PARAMS, "oa.open.url payload url is invalid")
                payload = copy.deepcopy(payload)
            result.append((title, str(kind), payload))
        return result
