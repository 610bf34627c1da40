"""The CPU of one server start: build_core, the web app and a Telegram channel in a process, and
`hocso serve` to its first /healthz answer.

Cases (each `--runs` times, medians and every run printed):
- "first start in a process": a process of its own (this script with `--one`), its imports made
  before the clock starts, on a data folder holding a migrated SQLite file and the mark of the
  content's passed check: a restart's own work, without Python's start and imports;
- "a later start in the same process": what the tests' in-process servers cost after the
  first (tests/server.py running_here), each on a data folder of its own;
- "`hocso serve` to /healthz": a process started as an operator does, on such a data folder,
  its CPU (user + sys, from /proc) read when /healthz first answers; imports included.
`--parts`: instead, the parts of a start this work is about: the content's fingerprint (the
check's mark, bot/lessons/checked.py), load_library, QuestionIndex.build, and what reading back
a JSON of the index's largest tables (BM25's counts and postings, the speller's words, each
step's words) costs before any set or array is made of them: the least that keeping the
built index in the data folder would cost a restart instead of building it.
`--tree` runs another checkout's code (PYTHONPATH), to measure before and after on one machine.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from startup_bench import serve_answering

ROOT = Path(__file__).resolve().parent.parent
TICKS = os.sysconf("SC_CLK_TCK")


def prepared(root: Path, name: str, template: Path) -> Path:
    """A data folder holding a copy of `template`'s files (a migrated database, the mark)."""
    folder = root / name
    shutil.copytree(template, folder)
    return folder


async def start_once(data_dir: Path, content_dir: Path) -> float:
    """CPU seconds of this process for build_core, the web app with its dashboard, and a
    Telegram channel (built, not started: no network); then all of it disposed."""
    from bot.app import build_core, mount_dashboard, telegram_channel, web_options
    from bot.channels.web import create_web_app
    from bot.config import Settings

    settings = Settings(HOCSO_DATA_DIR=data_dir, HOCSO_CONTENT_DIR=content_dir,  # type: ignore[call-arg]
                        DATABASE_URL="", TELEGRAM_BOT_TOKEN="1:bench",
                        TELEGRAM_API_BASE_URL="http://127.0.0.1:9/bot")
    began = time.process_time()
    core = await build_core(settings)
    web_app = create_web_app(core.tutor, content_dir, web_options(settings))
    mount_dashboard(web_app, core)
    channel = telegram_channel(settings, core.tutor)
    spent = time.process_time() - began
    assert channel is not None
    await core.dispose()
    gc.unfreeze()  # build_core froze what it loaded, as a serving process does
    return spent


def one(data_dir: Path, content_dir: Path) -> None:
    """`--one`: a first start in this process; prints its CPU seconds."""
    import bot.app  # the imports, before the clock starts
    import bot.channels.telegram  # noqa: F401

    print(asyncio.run(start_once(data_dir, content_dir)))


def later(template: Path, content_dir: Path, runs: int) -> None:
    """`--later`: one start not counted, then `runs` more in this process, each on a data
    folder of its own; prints their CPU seconds."""
    root = Path(tempfile.mkdtemp(prefix="hocso-later-"))
    try:
        starts = [asyncio.run(start_once(prepared(root, str(run), template), content_dir))
                  for run in range(runs + 1)]
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(" ".join(map(str, starts[1:])))


def parts(content_dir: Path, runs: int) -> None:
    """`--parts`: CPU seconds of the fingerprint, load_library, QuestionIndex.build, and
    json.loads of the index's largest tables (medians of `runs`)."""
    import json

    from bot.lessons.checked import fingerprint
    from bot.lessons.loader import load_library
    from bot.listening.questions import QuestionIndex

    def timed(name: str, work: Callable[[], object]) -> None:
        spent = []
        for _ in range(runs):
            began = time.process_time()
            work()
            spent.append(time.process_time() - began)
        report(name, spent)

    library = load_library(content_dir)
    index = QuestionIndex.build(library)
    tables: dict[str, object] = {
        name: {"doc_freqs": bm25.doc_freqs, "idf": bm25.idf, "doc_len": bm25.doc_len,
               "docs": bm25._docs.tolist(), "parts": bm25._parts.tolist(), "spans": bm25._spans}
        for name, bm25 in (("words", index._words), ("chars", index._chars),
                           ("steps", index._steps))}
    speller = index._speller
    tables["speller"] = {"vocabulary": sorted(speller.vocabulary),
                         "pairs": sorted(speller._pairs), "pieces": speller._pieces}
    tables["step_words"] = [sorted(words) for words in index._step_words]
    text = json.dumps(tables)
    timed("fingerprint (content and code)", lambda: fingerprint(content_dir))
    timed("load_library", lambda: load_library(content_dir))
    timed("QuestionIndex.build", lambda: QuestionIndex.build(library))
    timed(f"json.loads of its tables ({len(text) / 1e6:.1f} MB)", lambda: json.loads(text))


def template_folder(root: Path, tree: Path) -> Path:
    """A data folder a server started in once: migrated, with the mark of the content's check."""
    folder = root / "template"
    folder.mkdir()
    serve_until_answered(tree, folder)
    for name in os.listdir(folder):
        if not name.startswith(("hocso.db", "content-checked-")):
            path = folder / name
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    return folder


def _env(tree: Path, data_dir: Path, **extra: str) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(tree), "HOCSO_DATA_DIR": str(data_dir),
           "HOCSO_CONTENT_DIR": str(tree / "content"), "HOCSO_LOG_LEVEL": "WARNING",
           "PYTHONDONTWRITEBYTECODE": "1", **extra}
    env.pop("DATABASE_URL", None)
    env.pop("TELEGRAM_BOT_TOKEN", None)
    return env


def serve_until_answered(tree: Path, data_dir: Path) -> float:
    """`hocso serve`'s CPU seconds (user + sys) when /healthz first answers; then stopped."""
    process, _ = serve_answering(tree, data_dir, {"PYTHONDONTWRITEBYTECODE": "1",
                                                  "TELEGRAM_BOT_TOKEN": ""})
    try:
        fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime
    finally:
        process.terminate()
        process.wait()


def report(name: str, cpu: list[float]) -> None:
    print(f"{name:<40} CPU median {statistics.median(cpu):.3f} s   "
          f"({' '.join(f'{c:.3f}' for c in cpu)})", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tree", type=Path, default=ROOT,
                        help="the checkout whose code runs (default: this one)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)  # a data folder
    parser.add_argument("--later", type=Path, help=argparse.SUPPRESS)  # the template folder
    parser.add_argument("--parts", action="store_true",
                        help="the fingerprint, load_library, the index, a JSON of its tables")
    args = parser.parse_args()
    tree = args.tree.resolve()
    if args.parts:
        sys.path.insert(0, str(tree))  # its bot package: none is imported before this
        parts(tree / "content", args.runs)
        return
    if args.one:
        one(args.one, tree / "content")
        return
    if args.later:
        later(args.later, tree / "content", args.runs)
        return
    print(f"tree {tree}; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory(prefix="hocso-start-cost-") as scratch:
        root = Path(scratch)
        template = template_folder(root, tree)
        first = []
        for run in range(args.runs):
            folder = prepared(root, f"first-{run}", template)
            done = subprocess.run([sys.executable, __file__, "--tree", str(tree), "--one",
                                   str(folder)], env=_env(tree, folder), capture_output=True,
                                  text=True, check=True)
            first.append(float(done.stdout.split()[-1]))
        report("first start in a process", first)
        done = subprocess.run([sys.executable, __file__, "--tree", str(tree), "--runs",
                               str(args.runs), "--later", str(template)],
                              env=_env(tree, template), capture_output=True, text=True,
                              check=True)
        report("a later start in the same process", [float(x) for x in done.stdout.split()])
        served = [serve_until_answered(tree, prepared(root, f"serve-{run}", template))
                  for run in range(args.runs)]
        report("`hocso serve` to /healthz", served)
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
