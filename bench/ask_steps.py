"""Which step a reply to a resident's question shows: the share of the questions in
tests/data/question_steps.yaml whose shown step is one labelled as answering them, given the
right lesson (the step QuestionIndex shows were that lesson found), on the `tune` half, the
`check` half and the `check2` group (labelled later, from blind sets 6, 8 and 9).

    .venv/bin/python bench/ask_steps.py [--misses] [--split tune|check|check2]
        [--tune field=value ...]
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.lessons.loader import load_library  # noqa: E402
from bot.listening.questions import QuestionIndex, Tuning  # noqa: E402

LABELS = ROOT / "tests/data/question_steps.yaml"


def load_labels(path: Path = LABELS) -> list[dict]:
    """The labelled questions: text, lesson ("course/lesson"), steps (ids), split."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def step_share(index: QuestionIndex, items: list[dict], misses: bool = False) -> float:
    """The share of `items` whose shown step is one of their labelled steps."""
    right = 0
    for item in items:
        course, lesson = item["lesson"].split("/")
        shown = index.best_step(item["text"], course, lesson)
        right += shown in item["steps"]
        if misses and shown not in item["steps"]:
            print(f"  {item['split']} {item['text']!r} [{item['lesson']}] -> {shown}, "
                  f"want {item['steps']}")
    return right / max(len(items), 1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--misses", action="store_true", help="print every wrong step")
    parser.add_argument("--split", choices=["tune", "check", "check2"], action="append")
    parser.add_argument("--tune", action="append", default=[], help="a Tuning field=value")
    args = parser.parse_args()
    tuning = Tuning()
    for item in args.tune:
        field, value = item.split("=")
        tuning = replace(tuning, **{field: type(getattr(tuning, field))(float(value))})
    index = QuestionIndex.build(load_library(ROOT / "content"), tuning)
    labels = load_labels()
    print("| split | questions | right step |")
    print("|---|---:|---:|")
    for split in args.split or ["tune", "check", "check2"]:
        items = [item for item in labels if item["split"] == split]
        share = step_share(index, items, args.misses)
        print(f"| {split} | {len(items)} | {share:.3f} |")


if __name__ == "__main__":
    main()
