"""Turn a resident's typed text into the words the matcher compares: folded, unabbreviated."""

import functools
import math
import re
import unicodedata
from collections.abc import Mapping, Set
from itertools import pairwise

from rapidfuzz import fuzz, process

# Chat shorthand and spelling variants, folded (no diacritics), each mapped to the folded words
# lessons use. Applied to lesson text too, so both sides meet on the same words.
SHORTHAND: dict[str, str] = {
    # không (Northern "ko", "k", "kg"; Southern "hông", "hổng", "hem", "hok")
    "ko": "khong", "k": "khong", "kg": "khong", "khg": "khong", "kh": "khong", "hk": "khong",
    "hok": "khong", "hong": "khong", "hem": "khong", "khum": "khong", "hum": "khong",
    "dc": "duoc", "ok": "duoc", "oke": "duoc", "dk": "dang ky", "dky": "dang ky",
    "ntn": "nhu the nao", "j": "gi", "ji": "gi", "z": "vay", "dzay": "vay", "zay": "vay",
    "bik": "biet", "bit": "biet", "bjk": "biet", "vs": "voi", "ak": "a", "ah": "a",
    "mk": "mat khau", "pass": "mat khau", "password": "mat khau", "pw": "mat khau",
    "dt": "dien thoai", "dth": "dien thoai", "sdt": "so dien thoai", "dtdd": "dien thoai",
    "tk": "tai khoan", "stk": "so tai khoan", "ck": "chuyen khoan", "nh": "ngan hang",
    "cccd": "can cuoc", "cmnd": "can cuoc", "cmt": "can cuoc", "cc": "can cuoc",
    "bhyt": "bao hiem y te", "bhxh": "bao hiem xa hoi", "app": "ung dung", "apps": "ung dung",
    "fb": "facebook", "face": "facebook", "phay": "facebook", "zl": "zalo",
    "sms": "tin nhan", "tn": "tin nhan", "vnid": "vneid", "tr": "trieu",
    "hak": "hack", "hach": "hack", "dvc": "dich vu cong", "cskh": "cham soc khach hang",
    "gplx": "giay phep lai xe",
    # The portal's name as its address (dichvucong.gov.vn) writes it, typed so by residents who
    # read it there: the lessons' title words, not a word only the address in a step holds.
    "dichvucong": "dich vu cong",
    # Southern words for the lessons' (mostly standard, Northern) ones
    "tui": "toi", "xai": "dung", "coi": "xem", "vo": "vao", "dzo": "vao", "zo": "vao",
    "gium": "giup", "dum": "giup", "keu": "bao", "nhiu": "nhieu", "hen": "nhe",
    # Central "răng" (sao, why/how); "chi" (gì) is a stopword already. Not "rứa" (vậy): it folds
    # as "rửa" of "rửa tiền" (money laundering, the fake police's story) does.
    "rang": "sao",
    # More chat shorthand. Not spoken forms whose folding is another word: "dìa" (về) is
    # "đĩa", "lẹ" is "lễ", "bịnh" is "bình".
    "ng": "nguoi", "mn": "moi nguoi", "r": "roi", "wa": "qua", "ms": "moi", "lun": "luon",
    "bn": "bao nhieu", "ktra": "kiem tra", "cty": "cong ty", "nv": "nhan vien",
    "nvien": "nhan vien", "dthoai": "dien thoai", "ntin": "nhan tin", "bme": "bo me",
    # Southern "biểu" (bảo: tell someone to), as chat spells it; "cộng tác viên" of job scams.
    "biu": "bao", "ctv": "cong tac vien",
}

# Words whose folding is also another word, read as the lessons' word only where the words
# beside them say so. Southern "thiệt" (thật) but not "thiết" ("cần thiết", "thiết bị"); "biểu"
# (bảo) but not "biểu tượng" (icon); "lộn" (nhầm) after what one does by mistake ("bấm lộn",
# "chuyển lộn"), not "lớn" ("số tiền lớn", "người lớn"). And "tử" (death) of "khai tử", "giấy
# chứng tử", which folds as the particle "từ" does and was dropped with it: the death
# certificate read as the lessons' "khai sinh", "giấy chứng sinh"; as "chết" it is what it is.
_BY_CONTEXT: dict[str, tuple[str, frozenset[str], frozenset[str], frozenset[str]]] = {
    # word: (the lessons' word, never after these, never before these, only after these; a
    # word before or the two words before)
    "thiet": ("that", frozenset({"can"}),
              frozenset({"bi", "hai", "lap", "ke", "yeu", "thuc", "tha"}), frozenset()),
    "bieu": ("bao", frozenset(), frozenset({"tuong", "mau", "hien", "do", "quyet", "dien"}),
             frozenset()),
    "lon": ("nham", frozenset(), frozenset(),
            frozenset({"bam", "chuyen", "khoan", "go", "nhap", "ghi", "gui", "chon", "quet",
                       "goi"})),
    "tu": ("chet", frozenset(), frozenset(), frozenset({"khai", "giay chung"})),
    # Central "chi" (gì) after "cái", "là", "làm" ("VNeID là cái chi", "làm chi"): it folds as
    # "chị" and "chỉ" do, so only there. "rứa" (vậy) but not "rửa" ("rửa tiền", "rửa tay");
    # "ni" (này) after a time or a thing ("sáng ni", "cái ni"). Found in the ninth blind set,
    # whose writer asked as people from Huế and Nghệ An do: "là cái chi rứa" was no question.
    "chi": ("gi", frozenset(), frozenset(), frozenset({"cai", "la", "lam"})),
    "rua": ("vay", frozenset(), frozenset({"tien", "tay", "xe", "bat", "chen", "mat", "rau",
                                           "sach", "chan", "ban"}), frozenset()),
    "ni": ("nay", frozenset(), frozenset(),
           frozenset({"sang", "chieu", "toi", "trua", "bua", "hom", "nam", "thang", "tuan",
                      "cai", "may", "app", "so", "tin", "nguoi", "dem", "luc"})),
}

# How a resident calls the bot, which calls itself "cháu" to an elder ("cháu ơi", "con ơi", "là
# gì vậy cháu", "cài sao con"): no topic, though folded these are also words a question is about
# ("chuyển tiền cho cháu", "cháu nội", "còn", "ảnh", "bán"). Left out only as a vocative: before
# "ơi", or last, after a particle that ends a question. As a topic, "cháu ơi otp là gì" found
# no lesson, and "otp là cái gì hả cháu" the lesson on AI assistants.
_ADDRESS = frozenset({"chau", "con", "anh", "ban"})
_ENDS_A_QUESTION = frozenset({"vay", "ha", "nhe", "nha", "khong", "a", "chua", "chu", "nhi",
                              "ne", "gi", "sao", "roi"})
# How a resident calls themself, opening what they ask ("bác muốn cài VNeID", "mẹ cài vneid",
# "con muốn…"): the asker, no topic. Kept, "mẹ" and "con" weighed as the question's topic,
# and "bác"'s word pair ("bac_muon") as one no lesson holds: "bác/mẹ/con muốn cài vneid" found
# no lesson while "cô/chú muốn cài vneid" did. Not "anh", "má", "bố", "cô": folded they are
# "ảnh" (a photo), "mã" (a code), "bỏ"/"bộ", and mostly "có" ("có cần", "có bị").
_ASKER = frozenset({"toi", "minh", "bac", "chu", "ong", "ba", "me", "con", "chau", "em"})
# Before one of _ASKER, a word that makes it someone else: "thằng cháu", "các con", "của mẹ".
_SOMEONE = frozenset({"thang", "cac", "cua"})
# ... only before what they want, ask or do: "con số", "con trai", "bà con" name a topic.
_ASKS_OR_DOES = frozenset({
    "muon", "can", "dinh", "hoi", "dang", "vua", "moi", "bi", "cai", "lam", "chuyen", "quen",
    "nhan", "gui", "tai", "xem", "hoc", "doc", "nhap", "bam", "quet", "lo", "dung", "tim"})

# Words that carry no topic: pronouns, particles, question words. Dropped after mapping.
# Folding merges some with topic words ("mã" and "ma", "thẻ" and "the"): those stay.
_STOPWORDS = (
    "a ah ba bac bi cac can cau cha chi cho chu co cua da de di do duoc e em gi giup ha hay "
    "hoi khi khong la lai lam luon minh mot nao nay ne nghe nha nhe nhi nhu oi ong o ra roi "
    "sao se ta thang thi thoi toi tren trong tu va vay vao ve voi vui xin xong u uh uhm "
    "chao cam on nhieu hoai bua nua phai het biet that hon hieu "
    # Interjections and chat noises: "ủa passcode là gì" was refused, "ủa" being a word no
    # lesson holds. Not "hông", "hen", "vâng": folded they are "hỏng", "hẹn", "vàng".
    "ua ui hic hix huhu hihi haha hehe kaka ok oke okie okay uk um ak nhen nghen"
)
STOPWORDS = frozenset(_STOPWORDS.split())

# {{ you }}, {% if name %}…: in an author's text, how the learner is addressed, not what it
# is about; typed by someone, not words either.
_PLACEHOLDER = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)


def fold(text: str) -> str:
    """Lower-case, strip the diacritics of Latin letters (đ too), template placeholders,
    punctuation and emoji, collapse spaces. Other scripts keep their marks: a Khmer vowel sign
    is part of the word, not an accent ("ជំនួយ" stays whole). The one fold for typed words:
    the router's too."""
    text = _decomposed(text)
    # Every mark dropped and every other character folded, in one pass in C: the fold of a
    # text with no letter of another script (whose marks are kept), which would be left in
    # it. Character by character, folding the lessons' texts took 0.1 s at each start.
    quick = text.translate(_FOLDED)
    if quick.isascii():
        return " ".join(quick.split())
    return _fold_each(text)


def _decomposed(text: str) -> str:
    """The text without placeholders, lower-cased, đ as d, its marks apart (NFD)."""
    return unicodedata.normalize("NFD", _PLACEHOLDER.sub(" ", text).lower().replace("đ", "d"))


def _fold_each(decomposed: str) -> str:
    """fold of a _decomposed text, a character at a time: each mark kept after a letter of
    another script, dropped after any other."""
    kept: list[str] = []
    marks_kept = False  # whether the last base character was a letter of another script
    for char in decomposed:
        kind = _kind(char)
        if kind is None:  # a combining mark
            if marks_kept:
                kept.append(char)
            continue
        shown, marks_kept = kind
        kept.append(shown)
    return " ".join(unicodedata.normalize("NFC", "".join(kept)).split())


_UNSEEN = frozenset({"Mn", "Mc", "Me", "Cf"})


@functools.lru_cache(maxsize=8192)
def _kind(char: str) -> tuple[str, bool] | None:
    """None for a combining mark or an invisible one; else what the character folds to, and
    whether it is a letter of another script than Latin (its marks are kept). Asked once per
    character: asking unicodedata for every character of every text took 0.3 s at each start,
    indexing the lessons for residents' questions."""
    # Format characters (a zero-width space, a soft hyphen) are as invisible as marks:
    # "tiếp" with one inside (U+200B) is still "tiếp", not "ti ếp".
    if unicodedata.category(char) in _UNSEEN:
        return None
    other_script = char.isalnum() and not (
        char.isascii() or unicodedata.name(char, "").startswith("LATIN"))
    return (char if char.isalnum() or char.isspace() else " "), other_script


class _Folding(dict[int, str | None]):
    """fold's table for str.translate: what each character folds to (None: a mark, dropped),
    asked of _kind once per character; at most _FOLDED_KEPT of them kept (a resident may
    type any of Unicode's)."""

    def __missing__(self, code: int) -> str | None:
        kind = _kind(chr(code))
        shown = None if kind is None else kind[0]
        if len(self) < _FOLDED_KEPT:
            self[code] = shown
        return shown


_FOLDED_KEPT = 8192
_FOLDED = _Folding()


def expand(folded: str) -> list[str]:
    """Folded words with shorthand spelled out ("ko dc" -> "khong duoc"); digits split off
    letters ("24h" -> "24 h") so a number matches however it was glued."""
    words: list[str] = []
    for word in _GLUED_DIGITS.sub(r"\1\3 \2\4", folded).split():
        spelled = SHORTHAND.get(word)
        if spelled is None:
            words.append(word)
        else:
            words.extend(spelled.split())
    words = [_by_context(words, i) if word in _BY_CONTEXT else word
             for i, word in enumerate(words)
             if not (_vocative(words, i) or _asker(words, i) or _exclaimed(words, i))]
    # "thế nào" (how) folds to "the nao", as "thẻ" (card) does: the asking, not a card, in all
    # but a few questions, so "thế" goes like the other question words. So does "cái" of "cái
    # gì" (what), which folds as "cài" (install) does: "otp là cái gì" found the lesson on AI
    # assistants, whose examples ask "cài" it.
    return [word for i, word in enumerate(words)
            if (word, words[i + 1:i + 2]) not in (("the", ["nao"]), ("cai", ["gi"]))]


_GLUED_DIGITS = re.compile(r"(\d)([a-z])|([a-z])(\d)")

# How a question, folded and expanded, asks how to tell the real from the fake ("làm sao biết
# bị lừa", "cách nhận biết", "dấu hiệu nào cho thấy"): the matcher's cue for a step listing the
# signs, and the message check's for a question of the lessons, not a loss told.
HOW_TO_TELL = ("sao biet", "biet sao", "nhan biet", "nhan ra", "phan biet", "dau hieu",
               "nhin sao", "that hay gia", "sao de biet", "sao phat hien", "cach phat hien")


def spoken(text: str) -> str:
    """`text` as the words phrases are looked for in: folded, expanded, space at both ends."""
    return f" {' '.join(expand(fold(text)))} "


def says(said: str, phrases: tuple[str, ...]) -> bool:
    """Whether one of `phrases` is among the words `said` (as `spoken` gives them)."""
    return any(f" {phrase} " in said for phrase in phrases)


def _vocative(words: list[str], i: int) -> bool:
    """Whether word `i` is one of _ADDRESS calling the bot: before "ơi", or last after a
    particle that ends a question ("vậy cháu", "không con"), not "cho cháu" or "cháu nội"."""
    if words[i] not in _ADDRESS:
        return False
    return words[i + 1:i + 2] == ["oi"] or (
        0 < i == len(words) - 1 and words[i - 1] in _ENDS_A_QUESTION)


# An exclamation a message opens with: "chết rồi" (oh no), "trời ơi". "chết" is no word of the
# lessons but the "tử" of "khai tử" spelled out: "chết rồi cô lỡ chuyển 20 triệu cho nó rồi"
# was weighed as a story about something else and got "no lesson".
_EXCLAIMS = {"chet": {"roi", "cha", "me", "thoi"}, "troi": {"oi", "a", "dat"}}


def _exclaimed(words: list[str], i: int) -> bool:
    """Whether word `i` opens the message as an exclamation ("chết rồi…", "trời ơi…")."""
    return i == 0 and words[0] in _EXCLAIMS and words[1:2] != [] and words[1] in _EXCLAIMS[words[0]]


def _asker(words: list[str], i: int) -> bool:
    """Whether word `i` is one of _ASKER as the one who asks: before a verb of _ASKS_OR_DOES,
    with only particles and a call to the bot before it ("cháu ơi bác muốn…", "cho mẹ hỏi"),
    not someone else ("thằng cháu hỏi", "bà con nhận")."""
    return words[i] in _ASKER and words[i + 1:i + 2] != [] and words[i + 1] in _ASKS_OR_DOES \
        and (i == 0 or words[i - 1] not in _ASKER | _SOMEONE) \
        and all(word in STOPWORDS or _vocative(words, j) for j, word in enumerate(words[:i]))


def _by_context(words: list[str], i: int) -> str:
    """Word `i` as the lessons would say it, where it is one of _BY_CONTEXT's in that sense."""
    word = words[i]
    if word not in _BY_CONTEXT:
        return word
    said, not_after, not_before, only_after = _BY_CONTEXT[word]
    before = words[i - 1] if i else ""
    after = words[i + 1] if i + 1 < len(words) else ""
    if before in not_after or after in not_before or (
            only_after and before not in only_after and " ".join(words[max(i - 2, 0):i])
            not in only_after):
        return word
    return said


# A number as typed, once folded: digit groups ("12/3", "2.000.000", "8:30" and "0987.123.456"
# fold to groups apart), with a unit glued on ("500000đ", "500k", "24h", "2tr"); glued after a
# word too ("sdt0912345678", "otp483920"), or before letters of another script, as folding
# leaves them (expand splits digits off letters only later).
_NUMBER = re.compile(r"(?<!\d)(\d+(?: \d+)*)([a-z]{0,4})(?![a-z\d])")


def numbers(folded: str) -> set[str]:
    """Every number of a folded text, and every run of its digit groups ("1/7/2024": "1 7
    2024", "1 7", "7 2024", "1"...): "113, 114, 115" folds to one run of three."""
    held: set[str] = set()
    for match in _NUMBER.finditer(folded):
        groups = match.group(1).split()
        held.update(" ".join(groups[i:j]) for i in range(len(groups))
                    for j in range(i + 1, len(groups) + 1))
    return held


def without_numbers(folded: str, keep: set[str]) -> str:
    """The folded text without each number not in `keep` and its glued unit: a phone number, an
    amount, an OTP code or a date a resident adds ("0912345678", "500000đ", "483920", "12/3")
    says nothing of what the question is about, unless a lesson holds that number ("156",
    "123456", "mức 2")."""
    return _NUMBER.sub(lambda match: match.group(0) if match.group(1) in keep else "", folded)


def content_words(words: list[str]) -> list[str]:
    """The words that say what the text is about."""
    return [word for word in words if word not in STOPWORDS]


def char_grams(words: list[str], sizes: tuple[int, ...] = (3, 4)) -> list[str]:
    """Character n-grams of each word with its edges marked: "_otp_" -> "_ot", "otp", "tp_"...
    They let a misspelt or run-together word still share most of its pieces."""
    grams: list[str] = []
    of: dict[str, list[str]] = {}  # each word's once: a lesson's text repeats its words
    for word in words:
        found = of.get(word)
        if found is None:
            padded = f"_{word}_"
            found = of[word] = [padded[i:i + size] for size in sizes
                                for i in range(len(padded) - size + 1)]
        grams += found
    return grams


# A Vietnamese syllable written without diacritics: onset, rhyme vowels, final consonant.
# A word of this shape is a real word the lessons happen not to use ("truyen", "bong"),
# not a typo, so it is never "mended" into a lesson word it does not mean.
SYLLABLE = re.compile(
    r"(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?"
    r"(uye|uya|oai|oay|oeo|uay|uoi|uou|ieu|yeu|uoi|ai|ao|au|ay|eo|eu|ia|ie|iu|oa|oe|oi|oo|ua|"
    r"ue|ui|uo|uu|uy|ye|ua|ưu|[aeiouy])"
    r"(ch|ng|nh|[cmnpt])?")


def is_syllable(word: str) -> bool:
    """Whether a folded word has the shape of a Vietnamese syllable."""
    return SYLLABLE.fullmatch(word) is not None


# Letters of another script (CJK, Cyrillic, Thai, Khmer...) and their marks: folding leaves
# every letter of a Vietnamese (or English) text ASCII, and the lessons' folded text is ASCII.
_OTHER_SCRIPT = re.compile(r"[^\x00-\x7f]+")


def without_other_scripts(folded: str) -> str:
    """The folded text without its runs of another script ("你好", "привет") when they hold
    fewer letters (_letters) than its Latin letters and digits: a greeting or a name pasted into a
    Vietnamese question says nothing the lessons could answer, and weighed as words no lesson
    holds it refused questions a lesson answers (bench/RESULTS.md, "run-together words and
    other scripts"). A message mostly in another script keeps them, so they weigh as such
    words and it is refused: the matcher cannot read it."""
    other = sum(_letters(char) for char in folded if char.isalnum() and not char.isascii())
    if not other or other >= sum(1 for char in folded if char.isalnum() and char.isascii()):
        return folded
    return " ".join(_OTHER_SCRIPT.sub(" ", folded).split())


def _letters(char: str) -> int:
    """How many Latin letters a letter of another script stands for: a wide one (a Chinese or
    Japanese character, a Korean syllable block) writes a whole syllable, which takes about
    three; a letter of an alphabet (Cyrillic, Thai, Khmer) one."""
    return 3 if unicodedata.east_asian_width(char) in ("W", "F") else 1


class Speller:
    """Splits words typed run together into words the lessons or the shorthand know, and mends
    misspelt words to the nearest word the lessons use (rapidfuzz's ratio)."""

    def __init__(self, counts: Mapping[str, int], pairs: Set[tuple[str, str]] = frozenset(),
                 cutoff: float = 80.0, longest_glued: int = 30) -> None:
        self.vocabulary = set(counts)
        self._pairs = pairs  # the word pairs the lessons hold ("mat", "khau")
        self._choices = sorted(word for word in self.vocabulary if len(word) >= 4)
        self.cutoff = cutoff
        # What a run-together word may be split into: a word the lessons use, weighed by how
        # often (log), or a shorthand ("mk", "dc", "k"), weighed as a word used once. A word of
        # one or two letters only if a syllable could be it ("o", "la", "gi": "odau", "lagi"):
        # "vneids" is not "vneid s", nor "wifi" the "wi fi" of a step's "tắt Wi-Fi".
        self._pieces = {word: math.log1p(count) for word, count in counts.items()
                        if word.isascii() and word.isalpha()
                        and (len(word) >= 3 or is_syllable(word))}
        for short in SHORTHAND:
            if short.isalpha():
                self._pieces.setdefault(short, math.log1p(1))
        self._longest_piece = max(map(len, self._pieces), default=0)
        self.longest_glued = longest_glued  # longer "words" are not words run together

    def unglue(self, folded: str) -> str:
        """The folded text with each word typed run together ("caidat", "giupvoi", "matkhau")
        split into the words it is made of ("cai dat"): a word the lessons and the shorthand do
        not know, no syllable could be, that splits whole into known words, each two of them
        a word pair the lessons hold ("cai dat"), or one of them a particle ("giup voi", "o
        dau") or longer than two letters ("cai vneid"). Not a loan word that splits into
        short syllables by chance: "tivi" is not "ti ví", "game" not "gà mẹ"."""
        split: dict[str, str] = {}  # each word once: a long message repeats its words
        for word in folded.split():
            if word not in split:
                split[word] = " ".join(self.split(word)) if self._glued(word) else word
        return " ".join(split[word] for word in folded.split())

    def _joins(self, pieces: list[str]) -> bool:
        """Whether each two pieces next to each other (their shorthand spelt out) are a word
        pair the lessons hold, or one of them is a particle or longer than two letters."""
        words = [SHORTHAND.get(piece, piece).split() for piece in pieces]
        return all(left[-1] in STOPWORDS or right[0] in STOPWORDS
                   or len(left[-1]) > 2 or len(right[0]) > 2
                   or (left[-1], right[0]) in self._pairs for left, right in pairwise(words))

    def _glued(self, word: str) -> bool:
        return (4 <= len(word) <= self.longest_glued and word.isascii() and word.isalpha()
                and word not in self.vocabulary and word not in SHORTHAND
                and not is_syllable(word))

    def split(self, word: str) -> list[str]:
        """`word` as the fewest known words it is made of; of those splits, the one with the
        most word pairs the lessons hold ("camon": "cam on", not the "ca mon" of two words
        the lessons use more often), then the most used ("nhuthenao": "nhu the nao", not
        "nhut hen ao"); [word] when it is not made of them. A dynamic programme over where
        each piece starts and ends: words of 30 letters at most, pieces of at most the
        longest known word's length, so at most a few thousand look-ups."""
        # best[end][start]: (pieces, minus the pairs held, minus their weight, where the piece
        # before starts) for the splits of word[:end] whose last piece is word[start:end].
        best: list[dict[int, tuple[int, int, float, int]]] = [{0: (0, 0, 0.0, 0)}]
        for end in range(1, len(word) + 1):
            best.append({})
            for start in range(max(0, end - self._longest_piece), end):
                piece = word[start:end]
                if piece not in self._pieces:
                    continue
                first = SHORTHAND.get(piece, piece).split()[0]
                for before, (count, pairs, weight, _) in best[start].items():
                    held = start > 0 and (SHORTHAND.get(word[before:start], word[before:start])
                                          .split()[-1], first) in self._pairs
                    chosen = (count + 1, pairs - held, weight - self._pieces[piece], before)
                    best[end][start] = min(best[end].get(start, chosen), chosen)
        if not best[-1]:
            return [word]
        start = min(best[-1], key=lambda at: best[-1][at])
        if best[-1][start][0] < 2:
            return [word]
        pieces, end = [], len(word)
        while end:
            pieces.append(word[start:end])
            start, end = best[end][start][3], start
        return pieces[::-1] if self._joins(pieces[::-1]) else [word]

    def mend(self, words: list[str]) -> list[str]:
        """Each known word or syllable as it is; an unknown word of 4+ letters that no syllable
        could be (a misspelt "vneid", "passcod", "zalô") as the nearest known word."""
        mended = []
        for word in words:
            if (word in self.vocabulary or len(word) < 4 or not word.isalpha()
                    or is_syllable(word)):
                mended.append(word)
                continue
            best = process.extractOne(word, self._choices, scorer=fuzz.ratio,
                                      score_cutoff=self.cutoff)
            mended.append(best[0] if best else word)
        return mended
