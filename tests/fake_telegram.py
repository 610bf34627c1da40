"""A fake Telegram Bot API server on 127.0.0.1 that the unmodified python-telegram-bot can use."""

from __future__ import annotations

import copy
import html
import itertools
import json
import re
import time
import zlib
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from tests.fake_server import BotApiFake, WebhookOutcome, WebhookRequest

JSON = dict[str, Any]

DEFAULT_TOKEN = "123456:TEST-token_abc"
BOT_ID = 123456
BOT_USER: JSON = {
    "id": BOT_ID,
    "is_bot": True,
    "first_name": "Học Số",
    "username": "hocso_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
    "can_connect_to_business": False,
    "has_main_web_app": False,
    "has_topics_enabled": False,
    "allows_users_to_create_topics": False,
    "can_manage_bots": False,
    "supports_guest_queries": False,
}
# The bot as it appears in the "from" field of a message (Telegram sends the short form there).
BOT_FROM: JSON = {key: BOT_USER[key] for key in ("id", "is_bot", "first_name", "username")}

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_UPLOAD_BYTES = 50 * 1024 * 1024  # bots may upload files up to 50 MB
MAX_CALLBACK_ANSWER = 200
MAX_COMMANDS = 100
MAX_LONG_POLL = 50.0

# Parameters whose values are JSON when they arrive as form or multipart strings (PTB json-dumps
# every non-string value and sends strings as they are). Anything else stays a string.
JSON_PARAMS = frozenset({
    "allow_paid_broadcast", "allow_sending_without_reply", "allowed_updates", "cache_time",
    "caption_entities", "chat_id", "commands", "direct_messages_topic_id",
    "disable_notification", "disable_web_page_preview", "drop_pending_updates", "entities",
    "has_spoiler", "limit", "link_preview_options", "max_connections", "message_id",
    "message_thread_id", "offset", "protect_content", "reply_markup", "reply_parameters",
    "reply_to_message_id", "scope", "show_alert", "show_caption_above_media",
    "suggested_post_parameters", "timeout",
})
DEFAULT_UPDATE_TYPES = frozenset({
    "message", "edited_message", "channel_post", "edited_channel_post", "business_connection",
    "business_message", "edited_business_message", "deleted_business_messages", "inline_query",
    "chosen_inline_result", "callback_query", "shipping_query", "pre_checkout_query",
    "purchased_paid_media", "poll", "poll_answer", "my_chat_member", "chat_join_request",
    "chat_boost", "removed_chat_boost", "managed_bot", "guest_message",
})
CHAT_ACTIONS = frozenset({
    "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
    "upload_document", "choose_sticker", "find_location", "record_video_note",
    "upload_video_note",
})
BUTTON_ACTIONS = frozenset({
    "url", "callback_data", "web_app", "login_url", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
    "callback_game", "pay",
})
SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")
COMMAND_IN_TEXT = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![^\s])")
HTML_TAG = re.compile(r"<[^>]*>")
MD_LINK = re.compile(r"(?<!\\)\[((?:\\.|[^\]])*)\]\((?:\\.|[^)])*\)")
MD_MARKER = re.compile(r"(?<!\\)(?:```[^\n]*\n?|[*_~|`])")
MD_ESCAPE = re.compile(r"\\(.)")
NOT_MODIFIED = ("Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message")
QUERY_INVALID = ("Bad Request: query is too old and response timeout expired or query ID is "
                 "invalid")
GET_UPDATES_CONFLICT = ("Conflict: can't use getUpdates method while webhook is active; "
                        "use deleteWebhook to delete the webhook first")
POLL_CONFLICT = ("Conflict: terminated by other getUpdates request; make sure that only one bot "
                 "instance is running")


class ApiError(Exception):
    """A Bot API failure, answered with HTTP status = error_code and Telegram's JSON body."""

    def __init__(self, code: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(f"{code} {description}")
        self.code = code
        self.description = description
        self.parameters = parameters

    def body(self) -> JSON:
        """The JSON body Telegram sends for this error."""
        body: JSON = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


@dataclass
class SentRecord:
    """One successful send (or edit) the bot made."""

    chat_id: int | str
    method: str
    text: str | None = None
    caption: str | None = None
    reply_markup: JSON | None = None
    photo: bytes | str | None = None
    document: bytes | str | None = None
    file_name: str | None = None  # an uploaded document's name
    message_id: int = 0
    params: JSON = field(default_factory=dict, repr=False)
    at: float = field(default_factory=time.monotonic, repr=False, compare=False)  # when sent


@dataclass
class WebhookDelivery:
    """One attempt to POST an update to the webhook."""

    update_id: int
    attempt: int
    url: str
    status: int | None
    error: str | None = None
    secret_token: str | None = None


@dataclass
class _Queued:
    update: JSON
    stale: bool  # pushed with an update_id not above every earlier one (a redelivery)
    delivered: bool = False


@dataclass
class _Described:
    result: Any
    description: str


def _update_kind(update: JSON) -> str:
    return next((key for key in update if key != "update_id"), "")


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _command_entities(text: str) -> list[JSON]:
    return [{"offset": _utf16_len(text[:match.start()]), "length": _utf16_len(match.group()),
             "type": "bot_command"} for match in COMMAND_IN_TEXT.finditer(text)]


def _normalize_chat_id(value: Any) -> int | str:
    if isinstance(value, bool):
        raise ApiError(400, "Bad Request: chat not found")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)
    if isinstance(value, str) and value.startswith("@") and len(value) > 1:
        return value
    raise ApiError(400, "Bad Request: chat not found")


def _as_int(params: JSON, name: str, default: int) -> int:
    value = params.get(name, default)
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ApiError(400, f"Bad Request: invalid {name} specified") from None


class FakeTelegram(BotApiFake[JSON, SentRecord, WebhookDelivery]):
    """An aiohttp server that answers /bot<token>/<method> like api.telegram.org does."""

    def __init__(self, token: str = DEFAULT_TOKEN, *, webhook_attempts: int = 5,
                 webhook_retry_delay: float = 0.2, webhook_timeout: float = 5.0,
                 first_update_id: int = 874_500_001) -> None:
        super().__init__(token, webhook_attempts=webhook_attempts,
                         webhook_retry_delay=webhook_retry_delay, webhook_timeout=webhook_timeout)
        self._methods: dict[str, Callable[[JSON], Awaitable[Any]]] = {
            "getme": self._get_me,
            "getupdates": self._get_updates,
            "setwebhook": self._set_webhook,
            "deletewebhook": self._delete_webhook,
            "getwebhookinfo": self._get_webhook_info,
            "setmycommands": self._set_my_commands,
            "getmycommands": self._get_my_commands,
            "deletemycommands": self._delete_my_commands,
            "sendmessage": self._send_message,
            "sendphoto": self._send_photo,
            "senddocument": self._send_document,
            "answercallbackquery": self._answer_callback_query,
            "editmessagereplymarkup": self._edit_message_reply_markup,
            "sendchataction": self._send_chat_action,
            "getfile": self._get_file,
        }
        # Updates: the getUpdates queue, or the webhook queue while a webhook is set.
        self._next_update_id = first_update_id
        self._max_update_id = first_update_id - 1
        self._queue: deque[_Queued] = deque()
        self._max_offset = 0
        self._poll_generation = 0
        self._allowed_updates: frozenset[str] = DEFAULT_UPDATE_TYPES
        self._webhook_url: str | None = None
        self._webhook_secret: str | None = None
        self._webhook_max_connections = 40
        self._last_error: tuple[int, str] | None = None
        # Chats and messages.
        self._message_ids: dict[int | str, int] = {}
        self._messages: dict[tuple[int | str, int], JSON] = {}
        self._chat_names: dict[int | str, str] = {}
        self._user_messages: set[tuple[int | str, int]] = set()
        self._blocked: set[int | str] = set()
        self._floods: dict[str, list[int]] = {}
        self._outage: tuple[Callable[[], bool], int] | None = None
        self._open_callbacks: set[str] = set()
        self._callback_ids = itertools.count(4_382_917_000_000_000_001)
        self._file_ids: set[str] = set()
        self._files: dict[str, bytes] = {}  # the bytes of photos users sent (push_photo)
        self._file_counter = itertools.count(1)
        # What tests look at (besides sent and webhook_deliveries).
        self.edits: list[SentRecord] = []
        self.chat_actions: list[tuple[int | str, str]] = []
        self.callback_answers: list[str] = []
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.requests: list[tuple[str, JSON]] = []
        # Methods the bot asked for in its answers to webhook deliveries, which Telegram runs
        # (Bot API: "Making requests when getting updates"); their results go nowhere.
        self.webhook_replies: list[tuple[str, JSON]] = []
        self.filtered_updates: list[JSON] = []

    # ----------------------------------------------------------------- lifecycle

    @property
    def webhook_url(self) -> str | None:
        """The webhook URL currently set, or None in getUpdates mode."""
        return self._webhook_url

    # ----------------------------------------------------------------- test-facing API

    def push_message(self, chat_id: int, text: str, *, first_name: str = "Lan",
                     update_id: int | None = None, language_code: str | None = "vi") -> JSON:
        """Queue a private-chat text message from user chat_id (commands get bot_command)."""
        self._chat_names[chat_id] = first_name
        user: JSON = {"id": chat_id, "is_bot": False, "first_name": first_name}
        if language_code:
            user["language_code"] = language_code
        message: JSON = {
            "message_id": self._next_message_id(chat_id),
            "from": user,
            "chat": {"id": chat_id, "first_name": first_name, "type": "private"},
            "date": int(time.time()),
            "text": text,
        }
        if entities := _command_entities(text):
            message["entities"] = entities
        self._user_messages.add((chat_id, message["message_id"]))
        update: JSON = {"message": message}
        if update_id is not None:
            update["update_id"] = update_id
        return self.push_update(update)

    def push_photo(self, chat_id: int, picture: bytes, *, first_name: str = "Lan",
                   forwarded: bool = False) -> JSON:
        """Queue a private-chat photo from user chat_id: three sizes as Telegram sends them,
        the largest last holding `picture` (the smaller ones are other bytes), downloadable
        with getFile and /file/bot<token>/<file_path>."""
        self._chat_names[chat_id] = first_name
        file_id, unique = self._new_file_id("AgACAgIAAxkBAAIC")
        sizes: list[JSON] = []
        for suffix, width, data in (("s", 90, b"thumbnail"), ("m", 320, b"medium"),
                                    ("x", 1080, picture)):
            self._files[f"{file_id}{suffix}"] = data
            sizes.append({"file_id": f"{file_id}{suffix}", "file_unique_id": f"{unique}{suffix}",
                          "file_size": len(data), "width": width, "height": width * 2})
        message: JSON = {
            "message_id": self._next_message_id(chat_id),
            "from": {"id": chat_id, "is_bot": False, "first_name": first_name,
                     "language_code": "vi"},
            "chat": {"id": chat_id, "first_name": first_name, "type": "private"},
            "date": int(time.time()), "photo": sizes,
        }
        if forwarded:
            message["forward_origin"] = {"type": "hidden_user", "sender_user_name": "Lạ",
                                         "date": int(time.time()) - 60}
        self._user_messages.add((chat_id, message["message_id"]))
        return self.push_update({"message": message})

    def push_callback(self, chat_id: int, data: str, *, message_id: int = 1) -> JSON:
        """Queue a button press (callback_query) by user chat_id on message message_id."""
        first_name = self._chat_names.get(chat_id, "Lan")
        message = self._messages.get((chat_id, message_id))
        if message is None:  # a message this fake never saw: invent the one holding the button
            message = {
                "message_id": message_id, "from": dict(BOT_FROM), "chat": self._chat(chat_id),
                "date": int(time.time()) - 60, "text": "…",
                "reply_markup": {"inline_keyboard": [[{"text": data, "callback_data": data}]]},
            }
            self._messages[(chat_id, message_id)] = message
            self._message_ids[chat_id] = max(self._message_ids.get(chat_id, 0), message_id)
        return self.push_update({"callback_query": {
            "id": str(next(self._callback_ids)),
            "from": {"id": chat_id, "is_bot": False, "first_name": first_name,
                     "language_code": "vi"},
            "message": copy.deepcopy(message),
            "chat_instance": str(-(zlib.crc32(str(chat_id).encode()) * 2_654_435_761)),
            "data": data,
        }})

    def push_update(self, raw: JSON) -> JSON:
        """Queue any raw update; update_id is assigned if missing and kept if given."""
        update = copy.deepcopy(raw)
        if "update_id" not in update:
            update = {"update_id": self._next_update_id, **update}
        update_id = int(update["update_id"])
        stale = update_id <= self._max_update_id
        self._max_update_id = max(self._max_update_id, update_id)
        self._next_update_id = max(self._next_update_id, update_id + 1)
        self._remember(update)
        if _update_kind(update) not in self._allowed_updates:
            self.filtered_updates.append(update)
        elif self._webhook_url is not None:
            self._webhook_queue.append(update)
        else:
            self._queue.append(_Queued(update, stale))
        self._notify()
        return update

    def sent_to(self, chat_id: int | str) -> list[SentRecord]:
        """Every successful send to chat_id, in order."""
        return [record for record in self.sent if record.chat_id == chat_id]

    def block(self, chat_id: int | str) -> None:
        """Make the user chat_id block the bot: sends to it get 403 from now on."""
        self._blocked.add(chat_id)

    def unblock(self, chat_id: int | str) -> None:
        """Undo block(chat_id)."""
        self._blocked.discard(chat_id)

    def flood(self, times: int, retry_after: int, method: str = "sendMessage") -> None:
        """Answer the next `times` calls of `method` with 429 retry_after."""
        self._floods[method.lower()] = [times, retry_after]

    def outage(self, lasting: Callable[[], bool], status: int) -> None:
        """Answer every send with `status` (500s, or 429 with retry_after 5) while `lasting()`
        is true: a spell measured on the caller's clock, virtual in tests."""
        self._outage = (lasting, status)

    def pending_updates(self) -> list[JSON]:
        """Updates queued for getUpdates and not yet confirmed."""
        return [entry.update for entry in self._queue]

    async def wait_until_confirmed(self, update_id: int, timeout: float = 5.0) -> None:
        """Wait until getUpdates was called with an offset beyond update_id (polling mode)."""
        def confirmed() -> bool:
            return self._max_offset > update_id and all(
                entry.update["update_id"] != update_id for entry in self._queue)

        if not await self._wait(confirmed, timeout):
            raise AssertionError(f"update {update_id} not confirmed within {timeout}s; highest "
                                 f"getUpdates offset {self._max_offset}, queued "
                                 f"{[entry.update['update_id'] for entry in self._queue]}")

    # ----------------------------------------------------------------- plumbing

    def _remember(self, update: JSON) -> None:
        """Note callback ids, file ids and user names that an update makes known."""
        query = update.get("callback_query")
        if isinstance(query, dict) and "id" in query:
            self._open_callbacks.add(str(query["id"]))
        stack: list[Any] = [update]
        while stack:
            item = stack.pop()
            if isinstance(item, dict):
                if isinstance(item.get("file_id"), str):
                    self._file_ids.add(item["file_id"])
                stack.extend(item.values())
            elif isinstance(item, list):
                stack.extend(item)

    def _next_message_id(self, chat_id: int | str) -> int:
        self._message_ids[chat_id] = self._message_ids.get(chat_id, 0) + 1
        return self._message_ids[chat_id]

    def _chat(self, chat_id: int | str) -> JSON:
        if isinstance(chat_id, str):
            return {"id": -1_001_000_000_000 - zlib.crc32(chat_id.encode()) % 10**9,
                    "title": chat_id[1:],
                    "username": chat_id[1:], "type": "channel"}
        if chat_id < 0:
            kind = "supergroup" if str(chat_id).startswith("-100") else "group"
            return {"id": chat_id, "title": "Nhóm học", "type": kind}
        return {"id": chat_id, "first_name": self._chat_names.get(chat_id, "Lan"),
                "type": "private"}

    async def _not_found(self, request: web.Request) -> web.Response:
        return web.json_response(ApiError(404, "Not Found").body(), status=404)

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        try:
            params = await self._read_params(request)
        except ApiError as error:
            self.requests.append((method, {}))
            return web.json_response(error.body(), status=error.code)
        self.requests.append((method, params))
        try:
            if request.match_info["token"] != self._token:
                raise ApiError(401, "Unauthorized")
            handler = self._methods.get(method.lower())
            if handler is None:
                raise ApiError(404, "Not Found")
            self._check_flood(method)
            result = await handler(params)
        except ApiError as error:
            return web.json_response(error.body(), status=error.code)
        finally:
            self._notify()
        if isinstance(result, _Described):
            body = {"ok": True, "result": result.result, "description": result.description}
        else:
            body = {"ok": True, "result": result}
        return web.json_response(body)

    async def _read_params(self, request: web.Request) -> JSON:
        params: JSON = {key: self._decode(key, value) for key, value in request.query.items()}
        if not request.body_exists:
            return params
        if request.content_type == "application/json":
            try:
                body = json.loads(await request.read())
            except ValueError:
                raise ApiError(400, "Bad Request: can't parse JSON object") from None
            if not isinstance(body, dict):
                raise ApiError(400, "Bad Request: JSON object expected")
            params.update({key: self._decode(key, value) if isinstance(value, str) else value
                           for key, value in body.items()})
        elif request.content_type == "multipart/form-data":
            reader = await request.multipart()
            while (part := await reader.next()) is not None:
                if not isinstance(part, aiohttp.BodyPartReader) or part.name is None:
                    continue
                if part.filename is not None:
                    params[part.name] = bytes(await part.read())
                    params.setdefault("_file_names", {})[part.name] = part.filename
                else:
                    params[part.name] = self._decode(part.name, await part.text())
        else:
            form = await request.post()
            params.update({key: self._decode(key, value) if isinstance(value, str) else value
                           for key, value in form.items()})
        return params

    @staticmethod
    def _decode(key: str, value: str) -> Any:
        if key not in JSON_PARAMS:
            return value
        try:
            return json.loads(value)
        except ValueError:
            return value

    def _check_flood(self, method: str) -> None:
        if self._outage and self._outage[0]() and method.lower().startswith("send"):
            status = self._outage[1]
            if status == 429:
                raise ApiError(429, "Too Many Requests: retry after 5", {"retry_after": 5})
            raise ApiError(status, "Internal Server Error")
        flood = self._floods.get(method.lower())
        if flood and flood[0] > 0:
            flood[0] -= 1
            raise ApiError(429, f"Too Many Requests: retry after {flood[1]}",
                           {"retry_after": flood[1]})

    def _chat_id(self, params: JSON) -> int | str:
        if params.get("chat_id") in (None, ""):
            raise ApiError(400, "Bad Request: chat_id is empty")
        chat_id = _normalize_chat_id(params["chat_id"])
        if chat_id in self._blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat_id

    @staticmethod
    def _visible_length(text: str, parse_mode: Any) -> int:
        """Roughly the length after entity parsing, in UTF-16 units as Telegram counts."""
        mode = parse_mode.lower() if isinstance(parse_mode, str) else ""
        if mode == "html":
            text = html.unescape(HTML_TAG.sub("", text))
        elif mode in ("markdown", "markdownv2"):
            text = MD_ESCAPE.sub(r"\1", MD_MARKER.sub("", MD_LINK.sub(r"\1", text)))
        return _utf16_len(text)

    @staticmethod
    def _reply_markup(params: JSON) -> JSON | None:
        markup = params.get("reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        rows = markup.get("inline_keyboard")
        if rows is None:
            return markup
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise ApiError(400, 'Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup '
                                "must be an Array of Arrays")
        for button in itertools.chain.from_iterable(rows):
            if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                raise ApiError(400, "Bad Request: can't parse inline keyboard button: "
                                    'Field "text" must be of type String')
            if "callback_data" in button:
                data = button["callback_data"]
                if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
            elif not BUTTON_ACTIONS & button.keys():
                raise ApiError(400, "Bad Request: text buttons are unallowed in the inline "
                                    "keyboard")
        return markup

    def _record_message(self, chat_id: int | str, content: JSON, markup: JSON | None) -> JSON:
        message: JSON = {
            "message_id": self._next_message_id(chat_id), "from": dict(BOT_FROM),
            "chat": self._chat(chat_id), "date": int(time.time()), **content,
        }
        if markup is not None and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        self._messages[(chat_id, message["message_id"])] = message
        return message

    def _new_file_id(self, prefix: str) -> tuple[str, str]:
        number = next(self._file_counter)
        file_id = f"{prefix}AxkBAAIB{number:06d}FakeTelegramFile"
        self._file_ids.add(file_id)
        return file_id, f"AQAD{number:06d}"

    # ----------------------------------------------------------------- Bot API methods

    async def _get_file(self, params: JSON) -> JSON:
        file_id = str(params.get("file_id", ""))
        if file_id not in self._files:
            raise ApiError(400, "Bad Request: invalid file_id")
        return {"file_id": file_id, "file_unique_id": file_id[-12:],
                "file_size": len(self._files[file_id]), "file_path": f"photos/{file_id}.jpg"}

    async def _download(self, request: web.Request) -> web.Response:
        """/file/bot<token>/photos/<file_id>.jpg: a file a user sent."""
        self.requests.append(("download", {"path": request.match_info["path"]}))
        name = request.match_info["path"].removeprefix("photos/").removesuffix(".jpg")
        if request.match_info["token"] != self._token or name not in self._files:
            return web.json_response(ApiError(404, "Not Found").body(), status=404)
        return web.Response(body=self._files[name], content_type="image/jpeg")

    def _add_routes(self, router: web.UrlDispatcher) -> None:
        router.add_get("/file/bot{token}/{path:.*}", self._download)
        super()._add_routes(router)

    async def _get_me(self, params: JSON) -> JSON:
        return dict(BOT_USER)

    async def _get_updates(self, params: JSON) -> list[JSON]:
        if self._webhook_url is not None:
            raise ApiError(409, GET_UPDATES_CONFLICT)
        offset = _as_int(params, "offset", 0)
        limit = min(max(_as_int(params, "limit", 100), 1), 100)
        try:
            timeout = min(max(float(params.get("timeout", 0)), 0.0), MAX_LONG_POLL)
        except (TypeError, ValueError):
            raise ApiError(400, "Bad Request: invalid timeout specified") from None
        if isinstance(params.get("allowed_updates"), list):
            self._allowed_updates = frozenset(params["allowed_updates"]) or DEFAULT_UPDATE_TYPES
        if offset > 0:
            self._queue = deque(entry for entry in self._queue
                                if entry.update["update_id"] >= offset
                                or (entry.stale and not entry.delivered))
            self._max_offset = max(self._max_offset, offset)
        elif offset < 0:
            self._queue = deque(list(self._queue)[offset:])
        self._poll_generation += 1
        generation = self._poll_generation
        self._notify()
        await self._wait(lambda: bool(self._queue) or self._poll_generation != generation
                         or self._webhook_url is not None, timeout)
        if self._poll_generation != generation:
            raise ApiError(409, POLL_CONFLICT)
        if self._webhook_url is not None:
            raise ApiError(409, GET_UPDATES_CONFLICT)
        batch = list(self._queue)[:limit]
        for entry in batch:
            entry.delivered = True
        return [copy.deepcopy(entry.update) for entry in batch]

    async def _set_webhook(self, params: JSON) -> _Described:
        url = params.get("url", "")
        if not isinstance(url, str):
            raise ApiError(400, "Bad Request: bad webhook: invalid URL")
        secret = params.get("secret_token") or None
        if secret is not None and not (isinstance(secret, str)
                                       and SECRET_TOKEN.fullmatch(secret)):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        if url and not url.startswith(("https://", "http://")):
            # Real Telegram wants HTTPS on 443/80/88/8443; the fake takes plain http on any port.
            raise ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided for "
                                "webhook")
        if not url:
            return await self._delete_webhook(params)
        drop = bool(params.get("drop_pending_updates"))
        max_connections = _as_int(params, "max_connections", 40)
        if not 1 <= max_connections <= 100:
            raise ApiError(400, "Bad Request: bad webhook: max_connections must be 1-100")
        if isinstance(params.get("allowed_updates"), list):
            self._allowed_updates = frozenset(params["allowed_updates"]) or DEFAULT_UPDATE_TYPES
        already = url == self._webhook_url and secret == self._webhook_secret
        self._webhook_url, self._webhook_secret = url, secret
        self._webhook_max_connections = max_connections
        if drop:
            self._webhook_queue.clear()
            self._queue.clear()
        else:
            self._webhook_queue.extend(entry.update for entry in self._queue)
            self._queue.clear()
        return _Described(True, "Webhook is already set" if already else "Webhook was set")

    async def _delete_webhook(self, params: JSON) -> _Described:
        was_set = self._webhook_url is not None
        self._webhook_url = self._webhook_secret = None
        self._last_error = None
        if params.get("drop_pending_updates"):
            self._webhook_queue.clear()
            self._queue.clear()
        else:
            self._queue.extend(_Queued(update, False) for update in self._webhook_queue)
            self._webhook_queue.clear()
        return _Described(True, "Webhook was deleted" if was_set else "Webhook is already deleted")

    async def _get_webhook_info(self, params: JSON) -> JSON:
        if self._webhook_url is None:
            return {"url": "", "has_custom_certificate": False,
                    "pending_update_count": len(self._queue)}
        info: JSON = {
            "url": self._webhook_url, "has_custom_certificate": False,
            "pending_update_count": len(self._webhook_queue) + (self._in_flight is not None),
            "max_connections": self._webhook_max_connections, "ip_address": "127.0.0.1",
        }
        if self._allowed_updates != DEFAULT_UPDATE_TYPES:
            info["allowed_updates"] = sorted(self._allowed_updates)
        if self._last_error is not None:
            info["last_error_date"], info["last_error_message"] = self._last_error
        return info

    @staticmethod
    def _commands_key(params: JSON) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        if not isinstance(scope, dict) or not isinstance(scope.get("type"), str):
            raise ApiError(400, "Bad Request: can't parse BotCommandScope JSON object")
        language = params.get("language_code") or ""
        if not isinstance(language, str) or not re.fullmatch(r"([a-z]{2})?", language):
            raise ApiError(400, "Bad Request: invalid language code specified")
        return scope["type"], language

    async def _set_my_commands(self, params: JSON) -> bool:
        key = self._commands_key(params)
        commands = params.get("commands", [])
        if not isinstance(commands, list):
            raise ApiError(400, "Bad Request: can't parse commands JSON object")
        if len(commands) > MAX_COMMANDS:
            raise ApiError(400, "Bad Request: BOT_COMMANDS_TOO_MUCH")
        cleaned: list[dict[str, str]] = []
        for command in commands:
            if not isinstance(command, dict) or not isinstance(command.get("command"), str):
                raise ApiError(400, "Bad Request: can't parse BotCommand JSON object")
            if not COMMAND_NAME.fullmatch(command["command"]):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            description = command.get("description")
            if not isinstance(description, str) or not description.strip():
                raise ApiError(400, "Bad Request: command description must be non-empty")
            if len(description) > 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
            cleaned.append({"command": command["command"], "description": description})
        if cleaned:
            self.commands[key] = cleaned
        else:
            self.commands.pop(key, None)
        return True

    async def _get_my_commands(self, params: JSON) -> list[dict[str, str]]:
        return copy.deepcopy(self.commands.get(self._commands_key(params), []))

    async def _delete_my_commands(self, params: JSON) -> bool:
        self.commands.pop(self._commands_key(params), None)
        return True

    async def _send_message(self, params: JSON) -> JSON:
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if self._visible_length(text, params.get("parse_mode")) > MAX_TEXT:
            raise ApiError(400, "Bad Request: message is too long")
        markup = self._reply_markup(params)
        chat_id = self._chat_id(params)
        message = self._record_message(chat_id, {"text": text}, markup)
        self.sent.append(SentRecord(chat_id, "sendMessage", text=text, reply_markup=markup,
                                    message_id=message["message_id"], params=params))
        return copy.deepcopy(message)

    async def _send_photo(self, params: JSON) -> JSON:
        photo = params.get("photo")
        if photo is None or photo == "":
            raise ApiError(400, "Bad Request: there is no photo in the request")
        if isinstance(photo, bytes) and not photo:
            raise ApiError(400, "Bad Request: file must be non-empty")
        if isinstance(photo, str) and not (photo.startswith(("http://", "https://"))
                                           or photo in self._file_ids):
            raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        caption = params.get("caption")
        if caption is not None and not isinstance(caption, str):
            raise ApiError(400, "Bad Request: invalid caption specified")
        if caption and self._visible_length(caption, params.get("parse_mode")) > MAX_CAPTION:
            raise ApiError(400, "Bad Request: message caption is too long")
        markup = self._reply_markup(params)
        chat_id = self._chat_id(params)
        file_id, unique = self._new_file_id("AgACAgIAA")
        shapes = (("s", 90, 68, 1_254), ("m", 320, 240, 16_830), ("x", 800, 600, 62_417))
        sizes: list[JSON] = [
            {"file_id": f"{file_id}{suffix}", "file_unique_id": f"{unique}{suffix}",
             "file_size": size, "width": width, "height": height}
            for suffix, width, height, size in shapes]
        self._file_ids.update(str(size["file_id"]) for size in sizes)
        content: JSON = {"photo": sizes}
        if caption:
            content["caption"] = caption
        message = self._record_message(chat_id, content, markup)
        self.sent.append(SentRecord(chat_id, "sendPhoto", caption=caption or None,
                                    reply_markup=markup, photo=photo,
                                    message_id=message["message_id"], params=params))
        return copy.deepcopy(message)

    async def _send_document(self, params: JSON) -> JSON:
        document = params.get("document")
        if document is None or document == "" or document == b"":
            raise ApiError(400, "Bad Request: there is no document in the request")
        if isinstance(document, bytes) and len(document) > MAX_UPLOAD_BYTES:
            raise ApiError(400, "Bad Request: file is too big")
        caption = params.get("caption")
        if caption and self._visible_length(str(caption), params.get("parse_mode")) > MAX_CAPTION:
            raise ApiError(400, "Bad Request: message caption is too long")
        markup = self._reply_markup(params)
        chat_id = self._chat_id(params)
        name = params.get("_file_names", {}).get("document")
        file_id, unique = self._new_file_id("BQACAgIAA")
        content: JSON = {"document": {"file_id": file_id, "file_unique_id": unique,
                                      "file_name": name, "file_size": len(document)}}
        message = self._record_message(chat_id, content, markup)
        self.sent.append(SentRecord(chat_id, "sendDocument", caption=caption or None,
                                    reply_markup=markup, document=document, file_name=name,
                                    message_id=message["message_id"], params=params))
        return copy.deepcopy(message)

    async def _answer_callback_query(self, params: JSON) -> bool:
        query_id = str(params.get("callback_query_id", ""))
        text = params.get("text")
        if isinstance(text, str) and len(text) > MAX_CALLBACK_ANSWER:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        if query_id not in self._open_callbacks:
            raise ApiError(400, QUERY_INVALID)
        self._open_callbacks.discard(query_id)
        self.callback_answers.append(query_id)
        return True

    async def _edit_message_reply_markup(self, params: JSON) -> JSON | bool:
        markup = self._reply_markup(params)
        if params.get("inline_message_id"):
            self.edits.append(SentRecord("", "editMessageReplyMarkup", reply_markup=markup,
                                         params=params))
            return True
        chat_id = self._chat_id(params)
        if params.get("message_id") in (None, ""):
            raise ApiError(400, "Bad Request: message identifier is not specified")
        message_id = _as_int(params, "message_id", 0)
        if not 0 < message_id <= self._message_ids.get(chat_id, 0):
            raise ApiError(400, "Bad Request: message to edit not found")
        if (chat_id, message_id) in self._user_messages:
            raise ApiError(400, "Bad Request: message can't be edited")
        message = self._messages.setdefault((chat_id, message_id), {
            "message_id": message_id, "from": dict(BOT_FROM), "chat": self._chat(chat_id),
            "date": int(time.time()) - 60, "text": "…",
        })
        inline = markup if markup is not None and "inline_keyboard" in markup else None
        if message.get("reply_markup") == inline:
            raise ApiError(400, NOT_MODIFIED)
        if inline is None:
            message.pop("reply_markup", None)
        else:
            message["reply_markup"] = inline
        message["edit_date"] = int(time.time())
        self.edits.append(SentRecord(chat_id, "editMessageReplyMarkup", reply_markup=markup,
                                     message_id=message_id, params=params))
        return copy.deepcopy(message)

    async def _send_chat_action(self, params: JSON) -> bool:
        action = params.get("action")
        if action not in CHAT_ACTIONS:
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        chat_id = self._chat_id(params)
        self.chat_actions.append((chat_id, action))
        return True

    # ----------------------------------------------------------------- webhook delivery

    @property
    def _webhook_target(self) -> str | None:
        return self._webhook_url

    def _webhook_request(self, item: JSON, url: str, attempt: int) -> WebhookRequest:
        secret = self._webhook_secret
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
        return WebhookRequest(url, headers, json=item, secret=secret)

    def _delivery(self, item: JSON, attempt: int, request: WebhookRequest,
                  outcome: WebhookOutcome) -> WebhookDelivery:
        return WebhookDelivery(int(item["update_id"]), attempt, request.url, outcome.status,
                               outcome.error, request.secret)

    def _webhook_gone(self, item: JSON) -> None:
        self._queue.append(_Queued(item, False))  # the webhook was deleted: back to getUpdates

    async def _delivered(self, outcome: WebhookOutcome) -> None:
        try:
            answer = json.loads(outcome.body)
        except ValueError:
            return  # any 2xx body confirms the update; only a JSON method is run
        if not isinstance(answer, dict) or not isinstance(answer.get("method"), str):
            return
        method = answer.pop("method")
        self.webhook_replies.append((method, answer))
        handler = self._methods.get(method.lower())
        try:
            if handler is not None:
                await handler(answer)
        except ApiError:
            pass  # Telegram tells nobody of a failed method given in a webhook's answer
        finally:
            self._notify()

    def _delivery_failed(self, outcome: WebhookOutcome) -> None:
        message = (outcome.error or f"Wrong response from the webhook: {outcome.status} "
                                    f"{outcome.reason}".strip())
        self._last_error = (int(time.time()), message)

    def _busy_detail(self) -> str:
        return f", in flight {self._in_flight and self._in_flight['update_id']}"
