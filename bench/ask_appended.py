"""What a number, an amount, a phone number, words of another script or words typed run
together do to a question's answer: the questions of the fitted sets that find a right lesson
among those shown, each asked again with a tail a resident might add (" số của nó là
0912345678", " mất 500000 đồng", " 你好", " giupvoi"), and how many of them no longer do. Then
the same questions typed without diacritics, first with their words apart, then every two of
them run together ("lamsao caivneid"), as on a phone keyboard: how many of those found by the
first are lost by the second.

    .venv/bin/python bench/ask_appended.py [--top1] [--tail TEXT ...] [--show N]

Every set bench/ask_abstain.py fits on is asked (blind3 and blind4 too, since round 5).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ask_abstain import FITTED
from ask_quality import ROOT, load_questions

from bot.lessons.loader import load_library
from bot.listening.questions import QuestionIndex
from bot.listening.words import fold

# What residents paste after their question: a phone number, an amount, an OTP code, a date,
# an amount with separators and a unit, a time; a greeting in another script (Chinese,
# Russian, Thai, Khmer, Korean); words typed run together ("giúp với", "làm sao", "giúp em
# với nhé").
TAILS = [" số của nó là 0912345678", " mất 500000 đồng", " mã 483920", " hôm 12/3",
         " chuyển 2.000.000đ", " lúc 8:30 sáng", " 0987.123.456",
         " 你好", " привет", " สวัสดี", " សួស្តី", " 안녕하세요",
         " giupvoi", " lamsao", " giupemvoinhe"]


def glued(text: str) -> str:
    """The question folded, every two of its words run together: "lamsao caivneid"."""
    words = fold(text).split()
    return " ".join("".join(words[i:i + 2]) for i in range(0, len(words), 2))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tail", action="append", help="a tail to add (default: TAILS)")
    parser.add_argument("--top1", action="store_true", help="count the first lesson only")
    parser.add_argument("--show", type=int, default=0, help="print this many losses per tail")
    args = parser.parse_args()
    index = QuestionIndex.build(load_library(ROOT / "content"))

    def right(text: str, gold: set[str]) -> bool:
        found = [f"{m.course}/{m.lesson}" for m in index.ask(text)]
        return bool(found) and (found[0] in gold if args.top1 else bool(gold & set(found)))

    start = time.perf_counter()
    questions = [(text, gold) for path in FITTED.values() for text, gold in load_questions(path)
                 if gold and right(text, gold)]
    print(f"{len(questions)} questions of the fitted sets answered right "
          f"({'first lesson' if args.top1 else 'among those shown'})")
    print("| tail | lost |")
    print("|---|---:|")
    for tail in args.tail or TAILS:
        lost = [text for text, gold in questions if not right(text + tail, gold)]
        print(f"| `{tail.strip()}` | {len(lost)} |")
        for text in lost[:args.show]:
            print(f"    {text + tail!r} -> "
                  f"{[f'{m.course}/{m.lesson}' for m in index.ask(text + tail)]}")
    folded = [(text, gold) for text, gold in questions if right(fold(text), gold)]
    lost = [text for text, gold in folded if not right(glued(text), gold)]
    print(f"typed without diacritics, {len(folded)} still right; every two words run together: "
          f"{len(lost)} lost")
    for text in lost[:args.show]:
        found = [f"{m.course}/{m.lesson}" for m in index.ask(glued(text))]
        print(f"    {glued(text)!r} -> {found}")
    print(f"({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
