"""Whether a mentor's words ask a resident for money: a loan, a transfer, a fee, a top-up."""

import re

from bot.listening.scam import MONEY, clauses, fold


def _words(*patterns: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(patterns) + r")\b")


# What is asked: a sum as the scam check reads one ("2 triệu", "500k", "năm trăm nghìn", "2
# lít"), or money named without one ("ít tiền", "tiền").
_SUM = rf"(?:{MONEY}|\d[\d ]*\b|it tien\b|tien\b)"
# Money asked of the reader. A mentor coaching for free has no reason to ask for any: a loan
# ("cho cháu mượn 2 triệu"; "mượn điện thoại" is no money), a transfer ("chuyển cho cháu 500k",
# "ck cho cháu"), money given, sent or "helped" with ("gửi tiền", "đưa cháu 300k", "hỗ trợ
# cháu 2 triệu", "bắn cháu 2 lít"), a fee ("đóng 200k phí tài liệu"), a top-up card.
_ASKS = _words(
    rf"(?:cho|de) (?:\w+ )?(?:muon|vay)(?: \w+){{0,2}}? {_SUM}",
    rf"(?:muon|vay) (?:\w+ ){{0,3}}?{_SUM}",
    r"chuyen khoan", r"chuyen tien", r"chuyen (?:\w+ ){0,3}?\d\w*", rf"chuyen (?:\w+ ){{0,3}}?"
    rf"(?:{MONEY})", r"chuyen (?:cho|giup|vao|qua|sang|lai|truoc|gap|ngay) (?:\w+ ){0,2}?"
    r"(?:chau|con|em|anh|chi|minh|toi|tai khoan|ban)",
    rf"(?:gui|goi|dua|nap|tra|dong|nop|bieu|cho) (?:\w+ ){{0,3}}?(?:{MONEY}|tien\b|phi\b|"
    r"le phi\b)",
    rf"(?:ho tro|giup|giup do|ung ho|tai tro|bu) (?:cho )?(?:\w+ ){{0,2}}?(?:{MONEY})",
    rf"ban (?:cho )?(?:chau|con|em|minh)(?: \w+)? (?:{MONEY})",  # "bắn cháu 2 lít": slang
    r"(?:mua|nap) (?:giup |ho )?(?:\w+ )?the (?:cao|dien thoai)", r"the cao", r"dat coc",
    r"tam ung", r"thanh toan (?:giup|ho|cho)", r"lay tien")
# Not asked: "đừng chuyển tiền cho ai", "không bao giờ cho ai mượn tiền", "bác không phải trả
# tiền gì": the "no" right before the verb, in its comma's phrase ("Cô đừng ngại, cho em mượn
# 2 triệu" asks; so does "Cháu không có tiền, bác chuyển cho cháu 500k").
_NOT = re.compile(r"\b(?:khong|ko|chua bao gio|dung|cam|cho co|tranh|chang|dau can)"
                  r"(?: (?:phai|nen|can|bao gio|duoc|co|he|tu|di|bao|lai|them|hay|nhe|may))* $")
# "Bác có rảnh không cho cháu mượn…": the question's "không", negating nothing after it.
_QUESTION = re.compile(r"\bco(?: \w+){1,3} (?:khong|ko) $")
# Told of as what others do or as a lesson, not asked: "nếu ai bảo chuyển tiền", "cách chuyển
# khoản", "bài chuyển tiền an toàn", "kẻ gian hay hỏi mượn tiền".
_ABOUT = _words(r"(?:neu|khi|he) (?:co )?(?:ai|nguoi|ke|ho|tin|no|ban la)", "ai", r"nguoi la",
                r"ke (?:gian|xau|lua)", r"lua dao", r"tin nhan", "cach", "bai", r"hoc", "tap",
                r"huong dan", r"canh giac", r"can than")
# ... unless the money goes to the mentor: "nếu bác rảnh thì cho cháu mượn", "tk của cháu".
_TO_ME = _words(r"cho (?:chau|con|em)(?! (?:biet|xem|hoi))", r"(?:tai khoan|tk) (?:cua )?"
                r"(?:chau|con|em)", r"(?:chau|con|em) (?:qua|sang|den|toi|ghe)(?: \w+){0,3} lay",
                r"(?:chau|con|em) (?:muon|vay)")
# The mentor pays, the resident is told: "cháu chuyển khoản cho bác 50k tiền xe", "con gửi bác
# 200k tiền quà" (the whole sentence, until the resident is the one paying: "bác chuyển…").
_I_PAY = re.compile(r"^(?:\w+ ){0,2}?(?:chau|con|em)(?: (?:se|da|vua|dang|mai|tu|xin))* "
                    r"(?:chuyen|ck|chuyen khoan|gui|goi|dua|tra|bieu|dong|nop|nap|ho tro|ung ho"
                    r"|bu)\b")
_RESIDENT_PAYS = re.compile(r"^(?:\w+ ){0,2}?(?:bac|co|chu|ong|ba|di|cau|thim|mo|anh|chi)"
                            r"(?: \w+){0,2}? (?:chuyen|ck|gui|goi|dua|tra|dong|nop|nap|cho|"
                            r"ho tro|giup|ung ho|ban)\b")
# A bill or a ticket paid to whom it is owed ("trả tiền điện qua app", "đặt cọc vé tàu"): what
# the lessons teach, not money for the mentor.
_BILL = re.compile(r"^(?: \w+){0,2}? (?:tien )?(?:dien|nuoc|internet|wifi|mang|truyen hinh|"
                   r"cap quang|hoc phi|vien phi|bao hiem|dien thoai|ve (?:tau|xe|may bay))\b")


def _sentences(text: str) -> list[list[str]]:
    """Each sentence of `text` as its comma-phrases, read as the scam check reads clauses."""
    folded = fold(text)
    return [phrases for sentence in re.split(r"[.!?;]+(?:\s|$)|\n", folded)
            if (phrases := clauses(re.sub(r",(?=\s|$)", ". ", sentence)))]


def asks_for_payment(text: str) -> bool:
    """Whether `text` (a mentor's message to a resident) asks them to lend, transfer, send or
    pay money, however it is phrased; not a warning ("đừng chuyển tiền cho ai"), a lesson
    ("cháu chỉ bác cách chuyển khoản", "bác nhớ trả tiền điện qua app") nor the mentor's own
    payment ("cháu chuyển khoản cho bác 50k tiền xe")."""
    for phrases in _sentences(text):
        mine = bool(_I_PAY.search(phrases[0]))
        for part in phrases:
            if _RESIDENT_PAYS.search(part):
                mine = False
            for found in _ASKS.finditer(part):
                before, after = part[:found.start()], part[found.end():]
                borrows = "muon" in found.group() or "vay" in found.group()  # "cháu mượn bác"
                if mine and not borrows:
                    continue
                negated = _NOT.search(before[-40:])
                if negated and not _QUESTION.search(before):
                    continue
                if _BILL.search(after) and not _TO_ME.search(part):
                    continue
                if _ABOUT.search(before) and not _TO_ME.search(part):
                    continue
                return True
    return False
