"""Passwords, codes, card and CCCD numbers in a person's own words (and, asked, phone
numbers): found and masked "••••"."""

import functools
import re
import unicodedata
from dataclasses import dataclass

from bot.listening import numbers

MASK = "••••"

# Words that announce a secret, folded (lower case, no diacritics, đ -> d), as token tuples.
# "ma" alone is "mã" but also "mà" ("but"), so it only ever announces digits right after it.
_PASSWORD_WORDS = {("mat", "khau"), ("matkhau",), ("mk",), ("pass",), ("password",),
                   ("passwd",), ("pwd",), ("passcode",), ("ma", "pin"), ("pin",),
                   ("ma", "bao", "mat"), ("cvv",), ("cvc",)}
_CODE_WORDS = {("otp",), ("ma", "otp"), ("ma", "xac", "thuc"), ("ma", "xac", "nhan"),
               ("ma", "xac", "minh"), ("code",), ("ma",)}
_KEYWORDS: dict[str, list[tuple[str, ...]]] = {}  # by first word, the longest first
for _key in sorted(_PASSWORD_WORDS | _CODE_WORDS, key=len, reverse=True):
    _KEYWORDS.setdefault(_key[0], []).append(_key)
_GLUED = re.compile(r"(?:otp|mk|pass|pin|matkhau|passcode|password)[:=]?(?=\S*\d)")
_SAYS = {"la", "is", ":", "="}  # "mật khẩu là …", "pass: …"
# Units after a number: an amount ("pin 5000 mAh"), not a code.
_MEASURES = {"mah", "%", "w", "v", "gb", "mb", "gio", "tieng", "phut", "giay", "ngay", "lan",
             "nam", "thang", "dong", "d", "k", "vnd", "trieu", "nghin", "ngan", "so", "chu", "ky"}
# Words that end a value said after "là": "… là hoa hong 123 mà không vào được".
_STOPS = {"ma", "nhung", "nhe", "nha", "a", "roi", "khong", "ko", "nen", "thi", "vay", "sao",
          "va", "hay", "de", "phai", "duoc", "dc", "ha", "day", "do", "ne", "oi"}
# Words that tell of a password rather than give it: "mật khẩu: bác quên rồi", "mk: đã đổi".
_TELLS = {"quen", "doi", "nho", "biet", "mat", "lay"}
_RUN = 5  # words a value said after "là" or ":" may have ("ngay sinh cua chau 2015")
# One Vietnamese syllable, folded: "hoa", "hong", "nguyen"; "hoahong" or "abcd" is none.
_SYLLABLE = re.compile(r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnpqrstvx])?"
                       r"[aeiouy]{1,3}(?:ch|ng|nh|[cmnpt])?")
_LOOK_AHEAD = 10  # tokens after the words where "là <value>" may be ("của Quý khách là …")
_NEAR = 3  # tokens after the words where a bare code may be ("mã OTP của tôi 483920")
_CODE = re.compile(r"\d{4,8}")  # an OTP or a PIN
# A word, or digits typed in groups, one token: "483 920", "1 2 3 4" (read as "483920").
_TOKEN = re.compile(r"(?<!\S)\d{1,4}(?: \d{1,4})+[.,;!?)]*(?!\S)|\S+")
_CARD_CODE = re.compile(r"\d{3,4}")  # the CVV or CVC on a card's back
_CARD_CODE_WORDS = {("cvv",), ("cvc",)}
# A CCCD (căn cước) number has 12 digits, an old CMND (chứng minh nhân dân) 9; a card's 13-19.
# A unit after digits makes them a sum: "150 000 000 đồng" is no CMND.
_UNIT = re.compile(r" ?(?:d|dong|vnd|k|trieu|nghin|ngan|usd)\b")
_ID_WORDS = re.compile(r"\b(?:cccd|cmnd|cmt|can ?cuoc|dinh danh|chung minh)\b")
_OLD_ID_WORDS = re.compile(r"\b(?:cmnd|cmt|chung minh)\b")
_ID_NEAR = 40  # characters around a 12-digit number where its words must be
# The words just before an account number ("TK 0071000123456", "STK: …", "số tài khoản"): a
# bank's own notice names it, and people share it to be paid; it is neither a card's nor a
# CCCD's, whatever its digits.
_ACCOUNT = re.compile(r"\b(?:s?tk|tai khoan|account|acc|a/c)(?: so)?[ :.]*$")
_ACCOUNT_NEAR = 20  # characters before a number where its account words are
_EDGE = ".,;?()[]{}\"'«»“”…"  # punctuation around a value that is not part of it


@dataclass(frozen=True)
class Masked:
    """A text with its secrets replaced by MASK, whether there were any, and whether a
    password or a code was among them (else only card or CCCD numbers, which a bank may ask)."""

    text: str
    found: bool  # a password, a code, a card or a CCCD number (not a phone number)
    codes: bool = False
    phones: bool = False  # a phone number (only masked when asked)


def mask(text: str, *, phones: bool = False) -> Masked:
    """`text` (NFC) with every password, code, card number or CCCD number in it masked and,
    with `phones`, every phone number: what a mentor writes about a resident keeps none (the
    resident is promised that the mentor does not see it); a message checked or a question
    keeps them (a scammer's number is a red flag, and theirs is their own)."""
    text = unicodedata.normalize("NFC", text)
    folded = _fold(text)
    codes = _after_words(folded, text)
    secrets = codes + _cards(folded) + _id_numbers(folded)
    said = numbers.phones(folded) + numbers.spoken_phones(text) if phones else []
    spans = secrets + said
    if not spans:
        return Masked(text, False)
    kept: list[str] = []
    at = 0
    for start, end in sorted(spans):
        if end <= at:
            continue  # inside one masked already
        kept += [text[at:max(start, at)], MASK]
        at = end
    kept.append(text[at:])
    return Masked("".join(kept), bool(secrets), bool(codes), bool(said))


def _fold(text: str) -> str:
    """Lower case without diacritics (đ -> d), one character for one, so that spans found
    in it are the text's own (bot/listening/words.fold drops punctuation and spaces)."""
    return "".join(map(_fold_char, text))


@functools.lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    base = unicodedata.normalize("NFD", char.lower())[:1] or char
    return "d" if base == "đ" else base


def _after_words(folded: str, text: str) -> list[tuple[int, int]]:
    """Values that follow a password's or a code's words: "mật khẩu của tôi là Abc@123",
    "OTP 998877", "mk: hoa1960", "otp483920", or a code just before them ("483920 là mã OTP")."""
    tokens = [(m.start(), m.end()) for m in _TOKEN.finditer(folded)]
    words = [(folded[start:end].strip(_EDGE + ":=") or folded[start:end]).replace(" ", "")
             for start, end in tokens]
    spans: list[tuple[int, int]] = []
    index = 0
    while index < len(tokens):
        glued = _GLUED.match(words[index])
        if glued and len(words[index]) - glued.end() >= 3:  # "otp483920", "mk:hoa1960"
            start, end = _value_span(tokens[index], text)
            spans.append((start + glued.end(), end))
            index += 1
            continue
        key = next((key for key in _KEYWORDS.get(words[index], ())
                    if tuple(words[index:index + len(key)]) == key), None)
        if key is None:
            index += 1
            continue
        after = index + len(key)
        found = _values_after(key, tokens, words, after, text)
        spans += [(_value_span(tokens[first], text)[0], _value_span(tokens[last], text)[1])
                  for first, last in found]
        if not found and key in _CODE_WORDS and key != ("ma",):  # "483920 là mã OTP"
            back = next((back for back in range(index - 1, max(index - 3, -1), -1)
                         if _CODE.fullmatch(words[back])), None)
            if back is not None:
                spans.append(_value_span(tokens[back], text))
        index = after
    return spans


def _values_after(key: tuple[str, ...], tokens: list[tuple[int, int]], words: list[str],
                  after: int, text: str) -> list[tuple[int, int]]:
    """The first and last tokens of each value, in the clause after the words `key` (ending
    before token `after`): a 4-8 digit code a word or two on; a value with a digit or a sign
    right after the words; after "là", ":" or "=", the words up to one shaped like a password
    ("là hoa hong 123", "là hoahong"), and after ":" or "=" any words ("mk: hoa hong")."""
    found: list[tuple[int, int]] = []
    colon = text[tokens[after - 1][1] - 1] in ":="  # "mk: …", "pass= …"
    said = colon
    amount = None  # an amount said just before the value: "là 12 tháng 5" is masked whole
    for index in range(after, min(after + _LOOK_AHEAD, len(tokens))):
        word = words[index]
        if word.isalpha() and text[tokens[index][1] - 1] in ":=":
            said = colon = True  # "mật khẩu của tôi: …", "mật khẩu Zalo: …", "là: …"
            continue
        if word in _SAYS:
            if text[tokens[index][1] - 1] in ",.;!?":
                break  # "lạ;" folded is "la", and ends its clause
            said, colon = True, colon or word in (":", "=")
            continue
        if key == ("ma",):  # "mã 483920", never "mà …"
            return [(index, index)] if _CODE.fullmatch(word) else []
        # Passed over: an amount ("pin 5000 mAh", "2.000.000 VND là …"), and what follows
        # "pin" alone (also a battery) until "là" or ":".
        measure = _measured(tokens, words, text, index)
        if measure or (key == ("pin",) and not said):
            if text[tokens[index][1] - 1] in ",.;!?":
                break
            amount = index if said and measure else None
            continue
        value = text[slice(*_value_span(tokens[index], text))]
        code = (_CARD_CODE if key in _CARD_CODE_WORDS else _CODE).fullmatch(word) is not None
        if said:  # "mật khẩu là gì" has none
            last = index if code else _said_value(tokens, words, text, index, colon=colon)
            first = amount if amount == index - 1 else index
            return [*found, (first, last)] if last is not None else found
        if (code and index < after + _NEAR) or (
                index == after and len(value) >= 4 and _made_up(value, capitals=False)):
            found.append((index, index))
        if text[tokens[index][1] - 1] in ",.;!?":
            break  # the clause ended
    return found


def _said_value(tokens: list[tuple[int, int]], words: list[str], text: str, start: int, *,
                colon: bool) -> int | None:
    """The last token of a value said from token `start` on: a first word shaped like a
    password ("hoahong", "HoaHong") or the words up to one with a digit or a sign ("hoa hong
    123"), or after ":" any words; None for words that only describe one ("ngày sinh của
    tôi", "6 số", "tên ứng dụng VNeID")."""
    last = None
    made_up = False  # a word shaped like a password seen ("hoa1960 quên rồi" still gives it)
    for index in range(start, min(start + _RUN, len(tokens))):
        word = words[index]
        if word in _STOPS:
            break
        if word in _TELLS:  # "mật khẩu: bác quên rồi", "mk: đã đổi hôm qua"
            if not made_up:
                return None
            break
        value = text[slice(*_value_span(tokens[index], text))]
        measure = _measured(tokens, words, text, index)  # "6 số"
        shaped = _made_up(value, capitals=False) or (index == start and (
            _made_up(value, capitals=True) or (len(word) >= 4 and not _SYLLABLE.fullmatch(word))))
        made_up = made_up or (shaped and not measure)
        if colon or (shaped and not measure):
            last = index
        if text[tokens[index][1] - 1] in ",.;!?":
            break
    if last is None or tokens[last][1] - tokens[start][0] < 4:
        return None  # "là 1 …", "là ok"
    return last


def _measured(tokens: list[tuple[int, int]], words: list[str], text: str, index: int) -> bool:
    """Whether token `index` is an amount: a unit follows in its clause ("6 số", "5000 mAh";
    not "là hoa hong 123, số bác …", where the clause ended)."""
    return index + 1 < len(words) and words[index + 1] in _MEASURES \
        and text[tokens[index][1] - 1] not in ",.;!?"


def _made_up(value: str, *, capitals: bool) -> bool:
    """A password's shape: a digit or a sign ("Abc@123", "hoa1960") and, where a value is
    announced, capitals inside ("HoaHong"); not right after the words, where a name such as
    "VNeID" or "BIDV" is likelier."""
    return (any(char.isdigit() for char in value) or any(not char.isalnum() for char in value)
            or (capitals and any(char.isupper() for char in value[1:])))


def _value_span(token: tuple[int, int], text: str) -> tuple[int, int]:
    """A token's span without the punctuation around it ("998877," -> "998877")."""
    start, end = token
    while start < end and text[start] in _EDGE:
        start += 1
    while end > start and text[end - 1] in _EDGE:
        end -= 1
    return start, end


def _cards(folded: str) -> list[tuple[int, int]]:
    """Card numbers: 13 to 19 digits in groups of two or more (or none), that pass the Luhn
    check every card number passes (a 13-digit bank account number mostly does not, and is
    no secret)."""
    spans = []
    for run, span in numbers.runs(folded):
        digits = [int(char) for char in run if char.isdigit()]
        if 13 <= len(digits) <= 19 and min(map(len, re.split("[ -]", run))) >= 2 \
                and _luhn(digits) and not _is_account(folded, span[0]):
            spans.append(span)
    return spans


def _is_account(folded: str, start: int) -> bool:
    """Whether the number starting at `start` is announced as a bank account's."""
    return _ACCOUNT.search(folded[max(0, start - _ACCOUNT_NEAR):start]) is not None


def _luhn(digits: list[int]) -> bool:
    total = 0
    for place, digit in enumerate(reversed(digits)):
        if place % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def _id_numbers(folded: str) -> list[tuple[int, int]]:
    """12-digit CCCD and 9-digit CMND numbers, grouped or not, with their words near ("số
    CCCD của tôi là 0011…", "cmnd 012 345 678")."""
    spans = []
    for run, (start, end) in numbers.runs(folded):
        digits = sum(char.isdigit() for char in run)
        if digits not in (9, 12) or _UNIT.match(folded, end) or _is_account(folded, start):
            continue
        near = folded[max(0, start - _ID_NEAR):end + _ID_NEAR]
        if (_ID_WORDS if digits == 12 else _OLD_ID_WORDS).search(near):
            spans.append((start, end))
    return spans
