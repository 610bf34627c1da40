"""Fold typed text for matching: what a word means, not how it was typed."""

import re
import unicodedata

# Leading words of a place name that say what kind of place it is, not which one.
PLACE_KINDS = {"phuong", "xa", "p", "x", "thi", "tran", "dac", "khu"}


def fold(text: str) -> str:
    """Lower-case, strip diacritics (đ too), punctuation and emoji, collapse spaces."""
    text = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    text = "".join(char for char in text if not unicodedata.combining(char))
    text = re.sub(r"[^\w\s]|_", " ", text)
    return " ".join(text.split())


def place_key(name: str) -> str:
    """A ward or commune name folded for matching: "Phường Hồng Hà" and "hong ha" agree."""
    words = fold(name).split()
    while len(words) > 1 and words[0] in PLACE_KINDS:
        words = words[1:]
    return " ".join(words)
