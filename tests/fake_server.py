"""The common part of the fake messenger APIs: an aiohttp server on loopback that POSTs webhooks."""

from __future__ import annotations

import asyncio
import contextlib
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, ClassVar, Generic, Self, TypeVar

import aiohttp
from aiohttp import web

ItemT = TypeVar("ItemT")  # what waits in the webhook queue
SentT = TypeVar("SentT")  # one send the bot made
DeliveryT = TypeVar("DeliveryT")  # one webhook delivery attempt, as tests see it


@dataclass
class WebhookRequest:
    """One POST to make to the webhook: where, with which headers and body."""

    url: str
    headers: dict[str, str] = field(default_factory=dict)
    data: bytes | None = None
    json: Any = None  # sent with aiohttp's own JSON encoding when data is None
    secret: str | None = None  # the secret the platform used, for the delivery record


@dataclass
class WebhookOutcome:
    """What one POST to the webhook came to: an HTTP status, or a connection error."""

    status: int | None = None
    reason: str = ""
    error: str | None = None
    body: bytes = b""

    @property
    def ok(self) -> bool:
        """Whether the receiver answered 2xx."""
        return self.status is not None and 200 <= self.status < 300


class LoopbackFake(ABC, Generic[ItemT, SentT, DeliveryT]):
    """Lifecycle, change events and webhook delivery; subclasses add a platform's wire format.

    A subclass adds its routes, says where the webhook is and how one queued item is POSTed and
    recorded. Queued items go out one at a time, in order; a non-2xx answer or a connection
    error is retried `webhook_attempts` times in all, `webhook_retry_delay` seconds apart.
    """

    base_path: ClassVar[str] = ""  # appended to "http://127.0.0.1:PORT" to make base_url

    def __init__(self, *, webhook_attempts: int, webhook_retry_delay: float,
                 webhook_timeout: float) -> None:
        self._webhook_attempts = webhook_attempts
        self._webhook_retry_delay = webhook_retry_delay
        self._webhook_timeout = webhook_timeout
        self._port: int | None = None
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self._worker: asyncio.Task[None] | None = None
        self._closing = False
        self._changed = asyncio.Event()
        self._webhook_queue: deque[ItemT] = deque()
        self._in_flight: ItemT | None = None
        # What tests look at.
        self.sent: list[SentT] = []
        self.webhook_deliveries: list[DeliveryT] = []

    # ----------------------------------------------------------------- lifecycle

    async def start(self) -> None:
        """Start listening on a free port of 127.0.0.1 and start the webhook sender."""
        app = web.Application()
        self._add_routes(app.router)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0,
                                     handler_cancellation=True)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = int(self._runner.addresses[0][1])
        self._session = aiohttp.ClientSession()
        self._worker = asyncio.get_running_loop().create_task(self._webhook_worker())

    async def close(self) -> None:
        """Wake every waiter (long polls end), stop webhook delivery and shut the server down."""
        self._closing = True
        self._notify()
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
            self._worker = None
        try:
            if self._runner is not None:
                await self._runner.cleanup()
                self._runner = None
        finally:
            if self._session is not None:
                await self._session.close()
                self._session = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        await self.close()

    @property
    def port(self) -> int:
        """The loopback port the server listens on."""
        if self._port is None:
            raise RuntimeError(f"{type(self).__name__} is not started")
        return self._port

    @property
    def base_url(self) -> str:
        """"http://127.0.0.1:PORT" followed by the class's base_path."""
        return f"http://127.0.0.1:{self.port}{self.base_path}"

    # ----------------------------------------------------------------- waiting (test API)

    async def wait_for_sent(self, count: int, timeout: float = 5.0) -> list[SentT]:
        """Wait until at least `count` sends happened; AssertionError listing them if not."""
        if not await self._wait(lambda: len(self.sent) >= count, timeout):
            listing = "\n".join(f"  {record!r}" for record in self.sent) or "  (nothing)"
            raise AssertionError(f"expected {count} sends within {timeout}s, "
                                 f"got {len(self.sent)}:\n{listing}")
        return self.sent

    async def wait_for_webhook_idle(self, timeout: float = 5.0) -> None:
        """Wait until nothing is waiting for, or in, webhook delivery."""
        if not await self._wait(lambda: not self._webhook_queue and self._in_flight is None,
                                timeout):
            raise AssertionError(f"webhook still busy after {timeout}s: "
                                 f"{len(self._webhook_queue)} queued{self._busy_detail()}; "
                                 f"deliveries so far {self.webhook_deliveries}")

    # ----------------------------------------------------------------- change events

    def _notify(self) -> None:
        """Wake everything waiting in _wait to look at its predicate again."""
        self._changed.set()
        self._changed = asyncio.Event()

    async def _wait(self, predicate: Callable[[], bool], timeout: float) -> bool:
        """Wait until predicate() holds (True) or timeout passes or the fake closes (its value)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0 or self._closing:
                return predicate()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)
        return True

    # ----------------------------------------------------------------- webhook delivery

    async def _webhook_worker(self) -> None:
        """Deliver queued items one at a time, in order, while a webhook is set."""
        while not self._closing:
            await self._wait(lambda: bool(self._webhook_queue and self._webhook_target), 3600)
            if self._closing:
                return
            if not (self._webhook_queue and self._webhook_target):
                continue
            self._in_flight = self._webhook_queue.popleft()
            try:
                await self._deliver(self._in_flight)
            finally:
                self._in_flight = None
                self._notify()

    async def _deliver(self, item: ItemT) -> None:
        for attempt in range(1, self._webhook_attempts + 1):
            url = self._webhook_target
            if url is None:  # the webhook went away meanwhile
                self._webhook_gone(item)
                return
            request = self._webhook_request(item, url, attempt)
            outcome = await self._post(request)
            self.webhook_deliveries.append(self._delivery(item, attempt, request, outcome))
            self._notify()
            if outcome.ok:
                await self._delivered(outcome)
                return
            self._delivery_failed(outcome)
            if attempt < self._webhook_attempts:
                await asyncio.sleep(self._webhook_retry_delay)
        self._delivery_abandoned(item)

    async def _post(self, request: WebhookRequest) -> WebhookOutcome:
        assert self._session is not None
        outcome = WebhookOutcome()
        try:
            async with self._session.post(
                    request.url, data=request.data, json=request.json, headers=request.headers,
                    timeout=aiohttp.ClientTimeout(total=self._webhook_timeout)) as response:
                outcome.body = await response.read()
                outcome.status = response.status
                outcome.reason = response.reason or ""
        except (aiohttp.ClientError, TimeoutError) as exc:
            outcome.error = f"{type(exc).__name__}: {exc}"
        return outcome

    # ----------------------------------------------------------------- hooks

    @abstractmethod
    def _add_routes(self, router: web.UrlDispatcher) -> None:
        """Add the platform's routes (and a catch-all) to the server."""

    @property
    @abstractmethod
    def _webhook_target(self) -> str | None:
        """The webhook URL items go to now, or None while there is none."""

    @abstractmethod
    def _webhook_request(self, item: ItemT, url: str, attempt: int) -> WebhookRequest:
        """The POST that delivers item to url, on attempt 1, 2, ..."""

    @abstractmethod
    def _delivery(self, item: ItemT, attempt: int, request: WebhookRequest,
                  outcome: WebhookOutcome) -> DeliveryT:
        """The record of one delivery attempt, for webhook_deliveries."""

    @abstractmethod
    def _webhook_gone(self, item: ItemT) -> None:
        """Keep item, taken for delivery when the webhook was removed meanwhile."""

    async def _delivered(self, outcome: WebhookOutcome) -> None:
        """Act on the receiver's answer to a delivery that succeeded."""

    def _delivery_failed(self, outcome: WebhookOutcome) -> None:
        """Note a failed attempt (after it is recorded, before any retry)."""

    def _delivery_abandoned(self, item: ItemT) -> None:
        """Note an item that every attempt failed to deliver."""

    def _busy_detail(self) -> str:
        """More to say in wait_for_webhook_idle's failure, after the queued count."""
        return ""


class BotApiFake(LoopbackFake[ItemT, SentT, DeliveryT]):
    """A LoopbackFake whose methods live at /bot<token>/<method> (Telegram, Zalo Bot Platform).

    Its base_url ("http://127.0.0.1:PORT/bot") is what the client takes; it appends the token.
    """

    base_path = "/bot"

    def __init__(self, token: str, *, webhook_attempts: int, webhook_retry_delay: float,
                 webhook_timeout: float) -> None:
        super().__init__(webhook_attempts=webhook_attempts,
                         webhook_retry_delay=webhook_retry_delay, webhook_timeout=webhook_timeout)
        self._token = token

    @property
    def token(self) -> str:
        """The only token this server accepts."""
        return self._token

    def _add_routes(self, router: web.UrlDispatcher) -> None:
        router.add_route("*", "/bot{token}/{method}", self._handle)
        router.add_route("*", "/{tail:.*}", self._not_found)

    @abstractmethod
    async def _handle(self, request: web.Request) -> web.Response:
        """Answer a call of /bot<token>/<method>."""

    @abstractmethod
    async def _not_found(self, request: web.Request) -> web.Response:
        """Answer any other path."""
