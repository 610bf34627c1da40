"""Recognise a resident asking to learn a topic or open a lesson ("muốn học về lừa đảo", "mở
bài quét QR", "học lại bài cài vneid"), and what they want to learn: the words after it."""

import re

from bot.listening.words import content_words, expand, fold

# On the folded, expanded words (words.expand: the asker and a call to the bot are gone
# already, "tôi muốn học…" reads "muon hoc…"). What comes before the topic: wanting to learn
# ("muốn học (về)", "cần học bài"), learning ("học về", "học lại bài"), opening a lesson ("mở
# bài", "xem lại bài học về") or naming one ("bài (học) về", "bài cài vneid"). Not "học" alone:
# "học số là gì" asks about Học Số, "học sinh" is no request.
_LESSON = r"bai(?: hoc)?(?: ve)?"
_LEARN = re.compile(
    r"^(?:(?:muon|can|dinh|thich|xin) (?:duoc )?hoc(?: lai| them)?(?: ve| " + _LESSON + r")?"
    r"|hoc(?: lai| them)?(?: ve| " + _LESSON + r")"
    r"|hoc (?:lai|them)"
    r"|(?:mo|xem)(?: lai)? " + _LESSON
    + r"|" + _LESSON + r")(?: (?P<topic>.*))?$")
# Said before the request: particles, "cho (tôi)", "dạ", "vâng" ("dạ cho bác học về VNeID").
# "oi" is what "cháu ơi" leaves.
_BEFORE = frozenset({"da", "vang", "cho", "xin", "thi", "gio", "nay", "oi", "a"})
# "bài này", "bài trước", "bài kiểm tra": the lesson the learner is in, or its quiz, not a topic;
# "bài hát", "bài thuốc", "bài tập", "bài văn": no lesson (three questions of the sets).
_NOT_A_TOPIC = re.compile(r"^(?:nay|do|kia|ay|truoc|sau|tiep|nao|kiem tra|hat|thuoc|tap|van|tho|"
                          r"bao|giang|cung|bac|ca|nhac|bolero)\b")


def wanted(text: str) -> str | None:
    """What the resident asks to learn or to open a lesson about, as folded words ("" when they
    name nothing: "tôi muốn học"); None when `text` asks no such thing."""
    words = expand(fold(text))
    while words and words[0] in _BEFORE:
        words = words[1:]
    found = _LEARN.match(" ".join(words))
    if found is None:
        return None
    topic = found.group("topic") or ""
    if _NOT_A_TOPIC.match(topic):
        return None
    return topic if content_words(topic.split()) else ""
