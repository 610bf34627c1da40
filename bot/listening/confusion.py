"""Recognise a learner saying they did not understand the step ("tôi không hiểu", "khó quá")."""

import re
import unicodedata

from bot.listening.words import expand, fold

# Folded, shorthand spelled out (words.expand): "ko hiểu" and "hổng hiểu" both read
# "khong hieu". Each phrase alone says "explain this again".
_PHRASES = re.compile(
    r"\b(?:"
    r"(?:khong|chua|van khong|van chua|cha|chang) (?:hieu|hiu|ro|nam duoc|biet lam|biet)"
    r"|kho (?:qua|hieu|hieu qua|lam|the)|kho vay|kho ghe|kho wa"
    r"|noi lai|giai thich lai|giai thich|chi lai|nhac lai|doc lai|noi ro|noi cham"
    r"|de hieu hon|don gian hon|ngan gon hon|cu the hon|ro hon"
    r"|la sao|nghia la gi|y la gi|la gi vay|hieu sao"
    r"|rac roi|phuc tap|mu mo|lu mu|roi qua|bo tay|chiu thua"
    # An English learner's plea (apostrophes fold to spaces: "don't" -> "don t").
    r"|(?:don t|dont|do not|didn t|did not|can t|cannot) (?:understand|get it|follow)"
    r"|too (?:hard|difficult)|(?:say|explain) (?:it |that |this )?again|not clear"
    r"|i m lost|im lost|(?:i m |im )?confused|confusing|what does (?:it|this|that) mean"
    r")\b"
)
# What may stand around such a phrase and still leave it a plea, not a new question: "gì cả",
# "gì hết", "luôn", "tí nào" end it as "hết" does.
_FILLER_WORDS = (
    "a ah ak ba bac bai ban buoc ca cai cau chau chi cho chu co con cua da doan dau day de di do "
    "duoc em gi giup ha het hoc hoi hong khong la lai lam luc luon ma minh mot nao nay ne nghe nha "
    "nhe nhi noi nua oi ong phan qua roi sao sat ta thi thiet ti toi tron tui u vay voi xin y "
    "yeu "
    "i it this that step please sorry still really all at the me"
)
_FILLER = frozenset(_FILLER_WORDS.split())


# Pleas that folding would lose: "rối" (muddled) folds as "rồi" (done) does.
_MARKED_PLEAS = frozenset({"rối", "rối ghê", "rối lắm", "rối rắm"})


def is_confused(text: str) -> bool:
    """Whether `text` asks to have the current step explained again: a phrase such as "tôi
    không hiểu", "khó quá", "nói lại", "ko hiểu gì hết", with no new topic beside it ("tôi
    không hiểu mã OTP là gì" is a question about OTP, for the lesson finder)."""
    if " ".join(unicodedata.normalize("NFC", text.lower()).split(" ")).strip(" .!?…") in \
            _MARKED_PLEAS:
        return True
    words = expand(fold(text))
    folded = " ".join(words)
    if not folded:
        return "?" in text  # a bare "???" means "I'm lost" as plainly as words do
    if not _PHRASES.search(folded):
        return False
    # Every plea taken out: "câu này khó quá tôi không hiểu" says it twice.
    rest = _PHRASES.sub(" ", folded).split()
    return all(word in _FILLER for word in rest)
