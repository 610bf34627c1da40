"""Whether a text to check is the resident's own story of what happened to them ("hôm qua có
người gọi cho tôi, xưng là công an…", "tôi bị lừa rồi") rather than a message they received,
whether they say they have not done what they were asked, let the caller in, or whether the
money has gone already."""

import re

from bot.listening.scam import MONEY, REMOTE_APPS, fold
from bot.listening.words import HOW_TO_TELL, says, spoken

# Someone else's words or deeds told by the resident: "xưng là công an", "họ bảo tôi…", "có
# người gọi cho tôi", "nhận được cuộc gọi".
_TOLD = re.compile(
    r"\b(?:xung la|tu xung|tu nhan la|gia lam|(?:ho|no|nguoi do|nguoi ta|ong ta|ba ta|thang do|"
    r"con do|ong do|ba do|may dua do|tui no|bon no|chung no) (?:bao|noi|doi|yeu cau|bat|ep|keu|"
    r"goi|nhan|hua|dung|doa|gui|hoi)|co (?:nguoi|ai|thang|dua|mot nguoi|1 nguoi|so la) "
    r"(?:\w+ )?(?:goi|nhan|ket ban|gui|den)|nhan duoc (?:mot |1 )?cuoc goi|"
    r"goi (?:dien )?(?:cho|toi|den) (?:toi|tui|co|bac|chu|ong|ba|minh|em|me|bo)|"
    # "ngân hàng gọi bảo cài…", "bác sĩ gọi nói cháu bị ngã": a call told by who made it
    r"goi (?:dien )?(?:bao|noi|keu|doi|yeu cau|bat))\b")
# The resident as the one it happened to or who did what was asked, or a time it happened: "tôi
# bị", "cô vừa", "tôi cài rồi", "hôm qua".
_FIRST_PERSON = re.compile(
    r"\b(?:toi|tui|co|bac|chu|minh|me|bo|ba|ong)(?: (?:cung|lai|thi|da|vua|moi|suyt))* "
    r"(?:bi|da|vua|duoc|nhan|chua|khong|lo|so|hoang|nghe|tin|lam|cai|mo|doc|chuyen|gui)\b|"
    r"\b(?:hom qua|hom kia|hom truoc|sang nay|trua nay|chieu nay|toi qua|dem qua|luc nay|"
    r"vua roi|tuan truoc|thang truoc|may hom nay)\b")
# What a received message has that a story does not: a vocative to the reader ("Mẹ ơi"), a
# notice's "Quý khách", a code sent, congratulations opening it. Not the bot called ("cháu
# ơi", "con ơi", "Học Số ơi"): "tôi lỡ chuyển 5 triệu cho bọn lừa đảo rồi cháu ơi" is a story.
_MESSAGE_SHAPE = re.compile(r"\b(?!(?:chau|con|so) oi\b)\w+ oi\b|\bquy khach\b|"
                            r"\b(?:otp|ma)\b[^.\n]{0,40}\b\d{4,8}\b|^\W*chuc mung\b")
_READER = r"(?:co|bac|chu|ong|ba|anh|chi|ban|em|cau|di|thim|mo)"
# The reader addressed with what will happen to them ("Nhân viên sẽ gọi cho cô", "Nếu cô không
# chuyển phí…"): a message's promise or threat, unless the resident tells that someone said it
# ("họ bảo nếu cô không chuyển thì…").
_TO_READER = re.compile(rf"\bse (?:\w+ ){{0,2}}?(?:goi|nhan|lien he|lien lac)(?: lai)? "
                        rf"(?:cho |toi |den |voi )?{_READER}\b|\bneu {_READER} (?:khong|chua)\b")
_SAID_BEFORE = re.compile(r"\b(?:bao|noi|doa|yeu cau|hua|dan|keu)\b")
# What a resident holds back that they were asked to do: the money, or the trick's own step
# ("chưa cài", "không bấm", "chưa đọc mã"). "Không đọc kỹ", "không nói gì với con" hold back
# nothing they were asked.
_HELD = re.compile(r"\b(?:chua|khong|van chua|chua he|khong he|khong co|ko) "
                   r"(?P<verb>chuyen|gui tien|ck|nop|dua tien|dong tien|tra tien|lam theo|cai|"
                   r"bam|dang nhap|cung cap|(?:doc|dua|gui|noi|cho|nhap) (?:ma|otp|mat khau|"
                   r"so the|so tai khoan|pin))\b")
_MONEY_VERBS = {"chuyen", "gui tien", "ck", "nop", "dua tien", "dong tien", "tra tien"}
# "họ bảo không chuyển…": the words are theirs, not a step the resident held back.
_THEIR_WORDS = re.compile(r"\b(?:bao|dan|yeu cau|doa|noi)(?: \w+)? $")
# Paying: "chuyển khoản", "nộp tiền", "gửi 20 triệu".
_PAY = (r"(?:chuyen(?: khoan| tien)?|ck|gui(?: tien)?|nop(?: tien)?|dua(?: tien)?|"
        r"dong(?: tien)?|tra(?: tien)?|nap(?: tien)?)")
# A sum as the scam check reads one ("20 triệu", "năm trăm nghìn"), or bare digits.
_SUM = rf"(?:{MONEY}|\d[\d ]*)"
_THEM = r"(?:ho|no|nguoi do|nguoi ta|ong ta|ba ta|chung no|bon no|tui no|thang do|con do)"
# What is lost that is no money: an account or a line ("bị lừa mất nick Facebook", "mất Zalo").
_NO_MONEY = r"(?! (?:nick|acc|zalo|facebook|fb|tai khoan|tk|sim|mat khau|so dien thoai)\b)"
# Cheated into paying or robbed: "bị lừa chuyển 20 triệu", "bị lừa mất", "lừa mất 5 triệu".
_CHEATED_PAID = re.compile(rf"\bbi lua (?:\w+ ){{0,2}}?{_PAY}\b|\blua (?:\w+ )?mat\b{_NO_MONEY}|"
                           rf"\blay (?:het|sach) tien\b")
# The resident's own payment told outright, apart from any "bị lừa": "tôi đã nghe theo và
# chuyển khoản", "chuyển luôn 30 triệu", "chuyển 20 triệu rồi", "chuyển hết", "chuyển 2 triệu
# cho họ".
_SENT = re.compile(rf"\b(?:da|vua|lo|trot|lo tay)(?: \w+){{0,4}}? {_PAY}\b|"
                   rf"\b{_PAY} (?:\w+ ){{0,4}}?(?:luon|roi|het|xong)\b|"
                   rf"\b{_PAY} (?:\w+ ){{0,2}}?{_SUM} cho {_THEM}\b")
# The money gone: sent, "chuyển mất", "bị lấy mất", "họ chuyển hết tiền đi", or cheated of it.
_PAID = re.compile(
    _SENT.pattern + "|"
    rf"\b{_PAY} (?:\w+ ){{0,4}}?mat\b|"
    rf"\bbi (?:lay|rut|tru|chuyen|cuom|lua)(?: \w+){{0,3}}? (?:mat|het|sach)\b{_NO_MONEY}|"
    rf"\bmat (?:het |sach |trang )?(?:tien|{_SUM}(?: \w+)?)\b(?! (?:thi|neu))|"
    rf"\b{_THEM} (?:da )?(?:chuyen|rut|lay|cuom)(?: \w+){{0,3}}? (?:het|di|mat|sach)\b|"
    + _CHEATED_PAID.pattern)
# ... not asked ("họ bảo tôi chuyển hết", "họ bảo tôi cài"), held back ("chưa cài") nor feared
# or supposed ("nếu tôi chuyển", "suýt chuyển", "sợ mất tiền"): for money and for access alike.
_NOT_DONE = re.compile(r"\b(?:bao|yeu cau|doi|bat|ep|keu|huong dan|de nghi|xin|neu|suyt|so|lo "
                       r"(?:la|rang)|keo|chua|khong|ko|dung|chang|dinh|muon|phai|can)"
                       r"(?: \w+){0,3} $")


# Money asked by the caller the resident tells of: "họ bảo tôi chuyển", "bắt bác nộp tiền", "họ
# bảo nếu tôi không chuyển tiền thì bị bắt" (a threat: asked all the same).
# Not "không bảo chuyển tiền": the caller did not ask for money.
_ASKED = re.compile(rf"(?<!khong )(?<!chua )(?<!chang )(?<!ko )"
                    rf"\b(?:bao|yeu cau|doi|bat|ep|keu|doa|huong dan|de nghi)(?: \w+){{0,5}}? "
                    rf"{_PAY}\b")


def _pieces(text: str) -> list[str]:
    """The folded text cut at every comma and stop: a piece is one thing done or said."""
    return [" ".join(re.sub(r"[^a-z0-9]+", " ", piece).split())
            for piece in re.split(r"[,.;:!?\n]+", fold(text)) if piece.strip()]


def told(text: str) -> bool:
    """Whether `text` reads as the resident's own story: someone else's words or call told
    of, by the one it happened to or with when it happened, and none of a message's shape
    (a vocative, "Quý khách", what will happen to the reader "if you don't")."""
    folded = fold(text)
    if not (_TOLD.search(folded) and _FIRST_PERSON.search(folded)):
        return False
    if _MESSAGE_SHAPE.search(folded.strip()):
        return False
    return not any(_TO_READER.search(piece) and not _SAID_BEFORE.search(piece[:found.start()])
                   for piece in _pieces(text) for found in _TO_READER.finditer(piece))


def paid(text: str) -> bool:
    """Whether the resident's story says the money went already: they sent it ("chuyển luôn
    30 triệu", "đã chuyển khoản 20 triệu cho họ") or it was taken ("họ chuyển hết tiền đi",
    "bị lấy mất"), not asked of them ("họ bảo tôi chuyển hết") nor feared ("sợ mất tiền")."""
    return any(_done(piece, found) for piece in _pieces(text) for found in _PAID.finditer(piece))


def _done(piece: str, found: re.Match[str]) -> bool:
    """Whether what `found` tells of was done: not asked, held back or feared before it, nor
    denied in it ("chuyển chưa", "cài không")."""
    return not _NOT_DONE.search(piece[:found.start()][-40:]) \
        and not re.search(r"\b(?:chua|khong|ko)\b", found.group().split(" ", 1)[-1])


def held_back(text: str) -> str:
    """What the resident says they have not done of what they were asked: "money" (not sent
    the money), "other" (not installed, tapped, signed in or read out a code), or "" (nothing
    of that said, or the money went already)."""
    if paid(text):
        return ""
    verbs = {found.group("verb") for piece in _pieces(text) for found in _HELD.finditer(piece)
             if not _THEIR_WORDS.search(piece[:found.start()])}
    if verbs & _MONEY_VERBS:
        return "money"
    return "other" if verbs else ""


def asked_money(text: str) -> bool:
    """Whether the resident's story says the caller asked them for money, paid or not."""
    return any(_ASKED.search(piece) for piece in _pieces(text))


# The resident cheated: "tôi bị lừa", "chuyển cho kẻ lừa đảo", "lừa mất", "lấy hết tiền".
_SCAMMED = re.compile(r"\b(?:bi (?:lua|ke gian|bon lua)|ke lua dao|lua (?:\w+ )?mat|"
                      # "chuyển 5 triệu cho bọn lừa đảo rồi": who got it says it
                      r"cho (?:bon|tui|dua|thang|nguoi|ben) lua(?: dao)?|"
                      r"lay (?:het|sach) tien)\b")
# ... not feared, avoided or asked about: "sợ bị lừa", "để không bị lừa", "suýt bị lừa". "lo"
# (worry) only before "bị": folded, "lỡ chuyển tiền cho bọn lừa đảo" is done, not feared.
NOT_CHEATED = re.compile(r"\b(?:khong|ko|chua|suyt|so|de|tranh|khoi|neu|lo(?= bi\b| $)|phong|"
                         r"co phai|nhan biet|canh bao|cach)(?: \w+){0,2} $")


def scammed(text: str) -> bool:
    """Whether the resident says they were cheated ("tôi bị lừa chuyển 20 triệu", "tôi lỡ
    chuyển tiền cho kẻ lừa đảo rồi"), telling of a call or not: their own story, not feared
    ("sợ bị lừa") nor a message's words to its reader ("Bạn bị lừa mất tiền? …")."""
    folded = fold(text)
    if not _FIRST_PERSON.search(folded) or _MESSAGE_SHAPE.search(folded.strip()):
        return False
    return any(not NOT_CHEATED.search(piece[:found.start()])
               for piece in _pieces(text) for found in _SCAMMED.finditer(piece))


# Someone else cheated, told by the resident: "mẹ tôi bị lừa", "bà hàng xóm tôi bị lừa", "bạn
# mình vừa bị lừa" (not "mẹ ơi tôi bị lừa": a call to someone).
_THEIR_LOSS = re.compile(r"\b(?:me|bo|ba|ong|cha|ma|con|chau|anh|chi|em|vo|chong|ban|co|chu|"
                         r"bac|di|cau|thim|mo|nguoi nha|hang xom)(?: (?!oi\b)\w+){0,2} "
                         r"(?:toi|tui|minh|em)(?: (?:cung|vua|da|moi|lai|thi|bi ke gian))* "
                         r"bi lua\b")
# Asked about, not told: "phải làm gì khi tôi bị lừa", "trường hợp bị lừa", "tôi có bị lừa
# mất tiền không".
_SUPPOSED = re.compile(r"\b(?:khi|truong hop)(?: \w+){0,3} bi lua\b|"
                       r"\bco (?:phai )?(?:\w+ )?bi lua\b(?: \w+)* (?:khong|ko|chua|k)\b")


def lost_money(text: str) -> bool:
    """Whether the resident says they were just cheated of money ("tôi bị lừa chuyển 20 triệu
    rồi, giờ làm sao"), not of an account ("bị lừa mất nick Facebook"), not someone else's
    loss ("mẹ tôi bị lừa mất 50 triệu"), nor a question of how to tell or what if ("làm sao
    biết mình bị lừa", "phải làm gì khi tôi bị lừa chuyển tiền") unless a payment is told
    outright with it ("tôi chuyển 5 triệu rồi, làm sao biết có bị lừa không")."""
    if not (scammed(text) and paid(text)) or _THEIR_LOSS.search(" ".join(_pieces(text))):
        return False
    sent = any(_done(piece, found) for piece in _pieces(text) for found in _SENT.finditer(piece))
    return sent or not (says(spoken(text), HOW_TO_TELL)
                        or any(_SUPPOSED.search(piece) for piece in _pieces(text)))


# The caller let in: the app they asked for installed or opened ("tôi cài rồi", "đã mở"), their
# link opened ("mở link rồi", "đã bấm vào link"), a code read out or sent ("đọc mã cho họ", "tôi
# đọc cho họ rồi").
_GAVE_APP = re.compile(r"\b(?:(?:da|vua|lo) (?:\w+ )?(?P<did>cai|mo|tai|bam)|"
                       r"(?P<verb>cai|mo|tai|bam)(?: \w+){0,3}? roi)\b")
# ... not the resident's own app opened ("mở app ngân hàng", "mở ứng dụng Vietcombank") nor
# their own settings ("cài lại mật khẩu"): the caller gets nothing from that. Installing or
# downloading is never their own app: a fake "Vietcombank" or "VNeID" is what the caller sends.
# Named right after the verb: "cài vào máy", "cài ứng dụng của họ" name no app of their own.
_OWN_NAMES = (r"(?:ngan hang|banking|smart ?banking|digibank|vcb|vietcombank|bidv|agribank|"
              r"vietinbank|techcombank|mb ?bank|tpbank|vpbank|acb|sacombank|momo|zalo ?pay|"
              r"vnpay|zalo|facebook|messenger)\b")
_OWN = re.compile(rf"(?:(?:app|ung dung) )?{_OWN_NAMES}")
_SETTINGS = re.compile(r"(?:lai )?(?:mat khau|ma pin|van tay)\b")
_LINK = re.compile(r"(?:\w+ )?(?:vao )?(?:link|duong link|duong dan|trang web)\b")
# What a caller has the resident install or open, named in the story: with none of it and their
# own app named ("họ bảo tôi mở app ngân hàng ra xem, tôi mở rồi"), a bare "mở rồi" is that app.
_CALLERS = re.compile(rf"\b(?:link|duong (?:link|dan)|apk|file|{REMOTE_APPS}|"
                      rf"(?:app|ung dung|phan mem)(?! (?:\w+ )?{_OWN_NAMES}))\b")
_BARE = {"", "roi", "ra", "len", "luon", "xong", "nhe", "a"}
_GAVE_CODE = re.compile(rf"\b(?:(?:da|vua|lo) (?:\w+ )?(?:doc|gui|dua|nhan)(?: ma| otp)?|"
                        rf"(?:doc|gui|dua)(?: (?:ma|otp|ma otp))?(?: cho {_THEM}| lai)?(?: \w+)? "
                        rf"roi|(?:doc|dua|gui) (?:ma|otp|ma otp|mat khau)(?: \w+)? cho {_THEM})\b")


def gave_access(text: str) -> str:
    """What the resident says they let the caller have: "app" (installed or opened the app
    they asked for, perhaps a code as well), "link" (opened their link), "code" (read out or
    sent a code only), or "" (nothing, or only their own app opened: "mở app ngân hàng")."""
    folded = fold(text)
    own_only = bool(_OWN.search(folded)) and not _CALLERS.search(folded)
    given: set[str] = set()
    for piece in _pieces(text):
        given.update(_opened(piece, found, own_only) for found in _GAVE_APP.finditer(piece)
                     if _done(piece, found))
        if any(_done(piece, found) for found in _GAVE_CODE.finditer(piece)):
            given.add("code")
    return next((kind for kind in ("app", "link", "code") if kind in given), "")


def _opened(piece: str, found: re.Match[str], own_only: bool) -> str:
    """What an app installed or opened (`found`) let in: "app", "link" or "" (the resident's
    own app opened, named or, in a story that names nothing of the caller's, left bare, or
    their own settings)."""
    verb = "did" if found.group("did") else "verb"
    what = " ".join(piece[found.end(verb):].split()[:4])
    if _LINK.match(what):
        return "link"
    if found.group(verb) == "bam" or _SETTINGS.match(what):
        return ""  # "bấm" counts for a link only
    opened = found.group(verb) == "mo"  # installing or downloading is never one's own app
    if opened and (_OWN.match(what) or (own_only and what.split(" ")[0] in _BARE)):
        return ""
    return "app"
