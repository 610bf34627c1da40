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

from bot.channels.delivery import LONGEST_WAIT, Done, Held, Patience
from bot.channels.pacing import Pacer
from bot.channels.qr import drawn
from bot.channels.text import numbered_rows, split_text, units
from bot.messages import Outgoing
from bot.retry import backoff, retry

log = logging.getLogger("hocso.telegram")
# do_api_request warns when given a method PTB has its own call for, since ext.Defaults are
# not applied to it: this bot sets none. (pyproject's pytest settings say the same.)
warnings.filterwarnings("ignore", r"Please use 'Bot\.send(Message|Photo|Document)'",
                        PTBUserWarning)

MAX_TEXT = 4096
MAX_CAPTION = 1024
JSON = dict[str, Any]  # a Bot API object as Telegram writes it
# The persistent keyboard's texts (content/templates/<locale>/): words the tutor understands.
KEYBOARD_KEYS = (("keyboard_lessons", "keyboard_resume"), ("keyboard_progress", "keyboard_help"))


def menu_keyboard(words: Callable[[str], str]) -> JSON:
    """The persistent keyboard in one language (`words` gives a text by its key)."""
    return {"keyboard": [[{"text": words(key)} for key in row] for row in KEYBOARD_KEYS],
            "resize_keyboard": True, "is_persistent": True}


class Unreachable(Exception):
    """Telegram refused to deliver to this chat (the user blocked the bot)."""


class GaveUp(Exception):
    """Telegram could not be reached after every retry (a message the outbox tries later)."""


def inline_keyboard(reply: Outgoing) -> JSON | None:
    """The reply's buttons as an inline keyboard, numbered as typed digits pick them
    (payloads become callback_data)."""
    if not reply.buttons:
        return None
    return {"inline_keyboard": [[{"text": label, "callback_data": payload}
                                 for label, payload in row] for row in numbered_rows(reply)]}


def _seconds(retry_after: int | timedelta) -> float:
    # An int in PTB 22 (which warns that it will become a timedelta), a timedelta after.
    return retry_after.total_seconds() if isinstance(retry_after, timedelta) else retry_after


class TelegramSender:
    """Delivers replies in order; waits out 429s, retries network errors (an owed reply until
    Telegram takes it), stops on 403."""

    def __init__(self, bot: Bot, *, content_dir: Path, pacer: Pacer,
                 on_unreachable: Callable[[int], Awaitable[None]],
                 on_failed: Callable[[int, str, str], Awaitable[None]],
                 words: Callable[[str, str], str],
                 backoff_seconds: float = 1.0,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self._bot = bot
        self._content_dir = content_dir
        self._pacer = pacer
        self._on_unreachable = on_unreachable
        self._on_failed = on_failed  # (chat, text, error): keeps what could not be delivered
        self._words = words  # (locale, key): the keyboard's texts in the reply's language
        self._backoff = backoff_seconds
        self._patience = Patience(sleep)  # sleep between tries; tests pass a virtual one
        self._photo_ids: dict[str, str] = {}  # uploaded once, then sent by Telegram's file id

    def stop(self) -> None:
        """Stop retrying: what is still owed stays kept in the outbox for the next start."""
        self._patience.stop()

    async def send(self, chat_id: int, replies: list[Outgoing], done: Done | None = None, *,
                   owed: bool = True) -> None:
        """Send every reply to `chat_id` in order; keep what cannot be delivered, never drop it.

        An `owed` reply (a learner's turn's) is tried until Telegram takes it, however long it
        answers 429 or 5xx, and the replies after it wait their turn; if the channel stops
        first, the rest stay kept in the outbox. Otherwise (the outbox's own messages) GaveUp
        is raised after a few tries, and the outbox tries again later. A blocked chat stops
        the batch and is marked unreachable. `done` hears of each reply as soon as it is sent,
        or refused for good.
        """
        for number, reply in enumerate(replies):
            try:
                await self._send_one(chat_id, reply, owed)
            except Unreachable:
                log.info("chat %s blocked the bot; marked unreachable", chat_id)
                await self._on_unreachable(chat_id)
                if done is not None:
                    await done(replies[number:])
                return
            except Held:
                return  # kept in the outbox, with the rest after it, for the next start
            if done is not None:
                await done([reply])

    async def _send_one(self, chat_id: int, reply: Outgoing, owed: bool) -> None:
        markup = inline_keyboard(reply) or menu_keyboard(
            lambda key: self._words(reply.locale, key))
        text = reply.text
        if reply.image or reply.qr:
            caption = text if units(text) <= MAX_CAPTION else None
            sent = await self._photo(chat_id, reply, caption, markup if caption else None, owed)
            if caption is not None and sent:
                return  # otherwise the text (and its buttons) still goes, without the picture
        chunks = split_text(text, MAX_TEXT)
        for number, chunk in enumerate(chunks, start=1):
            message = await self._call(chat_id, owed, "sendMessage", text=chunk,
                                       reply_markup=markup if number == len(chunks) else None,
                                       background=reply.background)
            if message is None:
                await self._on_failed(chat_id, chunk, "Telegram refused the message")
        if reply.attachment:  # the learner's own file, after the text that explains it
            attachment = reply.attachment
            file = InputFile(attachment.data, filename=attachment.name, attach=False)
            if attachment.mime.startswith("image/"):  # a certificate: shown as a picture
                await self._call(chat_id, owed, "sendPhoto", photo=file)
            else:
                await self._call(chat_id, owed, "sendDocument", document=file)

    async def _photo(self, chat_id: int, reply: Outgoing, caption: str | None,
                     markup: JSON | None, owed: bool) -> bool:
        """Send a step's picture or an invitation's QR code; False when Telegram refused it."""
        known = self._photo_ids.get(reply.image) if reply.image else None
        photo: str | InputFile = known or InputFile(
            await drawn(reply.qr) if reply.qr
            else (self._content_dir / str(reply.image)).read_bytes(),
            attach=False)
        sent = await self._call(chat_id, owed, "sendPhoto", photo=photo, caption=caption,
                                reply_markup=markup)
        if sent is not None and sent.get("photo") and known is None and reply.image:
            self._photo_ids[reply.image] = sent["photo"][-1]["file_id"]  # pictures repeat
        return sent is not None

    async def _call(self, chat_id: int, owed: bool, method: str, *, background: bool = False,
                    **data: Any) -> JSON | None:
        """Make one API call with pacing and retries; return the sent message as Telegram
        described it, or None when Telegram refuses it for good. Raise Held when the channel
        stops before an owed reply went, GaveUp when another message ran out of tries."""
        data["chat_id"] = chat_id

        async def attempt() -> Any:
            await self._pacer.wait(chat_id, background=background)
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
            log.warning("network error sending to chat %s (attempt %s): %s",
                        chat_id, number, error)

        def asked_wait(error: BaseException) -> float | None:  # none once the channel stops
            return None if self._patience.stopping else _asked_wait(error)

        attempts = self._patience.attempts(owed)
        try:
            result = await retry(attempt, asked_wait=asked_wait,
                                 retry_on=lambda error: _network(error)
                                 and not self._patience.stopping,
                                 wait=backoff(self._backoff, LONGEST_WAIT), attempts=attempts,
                                 on_failure=failed, sleep=self._patience.sleep)
        except Forbidden as error:
            raise Unreachable(str(error)) from error
        except BadRequest as error:
            log.error("Telegram refused a message to chat %s: %s", chat_id, error)
            return None
        except (NetworkError, RetryAfter) as error:
            if owed:
                log.warning("stopping: a reply to chat %s stays kept for the next start", chat_id)
                raise Held(str(error)) from error
            log.error("gave up sending to chat %s after %s attempts", chat_id, attempts)
            raise GaveUp(f"Telegram unreachable after {attempts} attempts") from error
        return result if isinstance(result, dict) else None


def _network(error: BaseException) -> bool:
    """A network failure, worth another try (BadRequest is a NetworkError in PTB, but final)."""
    return isinstance(error, NetworkError) and not isinstance(error, BadRequest)


def _asked_wait(error: BaseException) -> float | None:
    return _seconds(error.retry_after) if isinstance(error, RetryAfter) else None
