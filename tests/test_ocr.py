"""Reading screenshots: drawn SMS and Zalo screens read back by Tesseract, then checked."""

import io
from pathlib import Path

import pytest
from PIL import Image
from rapidfuzz import fuzz

from bot.listening.ocr import (
    NotAPicture,
    OcrUnavailable,
    available,
    read_text,
    read_text_in_thread,
)
from bot.listening.scam import check
from tests.conftest import require
from tests.screenshots import font_available, sms, zalo

FAKE_BANK = ("[BIDV] Tài khoản của Quý khách sẽ bị tạm khóa sau 24h do chưa cập nhật sinh trắc "
             "học. Vui lòng xác thực tại bidv-sinhtrachoc.top")
GENUINE_OTP = ("Vietcombank: Mã OTP của Quý khách là 118204. Tuyệt đối không cung cấp mã OTP "
               "cho bất kỳ ai, kể cả nhân viên ngân hàng.")
SHIPPER = ["Chị ơi em là shipper, đơn hàng của chị phí ship 23.000đ",
           "Chị chuyển khoản giúp em vào STK 0451000123456 MB để em giao nhé."]


@pytest.fixture(autouse=True)
def _tesseract() -> None:
    require(available() and font_available(),
            "Tesseract with Vietnamese (apt-get install tesseract-ocr tesseract-ocr-vie) and "
            "fonts-dejavu-core")


def _png(image) -> bytes:  # type: ignore[no-untyped-def]
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _same_words(read: str, typed: str) -> float:
    return fuzz.ratio(" ".join(read.split()), " ".join(typed.split()))


@pytest.mark.parametrize("dark", [False, True])
def test_an_sms_screenshot_is_read_with_its_diacritics_and_judged_as_typed(dark: bool) -> None:
    read = read_text(_png(sms("BIDV", FAKE_BANK, dark=dark)))
    assert _same_words(read.split("\n", 2)[2], FAKE_BANK) >= 95, read  # after name and time
    assert check(read).verdict == check(FAKE_BANK).verdict == "scam"
    assert {flag.code for flag in check(read).flags} == {flag.code
                                                         for flag in check(FAKE_BANK).flags}


def test_a_zalo_chat_of_two_bubbles_is_read_and_flagged() -> None:
    read = read_text(zalo("Nguyễn Văn Hùng", SHIPPER))
    assert "Nguyễn Văn Hùng" in read and _same_words(read, " ".join(SHIPPER)) >= 85, read
    assert "money_request" in [flag.code for flag in check(read).flags]


def test_a_genuine_otp_notice_stays_unflagged_after_reading() -> None:
    read = read_text(sms("Vietcombank", GENUINE_OTP, width=1080))
    assert "118204" in read
    assert check(read).verdict == "no_signs"


async def test_a_saved_photo_is_read_off_the_event_loop(tmp_path: Path) -> None:
    path = tmp_path / "tin-nhan.jpg"
    sms("Vietcombank", GENUINE_OTP).save(path, quality=85)  # a JPEG, as phones send them
    read = await read_text_in_thread(path)
    assert "118204" in read and check(read).verdict == "no_signs"


def test_without_tesseract_the_caller_hears_so() -> None:
    with pytest.raises(OcrUnavailable):
        read_text(_png(Image.new("RGB", (40, 20), "white")), command="/nonexistent/tesseract")


@pytest.mark.parametrize("data", [b"this is not a picture", b"\x89PNG\r\n\x1a\n cut short"])
def test_a_file_that_is_no_picture_fails_plainly_even_without_tesseract(data: bytes) -> None:
    for command in ("tesseract", "/nonexistent/tesseract"):
        with pytest.raises(NotAPicture):
            read_text(data, command=command)
