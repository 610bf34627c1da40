"""Leave one writer out: would the labelled questions of the other sets, as lessons' example
questions (a pool) and as nearest labelled neighbours (no-lesson ones too), find the lessons of
a new writer's questions better?

    .venv/bin/python bench/ask_pool.py [--overlap] [--variants base,pool,near,pool+near,pool+strict]
        [--floor 0.65]

Each set S of bench/ask_quality.py is one writer. For S, the pool is the other sets' questions
only: their answered questions join their lessons' `asks:` ("pool"), and/or each question gets
two more figures for the answer model from its closest pool questions ("near": how nearly it
restates a no-lesson question, and one of its best lesson's). The answer model (weights and
floor, bench/ask_abstain.py's `model`) is fitted on the other sets' questions, each weighed
with its own set left out of the pool, and answers S. "base" is today's matcher under the same
protocol (no pool; the model refitted on the other sets). --overlap: how many of each set's
questions are already, folded, one of the lessons' `asks:` (exactly, or nearly: the same
content words but at most one).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ask_abstain import Row, figures, model, probability, rows_of, said
from ask_quality import ROOT, SETS, Labelled, load_questions, pooled
from question_pool import NEVER_POOLED

from bot.lessons.loader import load_library
from bot.lessons.model import Library
from bot.listening.questions import Evidence, QuestionIndex, Tuning, _terms
from bot.listening.words import content_words, expand, fold

BLIND = [name for name in SETS if name.startswith("blind") and name != "blind10"]


class Neighbours:
    """The pool's questions, each as its terms, their weight and its lessons ([] = none)."""

    def __init__(self, index: QuestionIndex, pool: Labelled) -> None:
        self.index = index
        self.items = []
        for text, gold in pool:
            terms = set(_terms(index.words(text)))
            if terms:
                self.items.append((terms, index._weight(terms), gold))

    def figures(self, text: str, best: str | None) -> tuple[float, float]:
        """How nearly the question restates its closest no-lesson pool question, and its
        closest pool question of lesson `best` (as _like_examples measures it, 0..1)."""
        asked = set(_terms(self.index.words(text)))
        weight = self.index._weight(asked) or 1.0
        none = lesson = 0.0
        for terms, own, gold in self.items:
            if gold and best not in gold:
                continue
            shared = self.index._weight(asked & terms)
            if shared:
                near = min(shared / weight, shared / own)
                if gold:
                    lesson = max(lesson, near)
                else:
                    none = max(none, near)
        return none, lesson


def twins(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Whether two questions' content words are (nearly) the same: at most one apart, or
    sharing at least 0.7 of them."""
    x, y = set(a), set(b)
    return len(x ^ y) <= 1 or len(x & y) >= 0.7 * len(x | y)


def pool_for(name: str, questions: dict[str, Labelled], strict: bool) -> Labelled:
    """The other sets' questions; `strict`: without any that (nearly) restates one of set
    `name`'s (the sets share many questions, some copied word for word from one another)."""
    pool = [item for other, items in questions.items() if other != name for item in items]
    if not strict:
        return pool
    mine = [words_of(text) for text, _ in questions[name]]
    return [(text, gold) for text, gold in pool
            if not any(twins(words, own) for words in [words_of(text)] for own in mine)]


def rows_left_out(library: Library, questions: dict[str, Labelled], pool_asks: bool,
                  near: bool, strict: bool = False) -> list[Row]:
    """Every question of every set, weighed by an index whose pool is the other sets'."""
    rows: list[Row] = []
    for name in questions:
        pool = pool_for(name, questions, strict)
        index = QuestionIndex.build(pooled(library, pool if pool_asks else []), Tuning())
        got = rows_of(index, {name: SETS[name]})
        if near:
            neighbours = Neighbours(index, pool)
            got = [(s, gold, shown, np.r_[values, neighbours.figures(text, shown[0] if shown
                                                                     else None)], rule)
                   for (s, gold, shown, values, rule), (text, _) in zip(
                       got, questions[name], strict=True)]
        rows += got
    return rows


def left_out_figures(rows: list[Row], abstain: float,
                     shipped: float | None) -> dict[str, tuple[float, ...]]:
    """Each set answered by a model fitted on the other sets' rows, at its fitted floor or at
    `shipped` when given."""
    out: dict[str, tuple[float, ...]] = {}
    for name in {row[0] for row in rows}:
        weights, floor = model([r for r in rows if r[0] != name], 1.0, abstain)
        floor = floor if shipped is None else shipped
        mine = [r for r in rows if r[0] == name]
        answered = [said(probability(weights, r[3]), floor, r[4]) for r in mine]
        out[name] = figures(mine, answered)[:3]
    return out


def words_of(text: str) -> tuple[str, ...]:
    return tuple(content_words(expand(fold(text))))


def overlap(library: Library, questions: dict[str, Labelled]) -> None:
    """How many of each set's questions the lessons' `asks:` already hold, folded."""
    asks = [words_of(text) for course in library.courses for lesson in course.lessons
            for text in lesson.asks]
    exact = set(asks)
    print("| set | questions | in asks exactly | nearly (one word apart) |")
    print("|---|---:|---:|---:|")
    for name, items in questions.items():
        same = near = 0
        for text, _ in items:
            mine = words_of(text)
            if mine in exact:
                same += 1
            elif any(len(set(mine) ^ set(ask)) <= 1 for ask in asks):
                near += 1
        print(f"| {name} | {len(items)} | {same} | {near} |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--overlap", action="store_true")
    parser.add_argument("--variants", default="base,pool,near,pool+near")
    parser.add_argument("--abstain", type=float, default=0.90)
    parser.add_argument("--floor", type=float, help="answer at this floor, not the fitted one")
    parser.add_argument("--without", default="",
                        help="Evidence figures the model leaves out (weight 0), e.g. terms,unknown")
    args = parser.parse_args()
    names = list(Evidence.__dataclass_fields__)[:len(Evidence(0, 0, 0, 0, 0, 0, 0, 0, 0).values())]
    left = [names.index(name) for name in args.without.split(",") if name]
    library = load_library(ROOT / "content")
    questions = {name: load_questions(path) for name, path in SETS.items()
                 if name not in NEVER_POOLED}
    if args.overlap:
        overlap(library, questions)
        return
    results = {}
    for variant in args.variants.split(","):
        start = time.perf_counter()
        rows = rows_left_out(library, questions, "pool" in variant, "near" in variant,
                             "strict" in variant)
        rows = [(name, gold, shown, np.array([0.0 if k in left else v
                                              for k, v in enumerate(values)]), rule)
                for name, gold, shown, values, rule in rows]
        results[variant] = left_out_figures(rows, args.abstain, args.floor)
        # For Tuning: every set's questions, each weighed as a new writer's would be.
        weights, floor = model(rows, 1.0, args.abstain)
        print(f"{variant} fitted on every set: answer_weights=("
              f"{', '.join(f'{w:.2f}' for w in weights)}), answer_floor={floor}")
        print(f"{variant}: {time.perf_counter() - start:.0f} s", file=sys.stderr)
    print("| set | " + " | ".join(f"{v} top-1 / top-3 / refused" for v in results) + " |")
    print("|---|" + "---|" * len(results))
    for name in [*questions, "mean blind..blind9"]:
        cells = []
        for per_set in results.values():
            got = per_set[name] if name in per_set else tuple(
                np.mean([per_set[b][k] for b in BLIND]) for k in range(3))
            cells.append(" / ".join(f"{x:.3f}" for x in got))
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
