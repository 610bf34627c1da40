"""Fold typed text for matching: what a word means, not how it was typed."""

import re
import unicodedata

# A typed choice: "2", "số 2", "chọn 2", "câu 2" (folded).
_NUMBER = re.compile(r"^(?:so |chon |cau )?(\d{1,2})$")
# Leading words of a place name that say what kind of place it is, not which one.
PLACE_KINDS = {"phuong", "xa", "p", "x", "thi", "tran", "dac", "khu"}


def fold(text: str) -> str:
    """Lower-case, strip the diacritics of Latin letters (đ too), punctuation and emoji,
    collapse spaces. Other scripts keep their marks: a Khmer vowel sign is part of the word,
    not an accent ("ជំនួយ" stays whole)."""
    kept: list[str] = []
    marks_kept = False  # whether the last base character was a letter of another script
    for char in unicodedata.normalize("NFD", text.lower().replace("đ", "d")):
        if unicodedata.category(char).startswith("M"):
            if marks_kept:
                kept.append(char)
            continue
        marks_kept = char.isalnum() and not (
            char.isascii() or unicodedata.name(char, "").startswith("LATIN"))
        kept.append(char if char.isalnum() or char.isspace() else " ")
    return " ".join(unicodedata.normalize("NFC", "".join(kept)).split())


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
