"""Names people give themselves: a name, never a sentence, a link, a phone number, a request
for money or a formula."""

import re
import unicodedata
from itertools import pairwise

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


# The most words a name has ("Tôn Nữ Thị Ngọc Hà"); a longer answer is a sentence...
MOST_WORDS = 5
# ... and a name this long or longer, typed without capitals, is asked about before it is kept.
ASKED_WORDS = 4
# Words of a sentence, never of a name, as typed with their marks: pronouns, verbs of knowing,
# using, forgetting, calling and selling, "không" and its Southern "hổng", pointing and
# question words, words of putting off ("thôi", "khỏi", "đừng"), kin ("vợ ông Ba"), a place
# ("nhà ở xóm Đông"). "Khổng", "Khôi", "Dũng", "Nhã", "Đậu", "Ái" and "Võ" are spelt otherwise.
_SENTENCE_WORDS = frozenset([
    "tôi", "tui", "tao", "mình", "tớ", "bị", "của", "không", "hổng", "hông", "chẳng", "chả",
    "chưa", "biết", "xài", "dùng", "cài", "làm", "hiểu", "muốn", "được", "gì", "sao", "đó",
    "này", "kia", "nọ", "cái", "app", "ứng", "điện", "thoại", "quên", "nhớ", "thôi", "khỏi",
    "đừng", "gọi", "tên", "mẹ", "vợ", "chồng", "con", "ở", "nhà", "bán", "ai", "đâu"])
# Of these, the ones that are given names too ("Hiểu", "Sao"): alone, a name.
_NAMES_TOO = frozenset(["hiểu", "sao", "ứng"])
# The same typed without marks, where no name is spelt so ("dung" may be Dũng, "lam" Lâm,
# "hieu" Hiếu, "hong" Hồng, "khong" Khổng, "khoi" Khôi, "vo" Võ, "nha" Nhã, "ai" Ái, "dau"
# Đậu): "hong nho" is "hổng nhớ".
_BARE_SENTENCE_WORDS = frozenset(["toi", "tui", "tao", "biet", "xai", "app", "gi", "quen",
                                  "nho", "thoi", "goi", "ten", "chong", "con"])
# Words said together that are a sentence, with marks or without.
_SENTENCE_PAIRS = frozenset(["bí mật", "bi mat"])
# Kin said after the first word: "vợ ông Ba" ("bà Tư" is a form and a name).
_KIN_AFTER = frozenset(["ông", "bà"])


def is_sentence(text: str) -> bool:
    """Whether an answer to "what is your name?" is a sentence rather than a name: more than
    MOST_WORDS words, a question mark, or a word no name holds, a single one included ("cái
    app định danh đó tui hổng biết xài", "tôi quên rồi", "gì", "hong nho", "vợ ông Ba")."""
    text = unicodedata.normalize("NFC", text).strip()
    words = [word.strip(".,;:!?…\"'()").lower() for word in text.split()]
    words = [word for word in words if word]
    if len(words) > MOST_WORDS or "?" in text:
        return True
    if not words:
        return False
    pairs = {f"{first} {second}" for first, second in pairwise(words)}
    if pairs & _SENTENCE_PAIRS or _KIN_AFTER & set(words[1:]):
        return True
    marked = any(unicodedata.decomposition(char) for char in "".join(words))
    held = _SENTENCE_WORDS if marked else _BARE_SENTENCE_WORDS
    if len(words) == 1:
        held = held - _NAMES_TOO
    return any(word in held for word in words)


def is_doubtful(text: str) -> bool:
    """Whether a name is long enough (ASKED_WORDS words or more) and typed without capitals,
    so that it may be words said rather than a name: asked about before it is kept."""
    words = text.split()
    return len(words) >= ASKED_WORDS and not all(word[:1].isupper() for word in words)


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
