"""Whether a text to check is the resident's own story of what happened to them ("hôm qua có
người gọi cho tôi, xưng là công an…") rather than a message they received, and whether they
say they have not done what they were asked."""

import re

from bot.listening.scam import fold

# Someone else's words or deeds told by the resident: "xưng là công an", "họ bảo tôi…", "có
# người gọi cho tôi", "nhận được cuộc gọi".
_TOLD = re.compile(
    r"\b(?:xung la|tu xung|tu nhan la|gia lam|(?:ho|no|nguoi do|nguoi ta|ong ta|ba ta|thang do|"
    r"con do|ong do|ba do|may dua do|tui no|bon no|chung no) (?:bao|noi|doi|yeu cau|bat|ep|keu|"
    r"goi|nhan|hua|dung|doa|gui|hoi)|co (?:nguoi|ai|thang|dua|mot nguoi|1 nguoi|so la) "
    r"(?:\w+ )?(?:goi|nhan|ket ban|gui|den)|nhan duoc (?:mot |1 )?cuoc goi|"
    r"goi (?:dien )?(?:cho|toi|den) (?:toi|tui|co|bac|chu|ong|ba|minh|em|me|bo))\b")
# The resident as the one it happened to, or a time it happened: "tôi bị", "cô vừa", "hôm qua".
_FIRST_PERSON = re.compile(
    r"\b(?:toi|tui|co|bac|chu|minh|me|bo|ba|ong)(?: (?:cung|lai|thi|da|vua|moi|suyt))* "
    r"(?:bi|da|vua|duoc|nhan|chua|khong|lo|so|hoang|nghe|tin|lam)\b|"
    r"\b(?:hom qua|hom kia|hom truoc|sang nay|trua nay|chieu nay|toi qua|dem qua|luc nay|"
    r"vua roi|tuan truoc|thang truoc|may hom nay)\b")
# What a received message has that a story does not: a vocative to the reader ("Mẹ ơi"), a
# notice's "Quý khách", a code sent.
_MESSAGE_SHAPE = re.compile(r"\b\w+ oi\b|\bquy khach\b|\b(?:otp|ma)\b[^.\n]{0,40}\b\d{4,8}\b")
# "tôi chưa chuyển", "cô không gửi tiền": the resident held back.
_HELD = re.compile(r"\b(?:chua|khong|van chua|chua he|khong he|khong co) "
                   r"(?P<verb>chuyen|gui tien|ck|nop|dua tien|dong tien|tra tien|lam theo|lam gi|"
                   r"cai|bam|doc|dua ma|gui ma|noi|cho)\b")
_MONEY_VERBS = {"chuyen", "gui tien", "ck", "nop", "dua tien", "dong tien", "tra tien"}
# "đã chuyển", "lỡ chuyển": done already (no praise for holding back then).
_DONE = re.compile(r"\b(?:(?:toi|tui|co|bac|chu|minh|me|bo|ba|ong|em|chau)(?: \w+)? (?:da|vua)|lo) "
                   r"(?:chuyen|ck|gui tien|nop|dua tien|dong tien)\b")


def told(text: str) -> bool:
    """Whether `text` reads as the resident's own story: someone else's words or call told
    of, by the one it happened to or with when it happened, and none of a message's shape."""
    folded = fold(text)
    return bool(_TOLD.search(folded) and _FIRST_PERSON.search(folded)
                and not _MESSAGE_SHAPE.search(folded))


def held_back(text: str) -> str:
    """What the resident says they have not done yet: "money" (not sent the money), "other"
    (not installed, tapped or told), or "" (nothing said, or money already sent)."""
    folded = fold(text)
    if _DONE.search(folded):
        return ""
    verbs = {found.group("verb") for found in _HELD.finditer(folded)}
    if verbs & _MONEY_VERBS:
        return "money"
    return "other" if verbs else ""
