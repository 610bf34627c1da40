"""The Zalo Bot Platform channel: an aiohttp client, webhook or long polling, numbered options."""

import asyncio
import hmac
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any

import aiohttp
from aiohttp import web

from bot.channels import json_body
from bot.channels.delivery import Held, Patience, with_retries
from bot.channels.ordered import OrderedTasks, answer_once_done
from bot.channels.pictures import ZALO_HOSTS, download
from bot.channels.text import picture_url, split_text, with_numbered_options
from bot.messages import Incoming, Kind, Outgoing
from bot.retry import backoff, retry
from bot.tutor import Tutor

log = logging.getLogger("hocso.zalo")

CHANNEL = "zalo"
WEBHOOK_PATH = "/zalo/webhook"
SECRET_HEADER = "X-Bot-Api-Secret-Token"
MAX_TEXT = 2000
POLL_SECONDS = 30
RETRYABLE = {0, 408, 429}  # 0: no error code at all (a proxy's page, a cut-off body)
MEDIA_EVENTS = {"message.image.received", "message.sticker.received", "message.voice.received",
                "message.unsupported.received", "message.link.received"}


@dataclass(frozen=True)
class ZaloBotConfig:
    """What the channel needs from Settings."""

    token: str
    api_base_url: str
    webhook_url: str = ""
    webhook_secret: str = ""
    public_url: str = ""  # where content images can be fetched from, for sendPhoto
    picture_hosts: tuple[str, ...] = ZALO_HOSTS  # where the pictures people send are fetched


class ZaloBotError(Exception):
    """An error the Bot API reported (in the body, even with HTTP 200) or an HTTP failure."""

    def __init__(self, code: int, description: str) -> None:
        super().__init__(f"{code} {description}")
        self.code = code

    @property
    def transient(self) -> bool:
        return self.code in RETRYABLE or self.code >= 500


def _transient(error: Exception) -> bool:
    if isinstance(error, ZaloBotError):
        return error.transient
    return isinstance(error, aiohttp.ClientError | asyncio.TimeoutError)


def _poll_failed(error: BaseException, _failures: int) -> None:
    if isinstance(error, ZaloBotError):
        log.warning("Zalo getUpdates failed: %s", error)
    elif isinstance(error, TimeoutError | aiohttp.ClientError):
        log.warning("Zalo getUpdates: network error: %s", error)
    else:
        log.error("Zalo getUpdates failed unexpectedly", exc_info=error)


class ZaloBotClient:
    """The few Bot API methods the tutor uses."""

    def __init__(self, session: aiohttp.ClientSession, *, base_url: str, token: str) -> None:
        self._session = session
        self._url = f"{base_url}{token}/"

    async def call(self, method: str, params: dict[str, Any] | None = None, *,
                   wait: float = 10.0) -> Any:
        """Call `method`; return its result or raise ZaloBotError (read from `ok`)."""
        timeout = aiohttp.ClientTimeout(total=wait)
        async with self._session.post(self._url + method, json=params or {},
                                      timeout=timeout) as response:
            raw = await response.read()
        try:
            body = json_body.loads(raw) if raw else {}
        except json_body.BadJson:
            body = {}
        if not isinstance(body, dict) or not body.get("ok"):
            body = body if isinstance(body, dict) else {}
            code = _number(body.get("error_code")) or (
                response.status if response.status >= 400 else 0)
            raise ZaloBotError(code, str(body.get("description") or f"HTTP {response.status}"))
        return body.get("result")


def _number(value: Any) -> int:
    """An error code as a number; 0 when Zalo sent none, or something that is not one."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def unwrap(body: Any) -> dict[str, Any] | None:
    """Return the event of a webhook body or getUpdates result, flat or {ok, result} wrapped."""
    if isinstance(body, dict) and isinstance(body.get("result"), dict) and "ok" in body:
        body = body["result"]
    return body if isinstance(body, dict) and isinstance(body.get("event_name"), str) else None


def mapping(value: Any) -> dict[str, Any]:
    """Return `value` if it is a JSON object, else an empty one (Zalo omits fields freely)."""
    return value if isinstance(value, dict) else {}


def sent_picture(event: dict[str, Any]) -> str:
    """The URL of the picture an image event carries ("photo" or "photo_url"), or ""."""
    message = mapping(event.get("message"))
    if event.get("event_name") != "message.image.received":
        return ""
    url = message.get("photo") or message.get("photo_url")
    return url if isinstance(url, str) and url.startswith(("https://", "http://")) else ""


def to_incoming(event: dict[str, Any]) -> Incoming | None:
    """Translate an event into the tutor's Incoming; None for what the tutor ignores."""
    name = event["event_name"]
    message = event.get("message")
    if not isinstance(message, dict):
        return None  # e.g. unsupported content from a protected user: nobody to answer
    chat = mapping(message.get("chat"))
    sender = mapping(message.get("from"))
    user = str(chat.get("id") or sender.get("id") or "")
    if not user or chat.get("chat_type", "PRIVATE") != "PRIVATE":
        return None  # group chats are not taught here
    message_id = message.get("message_id")
    common: dict[str, Any] = {
        "channel": CHANNEL, "user_ref": user,
        # A message id is unique within one chat only: another person's may be the same.
        "update_id": f"{name}:{user}:{message_id}" if message_id else None,
        "display_name": str(sender.get("display_name") or ""),
    }
    text = message.get("text")
    if name == "message.text.received" and isinstance(text, str):
        command, _, argument = text.strip().partition(" ")
        if command.lower() == "/start":
            return Incoming(kind=Kind.START, text=argument.strip(), **common)
        return Incoming(kind=Kind.TEXT, text=text, **common)
    if sent_picture(event):  # downloaded before the turn (ZaloBotChannel._handle_photo)
        return Incoming(kind=Kind.PHOTO, **common)
    if name in MEDIA_EVENTS or message.get("photo_url") or message.get("photo"):
        return Incoming(kind=Kind.UNSUPPORTED, **common)
    return None  # reactions and events the tutor has no use for


class ZaloBotChannel:
    """Receives events (webhook or polling), runs the tutor, sends numbered-option replies."""

    name = CHANNEL

    def __init__(self, config: ZaloBotConfig, tutor: Tutor, *,
                 backoff_seconds: float = 1.0,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.config = config
        self.tutor = tutor
        self._backoff = backoff_seconds
        self._patience = Patience(sleep)  # between tries; tests pass a virtual one
        self._tasks = OrderedTasks()
        self._session: aiohttp.ClientSession | None = None
        self._client: ZaloBotClient | None = None
        self._poller: asyncio.Task[None] | None = None

    def routes(self) -> list[web.RouteDef]:
        """The webhook route, when running by webhook."""
        return [web.post(WEBHOOK_PATH, self.webhook)] if self.config.webhook_url else []

    async def start(self) -> None:
        """Check the token, then register the webhook or start long polling."""
        self._session = aiohttp.ClientSession()
        self._client = ZaloBotClient(self._session, base_url=self.config.api_base_url,
                                     token=self.config.token)
        me = await self._client.call("getMe")
        log.info("Zalo bot %s connected", (me or {}).get("account_name", "?"))
        if self.config.webhook_url:
            await self._client.call("setWebhook", {"url": self.config.webhook_url,
                                                   "secret_token": self.config.webhook_secret})
            log.info("Zalo: receiving by webhook at %s", self.config.webhook_url)
        else:
            await self._client.call("deleteWebhook")
            self._poller = asyncio.create_task(self._poll())
            log.info("Zalo: receiving by long polling")

    async def stop(self) -> None:
        """Stop receiving, finish every event already received, close the HTTP session."""
        if self._poller is not None:
            self._poller.cancel()
            await asyncio.gather(self._poller, return_exceptions=True)
        self._patience.stop()  # replies Zalo keeps refusing stay kept for the next start
        await self.drain()
        if self._session is not None:
            await self._session.close()

    async def drain(self) -> None:
        """Wait until every event taken so far is handled and its replies are sent (or kept)."""
        await self._tasks.drain()

    async def webhook(self, request: web.Request) -> web.Response:
        """Take one event: check the secret, answer once its turn has committed."""
        secret = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(secret.encode(), self.config.webhook_secret.encode()):
            return web.Response(status=403, text="wrong secret token")
        raw = await request.read()
        if not raw.strip():
            return web.Response(text="ok")  # Zalo's empty probe
        try:
            event = unwrap(json_body.loads(raw))
        except json_body.BadJson:  # no platform sends this: nothing to acknowledge
            log.warning("refused a Zalo webhook body that is not JSON or nested too deep")
            return web.Response(status=400, text="not JSON")
        if event is None:  # refused, Zalo would send it again and again
            log.warning("ignored a Zalo webhook body that is not an event")
            return web.Response(text="ignored")
        incoming = to_incoming(event)
        if incoming is None:
            return web.Response(text="ok")
        return await answer_once_done(self._tasks.accept(
            incoming.user_ref, lambda: self._turn(incoming, event),
            lambda replies: self._send_replies(incoming.user_ref, replies)))

    async def _poll(self) -> None:
        client = self._client
        assert client is not None

        async def get_update() -> Any:
            try:
                return await client.call("getUpdates", {"timeout": str(POLL_SECONDS)},
                                         wait=POLL_SECONDS + 10)
            except ZaloBotError as error:
                if error.code == 408:  # nothing arrived during the long poll
                    return None
                raise

        while True:
            # Whatever goes wrong, the poller must keep listening: it never gives up.
            event = unwrap(await retry(
                get_update, retry_on=lambda error: isinstance(error, Exception),
                wait=backoff(2 * self._backoff, cap=min(60.0, 64 * self._backoff)),
                on_failure=_poll_failed))
            if event is not None:
                self._submit(event)

    def _submit(self, event: dict[str, Any]) -> None:
        incoming = to_incoming(event)
        if incoming is None:
            log.debug("ignored Zalo event %s", event.get("event_name"))
            return
        self._tasks.submit(incoming.user_ref, lambda: self._handle(incoming, event))

    async def _handle(self, incoming: Incoming, event: dict[str, Any]) -> None:
        await self._send_replies(incoming.user_ref, await self._turn(incoming, event))

    async def _turn(self, incoming: Incoming, event: dict[str, Any]) -> list[Outgoing]:
        """The tutor's turn; a photo is downloaded first (for the message check's OCR)."""
        if incoming.kind == Kind.PHOTO and self._session is not None:
            incoming = replace(incoming, picture=await download(
                self._session, sent_picture(event), self.config.picture_hosts))
        return await self.tutor.handle(incoming)

    async def _send_replies(self, chat_id: str, replies: list[Outgoing]) -> None:
        for reply in replies:
            try:
                await self.send(chat_id, reply)
            except Held:
                return  # kept in the outbox, with the rest after it, for the next start
            await self.tutor.settle([reply])  # sent, or kept in failed_send: no longer at risk

    async def send(self, chat_id: str, reply: Outgoing, *, owed: bool = True) -> None:
        """Send one reply: its image by URL, then its text with numbered options. An `owed`
        reply is tried until Zalo takes it (Held if the channel stops first); another
        message raises after a few tries, for the outbox to try again later."""
        url = picture_url(reply, self.config.public_url) if self.config.public_url else ""
        if url:
            await self._deliver(chat_id, owed, "sendPhoto", photo=url)
        heading = self.tutor.words(reply.locale, "pick_by_number")
        for chunk in split_text(with_numbered_options(reply, heading), MAX_TEXT):
            await self._deliver(chat_id, owed, "sendMessage", text=chunk)

    async def deliver(self, user_ref: str, reply: Outgoing) -> None:
        """Send an outbox message (queued by someone else's turn), in the chat's order."""
        await self._tasks.run(user_ref, lambda: self.send(user_ref, reply, owed=False))

    async def _deliver(self, chat_id: str, owed: bool, method: str, **params: str) -> None:
        """Send with retries; a send refused for good is kept in failed_send."""
        client = self._client
        assert client is not None

        async def attempt() -> None:
            await client.call(method, {"chat_id": chat_id, **params})

        error = await with_retries(attempt, transient=_transient,
                                   what=f"Zalo {method} to {chat_id}", patience=self._patience,
                                   owed=owed, backoff_seconds=self._backoff)
        if isinstance(error, Held) or (error is not None and _transient(error)):
            raise error  # still kept in the outbox: for the next start, or its next try
        if error is not None:
            await self.tutor.keep_failed_send(
                channel=CHANNEL, user_ref=chat_id, text=params.get("text") or params["photo"],
                error=str(error))
