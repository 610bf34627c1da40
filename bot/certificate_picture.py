"""A certificate drawn as a picture (PNG) and as a printable page (PDF), with Pillow and segno.

The fonts are DejaVu (Debian's fonts-dejavu-core), which has every Vietnamese letter; the
QR code holds the address of the public verify page.
"""

import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import segno
from PIL import Image, ImageDraw, ImageFont

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"),
             Path("/usr/local/share/fonts"))
WIDTH, HEIGHT = 1600, 1131  # A4 landscape's proportions: prints on one page
INK = (33, 37, 41)
ACCENT = (176, 32, 38)  # the red of certificates of merit
GOLD = (191, 144, 0)
PAPER = (255, 253, 245)


@dataclass(frozen=True)
class Sheet:
    """Everything a certificate shows, already in the words of its language."""

    title: str  # "GIẤY CHỨNG NHẬN HOÀN THÀNH"
    granted: str  # "Chứng nhận"
    name: str  # "Bác Nguyễn Thị Lan", or "" when the learner gave no name
    finished: str  # "đã hoàn thành khóa học"
    course: str
    date_line: str  # "Ngày 06/12/2026"
    issuer_line: str  # "Đơn vị cấp: ..."
    code_line: str  # "Mã xác minh: ABCD2345"
    verify_url: str  # what the QR code holds


@lru_cache(maxsize=8)
def _font(name: str, size: int) -> ImageFont.FreeTypeFont:
    for folder in FONT_DIRS:
        path = folder / name
        if path.is_file():
            return ImageFont.truetype(str(path), size)
    raise FileNotFoundError(f"{name} not found: install fonts-dejavu-core")


def _centred(draw: ImageDraw.ImageDraw, y: int, text: str, font: ImageFont.FreeTypeFont,
             fill: tuple[int, int, int], width: int = WIDTH) -> int:
    """Draw `text` centred at height `y`, shrinking the font until it fits; the next y."""
    while draw.textlength(text, font=font) > width - 240 and font.size > 18:
        font = font.font_variant(size=font.size - 2)
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    draw.text(((width - (right - left)) / 2 - left, y - top), text, font=font, fill=fill)
    return int(y + (bottom - top) + font.size * 0.6)


def draw(sheet: Sheet) -> Image.Image:
    """The certificate as an image."""
    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    pen = ImageDraw.Draw(image)
    pen.rectangle((30, 30, WIDTH - 30, HEIGHT - 30), outline=ACCENT, width=10)
    pen.rectangle((56, 56, WIDTH - 56, HEIGHT - 56), outline=GOLD, width=3)
    y = _centred(pen, 130, sheet.title, _font("DejaVuSerif-Bold.ttf", 64), ACCENT)
    y = _centred(pen, y + 40, sheet.granted, _font("DejaVuSerif.ttf", 40), INK)
    if sheet.name:
        y = _centred(pen, y + 10, sheet.name, _font("DejaVuSerif-Bold.ttf", 60), INK)
    y = _centred(pen, y + 20, sheet.finished, _font("DejaVuSerif.ttf", 40), INK)
    y = _centred(pen, y + 10, sheet.course, _font("DejaVuSerif-Bold.ttf", 52), ACCENT)
    small = _font("DejaVuSans.ttf", 32)
    qr = segno.make(sheet.verify_url, error="m")
    buffer = io.BytesIO()
    qr.save(buffer, kind="png", scale=8, border=2)
    picture = Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
    side = min(picture.width, 300)
    picture = picture.resize((side, side), Image.Resampling.NEAREST)
    image.paste(picture, (WIDTH - 100 - side, HEIGHT - 100 - side))
    lines = (sheet.date_line, sheet.issuer_line, sheet.code_line)
    bottom = HEIGHT - 110
    for number, line in enumerate(reversed(lines)):
        pen.text((110, bottom - 50 * (number + 1)), line, font=small, fill=INK)
    return image


def png(sheet: Sheet) -> bytes:
    """The certificate as a PNG."""
    buffer = io.BytesIO()
    draw(sheet).save(buffer, format="PNG")
    return buffer.getvalue()


def pdf(sheet: Sheet) -> bytes:
    """The certificate as a one-page PDF, to print (A4 landscape at 150 dpi)."""
    buffer = io.BytesIO()
    draw(sheet).save(buffer, format="PDF", resolution=WIDTH / 297 * 25.4)
    return buffer.getvalue()
