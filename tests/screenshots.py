"""Draw phone screenshots of an SMS or a Zalo chat with Pillow, for the OCR tests and bench."""

import textwrap
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONTS = Path("/usr/share/fonts/truetype/dejavu")  # Debian's fonts-dejavu-core: Vietnamese letters


def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONTS / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")),
                              size)


def font_available() -> bool:
    """Whether the DejaVu font the drawings use is installed."""
    return (FONTS / "DejaVuSans.ttf").exists()


def sms(sender: str, text: str, *, width: int = 720, dark: bool = False) -> Image.Image:
    """A phone's SMS screen: the sender at the top, the message in a grey bubble."""
    return _screen(sender, [text], width=width, dark=dark, bubble=(233, 233, 235),
                   header=(248, 248, 248), time="10:24")


def zalo(sender: str, texts: list[str], *, width: int = 720) -> Image.Image:
    """A Zalo chat: the blue header bar with the name, white bubbles on a pale blue ground."""
    return _screen(sender, texts, width=width, dark=False, bubble=(255, 255, 255),
                   header=(0, 104, 255), time="Hôm nay 09:15", ground=(226, 233, 241))


def _screen(sender: str, texts: list[str], *, width: int, dark: bool,
            bubble: tuple[int, int, int], header: tuple[int, int, int], time: str,
            ground: tuple[int, int, int] = (255, 255, 255)) -> Image.Image:
    scale = width / 720
    body, small = _font(round(30 * scale)), _font(round(22 * scale))
    title = _font(round(32 * scale), bold=True)
    wrapped = [textwrap.wrap(text, width=34) for text in texts]
    line = round(40 * scale)
    height = round(200 * scale) + sum(len(lines) * line + round(70 * scale) for lines in wrapped)
    if dark:
        ground, bubble, header = (0, 0, 0), (38, 38, 40), (20, 20, 20)
    ink = (240, 240, 240) if dark else (20, 20, 20)
    image = Image.new("RGB", (width, height), ground)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, width, round(110 * scale)), fill=header)
    on_header = (255, 255, 255) if (header[2] > 200 and header[0] < 100) or dark else ink
    draw.text((round(40 * scale), round(36 * scale)), sender, font=title, fill=on_header)
    y = round(140 * scale)
    draw.text((width // 2 - round(60 * scale), y), time, font=small, fill=(140, 140, 140))
    y += round(50 * scale)
    for lines in wrapped:
        box_height = len(lines) * line + round(30 * scale)
        draw.rounded_rectangle((round(24 * scale), y, width - round(90 * scale), y + box_height),
                               radius=round(24 * scale), fill=bubble)
        for index, text in enumerate(lines):
            draw.text((round(48 * scale), y + round(15 * scale) + index * line), text,
                      font=body, fill=ink)
        y += box_height + round(40 * scale)
    return image
