"""A typed text that names a button of the last message with buttons: acts as pressing it.

Residents often type what a button says ("bác", "đồng ý", a quiz option) instead of pressing
it. The router asks here, before the free-question matcher, and presses the button found:
its label typed whole (case, marks, emoji and particles such as "ạ" or "nhé" aside), a yes
("ok", "có") to the one button that says yes, or a long label typed close enough (typos).
"""

import re
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

from bot.handlers.context import Context
from bot.handlers.folding import fold, typed_words
from bot.handlers.payloads import Choose
from bot.handlers.registry import Feature
from bot.lessons.model import Library, per_library
from bot.listening.words import is_syllable

# Texts of each language, one a line: words said around an answer ("ạ", "dạ", "nhé"), and
# typed agreement ("đồng ý", "ok", "có").
PARTICLES = "particle_words"
YES_WORDS = "yes_words"
# A long label typed with a slip: this alike (rapidfuzz, 0-100) and this far ahead of the next
# label is clearly that one; this alike is about the buttons, though not clearly one of them.
CLEAR = 85
AHEAD = 10
NEAR = 60
LONG = 8  # characters: shorter labels ("Tiếp") are picked only typed whole or with one slip
SLIP = 4  # characters: a label this long takes one slip ("tếp"); shorter ones ("Cô") none
_PUNCTUATION = re.compile(r"[^\w\s]")


@dataclass(frozen=True)
class Likeness:
    """What a typed text is to the buttons shown: the one it names clearly (`index`), or
    none (`near` when it looks like one of them all the same)."""

    index: int | None = None
    near: bool = False


def trimmed(ctx: Context, folded: str) -> str:
    """A folded text without the particles around it ("da bac a" -> "bac"), unless nothing
    else is left ("da" alone is a yes)."""
    return " ".join(without_particles(ctx, folded.split()))


def without_particles(ctx: Context, words: list[str],
                      more: Collection[str] = frozenset()) -> list[str]:
    """`words` as typed, without the particles before and after them ("dạ,", "ạ", "nhé"), and
    the folded words `more`, unless nothing else would be left."""
    particles = typed_words(ctx, PARTICLES) | frozenset(more)
    first, last = 0, len(words)
    while last - first > 1 and fold(words[last - 1]) in particles:
        last -= 1
    while last - first > 1 and fold(words[first]) in particles:
        first += 1
    return words[first:last]


def named(ctx: Context, folded: str) -> int | None:
    """The index of the shown button this text names: its label whole, or a yes to the one
    button that says yes (never an answer to a question: "ok" picks no quiz option)."""
    labels = ctx.turn.learner.shown_labels
    text = trimmed(ctx, folded)
    if not labels or not text:
        return None
    # The text as typed too: a label may end in a word that folds as a particle ("nhà").
    whole = [index for index, label in enumerate(labels) if fold(label) in (text, folded)]
    if whole:
        return whole[0] if len(whole) == 1 else None
    if text not in typed_words(ctx, YES_WORDS):
        return None
    shown = ctx.turn.learner.shown_buttons
    agreeing = [index for index, label in enumerate(labels)
                if _says_yes(ctx, label) and Choose.unpack(shown[index]) is None]
    return agreeing[0] if len(agreeing) == 1 else None


def _says_yes(ctx: Context, label: str) -> bool:
    """Whether a label is itself a yes ("✅ Đồng ý", "Có, kết thúc kèm"), read with its marks:
    "Cô" folds as "có" does, and is no yes."""
    texts = {ctx.library.templates.get(YES_WORDS, ""), ctx.base.templates.get(YES_WORDS, "")}
    yes = {spelling(line) for text in texts for line in text.splitlines()} - {""}
    first = spelling(label.split(",")[0])
    return first in yes or first.removeprefix("tôi ") in yes


def marks_fit(typed: str, spellings: Collection[str]) -> bool:
    """Whether text typed as `typed` may be one of `spellings` (of one folded word): every
    letter typed with a mark has that mark there ("tiep tục" fits "tiếp tục"; "rối" does
    not fit "rồi"). Text typed with no mark at all fits them all."""
    written = spelling(typed)
    if written == fold(written):
        return True
    return any(len(written) == len(spelt) and all(
        mine == theirs or mine == fold(theirs) for mine, theirs in zip(written, spelt, strict=True))
        for spelt in spellings)


def spelling(text: str) -> str:
    """A text as written, to compare marks: lower case, with its marks (composed: some
    keyboards send them apart), no punctuation or emoji."""
    return " ".join(_PUNCTUATION.sub(" ", unicodedata.normalize("NFC", text.lower())).split())


def likeness(ctx: Context, folded: str) -> Likeness:
    """How much a typed text is like the long labels shown (a quiz option typed with slips or
    in part)."""
    text = trimmed(ctx, folded)
    labels = [fold(label) for label in ctx.turn.learner.shown_labels]
    if (len(text) < LONG and len(text.split()) < 2) or not labels:
        near = slips(ctx, ctx.turn.learner.shown_labels)
        return Likeness(near[0] if len(near) == 1 else None)
    scores = sorted(((_score(text, label), index) for index, label in enumerate(labels)
                     if len(label) >= LONG), reverse=True)
    if not scores:
        return Likeness()
    best, index = scores[0]
    following = scores[1][0] if len(scores) > 1 else 0
    if best >= CLEAR and best - following >= AHEAD:
        return Likeness(index)
    # Words of a label, typed alone ("hỏi nhân viên"), are about the buttons too.
    return Likeness(near=best >= NEAR or any(
        len(text.split()) >= 2 and fuzz.partial_ratio(text, label) >= CLEAR
        for label in labels if len(label) > len(text)))


def slips(ctx: Context, candidates: Sequence[str]) -> list[int]:
    """The indexes of the candidates (labels, a command's words; SLIP characters or more)
    that the learner's text is one slip away from: a letter missing, added or changed, or two
    swapped ("tếp", "mneu"). Typed with marks, it is compared with theirs: "tiền" is a word,
    two slips from "tiếp". A word alone is a slip only if it is no word: many syllables are a
    letter apart ("tôi" and "thôi", "tien" and "tiep"), and "tôi" sent alone is a beginning."""
    typed = spelling(" ".join(without_particles(ctx, ctx.incoming.text.split())))
    plain = fold(typed)
    marked = typed != plain
    if " " not in plain and (_is_word(ctx, typed) if marked else is_syllable(plain)):
        return []
    return [index for index, candidate in enumerate(candidates)
            if len(fold(candidate)) >= SLIP and OSA.distance(
                typed if marked else plain, spelling(candidate) if marked else fold(candidate),
                score_cutoff=1) <= 1]


def _is_word(ctx: Context, typed: str) -> bool:
    """Whether the texts the learner reads (lessons, quizzes, messages, in their language and
    in Vietnamese) use `typed` (lower case, with its marks): then it is meant as written."""
    return any(typed in _library_words(library) for library in (ctx.library, ctx.base))


def _words_of(library: Library) -> frozenset[str]:
    texts = [*library.templates.values()]
    for course in library.courses:
        for lesson in course.lessons:
            texts += [lesson.title, *(step.text for step in lesson.steps),
                      *(step.simpler or "" for step in lesson.steps)]
            for question in (*lesson.quiz, *(s.check for s in lesson.steps if s.check)):
                texts += [question.question, *question.options, question.explanation]
    return frozenset(spelling("\n".join(texts)).split())


_library_words = per_library(_words_of)


def _score(text: str, label: str) -> float:
    # Whole against whole for slips; three words or more may also be a part of the label
    # ("giữ máy, hỏi nhân viên") or its words in another order, but a label is never found
    # inside a longer text: "có nên báo công an không" is a question, not "Báo công an".
    whole = fuzz.ratio(text, label)
    if len(text.split()) < 3 or len(text) > len(label):
        return whole
    return max(whole, fuzz.token_set_ratio(text, label))


FEATURE = Feature(samples={PARTICLES: {}, YES_WORDS: {}})
