"""Recognise what a resident says to the tutor as to a person: a greeting, thanks, goodbye,
"the letters are too small", "slow down", "are you a real person?". Each gets a kind answer
(bot/handlers/courtesy.py), not a lesson search: "bác đi ngủ đây" is no question, "chữ nhỏ
quá" no topic."""

import re
import unicodedata
from enum import Enum

from bot.listening.words import expand, fold


class Said(Enum):
    GREETING = "greeting"
    THANKS = "thanks"
    BYE = "bye"
    TEXT_SIZE = "text_size"
    SLOW = "slow"
    PERSON = "person"  # whether a real person answers


# Folded, shorthand spelled out (words.expand: "tui" is "toi", "hen" is "nhe"). Each phrase,
# with only the words below around it, says the one thing.
_PHRASES: dict[Said, re.Pattern[str]] = {
    Said.GREETING: re.compile(
        r"\b(?:(?:xin )?chao(?: buoi (?:sang|trua|chieu|toi))?|good (?:morning|afternoon|evening)"
        r"|hello|alo|hi)\b"),
    Said.THANKS: re.compile(r"\b(?:cam on|camon|thank you|thank|thanks|thx|tks)\b"),
    Said.BYE: re.compile(
        r"\b(?:di ngu|ngu day|ngu thoi|nghi da|nghi thoi|nghi day|nghi ngoi|nghi chut|tam nghi"
        r"|tam biet|bye|bai bai|goodbye|good night|hen gap lai|hen mai|de mai|mai hoc(?: tiep)?"
        r"|hoc sau|hom khac|luc khac|khi khac|met roi|ban roi|ban viec|di nau com|di cho"
        r"|see you|nghi$)\b"),
    Said.TEXT_SIZE: re.compile(
        r"\b(?:chu (?:nho|be|ti|li ti|nho xiu|be ti)|chu to (?:hon|len|ra)|to chu|phong to"
        r"|(?:khong|chang) (?:nhin|doc) (?:ro|thay|duoc)|nhin khong ro|doc khong ro|mat kem"
        r"|kho doc|kho nhin|(?:text|letters|font) (?:too small|bigger|larger)"
        r"|(?:bigger|larger) (?:text|letters|font))\b"),
    Said.SLOW: re.compile(
        r"\b(?:noi cham|nhan cham|gui cham|cham (?:thoi|lai|chut)|tu tu|nhanh qua|nhanh the"
        r"|slow down|too fast|slower)\b"),
    # "cháu là người thật hay máy thế", "có phải người thật không", "bạn là robot à", "cháu là
    # ai" (or "AI", folded alike: the same answer).
    Said.PERSON: re.compile(
        r"\b(?:nguoi that|nguoi (?:hay|or) (?:la )?(?:may|robot|bot)|tra loi tu dong"
        r"|(?:la|phai) (?:may tinh|may|robot|bot|chatbot|tro ly ao|ai)"
        r"|(?:a |an )?(?:real person|human|robot|bot))"
        r"(?: (?:hay|or) (?:la )?(?:may(?: tinh)?|robot|bot|nguoi|a machine|a bot|a robot))?\b"),
}
# What may stand around such a phrase: whom it is said to or about, particles, "đây", "đã".
_FILLER_WORDS = (
    "a ah ak ba bac ban chau chi chu co con cu da day de di duoc em ha hen hoc hom la lai lam "
    "luc mai minh nay nha nhe nhi nhieu nua oi ong qua rat roi so tam that thi thoi toi u "
    "vang vay voi xin ti chut xiu lat doc nhin thay tiep anh ay the hay phai khong dang noi "
    "chuyen "
    "i m we you your me so much very please now for the it are is am talking to"
)
_FILLER = frozenset(_FILLER_WORDS.split())


def said(text: str) -> Said | None:
    """What `text` says to the tutor as to a person, if it is one of those things alone
    ("cảm ơn cháu nhiều", "thôi nghỉ đã", "chữ nhỏ quá", "cháu nói chậm thôi")."""
    words = expand(fold(text))
    folded = " ".join(words)
    if not folded:
        return None
    lowered = unicodedata.normalize("NFC", text.lower())
    for kind, pattern in _PHRASES.items():
        if pattern.search(folded) is None or not _fits(kind, lowered):
            continue
        if all(word in _FILLER for word in pattern.sub(" ", folded).split()):
            return kind
    return None


# The parts of the day a greeting names, folded, as written.
_PARTS = {"sang": "sáng", "trua": "trưa", "chieu": "chiều", "toi": "tối"}
_PART = re.compile(r"\bchao buoi (sang|trua|chieu|toi)\b")


def part_of_day(text: str) -> str:
    """The part of the day a greeting names ("chào buổi sáng" -> "sáng"), else ""."""
    found = _PART.search(" ".join(expand(fold(text))))
    return _PARTS[found.group(1)] if found else ""


def _fits(kind: Said, lowered: str) -> bool:
    """Whether the marks typed agree: "nghĩ" (think) folds as "nghỉ" (rest) does, "chú nhớ"
    (uncle remembers) as "chữ nhỏ" (small letters), "cháo" (rice soup) as "chào"."""
    marked = lowered != fold(lowered)
    if kind == Said.GREETING:
        return not marked or "chao" not in fold(lowered).split() or "chào" in lowered
    if kind == Said.BYE:
        return "nghĩ" not in lowered
    if kind == Said.TEXT_SIZE and marked:
        return "chu" not in fold(lowered).split() or "chữ" in lowered
    if kind == Said.SLOW and marked:  # "tự tử" folds as "từ từ" does
        return "tu tu" not in fold(lowered) or "từ từ" in lowered
    return True
