"""Find the lessons that answer a resident's own question, or say honestly that none does."""

from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np
from rank_bm25 import BM25Okapi

from bot.lessons.model import Course, Lesson, Library, Step
from bot.listening.words import (
    STOPWORDS,
    Speller,
    char_grams,
    content_words,
    expand,
    fold,
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
class Tuning:
    """The matcher's weights, chosen by measurement on tests/data/questions.yaml."""

    title_weight: int = 4  # a lesson's title and keywords count this many times its steps
    bigram_weight: float = 1.0
    char_weight: float = 0.5  # character n-grams: misspellings, run-together words
    step_weight: float = 0.0  # evidence from the lesson's single best step (measured: no gain)
    word_floor: float = 0.15  # the best lesson must hold this share of the question's words
    char_floor: float = 0.58  # ... and this share of its character n-grams
    usual_terms: int = 20  # a longer message is scored as if this long (see _upper_bound)
    grams_per_term: int = 6
    relative: float = 0.5  # further lessons shown only when this close to the best
    limit: int = 3


def _terms(words: list[str], bigram_weight: float) -> list[str]:
    """Content words, plus word pairs (Vietnamese words are mostly two syllables: "mat khau")
    where at least one is a content word; a pair weighs as much as `bigram_weight` words."""
    terms = content_words(words)
    pairs = [f"{a}_{b}" for a, b in pairwise(words)
             if not (a in STOPWORDS and b in STOPWORDS)]
    repeat = max(1, round(bigram_weight))
    return terms + pairs * repeat


def _lesson_text(course: Course, lesson: Lesson, title_weight: int) -> tuple[str, str]:
    """The lesson's headline text (title, keywords) and its body (steps, quiz explanations)."""
    head = " ".join([lesson.title, *lesson.keywords])
    body = [_step_text(step) for step in lesson.steps]
    for question in lesson.quiz:
        body += [question.question, question.explanation]
    return " ".join([head] * title_weight), " ".join([course.title, *body])


def _step_text(step: Step) -> str:
    parts = [step.text, step.simpler or ""]
    if step.check:
        parts += [step.check.question, step.check.explanation]
    return " ".join(parts)


def _upper_bound(bm25: BM25Okapi, terms: list[str], unknown_idf: float, usual: int) -> float:
    """The score a document holding every term many times would get: turns a raw BM25 score
    into a share of the question that the lesson covers. Unknown words count at full weight,
    so a question mostly about something no lesson mentions scores low. A message longer than
    `usual` terms is measured as if it were that long (scaled down): a resident who tells the
    whole story around the question has not asked something else."""
    bound = sum(bm25.idf.get(term, unknown_idf) for term in terms) * (bm25.k1 + 1) or 1.0
    return bound * min(1.0, usual / max(len(terms), 1))


class QuestionIndex:
    """Lessons indexed for BM25 over folded words, word pairs and character n-grams."""

    def __init__(self, entries: list[tuple[Course, Lesson]], tuning: Tuning) -> None:
        self.tuning = tuning
        self._entries = entries
        head_body = [_lesson_text(course, lesson, tuning.title_weight)
                     for course, lesson in entries]
        word_lists = [expand(fold(f"{head} {body}")) for head, body in head_body]
        self._speller = Speller({word for words in word_lists for word in words})
        self._words = BM25Okapi([_terms(words, tuning.bigram_weight) for words in word_lists])
        self._chars = BM25Okapi([char_grams(content_words(words)) for words in word_lists])
        self._steps: list[tuple[int, Step]] = [
            (i, step) for i, (_, lesson) in enumerate(entries) for step in lesson.steps]
        self._step_index = BM25Okapi(
            [_terms(expand(fold(_step_text(step))), tuning.bigram_weight)
             for _, step in self._steps])
        self._step_lesson = np.array([i for i, _ in self._steps])
        self._step_span: list[tuple[int, int]] = []
        for i in range(len(entries)):
            where = np.flatnonzero(self._step_lesson == i)
            self._step_span.append((int(where[0]), int(where[-1]) + 1))
        self._max_idf = max(self._words.idf.values())
        self._max_char_idf = max(self._chars.idf.values())
        self._max_step_idf = max(self._step_index.idf.values())

    @classmethod
    def build(cls, library: Library, tuning: Tuning | None = None) -> "QuestionIndex":
        """Index every lesson of every course in the library."""
        entries = [(course, lesson) for course in library.courses for lesson in course.lessons]
        return cls(entries, tuning or Tuning())

    def _query(self, text: str) -> tuple[list[str], list[str]]:
        words = self._speller.mend(expand(fold(text)))
        return _terms(words, self.tuning.bigram_weight), char_grams(content_words(words))

    def _parts(self, text: str) -> tuple[list[str], Any, Any, Any]:
        """The question's terms and each lesson's share of them: as words and word pairs, as
        character n-grams, and in the lesson's single best step (arrays in library order)."""
        terms, grams = self._query(text)
        if not any("_" not in term for term in terms):  # nothing but particles: "xin chào"
            zeros = np.zeros(len(self._entries))
            return terms, zeros, zeros, zeros
        t = self.tuning
        word = self._words.get_scores(terms) / _upper_bound(
            self._words, terms, self._max_idf, t.usual_terms)
        char = self._chars.get_scores(grams) / _upper_bound(
            self._chars, grams, self._max_char_idf, t.usual_terms * t.grams_per_term)
        step_scores = self._step_index.get_scores(terms) / _upper_bound(
            self._step_index, terms, self._max_step_idf, t.usual_terms)
        best_step = np.zeros(len(self._entries))
        np.maximum.at(best_step, self._step_lesson, step_scores)
        return terms, word, char, best_step

    def scores(self, text: str) -> list[float]:
        """Each lesson's score for the question, in library order (0 when nothing matches)."""
        _, word, char, step = self._parts(text)
        t = self.tuning
        total = 1 + t.char_weight + t.step_weight
        return [float(x) for x in (word + t.char_weight * char + t.step_weight * step) / total]

    def ask(self, text: str) -> list[Match]:
        """The lessons that answer `text`, best first, up to `limit`; [] when none does well
        enough (the bot then says it has no lesson for this yet, rather than guess)."""
        terms, word, char, step = self._parts(text)
        t = self.tuning
        scores = (word + t.char_weight * char + t.step_weight * step) / (
            1 + t.char_weight + t.step_weight)
        ranked = [int(i) for i in np.argsort(-scores, kind="stable")]
        top = ranked[0]
        # Abstain unless the best lesson holds enough of the question both as words (its
        # topic) and as character n-grams (spelling-proof): common words alone ("mua điện
        # thoại nào tốt") or words no lesson uses ("giá xăng") are not enough.
        if word[top] < t.word_floor or char[top] < t.char_floor:
            return []
        chosen = [i for i in ranked[:t.limit] if scores[i] >= t.relative * scores[top]]
        return [self._match(i, float(scores[i]), terms) for i in chosen]

    def _match(self, i: int, score: float, terms: list[str]) -> Match:
        course, lesson = self._entries[i]
        first, last = self._step_span[i]
        step_scores = self._step_index.get_scores(terms)[first:last]
        step = lesson.steps[int(np.argmax(step_scores))]  # the first of equals
        return Match(course=course.id, lesson=lesson.id, title=lesson.title,
                     score=round(score, 4), step=step.id, step_text=step.text)
