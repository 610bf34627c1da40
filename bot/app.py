"""Composition root: storage, content, the tutor, the channels and the web server."""

import asyncio
import logging
import signal
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.channels.telegram import TelegramChannel, TelegramConfig
from bot.channels.web import create_web_app
from bot.config import Settings
from bot.lessons.check import check_content
from bot.tutor import Tutor
from storage.database import create_engine, upgrade
from storage.repository import SqlRepository

log = logging.getLogger("hocso")


class StartupError(Exception):
    """The service cannot start; the message says what to fix."""


@dataclass
class Core:
    """What every entry point needs: the engine (to dispose) and the tutor."""

    engine: AsyncEngine
    tutor: Tutor


async def build_core(settings: Settings) -> Core:
    """Migrate the database, load and check content, and build the tutor."""
    library, problems = check_content(Path(settings.content_dir))
    if problems or library is None:
        raise StartupError("content has errors:\n" + "\n".join(problems))
    engine = create_engine(settings.resolved_database_url())
    try:
        await upgrade(engine)
    except Exception:
        await engine.dispose()
        raise
    return Core(engine=engine, tutor=Tutor(repository=SqlRepository(engine), library=library))


def telegram_channel(settings: Settings, tutor: Tutor) -> TelegramChannel | None:
    """Return the Telegram channel when its token is set."""
    if not settings.telegram_bot_token:
        log.info("Telegram is off: set TELEGRAM_BOT_TOKEN (and TELEGRAM_WEBHOOK_URL + "
                 "TELEGRAM_WEBHOOK_SECRET for a webhook) to turn it on")
        return None
    config = TelegramConfig(token=settings.telegram_bot_token,
                            api_base_url=settings.telegram_api_base_url,
                            webhook_url=settings.telegram_webhook_url,
                            webhook_secret=settings.telegram_webhook_secret)
    return TelegramChannel(config, tutor, Path(settings.content_dir))


async def serve(settings: Settings, stop: asyncio.Event | None = None) -> None:
    """Run the web chat and the messenger channels whose tokens are set, until SIGINT/SIGTERM."""
    core = await build_core(settings)
    web_app = create_web_app(core.tutor, Path(settings.content_dir))
    telegram = telegram_channel(settings, core.tutor)
    log.info("Zalo is off: the Zalo channels are not in this build yet")
    if telegram is not None:
        web_app.add_routes(telegram.routes())
    runner = web.AppRunner(web_app)
    await runner.setup()
    try:
        if telegram is not None:
            await telegram.start()
        await web.TCPSite(runner, settings.host, settings.port).start()
        log.info("web chat at http://%s:%s/", settings.host, settings.port)
        stop = stop or asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
    finally:
        log.info("stopping")
        await runner.cleanup()  # no new webhook requests from here on
        if telegram is not None:
            await telegram.stop()  # finishes every update already received
        await core.engine.dispose()
