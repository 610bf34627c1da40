"""Is this message a scam? Red flags found by fixed rules, offline, each explained and linked
to the lesson that teaches it (the words and links live in content/scam/flags.yaml)."""

import functools
import re
import unicodedata
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz

from bot.config import PROJECT_ROOT
from bot.lessons.flags import BASE_LOCALE, Brand, FlagRules, FlagText, load_flag_rules
from bot.listening import numbers

# How much each flag weighs. A verdict adds the weights of the flags found: 4 or more is
# "scam", 2 or more "suspicious". A claim alone (1) says nothing: genuine notices name their
# sender too. The strong ones (4) are what no genuine sender does.
WEIGHTS = {
    "otp_request": 4, "link_fake": 4, "link_apk": 4, "gambling": 4, "link_ip": 3,
    "link_short": 2, "link_odd": 2, "install_app": 2, "urgency": 2, "secrecy": 2,
    "money_request": 2, "family_emergency": 2, "task": 2, "prize": 2, "loan": 2,
    "easy_job": 2, "invest": 2, "personal_number": 2, "foreign_number": 2, "recovery": 2,
    "id_request": 2, "new_number": 2, "borrow": 2, "wrong_transfer": 2,
    # Money the reader is "entitled to" claimed at a stranger's site or Zalo: what C06 (Bộ Công
    # an) warns of as the trick itself ("nhận 100.000 đồng dịp 2/9"), no office pays so.
    "benefit_link": 4,
    # shown as benefit_link: a refund only ("hoàn tiền vé") claimed at a site that is no
    # brand's: travel and shopping sites outside the brand list refund so too
    "benefit_link_weak": 3,
    "account_request": 3,
    # a remote-control app to install or open: the stranger sees and taps on the phone
    "remote_app": 4,
    "money_request_weak": 1,  # shown as money_request: a transfer asked with no sum or fee
    # shown as invest: a rate no real investment pays (per day, per week, 3 % or more a
    # month) with a promise of no loss, or either of those with crypto ("USDT lãi 30%/tháng")
    "invest_strong": 4,
    "easy_job_strong": 4,  # shown as easy_job: likes or hearts paid by the piece
    # shown as prize: a prize to be claimed at a site that is no brand's own ("Nhận quà tại
    # dienmayxanh-quatang.com"); a genuine advertiser's offer carries its opt-out (`_OPT_OUT`)
    "prize_strong": 4,
    # A call-forwarding code to dial ("**21*số#"): every call, the bank's spoken OTP too, goes
    # to the thief's phone (ANTV, Bộ Công an; VinaPhone's warnings, plo.vn).
    "call_forward": 4,
    # A friend or acquaintance of a relative relaying their request for money ("Hùng nhờ con
    # nhắn cô chuyển giúp 3 triệu"): the relative is not there to be asked.
    "kin_friend": 2,
}
SCAM, SUSPICIOUS = 4, 2

# Letters that look like Latin ones (Unicode's confusables, the ones scammers use): NFKC
# already maps full-width and mathematical letters, not Cyrillic or Greek look-alikes.
_CONFUSABLES = str.maketrans({
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
    "с": "c", "т": "t", "у": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s", "һ": "h", "ԁ": "d",
    "ԛ": "q", "ѡ": "w", "ո": "n", "ս": "u", "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i",
    "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ω": "w", "ð": "d",
    "đ": "d", "ɑ": "a", "ı": "i", "ℓ": "l", "０": "0",
})
# Cyrillic, Greek and Armenian letters: where a link's name holds one, it only looks Latin.
_OTHER_ALPHABET = re.compile("[\u0370-\u03ff\u0400-\u052f\u0530-\u058f]")
_FOREIGN_WORD = re.compile(r"(?<!\S)(?=\S*\.)\S*[\u0370-\u03ff\u0400-\u052f\u0530-\u058f]\S*")
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a",
                       "$": "s"})
_TOKEN = re.compile(r"[a-z0-9@$]+")
# ... "1tr5", "2k5": a million and a half, two and a half thousand
_UNIT = re.compile(r"\d+(?:(?:tr|ty|cu|k)\d{1,3}|tr|trieu|ty|vnd|usd|dong|ngan|nghin|cu|xu|kg|"
                   r"km|gb|mb|ph|usdt)")
# How people shorten words when texting: read as the words they stand for.
_ABBREVIATIONS = {"e": "em", "a": "anh", "c": "chi", "ko": "khong", "k": "khong", "hok": "khong",
                  "kh": "khong", "dc": "duoc", "tk": "tai khoan", "ck": "chuyen khoan",
                  "mk": "minh", "sdt": "so dien thoai", "tr": "trieu", "nt": "nhan tin",
                  "ib": "inbox", "stk": "so tai khoan", "bh": "bao gio", "j": "gi"}
# Letters spelled one by one to slip past filters: "O T P", "m.a O.T.P", "m-a-t k-h-a-u".
_SPACED = re.compile(r"(?<![a-z0-9])[a-z](?:(?: |\.|-|_|\*){1,2}[a-z](?![a-z0-9])){2,}")
# A question's "không," after the word it asks about ("rảnh không,"); not "tuyệt đối không,"
# (never, however it goes on) nor "không," opening a clause ("nhắc bà con: không, dù ai…").
_ASKED_COMMA = re.compile(r"(?<=[a-z0-9] )(?<!tuyet doi )(?<!hoan toan )(?<!nhat dinh )"
                          r"(?<!chac chan )(?<!tuyet )(khong|ko|k|kh|hok|chua) *,")
_DOTTED = re.compile(r"(?<![a-z0-9])[a-z](?:\.[a-z](?![a-z0-9]))+")

_TLDS = ("com|net|org|vn|info|xyz|top|vip|club|online|site|shop|store|app|io|me|cc|co|biz|"
         "asia|live|link|click|icu|buzz|tk|ml|ga|cf|gq|pw|ws|ru|cn|us|win|bet|fun|space|"
         "website|tech|pro|cloud|work|today|life|world|one|best|cyou|sbs|lat|ly|gl|gd|to|at|"
         "id|in|sh|im|tv|cx|su|xin|ink|lol|mobi|name|rest|monster|quest|bar|help|support|gy|li|"
         "so|ee|de|fr")
# An app package named in the text, linked or not ("Tải app: vaytien-nhanh.apk").
_APK = re.compile(r"[a-z0-9_-]\.apk\b")
_LABELS = r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.){1,8}"
# An address written bare is an IP only when each part could be one: "2.000.000.000" (an
# amount written with dots) has parts no address writes ("000").
_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_OCTETS = rf"(?<![\d.]){_OCTET}(?:\.{_OCTET}){{3}}"
# After "https://" or "www." any top-level domain (rb.gy, s.id); without, only known ones, so
# that "ngay.Vui lòng" is no link.
_URL = re.compile(
    r"(?:(?:https?|hxxps?)://|www\.)(?P<host>\d{1,3}(?:\.\d{1,3}){3}|" + _LABELS + r"[a-z]{2,})"
    r"(?![a-z0-9-])(?::\d{2,5})?(?P<path>/[^\s\"'<>)]*)?|"
    r"(?P<bare>" + _OCTETS + "|" + _LABELS + rf"(?:{_TLDS}))(?![a-z0-9-])(?::\d{{2,5}})?"
    r"(?P<barepath>/[^\s\"'<>)]*)?")
_ODD_TLDS = {"xyz", "top", "vip", "club", "online", "site", "shop", "icu", "buzz", "tk", "ml",
             "ga", "cf", "gq", "pw", "cyou", "sbs", "lat", "win", "bet", "fun", "live", "click",
             "link", "info", "rest", "monster", "quest", "bar", "work", "cc", "xin", "lol",
             "support", "help", "su", "ws"}
_SHORTENERS = {"bit.ly", "bitly.com", "tinyurl.com", "goo.gl", "rb.gy", "cutt.ly", "cutt.us",
               "shorturl.at", "is.gd", "v.gd", "ow.ly", "tiny.cc", "s.id", "t.ly", "t.co",
               "rebrand.ly", "shorten.asia", "link1s.com", "bom.so", "bom.to", "tinyurl.vn",
               "short.gy", "urlz.fr", "surl.li", "u.to", "clck.ru", "qrco.de", "linktr.ee"}
# Second-level names under which a registrant's own name is the third label (evn.com.vn).
_SECOND_LEVEL = {"com", "net", "org", "gov", "edu", "ac", "biz", "info", "int", "name", "pro",
                 "health", "co"}
_STORES = re.compile(r"\b(?:ch play|google play|app store|appstore|cua hang ung dung)\b")
_MOBILE = re.compile(r"(?<![\d+])(?:\+?84|0)[ .-]?[35789](?:[ .-]?\d){8}(?!\d)")
# "+371 2345 6789" and not "+300.000 VND" or "+1.250.000.000 VND" (balance changes): 9 digits
# or more, the whole run of them, no currency after it.
_SUBSCRIBER = re.compile(r"\b(?:thue bao|tb)(?: so)?\W*$")
_FOREIGN = re.compile(r"(?<![\w+])\+(?!84)(?=(?:[ .-]?\d){9})[1-9]\d{0,2}[ .-]?\d{2,4}"
                      r"(?:[ .-]?\d{2,4}){1,3}(?![.-]?\d| ?(?:vnd|d\b|dong|k\b|000))")
# Nine digits or more in a row, single spaces, dots or dashes between them: a phone number
# (a landline or a hotline too), dates left out ("10.12.2026 8 giờ"), sums too ("2.000.000 đ").
_DIGIT_RUN = re.compile(r"(?<!\d)\d(?:[ .-]?\d){8,}(?![\d.]| ?(?:d|dong|vnd|k|trieu|ty)\b)")
# Keycap digits ("0️⃣9️⃣"): the digit with a variation selector and the keycap mark after it.
_LOOK_ALIKE_DIGITS = str.maketrans("loi", "101")
_KEYCAP = re.compile("[\ufe0f\u20e3]")
# Letters typed for digits inside a number: "09l2345678", "O9I2..." (folded: "o9i2...").
_DIGIT_LIKE = re.compile(r"(?<![a-z])[\dloi]*\d[\dloi]*\d[\dloi]*(?![a-z])")
_HANDLE = re.compile(r"(?<!\w)@[a-z][a-z0-9_.]{2,}")  # "@hotro_vneid": a Telegram or Zalo contact
# How a dot is written so that filters miss it: "。" (which browsers read as a dot), "[.]",
# "(dot)", and spelt out or spaced before a top-level domain ("vneid chấm com", "vneid . com").
_SPELT_DOT = re.compile(r"[。｡．﹒․]|\s*[\[({]\s*(?:\.|dot|chấm)\s*[\])}]\s*|"
                        rf"\s+(?:\.|dot|chấm|cham)\s+(?=(?:{_TLDS}|apk)\b)", re.IGNORECASE)
# Three characters or more each set apart by one space: "v n e i d", "0 9 1 2".
_SPACED_OUT = re.compile(r"(?<!\S)\S(?: \S(?!\S)){2,}")
_CODE_GIVEN = re.compile(r"\b(?:otp|ma(?: xac thuc| xac nhan| xac minh| bao mat| kich hoat)?)\b"
                         r"(?: \w+){0,10}? (?:la |: ?)?\d{4,8}\b")


def _words(*patterns: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(patterns) + r")\b")


_SECRET = _words(r"(?:ma )?otp", "maotp",
                 r"ma (?:vua|da|duoc|(?:gom |co )?\d+ (?:chu )?so|cho (?:em|anh|chi|minh))",
                 r"smart ?otp", r"mat ?khau", "matkhau", "passcode",
                 "password", r"ma (?:xac thuc|xac nhan|bao mat|pin|kich hoat)", "cvv",
                 r"soft ?token", r"(?:ma )?so (?:the|bi mat)", "ma otp",
                 r"day so (?:tren|trong|vua|gui|do)", r"so (?:tren|trong) tin nhan",
                 # a card's details: "16 số trên thẻ", "3 số mặt sau"
                 r"(?:\d+ )?so (?:in )?(?:tren|o) (?:mat truoc |mat sau )?(?:cua )?the",
                 r"\d+ so (?:o )?mat sau",
                 # a code the phone just got: "mã gửi về máy", "mã vừa về điện thoại"
                 r"ma (?:vua )?(?:gui |nhan duoc |den )?ve (?:may|dien thoai|so)")
# Not what was sent already ("đã gửi", "vừa gửi"); "đã" only after a word: a message's first
# "Dạ" (yes, politely) folds alike.
_NOT_SENT_YET = r"(?<!\w da )(?<!vua )"
# Asking a code or a password passed on: to the writer ("đọc lại", "cho em", "nhắn mã này cho
# chúng tôi", "nhắn cho chúng tôi mã OTP"), or told out. Not "đã gửi yêu cầu cho chúng tôi" (a
# bank's thanks above its code): what was sent already, and what was sent "cho chúng tôi" no
# code (`_NOT_SENT_YET`).
_ASK_WORDS = (r"cung cap", r"doc(?: lai| giup| cho| ngay)?",
              _NOT_SENT_YET + r"gui(?: lai| cho| giup| qua)", r"nhan(?: tin)? lai", r"bao lai",
              r"cho (?:em|anh|chi|minh|toi|ben em)", "tiet lo",
              _NOT_SENT_YET + r"(?:nhan(?: tin)?|gui|doc|bao) cho (?:ben )?chung toi"
              r"(?= (?:ma|code|otp)\b)",
              _NOT_SENT_YET + r"(?:nhan(?: tin)?|gui|doc|bao)"
              r"(?= (?:ma|code|otp)\b(?: \w+){0,3}? cho (?:ben )?chung toi\b)")
_ASK_BACK = _words(*_ASK_WORDS)
# "Gửi mã xác nhận… cho chúng tôi" told (a clause's first words, the code right after), not
# "ngân hàng sẽ gửi mã OTP về máy" (a lesson's), "gửi mã OTP cho người lạ là mất hết tiền"
# (a warning) nor "gửi mã xác nhận cho shipper khi nhận hàng" (handed over in person).
_TOLD_TO_SEND = (r"(?:^|(?<=vui long )|(?<=hay ))gui(?= (?:" + _SECRET.pattern + r"))"
                 r"(?!(?: \w+){1,6}? (?:cho (?:nguoi la|ai|nguoi khac)|la (?:mat|bi)|"
                 r"khi (?:nhan|giao) hang)\b)")
_ASK_ANY = _words(*_ASK_WORDS, _TOLD_TO_SEND, r"xac nhan lai", "chup")
# The code a message gave, named right after the verb that asks it passed on.
_THIS_CODE = re.compile(r"(?: (?:lai|giup|ngay|cho))? (?:ma|code|otp)\b")
# Typing a code in is what a genuine app asks too: it counts only where a link leads to a page.
_ASK_ENTER = _words(r"(?<!dang )nhap", r"dien(?! tu| thoai| luc)")
# "dung" and "cam" are also "dụng", "dùng", "cảm": only "đừng"/"cấm" before a verb count.
_NEGATION = _words("khong", "ko", "chua bao gio", "tuyet doi khong", "khong nen",
                   r"(?:dung|cam) (?:bao gio |nen |co )?(?:cung cap|doc|gui|chia se|tiet lo|cho|"
                   r"bao|noi|ke|bam|nhan|dua|chuyen)")
_URGENCY = _words(
    r"(?:bi |se bi |tam |bi tam )?khoa (?:tai khoan|tk|sim|the|so|2 chieu|hai chieu|vinh vien)",
    r"bi khoa", r"tam khoa", r"phong toa", r"(?:bi |se bi |tam )?dong bang",
    r"(?:se )?bi (?:cat|ngung cap|ngat) (?:dien|nuoc|sim)",
    r"cat dien", r"thu hoi (?:so|sim)", r"bi phat", "xu phat", "phat nguoi", r"bi bat",
    r"bat giu", r"lenh bat", r"tam giam", r"truy na", r"khoi to", r"trieu tap", r"rua tien",
    r"ma tuy", r"khan cap", r"ngay lap tuc", r"trong (?:vong )?\d+ ?(?:h|gio|tieng)",
    r"sau \d+ ?(?:h|gio|tieng)", r"sap het han", r"qua han", r"het han (?:hom nay|ngay(?! \d))",
    r"vo hieu hoa",
    r"dang nhap (?:bat thuong|la)", r"thiet bi la", r"(?:chuyen|can|xu ly) (?:tien |khoan )?gap",
    r"gap gap",
    # "điện sẽ bị cắt trong hôm nay", "thuê bao của quý khách sẽ bị cắt ngay nếu không…",
    # "… vào 17h hôm nay"; not a planned outage's "điện sẽ bị cắt từ 8h đến 17h ngày 10/12",
    # "… trong thời gian từ 7h", "… ngày mai" ("ngay" folded is "ngày" as well as "ngay")
    r"(?:dien|nuoc|sim|thue bao)(?: \w+){0,3}? (?:se )?bi (?:cat|ngat|ngung cap)"
    r"(?= (?:ngay(?! \d| mai| kia| mot| thu| chu nhat)|neu|hom nay|luon|sau \d|"
    r"trong (?:hom nay|ngay hom nay|vong|\d)|"
    r"vao (?:luc )?\d+ ?(?:h|gio)(?: ?\d+)?(?: phut)? (?:chieu |toi )?hom nay)\b)",
    r"truoc \d+ ?h(?: ?\d+)?(?: hom nay)?", r"hom nay la han", "tuoc bang",
    r"lien quan (?:den )?(?:duong day|vu an)", r"chung minh trong sach", r"bi tu choi",
    r"(?:dang )?bi dieu tra", r"khong duoc roi khoi", r"ke khai (?:toan bo )?tai san",
    r"(?:vua )?bi tru (?:tien|\d|phi)", r"mat song", r"se bi xoa", r"giao dich dang ngo",
    r"co giao dich (?:bat thuong|la)")
# A line locked, cut off or out of date: a threat to the reader's own, but in a relative's
# new-number message ("con đổi số rồi, sim cũ bị khóa") the writer's excuse for a new one.
_LINE_STATE = re.compile(r"\b(?:khoa|het han|qua han|mat song|vo hieu hoa|thu hoi|sim)\b")
# ... which hurries the reader only with "gấp", "khẩn", "ngay lập tức", "làm ngay". Folded,
# "gấp" is also "gặp" ("mai con gặp mẹ", "tối nay con qua gặp") and "khẩn" "khăn": only where
# they cannot be those (ending a clause after a request, "rất gấp", "khẩn cấp"); "làm ngày
# mai" is no "làm ngay".
_HURRY = re.compile(r"\b(?:chuyen|gui|can|luu|goi|nhan|ck|tra loi|lien he|nap|dong|nop|tra)"
                    r"(?: (?!mai\b|toi\b|chieu\b|sang\b|roi\b|hom\b)\w+){0,4}? "
                    r"gap(?: (?:nhe|nha|lam|qua|a|di|nhat))?(?= \||$)|\b(?:rat|viec) gap\b|"
                    r"\bgap gap\b|\bkhan (?:cap|truong)\b|\b(?:rat|viec) khan\b|"
                    r"\bngay lap tuc\b|"
                    r"\b(?:lam|luu|goi|nhan|chuyen|gui|ck|tra loi|lien he) ngay\b"
                    r"(?! (?:mai|kia|hom|thu)\b)")
# Whose line is locked, named near it: the writer's old one ("sim cũ", "zalo cũ con", "số của
# con") or the reader's ("tài khoản của mẹ", "sim của bố").
_WRITERS_LINE = re.compile(r"\b(?:sim|so|zalo|nick|tai khoan|may|dien thoai|facebook|fb)"
                           r"(?: \w+)? cu\b|\bcua (?:con|em|chau|minh)\b")
_READERS_LINE = re.compile(r"\bcua (?:me|bo|ba|ong|ma|cha|co|chu|bac|di|cau|anh|chi|ban|"
                           r"quy khach)\b")


# "gấp lắm", "gấp quá": folded, also "gặp quá nhiều chuyện", "gặp qua anh ấy" (met). Counted
# only in a message that asks money ("má chuyển con 2tr nha, gấp lắm má ơi"): a favour asked
# "gấp lắm" among colleagues or family ("gửi giúp em cái giấy, gấp lắm ạ") is everyday talk.
_PRESSING = re.compile(r"\bgap (?:lam|qua|lem)\b")


def _pressed(part: str) -> bool:
    """Whether a clause says "gấp lắm", not negated ("không gấp lắm đâu")."""
    return _found(_PRESSING.search(part), part)


def _may_be_gap(text: str) -> bool:
    """Whether the folded "gap" of `text` may be "gấp" (urgent): typed without diacritics, or
    "gấp" typed; with them, "gặp" (to meet) is another word."""
    typed = unicodedata.normalize("NFC", text).lower()
    marked = "đ" in typed or any(map(unicodedata.combining, unicodedata.normalize("NFD", typed)))
    return not marked or "gấp" in typed


# Work planned on the lines: a cut-off it causes threatens nothing ("sẽ bị cắt điện ngày 10/12
# để bảo trì").
_PLANNED = _words(r"de (?:bao tri|bao duong|sua chua|thi cong|nang cap|ve sinh|dau noi|"
                  r"thay the)", r"lich (?:cat|ngung|tam ngung)")


def _urgent(part: str, calm_line: bool) -> re.Match[str] | None:
    """The first urgency in a clause; in a relative's new-number message that does not hurry
    (`calm_line`), not the writer's old line's state named next to it ("sim cũ bị khóa"),
    while the reader's ("tài khoản của mẹ bị khóa") is a threat all the same; not a cut-off for
    planned work."""
    return next((found for found in _URGENCY.finditer(part)
                 if not (calm_line and _LINE_STATE.search(found.group())
                         and _writers_line(part, found))
                 and not (_CUT_OFF.search(found.group()) and _PLANNED.search(part))), None)


def _writers_line(part: str, found: re.Match[str]) -> bool:
    """Whether the line state `found` is said of the writer's old line, not the reader's."""
    near = part[max(0, found.start() - 40):found.end() + 20]
    return bool(_WRITERS_LINE.search(near)) and not _READERS_LINE.search(near)


# Folded, "bí mật" (secret) is also "bị mất" (lost): "con bị mất điện thoại" keeps no secret.
_LOST = (r"dien thoai|dt|may|vi|sim|so|zalo|facebook|fb|nick|tai khoan|the|chia khoa|giay to|"
         r"cccd|can cuoc|cmnd|tien|xe|het|mang|song|lien lac|ket noi|tui|dien|nuoc|nen|roi")
# ... nor is "bị mất 20 triệu", "bị mất năm triệu": a sum lost.
_LOST_SUM = (r"\d|(?:mot|hai|ba|bon|tu|nam|sau|bay|tam|chin|muoi|vai|may)(?: \w+){0,3}? "
             r"(?:trieu|nghin|ngan|ty|cu|tram)\b")
_SECRECY = _words(rf"(?:giu )?bi mat(?! (?:{_LOST})\b| (?:{_LOST_SUM}))",
                  r"khong (?:duoc )?(?:noi|ke|bao) (?:voi |cho )?(?:ai|nguoi)",
                  r"dung (?:noi|ke|bao) (?:voi |cho )?(?:ai|nguoi|gia dinh)",
                  r"dung goi(?: lai| cho)? (?:em|minh|anh|chi|toi|lai|nhe)",
                  # told in a story: "họ bảo không cho ai biết"
                  r"(?:bao|dan|yeu cau|doa)(?: \w+)? (?:khong|dung) cho (?:ai|nguoi)(?: \w+)? biet")
# Whom money is sent to, named without "cho": "mẹ chuyển con 5 triệu", "con gửi mẹ 2 triệu".
_TO = r"(?:em|anh|chi|con|chau|me|bo|ba|ma|cha|ong|ban|minh|toi|co|chu|di|cau|bac)"
# A sum of money as typed or said (folded): "500k", "2tr", "200000d" (clauses drop the dots),
# "năm trăm nghìn", "một triệu rưỡi", "2 lít" and "5 củ" (slang for a hundred thousand, a
# million). Read the same by the mentor's guard (bot/listening/payment.py).
_NUMBER_WORDS = (r"(?:mot|hai|ba|bon|tu|nam|lam|sau|bay|tam|chin|muoi|moi|tram|linh|le|ruoi|"
                 r"nua|vai|may|chuc)")
_SUM_IN_WORDS = rf"{_NUMBER_WORDS}(?: {_NUMBER_WORDS}){{0,4}} (?:trieu|nghin|ngan|ty|cu"
# A sum is "\d+": "chuyển 20 triệu" as well as "chuyển 5 triệu".
# A sum as typed: "20 triệu", "20tr", "500k", "1tr5" (each a word: "\\b20\\b" is not in
# "20tr"), or said: "hai triệu".
_SUM = (r"(?:\d+(?: ?(?:trieu|dong|ngan|nghin|usd|d|(?:k|tr|ty|cu)(?:\d{1,3})?))?|"
        rf"{_SUM_IN_WORDS}))")
# "chuyển tạm cháu 3tr", "chuyển con 2tr" ("2tr" is one word: no "\\b" after its "2").
_TRANSFER = _words(r"chuyen khoan", r"chuyen tien",
                   rf"chuyen (?:gap|giup|vao|ngay|truoc|tam|{_SUM})",
                   rf"(?:chuyen|gui)(?: tam)? {_TO} {_SUM}",
                   r"gui \d+ ?(?:k|trieu|tr|ty|ngan|nghin|cu)",
                   r"ck (?:gap|giup|vao|ngay|truoc|cho|\d+)", r"nap (?:tien|\d+|toi thieu|them)",
                   r"nop (?:tien|phi|phat|thue|le phi|\d+)", r"chuyen (?:lai|tra|cho)",
                   r"(?:tra|gui) lai (?:tien|\d+|giup|cho|vao)", r"dat coc", r"coc truoc",
                   r"(?:chuyen(?: khoan)?|gui|dong|nop) coc",
                   r"dong (?:tam ung|vien phi|le phi)", r"dong (?:tien|phi)",
                   r"phi (?:nhan thuong|ho so|van chuyen|dich vu|xac minh|giai ngan|kich hoat|"
                   r"mo khoa|nhan qua|ship|thu tuc|bao hiem|luu kho|lam ho so|lam thu tuc|"
                   r"thong quan)",
                   r"tai khoan tam giu",
                   # "vào stk", "qua stk", "theo số tk", "sang tài khoản" (stk, tk: expanded)
                   r"(?:vao|qua|den|toi|theo|sang) (?:so tai khoan|tai khoan)", r"chuyen truoc")
_TRANSFER_DIRECT = _words(r"dat coc", r"coc truoc", r"tai khoan tam giu", r"chuyen truoc",
                          r"(?:tai khoan|stk) ca nhan", r"(?:chuyen(?: khoan)?|gui|dong|nop) coc",
                          r"phi (?:nhan thuong|ho so|xac minh|giai ngan|kich hoat|mo khoa|"
                          r"nhan qua|thu tuc|thong quan)", r"nap (?:\d+|toi thieu|them)",
                          r"nop phi")
# Folded words are ambiguous: "ngay" is "ngay" (now) and "ngày" (day), "nha" "nhá" and "nhà";
# those count only after the verb ("chuyển ngay").
_ASKING = _words("vui long", "hay", "can", "phai", "giup", "gap", "de", "yeu cau", "truoc",
                 "vao", "qua stk", "toi thieu", r"cho (?:em|anh|chi|minh|con|toi|ben)", "moi",
                 "nhe", "luon")
_ASKING_AFTER = re.compile(r"(?: \w+){0,4}? (?:gap|giup|ngay|vao|qua stk|toi thieu|nhe|luon|"
                           r"cho (?:em|anh|chi|minh|con|toi|ben))\b")
# An amount or an account number: a request for a sum is stronger than a word about paying.
MONEY = (r"\b\d[\d ]*(?:k|d|dong|vnd|trieu|tr|ty|ngan|nghin|cu|usd|lit|xi)\b|"
         r"\b\d+(?:k|tr|ty|cu)\d{1,3}\b|"
         rf"\b{_SUM_IN_WORDS}|lit|xi)\b")
_AMOUNT = re.compile(MONEY + r"|\b\d{6,}\b|\d ?%|\b(?:stk|so tai khoan)\b")
# The sender sends the money ("em chuyển khoản cho chị", "con tự đóng viện phí"): a promise,
# not a request.
_SENDER = re.compile(r"\b(?:em|con|minh|toi|chau|tao)(?: (?:se|mai|da|vua|dang|chieu|toi nay|"
                     r"lat|sang mai|tu))* $")
# A bill of one's own paid ("Mẹ nhớ đóng tiền điện nha", "chuyển khoản tiền điện cho bố"): with
# no sum and no account named, no money is asked for the writer.
_BILL = re.compile(r" (?:tien )?(?:dien|nuoc|internet|wifi|mang|truyen hinh|cap quang)\b")
# "rồi" ends a clause when it means "already"; "rồi con đóng giúp" is "then".
_PAST = re.compile(r"\broi(?: (?:nhe|nha|a|day|do|chua|nhen|ne))?(?: \||$)|"
                   r"\b(?:da chuyen|da nhan|da ck|thanh cong)\b")
# After the transfer, "rồi nhé" mid-clause ("chuyển 10tr cho bạn con rồi nhé, số tk…": clauses
# drop the comma) ends what was done: a particle after "rồi" makes it "already", never "then".
_PAST_AFTER = re.compile(_PAST.pattern + r"|\broi (?:nhe|nha|nhen|day)\b")
# "bảo tôi chuyển", "yêu cầu bác nộp": someone else tells the writer (or the reader) to pay.
_TOLD = re.compile(r"\b(?:bao|yeu cau|doi|bat|ep|keu|huong dan|de nghi|xui)"
                   r"(?: (?:toi|co|bac|chu|ong|ba|em|anh|chi|minh|me|bo|con|chau|tui))"
                   r"(?: \w+){0,12} $")
_SAVINGS = re.compile(r"\b(?:het|toan bo|tat ca)\b|\btien tiet kiem\b")
# Money sent to an account whose number is given: "cho bạn con, số tk 190333444555".
_ACCOUNT_NUMBER = re.compile(r"\b(?:so tai khoan|tai khoan|stk)(?: \w+){0,3}? \d[\d ]{5,}")
# "mẹ đã gửi 2tr", "bố vừa chuyển": sent already.
# "Thuê bao của Quý khách đã được nạp 50.000đ": money received, not asked.
_DONE = re.compile(r"\b(?:(?:da|vua)(?: moi)?(?: duoc)?|duoc) $")
_TASK = re.compile(r"\bnhiem vu\b.*\b(?:hoa hong|nap|nhan tien|thuong|don hang|rut tien)\b|"
                   r"\b(?:hoa hong|nap)\b.*\bnhiem vu\b|\blam nhiem vu\b|"
                   # orders placed for a shop that sells nothing ("đặt đơn ảo"), paid back
                   # with a commission: the same trick by another name
                   r"\bdon (?:hang )?ao\b|\bhoan tien (?:va |kem |cong )?hoa hong\b|"
                   r"\b(?:tien goc|von) (?:kem |va |cong )?hoa hong\b")
# "nhắn qua Zalo" folds as "nhận quà": a way to write, not a gift. Only a messaging channel:
# "nhận quà app Shopee" is a gift.
_BY = r"(?:zalo|sms|tin nhan|telegram|tele|messenger|mess|email|mail|viber|whatsapp|inbox)"
_PRIZE = _words(r"trung (?:thuong|giai|xe|iphone|qua|ve cao)", r"qua tang", rf"nhan qua(?! {_BY})",
                r"doi qua", r"diem thuong", r"tri an", r"phan thuong", r"quay so", r"vong quay",
                r"hoc bong",
                # "tặng 2 triệu", not "tăng 8%" (a pension rising): both fold to "tang"
                r"tang (?:ban |quy khach |ong ba |moi nguoi )?"
                r"(?:\d+(?![\d ]*%)|qua|tien|iphone|xe)",
                r"duoc tang \d+",
                r"iphone mien phi",
                r"nhan thuong", r"(?:doi|nhan) iphone", r"trung \d+", r"phieu mua hang",
                r"tang (?:phieu|voucher|the cao|ma giam)", r"hoan tien (?:\d|gap|hai|ba) lan",
                r"boi thuong (?:don|\d)", r"duoc nhan \d+")
# Support given ("bạn thuộc diện được hỗ trợ", "nhận hỗ trợ Covid-19"): the bait of a benefit
# to claim, unless the help is technical (`_TECH_HELP`), where only money is one.
# Not "để được hỗ trợ" (contact us "to get help"), a customer-service line, unless money follows.
_HELPED = re.compile(r"\b(?:(?<!de )duoc|nhan) (?:tien )?ho tro\b|\bho tro tien\b")
_HELPED_MONEY = re.compile(rf"\b(?:nhan tien ho tro|ho tro tien)\b|\b(?:duoc|nhan) ho tro "
                           rf"(?:(?:tien|kinh phi|chi phi|(?:mot )?khoan|goi)\b|{MONEY})")
# ... a remote-control app's pretext: "nhân viên hỗ trợ", "để được hỗ trợ cài đặt", "mở khóa".
_TECH_HELP = re.compile(r"\bnhan vien ho tro\b|\bho tro (?:cai dat|ky thuat|cap nhat|mo khoa|"
                        r"tu xa|khoi phuc)\b")


def _prize_finder(words: str, codes: list[str]) -> Callable[[str], re.Match[str] | None]:
    """The prize rule for a message: support given counts as a prize unless the help is
    technical (a remote-control app asked, `_TECH_HELP`) and names no money."""
    technical = "remote_app" in codes or _TECH_HELP.search(words)
    return lambda part: _PRIZE.search(part) or _HELPED_MONEY.search(part) or (
        None if technical else _HELPED.search(part))


# Photos of an ID card or a face, asked "to make a file": enough to open accounts in your name.
# "Cho cháu xin ảnh 2 mặt căn cước", "xin số CCCD và ảnh chụp mặt": asked, "xin" too.
# "Ảnh chụp mặt" is a face only where the phrase ends: "ảnh chụp mặt hàng" (goods), "mặt bằng"
# (premises) are none; the card is "căn cước 2 mặt", "mặt trước (của) thẻ".
_ID_CARD = r"(?:can cuoc|cccd|cmnd)"
_ID_REQUEST = re.compile(
    r"\b(?:gui|cung cap|chup|nhan|dua|xin)(?: \w+){0,3} (?:"
    rf"(?:anh|hinh)(?: chup)? (?:{_ID_CARD}|chan dung|khuon mat|guong mat|2 mat|hai mat)\b|"
    r"(?:anh|hinh) chup mat(?= (?:de|va|voi|nhe|nha|a|luon|cua (?!hang))\b|$)|"
    rf"mat (?:truoc|sau)(?: va mat (?:truoc|sau))?(?: cua)? (?:{_ID_CARD}|the)\b|"
    rf"{_ID_CARD}(?: cua \w+)? (?:2|hai) mat\b)")
# The reader's account number, balance or ID number asked to be read out or sent ("bà đọc giúp
# cháu số tài khoản với số dư", "cung cấp số CCCD"); a card's number is a secret already
# (`_SECRET`). Counted only from someone claiming to be a bank, an office or a company, or
# offering a prize, a job or a loan: a relative asks for an account number to send money to.
_ACCOUNT_DETAIL = (r"(?:so tai khoan|thong tin tai khoan|so du(?: tai khoan)?|"
                   r"so (?:can cuoc|cccd|cmnd|chung minh|dinh danh)(?: cong dan| nhan dan)?)")
# Between the verb and the number, not money going into an account ("gửi tiền vào số tài
# khoản") nor whose it is ("của con").
_ACCOUNT_ASK = re.compile(
    r"\b(?:cung cap|(?<!giam )doc|gui|nhan(?: tin)?|bao (?:lai|cho|giup)|xin|dua|xac nhan|hoi|"
    r"cho (?:em|anh|chi|chau|con|minh|toi|ben em) (?:xin|biet))"
    r"(?: (?!cua\b|tien\b|vao\b|qua\b|sang\b|theo\b|den\b|toi\b)\w+){0,4}? "
    rf"{_ACCOUNT_DETAIL}\b")
# ... unless it is given ("số tài khoản 0123…", "số dư: 5.000.000"), the writer's own ("số tài
# khoản của con"), or asked at a counter or in the bank's own app.
_ACCOUNT_GIVEN = re.compile(r"(?: \w+)? \d|(?: la)? (?:cua|ben) (?:em|con|chau|minh|toi|"
                            r"chung toi|ngan hang|cong ty)\b")
_ACCOUNTS_BANK = re.compile(r"\btai khoan (?:ngan hang|nh)\b")
_ACCOUNT_IN_PERSON = re.compile(r"\b(?:tai|o|den|ra) (?:quay|chi nhanh|phong giao dich|"
                                r"diem giao dich|ngan hang gan nhat)|\btren (?:ung dung|app)\b")
# Paying in person at an office ("nộp tại văn phòng ban quản lý") is how genuine fees are paid.
_IN_PERSON = _words(r"nop (?:tai|o) (?:van phong|tru so|quay|bo phan|nha van hoa|uy ban|ubnd)")
_LOAN = _words(r"vay (?:nhanh|tien|von|online|tin chap|\d)", r"giai ngan",
               r"khong (?:can )?the chap", r"khong tham dinh", r"ho tro vay", r"cho vay",
               r"vay .{0,30}chi can (?:cccd|can cuoc|cmnd)", r"no xau van vay",
               # "thấy anh có nhu cầu vay", "tải app VayNhanh": a loan offered unasked
               r"nhu cau vay", r"(?:app|ung dung) vay", r"vay(?:nhanh|tien|online|von)\w*")
# The reader's own loan, told by its lender ("Khoản vay của Quý khách đã được giải ngân"): no
# offer, unless a mobile or a Zalo is where to get it.
_OWN_LOAN = _words(r"khoan vay (?:\w+ ){0,3}?(?:cua (?:quy khach|ong|ba|ban)|so \d+)",
                   r"(?:da|khoan vay) (?:duoc )?giai ngan")
_EASY_JOB = _words(r"viec nhe", r"luong cao", r"lam (?:viec )?tai nha", "ctv",
                   r"cong tac vien", r"thu nhap (?:tu )?\d", r"lam (?:viec )?online",
                   r"lam (?:viec )?(?:online |onl )?tai nha",
                   r"\d+ ?k(?: \d+ ?k)? (?:moi |1 )?ngay",
                   r"tha tim", r"like", r"tuong tac", r"hoa hong", r"luong hap dan",
                   r"tuyen (?:nhan vien|ctv|dung) online", r"kiem tien (?:online|tai nha|de)",
                   r"viec lam online", r"chot don", r"xem video (?:kiem|nhan)",
                   r"moi (?:luot|don|nhiem vu|video) (?:danh gia )?\d+ ?k",
                   r"nhan viec", r"tuyen \d+ nguoi", r"khong can kinh nghiem",
                   r"(?:ngay|moi ngay|thang|tuan) kiem (?:tu |duoc )?\d", r"khong can von",
                   r"viec lam them", r"lam them (?:tai nha|online|tren dien thoai)")
# Likes, hearts, follows paid by the piece or the day ("like video TikTok nhận 300k/ngày",
# "thả tim mỗi lượt 15k"): a job offered, no task asked yet, but the opener of the task scam
# as official warnings say, so a scam on its own (`easy_job_strong`).
_PAID_LIKES = _words(r"(?:like|tha tim|follow|theo doi kenh|xem video|danh gia|binh luan|share)"
                     r"(?: \w+){0,5}? (?:nhan|kiem|duoc|moi luot|moi video) \d+ ?k")
_INVEST = _words(r"dau tu .{0,40}(?:lai|loi nhuan|hoan von|cam ket)", r"tien ao", "coin",
                 "forex", r"san (?:giao dich|ngoai hoi)",
                 r"lai \d+ ?%? ?(?:moi |1 |mot )?(?:ngay|tuan|thang)",
                 r"cam ket (?:lai|loi nhuan|hoan von)", r"hoan von", r"x2 tai khoan",
                 r"chuyen gia (?:dau tu|tai chinh)", r"nhan doi so tien",
                 r"san (?:vang|chung khoan|tien ao|quoc te|ao)",
                 r"nap \d+ ?(?:trieu|tr|k|nghin|ngan)?.{0,40}\brut (?:ve )?\d")
# What no real investment promises (`invest_strong`): a rate by the day or the week, or 3 % or
# more a month ("lãi 30%/tháng": "/" is gone from clauses), no loss, or crypto to buy.
_HIGH_RATE = re.compile(r"\b(?:lai|loi nhuan|lai suat|sinh loi|nhan lai)(?: \w+){0,2}? "
                        r"(\d+)(?: \d+)? ?% ?(?:(?:moi|1|mot) )?(ngay|tuan|thang)\b")
_NO_LOSS = _words(r"cam ket (?:khong rui ro|hoan von|loi nhuan|lai)", r"hoan von 100",
                  r"(?:bao dam|dam bao) (?:hoan von|loi nhuan|lai|khong lo)",
                  r"khong (?:co )?rui ro", r"chac chan (?:co )?lai", r"khong lo")
_CRYPTO = _words("usdt", "bitcoin", "btc", "eth", r"tien ao", r"tien dien tu", "coin", "crypto")


def _high_rate(words: str) -> re.Match[str] | None:
    """The first rate no real investment pays: by the day or the week, or 3 % or more a
    month ("lợi nhuận 30%/tháng")."""
    return next((found for found in _HIGH_RATE.finditer(words)
                 if found.group(2) != "thang" or int(found.group(1)) >= 3), None)


def _profit_promised(part: str) -> re.Match[str] | None:
    """Such a rate promised as a profit, an investment named or not ("Lợi nhuận 30%/tháng");
    not a loan's interest ("vay lãi suất 1%/ngày"), which is the lender's price."""
    found = _high_rate(part)
    return found if found and not found.group().startswith("lai suat") \
        and not re.search(r"\bvay\b", part) else None


def _invest_strong(words: str) -> bool:
    high = _high_rate(words) is not None
    promised, crypto = bool(_NO_LOSS.search(words)), bool(_CRYPTO.search(words))
    return (high and (promised or crypto)) or (promised and crypto)


# Someone who promises to get back money already lost, for a fee first.
_RECOVERY = _words(r"lay lai tien", r"thu hoi tien", r"hacker mu trang",
                   r"hoan (?:lai )?tien bi lua")
_GAMBLING = _words(r"nha cai", r"ca cuoc", r"ca do", r"cuoc bong da", r"tai xiu", r"xoc dia",
                   r"no hu", "casino", r"danh bac", r"game bai", r"doi thuong", r"lo de",
                   r"soi keo", "baccarat", r"nap lan dau", r"danh de")
_INSTALL = _words(r"(?:tai|cai|cai dat|tai ve|download|cap nhat|cai lai)(?: lai)?"
                  r"(?: (?:mot|1|cai))? (?:ung dung|app|phan mem|apk|ban moi|phien ban)")
# Told to install an app, by a caller the resident tells of ("họ bảo tôi cài một ứng dụng"):
# no genuine office or bank has anyone install an app on their word.
_INSTALL_TOLD = re.compile(r"\b(?:bao|yeu cau|doi|bat|ep|keu|huong dan|de nghi)(?: (?:toi|co|bac|"
                           r"chu|ong|ba|em|anh|chi|minh|me|bo|con|chau|tui|quy khach|ban))?"
                           r"(?: \w+){0,2}? " + _INSTALL.pattern)
_BALANCE = re.compile(r"(?:\bsd\w?|so du(?: kha dung)?)\s*:?\s*[\d.,]{4,}")
_SUPPORT = _words("cskh", r"cham soc khach hang", r"tong dai vien", r"nhan vien ho tro",
                  r"bo phan ho tro")
# Remote-control apps, in the stores but a thief's tool when a stranger has them installed or
# opened ("vào CH Play tải UltraViewer để bên em hỗ trợ"): the stores' names excuse nothing.
# Not right after "không"/"đừng" ("đừng cài UltraViewer theo lời người lạ"), nor after one
# further back in the clause ("ngân hàng không bao giờ yêu cầu cài AnyDesk"): `_found`.
# The remote-control apps a caller has a resident install (the story's reading too).
REMOTE_APPS = r"(?:ultra ?viewer|team ?viewer|any ?desk|quick ?support|airdroid|rust ?desk)"
_REMOTE_INSTALL = re.compile(r"(?<!khong )(?<!dung )(?<!chang )\b(?:tai|cai|cai dat|tai ve|mo|bat)"
                             rf"(?: \w+){{0,3}}? {REMOTE_APPS}\b")
_INSTALL_SENT = _words(r"(?:ung dung|app|phan mem) (?:chung toi|ben em|em|toi|minh) "
                       r"(?:gui|cung cap)")
# Platforms everyone links to: a link there is no fake of the sender a message names.
_PLATFORMS = {"youtube.com", "youtu.be", "facebook.com", "fb.com", "fb.watch", "zalo.me",
              "google.com", "tiktok.com", "apple.com", "microsoft.com", "wikipedia.org"}
_CONTACT = _words("lien he", "lh", "goi", "nhan tin", r"ket ban", "zalo", "hotline", "sdt",
                  "telegram", "tele",
                  r"so dien thoai", r"inbox", r"ib")
_ZALO_CONTACT = _words(r"(?:lien he|lh|nhan(?: tin)?|ket ban|inbox|qua|add|them|goi) "
                       r"(?:zalo|telegram|tele|whatsapp|viber)")
# A registered advertiser must let people refuse ads (Nghị định 91/2020/NĐ-CP): "Từ chối QC".
_OPT_OUT = re.compile(r"\btu choi (?:qc|quang cao)\b|\btc gui \d|\bhuy (?:qc|quang cao)\b")
# Where a pasted message starts or ends after the resident's own words (on folded text).
_PREFACE_END = re.compile(r"[:?\n]")
_ASKED = re.compile(r"\b(?:khong|ko|ha|chua)$")  # a preface phrase that ends a question
_OPENING_WORDS = 6  # at most this many words before the resident's own before a message
_TAIL_WORDS = 5  # at most this many words before a question of theirs after the message
_LAST_LINE = re.compile(r"(?:\n|[.!?](?=\s))\s*(?P<tail>[^\n.!?]{1,80}[.!?]?\s*)$")
# The bank of an account to pay ("vào tài khoản 1903... tại Vietinbank", "stk 0451...
# Techcombank", "tài khoản ngân hàng của bạn con") names where the money goes, not the sender.
_ACCOUNT_BEFORE = re.compile(r"(?:\b\d{6,}|\b(?:so tai khoan|tai khoan)(?: so)?)"
                             r"(?: (?:tai|o|cua|ngan hang|nh|\d{3,}))* $")
# A company that speaks: "Zalo thông báo", "Facebook hỗ trợ".
_SPEAKS = re.compile(r" (?:thong bao|xin thong bao|tb|ho tro|support|canh bao|cskh|team)\b")
# "chuyển qua ngân hàng", "trả bằng ngân hàng", "ra ngân hàng": the way to pay or a place to go.
_THROUGH = re.compile(r"\b(?:qua|bang|ra|den|toi)(?: ngan hang| nh)? $")
_PAYS = _words(r"chuyen(?: khoan| tien)?", "ck", r"(?:nap|gui|tra) tien", "nop", r"(?:dat )?coc",
               r"dong (?:tien|phi|hoc phi|vien phi)", r"thanh toan")
# What is borrowed: "cho em mượn 3 triệu", not "cho em mượn tài khoản" (a different trick).
_SUM_AFTER = re.compile(r"(?: \w+){0,2}? (?:\d|tien\b|it tien)")
# A link where the benefit is claimed: "đăng ký nhận tại", "điền thông tin", "bấm vào".
# Not "nhận" or "xác nhận" alone: "Bạn nhận được hoàn tiền 15.000đ. Xem tại momo.vn" and
# "Yêu cầu hoàn tiền đã được xác nhận" tell of money already on its way.
_CLAIM_AT = _words(r"dang ky", r"(?:de|hay) nhan", r"nhan (?:tai|ngay|qua|tien tai)", "dien",
                   r"khai", r"xac nhan (?:tai|thong tin|so tai khoan|nhan)", r"cap nhat", "bam",
                   r"truy cap", "nhap", r"vao link")


# A writer who says they hold an office no brand names: "em là cán bộ phường", "bên xã".
_SELF_CLAIM = _words(r"la (?:can bo|cong chuc|nhan vien|chuyen vien|to truong|"
                     r"truong (?:thon|ap|khu pho))", r"(?:ben|tu) (?:phuong|xa|uy ban|ubnd)")


# What a caller in the resident's story asked of them (with a claim: at least "suspicious").
_ASKED_OF_TELLER = {"money_request", "money_request_weak", "install_app", "otp_request",
                    "account_request", "id_request", "secrecy", "remote_app"}


@dataclass(frozen=True)
class Verdict:
    """"scam", "suspicious" or "no_signs", with the words for it and the flags behind it."""

    verdict: str
    label: str
    flags: tuple[FlagText, ...]  # what the resident reads about each, and its lessons
    # "no_signs" only: the golden rules, since no sign found does not make a message safe.
    reminder: str = ""
    advice: str = ""  # what to do: don't click, don't call back, how to report (156, 5656)
    # "no_signs" only: the message tells of a relative's new number and asks nothing yet ("mẹ
    # lưu số mới này của con nhé"). A real child writes that too, so it is no red flag; the
    # reply reminds the resident to call the old number first.
    new_number: bool = False

    @property
    def lessons(self) -> tuple[str, ...]:
        """The flags' lessons ("course/lesson"), each once, in the flags' order."""
        return tuple(dict.fromkeys(lesson for flag in self.flags for lesson in flag.lessons))


def fold(text: str) -> str:
    """Lower case without diacritics, look-alike letters and invisible characters: how the
    rules read a message, whichever way it was typed."""
    text = _INVISIBLE.sub("", unicodedata.normalize("NFKC", text)).lower().translate(_CONFUSABLES)
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _unleet(match: re.Match[str]) -> str:
    token = match.group()
    if _UNIT.fullmatch(token):
        return token  # "10tr", "15ty": a sum, not "iotr"
    letters = sum(char.isalpha() for char in token)
    # Only words that mix letters and digits: "t4i kh0an", never "0912", "24h" or "5g".
    return token.translate(_LEET) if letters >= 2 and letters < len(token) else token


def clauses(folded: str) -> list[str]:
    """The message as clauses of plain words: links taken out, l33t and spelled-out letters
    undone, punctuation dropped."""
    text = _URL.sub(" link ", folded)
    text = _TOKEN.sub(_unleet, text)
    text = _DOTTED.sub(lambda m: m.group().replace(".", ""), text)
    text = _SPACED.sub(lambda m: re.sub(r"[ .\-_*]", "", m.group()), text)
    # "Bạn rảnh không, cho mình mượn 3 triệu": a question's "không" negates nothing after it.
    text = _ASKED_COMMA.sub(r"\1.", text)
    # One line break is not a clause's end: a screenshot's lines break mid-sentence.
    parts = re.split(r"[.!?;]+(?:\s|$)|\n\s*\n", text)
    return [" ".join(_ABBREVIATIONS.get(word, word)
                     for word in re.sub(r"[^a-z0-9&%]+", " ", part).split())
            for part in parts if part.strip()]


def registrable(host: str) -> str:
    """The part of a host name its owner registered: vcb-doiqua.vip, evn.com.vn."""
    labels = host.split(".")
    if len(labels) >= 3 and labels[-1] == "vn" and labels[-2] in _SECOND_LEVEL:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


@dataclass(frozen=True)
class _Link:
    host: str
    path: str


# A call-forwarding code to dial, with the number calls go to: "**21*0912…#", "*21*…#", and
# "*#21*…#" as scam messages write it; 61, 62, 67 (unanswered, unreachable, busy), 002 and 004
# (all of them) forward calls too. Asked of the reader by the nhà mạng, bank or wallet "staff"
# a call pretends (ANTV, Bộ Công an; VinaPhone via plo.vn): the thief then has the bank read
# the OTP out to their phone.
_CALL_FORWARD = re.compile(r"(?<![\w*#])(?:\*\*|\*#|\*|##|#)(?:21|61|62|67|002|004)\*"
                           r" ?\+?\d[\d .-]{7,}#?")
# Dialling refused: "tuyệt đối không bấm", "đừng nhấn", "không được gõ" right before the code,
# not a "không" further back ("chị không cần ra cửa hàng, chỉ cần bấm **21*…#").
_DIAL_REFUSED = re.compile(r"\b(?:khong|ko|dung|cam|chang)(?: \w+){0,2}? "
                           r"(?:bam|nhan|go|quay|an|thuc hien|lam theo)\W*$")


def _dial_asked(folded: str) -> bool:
    """Whether a message asks to dial a call-forwarding code, not warns against it."""
    found = _CALL_FORWARD.search(folded)
    before = folded[max(0, found.start() - 60):found.start()] if found else ""
    return bool(found and not _DIAL_REFUSED.search(before) and not _warned(before))


# A friend of the reader's relative or friend ("con là bạn của Hùng con trai cô") asking money
# (`kin_friend`), not the reader's own ("bạn của em mà", "bạn của em, cho chị mượn": commas
# kept, so folded text); "mình" is the name Minh too ("bạn của Minh, Minh đang cấp cứu").
_READER_NAMED = (r"(?:em|anh|chi|ban|co|chu|bac|ong|ba|toi|cau|di|me|bo)"
                 r"(?:\s*[,.!?;]|\s*$| (?:ma|nhe|day|do|nha|a|thoi)\b)")
_KIN_FRIEND = re.compile(r"\bla (?:ban|ban than|ban hoc|nguoi quen|dong nghiep)(?: \w+){0,2}? "
                         rf"cua (?!{_READER_NAMED})")
# A benefit got by reaching someone's own chat ("kết bạn zalo 0901… để được hoàn tiền đền
# bù"): the "lost parcel refund" trick (a stranger's Zalo, then a fake app or link). Not help
# ("để được hỗ trợ") nor a shop's own refund ("nhắn Zalo shop … để được hoàn tiền"): money
# owed as damages or an allowance, which no company or office pays through a chat.
_FOR_BENEFIT = _words(r"tro cap", r"boi thuong", r"den bu", r"(?:tien|goi) ho tro",
                      r"ho tro (?:tien|\d)")
# A refund alone, claimed at a site no brand owns: weighs less (`benefit_link_weak`).
_REFUND = _words(r"hoan tien", r"tien hoan")
# Where a notice sends the reader: the sender's own app, an office or a counter ("Xem chi tiết
# trong ứng dụng BIDV SmartBanking", "gia hạn tại UBND xã"): what banks and the NHNN tell
# people to use instead of links (Thông tư 50/2024/TT-NHNN: no links in banks' messages).
_OWN_CHANNEL = re.compile(r"\b(?:xem|tra cuu|kiem tra)(?: \w+){0,2}? (?:trong|tren|tai) "
                          r"(?:ung dung|app)\b|\b(?:tai|den|ra) (?:ubnd|uy ban|quay|chi nhanh|"
                          r"phong giao dich|diem giao dich|dai ly|co quan bhxh|buu dien|"
                          r"cong an (?:xa|phuong))\b")
# What such a notice may tell and still ask nothing: a prize or points. (A threat stays one:
# "Thuê bao sẽ bị tạm khóa… mang căn cước ra điểm giao dịch" is labelled suspicious.)
_TOLD_ONLY = {"prize"}


def _got_by_chat(part: str, folded: str) -> bool:
    """Whether a clause says to reach someone's own Zalo, Telegram... (a mobile number or an
    "@" handle, not a business's Official Account) to get money ("kết bạn zalo 0901… để được
    hoàn tiền đền bù")."""
    found = _ZALO_CONTACT.search(part)
    return bool(found and _FOR_BENEFIT.search(part, found.end())
                and (_contact_number(part) or _HANDLE.search(folded)))


def _own_channel(codes: list[str], folded: str, words: str, own_site: bool | None
                 ) -> list[str]:
    """`codes` without a prize told by a notice that names no number and asks nothing,
    sending the reader to the sender's own app, office or site ("BIDV: … được tặng 200 điểm
    thưởng. Xem chi tiết trong ứng dụng BIDV SmartBanking", "Chi tiết tại bidv.com.vn").
    `own_site`: whether the message's links all lead to a brand's own site (None: it has
    none)."""
    told = {code for code in codes if not code.startswith("claim_")}
    if not told or not told <= _TOLD_ONLY or own_site is False \
            or not (own_site or _OWN_CHANNEL.search(words)) \
            or _MOBILE.search(folded) or _DIGIT_RUN.search(folded) or _HANDLE.search(folded):
        return codes
    return [code for code in codes if code not in _TOLD_ONLY]


class ScamChecker:
    """Checks messages against the rules; one per content folder, shared by every turn."""

    def __init__(self, rules: FlagRules) -> None:
        self.rules = rules
        self.official = {domain for brand in rules.brands for domain in brand.domains}
        # The names a look-alike domain borrows: "vcb", "vietcombank", "vneid", "dichvucong".
        self.borrowed = sorted({word.replace(" ", "") for brand in rules.brands
                                for word in brand.words if len(word.replace(" ", "")) >= 3}
                               | {label.split(".")[0] for label in self.official
                                  if len(label.split(".")[0]) >= 3}, key=len)
        self._brand_words = [(brand, _words(*(re.escape(word) for word in brand.words)))
                             for brand in rules.brands]
        names = "|".join(re.escape(word) for brand in rules.brands for word in brand.words)
        # How senders sign their notices: "Vietcombank: …", "[VCB] …", or "… Vietcombank".
        self._signature = re.compile(rf"^\W*(?:\[(?:{names})\]|(?:{names}) ?:)"
                                     rf"|[.!\n] *(?:{names}) *[.!]? *$") if names else None
        # content/scam/flags.yaml `signs`, each list as one pattern ("\bword\b" each).
        self._signs = {name: _words(*(re.escape(word) for word in words))
                       for name, words in rules.signs.items()}
        relatives = "|".join(re.escape(word) for word in rules.signs.get("relatives", ()))
        self._vocative = re.compile(rf"\b({relatives}) oi\b") if relatives else None
        # "con tôi", "cháu nội tôi", "con trai của bác": the teller's relative, in a story.
        self._teller_kin = re.compile(
            rf"\b(?:{relatives})(?: (?:trai|gai|noi|ngoai|ruot|ut|ca))? (?:cua )?"
            r"(?:toi|tui|minh|co|bac|chu|ong|ba|me|bo)\b") if relatives else None
        self._hush = _words(rf"(?:dung|khong duoc) (?:noi|ke|bao|cho) (?:voi |cho )?(?:{relatives})"
                            ) if relatives else None
        # Whose phone broke, was lost or changed: "điện thoại mẹ hỏng", "số mới của bố", "con
        # đổi số". That relative writes; another one asked to pay ("con chuyển") is the reader.
        self._phone_gone = re.compile(
            rf"\b(?:dien thoai|dt|may|sim|zalo|nick|so)(?: cu)?(?: cua)? ({relatives})"
            r"(?: (?:bi|da|vua|lai))* (?:hong|mat|rot|vo|hu|khoa)\b"
            rf"|\bso moi (?:la )?cua ({relatives})\b"
            rf"|\b({relatives})(?: (?:bi|da|vua|moi|lam))* (?:doi|mat|hong|rot|vo) "
            r"(?:so|sim|dien thoai|dt|may)\b") if relatives else None

    def _borrowing(self, part: str) -> re.Match[str] | None:
        """Asking to borrow money: "cho em vay", or "cho mình mượn" followed by a sum."""
        for match in self._sign("borrowing").finditer(part):
            if "vay" in match.group() or _SUM_AFTER.match(part, match.end()):
                return match
        return None

    def _phone_owner(self, words: str) -> str | None:
        """The relative whose phone broke or number changed, if the message names one."""
        found = self._phone_gone.search(words) if self._phone_gone else None
        return next(name for name in found.groups() if name) if found else None

    def signed(self, text: str) -> bool:
        """Whether `text` is signed by a sender this file names, as notices are signed."""
        folded = fold(text).strip()
        return bool(self._signature and self._signature.search(folded))

    def _sign(self, name: str) -> re.Pattern[str]:
        return self._signs.get(name) or re.compile(r"(?!)")  # no phrases: never matches

    def message(self, folded: str) -> str:
        """`folded` without the resident's own words around the message they pasted ("mẹ
        nhận được tin nhắn này có sao không: ...", "... có phải lừa đảo không con?")."""
        preface = self._sign("preface")
        head = list(preface.finditer(folded[:160]))
        # Their words open the text ("Con ơi mẹ nhận được…"): a "có sao không" further on is
        # the message's own ("… mẹ chuyển ngay cho con ít tiền, mẹ có sao không thì nhắn con").
        if head and len(folded[:head[0].start()].split()) <= _OPENING_WORDS:
            last = head[-1]
            cut = _PREFACE_END.search(folded, last.end())
            # The resident's words end at ":", "?" or a new line, or with their own question
            # ("... có sao không Bạn đã trúng thưởng"), and name no link, sum or sender:
            # "[VCB] Quý khách nhận được tin nhắn này vì..." is the message itself.
            end = cut.end() if cut and cut.start() - last.end() <= 40 else \
                last.end() if _ASKED.search(last.group()) else None
            if end is not None and not re.search(r"\d|://|www\.", folded[:end]) and not any(
                    pattern.search(folded[:end]) for _, pattern in self._brand_words):
                folded = folded[end:]
        tail = _LAST_LINE.search(folded, max(0, len(folded) - 120))  # the end only: cheaper
        said = preface.search(tail.group("tail")) if tail else None
        # Their question opens the last line and names no sum or link: "Mẹ chuyển 20 triệu vào
        # stk 0123… xem giúp con nhé" is the message asking, and stays.
        if tail and said and len(tail.group("tail")[:said.start()].split()) <= _TAIL_WORDS \
                and not re.search(r"\d|://|www\.", tail.group("tail")):
            folded = folded[:tail.start("tail")]
        return folded

    def _claimed(self, words: str) -> list[Brand]:
        """Who the message claims to be: a brand named, unless as the bank of an account to
        pay (that names where the money goes, and says nothing of who writes)."""
        claimed = []
        for brand, pattern in self._brand_words:
            for match in pattern.finditer(words):
                before = words[max(0, match.start() - 60):match.start()]
                account = _ACCOUNT_BEFORE.search(before)
                if account and (account.group().lstrip()[:1].isdigit()
                                or _PAYS.search(words[max(0, match.start() - 120):
                                                      match.start()])):
                    continue
                if re.match(r" \d{6,}", words[match.end():]) or _THROUGH.search(before):
                    continue  # "Techcombank 1903456789": the account's bank
                if brand.kind == "company" and match.start() > 2 \
                        and not _SPEAKS.match(words, match.end()):
                    continue  # "nhắn Zalo cho con": the app named, not the sender
                claimed.append(brand)
                break
        return claimed

    def check(self, text: str, *, locale: str = BASE_LOCALE, story: bool = False,
              asked: bool = False, paid: bool = False, cheated: bool = False,
              gave: bool = False) -> Verdict:
        """Find the red flags of `text` and weigh them into a verdict, worded in `locale`
        (content/scam/flags.<locale>.yaml; Vietnamese where it has no words). `story`: the
        resident's own account of a call (bot/listening/story.py), in which the caller
        `asked` for money, or the money went already (`paid`); `cheated`: the resident says
        they were cheated ("tôi bị lừa"); `gave`: they let the caller in (installed or opened
        the app asked for, read out a code)."""
        folded = self.message(fold(text))
        parts = clauses(folded)
        words = " | ".join(parts)
        links = [_Link(m.group("host") or m.group("bare"),
                       m.group("path") or m.group("barepath") or "")
                 for m in _URL.finditer(folded)]
        claimed = self._claimed(words)
        codes = self._codes(folded, parts, words, links, claimed, _spoofed_hosts(text),
                            gap=_may_be_gap(text))
        if story and "family_emergency" not in codes and self._sign("emergency").search(words) \
                and self._teller_kin and self._teller_kin.search(words):
            # The teller's relative held by the police or in hospital, told by a caller: the
            # trick's opening ("số lạ gọi nói con tôi bị giữ ở đồn công an"), the money asked
            # next. Not "họ nói tôi sắp bị bắt giữ": a threat to the teller (urgency).
            codes.append("family_emergency")
        if not any(code.startswith("money_request") for code in codes):
            if paid:
                codes.append("money_request")  # someone got the money out of them
            elif asked:  # "họ bảo nếu tôi không chuyển tiền thì…": asked, however negated
                codes.append("money_request_weak")
        # Claims count once together: a bank notice about the electricity bill is one sender.
        score = sum(WEIGHTS[code] for code in set(codes) if code in WEIGHTS) \
            + any(code.startswith("claim_") for code in codes)
        if story and any(code.startswith("claim_") for code in codes) and (
                paid or any(code in _ASKED_OF_TELLER for code in codes)):
            # A caller in the name of the police, a bank or the power company who asked for
            # money or a step, or got the money: no genuine one does either by phone. Money
            # asked or taken in such a call is the scam itself (found in a try-out: a paid
            # "điện lực" fine was only "Cần cẩn thận").
            money = any(code.startswith("money_request") for code in codes)
            score = max(score, SCAM if money else SUSPICIOUS)
        if story and ((paid and cheated) or (gave and any(
                code in _ASKED_OF_TELLER or code.startswith("claim_") for code in codes))):
            # Money gone to someone the resident says cheated them, or a caller let into the
            # phone or the account: the harm is done, whoever they claimed to be.
            score = max(score, SCAM)
        verdict = "scam" if score >= SCAM else "suspicious" if score >= SUSPICIOUS else "no_signs"
        new_number = verdict == "no_signs" and bool(
            self._sign("new_number").search(words) or self._phone_owner(words))
        if verdict == "no_signs":
            codes = []  # a claim alone is no red flag: genuine notices name their sender too
        # Strongest first, so the reply leads with what matters most.
        ordered = sorted(dict.fromkeys(_shown(code) for code in codes),
                         key=lambda code: -WEIGHTS.get(code, 1))
        texts, worded = self.rules.words(locale)
        flags = tuple(worded[code] for code in ordered)
        return Verdict(verdict, texts[verdict], flags,
                       texts["reminder"] if verdict == "no_signs" else "", texts["advice"],
                       new_number)

    def _codes(self, folded: str, parts: list[str], words: str, links: list[_Link],
               claimed: list[Brand], spoofed: set[str], *, gap: bool) -> list[str]:
        codes = [f"claim_{kind}" for kind in dict.fromkeys(brand.kind for brand in claimed)]
        codes += self._link_codes(links, claimed, spoofed)
        if _APK.search(folded) and "link_apk" not in codes:
            codes.append("link_apk")
        # "Tra cứu tại ứng dụng VssID hoặc baohiemxahoi.gov.vn": "tại" folds to "tải" (download),
        # and a state's or a brand's own site is where its real app is got.
        unofficial = [link for link in links if not self._is_official(link.host)]
        asked_to_install = ((unofficial and _INSTALL.search(words))
                            or _INSTALL_SENT.search(words)
                            or any((found := _INSTALL_TOLD.search(part))
                                   and not _warned(part[:found.start()]) for part in parts))
        if any(_found(_REMOTE_INSTALL.search(part), part) for part in parts):
            codes.append("remote_app")  # in the stores, so "install only from CH Play" is wrong
        elif asked_to_install and not _STORES.search(words):
            codes.append("install_app")
        given = bool(_CODE_GIVEN.search(" ".join(parts)))
        if _asks_secret(parts, given=given, linked=bool(links)):
            codes.append("otp_request")
        # After "bố ơi", "bố chuyển 20 triệu" asks the reader: the one called is the doer.
        called = {match.group(1) for match in self._vocative.finditer(words)} \
            if self._vocative else set()
        # ... and another relative doing it is the writer: "Con ơi mẹ chuyển con 3 triệu".
        writers = set(self.rules.signs.get("relatives", ())) - called if called else set()
        owner = self._phone_owner(words)
        if owner and not called:  # "Điện thoại mẹ hỏng... con chuyển cho mẹ 5 triệu"
            called, writers = set(self.rules.signs.get("relatives", ())) - {owner}, {owner}
        # Someone in hospital, in an accident, held by the police: any transfer named that the
        # writer neither made nor makes is asked ("cô chuyển tiền viện phí 15tr qua stk…").
        emergency = bool(self._sign("emergency").search(words))
        kin = self.rules.signs.get("relatives", ())
        money = max((_asks_money(part, called, writers, urgent=emergency, kin=kin)
                     for part in parts), default=0)
        # A relative writes from a new number ("mẹ ơi con đổi số rồi"), not hurrying: their
        # old line locked or gone is who is writing, not a threat to the reader's.
        calm_line = bool(owner or (called and self._sign("new_number").search(words))) \
            and not _HURRY.search(words)
        promoted = bool(_OPT_OUT.search(words))
        reachable = _contact_number(folded) or bool(re.search(r"\bzalo\b", words))
        own_loan = bool(_OWN_LOAN.search(words)) and not reachable
        finders: list[tuple[str, Callable[[str], re.Match[str] | None]]] = [
            ("urgency", lambda part: _urgent(part, calm_line)), ("secrecy", _SECRECY.search),
            ("loan", _LOAN.search),
            ("prize", _prize_finder(words, codes)),
            ("easy_job", lambda part: _EASY_JOB.search(part) or _PAID_LIKES.search(part)),
            ("invest", _INVEST.search), ("gambling", _GAMBLING.search),
            ("recovery", _RECOVERY.search), ("borrow", self._borrowing)]
        if self._hush is not None:
            finders.append(("secrecy", self._hush.search))  # "đừng nói với bố"
        finders.append(("invest", _profit_promised))  # "Lợi nhuận 30%/tháng", no "đầu tư"
        for code, find in finders:
            if code in codes or (code in ("prize", "loan") and promoted) \
                    or (code == "loan" and own_loan):
                continue  # an advertiser's own offer (refusable), the reader's own loan
            if any(_found(find(part), part)
                   # "cho em vay 3 triệu" asks to borrow: no loan on offer
                   and not (code == "loan" and self._borrowing(part)) for part in parts):
                codes.append(code)
        if money == 1 and _BALANCE.search(folded):
            money = 0  # a balance notice's memo ("ND: CK cho con") is the payer's own words
        if "urgency" not in codes and gap and money and not _BALANCE.search(folded) \
                and any(map(_pressed, parts)):
            codes.append("urgency")  # "chuyển con 2tr nha, gấp lắm má ơi"
        if money:
            # A bare "chuyển khoản cho chú Tư nhé" between relatives weighs less than a fee,
            # a deposit or a sum to an account number.
            codes.append("money_request" if money > 1 else "money_request_weak")
            for code in ("emergency", "new_number", "wrong_transfer"):
                if self._sign(code).search(words) or (code == "new_number" and owner):
                    codes.append("family_emergency" if code == "emergency" else code)
        elif links and self._sign("wrong_transfer").search(words):
            codes.append("wrong_transfer")  # a "refund" link for money sent by mistake
        benefits = not promoted and bool(self._sign("benefits").search(words))
        if not promoted and any(_got_by_chat(part, folded) for part in parts):
            codes.append("benefit_link")
        elif benefits and _CLAIM_AT.search(words) and any(map(self._unknown_site, links)):
            refund = all(_REFUND.fullmatch(found.group())
                         for found in self._sign("benefits").finditer(words))
            codes.append("benefit_link_weak" if refund else "benefit_link")
        if _TASK.search(words):
            codes.append("task")
        if "invest" in codes and _invest_strong(words):
            codes.append("invest_strong")
        if "easy_job" in codes and _PAID_LIKES.search(words):
            codes.append("easy_job_strong")
        if _ID_REQUEST.search(words):
            codes.append("id_request")
        # An offer of a prize, an easy job or a loan (an advertiser's, with its opt-out, is
        # none here).
        offers = any(code in codes for code in ("prize", "easy_job", "loan"))
        # ... or a task or an investment: got through a stranger's own chat ("Telegram
        # @viecnhe88") all the same
        lures = offers or any(code in codes for code in ("task", "invest", "benefit_link",
                                                         "benefit_link_weak"))
        # ... a benefit promised ("hồ sơ nhận trợ cấp người cao tuổi") is offered as well, by
        # someone claiming an office or a company, at an unknown site or a stranger's number:
        # "con được hoàn tiền vé rồi, mẹ gửi con số tài khoản" is a child's own refund
        offered = offers or (benefits and bool(
            claimed or _SELF_CLAIM.search(words) or any(map(self._unknown_site, links))
            or _contact_number(folded) or _HANDLE.search(folded)))
        if (offered or claimed) and any(_asks_account(part) for part in parts) and (
                offered or self._claimed(_ACCOUNTS_BANK.sub(" ", words))):
            codes.append("account_request")  # "tài khoản ngân hàng của mẹ" is no bank writing
        # A prize, an easy job or a loan to be had by calling a mobile or a Zalo: no company
        # gives any through someone's own phone.
        if _CONTACT.search(words) and (
                # (a shop's or an app's own notice names its driver's phone too)
                ((_SUPPORT.search(words)
                  or any(brand.kind not in ("delivery", "company") for brand in claimed))
                 and reachable)
                # "sinh nhật Zalo" names the app, "kết bạn Zalo" someone on it
                or (lures and (_contact_number(folded) or _ZALO_CONTACT.search(words)
                               or _HANDLE.search(folded)))):
            codes.append("personal_number")  # delivery staff do call from their own phones
        if _FOREIGN.search(folded):
            codes.append("foreign_number")
        if _dial_asked(folded):
            codes.append("call_forward")
        if money and _KIN_FRIEND.search(folded):
            codes.append("kin_friend")
        if "prize" in codes and any(map(self._unknown_site, links)):
            codes.append("prize_strong")
        own_site = all(self._is_official(link.host) for link in links) if links else None
        return _own_channel(codes, folded, words, own_site)

    def _link_codes(self, links: list[_Link], claimed: list[Brand], spoofed: set[str]
                    ) -> list[str]:
        codes = []
        claims_official = any(brand.domains for brand in claimed)
        for link in links:
            if link.host in spoofed:
                codes.append("link_fake")  # folded, it is the real name: check it as typed
                continue
            domain = registrable(link.host)
            if link.path.split("?")[0].endswith(".apk") or link.host.endswith(".apk"):
                codes.append("link_apk")
            if re.fullmatch(r"[\d.]+", link.host):
                codes.append("link_ip")
                continue
            if self._is_official(link.host):
                continue
            if domain in _SHORTENERS or link.host in _SHORTENERS:
                codes.append("link_short")
                continue
            if link.host.rsplit(".", 1)[-1] in _ODD_TLDS:
                codes.append("link_odd")
            if (claims_official and domain not in _PLATFORMS) or self._looks_alike(link.host):
                codes.append("link_fake")
        return codes

    def _unknown_site(self, link: _Link) -> bool:
        """Whether a link leads to no brand's or state's own site nor a platform everyone
        links to: where a prize or a benefit is "claimed", the trick's own page."""
        return not self._is_official(link.host) and registrable(link.host) not in _PLATFORMS

    def _is_official(self, host: str) -> bool:
        # Any *.gov.vn is the state's own; otherwise the host or a parent is a brand's domain.
        return host.endswith(".gov.vn") or any(
            host == domain or host.endswith("." + domain) for domain in self.official)

    def _looks_alike(self, host: str) -> bool:
        """A name borrowed from someone real: vcb-doiqua.vip, vneid-gov.com, dichvucong.vn.com."""
        labels = re.split(r"[.-]", host)
        if "gov" in labels:
            return True
        # Within one label: "shopee.vn" run together holds "evn", and borrows nothing.
        names = [label.replace("-", "") for label in host.split(".")]
        if any(word in name for name in names for word in self.borrowed):
            return True
        # Misspelt names: vietcornbank, vietconbank, bidvv (rapidfuzz's similarity, 0-100).
        return any(fuzz.ratio(label, word) >= 85 for label in labels if len(label) >= 5
                   for word in self.borrowed if len(word) >= 5)


def _spoofed_hosts(text: str) -> set[str]:
    """The hosts (folded) of the links in `text` typed with letters of another alphabet that
    look Latin: "vietcombаnk.com.vn" with a Cyrillic "а" folds to the bank's real name, but
    is another site. No real site a message links to mixes alphabets."""
    hosts = set()
    # Only the words holding such a letter and a dot, each character folded alone to know
    # which typed ones a folded host came from (cheap: most texts have none).
    for word in _FOREIGN_WORD.finditer(unicodedata.normalize("NFKC", text)):
        typed = [(place, char) for place, letter in enumerate(word.group())
                 for char in fold(letter)]
        folded = "".join(char for _, char in typed)
        for found in _URL.finditer(folded):
            name = "host" if found.group("host") else "bare"
            start, end = found.span(name)
            if _OTHER_ALPHABET.search(word.group(), typed[start][0], typed[end - 1][0] + 1):
                hosts.add(found.group(name))
    return hosts


def _shown(code: str) -> str:
    """The flag a weighing code is shown as: "money_request_weak" is "money_request"."""
    return code.removesuffix("_weak").removesuffix("_strong")


def _found(match: re.Match[str] | None, part: str) -> bool:
    """Whether a rule's match stands, not after a "không", "đừng"... in its clause: a genuine
    notice tells the resident NOT to share the code."""
    if not match:
        return False
    before = part[max(0, match.start() - 60):match.start()]
    if _CUT_OFF.search(match.group()):
        before = _IF_NOT_PAID.sub("neu", before)
    return not _NEGATION.search(before) and not _warned(part[:match.start()])


# "Nếu không thanh toán, điện sẽ bị cắt": the "không" is the condition's (clauses drop the
# comma), not the threat's. Only a payment's or an update's condition before a line or the
# power cut off: "nếu không phải bạn", "nếu không có nhu cầu vay" negate what follows.
_IF_NOT_PAID = re.compile(r"\bneu (?:\w+ ){0,2}?(?:khong|ko|chua) "
                          r"(?:thanh toan|dong|nop|chuan hoa|cap nhat)\b")
_CUT_OFF = re.compile(r"\bbi (?:cat|ngat|ngung cap)\b")


def _contact_number(folded: str) -> bool:
    """Whether a mobile number is named that is not the reader's own line ("ưu đãi cho thuê
    bao 0912…": a network's offer names the subscriber's number)."""
    return any(not _SUBSCRIBER.search(folded[max(0, found.start() - 16):found.start()])
               for found in _MOBILE.finditer(folded))


_BUT = re.compile(r"\b(?:chi|nhung)\b")
# A warning tells of the request it warns against: "Ngân hàng không bao giờ yêu cầu…", "Nếu có
# ai yêu cầu cài AnyDesk, hãy cúp máy", "Đối tượng mạo danh công an yêu cầu chuyển tiền".
_WARNED = re.compile(
    r"\b(?:neu|khi) (?:co )?(?:ai|ai do|bat ky ai|nguoi la|ke gian|ke xau|doi tuong|"
    r"nguoi nao|cuoc goi|tin nhan)\b|\b(?:khong bao gio|chang bao gio|khong he)\b|"
    r"\b(?:doi tuong|ke gian|ke xau|ke lua dao|bon lua dao|mao danh|gia danh|gia mao)"
    r"(?: \w+){0,8}? (?:yeu cau|bao|doi|bat|ep|du do|du|lua|huong dan|de nghi)\b")
# "Muốn nhận lại thì chuyển 500 nghìn": the price of what the reader wants is asked of them.
_IF_WANT = re.compile(r"\bmuon(?: \w+){1,5} thi $")


def _warned(before: str) -> bool:
    """Whether the words before a request make it one a warning tells of, not asks."""
    return bool(_WARNED.search(_BUT.split(before[-80:])[-1]))


def _asks_account(part: str) -> bool:
    """A clause asks the reader to read out or send their account number, balance or ID
    number: not given there, not the writer's own, not at a counter or in the bank's app."""
    for match in _ACCOUNT_ASK.finditer(part):
        after = part[match.end():]
        # "họ không bảo chuyển tiền, chỉ hỏi số căn cước": a "không" before "chỉ", "nhưng" is
        # another verb's (clauses drop the comma between them).
        before = _BUT.split(part[max(0, match.start() - 60):match.start()])[-1]
        if _NEGATION.search(before) \
                or _ACCOUNT_GIVEN.match(after) or _ACCOUNT_IN_PERSON.search(after[:60]):
            continue
        return True
    return False


def _requests(parts: list[str], asks: tuple[re.Pattern[str], ...], *, joined: bool = True
              ) -> Iterator[tuple[re.Match[str], str, str]]:
    """Each asking word of `asks` not negated ("đừng đọc mã OTP cho ai": the "đừng" is before
    the verb, which the match holds), with its clause and the text from the clause on
    (`joined`: the next clause too, where the request goes on)."""
    for index, part in enumerate(parts):
        window = " ".join(parts[index:index + 2]) if joined else part
        for match in (found for ask in asks for found in ask.finditer(part)):
            before = part[:match.start()]
            if not (_NEGATION.search(before[-60:])
                    or _NEGATION.search(before[-20:] + match.group())):
                yield match, part, window


def _asks_secret(parts: list[str], *, given: bool, linked: bool) -> bool:
    """A clause (or two neighbours) asks for a secret code or password. A message that gives
    a code (a bank's OTP notice) only counts when it asks for it back: "đọc", "cung cấp";
    "nhập", "điền" count only in a message with a link (a page that takes the code). (A
    mentor's words are read closer: `asks_for_secret`.)"""
    asks = (_ASK_BACK,) if given else (_ASK_ANY, *([_ASK_ENTER] if linked else []))
    parts = [_WIFI.sub("wifi", part) for part in parts]
    for match, part, window in _requests(parts, asks):
        if _SECRET.search(window[match.start():]) or _SECRET.search(part[:match.start()]):
            return True
        # A message that gives a code and asks to pass "this code" on: "đọc mã này cho nhân
        # viên tổng đài", "gửi lại mã cho…"
        if given and _THIS_CODE.match(part, match.end()):
            return True
    # "Bác cho cháu xin mã OTP để cháu làm định danh mức 2", "bác gửi cháu mã OTP nhé":
    # scammers posing as a commune official or a relative's friend write as the young to the
    # old as well (an outside try-out). The secret must be what is asked for, in the same
    # clause (`_as_object`), and after the verb: "cháu đổi mật khẩu Zalo rồi, bác nhắn cháu
    # qua số này" asks for none.
    return _as_object(parts, (_KIN_ASKS,), _SECRET, joined=False, fronted=False)


# A wifi's password, asked among family ("cho con hỏi mật khẩu wifi nhà mình"): no account's.
_WIFI = re.compile(r"\b(?:mat ?khau|pass(?:word)?)(?: cua)? (?:wifi|wi fi|wf)\b")


# How the young ask an elder ("bác đọc cho cháu", "gửi con", "nhắn cháu"), as a mentor does.
_ASK_KIN = _words(r"(?:doc|gui|nhan(?: tin)?|bao|cho|dua|chup) (?:cho )?(?:chau|con|em)")
# ... and as a message checked asks, which a family's own talk does not: "cho cháu xin", "gửi
# cháu", "đọc cho con"; not "mua điện thoại mới cho con" (a gift) nor "ngân hàng vừa gửi em
# mã OTP" (what came).
_KIN_ASKS = _words(r"cho (?:chau|con|em) (?:xin|hoi)",
                   _NOT_SENT_YET + r"(?:gui|doc)(?: cho)? (?:chau|con|em)")
# What a mentor never asks for, beyond a code or a password: an account's or a card's number,
# a PIN ("số PIN"; "pin" alone is a battery: "pin còn bao nhiêu").
_SECRET_OR_ACCOUNT = re.compile(_SECRET.pattern + "|" + _words(
    r"so tai khoan", r"so pin", r"so (?:cua )?the(?: ngan hang| atm)?",
    r"mat (?:truoc|sau) (?:cua )?the").pattern)


# A mentor writes to someone they know, about the very things the lessons teach: the secret
# is asked for only as the verb's object, a few words from it ("đọc cho cháu mã OTP", "mật
# khẩu Zalo bác gửi cháu"), not past a word that makes it the subject of a question or a
# time ("cho cháu biết bác đổi mật khẩu chưa", "báo cháu khi nào bác đặt xong mật khẩu").
_OBJECT_WORDS = 4
# ... a few more past photos of an ID card asked with it: "cho cháu xin ảnh 2 mặt căn cước và
# mã OTP"
_ID_PHOTO_WORDS = 4
_ID_PHOTO_AND = re.compile(r"\b(?:anh|hinh)(?: \w+){0,4}? (?:can cuoc|cccd|cmnd)"
                           r"(?: \w+){0,2}? (?:va|voi|cung)$")
_NOT_THE_OBJECT = _words("biet", "khi", "xong", "chua", "neu", "rang")
# ... nor when the message says to keep it ("báo cho cháu nhé, mã OTP thì bác giữ kín").
_KEPT = _words(r"giu (?:kin|bi mat|rieng|lay)", r"tu giu",
               r"(?:dung|cam|khong|ko|khong nen|tuyet doi khong|khong bao gio|dung bao gio) "
               r"(?:bao gio |nen |co |duoc )?(?:cung cap|doc|gui|chia se|tiet lo|cho|bao|noi|"
               r"ke|nhan|dua|chuyen)")


def _object_of(between: str, rest: str) -> bool:
    """Whether a secret `between` words after (or before) the asking verb is what it asks for,
    `rest` the words after the secret: not past a negation ("gửi cháu rồi, đừng đưa mật
    khẩu cho ai")."""
    most = _OBJECT_WORDS + (_ID_PHOTO_WORDS if _ID_PHOTO_AND.search(between.strip()) else 0)
    return (len(between.split()) <= most and not _NOT_THE_OBJECT.search(between)
            and not _NEGATION.search(between) and not _KEPT.search(between)
            and not _KEPT.search(" ".join(rest.split()[:8])))


def asks_for_secret(text: str) -> bool:
    """Whether `text` (a mentor's message to a resident) asks for an OTP, a password, a PIN or
    an account's or card's number: a request as the scam check reads one (not "đừng đọc mã
    OTP cho ai"), the secret its object (`_object_of`)."""
    return _as_object(clauses(fold(text)), (_ASK_ANY, _ASK_KIN), _SECRET_OR_ACCOUNT)


def _as_object(parts: list[str], asks: tuple[re.Pattern[str], ...], secret: re.Pattern[str],
               *, joined: bool = True, fronted: bool = True) -> bool:
    """Whether a clause (or, `joined`, two neighbours) asks, with one of `asks` not negated,
    for what `secret` finds as its object: after it, or (`fronted`) before ("mật khẩu Zalo
    bác gửi cháu")."""
    for match, part, window in _requests(parts, asks, joined=joined):
        before, after = part[:match.start()], window[match.end():]
        found = secret.search(after)
        if found and _object_of(after[:found.start()], after[found.end():]):
            return True
        first = list(secret.finditer(before)) if fronted else []
        if first and _object_of(before[first[-1].end():], after):
            return True
    return False


def asks_for_money(text: str) -> bool:
    """Whether `text` (a name, a unit shown to residents) asks for money: a transfer, a fee,
    a deposit, an account number, however it is phrased (as in an emergency: nothing a name
    says is the writer's own payment)."""
    parts = clauses(fold(text))
    return any(_asks_money(part, urgent=True) or re.search(r"\bso tai khoan\b", part)
               for part in parts)


def _asks_money(part: str, called: Collection[str] = (), writers: Collection[str] = (), *,
                urgent: bool = False, kin: Collection[str] = ()) -> int:
    """2 when a clause asks to pay a fee, a deposit or a sum; 1 when it asks to transfer money
    with no sum; 0 when it asks for none (or says the money was sent). `called`: whom the
    message calls ("bố" of "bố ơi"), whose transfer is asked of them; `writers`: the other
    relatives, who name the writer ("mẹ" of "Con ơi mẹ chuyển..."), whose transfer is sent.
    `urgent`: the message tells of an emergency, where a transfer not the writer's is asked
    however it is phrased. `kin`: the words for relatives: one of them sending a sum to an
    account number ("Mẹ chuyển 10tr cho bạn con, số tk 1903…") is asked to."""
    if _IN_PERSON.search(part):
        return 0
    for match in _TRANSFER.finditer(part):
        before, after = part[:match.start()], part[match.end():]
        if _NEGATION.search(before[-25:]) or _PAST_AFTER.search(after[:30]) \
                or _PAST.search(before[-12:]) or _DONE.search(before) \
                or (_BILL.match(after) and not _AMOUNT.search(part)):
            continue
        doer = re.search(r"\b(\w+)(?: (?:oi|giup|gap|ngay|nhanh|can|phai|co the|xem|nho))* $",
                         before)
        if doer and doer.group(1) in called:
            return 2 if _AMOUNT.search(part) else 1
        # "Họ bảo tôi chuyển hết tiền vào…": the one told to pay, in a story the resident tells
        if _TOLD.search(before):
            return 2 if _AMOUNT.search(part) or _SAVINGS.search(after) else 1
        if _SENDER.search(before) or (doer and doer.group(1) in writers) or _warned(before):
            continue
        if doer and doer.group(1) in kin and _ACCOUNT_NUMBER.search(after):
            return 2
        if _TRANSFER_DIRECT.match(part, match.start()):
            return 2
        if urgent or _ASKING.search(before[-40:]) or _ASKING_AFTER.match(after) \
                or _IF_WANT.search(before[-40:]):
            return 2 if _AMOUNT.search(part) else 1
    return 0


def unmasked(text: str) -> str:
    """`text` with the tricks that hide a link or a number from filters undone: dots written
    "。", "[.]", " dot ", " chấm ", characters spaced out ("v n e i d . c o m") or full-width."""
    # NFKC: full-width and other look-alike forms are the letters they show ("ｚａｌｏ．ｍｅ").
    text = _SPACED_OUT.sub(lambda match: match.group().replace(" ", ""),
                           unicodedata.normalize("NFKC", text))
    return _SPELT_DOT.sub(".", text)


def has_link(text: str) -> bool:
    """Whether `text` holds a link, a bare domain name ("bit.ly/abc", "vaytien.xyz") or an app
    package ("vay.apk"), as the check reads them: typed with tricks or not. Two Vietnamese
    words with no space after the stop are none: "chưa.Có gì", "ơi.Me", "ạ.Cố lên" fold to
    names ending .co, .me."""
    text = unmasked(text)
    if _APK.search(fold(text)):
        return True
    # Each character folded alone, to find what a folded match was as typed.
    folded = [(place, char) for place, typed in enumerate(text) for char in fold(typed)]
    for found in _URL.finditer("".join(char for _, char in folded)):
        if found.group("bare") is None or found.group("barepath"):
            return True  # "https://", "www." or a path: a link however its parts are written
        start, end = folded[found.start("bare")][0], folded[found.end("bare") - 1][0] + 1
        while start > 0 and text[start - 1].isalnum():
            start -= 1  # the whole word: "ơi.Me" folded matches "i.me"
        host = text[start:end]
        ending = host.rsplit(".", 1)[-1]
        if host.isascii() or (ending.isascii() and ending.islower()):
            return True
    return False


def has_phone(text: str) -> bool:
    """Whether `text` holds a phone number (or as many digits in a row), however spaced or
    grouped ("0912 - 345 - 678", "(0912) 345 678", "0912/345/678", keycap digits, "09l2345678"),
    or read out in words ("không chín tám bảy, sáu năm bốn…", eight digits at least); a date
    and an hour ("10.12.2026 8 giờ") are none."""
    if numbers.spoken_phone(text):
        return True
    folded = _KEYCAP.sub("", fold(unmasked(text)))
    folded = _DIGIT_LIKE.sub(lambda found: found.group().translate(_LOOK_ALIKE_DIGITS), folded)
    folded = numbers.without_dates(folded)
    return bool(_MOBILE.search(folded) or _FOREIGN.search(folded) or _DIGIT_RUN.search(folded)
                or numbers.phones(folded))


def has_contact(text: str) -> bool:
    """Whether `text` gives a way to reach someone outside Học Số: a link, a domain, an app
    package, a phone number or an "@" handle. What residents read from a mentor holds none."""
    return has_link(text) or has_phone(text) or bool(_HANDLE.search(fold(text)))


def load_checker(content_dir: Path) -> ScamChecker:
    """A checker for this content folder (raises FlagsError when its flags file is wrong)."""
    return ScamChecker(load_flag_rules(content_dir))


@functools.cache
def _default() -> ScamChecker:
    return load_checker(PROJECT_ROOT / "content")


def check(text: str) -> Verdict:
    """Check `text` with the shipped content/scam/flags.yaml (the bot, whose content folder is
    a setting, keeps its own `load_checker(settings.content_dir)`)."""
    return _default().check(text)

