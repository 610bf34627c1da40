"""A digest of each table of the question index built from the shipped content, to tell that a
change to how it is built leaves every one of them as it was (run it in each checkout).

    PYTHONHASHSEED=1 .venv/bin/python bench/index_digest.py [--tree <checkout>]

Dictionaries are read in their order, floats to the bit, arrays by their bytes; sets sorted.
Some tables are counted over sets, whose order follows the hash seed: fix it to compare.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def plain(value: Any) -> Any:
    """`value` as nested tuples of text, one way for each way it could differ."""
    if isinstance(value, np.ndarray):
        return ("array", value.dtype.str, value.shape, value.tobytes().hex())
    if isinstance(value, dict):
        return ("dict", tuple((plain(key), plain(item)) for key, item in value.items()))
    if isinstance(value, set | frozenset):
        return ("set", tuple(sorted(repr(plain(item)) for item in value)))
    if isinstance(value, list | tuple):
        return (type(value).__name__, tuple(plain(item) for item in value))
    if isinstance(value, float):
        return ("float", value.hex())
    if type(value).__module__.startswith(("bot.listening", "rank_bm25")):
        return (type(value).__name__, tuple((name, plain(item))
                                            for name, item in sorted(vars(value).items())))
    return repr(value)  # text, numbers, the lessons themselves (frozen dataclasses)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tree", type=Path, default=ROOT, help="the checkout whose code runs")
    tree = parser.parse_args().tree.resolve()
    sys.path.insert(0, str(tree))
    from bot.lessons.loader import load_library
    from bot.listening.questions import QuestionIndex

    index = QuestionIndex.build(load_library(tree / "content"))
    for name, table in sorted(vars(index).items()):
        print(f"{name:<16} {hashlib.sha256(repr(plain(table)).encode()).hexdigest()[:16]}")


if __name__ == "__main__":
    main()
