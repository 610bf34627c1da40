"""Send the tutor's replies to Telegram: render, split, pace, retry, and notice blocked users."""

import asyncio
import logging
import warnings
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from telegram import Bot, InputFile
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter
from telegram.warnings import PTBUserWarning

from bot.channels.delivery import Done
from bot.channels.pacing import Pacer
from bot.channels.qr import drawn
from bot.channels.text import split_text, units
from bot.messages import Outgoing
from bot.retry import backoff, retry

log = logging.getLogger("hocso.telegram")
# do_api_request warns when given a method PTB has its own call for, since ext.Defaults are
# not applied to it: this bot sets none. (pyproject's pytest settings say the same.)
warnings.filterwarnings("ignore", r"Please use 'Bot\.send(Message|Photo|Document)'",
                        PTBUserWarning)

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_ATTEMPTS = 5
JSON = dict[str, Any]  # a Bot API object as Telegram writes it
# The persistent keyboard: typed texts that the tutor understands ("bài học", "tiếp tục"...).
MENU_KEYBOARD: JSON = {
    "keyboard": [[{"text": "📚 Bài học"}, {"text": "▶️ Tiếp tục"}],
                 [{"text": "📊 Tiến độ"}, {"text": "❓ Trợ giúp"}]],
    "resize_keyboard": True, "is_persistent": True,
}


class Unreachable(Exception):
    """Telegram refused to deliver to this chat (the user blocked the bot)."""


class GaveUp(Exception):
    """Telegram could not be reached after every retry: later replies would come out of order."""


def inline_keyboard(reply: Outgoing) -> JSON | None:
    """The reply's buttons as an inline keyboard (payloads become callback_data)."""
    if not reply.buttons:
        return None
    return {"inline_keyboard": [[{"text": b.label, "callback_data": b.payload} for b in row]
                                for row in reply.buttons]}


def _seconds(retry_after: int | timedelta) -> float:
    # An int in PTB 22 (which warns that it will become a timedelta), a timedelta after.
    return retry_after.total_seconds() if isinstance(retry_after, timedelta) else retry_after


class TelegramSender:
    """Delivers replies in order; waits out 429s, retries network errors, stops on 403."""

    def __init__(self, bot: Bot, *, content_dir: Path, pacer: Pacer,
                 on_unreachable: Callable[[int], Awaitable[None]],
                 on_failed: Callable[[int, str, str], Awaitable[None]],
                 backoff_seconds: float = 1.0,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self._bot = bot
        self._content_dir = content_dir
        self._pacer = pacer
        self._on_unreachable = on_unreachable
        self._on_failed = on_failed  # (chat, text, error): keeps what could not be delivered
        self._backoff = backoff_seconds
        self._sleep = sleep  # between tries; tests pass one that does not wait
        self._photo_ids: dict[str, str] = {}  # uploaded once, then sent by Telegram's file id

    async def send(self, chat_id: int, replies: list[Outgoing],
                   done: Done | None = None) -> None:
        """Send every reply to `chat_id` in order; keep what cannot be delivered, never drop it.

        A blocked chat stops the batch and is marked unreachable. When Telegram stays out of
        reach, the rest of the batch is kept undelivered rather than sent out of order.
        `done` hears of each reply as soon as it is sent, or kept, or given up on.
        """
        for number, reply in enumerate(replies):
            try:
                await self._send_one(chat_id, reply)
            except Unreachable:
                log.info("chat %s blocked the bot; marked unreachable", chat_id)
                await self._on_unreachable(chat_id)
                rest = replies[number:]
            except GaveUp as error:
                rest = replies[number:]
                for kept in rest:
                    await self._on_failed(chat_id, kept.text, str(error))
            else:
                if done is not None:
                    await done([reply])
                continue
            if done is not None:
                await done(rest)
            return

    async def _send_one(self, chat_id: int, reply: Outgoing) -> None:
        markup = inline_keyboard(reply) or MENU_KEYBOARD
        text = reply.text
        if reply.image or reply.qr:
            caption = text if units(text) <= MAX_CAPTION else None
            sent = await self._photo(chat_id, reply, caption, markup if caption else None)
            if caption is not None and sent:
                return  # otherwise the text (and its buttons) still goes, without the picture
        chunks = split_text(text, MAX_TEXT)
        for number, chunk in enumerate(chunks, start=1):
            message = await self._call(chat_id, "sendMessage", text=chunk,
                                       reply_markup=markup if number == len(chunks) else None)
            if message is None:
                await self._on_failed(chat_id, chunk, "Telegram refused the message")
        if reply.attachment:  # the learner's own data file, after the text that explains it
            attachment = reply.attachment
            await self._call(chat_id, "sendDocument", document=InputFile(
                attachment.data, filename=attachment.name, attach=False))

    async def _photo(self, chat_id: int, reply: Outgoing, caption: str | None,
                     markup: JSON | None) -> bool:
        """Send a step's picture or an invitation's QR code; False when Telegram refused it."""
        known = self._photo_ids.get(reply.image) if reply.image else None
        photo: str | InputFile = known or InputFile(
            await drawn(reply.qr) if reply.qr
            else (self._content_dir / str(reply.image)).read_bytes(),
            attach=False)
        sent = await self._call(chat_id, "sendPhoto", photo=photo, caption=caption,
                                reply_markup=markup)
        if sent is not None and sent.get("photo") and known is None and reply.image:
            self._photo_ids[reply.image] = sent["photo"][-1]["file_id"]  # pictures repeat
        return sent is not None

    async def _call(self, chat_id: int, method: str, **data: Any) -> JSON | None:
        """Make one API call with pacing and retries; return the sent message as Telegram
        described it, or None when Telegram refuses it for good."""
        data["chat_id"] = chat_id

        async def attempt() -> Any:
            await self._pacer.wait(chat_id)
            try:
                # The answer stays JSON (no return_type): building a Message object from it
                # took a sixth of a step's time (bench/RESULTS.md), and only a photo's file id
                # is ever read from it.
                return await self._bot.do_api_request(method, dict(data))
            except RetryAfter as error:
                wait = _seconds(error.retry_after)
                log.warning("Telegram asks to wait %.1f s (chat %s)", wait, chat_id)
                self._pacer.pause(wait)  # a flood limit holds for every chat, not just this one
                raise

        def failed(error: BaseException, number: int) -> None:
            log.warning("network error sending to chat %s (attempt %s/%s): %s",
                        chat_id, number, MAX_ATTEMPTS, error)

        try:
            result = await retry(attempt, retry_on=_network, asked_wait=_asked_wait,
                                 wait=backoff(self._backoff), attempts=MAX_ATTEMPTS,
                                 on_failure=failed, sleep=self._sleep)
        except Forbidden as error:
            raise Unreachable(str(error)) from error
        except BadRequest as error:
            log.error("Telegram refused a message to chat %s: %s", chat_id, error)
            return None
        except NetworkError as error:
            log.error("gave up sending to chat %s after %s attempts", chat_id, MAX_ATTEMPTS)
            raise GaveUp(f"Telegram unreachable after {MAX_ATTEMPTS} attempts") from error
        return result if isinstance(result, dict) else None


def _network(error: BaseException) -> bool:
    """A network failure, worth another try (BadRequest is a NetworkError in PTB, but final)."""
    return isinstance(error, NetworkError) and not isinstance(error, BadRequest)


def _asked_wait(error: BaseException) -> float | None:
    return _seconds(error.retry_after) if isinstance(error, RetryAfter) else None
