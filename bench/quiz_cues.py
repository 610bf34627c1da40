"""How far a learner who guesses by the look of the options gets through the lesson quizzes.

Each cue picks the option(s) a test-wise guesser would choose without understanding the
question: the longest one, the one repeating most of the question's words, the one with
"safe" words ("không", "hỏi", "tự", "người thân") and without "risky" ones ("ngay", "cho
phép", "bấm"). Ties are split evenly, so a cue that cannot decide is worth chance. For each cue
the expected number of questions answered right and of quizzes passed (two thirds right) is
reported, against guessing blindly; `--worst N` lists the quizzes the cues pass most often, and
`--quiz course/lesson` each cue's chance on each question of one quiz and of passing it.

    .venv/bin/python bench/quiz_cues.py [--worst 15] [--quiz thanh-toan/chuyen-khoan]
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.lessons.loader import load_library  # noqa: E402
from bot.lessons.model import Question  # noqa: E402
from bot.lessons.progress import pass_mark  # noqa: E402

# Words a guesser takes for the careful answer, and for the reckless one (the try-out's rule).
SAFE = ("không", "hỏi", "tự", "người thân", "chính thức", "gọi lại", "kiểm tra", "chưa chắc")
RISKY = ("ngay", "cho phép", "bấm", "chuyển", "gửi", "đọc", "tin", "làm theo")
# Words every option and question shares: they tell nothing about the answer.
COMMON = frozenset((
    "bác", "cô", "chú", "anh", "chị", "em", "bạn", "ông", "bà", "cháu", "con", "mình", "là",
    "có", "không", "gì", "thì", "và", "của", "một", "để", "cho", "với", "thế", "nào", "nên",
    "được", "này", "đó", "rồi", "mà", "hay", "các", "những", "người", "ạ", "nhé", "vào", "ra",
    "đi",
))
Cue = Callable[[Question, Sequence[str]], list[int]]


def plain(text: str) -> str:
    """An author's text as read: the learner's form of address in place of its placeholder."""
    return re.sub(r"\{\{\s*\w+\s*\}\}", "bác", text).lower()


def words(text: str) -> set[str]:
    return set(re.findall(r"\w+", plain(text))) - COMMON


def best(scores: Sequence[float]) -> list[int]:
    top = max(scores)
    return [index for index, score in enumerate(scores) if score == top]


def longest(question: Question, options: Sequence[str]) -> list[int]:
    return best([len(option) for option in options])


def echo(question: Question, options: Sequence[str]) -> list[int]:
    asked = words(question.question)
    return best([len(words(option) & asked) for option in options])


def keywords(question: Question, options: Sequence[str]) -> list[int]:
    def score(option: str) -> int:
        text = f" {plain(option)} "
        return sum(f" {word} " in text or text.startswith(f" {word}") for word in SAFE) - \
            sum(re.search(rf"\b{word}\b", text) is not None for word in RISKY)
    return best([score(option) for option in options])


def chance(question: Question, options: Sequence[str]) -> list[int]:
    return list(range(len(options)))


CUES: dict[str, Cue] = {"chance": chance, "longest": longest, "echo": echo,
                        "keywords": keywords}


def right_chance(cue: Cue, question: Question) -> float:
    picked = cue(question, question.options)
    return (question.answer - 1 in picked) / len(picked)


def pass_chance(chances: Sequence[float]) -> float:
    """The chance of at least the pass mark right, each question right with its chance."""
    ways = [1.0]  # ways[k]: the chance of k right so far
    for p in chances:
        ways = [(ways[k] if k < len(ways) else 0) * (1 - p) + (ways[k - 1] * p if k else 0)
                for k in range(len(ways) + 1)]
    return sum(ways[pass_mark(len(chances)):])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worst", type=int, default=0, help="list the quizzes cues pass most")
    parser.add_argument("--quiz", action="append", default=[], help="course/lesson to detail")
    args = parser.parse_args()
    library = load_library(ROOT / "content")
    quizzes = [(f"{course.id}/{lesson.id}", lesson.quiz) for course in library.courses
               for lesson in course.lessons if lesson.quiz]
    questions = sum(len(quiz) for _, quiz in quizzes)
    print(f"{len(quizzes)} lesson quizzes, {questions} questions")
    print("| cue | questions right (expected) | quizzes passed (expected) |")
    print("|---|---:|---:|")
    passes: dict[str, list[float]] = {}
    for name, cue in CUES.items():
        right = sum(right_chance(cue, q) for _, quiz in quizzes for q in quiz)
        passes[name] = [pass_chance([right_chance(cue, q) for q in quiz]) for _, quiz in quizzes]
        print(f"| {name} | {right:.1f} / {questions} ({right / questions:.0%}) "
              f"| {sum(passes[name]):.1f} / {len(quizzes)} |")
    if args.worst:
        guessed = sorted(((max(passes[name][i] for name in CUES if name != "chance"), quiz[0])
                          for i, quiz in enumerate(quizzes)), reverse=True)
        print(f"\nThe {args.worst} quizzes a cue passes most often (best cue's chance):")
        for chance_, name in guessed[:args.worst]:
            print(f"  {chance_:.0%}  {name}")
    for wanted in args.quiz:
        quiz = dict(quizzes).get(wanted)
        if quiz is None:
            sys.exit(f"no lesson quiz {wanted}")
        print(f"\n{wanted}: each cue's chance of each question right, and of passing the quiz")
        print("| cue | " + " | ".join(q.id for q in quiz) + " | passed |")
        print("|---|" + "---:|" * (len(quiz) + 1))
        for name, cue in CUES.items():
            chances = [right_chance(cue, q) for q in quiz]
            print(f"| {name} | " + " | ".join(f"{c:.2f}" for c in chances)
                  + f" | {pass_chance(chances):.2f} |")


if __name__ == "__main__":
    main()
