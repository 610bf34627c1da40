"""Is this message a scam? /kiem_tra, a forwarded or pasted message, or a photo of one.

The check itself is bot/listening/scam.py (offline rules); this feature asks for the message,
words the verdict in the learner's form of address, links the lessons that teach its red
flags and, for a learner with a mentor, offers to send the message to them. Privacy: the
checked text is never stored, except in the conversation state of a learner with a mentor
until they press "Gửi cho người kèm xem" (then it is sent and cleared), write again, or stay
silent for 30 minutes (the retention sweep clears it: bot/app.py KEEPS_WORDS); the message
that carries it to the mentor keeps no words once delivered (storage/outbox.py); a
password or a code in it is masked before it is kept or sent (the learner is warned); only
counts are kept (storage/scam_checks.py), and no log quotes it.
"""

import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from bot.handlers import payloads
from bot.handlers.context import Context, Rows
from bot.handlers.payloads import StartLesson
from bot.handlers.places import mentee_called
from bot.handlers.questions import warn_of_secret
from bot.handlers.registry import Command, Feature, Reads, Waits
from bot.lessons.progress import Mode
from bot.listening.scam import ScamChecker, fold, has_link, load_checker
from bot.listening.secret import mask
from bot.listening.story import (
    asked_money,
    gave_access,
    held_back,
    lost_money,
    paid,
    scammed,
    told,
)
from bot.messages import MAX_KEPT_CHARS, Kind
from storage.scam_checks import add_check

CHECK = "check"  # the command, and the state while the message is awaited
CHECKED = "checked"  # the state that keeps a checked text until it is sent to the mentor
SENT = "checksent"  # the state of the turn after that: a second tap is told it went
SEND = "checksend"  # "Gửi cho người kèm xem"
MAX_LESSONS = 3
AFTER_LOSS = "lua-dao/bi-lua"  # the lesson on what to do when money went to a scammer
AFTER_ACCESS = "thanh-toan/an-toan"  # ... and when a stranger got an app or a code (step neu-lo)
# How a learner sends a photo of the message, by channel: as any picture on a messenger, with
# the web chat's "📷 Gửi ảnh tin nhắn" button, as a picture file's path in the terminal.
PHOTO_WAYS = {"telegram": "send", "zalo": "send", "zalo_oa": "send", "web": "web",
              "console": "console"}
# Shorter than this, a text with a number is more likely a question ("ck 500k sao?") than a
# message someone received.
MIN_MESSAGE_CHARS = 40
OCR_READ = "read"  # Incoming.ocr: the picture's text is in Incoming.text
OCR_UNAVAILABLE = "unavailable"  # Tesseract or its Vietnamese model is missing
OCR_NOT_PICTURE = "not_picture"  # a file that is no picture (a document, a broken file)
OCR_FAILED = "failed"  # nothing could be read

# What makes a pasted text look like a message someone received (on folded text).
_LINK = re.compile(r"https?://|www\.|\b[a-z0-9-]+\.(?:com|net|org|vn|info|xyz|top|vip|"
                   r"club|online|site|shop|store|app|io|me|cc|co|biz|ly|gl|gy)\b")
_PHONE = re.compile(r"(?<![\d+])(?:\+?84|0)[ .-]?\d(?:[ .-]?\d){8,9}(?!\d)|\b1[89]00[ .]?\d{4}\b")
_MONEY = re.compile(r"\b\d[\d.,]*\s?(?:k|d|đ|dong|vnd|trieu|tr|ty|ngan|nghin|usd)\b|"
                    r"\$\s?\d")
# The resident asking to be shown how, in the first person ("con chỉ tui với", "hướng dẫn bác
# với"): no sender writes so. "Chỉ giúp em", "chuyển vào stk này giúp tui nha" are a message's
# words, asking its reader for money.
_SHOW_ME = re.compile(r"\b(?:chi|huong dan)(?: giup| dum| gium)? "
                      r"(?:tui|toi|bac|me|ba|ong|chu|minh) (?:voi|di|nhe|nha|cach)\b")
# How residents ask (on folded text): a question of theirs is the question matcher's. "Hổng
# biết bấm chỗ nào" asks where, as "ở đâu" does.
_QUESTION = re.compile(r"\?\s*$|\b(?:lam sao|the nao|nhu nao|ntn|cach nao|lam gi|lam the|"
                       r"duoc khong|dc khong|dc ko|duoc ko|co nen|co sao khong|o dau|cho nao|"
                       r"bang cach)\b|" + _SHOW_ME.pattern)
# Weaker: "cách xem youtube…, sđt con trai 0988…" asks, but "Chị ơi chỉ giúp em, chuyển 5 triệu
# vào stk…" and "Cách nhận quà: chuyển phí 50.000đ vào STK…" are messages: only without a sum
# or an account number.
_ASKING = re.compile(r"^(?:cach|huong dan)\b|\bchi (?:giup|dum|gium|voi|cach)\b")
MAX_QUESTION_CHARS = 160  # longer, with a sum or a number: a message being quoted
# A notice with a code ("Mã OTP của Quý khách là 482913. Không cung cấp mã này cho ai"): the
# resident got it, and typed no password of theirs.
_CODE_SENT = re.compile(r"\b(?:otp|ma|code)\b[^.\n]{0,50}?\b\d{4,8}\b")
_DO_NOT_SHARE = re.compile(r"\b(?:khong|dung|ko)\b(?: \w+){0,2}? (?:cung cap|chia se|tiet lo|"
                           r"dua ma|gui ma|doc ma)\b")
_FORMAL_YOU = re.compile(r"\bquy khach\b")  # how notices call the reader; residents do not
_ACCOUNT_WORDS = re.compile(r"\b(?:stk|so tai khoan|tai khoan)\b")
_ACCOUNT = re.compile(rf"{_ACCOUNT_WORDS.pattern}|\b\d{{8,}}\b")
# A reply to "paste the message" this short, with no link, number or sum and nothing the check
# flags, is the resident talking to us ("vâng", "con chờ chút mẹ chụp ảnh"), not the message.
MAX_REPLY_WORDS = 6
# "Tôi vừa nhận được tin nhắn lạ", "cháu ơi bà có cái tin nhắn lạ lắm": the resident says they
# got one, without pasting it yet ("nhận được tin nhắn báo trúng thưởng" names a topic: the
# question matcher's). Having one only when it is strange: "có tin nhắn" alone may be anything.
_TAIL = r"(?: (?:la|nay|lam|qua|ay|do|kia|dang ngo|tu so la|nhu the nay|roi|a|nhe|day|ne))*"
_RECEIVED = re.compile(rf"^(?:\w+ ){{0,4}}?(?:nhan duoc (?:1 |mot |cai )?(?:tin nhan|tin|sms)|"
                       rf"co (?:1 |mot |cai )?(?:tin nhan|tin|sms) (?:la|dang ngo|tu so la))"
                       rf"{_TAIL}$")


@cache
def _checker(content_dir: str) -> ScamChecker:
    return load_checker(Path(content_dir))


def checker(ctx: Context) -> ScamChecker:
    """The checker of the deployment's content folder (one per process)."""
    return _checker(ctx.base.content_dir)


def looks_like_message(text: str, signs: ScamChecker | None = None) -> bool:
    """Whether pasted text looks like a message someone received rather than a question:
    long enough, with a link, a phone number, a sum of money or an account number, or
    written as a notice is (a code sent with "do not share it", "Quý khách", a sender's
    signature among `signs`' senders)."""
    if len(text) < MIN_MESSAGE_CHARS:
        return False
    folded = fold(text)
    if _LINK.search(folded):
        return True
    code = bool(_CODE_SENT.search(folded) and _DO_NOT_SHARE.search(folded))
    # Two of these: a notice, even with a question mark in it.
    if code + bool(_FORMAL_YOU.search(folded)) + bool(signs and signs.signed(text)) >= 2:
        return True
    # "Chuyển 500k cho con qua ngân hàng thì làm thế nào?" is the resident's own question.
    if len(text) <= MAX_QUESTION_CHARS and (_QUESTION.search(folded) or (
            _ASKING.search(folded) and not (_MONEY.search(folded)
                                            or _ACCOUNT_WORDS.search(folded)))):
        return False
    return code or any(pattern.search(folded) for pattern in (_PHONE, _MONEY, _ACCOUNT))


def ask(ctx: Context) -> None:
    """/kiem_tra: ask for the message (pasted, forwarded, or a photo where the channel can)."""
    ctx.say(ctx.text("check_ask", photos=PHOTO_WAYS.get(ctx.incoming.channel, "")),
            [ctx.menu_row()])
    ctx.ask(CHECK)


def _plain(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", fold(text)).split())


def says_received(text: str) -> bool:
    """Whether the resident says they got a strange message ("tôi vừa nhận được tin nhắn
    lạ") rather than pasting one or asking about one."""
    return not _QUESTION.search(fold(text)) and bool(_RECEIVED.search(_plain(text)))


def _no_message(ctx: Context, text: str, *, again: bool = False) -> bool:
    """Whether a reply to "paste the message" is clearly none: the check's own words again,
    "I got one", or (unless asked `again`) a few words with no link, number or sum that the
    check would not flag."""
    plain = _plain(text)
    own = {_plain(word) for library in (ctx.library, ctx.base)
           for word in getattr(library.commands.get(CHECK), "words", ())}
    if plain in own:
        return True
    if says_received(text):
        return True
    folded = fold(text)
    return not again and len(plain.split()) <= MAX_REPLY_WORDS and not re.search(r"\d", folded) \
        and not _LINK.search(folded) \
        and checker(ctx).check(text, locale=ctx.locale).verdict == "no_signs"


async def _typed(ctx: Context, text: str, data: Mapping[str, Any]) -> None:
    # Asked again, a few words are the message: "Con đổi số rồi mẹ nhé" sent twice was asked
    # for again and again.
    if ctx.incoming.forwarded or not _no_message(ctx, text, again=bool(data.get("again"))):
        await check(ctx, text)
        return
    # Nothing checked, nothing counted: ask again, gently, and keep waiting.
    ctx.say(ctx.text("check_paste", photos=PHOTO_WAYS.get(ctx.incoming.channel, "")),
            [ctx.menu_row()])
    ctx.ask(CHECK, again=1)


async def read(ctx: Context, text: str) -> bool:
    """A forwarded message, or pasted text that looks like one, is checked unasked, and so is
    a resident's word that they just lost money (the check's answer puts the bank's hotline
    first); "tôi vừa nhận được tin nhắn lạ" is asked for the message."""
    if not ctx.incoming.forwarded and says_received(text):
        ask(ctx)
        return True
    if not (ctx.incoming.forwarded or looks_like_message(text, checker(ctx))
            or lost_money(text) or _plainly_a_scam(ctx, text)):
        return False  # a question: the next reader's
    await check(ctx, text)
    return True


def _plainly_a_scam(ctx: Context, text: str) -> bool:
    """Whether pasted text with none of a message's marks (a link, a number, a sum) is one the
    check calls a scam, read as received: "Mẹ đọc giùm con cái mã 6 số vừa gửi vào máy mẹ nha"
    got the lesson on what an OTP is, with no warning (an outside try-out). Not the resident's
    own words: their story is read as one by `check`, and a question goes on to the lessons."""
    folded = fold(text)
    return not (told(text) or scammed(text) or _QUESTION.search(folded) or _ASKING.search(folded)
                or _ASKS_TOO.search(folded)) \
        and checker(ctx).check(text, locale=ctx.locale).verdict == "scam"


# What asks besides _QUESTION: "… có thật không", "… giờ làm sao", "… được không", "có phải".
_ASKS_TOO = re.compile(r"\b(?:khong|ko|k|hong|chua|sao|gi|j|nao|phai|khum)\W*$|\bco phai\b|"
                       r"\bgio (?:toi |tui |em |minh )?(?:phai )?(?:lam|sao)\b")


async def before_consent(ctx: Context) -> None:
    """A message to check (pasted, forwarded or a photo), or word of money just lost, from
    someone who has not agreed to what is kept, or declined: checked all the same, since the
    check keeps nothing of them (bot/handlers/consent.py asks for their agreement after it)."""
    incoming = ctx.incoming
    text = incoming.text.strip()
    if incoming.kind == Kind.PHOTO:
        await photo(ctx)
    elif incoming.kind == Kind.TEXT and (
            incoming.forwarded or looks_like_message(text[:MAX_KEPT_CHARS], checker(ctx))
            or lost_money(text[:MAX_KEPT_CHARS])):
        await check(ctx, text[:MAX_KEPT_CHARS], cut=len(incoming.text) > MAX_KEPT_CHARS)


async def read_long(ctx: Context, text: str) -> bool:
    """A text longer than the tutor reads as a question or an answer (MAX_TEXT_CHARS) that is
    a message to check (awaited, forwarded, or looking like one, or the resident's own story):
    checked all the same, up to the MAX_KEPT_CHARS the tutor keeps of any text (a check of
    4,000 characters takes about 15 ms: bench/RESULTS.md), saying so when it was cut."""
    first = text[:MAX_KEPT_CHARS].strip()
    awaited = ctx.asked is not None and ctx.asked.name == CHECK
    if not (awaited or ctx.incoming.forwarded or looks_like_message(first, checker(ctx))
            or told(first)):
        return False
    await check(ctx, first, cut=len(text) > MAX_KEPT_CHARS)
    return True


def _menu_rows(ctx: Context) -> Rows:
    """The menu's button, for those who agreed: before that, it only asks them again."""
    return [ctx.menu_row()] if ctx.turn.learner.consented else []


async def photo(ctx: Context) -> None:
    """A photo or screenshot: its text (read by OCR before the turn, bot/tutor.py) checked."""
    outcome = ctx.incoming.ocr
    if outcome == OCR_UNAVAILABLE:
        ctx.say(ctx.text("check_photo_unavailable"), _menu_rows(ctx))
    elif outcome == OCR_NOT_PICTURE and PHOTO_WAYS.get(ctx.incoming.channel) != "send":
        # A file the person chose (the web chat, the terminal). A messenger's photo is a
        # picture by the platform's own making: bytes that are none are a download gone wrong.
        ctx.say(ctx.text("check_photo_not_picture"), _menu_rows(ctx))
    elif outcome != OCR_READ or len(ctx.incoming.text.strip()) < 2:
        ctx.say(ctx.text("check_photo_unreadable"), _menu_rows(ctx))
    else:
        await check(ctx, ctx.incoming.text, from_photo=True)


async def check(ctx: Context, text: str, *, from_photo: bool = False, cut: bool = False) -> None:
    """Check `text`, count the check, and answer: the verdict, each red flag, what to do, the
    lessons that teach the flags and, with a mentor, the offer to send it to them; back to
    the lesson or quiz in progress. `cut`: only the text's first part came (too long)."""
    # The resident's own story ("có người gọi cho tôi, xưng là công an…"): told as theirs,
    # praised for what they have not done yet or, when the money went or they let the caller
    # in, told what to do now. "Tôi bị lừa chuyển 20 triệu rồi" tells of no call, and is theirs.
    own = not from_photo and not ctx.incoming.forwarded
    cheated = own and scammed(text)
    story = own and (told(text) or cheated)
    gone = story and paid(text)
    access = gave_access(text) if story else ""
    verdict = checker(ctx).check(text, locale=ctx.locale, story=story,
                                 asked=story and asked_money(text), paid=gone, cheated=cheated,
                                 gave=bool(access))
    if verdict.verdict == "no_signs":
        access = ""  # "tôi mở app rồi" in a story with nothing asked lets no one in
    folded = fold(text)
    # A genuine code notice: the code came because someone, maybe not them, is signing in.
    code_notice = verdict.verdict == "no_signs" and bool(
        _CODE_SENT.search(folded) and _DO_NOT_SHARE.search(folded))
    await add_check(ctx.turn.connection, area_id=ctx.turn.learner.area,
                    flags=[flag.code for flag in verdict.flags])
    consented = ctx.turn.learner.consented
    # Lessons need agreement first (the consent notice follows), and so does a mentor.
    # Money gone: the lesson on what to do after being cheated comes first.
    first = ((AFTER_LOSS,) if gone else ()) + ((AFTER_ACCESS,) if access else ())
    rows = _lesson_rows(ctx, first + verdict.lessons) if consented else []
    masked = mask(text)  # a genuine OTP message, or the learner's own password, is no one's
    if consented and await ctx.mentoring.my_mentor() is not None:
        rows.append([ctx.button("button_check_mentor", SEND)])
        # Kept only until sent: any other turn clears the state, and with it the text.
        ctx.ask(CHECKED, text=masked.text, verdict=verdict.verdict)
    if consented and ctx.position.mode != Mode.MENU and ctx.current_course_lesson() is not None:
        rows.append([ctx.button("button_keep_lesson", payloads.RESUME)])  # the tutor kept it
    rows.extend(_menu_rows(ctx))
    if masked.found:
        warn_of_secret(ctx, masked, pasted=True)
    flags = [ctx.course_text(flag.explain) for flag in verdict.flags]
    if story:
        flags = [_as_told(ctx, flag) for flag in flags]
    ctx.say(ctx.text("check_result", verdict=verdict.verdict, from_photo=from_photo,
                     new_number=verdict.new_number, flags=flags, story=story,
                     held=held_back(text) if story else "", paid=gone, access=access,
                     link=has_link(text),
                     code_notice=code_notice, cut=cut),
            rows, alone=not consented)  # the consent notice that follows is a message of its own


def _as_told(ctx: Context, flag: str) -> str:
    """A flag's sentence about a message ("Tin nhắn nhân danh công an…") said of the person in
    the resident's story ("Người đó nhân danh công an…")."""
    message, person = ctx.text("check_flag_message").strip(), ctx.text("check_flag_story").strip()
    return person + flag[len(message):] if flag.startswith(message + " ") else flag


def _lesson_rows(ctx: Context, lessons: tuple[str, ...]) -> Rows:
    rows: Rows = []
    for reference in dict.fromkeys(lessons):
        course_id, _, lesson_id = reference.partition("/")
        course = ctx.library.course(course_id)
        lesson = course.lesson(lesson_id) if course else None
        if lesson is not None:
            # The lesson's own button: a half-finished lesson gets the switch question.
            rows.append([ctx.button("button_check_lesson", StartLesson(course_id, lesson_id),
                                    title=lesson.title)])
        if len(rows) == MAX_LESSONS:
            break
    return rows


async def send_to_mentor(ctx: Context) -> None:
    """"Gửi cho người kèm xem": the checked text goes to the mentor, then is forgotten."""
    asked = ctx.asked
    mine = await ctx.mentoring.my_mentor()
    if asked is not None and asked.name == SENT and mine is not None:  # a second tap
        ctx.say(ctx.text("check_already_sent", name=mine.mentor_name), [ctx.menu_row()])
        return
    if asked is None or asked.name != CHECKED or mine is None:
        ctx.say(ctx.text("check_send_gone"), [ctx.menu_row()])
        return
    ctx.tell(mine.mentor_id, "check_for_mentor", [[("button_mentees", payloads.MENTEES)]],
             # masked when checked; again here for a text kept before a rule was added
             name=mentee_called(ctx, mine), text=mask(str(asked.data.get("text", ""))).text,
             verdict=str(asked.data.get("verdict", "")))
    ctx.say(ctx.text("check_sent", name=mine.mentor_name), [ctx.menu_row()])
    ctx.ask(SENT)  # no text: only that it went, until the next turn


FLAGS_SAMPLE = ["Tin nhắn đòi mã OTP, mật khẩu hoặc passcode.",
                "Đường link trong tin không phải trang chính thức."]

FEATURE = Feature(
    commands=(Command(CHECK, ask), Command(SEND, send_to_mentor)),
    reads=Reads(read, order=10),
    # A command's word typed instead of a message ("xóa dữ liệu", "tiến độ") is the command:
    # the resident gave up on checking, and their own words are no message to judge.
    waits=(Waits(CHECK, _typed, yields_to_words=True, keeps=(CHECK, "next")),),
    samples={
        "check_ask": {"photos": "web"}, "check_paste": {"photos": "send"},
        "check_result": {"verdict": "scam", "flags": FLAGS_SAMPLE, "from_photo": True,
                         "new_number": False, "story": True, "held": "money",
                         "paid": False, "access": "", "link": False,
                         "code_notice": False, "cut": True},
        "check_flag_message": {}, "check_flag_story": {},
        "check_photo_unavailable": {}, "check_photo_unreadable": {},
        "check_photo_not_picture": {},
        "check_send_gone": {}, "check_sent": {"name": "Minh Anh"},
        "check_already_sent": {"name": "Minh Anh"},
        "check_for_mentor": {"name": "Bà Lan", "verdict": "suspicious",
                             "text": "Tài khoản của bạn bị khóa, bấm vcb-vn.xyz"},
        "button_check_lesson": {"title": "Nhận biết link giả"},
        "button_check_mentor": {}, "button_check": {},
    },
)
