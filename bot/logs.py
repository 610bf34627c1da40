"""Logging for `hocso`: secrets masked wherever they appear, plain or JSON lines, update ids,
no one's messages, chat ids or invitation codes (Bot API calls trimmed; the web server's
access log is bot/channels/access_log.py)."""

import json
import logging
import re
import sys
from collections.abc import Iterable
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import TextIO

from bot.config import Settings

# The update being handled ("telegram:4711"), so every line it causes can be found together.
UPDATE: ContextVar[str] = ContextVar("update", default="")
MASK = "***"
# A Telegram bot token anywhere (httpx logs every Bot API URL, and the token is in the path).
_TELEGRAM_TOKEN = re.compile(r"(?<![0-9])[0-9]{5,}:[A-Za-z0-9_-]{20,}")
_TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def secrets_of(settings: Settings) -> list[str]:
    """Every configured value that must never reach a log."""
    values = [settings.telegram_bot_token, settings.telegram_webhook_secret,
              settings.zalo_bot_token, settings.zalo_webhook_secret,
              settings.zalo_oa_app_secret, settings.zalo_oa_secret_key,
              settings.zalo_oa_refresh_token]
    if settings.database_url:
        from sqlalchemy.engine import make_url  # here: `hocso --help` and the like need none

        values.append(make_url(settings.database_url).password or "")
    return [value for value in values if len(value) >= 6]  # "" or a stub would mask too much


class MaskingFormatter(logging.Formatter):
    """Format a record, then blank out every secret in the finished line (tracebacks too)."""

    def __init__(self, secrets: Iterable[str], fmt: str | None = None) -> None:
        super().__init__(fmt)
        # Longest first, so a secret that contains another is masked whole.
        self.secrets = sorted(set(secrets), key=len, reverse=True)

    def mask(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        return _TELEGRAM_TOKEN.sub(MASK, text)

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        update = UPDATE.get()
        return self.mask(f"{line} [update {update}]" if update else line)


class JsonFormatter(MaskingFormatter):
    """One JSON object a line: time, level, logger, message, update, error."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": datetime.fromtimestamp(record.created, UTC).isoformat(),
                 "level": record.levelname, "logger": record.name,
                 "message": record.getMessage()}
        if UPDATE.get():
            entry["update"] = UPDATE.get()
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return self.mask(json.dumps(entry, ensure_ascii=False))


# python-telegram-bot's DEBUG lines for every Bot API call, with the call's parameters (a
# message's text, the chat id) and its answer (the message again): the method is kept.
_BOT_API_CALLS = {"Calling Bot API endpoint `%s` with parameters `%s`": "Bot API %s: calling",
                  "Call to Bot API endpoint `%s` finished with return value `%s`":
                  "Bot API %s: answered"}
HIDDEN = "…"


class WithoutMessages(logging.Filter):
    """Keep what people wrote, and whom to, out of python-telegram-bot's DEBUG lines."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith("telegram") or record.levelno >= logging.INFO:
            return True
        if record.msg in _BOT_API_CALLS and isinstance(record.args, tuple) and record.args:
            record.msg, record.args = _BOT_API_CALLS[record.msg], record.args[:1]
        elif record.args:  # an update, a message: whatever else it logs, without its values
            record.args = tuple(HIDDEN for _ in record.args) if isinstance(
                record.args, tuple) else {key: HIDDEN for key in record.args}
        return True


def handler(settings: Settings, stream: TextIO) -> logging.Handler:
    """A handler writing log lines to `stream`, masked, as text or JSON."""
    written = logging.StreamHandler(stream)
    secrets = secrets_of(settings)
    written.setFormatter(JsonFormatter(secrets) if settings.log_format == "json"
                         else MaskingFormatter(secrets, _TEXT_FORMAT))
    written.addFilter(WithoutMessages())
    return written


def configure(settings: Settings, stream: TextIO | None = None) -> None:
    """Send every log line to standard error (or `stream`), masked, as text or JSON."""
    root = logging.getLogger()
    root.handlers = [handler(settings, stream or sys.stderr)]
    root.setLevel(settings.log_level.upper())
