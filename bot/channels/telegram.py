"""The Telegram channel: a thin python-telegram-bot adapter, by long polling or by webhook."""

import asyncio
import hmac
import logging
import ssl
import time
from collections.abc import Awaitable
from dataclasses import dataclass, replace
from functools import cache, partial
from pathlib import Path
from typing import Any

import httpx
from aiohttp import web
from telegram import BotCommand, Message, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    BaseUpdateProcessor,
    ContextTypes,
    TypeHandler,
)
from telegram.request import BaseRequest, HTTPXRequest

from bot.channels import TELEGRAM, json_body
from bot.channels.ordered import OrderedTasks, answer_once_done
from bot.channels.pacing import Clock, Pacer, Sleep
from bot.channels.telegram_send import TelegramSender
from bot.lessons.model import BASE_LOCALE, Library
from bot.messages import Incoming, Kind, Outgoing
from bot.retry import backoff, retry
from bot.tutor import Tutor
from storage.database import unreachable

log = logging.getLogger("hocso.telegram")

CHANNEL = TELEGRAM
UNBOUNDED = 2**31 - 1
WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"]
POLL_SECONDS = 30


def command_menus(library: Library) -> dict[str | None, list[BotCommand]]:
    """The command menu for each language the content speaks (None: for everyone else, the
    Vietnamese one). Each entry is a command's first slash name and its menu text."""
    menus: dict[str | None, list[BotCommand]] = {}
    for locale in library.locales:
        menus[locale] = [BotCommand(texts.slash[0], texts.menu)
                         for texts in library.in_locale(locale).commands.values()
                         if texts.menu and texts.slash]
    menus[None] = menus[BASE_LOCALE]
    return menus


@dataclass(frozen=True)
class TelegramConfig:
    """What the channel needs from Settings."""

    token: str
    api_base_url: str
    webhook_url: str = ""
    webhook_secret: str = ""

    def __post_init__(self) -> None:
        # An empty secret would match a request that sends none.
        if self.webhook_url and not self.webhook_secret:
            raise ValueError("a Telegram webhook needs a secret token")


@cache
def _tls() -> ssl.SSLContext:
    """The TLS context of every Telegram client in this process: httpx's default, as each of
    its clients would make its own (verifying hosts and certificates against certifi's CA
    certificates, or SSL_CERT_FILE's), made once. Loading the certificates costs 15-30 ms of
    CPU, twice a channel (issue 18). A context is meant to be shared; each connection sets
    on it the one protocol every client here speaks (ALPN "http/1.1")."""
    return httpx.create_ssl_context()


def telegram_http(pool: int = 256) -> HTTPXRequest:
    """A python-telegram-bot HTTP client as its ApplicationBuilder makes one (`pool`
    connections: 256 to send, 1 for getUpdates), on this process's one TLS context."""
    return HTTPXRequest(connection_pool_size=pool, httpx_kwargs={"verify": _tls()})


def telegram_pacer(*, clock: Clock = time.monotonic, sleep: Sleep = asyncio.sleep) -> Pacer:
    """Telegram's limits: about 30 messages a second in all, one a second to a chat (three
    back to back). Tests keep these limits on a virtual clock and sleep."""
    return Pacer(overall_per_second=30, chat_per_second=1, chat_burst=3, clock=clock,
                 sleep=sleep)


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Process updates concurrently, but one chat's updates strictly in arrival order."""

    def __init__(self, max_concurrent_updates: int = 256) -> None:
        # PTB takes its own semaphore before do_process_update, so before the chat lock: one
        # chat with hundreds of queued updates would hold every slot while all others wait.
        # Its semaphore is therefore left unbounded and the real limit taken after the lock.
        super().__init__(UNBOUNDED)
        self._slots = asyncio.Semaphore(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            async with self._slots:
                await coroutine
            return
        lock = self._locks.setdefault(chat.id, asyncio.Lock())
        self._users[chat.id] = self._users.get(chat.id, 0) + 1
        try:
            async with lock, self._slots:
                await coroutine
        finally:
            self._users[chat.id] -= 1
            if not self._users[chat.id]:  # nobody else waits: forget the chat
                del self._users[chat.id], self._locks[chat.id]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""


def file_url(api_base_url: str) -> str:
    """Where the Bot API serves files: ".../bot" -> ".../file/bot"."""
    base, _, _ = api_base_url.rstrip("/").rpartition("/bot")
    return f"{base}/file/bot"


def to_incoming(update: Update) -> Incoming | None:
    """Translate an update into the tutor's Incoming; None for what the tutor ignores."""
    user = update.effective_user
    chat = update.effective_chat
    if user is None or chat is None or chat.type != ChatType.PRIVATE:
        return None  # group chatter, channel posts, inline queries...
    common: dict[str, Any] = {"channel": CHANNEL, "user_ref": str(user.id),
                              "update_id": str(update.update_id),
                              "display_name": user.full_name,
                              "language": user.language_code or ""}
    query = update.callback_query
    if query is not None:
        pressed = query.message
        markup = pressed.reply_markup if isinstance(pressed, Message) else None
        pressed_on = tuple(str(button.callback_data) for row in markup.inline_keyboard
                           for button in row) if markup else ()
        return Incoming(kind=Kind.BUTTON, payload=query.data or "", pressed_on=pressed_on,
                        **common)
    message = update.message
    if message is None:
        return None  # edits and other updates about old messages
    if message.photo:  # its bytes are downloaded before the turn (TelegramChannel._turn_of)
        return Incoming(kind=Kind.PHOTO, **common, forwarded=message.forward_origin is not None)
    if message.text is None:
        return Incoming(kind=Kind.UNSUPPORTED, **common)
    command, _, argument = message.text.partition(" ")
    if command.split("@")[0] == "/start":
        return Incoming(kind=Kind.START, text=argument.strip(), **common)
    return Incoming(kind=Kind.TEXT, text=message.text, **common,
                    forwarded=message.forward_origin is not None)


class TelegramChannel:
    """Runs python-telegram-bot's Application around the tutor."""

    name = CHANNEL

    def __init__(self, config: TelegramConfig, tutor: Tutor, content_dir: Path, *,
                 pacer: Pacer | None = None, request: BaseRequest | None = None) -> None:
        """Build the application; `pacer` and `request` exist for benchmarks and tests."""
        self.config = config
        self.tutor = tutor
        builder = (ApplicationBuilder().token(config.token).base_url(config.api_base_url)
                   .base_file_url(file_url(config.api_base_url))
                   .concurrent_updates(ChatOrderedProcessor()))
        builder = builder.request(telegram_http() if request is None else request)
        builder = builder.get_updates_request(telegram_http(1))
        builder = builder.updater(None)  # our own polling loop (_poll) confirms after commits
        self.application: Application[Any, Any, Any, Any, Any, Any] = builder.build()
        self.application.add_handler(TypeHandler(Update, self._on_update))
        self.application.add_error_handler(self._on_error)
        self._in_hand: set[asyncio.Task[None]] = set()  # updates taken, being handled
        self._poller: asyncio.Task[None] | None = None
        self._sends = OrderedTasks()  # replies of committed turns, in each chat's order
        self.sender = TelegramSender(
            self.application.bot, content_dir=content_dir,
            pacer=pacer or telegram_pacer(),
            on_unreachable=self._mark_unreachable, on_failed=self._keep_failed,
            words=tutor.words)

    def routes(self) -> list[web.RouteDef]:
        """The webhook route, when running by webhook."""
        return [web.post(WEBHOOK_PATH, self.webhook)] if self.config.webhook_url else []

    async def start(self) -> None:
        """Initialise, set the command menu, then poll or register the webhook."""
        await self.application.initialize()
        bot = self.application.bot
        self.tutor.links.telegram_username = bot.username  # for mentors' invitation links
        try:
            for language, commands in command_menus(self.tutor.library).items():
                await bot.set_my_commands(commands, language_code=language)
        except TelegramError as error:  # the menu of commands is a comfort, not a must
            log.warning("could not set the Telegram command menu: %s", error)
        if self.config.webhook_url:
            await bot.set_webhook(self.config.webhook_url, secret_token=self.config.webhook_secret,
                                  allowed_updates=ALLOWED_UPDATES)
            log.info("Telegram: receiving by webhook at %s", self.config.webhook_url)
        else:
            await bot.delete_webhook()  # getUpdates is refused while a webhook is set
            self._poller = asyncio.create_task(self._poll())
            log.info("Telegram: receiving by long polling")
        await self.application.start()

    async def stop(self) -> None:
        """Stop receiving, finish every update already received, then shut down. Replies
        that Telegram keeps refusing stay kept in the outbox for the next start."""
        if self._poller is not None:
            self._poller.cancel()
            await asyncio.gather(self._poller, return_exceptions=True)
        self.sender.stop()
        await self.drain()
        if self.application.running:
            await self.application.stop()  # drains the update queue first
        await self.application.shutdown()

    async def drain(self) -> None:
        """Wait until every update taken so far is handled and its replies are sent (or kept)."""
        while self._in_hand:  # updates already taken
            await asyncio.wait(list(self._in_hand))
        await self._sends.drain()

    async def webhook(self, request: web.Request) -> web.Response:
        """Take one update from Telegram: check the secret, answer once its turn committed."""
        secret = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(secret.encode(), self.config.webhook_secret.encode()):
            return web.Response(status=401, text="wrong secret token")
        try:
            data = await json_body.read(request)
        except json_body.BadJson:
            data = None
        if not isinstance(data, dict) or type(data.get("update_id")) is not int:
            log.warning("refused a webhook body that is not a Telegram update")
            return web.Response(status=400, text="not an update")
        try:
            update = Update.de_json(data, self.application.bot)
        except Exception:  # an update this PTB cannot parse would come back again and again
            log.exception("dropped Telegram update %s that could not be parsed",
                          data["update_id"])
            return web.Response(text="ignored")
        # Answered only once the turn has committed: an update lost in a crash before that
        # is sent again by Telegram.
        query = update.callback_query
        answer = await answer_once_done(self._take(update, answered_by_webhook=True))
        if query is None or answer.status != 200:
            return answer
        # Telegram runs a method given in the answer: the button's spinner stops without a
        # call of our own, which had come before the turn and cost it a round trip.
        return web.json_response({"method": "answerCallbackQuery",
                                  "callback_query_id": query.id})

    def _take(self, update: Update, *, answered_by_webhook: bool = False) -> Awaitable[None]:
        """Start handling an update in its chat's order; the result is done at its commit."""
        taken: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        task = asyncio.create_task(self.application.update_processor.process_update(
            update, self._handle(update, taken, answer=not answered_by_webhook)))
        self._in_hand.add(task)
        task.add_done_callback(self._handled)
        return asyncio.shield(taken)

    async def _poll(self) -> None:
        """Long polling that confirms a batch (the next offset) only once every update in it
        has committed, so updates fetched before a crash are fetched again after it."""
        bot = self.application.bot
        offset: int | None = None
        while True:
            updates = await retry(  # never gives up: the loop must keep listening
                partial(bot.get_updates, offset=offset, timeout=POLL_SECONDS,
                        allowed_updates=ALLOWED_UPDATES, read_timeout=POLL_SECONDS + 10),
                retry_on=lambda error: isinstance(error, TelegramError),
                wait=backoff(1.0, cap=30.0), on_failure=self._on_poll_error)
            outcomes = await asyncio.gather(*(self._take(update) for update in updates),
                                            return_exceptions=True)
            if any(isinstance(outcome, Exception) and unreachable(outcome)
                   for outcome in outcomes):
                await asyncio.sleep(1.0)  # fetch the same batch again: done ones are marked
            elif updates:
                offset = updates[-1].update_id + 1

    def _handled(self, task: asyncio.Task[None]) -> None:
        self._in_hand.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("Telegram update failed", exc_info=task.exception())

    async def _on_update(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        await self._handle(update)

    async def _handle(self, update: Update, taken: asyncio.Future[None] | None = None, *,
                      answer: bool = True) -> None:
        """Run the update's turn and send its replies; with `taken` (updates we took), say
        when the turn is done and queue the replies behind the chat's earlier ones instead
        of waiting for them, so that a chat's slow sends hold up no commit. A button press
        is answered meanwhile, unless the webhook's answer does it."""
        try:
            chat, replies = await self._turn(update, answer)
        except BaseException as error:
            if taken is not None:
                taken.set_exception(error)
            raise
        if taken is None:
            await self._reply(chat, replies)
            return
        taken.set_result(None)
        if replies:
            self._sends.submit(chat, lambda: self._reply(chat, replies))

    async def _reply(self, chat: int, replies: list[Outgoing]) -> None:
        # Each reply's kept copy goes as soon as the reply is sent (or kept in failed_send).
        await self.sender.send(chat, replies, done=self.tutor.settle)

    async def _turn(self, update: Update, answer: bool) -> tuple[int, list[Outgoing]]:
        if update.callback_query is None or not answer:
            return await self._turn_of(update)
        # The press is answered while its turn runs: that round trip no longer comes first.
        answering = asyncio.create_task(self._answer(update))
        try:
            return await self._turn_of(update)
        finally:
            await answering

    async def _turn_of(self, update: Update) -> tuple[int, list[Outgoing]]:
        member = update.my_chat_member
        if member is not None and member.chat.type == ChatType.PRIVATE:
            status = member.new_chat_member.status
            if status in (ChatMemberStatus.BANNED, ChatMemberStatus.MEMBER):
                await self.tutor.set_reachable(
                    channel=CHANNEL, user_ref=str(member.chat.id),
                    reachable=status == ChatMemberStatus.MEMBER)
            return 0, []
        incoming = to_incoming(update)
        if incoming is None:
            return 0, []
        if incoming.kind == Kind.PHOTO and update.message is not None:
            incoming = replace(incoming, picture=await self._picture(update.message))
        return int(incoming.user_ref), await self.tutor.handle(incoming)

    async def _picture(self, message: Message) -> bytes:
        """The largest size of a photo (the last PhotoSize), for OCR; b"" when Telegram
        will not hand it over (the tutor then says it could not read it)."""
        try:
            found = await message.photo[-1].get_file()
            return bytes(await found.download_as_bytearray())
        except TelegramError as error:
            log.warning("photo not downloaded: %s", error)
            return b""

    async def deliver(self, user_ref: str, reply: Outgoing) -> None:
        """Send an outbox message (for this chat, queued by someone else's turn); raise
        GaveUp when Telegram stays out of reach, so that the outbox tries it again later."""
        chat = int(user_ref)
        await self._sends.run(chat, lambda: self.sender.send(chat, [reply], owed=False))

    async def _answer(self, update: Update) -> None:
        """Stop the button's spinner on the phone, whatever happens next."""
        assert update.callback_query is not None
        try:
            await update.callback_query.answer()
        except TelegramError as error:
            log.info("could not answer a callback query: %s", error)

    async def _mark_unreachable(self, chat_id: int) -> None:
        await self.tutor.set_reachable(channel=CHANNEL, user_ref=str(chat_id),
                                                  reachable=False)

    async def _keep_failed(self, chat_id: int, text: str, error: str) -> None:
        await self.tutor.keep_failed_send(channel=CHANNEL, user_ref=str(chat_id),
                                                       text=text, error=error)

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("Telegram update %s failed", getattr(update, "update_id", "?"),
                  exc_info=context.error)

    def _on_poll_error(self, error: BaseException, _failures: int) -> None:
        log.warning("Telegram polling error: %s", error)
