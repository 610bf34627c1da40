"""Button payloads: typed classes that pack themselves into short ASCII and unpack what comes back.

A payload is its class's prefix and its fields, joined by ":" ("a:12:3"). A field named `seq`
is the learner's place when the button was shown: the router refuses the press once the place
has moved on (an old button). Bare words ("menu", "progress") are the names of commands
(bot/handlers/registry.py) and need no class.
"""

import re
from dataclasses import dataclass, fields
from functools import cache
from typing import Any, ClassVar, Self, get_type_hints

from bot.messages import MAX_PAYLOAD_BYTES

# The bare-word payloads that several features show; a feature's own ones live in its module.
MENU = "menu"
HELP = "help"
PROGRESS = "progress"
RESUME = "resume"
START = "start"
MY_MENTOR = "kem"
BECOME_MENTOR = "mentor"
MENTEES = "mentees"
FIND_MENTOR = "find"
INVITE = "invite"
NEW_CODE = "newcode"
REVOKE_CODE = "revoke"
ENTER_CODE = "code"
SKIP = "skip"
AREA = "area"
AGREE = "agree"
DECLINE = "decline"
MY_DATA = "mydata"
ERASE = "erase"
ERASE_YES = "eraseok"

ID = r"[a-z0-9][a-z0-9-]{0,15}"  # a course or lesson id
_NUMBER = r"\d{1,9}"
_BARE = re.compile(r"[a-z][a-z0-9]{0,15}")


class PayloadError(ValueError):
    """A payload that cannot be packed: a field out of its format, or over 64 bytes."""


class Payload:
    """Base of typed payloads: subclasses are frozen dataclasses of int and str fields."""

    prefix: ClassVar[str]
    # A field's format (a regex) where it is not the default: an id for str, 1-9 digits for int.
    formats: ClassVar[dict[str, str]] = {}
    # It answers what the last message with buttons asked: pressed on an older one, it is
    # stale (an old "Cô" of the first greeting, pressed in a lesson, asked the name again).
    answers: ClassVar[bool] = False

    @classmethod
    @cache
    def _fields(cls) -> tuple[tuple[str, Any], ...]:
        hints = get_type_hints(cls)
        return tuple((field.name, hints[field.name]) for field in fields(cls))  # type: ignore[arg-type]

    @classmethod
    @cache  # compiled once: every button packs its payload, every press unpacks one
    def _patterns(cls) -> dict[str, re.Pattern[str]]:
        return {name: re.compile(cls.formats.get(name, _NUMBER if kind is int else ID))
                for name, kind in cls._fields()}

    def pack(self) -> str:
        """The payload as a button carries it; PayloadError when it would not come back."""
        parts = [self.prefix]
        for name, kind in self._fields():
            value = getattr(self, name)
            text = str(value)
            if type(value) is not kind or not self._patterns()[name].fullmatch(text):
                raise PayloadError(f"{type(self).__name__}.{name}={value!r}")
            parts.append(text)
        packed = ":".join(parts)
        if len(packed.encode()) > MAX_PAYLOAD_BYTES:
            raise PayloadError(f"{packed!r} is over {MAX_PAYLOAD_BYTES} bytes")
        return packed

    @classmethod
    def unpack(cls, packed: str) -> Self | None:
        """The payload `packed` holds, or None when it is not one of this class."""
        parts = packed.split(":")
        if parts[0] != cls.prefix or len(parts) != len(cls._fields()) + 1:
            return None
        values: dict[str, Any] = {}
        for (name, kind), text in zip(cls._fields(), parts[1:], strict=True):
            if not cls._patterns()[name].fullmatch(text):
                return None
            values[name] = int(text) if kind is int else text
        return cls(**values)

    @classmethod
    def placed(cls) -> bool:
        """Whether the payload acts on the learner's place (and so carries `seq`)."""
        return any(name == "seq" for name, _ in cls._fields())


def is_bare(payload: str) -> bool:
    """Whether a payload is a bare word: a command's name."""
    return bool(_BARE.fullmatch(payload))


@dataclass(frozen=True)
class OpenCourse(Payload):
    """Open a course's list of lessons."""

    prefix = "c"
    course: str


@dataclass(frozen=True)
class StartLesson(Payload):
    """Start a lesson at its first step."""

    prefix = "l"
    course: str
    lesson: str


@dataclass(frozen=True)
class StartQuiz(Payload):
    """(Re)take a lesson's quiz."""

    prefix = "q"
    course: str
    lesson: str


@dataclass(frozen=True)
class Switch(Payload):
    """Start a lesson ("l") or its quiz ("q") although one is half-finished, asked at `seq`."""

    prefix = "s"
    formats: ClassVar[dict[str, str]] = {"kind": r"[lq]"}
    seq: int
    kind: str
    course: str
    lesson: str


@dataclass(frozen=True)
class Next(Payload):
    """The next step, at place `seq`."""

    prefix = "n"
    seq: int


@dataclass(frozen=True)
class Repeat(Payload):
    """Say the step again, at place `seq`."""

    prefix = "r"
    seq: int


@dataclass(frozen=True)
class Choose(Payload):
    """Answer option `option` (1-9) of the question at place `seq`."""

    prefix = "a"
    formats: ClassVar[dict[str, str]] = {"option": r"[1-9]"}
    seq: int
    option: int
