"""Fold typed text for matching: what a word means, not how it was typed."""

import re

from bot.listening.words import fold

__all__ = ["PLACE_KINDS", "fold", "place_key", "typed_number"]

# A typed choice: "2", "số 2", "chọn 2", "câu 2" (folded).
_NUMBER = re.compile(r"^(?:so |chon |cau )?(\d{1,2})$")
# Leading words of a place name that say what kind of place it is, not which one.
PLACE_KINDS = {"phuong", "xa", "p", "x", "thi", "tran", "dac", "khu"}


def typed_number(folded: str) -> int | None:
    """The number a folded text picks ("so 2" -> 2), or None when it is not one."""
    match = _NUMBER.fullmatch(folded)
    return int(match.group(1)) if match else None


def place_key(name: str) -> str:
    """A ward or commune name folded for matching: "Phường Hồng Hà" and "hong ha" agree."""
    words = fold(name).split()
    while len(words) > 1 and words[0] in PLACE_KINDS:
        words = words[1:]
    return " ".join(words)
