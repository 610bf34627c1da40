"""Find the lessons that answer a resident's own question, or say honestly that none does."""

import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import pairwise
from typing import Any

import numpy as np
from rank_bm25 import BM25Okapi

from bot.lessons.model import Course, Lesson, Library, Step
from bot.listening.bm25 import PostedBM25
from bot.listening.story import NOT_CHEATED
from bot.listening.words import (
    HOW_TO_TELL,
    STOPWORDS,
    Speller,
    char_grams,
    content_words,
    expand,
    fold,
    is_syllable,
    numbers,
    says,
    spoken,
    without_numbers,
    without_other_scripts,
)


@dataclass(frozen=True)
class Match:
    """A lesson that answers the question, with the step that answers it best."""

    course: str
    lesson: str
    title: str
    score: float  # 0..1; comparable between questions, not a probability
    step: str  # the best step's id
    step_text: str


@dataclass(frozen=True)
class Evidence:
    """What the matcher knows of a question and its best lesson: the figures the decision to
    answer or to say "no lesson for this yet" weighs (Tuning.answer_weights)."""

    score: float  # the best lesson's score (Match.score)
    # log(1 + the question's terms), counted up to Tuning.usual_terms: a short question holds a
    # smaller share of each, but beyond that length the score is already measured as if the
    # message were that long, and a long story says nothing more about being answerable.
    terms: float
    anchored: float  # 1 if the best lesson holds one of the question's anchors, else 0
    flat: float  # the third lesson's score over the best's: near 1, no lesson stands out
    # How many of the question's distinct word pairs ("mat_khau", "chuyen_tien") the best
    # lesson holds: a question told in the lesson's own phrases, not only in its syllables,
    # which a question about something else shares with it as often ("gia", "tien", "the").
    pairs: float
    # How many of the question's distinct content words no lesson holds at all, once typos are
    # mended ("bau" of "học đàn bầu", "gemini"): a question about what the library never
    # speaks of. A number no lesson holds is none of them, nor a few letters of another
    # script: they are taken out of the question; a word typed run together is counted as
    # the words it is made of (QuestionIndex.words). Both counts are over the whole message,
    # not its best part: a long story about something else piles up words no lesson has, and
    # is refused (bench/RESULTS.md, round 4).
    unknown: float
    # How much of the question one step of the best lesson holds: the largest share of its
    # distinct content words that one of the lesson's steps says outside its quotes, each
    # weighed by its rarity among lessons (a word no lesson holds weighs the most). A
    # question a lesson answers mostly has its telling words together in one step; one beside
    # the lesson's topic finds them scattered over the lesson, nowhere, or only in what a step
    # quotes as an example ("Chỉ tôi cách nấu canh chua cá"). The same share of the lesson's
    # whole vocabulary helped nothing (round 6); of its one step it does (bench/RESULTS.md,
    # round 7).
    step: float
    # How many of the task verbs the question asks (TASK_VERBS: "lấy lại", "đăng ký", "hủy",
    # "rút", "mở"...) the best lesson never says: not in its title, keywords, steps, quiz or
    # example questions. A question beside a lesson's topic shares its
    # topic words and asks a task it does not teach ("Mất thẻ căn cước thì làm lại ở đâu?"
    # beside the chip card lesson, "rút tiền từ ví MoMo về tài khoản" beside the bank-app
    # lesson, "Facebook bị hack, lấy lại sao" beside the password lesson); a lesson that
    # teaches a task says its verb (bench/RESULTS.md, round 8).
    undone: float
    # Not a figure the model weighs but a rule beside it (since round 7; before, the model's
    # most negative weight): 1 if the question asks how much or when ("bao nhiêu", "bao lâu",
    # "khi nào": _AMOUNT_OR_TIME) and the best lesson's title, keywords and example questions
    # never do, else 0; such a question is refused. The lessons teach what to do, not fees,
    # amounts or dates: such questions on a lesson's topic ("lương hưu năm sau tăng bao
    # nhiêu", "làm lại căn cước mất bao nhiêu tiền") are the ones it does not answer, 62 of
    # the 71 in the sets (bench/RESULTS.md, rounds 5 and 7). A lesson that does answer them
    # says so in its examples ("mật khẩu phải dài bao nhiêu ký tự mới an toàn").
    unasked: float
    # Not a figure the model weighs but a rule beside it: the question asks a task a lesson
    # says it does not teach (`not_taught`: "lấy lại mật khẩu Facebook" beside the lesson on
    # choosing a password), sharing nothing else rare with the best lesson's title and
    # keywords, and is refused whatever the model says. Words and phrases alone could not
    # tell such a question from one the lesson answers: every measure of how much of the
    # question the lesson holds failed (bench/RESULTS.md, rounds 4 to 6).
    untaught: bool = False

    def values(self) -> tuple[float, ...]:
        """The figures in Tuning.answer_weights' order (after its bias)."""
        return (self.score, self.terms, self.anchored, self.flat, self.pairs, self.unknown,
                self.step, self.undone)


@dataclass(frozen=True)
class Tuning:
    """The matcher's weights, chosen by measurement on every set in tests/data/questions*.yaml
    together (bench/RESULTS.md, issue 20 §1 rounds 2 to 5, and numbers in a question)."""

    # A lesson's title and keywords count this many times its steps. 4 before residents'
    # questions (`heard`) joined the lessons: with them, a question that only names a lesson's
    # topic ("chuyển khoản thế nào") found the lessons whose residents said the same words
    # alike; 16 keeps the title-and-keywords questions' figures (bench/RESULTS.md).
    title_weight: int = 16
    char_weight: float = 0.5  # character n-grams: misspellings, run-together words
    # A longer message is ranked as if this long (_upper_bound), and judged by its best part
    # this long (_best_part).
    usual_terms: int = 20
    grams_per_term: int = 6
    unknown_pair: float = 1.0  # an unknown word pair's weight against an unknown word's
    relative: float = 0.5  # further lessons shown only when this close to the best
    limit: int = 3
    # An anchor: a word pair ("mat_khau") or a word no syllable could be ("otp", "vneid") that
    # at most this share of lessons hold (in their titles and keywords, with anchor_in_head).
    # Single syllables alone ("gia", "vang") are as likely parts of other words ("tạm vắng",
    # "giả"), and "điện thoại" is in most lessons. 0: every lesson is anchored.
    anchor_share: float = 0.2
    # Where the anchor must be: 0 anywhere in the lesson; 1 in its title or keywords (what the
    # lesson is about, not an example one of its steps happens to use).
    anchor_in_head: int = 1
    # A lesson's `asks:`, example questions in residents' words written from its situation.
    # They join the lesson's text this many times (a question that tells a situation shares
    # its words with an example more than with the steps)...
    ask_in_text: int = 2
    # Residents' questions a lesson answers (`heard`, content/questions/) join its text this
    # many times: twice, as `asks:`, lowered the figures on questions that only name a topic.
    heard_in_text: int = 1
    # ... and count as their own field: how nearly the question restates the lesson's closest
    # example (_like_examples, 0..1), added to the lesson's score with this weight.
    ask_weight: float = 0.25
    # Whether to answer at all: a logistic model over the Evidence (bias, then one weight for
    # each of its values), fitted by bench/ask_abstain.py on every question set together (each
    # left out in turn to measure it); refit it when the lessons change much. The matcher
    # answers when the model's probability is at least answer_floor: with the weights of each
    # of the thirteen sets left out in turn, 0.65 keeps 0.935 of the questions a lesson answers
    # finding it among those shown, and refuses 0.917 of the others (0.56 would be the lowest
    # that refuses 0.90 of them in-sample; bench/RESULTS.md, round 9).
    answer_weights: tuple[float, ...] = (-6.04, 9.54, 0.0, 0.65, -2.85, 0.54, 0.0, 1.87, -3.30)
    answer_floor: float = 0.65
    # A question holding this share of a lesson's `not_taught` task (its words and word pairs,
    # each weighed by rarity) asks that task (Evidence.untaught).
    untaught_share: float = 0.75
    tie_share: float = 0.05
    # Which step of a lesson a reply shows (_best_step), chosen on the `tune` half of
    # tests/data/question_steps.yaml (bench/RESULTS.md, "the step a reply shows"). Its BM25
    # score over the question's words is mixed with its score over only the words that at most
    # half the lesson's steps hold, this much of the latter: "otp" of "mã otp là gì" is in
    # every step of the OTP lesson and tells none of them apart.
    step_telling: float = 0.5
    # Added for a step that tells what to do (_doing: "Bấm…", "chọn…", a numbered list)...
    step_doing: float = 0.2
    # ... and taken off the later a step comes (0 first, this much last): lessons open with
    # their gist, and end with what is beside it.
    step_later: float = 0.2
    # Added for the step that says what to do once it has happened ("Lỡ đọc mã OTP…",
    # "Việc 1: Gọi ngay tổng đài…": _FIRST_THING) when the question tells that it has and asks
    # what now ("lỡ đọc 6 số rồi, giờ gọi ai trước", "bị lừa rồi giờ làm sao": _happened and
    # _WHAT_NOW). Its words are mostly those of a step that warns beforehand ("Không ai được
    # biết mã OTP…"), which won; "tôi bị lừa mất 5 triệu, giờ làm sao" showed the step on a
    # second scam. The step shown answered 0.816 of tune with it alone, 0.811 without; any
    # weight from 0.7 to 2 measures the same (bench/RESULTS.md, "the step that answers").
    step_first: float = 1.0
    # Added for a step that tells the signs ("Dấu hiệu 1: địa chỉ lạ…": _SIGNS) when the
    # question asks how to tell ("nhìn sao biết", "thật hay giả": HOW_TO_TELL); the step
    # that says what the thing is holds the question's words more. Tune 0.830 with it alone;
    # 1.5 to 2 measure the same. Both: tune 0.835, held out 0.788 -> 0.817 (check) and
    # 0.865 unchanged (check2).
    step_signs: float = 1.5


# How a question asks for an amount or a time, folded: what no lesson teaches unless its own
# examples ask it (Evidence.unasked).
_AMOUNT_OR_TIME = ("bao nhieu", "bao lau", "bao gio", "khi nao", "may gio", "gia bao nhieu")
# "có bao giờ", "không bao giờ", "chưa bao giờ": ever and never, not when.
_EVER = frozenset({"co", "khong", "chua", "chang"})
# "bao nhiêu ngày", "bao nhiêu tháng": how long, as "bao lâu" asks it. A lesson that says how
# long a procedure takes asks it one way in its examples, residents the other.
_SPANS = frozenset({"ngay", "gio", "phut", "tuan", "thang", "nam", "lau"})
# What a fee or a price is asked with: "phí bao nhiêu", "giá bao nhiêu", "tốn/hết bao nhiêu".
# The lessons teach what to do, not what it costs; a lesson's "còn bao nhiêu tiền" (one's
# balance) or "số bao nhiêu" (a hotline) answers no fee.
_PRICE = frozenset({"phi", "gia", "ton", "het"})
# What a lesson's example counts with "mấy" ("mấy bài", "mấy việc", "mấy lần"): "máy" folds to
# "may" too ("máy tính", "máy khác"), so only these.
_COUNTED = frozenset({"bai", "viec", "lan", "buoc"})
# Where one clause of a message ends: "tắt máy, giờ muốn học tiếp" asks no "mấy giờ" (what
# time), though folded it reads "may gio" across the comma.
_CLAUSE = re.compile(r"[,.;:!?\n]+")


def _amount_or_time(words: list[str], lesson: bool = False) -> set[str]:
    """Which of _AMOUNT_OR_TIME the (folded, expanded) words of one clause ask; "bao nhiêu"
    before a span of time reads as "bao lâu". In a lesson's own examples (`lesson`), "mấy" before
    what is counted (_COUNTED: "mỗi buổi chỉ mấy việc", "học được mấy bài") asks "bao nhiêu": a
    resident asks it either way. Not in a question: there "mấy" is mostly a plural ("mấy đứa
    nhỏ", "mấy lần rồi")."""
    asked = set()
    for i, (a, b) in enumerate(pairwise(words)):
        phrase = f"{a} {b}"
        after = words[i + 2:i + 3]
        if phrase == "bao gio" and i and words[i - 1] in _EVER:
            continue
        if phrase == "bao nhieu" and after and after[0] in _SPANS:
            phrase = "bao lau"
        elif phrase == "bao nhieu" and i and (words[i - 1] in _PRICE or (
                words[i - 1] == "mat" and after == ["tien"])):
            phrase = "gia bao nhieu"  # a fee or a price: "phí bao nhiêu", "mất bao nhiêu tiền"
        elif lesson and a == "may" and b in _COUNTED:
            phrase = "bao nhieu"
        elif phrase in ("ngay may", "bao gio"):
            phrase = "khi nao"  # "ngày mấy thì nhận", "bao giờ": when, as "khi nào" asks it
        if phrase in _AMOUNT_OR_TIME:
            asked.add(phrase)
    return asked


# The verbs of a task a resident asks to do with an account, a card, a paper or money, folded
# (Evidence.undone): two words first ("lấy lại", "đăng ký"), then one ("hủy", "rút"). A general
# list, not any lesson's: a lesson that teaches one of them says it somewhere. Folding makes
# some of them other words too ("mở" and "mơ", "đổi" and "đợi", "tăng" and "tặng"); such a
# word counts only where the best lesson never holds it in any sense. Not "chuyển" alone: it is
# mostly "chuyển tiền", many lessons' topic, and "chuyện" folds to it; a resident who adds
# "chuyển 2.000.000đ" to a question about a lesson that never speaks of it lost twice as many
# questions with it (bench/ask_appended.py; "chuyển ... sang" stays).
TASK_VERBS = frozenset({
    "lay lai", "lam lai", "cap lai", "mo lai", "khoi phuc", "dang ky", "lien ket", "sang ten",
    "thu hoi", "dat lich", "gia han", "cap doi", "dang xuat", "doi sang", "chuyen sang",
    "huy", "rut", "nop", "doi", "mo", "nap", "xoa", "tang", "giam", "dat"})


def _task_verbs(words: list[str]) -> set[str]:
    """The TASK_VERBS the (folded, expanded) words say, two words read before one: "mở lại" is
    "mo lai", not "mo"."""
    said, i = set(), 0
    while i < len(words):
        if (two := " ".join(words[i:i + 2])) in TASK_VERBS:
            said.add(two)
            i += 2
            continue
        if words[i] in TASK_VERBS:
            said.add(words[i])
        i += 1
    return said


def _terms(words: list[str]) -> list[str]:
    """Content words, plus word pairs (Vietnamese words are mostly two syllables: "mat khau")
    where at least one is a content word."""
    pairs = [f"{a}_{b}" for a, b in pairwise(words) if not (a in STOPWORDS and b in STOPWORDS)]
    return content_words(words) + pairs


def _task_terms(words: list[str]) -> list[str]:
    """Content words, and pairs of content words next to each other once particles are left
    out: a task named in a question reads the same with or without them ("quên mã mở khóa"
    and "mở khóa khi quên mã" share "mo_khoa", "quen_ma")."""
    kept = content_words(words)
    return kept + [f"{a}_{b}" for a, b in pairwise(kept)]


def _lesson_text(course: Course, lesson: Lesson, title_weight: int, asks: int = 0) -> str:
    """The lesson's title and keywords, `title_weight` times over (what it is about), then its
    course's title, steps and quiz (what it says), and its example questions `asks` times."""
    head = " ".join([lesson.title, *lesson.keywords])
    body = [course.title] + [_step_text(step) for step in lesson.steps]
    for question in lesson.quiz:
        body += [question.question, question.explanation]
    return " ".join([head] * title_weight + body + list(lesson.asks) * asks)


def _examples(lesson: Lesson) -> tuple[str, ...]:
    """A lesson's example questions: its writer's (`asks`), then residents' it answers
    (`heard`, content/questions/)."""
    return lesson.asks + lesson.heard


def _step_text(step: Step) -> str:
    # Not the step's simpler wording: it says the same in other, plainer words, and indexed
    # it made questions no lesson answers find one (blind sets 3-5, bench/RESULTS.md).
    parts = [step.text]
    if step.check:
        parts += [step.check.question, step.check.explanation]
    return " ".join(parts)


# The verbs a step that tells what to do uses ("Bấm "Quét mã QR"", "chọn "Quên passcode"",
# "mở ứng dụng"), and a numbered list ("1. Gọi tổng đài…").
_DOING = re.compile(r"(?<!\w)(?:bấm|chọn|mở|gõ|nhập|chạm|gạt|quét|vào mục|đặt)(?!\w)", re.I)
_NUMBERED = re.compile(r"(?:^|\s)1\.\s")


def _doing(text: str) -> float:
    """How much a step's text tells what to do: 1 for a numbered list or three of _DOING's
    verbs, a third for each verb below that."""
    return min(1.0, (len(_DOING.findall(text)) + 3 * bool(_NUMBERED.search(text))) / 3)


# What a step quotes, on one line: an example to type or a message to recognise ("Chỉ tôi
# cách nấu canh chua cá"), a button's label.
_QUOTED = re.compile(r'"[^"\n]*"|“[^”\n]*”')


def _unquoted(text: str) -> str:
    return _QUOTED.sub(" ", text)


# A step saying what to do once it has happened: a sentence opening with "Lỡ" ("Lỡ cài rồi thì
# sao?", "Lỡ đọc hay nhập mã OTP cho người lạ…") or the first of the things to do ("Việc 1:",
# "Việc đầu tiên:"). Not "Nếu lỡ…", which opens a reassurance ("Nếu lỡ bị lừa, đừng tự trách").
_FIRST_THING = re.compile(r"(?:^|[.?!:]\s+|\n\s*)(?:Lỡ|Việc 1|Việc đầu tiên)(?!\w)")
# A step listing the signs of a scam or a fake ("Dấu hiệu 1: …", "Dấu hiệu bị chiếm số: …").
_SIGNS = re.compile(r"(?<!\w)dấu hiệu(?!\w)", re.I)
# How a question, folded, tells that something has happened: "rồi", "lỡ" before what was done
# ("lỡ bấm", "lỡ tay chuyển": "lo" is also "lo", to worry), "bị lừa" not feared, avoided or
# supposed ("làm sao để không bị lừa", "tôi lo bị lừa quá": NOT_CHEATED)...
_LO_DONE = re.compile(r" lo (?:tay )?(?:doc|bam|cai|chuyen|dua|nhap|gui|cho)\b")
_CHEATED = re.compile(r"\bbi lua\b")
# ... and asks what to do now; both make it urgent (Tuning.step_first).
_WHAT_NOW = ("gio", "lam sao", "lam gi", "sao day", "truoc")


def _happened(said: str) -> bool:
    """Whether a question (as `spoken` gives it) tells that something has happened."""
    return " roi " in said or bool(_LO_DONE.search(said)) \
        or any(not NOT_CHEATED.search(said[:found.start()]) for found in _CHEATED.finditer(said))


@cache
def _step_kinds(text: str) -> tuple[bool, bool]:
    """Whether a step's text (outside its quotes) says what to do once it has happened
    (_FIRST_THING), and whether it tells the signs (_SIGNS)."""
    said = _unquoted(text)
    return bool(_FIRST_THING.search(said)), bool(_SIGNS.search(said))


@lru_cache(maxsize=64)
def _kinds_asked(text: str) -> tuple[bool, bool]:
    """Whether a question asks what to do now that something has happened (_happened and
    _WHAT_NOW), and whether it asks how to tell the signs (HOW_TO_TELL): read once for the
    up to three lessons a reply shows."""
    said = spoken(text)
    return _happened(said) and says(said, _WHAT_NOW), says(said, HOW_TO_TELL)


def _upper_bound(bm25: BM25Okapi, terms: list[str], unknown_idf: float, usual: int,
                 unknown_pair: float = 1.0) -> float:
    """The score a document holding every term many times would get: turns a raw BM25 score
    into a share of the question that the lesson covers. Unknown words count at full weight,
    so a question mostly about something no lesson mentions scores low. A message longer than
    `usual` terms is measured as if it were that long (scaled down): a resident who tells the
    whole story around the question has not asked something else."""
    # A word pair no lesson has ("gui_anh") counts like an unknown word: weighing such pairs
    # at nothing ranked a little better but let far more unanswerable questions through
    # (bench/RESULTS.md).
    bound = sum(bm25.idf.get(term, unknown_pair * unknown_idf if "_" in term else unknown_idf)
                for term in terms) * (bm25.k1 + 1) or 1.0
    return bound * min(1.0, usual / max(len(terms), 1))


class QuestionIndex:
    """Lessons indexed for BM25 over folded words, word pairs and character n-grams."""

    def __init__(self, entries: list[tuple[Course, Lesson]], tuning: Tuning) -> None:
        self.tuning = tuning
        self._entries = entries
        # Each text's words once: the same step, title or example is read for several of the
        # tables below (about 6,100 texts, 3,200 of them distinct).
        read: dict[str, list[str]] = {}

        def said(text: str) -> list[str]:
            found = read.get(text)
            if found is None:
                found = read[text] = expand(fold(text))
            return found

        texts = [fold(_lesson_text(course, lesson, tuning.title_weight, tuning.ask_in_text))
                 for course, lesson in entries]
        own_lists = [expand(text) for text in texts]
        # Residents' questions (`heard`) join what the lesson is ranked by, but not the words
        # typos are mended to nor the numbers kept: "pascode", typed so in one of them, was no
        # longer mended to "passcode", and a phone number in one would be kept in a question.
        word_lists = [words + expand(fold(" ".join(lesson.heard))) * tuning.heard_in_text
                      for words, (_, lesson) in zip(own_lists, entries, strict=True)]
        # The numbers some lesson holds ("156", "123456", the "2" of "mức 2"): a question keeps
        # those, and loses the others (QuestionIndex.words).
        self._numbers = set().union(*(numbers(text) for text in texts))
        self._speller = Speller(Counter(word for words in own_lists for word in words),
                                {pair for words in own_lists for pair in pairwise(words)})
        self._words = PostedBM25([_terms(words) for words in word_lists])
        self._chars = PostedBM25([char_grams(content_words(words)) for words in word_lists])
        self._max_idf = max(self._words.idf.values())
        self._lessons_with = Counter(term for terms in self._words.doc_freqs for term in terms)
        self._heads = [set(_terms(said(" ".join([lesson.title, *lesson.keywords]))))
                       for _, lesson in entries]
        self._head_words = [{term for term in head if "_" not in term} for head in self._heads]
        self._heads_with = Counter(term for terms in self._heads for term in terms)
        self._max_char_idf = max(self._chars.idf.values())
        # Every step of every lesson, to show the one that answers best.
        self._steps = PostedBM25([_terms(said(_step_text(step)))
                                 for _, lesson in entries for step in lesson.steps])
        self._first_step = np.cumsum([0] + [len(lesson.steps) for _, lesson in entries])
        self._doing = [_doing(step.text) for _, lesson in entries for step in lesson.steps]
        # Each step's own words, without what it quotes (Evidence.step): the AI lessons' steps
        # quote questions about cooking or diabetes as examples to type, which they do not teach.
        self._step_words = [set(content_words(said(_unquoted(_step_text(step)))))
                            for _, lesson in entries for step in lesson.steps]
        # The task verbs each lesson says (Evidence.undone), each text read apart: its title,
        # keywords, steps, quiz and example questions. Quotes too: a button to press ("Đăng
        # ký", "Liên kết") or a crook's words a resident repeats ("hủy đăng ký").
        self._verbs = [set().union(*(_task_verbs(said(text)) for text in [
            lesson.title, *lesson.keywords, *(_step_text(step) for step in lesson.steps),
            *(part for question in lesson.quiz
              for part in (question.question, question.explanation)),
            *_examples(lesson)])) for _, lesson in entries]
        # What each lesson's title, keywords and examples ask of amounts and times.
        self._asked = [set().union(*(_amount_or_time(said(clause), lesson=True)
                                     for text in [lesson.title, *lesson.keywords,
                                                  *_examples(lesson)]
                                     for clause in _CLAUSE.split(text)))
                       for _, lesson in entries]
        # Every task some lesson says it does not teach (`not_taught`), with its terms' weight.
        # Each with its words and pairs as _terms reads them, to hold its anchors.
        self._not_taught = [(task, self._weight(task), set(_terms(words)))
                            for _, lesson in entries
                            for words in (said(text) for text in lesson.not_taught)
                            for task in [set(_task_terms(words))]]
        # Every example question of every lesson, and the lesson each belongs to, with the
        # examples that hold each term and each example's terms' weight (_like_examples): some
        # 4,000 examples with content/questions/, too many to compare one by one.
        self._example_lesson = np.array(
            [i for i, (_, lesson) in enumerate(entries) for _ in _examples(lesson)], dtype=int)
        holding: dict[str, list[int]] = {}
        weights = []
        for k, text in enumerate(text for _, lesson in entries for text in _examples(lesson)):
            terms = sorted(set(_terms(said(text))))
            for term in terms:
                holding.setdefault(term, []).append(k)
            weights.append(self._summed(terms) or math.inf)  # no term: shares nothing
        self._holding = {term: np.array(at) for term, at in holding.items()}
        self._example_weight = np.array(weights)

    @classmethod
    def build(cls, library: Library, tuning: Tuning | None = None) -> "QuestionIndex":
        """Index every lesson of every course in the library."""
        entries = [(course, lesson) for course in library.courses for lesson in course.lessons]
        return cls(entries, tuning or Tuning())

    def has_words(self, text: str) -> bool:
        """Whether `text` holds a word worth looking up: a content word that is a Vietnamese
        syllable or a word the lessons use ("otp", a mended "vnied"), not keyboard noise
        ("asdf qwerty"), only particles, or only numbers ("xin chào 1": "1" is in "Mức 1")."""
        words = content_words(self.words(text))
        return any((is_syllable(word) or word in self._speller.vocabulary) and not word.isdigit()
                   for word in words)

    def unglued(self, text: str) -> str:
        """`text` folded, with its words typed run together split ("noilai" -> "noi lai")."""
        return self._speller.unglue(fold(text))

    def words(self, text: str) -> list[str]:
        """A question's words as the lessons' are (folded, words typed run together split,
        shorthand spelt out, typos mended), without the numbers no lesson holds: a phone
        number, an amount or a code a resident adds, weighed as a word no lesson holds (in the
        score's bound, its word pairs and character n-grams, and the unknown words), refused
        questions a lesson answers and ranked the wrong lessons (bench/RESULTS.md, "numbers in
        a question"). Taken out whole, not left as a gap: the question is then the one asked
        without the number. So are a few letters of another script ("你好"), and "giupvoi" is
        "giup voi" (bench/RESULTS.md, "run-together words and other scripts")."""
        folded = without_other_scripts(without_numbers(fold(text), self._numbers))
        return self._speller.mend(expand(self._speller.unglue(folded)))

    def _shares(self, words: list[str], only: int | None = None) -> tuple[list[str], Any, Any]:
        """The terms of a question's (folded) words, and the share of them each lesson holds
        as words and word pairs, and as character n-grams (arrays in library order; lesson
        `only`'s alone when given)."""
        terms, grams = _terms(words), char_grams(content_words(words))
        size = len(self._entries) if only is None else 1
        if not grams:  # nothing but particles: "xin chào", "👍"
            zeros = np.zeros(size)
            return terms, zeros, zeros

        def scores(bm25: PostedBM25, query: list[str]) -> Any:
            if only is None:
                return bm25.get_scores(query)
            return np.array([bm25.score_of(query, only)])
        usual = self.tuning.usual_terms
        word = scores(self._words, terms) / _upper_bound(
            self._words, terms, self._max_idf, usual, self.tuning.unknown_pair)
        char = scores(self._chars, grams) / _upper_bound(
            self._chars, grams, self._max_char_idf, usual * self.tuning.grams_per_term)
        return terms, word, char

    def _scores(self, words: list[str], only: int | None = None) -> tuple[list[str], Any]:
        """The question's terms and each lesson's score (lesson `only`'s alone when given):
        its words, its character n-grams and its closest example question together."""
        terms, word, char = self._shares(words, only)
        t = self.tuning
        scores = (word + t.char_weight * char) / (1 + t.char_weight)
        if t.ask_weight:
            scores = (scores + t.ask_weight * self._like_examples(terms, only)) / (1 + t.ask_weight)
        return terms, scores

    def _best_part(self, words: list[str], i: int) -> float:
        """Lesson `i`'s score on the part of a long message, as long as a usual question, that
        it answers best. The whole message's score counts a long story as if it were a usual
        question's length, so a story about something else, whose words the lessons use here
        and there, added up to more than any real question (bench/RESULTS.md, round 3's review)."""
        size = self.tuning.usual_terms // 2 + 1  # a part's terms are its words and word pairs
        # Parts overlapping by half, and always the last one: the question is mostly at the
        # end, and a step of half a part would leave up to that many last words out.
        last = max(len(words) - size, 0)
        starts = [*range(0, last, max(size // 2, 1)), last]
        return max(float(self._scores(words[start:start + size], i)[1][0]) for start in starts)

    def _like_examples(self, terms: list[str], only: int | None = None) -> Any:
        """For each lesson (lesson `only` alone when given), how nearly the question restates
        its closest example question: the share of the question's terms the example holds and
        of the example's terms the question holds, whichever is smaller, each term weighed by
        its rarity among lessons (0 where the lesson has none)."""
        best = np.zeros(len(self._entries))
        asked = sorted(set(terms))
        weight = self._summed(asked)
        if weight:
            shared = np.zeros(len(self._example_weight))
            for term in asked:  # in the order _summed adds them: an example restated is 1.0
                if (at := self._holding.get(term)) is not None:
                    shared[at] += self._words.idf.get(term, self._max_idf)
            np.maximum.at(best, self._example_lesson,
                          np.minimum(shared / weight, shared / self._example_weight))
        return best if only is None else best[[only]]

    def _summed(self, terms: list[str]) -> float:
        """The (sorted) terms' rarity among lessons, added one by one as _like_examples adds
        them for each example: the same float for the same terms, to the last bit."""
        total = 0.0
        for term in terms:
            total += self._words.idf.get(term, self._max_idf)
        return total

    def _weight(self, terms: set[str]) -> float:
        """The terms' rarity among lessons, summed; a term no lesson holds weighs the most."""
        # fsum: the same sum in any order. A set's order changes with each process's hash
        # seed, and a plain sum's last bit with it: a question restating an example exactly
        # was held to its task (1.0) above its example (1.0) in some processes only.
        return math.fsum(self._words.idf.get(term, self._max_idf) for term in terms)

    def ask(self, text: str) -> list[Match]:
        """The lessons that answer `text`, best first, up to `limit`; [] when none does well
        enough (the bot then says it has no lesson for this yet, rather than guess)."""
        if not self.has_words(text):  # nothing to look up: no lesson is about "1" or "asdf"
            return []
        terms, ranked, scores, evidence = self.weigh(text)
        t = self.tuning
        if evidence is None or evidence.untaught or evidence.unasked or not (
                self.answerable(evidence) >= t.answer_floor
                or self._named(terms, ranked[0], evidence)):
            return []
        top = ranked[0]
        chosen = [i for i in ranked[:t.limit] if scores[i] >= t.relative * scores[top]]
        return [self._match(i, float(scores[i]), terms, text) for i in chosen]

    def weigh(self, text: str) -> tuple[list[str], list[int], Any, Evidence | None]:
        """The question's terms, the lessons best first (their indices), every lesson's score,
        and the evidence on the best one (None when the text holds no word to look up)."""
        words = self.words(text)
        terms, scores = self._scores(words)
        t = self.tuning
        ranked = [int(i) for i in np.argsort(-scores, kind="stable")]
        top = ranked[0]
        if not scores[top]:  # nothing but particles: "xin chào", "👍"
            return terms, ranked, scores, None
        third = ranked[min(2, len(ranked) - 1)]
        long = len(terms) > t.usual_terms
        distinct, body = set(terms), self._words.doc_freqs[top]
        asked = set(content_words(words))
        steps = self._step_words[self._first_step[top]:self._first_step[top + 1]]
        return terms, ranked, scores, Evidence(
            score=self._best_part(words, top) if long else float(scores[top]),
            terms=math.log1p(min(len(terms), t.usual_terms)),
            anchored=float(self._anchored(terms, top)),
            flat=float(scores[third] / scores[top]),
            pairs=float(sum(1 for term in distinct if "_" in term and term in body)),
            unknown=float(sum(1 for term in distinct
                              if "_" not in term and term not in self._words.idf)),
            step=max(self._weight(asked & step) for step in steps) / (self._weight(asked) or 1.0),
            undone=float(len(_task_verbs(words) - self._verbs[top])),
            unasked=float(bool(self._amount_or_time(text) - self._asked[top])),
            untaught=self._untaught(words, terms, top))

    def _amount_or_time(self, text: str) -> set[str]:
        """What the question asks of amounts and times, each clause read apart (_CLAUSE)."""
        return set().union(*(_amount_or_time(self.words(clause))
                             for clause in _CLAUSE.split(text)))

    def answerable(self, evidence: Evidence) -> float:
        """How likely the best lesson answers the question, by Tuning.answer_weights: a
        resident's question that no lesson answers still shares words with some lesson (Zalo,
        a bank, a card), but the best lesson holds less of it and fewer of its word pairs,
        holds none of its anchors, or stands out less from the others; or the question holds
        words no lesson uses at all."""
        bias, *weights = self.tuning.answer_weights
        logit = bias + sum(w * x for w, x in zip(weights, evidence.values(), strict=True))
        return 1 / (1 + math.exp(-logit))

    def _named(self, terms: list[str], i: int, evidence: Evidence) -> bool:
        """Whether the question is only lesson `i`'s topic by name ("cài vneid ntn", "deepfake là
        gì"): every content word of it in the lesson's title or keywords, one of them an anchor.
        A resident who types what a lesson is called wants that lesson, however short the
        question and however many lessons share its words. Not when it also asks how much or
        when and the lesson never does (Evidence.unasked): "lương hưu tháng này tăng bao
        nhiêu" names the BHXH lesson's words, and asks what it does not teach."""
        words = [term for term in terms if "_" not in term]
        return bool(words) and not evidence.unasked \
            and all(word in self._head_words[i] for word in words) and self._anchored(terms, i)

    def _untaught(self, words: list[str], terms: list[str], i: int) -> bool:
        """Whether the question asks a task some lesson says it does not teach (`not_taught`),
        and shares with lesson `i`, its best, neither an anchor of its title and keywords
        beyond that task's words nor as much with one of its example questions
        (Evidence.untaught). `terms` are the words' _terms."""
        asked = set(_task_terms(words))
        # What ties the question to this lesson ("hoi_ai" of "hỏi AI cách nấu canh"): its
        # anchors in the lesson's title and keywords. One outside the task means the question
        # asks the lesson's own thing about it.
        ties = {term for term in terms if self._anchors(term, i, self.tuning.tie_share)}
        held = max((self._weight(asked & task) / weight
                    for task, weight, named in self._not_taught if ties <= named), default=0.0)
        # A question restating the lesson's own example as nearly is what the lesson is for:
        # "mới mở tài khoản ngân hàng, muốn dùng trên điện thoại" is the bank-app lesson's,
        # though opening an account is a task it does not teach.
        return held >= self.tuning.untaught_share and held > float(
            self._like_examples(terms, i)[0])  # asked only of the few that hold a task

    def _anchored(self, terms: list[str], i: int) -> bool:
        """Whether lesson `i` holds one of the question's anchors (Tuning.anchor_share)."""
        t = self.tuning
        if not t.anchor_share:
            return True
        most = t.anchor_share * len(self._entries)
        body = self._words.doc_freqs[i]
        if not t.anchor_in_head:
            return any(term in body and ("_" in term or not is_syllable(term))
                       and self._lessons_with[term] <= most for term in terms)
        # A word pair or a word no syllable could be ("otp") of the lesson's title or keywords,
        # in few lessons' titles and keywords; or such a word anywhere in the lesson, in few
        # lessons at all ("dichvucongs", a fake address one step shows).
        return any(self._anchors(term, i) or ("_" not in term and not is_syllable(term)
                                              and term in body and self._lessons_with[term] <= most)
                   for term in terms)

    def _anchors(self, term: str, i: int, share: float | None = None) -> bool:
        """Whether `term` is an anchor of lesson `i`'s title or keywords: a word pair or a word
        no syllable could be ("otp"), in at most `share` (Tuning.anchor_share) of lessons'
        titles and keywords."""
        share = self.tuning.anchor_share if share is None else share
        return (("_" in term or not is_syllable(term)) and term in self._heads[i]
                and self._heads_with[term] <= share * len(self._entries))

    def best_step(self, text: str, course: str, lesson: str) -> str:
        """The id of the step of lesson `course`/`lesson` a reply to `text` would show, were
        that lesson found (bench/ask_steps.py, tests/data/question_steps.yaml)."""
        i = next(i for i, (c, found) in enumerate(self._entries)
                 if (c.id, found.id) == (course, lesson))
        return self._match(i, 0.0, _terms(self.words(text)), text).step

    def _best_step(self, i: int, terms: list[str], text: str) -> int:
        """Which of lesson `i`'s steps answers the question (its `terms`) best: its words' BM25
        score, a share of it from the words that tell the lesson's steps apart, each as a share
        of the best step's (Tuning.step_telling); a little more for a step that tells what to
        do, and less the later it comes (step_doing, step_later). Word overlap alone showed the
        step beside the answer: one that only warns or reassures ("Không bao giờ cài VNeID từ
        đường link…", "Quên passcode là chuyện rất hay gặp…") shares the question's words as
        much as the one that tells how (bench/RESULTS.md, "the step a reply shows"). A question
        that asks what to do now that it has happened, or how to tell the signs, gets the step
        that says so (step_first, step_signs): the question's `text` tells which."""
        t = self.tuning
        first = int(self._first_step[i])
        steps = range(first, int(self._first_step[i + 1]))
        held = self._steps.doc_freqs
        telling = [term for term in terms
                   if 2 * sum(term in held[k] for k in steps) <= len(steps)]
        every = np.array([self._steps.score_of(terms, k) for k in steps])
        apart = np.array([self._steps.score_of(telling, k) for k in steps])
        if not every.max():  # no step shares a word with the question: the lesson's gist
            return 0
        score = ((1 - t.step_telling) * every / every.max()
                 + t.step_telling * apart / (apart.max() or 1.0)
                 + t.step_doing * np.array([self._doing[k] for k in steps])
                 - t.step_later * np.arange(len(steps)) / max(len(steps) - 1, 1)
                 + self._kind_bonus(i, text))
        return int(np.argmax(score))  # the first of equals

    def _kind_bonus(self, i: int, text: str) -> Any:
        """What each step of lesson `i` gets for being the kind of step the question `text` asks
        for: what to do now that it has happened (Tuning.step_first), the signs (step_signs)."""
        t, steps = self.tuning, self._entries[i][1].steps
        now, signs = _kinds_asked(text)
        weights = np.array([t.step_first * now, t.step_signs * signs])
        if not weights.any():
            return np.zeros(len(steps))
        return np.array([_step_kinds(step.text) for step in steps]) @ weights

    def _match(self, i: int, score: float, terms: list[str], text: str) -> Match:
        course, lesson = self._entries[i]
        step = lesson.steps[self._best_step(i, terms, text)]
        return Match(course=course.id, lesson=lesson.id, title=lesson.title,
                     score=round(min(score, 1.0), 4), step=step.id, step_text=step.text)
