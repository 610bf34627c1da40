"""The web chat's limits per client address, its invitation-code guessing limits, and the end
of its sessions (left idle, or ended for the next person at a shared computer)."""

import itertools
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import pytest
from aiohttp import ClientSession
from aiohttp.test_utils import TestServer
from sqlalchemy import event, select, update

from bot.addresses import client_address, network_of, parse_networks
from bot.channels.web import WebOptions, create_web_app
from bot.channels.web_limits import WebLimits
from bot.handlers.rules import MentoringRules
from bot.lessons.model import Library
from bot.throttle import Throttle
from bot.tutor import Tutor
from storage.clock import now
from storage.repository import IDENTITY, LEARNER, SqlRepository
from tests.chat import Chat
from tests.conftest import CONTENT_DIR
from tests.mentoring_helpers import trained_mentor

LOOPBACK = parse_networks("127.0.0.1")
_ids = itertools.count(1)


def test_the_client_is_the_peer_unless_the_peer_is_a_trusted_proxy() -> None:
    proxies = parse_networks("127.0.0.1, 10.0.0.0/8")
    assert client_address("203.0.113.9", ["198.51.100.1"], proxies) == "203.0.113.9"
    assert client_address("127.0.0.1", ["198.51.100.1"], proxies) == "198.51.100.1"
    # What a client wrote itself sits left of what the proxies added: never believed.
    assert client_address("127.0.0.1", ["1.2.3.4, 198.51.100.1"], proxies) == "198.51.100.1"
    assert client_address("127.0.0.1", ["1.2.3.4, 198.51.100.1, 10.1.2.3"],
                          proxies) == "198.51.100.1"  # two proxies of ours
    assert client_address("127.0.0.1", ["nonsense"], proxies) == "127.0.0.1"
    assert client_address("127.0.0.1", ["198.51.100.1"], ()) == "127.0.0.1"  # none trusted
    assert network_of("198.51.100.77") == "198.51.100.0/24"
    assert network_of("2001:db8:1:2:3:4:5:6") == "2001:db8:1:2::/64"
    assert network_of("::ffff:198.51.100.77") == "198.51.100.0/24"


class Client:
    """One browser, at an address of its own (the trusted proxy in front says which)."""

    def __init__(self, http: ClientSession, base: str, address: str) -> None:
        self.http, self.base, self.address = http, base, address
        self.session = ""

    async def post(self, path: str, **body: Any) -> tuple[int, dict[str, Any]]:
        async with self.http.post(self.base + path, json=body,
                                  headers={"X-Forwarded-For": self.address}) as response:
            return response.status, await response.json()

    async def new_session(self) -> int:
        status, body = await self.post("/api/session")
        self.session = body.get("session", "")
        return status

    async def say(self, **message: Any) -> tuple[int, list[str]]:
        status, body = await self.post("/api/chat", session=self.session,
                                       id=f"m{next(_ids)}", **message)
        return status, [reply["text"] for reply in body.get("replies", [])]

    async def begin(self) -> None:
        """A new session that has agreed to the notice, as the page makes it."""
        assert await self.new_session() == 200
        await self.say(payload="start")
        assert (await self.say(payload="agree"))[0] == 200


@asynccontextmanager
async def web_chat(tutor: Tutor, options: WebOptions) -> AsyncIterator[Callable[[str], Client]]:
    server = TestServer(create_web_app(tutor, CONTENT_DIR, options), host="127.0.0.1")
    await server.start_server()
    try:
        async with ClientSession() as http:
            yield lambda address: Client(http, str(server.make_url("")), address)
    finally:
        await server.close()


def limits(**values: Any) -> WebOptions:
    # A stopped clock: no bucket refills while a test floods, however slow the machine.
    return WebOptions(trusted_proxies=LOOPBACK,
                      limits=WebLimits(refusal_delay=0, clock=lambda: 0.0, **values))


def counted_statements(repository: SqlRepository) -> list[str]:
    """Every SQL statement the tutor's engine runs from now on."""
    statements: list[str] = []
    event.listen(repository.engine.sync_engine, "before_cursor_execute",
                 lambda *args: statements.append(args[2]))
    return statements


@pytest.mark.parametrize("path", ["/api/chat", "/api/inbox"])
async def test_a_flood_from_one_address_is_refused_before_any_database_work(
        tutor: Tutor, path: str) -> None:
    statements = counted_statements(tutor.repository)
    async with web_chat(tutor, limits(requests_per_minute=60)) as at:
        resident = at("198.51.100.20")
        await resident.begin()
        flooder = at("203.0.113.5")
        # Each request a forged session of its own: the limits per session never apply.
        answers = [(await flooder.post(path, session=f"forged-session-{n:06}", text="hi"))[0]
                   for n in range(60)]
        assert 429 in answers and answers.count(429) >= 40, answers
        before = len(statements)
        for n in range(20):
            assert (await flooder.post(path, session=f"more-forged-{n:06}", text="hi")
                    )[0] == 429
        assert len(statements) == before  # refused without a single statement
        # Someone else, at another address, is answered meanwhile.
        status, replies = await resident.say(text="tiến độ")
        assert status == 200 and replies


async def test_new_sessions_are_limited_per_address_and_per_network(tutor: Tutor) -> None:
    async with web_chat(tutor, limits(sessions_per_hour=20)) as at:  # 10 at once, 50 a /24
        one = at("203.0.113.5")
        assert [await one.new_session() for _ in range(12)] == [200] * 10 + [429] * 2
        neighbours = [at(f"203.0.113.{n}") for n in range(6, 12)]
        statuses = [await neighbour.new_session() for neighbour in neighbours
                    for _ in range(10)]
        assert statuses.count(200) == 40 and statuses[-10:] == [429] * 10  # the /24's 50
        assert await at("198.51.100.9").new_session() == 200  # another network: not touched
    async with tutor.repository.engine.connect() as connection:
        learners = (await connection.execute(select(LEARNER.c.id))).all()
    assert len(learners) == 51  # a refused session made no row


async def test_wrong_codes_are_counted_per_address_across_new_sessions(
        tutor: Tutor, library: Library) -> None:
    code = await trained_mentor(Chat(tutor, "mentor"), library)
    async with web_chat(tutor, limits(sessions_per_hour=1000)) as at:
        guesser = at("203.0.113.5")
        wrong = 0
        while wrong < 20:  # four wrong codes a session, below the limit of one learner (5)
            await guesser.begin()
            for _ in range(4):
                _, replies = await guesser.say(text=f"KEM-AAAA-{wrong:04}".replace("0", "A"))
                assert "không đúng" in replies[0], replies
                wrong += 1
        await guesser.begin()  # a new session is no new start
        _, replies = await guesser.say(text=code)
        assert "tạm ngừng nhận mã mời" in replies[0]
        # The guesser's neighbour on the same network still may; so does everyone else.
        neighbour = at("203.0.113.6")
        await neighbour.begin()
        assert "không đúng" in (await neighbour.say(text="KEM-BBBB-BBBB"))[1][0]
        resident = at("198.51.100.9")
        await resident.begin()
        assert "muốn kèm bạn" in (await resident.say(text=code))[1][0]


async def test_wrong_codes_of_everyone_together_are_limited(
        sqlite_repository: SqlRepository, library: Library) -> None:
    tutor = Tutor(repository=sqlite_repository, library=library,
                  rules=MentoringRules(wrong_codes_per_hour_everywhere=6))
    code = await trained_mentor(Chat(tutor, "mentor"), library)
    async with web_chat(tutor, limits()) as at:
        for n in range(6):  # one wrong code from each of six networks
            guesser = at(f"203.0.{n}.5")
            await guesser.begin()
            assert "không đúng" in (await guesser.say(text="KEM-CCCC-CCCC"))[1][0]
        resident = at("198.51.100.9")
        await resident.begin()
        assert "tạm ngừng nhận mã mời" in (await resident.say(text=code))[1][0]
        async with tutor.repository.engine.begin() as connection:  # an hour later
            await connection.execute(
                update(LEARNER).values(last_active_at=now()))  # (sessions stay fresh)
            await connection.exec_driver_sql(
                "UPDATE code_attempt SET attempted_at = datetime('now', '-61 minutes')")
        assert "muốn kèm bạn" in (await resident.say(text=code))[1][0]


@pytest.mark.parametrize(("options", "idle"), [
    (WebOptions(), timedelta(days=31)),
    (WebOptions(kiosk=True), timedelta(minutes=6)),
])
async def test_a_session_left_idle_is_over(tutor: Tutor, options: WebOptions,
                                           idle: timedelta) -> None:
    async with web_chat(tutor, options) as at:
        resident = at("198.51.100.9")
        await resident.begin()
        assert (await resident.say(text="tiến độ"))[0] == 200
        async with tutor.repository.engine.begin() as connection:
            await connection.execute(update(LEARNER).where(
                LEARNER.c.user_ref == resident.session).values(last_active_at=now() - idle))
            # Idleness is the session's own: its app account's last use.
            await connection.execute(update(IDENTITY).where(
                IDENTITY.c.user_ref == resident.session).values(last_used_at=now() - idle))
        status, _ = await resident.say(text="/du_lieu_cua_toi")
        assert status == 404  # the page then opens a new session
        assert await resident.post("/api/inbox", session=resident.session) == (
            200, {"replies": []})


async def test_ending_a_session_leaves_nothing_for_the_next_person(tutor: Tutor,
                                                                   library: Library) -> None:
    async with web_chat(tutor, WebOptions()) as at:
        first = at("198.51.100.9")
        await first.begin()
        await first.say(payload=f"c:{library.courses[0].id}")
        old = first.session
        assert await first.post("/api/session/end", session=old) == (200, {"ended": True})
        assert (await first.say(text="/du_lieu_cua_toi"))[0] == 404
        await first.begin()  # the next person, at the same computer
        _, replies = await first.say(text="/du_lieu_cua_toi")
        assert old not in " ".join(replies)
    async with tutor.repository.engine.connect() as connection:
        refs = (await connection.execute(select(LEARNER.c.user_ref))).scalars().all()
    assert old not in refs and any(ref.startswith("ended:") for ref in refs)


async def test_the_throttle_of_a_session_still_applies_behind_the_address_limits(
        sqlite_repository: SqlRepository, library: Library) -> None:
    tutor = Tutor(repository=sqlite_repository, library=library,
                  throttle=Throttle(per_user_per_minute=60, user_burst=5))
    async with web_chat(tutor, limits()) as at:
        flooder = at("203.0.113.5")
        await flooder.begin()  # two messages of the five
        answers = [await flooder.say(text="tiến độ") for _ in range(6)]
        assert [len(replies) > 0 for _, replies in answers] == [True] * 3 + [True] + [False] * 2
        assert "nhắn nhanh quá" in answers[3][1][0]


async def test_a_proxy_that_is_not_trusted_is_named_in_the_log_once(
        tutor: Tutor, caplog: pytest.LogCaptureFixture) -> None:
    untrusting = WebOptions(trusted_proxies=(), limits=WebLimits(refusal_delay=0))
    async with web_chat(tutor, untrusting) as at:
        for address in ("198.51.100.9", "198.51.100.10"):
            assert await at(address).new_session() == 200
    warnings = [r.getMessage() for r in caplog.records if "X-Forwarded-For" in r.getMessage()]
    assert len(warnings) == 1 and "Add 127.0.0.1 to HOCSO_TRUSTED_PROXIES" in warnings[0]
