"""Composition root: storage, content, the tutor, the channels and the web server."""

import asyncio
import logging
import signal
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

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


async def serve(settings: Settings, stop: asyncio.Event | None = None) -> None:
    """Run the web chat (and, once built, messenger channels) until SIGINT/SIGTERM."""
    core = await build_core(settings)
    runner = web.AppRunner(create_web_app(core.tutor, Path(settings.content_dir)))
    await runner.setup()
    site = web.TCPSite(runner, settings.host, settings.port)
    await site.start()
    log.info("web chat at http://%s:%s/", settings.host, settings.port)
    log.info("Telegram and Zalo channels are off: this build has only the web chat and the "
             "terminal chat (hocso chat); the messenger channels arrive with their own issues")
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        log.info("stopping")
        await runner.cleanup()
        await core.engine.dispose()
