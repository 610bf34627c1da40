"""Read the text of a photo or screenshot of a message with Tesseract's Vietnamese model."""

import asyncio
import functools
import io
import os
import shutil
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

LANGUAGE = "vie"
TESSERACT = os.environ.get("HOCSO_TESSERACT", "tesseract")
# A screenshot is read at this width at most: wider costs time and reads no better.
MAX_WIDTH = 1600
# Tesseract reads letters best when they are at least about 20 px tall: a small photo is
# enlarged to this width first.
MIN_WIDTH = 1000
TIMEOUT = 20  # seconds: a huge or odd picture must not hold a worker thread for long
# Tesseract's OpenMP threads fight each other and the bot for a few shared cores: one thread
# read a screenshot 4-6 times faster here (bench/RESULTS.md). pytesseract hands Tesseract
# this process's environment, so it is set here unless the operator chose otherwise.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")


class OcrUnavailable(Exception):
    """Tesseract or its Vietnamese model (Debian: tesseract-ocr, tesseract-ocr-vie) is not
    installed: the bot can read typed or forwarded text only."""


class OcrFailed(Exception):
    """The picture could not be read: not an image, or Tesseract gave up."""


class NotAPicture(OcrFailed):
    """The file is no picture Pillow can open (a document, a video, a broken file)."""


@functools.cache
def available(command: str = TESSERACT) -> bool:
    """Whether Tesseract and its Vietnamese model are installed (asked once per process)."""
    if not shutil.which(command):
        return False
    # Imported when a photo is read: pytesseract imports numpy, 0.2-0.4 s of CPU that every
    # start of `hocso serve` paid for the few photos residents send.
    import pytesseract

    pytesseract.pytesseract.tesseract_cmd = command
    try:
        return LANGUAGE in pytesseract.get_languages(config="")
    except (OSError, pytesseract.TesseractError, pytesseract.TesseractNotFoundError):
        return False


def _prepared(image: Image.Image) -> Image.Image:
    """Grey, light background, a readable size: what Tesseract reads best and fastest."""
    grey = ImageOps.exif_transpose(image).convert("L")
    # Dark mode (light letters on black) reads poorly: turn it into dark on light.
    histogram = grey.histogram()
    if sum(count * level for level, count in enumerate(histogram)) / max(1, sum(histogram)) < 110:
        grey = ImageOps.invert(grey)
    width, height = grey.size
    if width > MAX_WIDTH or width < MIN_WIDTH:
        scale = (MAX_WIDTH if width > MAX_WIDTH else MIN_WIDTH) / width
        grey = grey.resize((round(width * scale), round(height * scale)), Image.Resampling.LANCZOS)
    return grey


def read_text(picture: bytes | Path | Image.Image, *, command: str = TESSERACT) -> str:
    """The text in `picture` (bytes of a PNG/JPEG, a file, or an image), lines joined by
    newlines. Raises NotAPicture for a file Pillow cannot open, OcrUnavailable without
    Tesseract, OcrFailed for a picture it cannot read.
    Blocks for about a second: call it in a thread (read_text_in_thread) from the bot."""
    try:  # first whether it is a picture at all: that answer needs no Tesseract
        if isinstance(picture, Image.Image):
            image = picture
        elif isinstance(picture, Path):
            image = Image.open(picture)
        else:
            image = Image.open(io.BytesIO(picture))
        image.load()
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError) as error:
        raise NotAPicture(f"not a picture: {error}") from error
    if not available(command):
        raise OcrUnavailable(f"{command} with the '{LANGUAGE}' model is not installed")
    import pytesseract  # (imported by `available` already)

    pytesseract.pytesseract.tesseract_cmd = command
    try:
        text = pytesseract.image_to_string(_prepared(image), lang=LANGUAGE,
                                           config="--psm 4", timeout=TIMEOUT)
    except (RuntimeError, pytesseract.TesseractError) as error:  # RuntimeError: the timeout
        raise OcrFailed(f"tesseract: {error}") from error
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


async def read_text_in_thread(picture: bytes | Path | Image.Image, *,
                              command: str = TESSERACT) -> str:
    """read_text off the event loop, so that other residents are answered meanwhile."""
    return await asyncio.to_thread(read_text, picture, command=command)
