"""Digit runs and Vietnamese phone numbers in folded text, however grouped, in linear time;
phone numbers read out in Vietnamese words."""

import re
import unicodedata
from collections.abc import Iterator

# Digits with at most one space or dash between any two ("4111 1111 1111 1111", "001 088
# 012 345"): one number, matched whole and greedily once (no ways of grouping to try), its
# digits counted afterwards.
_RUN = re.compile(r"(?<!\d)(?<!\d[ -])\d(?:[ -]?\d)*")
# A date: "03.12.2026", "10-12-2026", "3/12/26". Its digits and an hour's after it ("10 giờ")
# would make ten, shaped like a mobile number.
_DATE = re.compile(r"(?<!\d)\d{1,2}([./-])\d{1,2}\1(?:\d{4}|\d{2})(?!\d)")
# Digits however they are set apart: "0912 - 345 - 678", "(0912) 345 678", "0912_345_678",
# "+84 (0) 912 345 678". Each gap is 1-4 separators, so each digit is matched one way only.
_GROUPED = re.compile(r"(?<![\w+])(?:\+ ?)?\(?\d(?:[ ._/,()-]{1,4}\d|\d)*")
_GROUP = re.compile(r"\d+")
_MOBILE_STARTS = ("03", "05", "07", "08", "09")
_LONGEST = 12  # digits in "+84 (0) 912 345 678"


def runs(folded: str) -> Iterator[tuple[str, tuple[int, int]]]:
    """Each run of digits (one space or dash at most between two) and its span."""
    for found in _RUN.finditer(folded):
        yield found.group(), found.span()


def is_phone(digits: str) -> bool:
    """Whether `digits` make a Vietnamese phone number: a mobile's 10 from 03, 05, 07, 08 or 09,
    a landline's 11 from 02, with 84 for the 0 or not ("84912345678", "840912345678"); no 10-digit
    number starts with 04 or 06 ("0400012345" is a file's code)."""
    if digits.startswith("840"):
        digits = digits[2:]
    elif digits.startswith("84"):
        digits = "0" + digits[2:]
    return (len(digits) == 10 and digits.startswith(_MOBILE_STARTS)) or (
        len(digits) == 11 and digits.startswith("02"))


def without_dates(folded: str) -> str:
    """`folded` with each date's characters replaced by "x", the same length, so that spans
    found in it are the text's own."""
    return _DATE.sub(lambda found: "x" * len(found.group()), folded)


def phones(folded: str) -> list[tuple[int, int]]:
    """The spans of the phone numbers in `folded` (lower case, without diacritics), dates left
    out: in a run of groups ("bài 123 0912 345 678"), the groups that make one."""
    spans = []
    for found in _GROUPED.finditer(without_dates(folded)):
        groups = list(_GROUP.finditer(found.group()))
        first = 0
        while first < len(groups):
            digits, longest = "", None
            for last in range(first, len(groups)):
                digits += groups[last].group()
                if len(digits) > _LONGEST:
                    break
                if is_phone(digits):
                    longest = last
            if longest is None:
                first += 1
                continue
            start = found.start() + groups[first].start()
            end = found.start() + groups[longest].end()
            # With its "+" ("+84 912…"), and its "(" where the ")" is inside ("(0912) 345 678";
            # not "Hùng (0912345678)").
            if first == 0 and ("+" in found.group()[:groups[0].start()]
                               or ")" in folded[start:end]):
                start = found.start()
            spans.append((start, end))
            first = longest + 1
    return spans


# The digits' names, as written with their marks, and as typed without any ("khong chin tam").
# Marked words are only the digits' own: "làm", "từ", "tù" fold to a digit's name but are none.
_DIGIT_WORDS = {"không", "một", "mốt", "hai", "ba", "bốn", "tư", "năm", "lăm", "sáu", "bảy",
                "bẩy", "tám", "chín"}
_BARE_DIGIT_WORDS = {"khong", "mot", "hai", "ba", "bon", "tu", "nam", "lam", "sau", "bay",
                     "tam", "chin"}
_SPOKEN = 8  # digits read out in a row: more than any date or sum said in words
_SPOKEN_WORDS = 3  # of them words at least: "10.12.2026 8 giờ" is a date and an hour
_WORD = re.compile(r"\w+")


def spoken_phone(text: str) -> bool:
    """Whether `text` reads out a phone number: eight digits or more in a row, as words
    ("không chín tám bảy, sáu năm bốn…"), three of them at least, or words and digits ("0987
    sáu năm bốn 321"); other words break the run, punctuation does not."""
    return bool(spoken_phones(unicodedata.normalize("NFKC", text)))


def spoken_phones(text: str) -> list[tuple[int, int]]:
    """Where `text` reads out a phone number (spoken_phone): each such run's span in `text`."""
    spans: list[tuple[int, int]] = []
    digits = words = 0
    start = end = 0
    for match in [*_WORD.finditer(text), None]:  # None: the end closes the last run
        word = match.group().lower() if match else ""
        if word.isdigit() or word in _DIGIT_WORDS or (word.isascii() and word in _BARE_DIGIT_WORDS):
            assert match is not None
            start = match.start() if digits == 0 else start
            named = not word.isdigit()
            digits, words, end = digits + (1 if named else len(word)), words + named, match.end()
            continue
        if digits >= _SPOKEN and words >= _SPOKEN_WORDS:
            spans.append((start, end))
        digits = words = 0
    return spans
