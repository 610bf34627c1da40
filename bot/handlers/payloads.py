"""Button payloads: short ASCII strings that name an action and its arguments."""

import re
from dataclasses import dataclass

from bot.messages import MAX_PAYLOAD_BYTES

MENU = "menu"
HELP = "help"
PROGRESS = "progress"
RESUME = "resume"
START = "start"
# Mentoring screens (no arguments): the resident's side, becoming a mentor, a mentor's list...
MY_MENTOR = "kem"
BECOME_MENTOR = "mentor"
MENTEES = "mentees"
FIND_MENTOR = "find"
INVITE = "invite"
NEW_CODE = "newcode"
REVOKE_CODE = "revoke"
ENTER_CODE = "code"
SKIP = "skip"
AREA = "area"  # where I live (/noi_o)
# Personal data: agreeing to what is kept, seeing it, erasing it (asked, then confirmed).
AGREE = "agree"
DECLINE = "decline"
MY_DATA = "mydata"
ERASE = "erase"
ERASE_YES = "eraseok"
SCREENS = (MENU, HELP, PROGRESS, RESUME, START, MY_MENTOR, BECOME_MENTOR, MENTEES, FIND_MENTOR,
           INVITE, NEW_CODE, REVOKE_CODE, ENTER_CODE, SKIP, AREA, AGREE, DECLINE, MY_DATA, ERASE,
           ERASE_YES)

_ID = r"[a-z0-9][a-z0-9-]{0,15}"
_GRAMMAR = {
    "c": re.compile(rf"^c:({_ID})$"),  # open a course
    "l": re.compile(rf"^l:({_ID}):({_ID})$"),  # start a lesson
    "q": re.compile(rf"^q:({_ID}):({_ID})$"),  # (re)take a lesson's quiz
    # Start a lesson (l) or its quiz (q) although one is half-finished, asked at place seq.
    "s": re.compile(rf"^s:(\d{{1,9}}):([lq]):({_ID}):({_ID})$"),
    "n": re.compile(r"^n:(\d{1,9})$"),  # next step, at place seq
    "r": re.compile(r"^r:(\d{1,9})$"),  # repeat step, at place seq
    "a": re.compile(r"^a:(\d{1,9}):([1-9])$"),  # answer option k, at place seq
    "k": re.compile(r"^k:([a-z]{2,6}):(\d{1,9})(?::(\d))?$"),  # a mentoring verb on a pairing
    "w": re.compile(r"^w:([a-z0-9][a-z0-9/-]{1,51})$"),  # the place I live (an area id)
}


@dataclass(frozen=True)
class Action:
    """A parsed payload: the action's name and its arguments."""

    name: str
    args: tuple[str, ...] = ()


def parse(payload: str) -> Action | None:
    """Parse a payload; None when it is malformed or unknown (forged, or from an old build)."""
    if not payload.isascii() or len(payload) > MAX_PAYLOAD_BYTES:
        return None
    if payload in SCREENS:
        return Action(payload)
    pattern = _GRAMMAR.get(payload.split(":", 1)[0])
    match = pattern.fullmatch(payload) if pattern else None
    if not match:
        return None
    return Action(payload[0], tuple(group for group in match.groups() if group is not None))


def course(course_id: str) -> str:
    return f"c:{course_id}"


def lesson(course_id: str, lesson_id: str) -> str:
    return f"l:{course_id}:{lesson_id}"


def quiz(course_id: str, lesson_id: str) -> str:
    return f"q:{course_id}:{lesson_id}"


def switch(seq: int, kind: str, course_id: str, lesson_id: str) -> str:
    return f"s:{seq}:{kind}:{course_id}:{lesson_id}"


def next_step(seq: int) -> str:
    return f"n:{seq}"


def repeat(seq: int) -> str:
    return f"r:{seq}"


def answer(seq: int, option: int) -> str:
    return f"a:{seq}:{option}"


def pairing(verb: str, pairing_id: int, option: int | None = None) -> str:
    return f"k:{verb}:{pairing_id}" + (f":{option}" if option is not None else "")


def area(area_id: str) -> str:
    return f"w:{area_id}"
