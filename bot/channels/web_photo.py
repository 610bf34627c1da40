"""The web chat's photo upload: a picture of a message, read from a size-capped form."""

from dataclasses import dataclass

from aiohttp import BodyPartReader, web

from bot.channels.pictures import MAX_PICTURE_BYTES

# The form's small fields (the session and the message id) are far shorter than this.
MAX_FIELD_BYTES = 128
FIELDS = ("session", "id")


class TooLarge(Exception):
    """A part of the form is longer than its cap: nothing more of it is read."""


@dataclass(frozen=True)
class Upload:
    """What the page's photo form carried: its small fields and the picture's bytes."""

    fields: dict[str, str]
    picture: bytes


async def _read_part(part: BodyPartReader, limit: int) -> bytes:
    """The part's bytes, at most `limit`; TooLarge as soon as it is longer."""
    data = bytearray()
    while chunk := await part.read_chunk(64 * 1024):
        data += chunk
        if len(data) > limit:
            raise TooLarge
    return bytes(data)


async def read_upload(request: web.Request, *,
                      max_bytes: int = MAX_PICTURE_BYTES) -> Upload | None:
    """The multipart form the page sends (session, id, photo); None when it is no such form.
    Raises TooLarge for a picture over `max_bytes`: it is not read to its end. Whether the
    bytes are a picture at all is Pillow's to say, when OCR opens them (bot/listening/ocr.py)."""
    if request.content_type != "multipart/form-data":
        return None
    try:
        reader = await request.multipart()
    except (ValueError, AssertionError):  # a form without its boundary
        return None
    fields: dict[str, str] = {}
    picture: bytes | None = None
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader):  # a nested form: not what the page sends
            return None
        if part.name == "photo" and picture is None:
            picture = await _read_part(part, max_bytes)
        elif part.name in FIELDS and part.name not in fields:
            fields[part.name] = (await _read_part(part, MAX_FIELD_BYTES)).decode(
                "utf-8", errors="replace")
        else:
            return None
    return Upload(fields, picture) if picture is not None else None
