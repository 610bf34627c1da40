"""Photos of messages on the web chat (its upload, in Chromium too) and in the terminal."""

import io
import itertools
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from aiohttp import ClientSession, FormData
from aiohttp.test_utils import TestServer
from PIL import Image
from playwright.async_api import Browser, Page, expect

from bot.channels.pictures import MAX_PICTURE_BYTES
from bot.channels.web import WebOptions, create_web_app
from bot.channels.web_limits import WebLimits
from bot.listening.ocr import available as ocr_available
from bot.tutor import Tutor
from tests.conftest import CONTENT_DIR, require
from tests.screenshots import font_available, sms
from tests.server import free_port, running_here
from tests.test_browser import (
    ELDER_PHONE,
    TIMEOUT_MS,
    agree,
    check_phone_layout,
    last_bot_message,
    phone,
)
from tests.test_console import chat_here
from tests.test_web_api import begin, new_session
from tests.test_web_limits import limits, web_chat

SCAM_SCREEN = ("[BIDV] Tài khoản của Quý khách sẽ bị tạm khóa sau 24h do chưa cập nhật sinh "
               "trắc học. Vui lòng xác thực tại bidv-sinhtrachoc.top")
NOT_A_PICTURE = "không phải là ảnh"
_ids = itertools.count(1)


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _ocr() -> None:
    require(ocr_available() and font_available(),
            "Tesseract with Vietnamese (tesseract-ocr, tesseract-ocr-vie) and fonts-dejavu-core")


@pytest.fixture
async def api(tutor: Tutor) -> AsyncIterator[tuple[ClientSession, str]]:
    # Many photos from one address here: their own limit is tested on its own below.
    options = WebOptions(limits=WebLimits(photos_per_minute=600))
    server = TestServer(create_web_app(tutor, CONTENT_DIR, options), host="127.0.0.1")
    await server.start_server()
    async with ClientSession() as client:
        yield client, str(server.make_url(""))
    await server.close()


async def send_photo(client: ClientSession, base: str, data: bytes, *,
                     session: str | None, message_id: str | None = None,
                     headers: dict[str, str] | None = None) -> tuple[int, dict]:
    form = FormData()
    if session is not None:
        form.add_field("session", session)
    form.add_field("id", message_id or f"p{next(_ids)}")
    form.add_field("photo", io.BytesIO(data), filename="anh.png", content_type="image/png")
    async with client.post(f"{base}/api/photo", data=form, headers=headers) as response:
        return response.status, await response.json()


def said(body: dict) -> str:
    return "\n".join(reply["text"] for reply in body["replies"])


async def test_a_screenshot_sent_from_the_web_chat_is_read_and_checked(
        api: tuple[ClientSession, str]) -> None:
    _ocr()
    client, base = api
    session = await new_session(client, base)
    await begin(client, base, session)  # called "bác"
    status, body = await send_photo(client, base, _png(sms("BIDV", SCAM_SCREEN)),
                                    session=session, message_id="shot-1")
    assert status == 200
    assert "Cháu đã đọc chữ trong ảnh bác gửi" in said(body)
    assert "Rất có thể là lừa đảo" in said(body) and "156" in said(body)
    # The same upload sent again (a retry after a lost answer) is one check, not two.
    status, body = await send_photo(client, base, _png(sms("BIDV", SCAM_SCREEN)),
                                    session=session, message_id="shot-1")
    assert status == 200 and body["replies"] == []


@pytest.mark.parametrize("data", [b"%PDF-1.4 a document, not a picture",
                                  b"\x89PNG\r\n\x1a\n and then nothing a picture has"])
async def test_a_file_that_is_no_picture_gets_a_friendly_answer(
        api: tuple[ClientSession, str], data: bytes) -> None:
    client, base = api
    session = await new_session(client, base)
    await begin(client, base, session)
    status, body = await send_photo(client, base, data, session=session)
    assert status == 200
    assert f"Tệp bác vừa gửi {NOT_A_PICTURE}" in said(body)
    assert body["replies"][-1]["buttons"]  # a way back to the menu


async def test_bad_uploads_are_refused_before_the_tutor(api: tuple[ClientSession, str]) -> None:
    client, base = api
    session = await new_session(client, base)
    too_big = b"\x89PNG" + bytes(MAX_PICTURE_BYTES)
    assert (await send_photo(client, base, too_big, session=session))[0] == 413
    assert (await send_photo(client, base, b"x", session=None))[0] == 400
    assert (await send_photo(client, base, b"x", session="short"))[0] == 400
    assert (await send_photo(client, base, b"x", session=session, message_id="bad id!"))[0] == 400
    async with client.post(f"{base}/api/photo", json={"session": session}) as response:
        assert response.status == 400  # JSON is the chat's, not the photo's
    unknown = await send_photo(client, base, b"x", session="u" * 24)
    assert unknown[0] == 404


async def test_photos_are_limited_per_address_more_tightly_than_messages(tutor: Tutor) -> None:
    async with web_chat(tutor, limits(photos_per_minute=6)) as at:  # 3 at once
        resident, neighbour = at("198.51.100.7"), at("203.0.113.8")
        await resident.begin()
        await neighbour.begin()
        headers = {"X-Forwarded-For": resident.address}
        statuses = [(await send_photo(resident.http, resident.base, b"not a picture",
                                      session=resident.session, headers=headers))[0]
                    for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        assert (await resident.say(text="menu"))[0] == 200  # typing still works
        other = await send_photo(neighbour.http, neighbour.base, b"not a picture",
                                 session=neighbour.session,
                                 headers={"X-Forwarded-For": neighbour.address})
        assert other[0] == 200


def test_the_terminal_reads_a_picture_files_path(tmp_path: Path) -> None:
    _ocr()
    shot = tmp_path / "tin nhắn lạ.png"
    sms("BIDV", SCAM_SCREEN).save(shot)
    document = tmp_path / "ghi-chu.txt"
    document.write_text("không phải ảnh")
    # Agree, be called "bác" with the name given; then the picture's path as a terminal
    # writes a dragged file (quoted), `/anh` with a file that is no picture, and a path to
    # nothing.
    out = chat_here(tmp_path / "data", ["1", "3", "1", f"'{shot}'", f"/anh {document}",
                                        f"/anh {tmp_path / 'khong-co.png'}", "thoát"])
    assert "Cháu đã đọc chữ trong ảnh bác gửi" in out and "Rất có thể là lừa đảo" in out
    assert f"Tệp bác vừa gửi {NOT_A_PICTURE}" in out
    assert "Không mở được tệp ảnh" in out


@pytest.fixture(scope="module")
def photo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One real server for this module's browser tests (its address). Not the one other
    browser tests share: each address may send only a few photos a minute."""
    port = free_port()
    with running_here(tmp_path_factory.mktemp("photos") / "data", port):
        yield f"http://127.0.0.1:{port}"


@asynccontextmanager
async def _menu_on_a_phone(browser: Browser, base: str) -> AsyncIterator[Page]:
    """The web chat at `base` in Chromium on an elder's phone, agreed and at the menu; OCR
    takes a second or two, so the page waits longer than usual."""
    expect.set_options(timeout=TIMEOUT_MS * 3)
    async with phone(browser, ELDER_PHONE) as page:
        await page.goto(f"{base}/")
        await agree(page)
        await expect(last_bot_message(page)).to_contain_text("Bạn muốn làm gì")
        yield page


@pytest.mark.asyncio(loop_scope="module")  # the loop of conftest.chromium
async def test_an_elder_sends_a_screenshot_from_the_phone_page(
        tmp_path: Path, chromium: Browser, photo_server: str) -> None:
    _ocr()
    shot = tmp_path / "tin-nhan.png"
    sms("BIDV", SCAM_SCREEN).save(shot)
    document = tmp_path / "tai-lieu.png"  # a picture's name, but not a picture
    document.write_bytes(b"%PDF-1.4 not a picture")
    async with _menu_on_a_phone(chromium, photo_server) as page:
        button = page.get_by_role("button", name="📷 Gửi ảnh tin nhắn")
        await expect(button).to_be_visible()
        await check_phone_layout(page, ELDER_PHONE)
        # The button opens the phone's picker: the picture chosen in it is sent.
        async with page.expect_file_chooser() as chooser:
            await button.click()
        await (await chooser.value).set_files(shot)
        await expect(page.locator(".bubble.me").last).to_have_text("📷 Ảnh tin nhắn")
        answer = last_bot_message(page)
        await expect(answer).to_contain_text("Tôi đã đọc chữ trong ảnh bạn gửi")
        await expect(answer).to_contain_text("Rất có thể là lừa đảo")
        async with page.expect_file_chooser() as chooser:
            await button.click()
        await (await chooser.value).set_files(document)
        await expect(last_bot_message(page)).to_contain_text(
            f"Tệp bạn vừa gửi {NOT_A_PICTURE}")
        await check_phone_layout(page, ELDER_PHONE)


@pytest.mark.asyncio(loop_scope="module")
async def test_a_big_camera_photo_is_made_smaller_by_the_page_before_it_is_sent(
        tmp_path: Path, chromium: Browser, photo_server: str) -> None:
    _ocr()
    # A phone's photo of a screen: large, and grainy, so that it does not compress.
    screen = sms("BIDV", SCAM_SCREEN, width=2400)
    photo = tmp_path / "IMG_0001.jpg"
    Image.blend(screen, Image.effect_noise(screen.size, 40).convert("RGB"), 0.12).save(
        photo, quality=95)
    assert photo.stat().st_size > 1024 * 1024
    async with _menu_on_a_phone(chromium, photo_server) as page:
        async with page.expect_request("**/api/photo") as sent:
            await page.set_input_files("#photo", photo)
        # Its body's length: Chromium does not hand Playwright a body built of a file.
        length = int((await (await sent.value).all_headers())["content-length"])
        assert 0 < length < photo.stat().st_size / 2, length
        answer = last_bot_message(page)
        await expect(answer).to_contain_text("Tôi đã đọc chữ trong ảnh bạn gửi")
        await expect(answer).to_contain_text("Rất có thể là lừa đảo")
