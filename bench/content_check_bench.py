"""What `check_content` costs in one process: the CPU of its first run (templates compiled) and
of the runs after it, on the shipped content or on a copy holding only `--courses` (with the
shared texts, the areas and the courses' pictures, as tests/test_content.py's small_content).
Also counts the templates jinja renders in one warm run.

    .venv/bin/python bench/content_check_bench.py --runs 8
    .venv/bin/python bench/content_check_bench.py --runs 8 --courses lam-quen,nguoi-kem
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import jinja2

from bot.config import PROJECT_ROOT
from bot.handlers.registry import registry
from bot.lessons.check import check_content

CONTENT = PROJECT_ROOT / "content"
sys.path.insert(0, str(PROJECT_ROOT))  # the copy maker lives in tests/, shared with its tests
from tests.content_copies import copy_with_courses  # noqa: E402


def _renders(folder: Path) -> int:
    """How many times one check calls jinja's Template.render."""
    count = 0
    render = jinja2.Template.render

    def counted(self: jinja2.Template, *args: object, **kwargs: object) -> str:
        nonlocal count
        count += 1
        return render(self, *args, **kwargs)

    jinja2.Template.render = counted  # type: ignore[method-assign]
    try:
        check_content(folder, registry().samples, commands=registry().commands)
    finally:
        jinja2.Template.render = render  # type: ignore[method-assign]
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--courses", help="comma-separated course folders (default: all)")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = copy_with_courses(options.courses.split(","), Path(scratch) / "content") \
            if options.courses else CONTENT
        cpu = []
        for _ in range(options.runs):
            started = time.process_time()
            _, problems = check_content(folder, registry().samples,
                                        commands=registry().commands)
            cpu.append(time.process_time() - started)
            assert not problems, problems
        renders = _renders(folder)
    after = cpu[1:] or cpu
    print(f"{options.courses or 'all courses'}: first check {cpu[0]:.3f} s CPU; then "
          f"min {min(after):.3f}, median {statistics.median(after):.3f} s "
          f"({len(after)} runs); {renders} jinja renders a check")


if __name__ == "__main__":
    main()
