"""The Zalo Official Account channel: signed webhooks, consultation messages with buttons."""

import asyncio
import hashlib
import hmac
import json
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from itertools import islice
from typing import Any

import aiohttp
from aiohttp import web

from bot.channels import json_body
from bot.channels.delivery import Done, Held, Patience, with_retries
from bot.channels.ordered import OrderedTasks, answer_once_done
from bot.channels.pictures import ZALO_HOSTS, download
from bot.channels.text import numbered_rows, picture_url, split_text, with_numbered_options
from bot.channels.zalo_bot import mapping
from bot.messages import Incoming, Kind, Outgoing
from bot.tutor import Tutor
from storage.tokens import OaTokenStore, TokenPair

log = logging.getLogger("hocso.zalo_oa")

CHANNEL = "zalo_oa"
WEBHOOK_PATH = "/zalo-oa/webhook"
SIGNATURE_HEADER = "X-ZEvent-Signature"
BUTTON_PREFIX = "#hs "  # marks a hidden-button payload coming back as the user's text
MAX_TEXT = 2000  # OA's own limit is not published; Zalo's Bot API limit is the safe guess
MAX_BUTTONS = 5
MAX_TITLE = 100
TOKEN_MARGIN = timedelta(hours=1)
INVALID_TOKEN = -216
WINDOW_CLOSED = {-230, -213}  # reported for "no interaction for 7 days": stop sending
_TIMESTAMP = re.compile(rb'"timestamp"\s*:\s*"?([0-9]{1,20})"?')
MEDIA_EVENTS = {f"user_send_{kind}" for kind in (
    "image", "link", "audio", "video", "sticker", "gif", "location", "file", "business_card")}


@dataclass(frozen=True)
class ZaloOAConfig:
    """What the channel needs from Settings."""

    app_id: str
    app_secret: str  # signs token refreshes
    oa_secret_key: str  # signs webhooks
    refresh_token: str  # the first one; later ones live in the database
    api_base_url: str
    oauth_base_url: str
    public_url: str = ""
    picture_hosts: tuple[str, ...] = ZALO_HOSTS  # where the pictures people send are fetched


class ZaloOAError(Exception):
    """An error the OA API reported (`error` != 0), or an HTTP failure."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"{code} {message}")
        self.code = code


class Unreachable(Exception):
    """Zalo refuses messages to this user now (the 7-day window has closed)."""


def _transient(error: Exception) -> bool:
    if isinstance(error, ZaloOAError):
        return error.code >= 500 or error.code in (408, 429, INVALID_TOKEN)
    return isinstance(error, aiohttp.ClientError | asyncio.TimeoutError)


def signature_ok(raw: bytes, header: str, *, app_id: str, timestamp: str, key: str) -> bool:
    """Check X-ZEvent-Signature: mac = sha256(app_id + raw body + timestamp + OA secret key)."""
    expected = hashlib.sha256(app_id.encode() + raw + timestamp.encode() + key.encode())
    given = header.strip().removeprefix("mac=")
    return hmac.compare_digest(given.encode(), expected.hexdigest().encode())


def signed_timestamp(raw: bytes, header: str, *, app_id: str, key: str) -> str | None:
    """The timestamp the body's signature was made with, or None if it is not signed right.

    The timestamp is signed but sits inside the body: the few values that look like its
    field are tried before anything parses the body (the caller checks that it was the
    event's own timestamp).
    """
    found = islice(_TIMESTAMP.finditer(raw), 4)
    for stamp in [match.group(1).decode() for match in found] + [""]:
        if signature_ok(raw, header, app_id=app_id, timestamp=stamp, key=key):
            return stamp
    return None


def to_incoming(event: dict[str, Any]) -> tuple[Incoming, str] | None:
    """Translate an event into Incoming plus the user's message id to reply to."""
    name = str(event.get("event_name", ""))
    stamp = str(event.get("timestamp", ""))
    if name == "follow":
        follower = mapping(event.get("follower"))
        user = str(follower.get("id") or "")
        start = Incoming(channel=CHANNEL, user_ref=user, kind=Kind.START,
                         update_id=f"follow:{user}:{stamp}")
        return (start, "") if user else None
    sender, message = mapping(event.get("sender")), mapping(event.get("message"))
    user, message_id = str(sender.get("id") or ""), str(message.get("msg_id") or "")
    if not user or not name.startswith("user_send_"):
        return None  # anonymous chats, seen/received receipts, the OA's own messages
    common: dict[str, Any] = {"channel": CHANNEL, "user_ref": user,
                              "update_id": f"{name}:{message_id or stamp}"}
    text = message.get("text")
    if name == "user_send_text" and isinstance(text, str):
        if text.startswith(BUTTON_PREFIX):
            return Incoming(kind=Kind.BUTTON, payload=text[len(BUTTON_PREFIX):], **common), \
                message_id
        return Incoming(kind=Kind.TEXT, text=text, **common), message_id
    if sent_picture(event):  # downloaded before the turn (ZaloOAChannel._turn)
        return Incoming(kind=Kind.PHOTO, **common), message_id
    if name in MEDIA_EVENTS:
        return Incoming(kind=Kind.UNSUPPORTED, **common), message_id
    return None


def sent_picture(event: dict[str, Any]) -> str:
    """The URL of the first image a user_send_image event carries, or ""."""
    if event.get("event_name") != "user_send_image":
        return ""
    for attachment in mapping(event.get("message")).get("attachments") or []:
        url = mapping(mapping(attachment).get("payload")).get("url")
        if mapping(attachment).get("type") == "image" and isinstance(url, str):
            return url
    return ""


def render(reply: Outgoing, heading: str) -> list[dict[str, Any]]:
    """Turn a reply into OA `message` objects: text with hidden-query buttons when they fit,
    else a list of numbered options under `heading`."""
    buttons = [button for row in numbered_rows(reply) for button in row]
    fits = len(buttons) <= MAX_BUTTONS and all(len(label) <= MAX_TITLE for label, _ in buttons)
    chunks = split_text(reply.text if fits else with_numbered_options(reply, heading), MAX_TEXT)
    messages: list[dict[str, Any]] = [{"text": chunk} for chunk in chunks]
    if fits and buttons:
        messages[-1]["attachment"] = {"type": "template", "payload": {"buttons": [
            {"title": label, "type": "oa.query.hide", "payload": BUTTON_PREFIX + payload}
            for label, payload in buttons]}}
    return messages


class ZaloOAChannel:
    """Receives signed OA events and answers within the consultation-message rules."""

    name = CHANNEL

    def __init__(self, config: ZaloOAConfig, tutor: Tutor, tokens: OaTokenStore, *,
                 backoff_seconds: float = 1.0,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.config = config
        self.tutor = tutor
        self._backoff = backoff_seconds
        self._patience = Patience(sleep)  # between tries; tests pass a virtual one
        self._tasks = OrderedTasks()
        self._session: aiohttp.ClientSession | None = None
        self._tokens = tokens

    def routes(self) -> list[web.RouteDef]:
        """The webhook route."""
        return [web.post(WEBHOOK_PATH, self.webhook)]

    async def start(self) -> None:
        """Open the HTTP session and make sure a valid access token is at hand."""
        self._session = aiohttp.ClientSession()
        await self._tokens.access_token(self._refresh, margin=TOKEN_MARGIN)
        log.info("Zalo OA: receiving signed events at %s", WEBHOOK_PATH)

    async def stop(self) -> None:
        """Finish every event already received, then close the HTTP session. Replies Zalo
        keeps refusing stay kept in the outbox for the next start."""
        self._patience.stop()
        await self.drain()
        if self._session is not None:
            await self._session.close()

    async def drain(self) -> None:
        """Wait until every event taken so far is handled and its replies are sent (or kept)."""
        await self._tasks.drain()

    async def webhook(self, request: web.Request) -> web.Response:
        """Take one event: verify its signature, answer once its turn has committed."""
        raw = await request.read()
        # The signature first: an unsigned body is never parsed, so it can neither cost the
        # parser's time nor fill the log.
        stamp = signed_timestamp(raw, request.headers.get(SIGNATURE_HEADER, ""),
                                 app_id=self.config.app_id, key=self.config.oa_secret_key)
        if stamp is None:
            return web.Response(status=401, text="bad signature")
        try:
            event = json_body.loads(raw)
        except json_body.BadJson:
            event = None
        if not isinstance(event, dict):
            return web.Response(status=400, text="not an event")
        if (str(event.get("timestamp", "")) != stamp
                or str(event.get("app_id", "")) != self.config.app_id):
            return web.Response(status=401, text="bad signature")
        if event.get("event_name") == "unfollow":
            follower = mapping(event.get("follower"))
            await self.tutor.set_reachable(
                channel=CHANNEL, user_ref=str(follower.get("id", "")), reachable=False)
            return web.Response(text="ok")
        found = to_incoming(event)
        if found is None:
            return web.Response(text="ok")
        incoming, message_id = found
        return await answer_once_done(self._tasks.accept(
            incoming.user_ref, lambda: self._turn(incoming, event),
            lambda replies: self._reply(incoming.user_ref, replies, message_id)))

    async def _turn(self, incoming: Incoming, event: dict[str, Any]) -> list[Outgoing]:
        """The tutor's turn; a photo is downloaded first (for the message check's OCR)."""
        if incoming.kind == Kind.PHOTO and self._session is not None:
            incoming = replace(incoming, picture=await download(
                self._session, sent_picture(event), self.config.picture_hosts))
        return await self.tutor.handle(incoming)

    async def _reply(self, user_ref: str, replies: list[Outgoing], message_id: str) -> None:
        # Each reply's kept copy goes as soon as the reply is sent (or kept in failed_send).
        await self._send_all(user_ref, replies, message_id, done=self.tutor.settle)

    async def deliver(self, user_ref: str, reply: Outgoing) -> None:
        """Send an outbox message: not a reply to the user's message, so it has no message id.
        Raise when Zalo stays out of reach, for the outbox to try it again later."""
        await self._tasks.run(user_ref, lambda: self._send_all(user_ref, [reply], "", owed=False))

    async def _send_all(self, user_ref: str, replies: list[Outgoing], message_id: str,
                        done: Done | None = None, *, owed: bool = True) -> None:
        recipient = {"user_id": user_ref}
        if message_id:
            recipient["message_id"] = message_id  # a reply, not a paid proactive message
        for number, reply in enumerate(replies):
            messages = self._messages(reply)
            for part, message in enumerate(messages):
                try:
                    await self._deliver(recipient, message, owed)
                except Held:
                    return  # kept in the outbox, with the rest after it, for the next start
                except Unreachable as error:
                    log.info("Zalo OA user %s is outside the reply window", user_ref)
                    await self.tutor.set_reachable(
                        channel=CHANNEL, user_ref=user_ref, reachable=False)
                    unsent = messages[part:] + [kept for later in replies[number + 1:]
                                                for kept in self._messages(later)]
                    for kept in unsent:  # kept, so nothing is lost without a trace
                        await self.tutor.keep_failed_send(
                            channel=CHANNEL, user_ref=user_ref,
                            text=json.dumps(kept, ensure_ascii=False), error=str(error))
                    if done is not None:
                        await done(replies[number:])
                    return
            if done is not None:
                await done([reply])

    def _messages(self, reply: Outgoing) -> list[dict[str, Any]]:
        """The API messages of one reply: its picture (by URL), then its text and buttons."""
        url = picture_url(reply, self.config.public_url) if self.config.public_url else ""
        heading = self.tutor.words(reply.locale, "pick_by_number")
        return ([self._image(url)] if url else []) + render(reply, heading)

    @staticmethod
    def _image(url: str) -> dict[str, Any]:
        return {"attachment": {"type": "template", "payload": {
            "template_type": "media", "elements": [{"media_type": "image", "url": url}]}}}

    async def _deliver(self, recipient: dict[str, str], message: dict[str, Any],
                       owed: bool) -> None:
        refused: str | None = None  # an access token the API called invalid

        async def attempt() -> None:
            nonlocal refused
            token = await self._tokens.access_token(self._refresh, margin=TOKEN_MARGIN,
                                                    invalid=refused)
            try:
                await self._post_message(recipient, message, token)
            except ZaloOAError as error:
                if error.code == INVALID_TOKEN:
                    refused = token  # the retry refreshes it first
                if error.code in WINDOW_CLOSED:
                    raise Unreachable(str(error)) from error
                raise

        error = await with_retries(attempt, transient=_transient,
                                   what=f"Zalo OA message to {recipient['user_id']}",
                                   patience=self._patience, owed=owed,
                                   backoff_seconds=self._backoff)
        if isinstance(error, Unreachable | Held) or (error is not None and _transient(error)):
            raise error  # Held: still kept in the outbox, for the next start or its next try
        if error is not None:
            await self.tutor.keep_failed_send(
                channel=CHANNEL, user_ref=recipient["user_id"],
                text=json.dumps(message, ensure_ascii=False), error=str(error))

    async def _post_message(self, recipient: dict[str, str], message: dict[str, Any],
                            token: str) -> None:
        assert self._session is not None
        url = f"{self.config.api_base_url}/v3.0/oa/message/cs"
        async with self._session.post(url, json={"recipient": recipient, "message": message},
                                      headers={"access_token": token},
                                      timeout=aiohttp.ClientTimeout(total=10)) as response:
            body = await self._json(response)
        if int(body.get("error", 0)) != 0:
            raise ZaloOAError(int(body["error"]), str(body.get("message", "")))

    async def _refresh(self, refresh_token: str) -> TokenPair:
        """Trade the single-use refresh token for a new pair (called under the store's lock)."""
        assert self._session is not None
        form = {"app_id": self.config.app_id, "grant_type": "refresh_token",
                "refresh_token": refresh_token}
        async with self._session.post(f"{self.config.oauth_base_url}/v4/oa/access_token",
                                      data=form, headers={"secret_key": self.config.app_secret},
                                      timeout=aiohttp.ClientTimeout(total=10)) as response:
            body = await self._json(response)
        if "access_token" not in body or "refresh_token" not in body:
            raise ZaloOAError(int(body.get("error", -1)), str(body.get("error_name", body)))
        log.info("Zalo OA access token refreshed")
        return TokenPair(str(body["access_token"]), str(body["refresh_token"]),
                         timedelta(seconds=int(body.get("expires_in", 3600))))

    @staticmethod
    async def _json(response: aiohttp.ClientResponse) -> dict[str, Any]:
        if response.status >= 400:
            raise ZaloOAError(response.status, f"HTTP {response.status}")
        try:
            body = await response.json(content_type=None)
        except ValueError as error:
            raise ZaloOAError(response.status, "not JSON") from error
        if not isinstance(body, dict):
            raise ZaloOAError(response.status, "not a JSON object")
        return body
