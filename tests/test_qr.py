"""Invitation QR codes: drawn only for live invitations, by code, and decode back to the link."""

import io

import zxingcpp
from aiohttp.test_utils import TestClient, TestServer
from PIL import Image

from bot.channels.qr import qr_png
from bot.channels.text import picture_url
from bot.channels.web import create_web_app
from bot.lessons.model import Library
from bot.tutor import Tutor
from tests.chat import Chat
from tests.conftest import CONTENT_DIR
from tests.mentoring_helpers import trained_mentor

LINK = "https://t.me/hocso_bot?start=KEM-7Q4X"
WEB = "https://hocso.example.vn"


def decode(png: bytes) -> str:
    [found] = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    return str(found.text)


def test_the_qr_picture_decodes_to_the_invitation_link() -> None:
    assert decode(qr_png(LINK)) == LINK


async def test_a_live_invitation_gets_its_picture_and_nothing_else_is_drawn(
        tutor: Tutor, library: Library) -> None:
    tutor.links.web_base = WEB
    mentor = Chat(tutor, "mentor")
    code = await trained_mentor(mentor, library)
    [invite] = [reply for reply in mentor.last if reply.qr]
    address = picture_url(invite)
    assert address == f"/qr/{code}.png"
    async with TestClient(TestServer(create_web_app(tutor, CONTENT_DIR))) as client:
        answer = await client.get(address)
        assert answer.status == 200 and answer.content_type == "image/png"
        assert decode(await answer.read()) == f"{WEB}/?kem={code}"
        drawn = qr_png.cache_info()
        for unknown in ("/qr/KEM-0000.png", "/qr/kem-7q4x.png", f"/qr/{code}X.png"):
            assert (await client.get(unknown)).status == 404
        assert qr_png.cache_info().misses == drawn.misses  # nothing drawn for them
        # The old address drew any text it was given.
        assert (await client.get("/qr", params={"text": LINK})).status == 404
        await mentor.press("Thu hồi mã mời")
        assert (await client.get(address)).status == 404


async def test_guessing_codes_is_stopped_for_right_codes_too(tutor: Tutor,
                                                            library: Library) -> None:
    tutor.links.web_base = WEB
    code = await trained_mentor(Chat(tutor, "mentor"), library)
    async with TestClient(TestServer(create_web_app(tutor, CONTENT_DIR))) as client:
        statuses = [(await client.get(f"/qr/KEM-{n:04d}.png")).status for n in range(21)]
        assert statuses == [404] * 20 + [429]
        # Otherwise a 200 among the 429s would still tell a live code from a dead one.
        assert (await client.get(f"/qr/{code}.png")).status == 429
