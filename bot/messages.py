"""The engine's whole vocabulary: Incoming from a channel, Outgoing back to it."""

import base64
import json
import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

MAX_PAYLOAD_BYTES = 64
# Typed text acted on; longer gets "too long" (a pasted message to check may be 1,000+),
# unless it is a message to check (bot/handlers/message_check.py reads up to MAX_KEPT_CHARS).
MAX_TEXT_CHARS = 2000
# What the tutor keeps of any text (bot/tutor.py cuts it there, and the web page's box too):
# Telegram's own longest message.
MAX_KEPT_CHARS = 4096
# Channels without push: what others leave for a learner (a mentor's nudge, a reminder) waits
# for their next visit, handed over with the replies of that turn.
PULLED = frozenset({"web", "console"})
# Half of a UTF-16 pair with no other half: JSON's "\ud800" decodes to one, and no database,
# file or platform takes it (SQLite and PostgreSQL refuse to encode it).
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def mend(text: str) -> str:
    """`text` with every lone surrogate replaced by U+FFFD, the character for "unreadable"."""
    return _LONE_SURROGATE.sub("\ufffd", text)


class Kind(StrEnum):
    """What an incoming event is, as far as the tutor cares."""

    TEXT = "text"  # typed text (commands included)
    BUTTON = "button"  # a tapped button: its payload
    START = "start"  # first contact or /start, with an optional deep-link argument
    UNSUPPORTED = "unsupported"  # a sticker, voice note, file... the bot cannot read
    PHOTO = "photo"  # a picture (a screenshot of a message to check): `picture`, then `ocr`


@dataclass(frozen=True)
class Incoming:
    """One thing a user did, normalised by a channel."""

    channel: str
    user_ref: str
    kind: Kind
    text: str = ""  # what was typed; for START, the deep-link argument if any
    payload: str = ""  # the tapped button's payload
    update_id: str | None = None  # the platform's id, for de-duplication
    display_name: str = ""
    # The payloads of the buttons on the message a button was pressed on: proof that this
    # message arrived, where the platform tells (Telegram does).
    pressed_on: tuple[str, ...] = ()
    # Where it came from, for limits a new session must not escape: the web client's address.
    source: str = ""
    # The language of the person's messenger app, where the platform tells (Telegram does):
    # a hint for the learner's locale, never a choice.
    language: str = ""
    forwarded: bool = False  # a message passed on from someone else (Telegram tells)
    picture: bytes = b""  # PHOTO: the picture's bytes, read by OCR before the turn
    # PHOTO, after OCR (bot/tutor.py): "read" (its text is `text`), "unavailable",
    # "not_picture" (no picture Pillow can open) or "failed".
    ocr: str = ""


@dataclass(frozen=True)
class Button:
    """A labelled choice; `payload` is short ASCII that comes back when it is tapped."""

    label: str
    payload: str


def shown_label(label: str) -> str:
    """A button's label on one line, as kept with the buttons shown last (a typed label
    picks its button, bot/handlers/typed_buttons.py)."""
    return " ".join(label.split())


@dataclass(frozen=True)
class Attachment:
    """A file sent with a message, where the channel can carry one (the learner's data)."""

    name: str
    data: bytes
    mime: str = "application/json"


@dataclass(frozen=True)
class Outgoing:
    """One message to send: text, rows of buttons, an optional image under content/ or QR."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    image: str | None = None
    qr: str = ""  # a link to show as a QR code picture (a mentor's invitation)
    invitation: str = ""  # the invitation code that link opens: its picture's address
    attachment: Attachment | None = None  # only in replies to the turn's own learner
    locale: str = "vi"  # the language of the words a channel adds ("answer with a number")
    # The outbox row keeping a messenger reply until it is sent (storage/outbox.py).
    kept_as: int | None = field(default=None, compare=False)
    # Sent only when nothing else waits for the rate limit (a reminder, bot/channels/pacing.py);
    # set by the outbox worker, not kept in the JSON.
    background: bool = field(default=False, compare=False)

    def to_json(self) -> str:
        """This message as JSON text (as the outbox keeps it)."""
        data: dict[str, Any] = {
            "text": self.text, "image": self.image, "qr": self.qr,
            "invitation": self.invitation, "locale": self.locale,
            "buttons": [[[b.label, b.payload] for b in row] for row in self.buttons]}
        if self.attachment is not None:
            file = self.attachment
            data["file"] = [file.name, file.mime, base64.b64encode(file.data).decode()]
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def from_json(cls, body: str) -> "Outgoing":
        """The message that `to_json` wrote."""
        data: dict[str, Any] = json.loads(body)
        buttons = tuple(tuple(Button(label, payload) for label, payload in row)
                        for row in data["buttons"])
        file = data.get("file")
        attachment = Attachment(file[0], base64.b64decode(file[2]), file[1]) if file else None
        return cls(text=data["text"], buttons=buttons, image=data["image"], qr=data["qr"],
                   invitation=data.get("invitation", ""), attachment=attachment,
                   locale=data.get("locale", "vi"))

    def flat_buttons(self) -> list[Button]:
        """Return the buttons in reading order: the order typed digits refer to."""
        return [button for row in self.buttons for button in row]
