"""Names people give themselves: a name, never a link, a phone number, a request for money
or a formula."""

import re
import unicodedata

from bot.listening.scam import asks_for_money, has_contact

MAX_DIGITS = 4  # "Tổ 12", "Lan 1975"; a phone number has nine or more
# Never in a name: markup, handles and emails, paths.
_FORBIDDEN = set("<>@/\\")
# What a spreadsheet reads as a formula at the start of a cell (an organizer's export).
_FORMULA_START = ("=", "+", "-")
# A word starts after a space, a hyphen or an apostrophe: "H'Hen", "K'Bình", "O'Brien".
_WORD_START = re.compile(r"(^|[\s'’-])(\w)")


def is_name(text: str) -> bool:
    """Whether `text` can be shown to others as someone's name: a letter at least, and no
    way to reach anyone and no money asked (Học Số shows the name in its own messages to
    other people)."""
    # Read as shown: full-width "ｚａｌｏ．ｍｅ" is "zalo.me", "＜" is "<".
    text = unicodedata.normalize("NFKC", text).strip()
    return (any(char.isalpha() for char in text) and not _FORBIDDEN & set(text)
            and not text.startswith(_FORMULA_START)
            and sum(char.isdigit() for char in text) <= MAX_DIGITS and not has_contact(text)
            and not asks_for_money(text))


def shown_problem(text: str) -> str | None:
    """Why `text` (a mentor's ward or unit, which residents read in Học Số's messages) may
    not be shown: "marks" for angle brackets (markup), "contact" for a link or a phone
    number, "money" for a request for money; None when it may."""
    text = unicodedata.normalize("NFKC", text)
    if "<" in text or ">" in text:
        return "marks"
    if has_contact(text):
        return "contact"
    return "money" if asks_for_money(text) else None


def capitalised(name: str) -> str:
    """A name typed all in lower case with each word capitalised ("bác hung" -> "Bác Hung");
    one the person capitalised themselves stays as typed ("Thị Lan", "de Rossi")."""
    if name != name.lower():
        return name
    return _WORD_START.sub(lambda match: match.group(1) + match.group(2).upper(), name)
