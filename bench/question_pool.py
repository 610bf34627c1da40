"""Write content/questions/<course>.yaml: every answered question of the labelled sets
(tests/data/questions*.yaml of bench/ask_quality.py) under each lesson that answers it, the
lessons' `heard` examples (docs/CONTENT.md). It wrote today's content/questions/, from every set
but those in NEVER_POOLED; after running it again, refit Tuning.answer_weights on left-out rows
(`bench/ask_pool.py --variants pool --without terms,unknown`, bench/RESULTS.md).

    .venv/bin/python bench/question_pool.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ask_quality import ROOT, SETS, load_questions

from bot.lessons.loader import load_library

HEADER = """\
# Questions residents asked that a lesson of this course answers, under that lesson's id: the
# matcher reads them as more example questions, like the lesson's `asks:` (docs/CONTENT.md).
# Made once from the labelled question sets by bench/question_pool.py; add to them freely.
"""


# The newest blind set stays out of the pool: it measures what the pool gives on a writer
# nobody has seen (bench/RESULTS.md).
NEVER_POOLED = {"blind10"}


def main() -> None:
    library = load_library(ROOT / "content")
    heard: dict[str, list[str]] = {}
    for name, path in SETS.items():
        if name in NEVER_POOLED:
            continue
        for text, gold in load_questions(path):
            for ref in gold:
                heard.setdefault(ref, []).append(" ".join(text.split()))
    folder = ROOT / "content" / "questions"
    folder.mkdir(exist_ok=True)
    for course in library.courses:
        lessons = {}
        for lesson in course.lessons:
            seen = {text.lower() for text in lesson.asks}
            kept = []
            for text in heard.get(f"{course.id}/{lesson.id}", []):
                if text.lower() not in seen:
                    seen.add(text.lower())
                    kept.append(text)
            if kept:
                lessons[lesson.id] = kept
        if lessons:
            body = yaml.safe_dump(lessons, allow_unicode=True, sort_keys=False, width=10_000)
            (folder / f"{course.id}.yaml").write_text(HEADER + body, encoding="utf-8")


if __name__ == "__main__":
    main()
