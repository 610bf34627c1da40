"""How well `hocso ask` finds the lesson for a resident's question: top-1, top-3, abstentions
and latency on tests/data/questions*.yaml, beside a plain word-overlap baseline.

    .venv/bin/python bench/ask_quality.py [--misses] [--set NAME] [--leave-out]
        [--tune field=value ...]
    .venv/bin/python bench/ask_quality.py --examples [--tune field=value ...]

--examples: each lesson's example questions (`asks:`) held out in turn, the k-th of every
lesson at once, and asked of an index built without them: how well situations told in words no
lesson holds are found, with no question set at all (top-1, top-3).

--leave-out: content/questions/ holds every set's answered questions (bench/question_pool.py),
so a set measured as is is measured in-sample; with --leave-out each set is asked of an index
whose lessons hear only the other sets' questions, as a new writer's would be (the answer
model's weights stay Tuning's; bench/ask_pool.py refits them on the other sets too).

p99 ms: the 99th percentile over the set's questions of each question's median time (5 runs).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from itertools import count
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.lessons.loader import load_library  # noqa: E402
from bot.lessons.model import Library  # noqa: E402
from bot.listening.questions import QuestionIndex, Tuning  # noqa: E402
from bot.listening.words import content_words, expand, fold  # noqa: E402

SETS = {"tuning": ROOT / "tests/data/questions.yaml",
        "held-out": ROOT / "tests/data/questions_heldout.yaml",
        "fresh": ROOT / "tests/data/questions_fresh.yaml",
        "unseen": ROOT / "tests/data/questions_unseen.yaml",
        "later": ROOT / "tests/data/questions_later.yaml",
        "blind": ROOT / "tests/data/questions_blind.yaml",
        "blind2": ROOT / "tests/data/questions_blind2.yaml",
        "long": ROOT / "tests/data/questions_long.yaml",
        "blind3": ROOT / "tests/data/questions_blind3.yaml",
        "blind4": ROOT / "tests/data/questions_blind4.yaml",
        "blind5": ROOT / "tests/data/questions_blind5.yaml",
        "blind6": ROOT / "tests/data/questions_blind6.yaml",
        "blind7": ROOT / "tests/data/questions_blind7.yaml",
        "blind8": ROOT / "tests/data/questions_blind8.yaml",
        "blind9": ROOT / "tests/data/questions_blind9.yaml",
        "blind10": ROOT / "tests/data/questions_blind10.yaml"}
Matcher = Callable[[str], list[str]]  # question -> "course/lesson" ids, best first
Labelled = list[tuple[str, set[str]]]  # questions, each with the lessons that answer it


@dataclass
class Figures:
    answerable: int
    top1: float
    top3: float
    unanswerable: int
    abstained: float
    p99_ms: float


def load_questions(path: Path) -> Labelled:
    """The questions of one set with the lessons that answer each."""
    return [(item["text"], set(item["lessons"]))
            for item in yaml.safe_load(path.read_text(encoding="utf-8"))]


def measure(matcher: Matcher, questions: Labelled,
            misses: bool = False) -> Figures:
    top1 = top3 = abstained = 0
    times: list[float] = []
    for text, gold in questions:
        runs = []
        for _ in range(5):  # the median of 5 runs: the machine is shared
            start = time.perf_counter()
            found = matcher(text)
            runs.append(time.perf_counter() - start)
        times.append(sorted(runs)[2])
        if not gold:
            abstained += not found
            if found and misses:
                print(f"  SHOULD ABSTAIN {text!r} -> {found}")
            continue
        top1 += bool(found) and found[0] in gold
        top3 += bool(gold & set(found))
        if misses and not (found and found[0] in gold):
            print(f"  {'top3' if gold & set(found) else 'MISS'} {text!r} -> {found} "
                  f"want {sorted(gold)}")
    times.sort()
    answerable = sum(1 for _, gold in questions if gold)
    unanswerable = len(questions) - answerable
    return Figures(answerable, top1 / answerable, top3 / answerable, unanswerable,
                   abstained / max(unanswerable, 1),
                   1000 * times[min(len(times) - 1, int(0.99 * len(times)))])


def pooled(library: Library, pool: Labelled) -> Library:
    """The library with each answered pool question, and no other, as one of its lessons'
    `heard` examples (in place of content/questions/)."""
    extra: dict[str, list[str]] = {}
    for text, gold in pool:
        for ref in gold:
            extra.setdefault(ref, []).append(text)
    return replace(library, courses=tuple(
        replace(course, lessons=tuple(
            replace(lesson, heard=tuple(extra.get(f"{course.id}/{lesson.id}", ())))
            for lesson in course.lessons))
        for course in library.courses))


def left_out(library: Library, name: str) -> Library:
    """The library with the answered questions of every set but `name` as its lessons'
    `heard` examples, in place of content/questions/ (made from every set): `name`'s questions
    are then asked as a new writer's."""
    return pooled(library, [item for other, path in SETS.items() if other != name
                            for item in load_questions(path)])


def overlap_matcher(library: Library) -> Matcher:
    """The baseline: count the folded words a question shares with each lesson's text."""
    lessons = []
    for course in library.courses:
        for lesson in course.lessons:
            text = " ".join([lesson.title] + [step.text for step in lesson.steps]
                            + [q.question + " " + q.explanation for q in lesson.quiz])
            lessons.append((f"{course.id}/{lesson.id}", set(fold(text).split())))

    def match(text: str) -> list[str]:
        words = set(fold(text).split())
        scored = sorted(((len(words & vocab), ref) for ref, vocab in lessons),
                        key=lambda item: -item[0])
        return [ref for score, ref in scored[:3] if score > 0]

    return match


def overlap_plus_matcher(library: Library) -> Matcher:
    """The baseline with shorthand spelled out and stopwords dropped."""
    lessons = []
    for course in library.courses:
        for lesson in course.lessons:
            text = " ".join([lesson.title, *lesson.keywords] + [s.text for s in lesson.steps]
                            + [q.question + " " + q.explanation for q in lesson.quiz])
            lessons.append((f"{course.id}/{lesson.id}",
                            set(content_words(expand(fold(text))))))

    def match(text: str) -> list[str]:
        words = set(content_words(expand(fold(text))))
        scored = sorted(((len(words & vocab), ref) for ref, vocab in lessons),
                        key=lambda item: -item[0])
        return [ref for score, ref in scored[:3] if score > 0]

    return match


def index_matcher(index: QuestionIndex) -> Matcher:
    return lambda text: [f"{m.course}/{m.lesson}" for m in index.ask(text)]


def held_out_examples(library: Library, tuning: Tuning) -> tuple[float, float, int]:
    """Top-1 and top-3 of every example question asked with its own fold of examples left out."""
    top1 = top3 = asked = 0
    for k in count():
        if not any(len(lesson.asks) > k for course in library.courses
                   for lesson in course.lessons):
            break
        fold = replace(library, courses=tuple(
            replace(course, lessons=tuple(
                replace(lesson, asks=lesson.asks[:k] + lesson.asks[k + 1:])
                for lesson in course.lessons))
            for course in library.courses))
        index = QuestionIndex.build(fold, tuning)
        for course in library.courses:
            for lesson in course.lessons:
                if len(lesson.asks) > k:
                    found = [(m.course, m.lesson) for m in index.ask(lesson.asks[k])]
                    asked += 1
                    top1 += bool(found) and found[0] == (course.id, lesson.id)
                    top3 += (course.id, lesson.id) in found
    return top1 / max(asked, 1), top3 / max(asked, 1), asked


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--misses", action="store_true", help="print every miss")
    parser.add_argument("--set", choices=sorted(SETS), action="append")
    parser.add_argument("--tune", action="append", default=[], help="a Tuning field=value")
    parser.add_argument("--examples", action="store_true",
                        help="ask each lesson's example questions, held out of the index")
    parser.add_argument("--leave-out", action="store_true",
                        help="each set asked of an index whose content/questions/ holds only "
                             "the other sets' questions")
    args = parser.parse_args()
    library = load_library(ROOT / "content")
    tuning = Tuning()
    for item in args.tune:
        field, value = item.split("=")
        tuning = replace(tuning, **{field: type(getattr(tuning, field))(float(value))})
    if args.examples:
        top1, top3, asked = held_out_examples(library, tuning)
        print(f"{tuning}\nexample questions held out: {asked}, top-1 {top1:.3f}, top-3 {top3:.3f}")
        return
    start = time.perf_counter()
    index = QuestionIndex.build(library, tuning)
    build_ms = 1000 * (time.perf_counter() - start)
    matchers = {"word overlap (baseline)": overlap_matcher(library),
                "overlap + shorthand + keywords": overlap_plus_matcher(library),
                "QuestionIndex": index_matcher(index)}
    print(f"index built in {build_ms:.0f} ms; {tuning}")
    print("| set | matcher | answerable | top-1 | top-3 | no lesson | abstained | p99 ms |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for name in args.set or ["tuning", "held-out", "fresh", "unseen", "later"]:
        questions = load_questions(SETS[name])
        if args.leave_out:
            matchers["QuestionIndex"] = index_matcher(
                QuestionIndex.build(left_out(library, name), tuning))
        for label, matcher in matchers.items():
            show = args.misses and label == "QuestionIndex"
            if show:
                print(f"misses on {name}:")
            f = measure(matcher, questions, misses=show)
            print(f"| {name} | {label} | {f.answerable} | {f.top1:.3f} | {f.top3:.3f} | "
                  f"{f.unanswerable} | {f.abstained:.3f} | {f.p99_ms:.2f} |")


if __name__ == "__main__":
    main()
