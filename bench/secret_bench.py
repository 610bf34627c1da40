"""What bot/listening/secret.py masks in the question sets and the labelled messages of
tests/data/ (each masked text printed, to be read), what `phones=True` (check-in notes) masks
besides, and its speed on 1,000-character messages and on long runs of digits.

    .venv/bin/python bench/secret_bench.py
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from bot.listening.secret import Masked, mask  # noqa: E402

DATA = PROJECT_ROOT / "tests" / "data"


def _texts(path: Path) -> list[tuple[str, str]]:
    """(label, text) of a question set (label "question") or a message set."""
    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    items = loaded["messages"] if isinstance(loaded, dict) else loaded
    return [(str(item.get("label", "question")), str(item["text"])) for item in items]


def _count(hit: Callable[[Masked], bool], said: str, *, phones: bool = False) -> None:
    """Print each labelled text that `hit` finds in once masked, and how many of each label."""
    counts: dict[str, list[int]] = {}
    for path in sorted(DATA.glob("questions*.yaml")) + sorted(DATA.glob("messages*.yaml")):
        for label, text in _texts(path):
            masked = mask(text, phones=phones)
            seen = counts.setdefault(label, [0, 0])
            seen[0] += 1
            if hit(masked):
                seen[1] += 1
                print(f"{'phones: ' if phones else ''}{path.name} [{label}] {masked.text[:140]}")
    for label, (total, found) in sorted(counts.items()):
        print(f"{label}: {found} of {total} {said}")


def main() -> None:
    _count(lambda masked: masked.found, "masked")
    # The phone numbers a check-in note would lose: each printed, to see that none is a sum,
    # a date, an account or a code.
    _count(lambda masked: bool(masked.phones), "with a phone number masked (phones=True)",
           phones=True)
    long = [text for path in sorted(DATA.glob("messages*.yaml")) for _, text in _texts(path)]
    long = [(text * (1000 // len(text) + 1))[:1000] for text in long]
    times = []
    for text in long:  # the best of 5 tries a text: the machine is shared
        tries = []
        for _ in range(5):
            start = time.perf_counter()
            mask(text)
            tries.append((time.perf_counter() - start) * 1000)
        times.append(min(tries))
    times.sort()
    print(f"1,000 characters: median {statistics.median(times):.2f} ms, "
          f"p99 {times[int(0.99 * (len(times) - 1))]:.2f} ms, max {times[-1]:.2f} ms "
          f"({len(times)} texts, best of 5 each)")
    # Long digit runs, each a way to make a backtracking pattern try every grouping (under
    # messages.MAX_TEXT_CHARS, 2,000 characters): CPU time of mask(), the worst of 3 tries.
    for name, text in (("('1'*56 + newline) * 35", ("1" * 56 + "\n") * 35),
                       ("('1'*55 + ' a ') * 35", ("1" * 55 + " a ") * 35),
                       ("'1' * 2000", "1" * 2000), ("'12 ' * 666", "12 " * 666),
                       ("'0912 345 678, ' * 140", "0912 345 678, " * 140)):
        tries = []
        for _ in range(3):
            start = time.process_time()
            mask(text, phones=True)
            tries.append((time.process_time() - start) * 1000)
        print(f"{name} ({len(text)} characters): {max(tries):.2f} ms CPU, worst of 3")


if __name__ == "__main__":
    main()
