"""Whether a mentor's words ask a resident for money: a loan, a transfer, a fee, a top-up."""

import re

from bot.listening.scam import clauses, fold


def _words(*patterns: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(patterns) + r")\b")


# A sum as typed, folded: "2 trieu", "500k", "200.000d" (clauses() drops the dots), "it tien".
_SUM = r"(?:\d[\d ]*(?:k|d|dong|vnd|trieu|tr|ty|ngan|nghin|cu|lit|xi)?|it tien|tien)"
# Money asked of the reader. A mentor coaching for free has no reason to ask for any: a loan
# ("cho cháu mượn 2 triệu"), a transfer ("chuyển cho cháu 500k", "ck cho cháu"), money given
# or sent ("gửi tiền", "đưa cháu 300k"), a fee ("đóng 200k phí tài liệu"), a top-up card.
_ASKS = _words(
    rf"(?:cho|de) (?:\w+ )?(?:muon|vay)(?: (?:\w+ ){{0,2}}?{_SUM})?",
    rf"(?:muon|vay) (?:\w+ ){{0,3}}?{_SUM}",
    r"chuyen khoan", r"chuyen tien", r"chuyen (?:\w+ ){0,3}?\d\w*", r"chuyen (?:cho|giup|vao|qua"
    r"|sang|lai|truoc|gap|ngay) (?:\w+ ){0,2}?(?:chau|con|em|anh|chi|minh|toi|tai khoan|ban)",
    r"(?:gui|dua|nap|tra|dong|nop|bieu|cho) (?:\w+ ){0,3}?(?:\d[\d ]*(?:k|d|dong|vnd|trieu|"
    r"tr|ty|ngan|nghin|cu)\b|tien|phi|le phi)",
    r"(?:mua|nap) (?:giup |ho )?(?:\w+ )?the (?:cao|dien thoai)", r"the cao", r"dat coc",
    r"tam ung", r"thanh toan (?:giup|ho|cho)", r"lay tien")
# Not asked: "đừng chuyển tiền cho ai", "không bao giờ cho ai mượn tiền", "Học Số không thu phí".
_NOT = re.compile(r"\b(?:khong|chua bao gio|dung|cam|cho co|tranh|chang|dau can)"
                  r"(?: \w+){0,3} $")
# Told of as what others do or as a lesson, not asked: "nếu ai bảo chuyển tiền", "cách chuyển
# khoản", "bài chuyển tiền an toàn", "kẻ gian hay hỏi mượn tiền".
_ABOUT = _words(r"(?:neu|khi|he) (?:co )?(?:ai|nguoi|ke|ho|tin|no|ban la)", "ai", r"nguoi la",
                r"ke (?:gian|xau|lua)", r"lua dao", r"tin nhan", "cach", "bai", r"hoc", "tap",
                r"huong dan", r"canh giac", r"can than")
# ... unless the money goes to the mentor: "nếu bác rảnh thì cho cháu mượn", "tk của cháu".
_TO_ME = _words(r"cho (?:chau|con|em)(?! (?:biet|xem|hoi))", r"(?:tai khoan|tk) (?:cua )?"
                r"(?:chau|con|em)", r"(?:chau|con|em) (?:qua|sang|den|toi|ghe)(?: \w+){0,3} lay",
                r"(?:chau|con|em) (?:muon|vay)")
# The mentor pays, the resident is told: "cháu chuyển khoản cho bác 50k tiền xe".
_I_PAY = re.compile(r"\b(?:chau|con|em)(?: (?:se|da|vua|dang|mai|tu))* $")


def asks_for_payment(text: str) -> bool:
    """Whether `text` (a mentor's message to a resident) asks them to lend, transfer, send or
    pay money, however it is phrased; not a warning ("đừng chuyển tiền cho ai"), a lesson
    ("cháu chỉ bác cách chuyển khoản") nor the mentor's own payment."""
    for part in clauses(fold(text)):
        for found in _ASKS.finditer(part):
            before = part[:found.start()]
            borrows = found.group().startswith(("muon", "vay"))  # "cháu mượn bác": asked
            if _NOT.search(before[-40:]) or (_I_PAY.search(before) and not borrows):
                continue
            if _ABOUT.search(before) and not _TO_ME.search(part):
                continue
            return True
    return False
