"""Logs: configured secrets and Bot API tokens never appear, lines carry the update, JSON works."""

import io
import json
import logging
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.channels.telegram import TelegramChannel, TelegramConfig, telegram_pacer
from bot.config import Settings
from bot.logs import MASK, UPDATE, configure, secrets_of
from bot.messages import Incoming, Kind
from bot.tutor import Tutor
from tests.conftest import CONTENT_DIR
from tests.conversation import exchange
from tests.fake_telegram import FakeTelegram
from tests.virtual_time import VirtualTime

TOKEN = "8123456789:AAHk-secret_part_of_the_token_123"
SETTINGS = {"TELEGRAM_BOT_TOKEN": TOKEN, "ZALO_BOT_TOKEN": "zalo-secret-4242",
            "ZALO_OA_APP_ID": "1", "ZALO_OA_APP_SECRET": "oa-app-secret-99",
            "ZALO_OA_SECRET_KEY": "oa-signing-key-77", "ZALO_OA_REFRESH_TOKEN": "refresh-me-55",
            "DATABASE_URL": "postgresql+asyncpg://hocso:db-pass-word@db:5432/hocso"}


@pytest.fixture
def logged(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[io.StringIO, Settings]]:
    for name, value in SETTINGS.items():
        monkeypatch.setenv(name, value)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    stream = io.StringIO()
    root = logging.getLogger()
    kept = (root.handlers[:], root.level)
    configure(settings, stream)
    try:
        yield stream, settings
    finally:
        root.handlers, root.level = kept[0], kept[1]


def test_every_secret_is_masked_in_messages_and_tracebacks(
        logged: tuple[io.StringIO, Settings]) -> None:
    stream, settings = logged
    assert len(secrets_of(settings)) == 6
    log = logging.getLogger("httpx")
    log.info('HTTP Request: POST https://api.telegram.org/bot%s/getUpdates "200 OK"', TOKEN)
    log.warning("zalo %s, oa %s / %s, refresh %s, db %s", "zalo-secret-4242", "oa-app-secret-99",
                "oa-signing-key-77", "refresh-me-55", "db-pass-word")
    log.info("another bot: https://api.telegram.org/bot5555555:BBBBBBBBBBBBBBBBBBBBBBBBBBBB/x")
    try:
        raise RuntimeError(f"failed at /bot{TOKEN}/sendMessage")
    except RuntimeError:
        log.exception("sending failed")
    written = stream.getvalue()
    for secret in (TOKEN, "zalo-secret-4242", "oa-app-secret-99", "oa-signing-key-77",
                   "refresh-me-55", "db-pass-word", "BBBBBBBBBBBBBBBBBBBBBBBB"):
        assert secret not in written, secret
    assert written.count(MASK) == 8 and "sending failed" in written


async def test_lines_carry_the_update_and_a_turn_leaves_none_behind(
        logged: tuple[io.StringIO, Settings], tutor: Tutor) -> None:
    stream, _ = logged
    token = UPDATE.set("telegram:4711")
    logging.getLogger("hocso").info("inside")
    UPDATE.reset(token)
    await tutor.handle(Incoming(channel="web", user_ref="u", kind=Kind.START, update_id="77"))
    logging.getLogger("hocso").info("after")
    lines = stream.getvalue().splitlines()
    assert any(line.endswith(": inside [update telegram:4711]") for line in lines)
    assert lines[-1].endswith(": after")  # the turn set its update and took it away again


def test_json_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOCSO_LOG_FORMAT", "json")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    stream = io.StringIO()
    root = logging.getLogger()
    kept = (root.handlers[:], root.level)
    configure(Settings(_env_file=None), stream)  # type: ignore[call-arg]
    try:
        token = UPDATE.set("zalo:9")
        logging.getLogger("hocso.zalo").warning("Bác Năm: %s", f"/bot{TOKEN}/x")
        UPDATE.reset(token)
    finally:
        root.handlers, root.level = kept[0], kept[1]
    entry = json.loads(stream.getvalue().splitlines()[-1])
    assert entry["level"] == "WARNING" and entry["logger"] == "hocso.zalo"
    assert entry["message"] == f"Bác Năm: /bot{MASK}/x" and entry["update"] == "zalo:9"


async def test_bot_api_calls_at_debug_name_the_method_but_no_text_or_chat(
        monkeypatch: pytest.MonkeyPatch, tutor: Tutor) -> None:
    monkeypatch.setenv("HOCSO_LOG_LEVEL", "DEBUG")
    stream = io.StringIO()
    root = logging.getLogger()
    kept = (root.handlers[:], root.level)
    configure(Settings(_env_file=None), stream)  # type: ignore[call-arg]
    fake = FakeTelegram()
    await fake.start()
    time = VirtualTime()
    channel = TelegramChannel(TelegramConfig(token=fake.token, api_base_url=fake.base_url),
                              tutor, CONTENT_DIR,
                              pacer=telegram_pacer(clock=time, sleep=time.sleep))
    try:
        await channel.start()
        chat = 5550042
        welcome, notice = await exchange(lambda: fake.sent_to(chat),
                                         lambda: fake.push_message(chat, "/start"), 2)
        await channel.stop()
    finally:
        root.handlers, root.level = kept[0], kept[1]
        await fake.close()
    written = stream.getvalue()
    for private in (str(chat), (welcome.text or "")[:20], (notice.text or "")[:20]):
        assert private not in written, private
    assert "Bot API sendMessage: calling" in written and "Bot API sendMessage: answered" in written


def test_the_access_log_holds_no_invitation_code(web_chat_server: tuple[Path, str]) -> None:
    data, base = web_chat_server
    log = data / "server.log"
    before = log.stat().st_size  # the shared server's lines for other tests came before
    for path, referer in (("/qr/KEM-7Q4X.png", ""), ("/?kem=KEM-7Q4X", ""),
                          ("/static/chat.js", f"{base}/?kem=KEM-7Q4X"),
                          ("/xac-minh/AB7Q4XCD", ""), ("/xac-minh/AB7Q4XCD.pdf", "")):
        request = urllib.request.Request(base + path, headers={"Referer": referer})
        try:
            urllib.request.urlopen(request, timeout=5).close()
        except urllib.error.HTTPError as error:
            assert error.code == 404  # no such invitation or certificate
    expected = ('"GET /qr/….png" 404', '"GET /static/chat.js" 200', '"GET /" 200',
                '"GET /xac-minh/…" 404', '"GET /xac-minh/….pdf" 404')

    def written() -> str:  # the server logs a request just after answering it
        with log.open("rb") as lines:
            lines.seek(before)
            return lines.read().decode("utf-8")
    deadline = time.monotonic() + 10
    while not all(line in written() for line in expected) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert all(line in written() for line in expected), written()
    assert "7Q4X" not in written()
