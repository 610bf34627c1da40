"""Test-side helpers shared by the channel and fake tests: fixtures, webhooks, answers."""

from __future__ import annotations

import asyncio
import inspect
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from types import TracebackType
from typing import Any, Self, TypeVar

import pytest
from aiohttp import ClientSession, web

from tests.fake_server import LoopbackFake

FIXTURES = Path(__file__).parent / "fixtures"

RecordT = TypeVar("RecordT")


def fixture_loader(folder: str) -> Callable[[str], dict[str, Any]]:
    """A loader of tests/fixtures/<folder>/<name>.json (".json" optional), freshly parsed."""
    root = FIXTURES / folder

    def load(name: str) -> dict[str, Any]:
        path = root / (name if name.endswith(".json") else f"{name}.json")
        return dict(json.loads(path.read_text(encoding="utf-8")))

    return load


async def exchange(sent: Callable[[], list[RecordT]], push: Callable[[], object], expect: int,
                   *, timeout: float = 10.0) -> list[RecordT]:
    """Call push(), then wait until `expect` more records are in sent(); return the new ones.

    sent() is what a fake recorded for one user; an AssertionError shows it after `timeout` s.
    """
    before = len(sent())
    push()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while len(sent()) < before + expect:
        assert loop.time() < deadline, sent()
        await asyncio.sleep(0.01)
    return sent()[before:]


async def post_json(url: str, body: Any, headers: Mapping[str, str]) -> int:
    """POST body as JSON to url (a channel's webhook) with headers; the HTTP status."""
    async with ClientSession() as client, client.post(url, json=body, headers=headers) as answer:
        return answer.status


async def until(condition: Callable[[], Any], timeout: float = 5.0,
                what: str = "the condition") -> None:
    """Wait until condition() (a plain or an async function) is true, looking every 10 ms;
    an AssertionError after `timeout` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        result = condition()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return
        assert loop.time() < deadline, f"{what} never came true within {timeout} s"
        await asyncio.sleep(0.01)


async def expect_answer(fake: LoopbackFake[Any, Any, Any], before: int, expected: str | None,
                        drained: Callable[[], Awaitable[None]]) -> None:
    """Send number `before`+1 holds `expected`; or, with None, nothing was sent once the
    channel has handled what it took (`drained`: the channel's drain)."""
    if expected is None:
        await drained()
        assert len(fake.sent) == before, fake.sent[before:]
    else:
        await fake.wait_for_sent(before + 1)
        text = fake.sent[before].text or ""
        assert expected in text, f"{expected!r} not in {text!r}"


class Receiver:
    """A webhook endpoint on loopback that answers with the given statuses, then 200.

    calls keeps the headers and raw body of every POST; bodies() the non-empty ones as JSON.
    """

    def __init__(self, statuses: list[int] | None = None) -> None:
        self.statuses = list(statuses or [])
        self.calls: list[tuple[dict[str, str], bytes]] = []
        self.runner: web.AppRunner | None = None
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        self.calls.append((dict(request.headers), await request.read()))
        return web.Response(status=self.statuses.pop(0) if self.statuses else 200)

    def bodies(self) -> list[Any]:
        """The non-empty bodies received, parsed as JSON."""
        return [json.loads(body) for _, body in self.calls if body]

    async def __aenter__(self) -> Self:
        app = web.Application()
        app.router.add_post("/hook", self.handle)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", 0).start()
        self.url = f"http://127.0.0.1:{self.runner.addresses[0][1]}/hook"
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        assert self.runner is not None
        await self.runner.cleanup()


Running = Callable[[Any, Any, str], AbstractAsyncContextManager[tuple[Any, str]]]


def channel_fixtures(running: Running) -> tuple[Any, Any, Any]:
    """The `polling`, `webhook` and `channel` (both, in turn) fixtures of a channel's tests.

    `running(fake, tutor, mode)` starts the channel in that mode and yields (channel, url).
    """

    @pytest.fixture
    async def polling(fake: Any, tutor: Any) -> AsyncIterator[Any]:
        async with running(fake, tutor, "polling") as (started, _):
            yield started

    @pytest.fixture
    async def webhook(fake: Any, tutor: Any) -> AsyncIterator[tuple[Any, str]]:
        async with running(fake, tutor, "webhook") as started:
            yield started

    @pytest.fixture(params=["polling", "webhook"])
    async def channel(fake: Any, tutor: Any, request: pytest.FixtureRequest) -> AsyncIterator[Any]:
        """Each test that takes it runs twice: by long polling and by webhook."""
        async with running(fake, tutor, request.param) as (started, _):
            yield started

    return polling, webhook, channel
