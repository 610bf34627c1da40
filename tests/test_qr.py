"""Invitation QR codes decode back to their link, from the server's PNG."""

import io

import zxingcpp
from aiohttp.test_utils import TestClient, TestServer
from PIL import Image

from bot.channels.qr import qr_png
from bot.channels.web import create_web_app
from bot.tutor import Tutor
from tests.conftest import CONTENT_DIR

LINK = "https://t.me/hocso_bot?start=KEM-7Q4X"


def decode(png: bytes) -> str:
    [found] = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    return str(found.text)


def test_the_qr_picture_decodes_to_the_invitation_link() -> None:
    assert decode(qr_png(LINK)) == LINK


async def test_the_server_draws_qr_codes_for_the_page_and_zalo(tutor: Tutor) -> None:
    async with TestClient(TestServer(create_web_app(tutor, CONTENT_DIR))) as client:
        answer = await client.get("/qr", params={"text": LINK})
        assert answer.status == 200 and answer.content_type == "image/png"
        assert decode(await answer.read()) == LINK
        assert (await client.get("/qr")).status == 400
        assert (await client.get("/qr", params={"text": "x" * 600})).status == 400
