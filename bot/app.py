"""Composition root: storage, content, the tutor, the channels and the web server."""

import asyncio
import gc
import logging
import signal
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Protocol

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.addresses import parse_networks
from bot.admin.pages import create_admin_app
from bot.admin.worker import ReportWorker
from bot.channels import TELEGRAM, zalo_bot, zalo_oa
from bot.channels.access_log import AccessLog
from bot.channels.outbox_worker import OutboxWorker
from bot.channels.web import WebOptions, create_web_app
from bot.channels.web_limits import WebLimits
from bot.channels.zalo_bot import ZaloBotChannel, ZaloBotConfig
from bot.channels.zalo_oa import ZaloOAChannel, ZaloOAConfig
from bot.config import Settings, StartupError
from bot.handlers import questions
from bot.handlers.message_check import CHECKED
from bot.handlers.registry import registry
from bot.handlers.rules import InviteLinks, MentoringRules
from bot.lessons.checked import check_for_serving
from bot.messages import Outgoing
from bot.periodic import every
from bot.scheduler import InactivityWatch, ReminderRun
from bot.throttle import Throttle
from bot.tutor import Tutor
from storage.database import create_engine, upgrade
from storage.outbox import Outbox
from storage.processes import beat, forget_dead_here, goodbye, new_process_id
from storage.reports import reports_engine
from storage.repository import SqlRepository
from storage.retention import Retention, sweep
from storage.rollup import refresh_nothing
from storage.tokens import OaTokenStore

log = logging.getLogger("hocso")
# At a start, the updates the platforms kept for us (webhook retries, the polling backlog) come
# in first, before the outbox worker sends what a killed run owed: a button pressed among them
# proves that reply arrived, so it is dropped rather than sent twice (tutor.py, _take_over).
PRESSES_FIRST = 3.0
# Channels whose replies are sent after the turn commits, so the outbox keeps them till sent.
MESSENGERS = (TELEGRAM, zalo_bot.CHANNEL, zalo_oa.CHANNEL)
GC_YOUNG_THRESHOLD = 10_000  # new container objects between two young collections
SWEEP_SECONDS = 600  # how often old processed marks and never-agreed learners are removed
# The conversation states that keep a person's own words for a button (a checked message for
# "Gửi cho người kèm xem", a question for "Hỏi người kèm"): cleared 30 minutes after their
# last message when the button was not pressed, by the same sweep.
KEEPS_WORDS = (CHECKED, questions.ASKED)


class Channel(Protocol):
    """A messenger channel: webhook routes on the shared server, and a start/stop life."""

    name: str  # what its learners are stored under (Learner.channel)

    def routes(self) -> list[web.RouteDef]: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def deliver(self, user_ref: str, reply: Outgoing) -> None: ...


@dataclass
class Core:
    """What every entry point needs: the engines (to dispose) and the tutor."""

    engine: AsyncEngine
    tutor: Tutor
    # The dashboard's accounts and learner list have their own engine, so that seconds of
    # reading never keep a learner's turn waiting for a connection; reports, downloads and
    # refreshes run in child processes (bot/admin/worker.py).
    reports: AsyncEngine
    worker: ReportWorker

    async def dispose(self) -> None:
        self.worker.close()
        await self.reports.dispose()
        await self.engine.dispose()


async def build_core(settings: Settings) -> Core:
    """Migrate the database, load and check content, and build the tutor."""
    library, problems = check_for_serving(Path(settings.content_dir), settings.data_dir,
                                          registry().samples, commands=registry().commands)
    if problems or library is None:
        raise StartupError("content has errors:\n" + "\n".join(problems))
    url = settings.resolved_database_url()
    engine = create_engine(url)
    try:
        await upgrade(engine)
    except Exception:
        await engine.dispose()
        raise
    rules = MentoringRules(capacity=settings.mentor_capacity, code_days=settings.invite_days,
                           inactive_days=settings.inactive_days)
    throttle = Throttle(per_user_per_minute=settings.user_messages_per_minute,
                        user_burst=settings.user_burst, per_second=settings.messages_per_second)
    tutor = Tutor(repository=SqlRepository(engine), library=library, rules=rules,
                  links=InviteLinks(web_base=settings.web_address()), throttle=throttle,
                  kept_replies=MESSENGERS, process_id=new_process_id(),
                  owner_gone_after=timedelta(seconds=4 * settings.heartbeat_seconds))
    # The index of residents' questions, built now (0.9 s) rather than in the first
    # question's turn, where it would hold the event loop.
    questions.index_for(library)
    # What is loaded by now (modules, content) lives as long as the process. Frozen, it is
    # skipped by the garbage collector's full passes, each of which held the event loop for
    # about 100 ms on a 2-core server (bench/RESULTS.md, issue 18).
    gc.freeze()
    # A turn makes many short-lived objects and few cycles: collecting the young ones every
    # 700 new objects (the default) cost 2-3 % of a web chat request's work (bench/RESULTS.md,
    # issue 18). The older generations are still collected every 10 young collections.
    gc.set_threshold(GC_YOUNG_THRESHOLD)
    return Core(engine=engine, tutor=tutor, reports=reports_engine(url), worker=ReportWorker())


async def refresh_reports(core: Core, url: str, courses: dict[str, tuple[str, ...]]) -> None:
    """Refresh the report tables in the refreshing child; a new install's, with nothing to
    fill, here: that child costs 0.6-1 s of CPU to start, for work that is not there."""
    if not await refresh_nothing(core.engine):
        await core.worker.refresh(url, courses)


def web_options(settings: Settings) -> WebOptions:
    """The web chat's sessions, kiosk mode and limits per address."""
    return WebOptions(
        session_idle=timedelta(days=settings.web_session_days), kiosk=settings.web_kiosk,
        kiosk_idle=timedelta(minutes=settings.web_kiosk_minutes),
        trusted_proxies=parse_networks(settings.trusted_proxies),
        limits=WebLimits(requests_per_minute=settings.web_requests_per_minute,
                         sessions_per_hour=settings.web_sessions_per_hour,
                         photos_per_minute=settings.web_photos_per_minute))


def telegram_channel(settings: Settings, tutor: Tutor) -> Channel | None:
    """Return the Telegram channel when its token is set."""
    if not settings.telegram_bot_token:
        log.info("Telegram is off: set TELEGRAM_BOT_TOKEN (and TELEGRAM_WEBHOOK_URL + "
                 "TELEGRAM_WEBHOOK_SECRET for a webhook) to turn it on")
        return None
    from bot.channels.telegram import TelegramChannel, TelegramConfig  # with its token only

    config = TelegramConfig(token=settings.telegram_bot_token,
                            api_base_url=settings.telegram_api_base_url,
                            webhook_url=settings.telegram_webhook_url,
                            webhook_secret=settings.telegram_webhook_secret)
    return TelegramChannel(config, tutor, Path(settings.content_dir))


def zalo_channels(settings: Settings, tutor: Tutor, engine: AsyncEngine) -> list[Channel]:
    """Return the Zalo Bot Platform and OA channels whose credentials are set."""
    channels: list[Channel] = []
    if settings.zalo_bot_token:
        channels.append(ZaloBotChannel(ZaloBotConfig(
            token=settings.zalo_bot_token, api_base_url=settings.zalo_api_base_url,
            webhook_url=settings.zalo_webhook_url, webhook_secret=settings.zalo_webhook_secret,
            public_url=settings.public_url), tutor))
    else:
        log.info("Zalo Bot is off: set ZALO_BOT_TOKEN (and ZALO_WEBHOOK_URL + "
                 "ZALO_WEBHOOK_SECRET for a webhook) to turn it on")
    if settings.zalo_oa_app_id:
        channels.append(ZaloOAChannel(ZaloOAConfig(
            app_id=settings.zalo_oa_app_id, app_secret=settings.zalo_oa_app_secret,
            oa_secret_key=settings.zalo_oa_secret_key,
            refresh_token=settings.zalo_oa_refresh_token,
            api_base_url=settings.zalo_oa_api_base_url,
            oauth_base_url=settings.zalo_oa_oauth_base_url, public_url=settings.public_url),
            tutor, OaTokenStore(engine, app_id=settings.zalo_oa_app_id,
                                seed_refresh_token=settings.zalo_oa_refresh_token)))
    else:
        log.info("Zalo OA is off: set ZALO_OA_APP_ID, ZALO_OA_APP_SECRET, ZALO_OA_SECRET_KEY "
                 "and ZALO_OA_REFRESH_TOKEN to turn it on")
    return channels


def guarded(route: web.RouteDef, running: set[Channel], channel: Channel,
            tutor: Tutor) -> web.RouteDef:
    """Wrap a webhook route so it answers 503 (the platform sends again) while `channel` is
    down or the database cannot be reached, instead of accepting what it could not keep."""
    async def handler(request: web.Request) -> web.StreamResponse:
        if channel not in running:
            return web.Response(status=503, text="this channel is not running")
        if not tutor.database_ok:
            return web.Response(status=503, text="the database cannot be reached just now")
        return await route.handler(request)  # type: ignore[no-any-return]

    return web.RouteDef(route.method, route.path, handler, route.kwargs)


def mount_dashboard(web_app: web.Application, core: Core) -> None:
    """Serve the organizers' dashboard at /admin/ on the same server."""
    async def to_dashboard(_request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound("/admin/")

    web_app.router.add_get("/admin", to_dashboard)
    web_app.add_subapp("/admin/", create_admin_app(core.reports, core.tutor.library,
                                                   core.worker))


async def start_channels(channels: list[Channel]) -> set[Channel]:
    """Start each channel; one that fails is logged and left off, the others still run."""
    running: set[Channel] = set()
    for channel in channels:
        try:
            await channel.start()
        except Exception:
            log.exception("%s could not start and stays off until the next start; "
                          "check its settings and the platform", type(channel).__name__)
        else:
            running.add(channel)
    return running


def no_web_link_notice(settings: Settings, *, telegram: bool) -> str:
    """What to tell the operator when invitations cannot carry a web chat link that a phone
    can open (no HOCSO_PUBLIC_URL, and this server listens on a loopback address or on all)."""
    qr = "" if telegram else " and no QR code"
    return (f"Mentors' invitations carry the code alone: no web chat link{qr}, since "
            f"{settings.web_address() or 'this server'} cannot be opened from a phone. Set "
            "HOCSO_PUBLIC_URL to the address phones open the web chat at: "
            "https://hocso.example.vn behind a proxy, or http://<this machine's LAN address>:"
            f"{settings.port} on a local network (with HOCSO_HOST=0.0.0.0)")


async def serve(settings: Settings, stop: asyncio.Event | None = None) -> None:
    """Run the web chat and the messenger channels whose tokens are set, until SIGINT/SIGTERM,
    or until `stop` is set when given."""
    core = await build_core(settings)
    web_app = create_web_app(core.tutor, Path(settings.content_dir), web_options(settings))
    mount_dashboard(web_app, core)
    telegram = telegram_channel(settings, core.tutor)
    channels = ([telegram] if telegram else []) + zalo_channels(settings, core.tutor, core.engine)
    if not settings.public_url and any(c.name != TELEGRAM for c in channels):
        log.warning("HOCSO_PUBLIC_URL is not set: Zalo learners get lesson texts without their "
                    "pictures, because Zalo fetches pictures by URL")
    if not core.tutor.links.web("KEM"):
        log.warning(no_web_link_notice(settings, telegram=telegram is not None))
    running: set[Channel] = set()
    for channel in channels:
        web_app.add_routes([guarded(route, running, channel, core.tutor)
                            for route in channel.routes()])
    runner = web.AppRunner(web_app, access_log_class=AccessLog)
    await runner.setup()
    background: list[asyncio.Task[None]] = []
    beats = settings.heartbeat_seconds
    process_id = core.tutor.process_id
    assert process_id is not None
    outbox = OutboxWorker(Outbox(core.engine, process_id=process_id,
                                 owner_gone_after=core.tutor.owner_gone_after), {})
    try:
        # What a run killed here owed goes out at once, before newer replies to its chats.
        await forget_dead_here(core.engine, process_id)
        await beat(core.engine, process_id)  # alive before the first reply it owns
        running.update(await start_channels(channels))
        outbox.channels.update({channel.name: channel.deliver for channel in running})
        watch = InactivityWatch(core.tutor.repository, core.tutor.writer, core.tutor.rules)
        reminders = ReminderRun(core.tutor.repository, core.tutor.writer,
                                interval=settings.reminder_check_seconds,
                                daytime=settings.reminder_daytime())
        courses = core.tutor.library.lesson_ids()
        url = settings.resolved_database_url()
        reports = every(settings.report_refresh_seconds,
                        lambda: refresh_reports(core, url, courses),
                        what="refreshing the report tables")
        heart = every(beats, lambda: beat(core.engine, process_id), what="the heartbeat")
        retention = Retention(unconsented=timedelta(hours=settings.unconsented_hours),
                              processed=timedelta(days=settings.processed_days),
                              words_in=KEEPS_WORDS)
        sweeping = every(SWEEP_SECONDS, lambda: sweep(core.engine, retention),
                         what="removing what is kept only for a while")
        readdressing = every(SWEEP_SECONDS, core.tutor.readdress,
                             what="readdressing messages whose app was separated")
        await web.TCPSite(runner, settings.host, settings.port).start()
        log.info("web chat at http://%s:%s/", settings.host, settings.port)
        # After the server listens: the first report refresh reads every answer so far,
        # which start-up need not wait for.
        background += [asyncio.create_task(outbox.run(after=PRESSES_FIRST)),
                       asyncio.create_task(watch.run()), asyncio.create_task(reminders.run()),
                       asyncio.create_task(reports),
                       asyncio.create_task(heart), asyncio.create_task(sweeping),
                       asyncio.create_task(readdressing)]
        if stop is None:  # else whoever gave it stops the server (a test, in a thread)
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
        await stop.wait()
    finally:
        log.info("stopping")
        await runner.cleanup()  # no new webhook requests from here on
        for task in background:
            task.cancel()
        await asyncio.gather(*background, return_exceptions=True)
        await outbox.run_once()  # what the last turns queued for others, before channels close
        for channel in channels:  # each stop copes with a start that failed half way
            await channel.stop()  # finishes every update already received
        await goodbye(core.engine, process_id)  # anything still owed is for others to send
        await core.dispose()
