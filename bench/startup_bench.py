"""What a `hocso` process costs to start: CPU (user + sys, its children included) and wall time.

Runs each command `--runs` times as an operator would (`python -m bot ...`, a SQLite file in a
data dir) and prints the medians. `hocso serve` is timed until /healthz answers, then stopped
with SIGTERM; its CPU is counted to its exit, spawned report children included (they are
reaped by it, so the kernel adds theirs to its own). `--tree` runs another checkout's code
(PYTHONPATH), to measure before and after on the same machine state.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path


def _env(tree: Path, data_dir: Path, extra: dict[str, str]) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(tree), "HOCSO_DATA_DIR": str(data_dir),
           "HOCSO_CONTENT_DIR": str(tree / "content"), "HOCSO_LOG_LEVEL": "WARNING", **extra}
    env.pop("DATABASE_URL", None)
    return env


def _reap(process: subprocess.Popen[bytes]) -> float:
    """Wait for the process; its CPU seconds (user + sys), its reaped children's included."""
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return usage.ru_utime + usage.ru_stime


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_command(tree: Path, data_dir: Path, args: list[str],
                extra: dict[str, str]) -> tuple[float, float]:
    """CPU and wall seconds of one `hocso <args>` run to its exit."""
    began = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "bot", *args], cwd=data_dir,
                               env=_env(tree, data_dir, extra), stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    assert process.stderr is not None
    errors = process.stderr.read()
    cpu = _reap(process)
    wall = time.perf_counter() - began
    if process.returncode != 0:
        raise RuntimeError(f"hocso {' '.join(args)} exited {process.returncode}:\n"
                           f"{errors.decode(errors='replace')}")
    return cpu, wall


def serve_answering(tree: Path, data_dir: Path,
                    extra: dict[str, str]) -> tuple[subprocess.Popen[bytes], float]:
    """`hocso serve` started on `data_dir`, once /healthz answers, and the wall seconds that
    took; the caller stops it."""
    port = _free_port()
    env = _env(tree, data_dir, {"HOCSO_PORT": str(port), "HOCSO_HOST": "127.0.0.1", **extra})
    began = time.perf_counter()
    with (data_dir / "server.log").open("ab") as log:
        process = subprocess.Popen([sys.executable, "-m", "bot", "serve"], cwd=data_dir,
                                   env=env, stdout=log, stderr=subprocess.STDOUT)
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"hocso serve exited {process.returncode}; see {data_dir}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return process, time.perf_counter() - began
        except OSError:
            time.sleep(0.01)


def run_serve(tree: Path, data_dir: Path, extra: dict[str, str]) -> tuple[float, float]:
    """CPU from start to exit (SIGTERM once /healthz answers) and wall seconds to /healthz."""
    process, wall = serve_answering(tree, data_dir, extra)
    process.send_signal(signal.SIGTERM)
    return _reap(process), wall


def measure(name: str, runs: int, once: Callable[[int], tuple[float, float]]) -> None:
    cpu, wall = [], []
    for run in range(runs):
        c, w = once(run)
        cpu.append(c)
        wall.append(w)
    each = f"CPU {' '.join(f'{c:.2f}' for c in cpu)}; wall {' '.join(f'{w:.2f}' for w in wall)}"
    print(f"{name:<44} CPU {statistics.median(cpu):5.2f} s  "
          f"wall {statistics.median(wall):5.2f} s   ({each})", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tree", type=Path, default=Path(__file__).resolve().parent.parent,
                        help="the checkout whose code runs (default: this one)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", default="", help="run only the cases whose name has this")
    args = parser.parse_args()
    tree = args.tree.resolve()
    print(f"tree {tree}; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory(prefix="hocso-startup-") as scratch:
        root = Path(scratch)
        # A template cache of their own (the variable means nothing to a tree without one).
        cache = {"HOCSO_TEMPLATE_CACHE_DIR": str(root / "templates")}
        existing = root / "existing"
        existing.mkdir()

        def fresh(run: int) -> tuple[float, float]:
            data_dir = root / f"fresh-{run}"
            data_dir.mkdir()
            return run_serve(tree, data_dir, cache)

        def cold(run: int) -> tuple[float, float]:
            data_dir = root / f"cold-{run}"
            data_dir.mkdir()
            return run_serve(tree, data_dir, {
                "HOCSO_TEMPLATE_CACHE_DIR": str(root / f"cold-templates-{run}")})

        cases: list[tuple[str, Callable[[int], tuple[float, float]]]] = [
            ("serve, fresh data dir, empty template cache", cold),
            ("serve, fresh data dir (to /healthz)", fresh),
            ("serve, existing data dir (to /healthz)",
             lambda run: run_serve(tree, existing, cache)),
            ("content check", lambda run: run_command(
                tree, existing, ["content", "check"], cache)),
            ("report --area ha-noi --format csv", lambda run: run_command(
                tree, existing, ["report", "--area", "ha-noi", "--format", "csv", "--table",
                                 "khu-vuc", "--out", "-"], cache)),
            ("--help", lambda run: run_command(tree, existing, ["--help"], cache)),
        ]
        # Not measured: a migrated database for "existing", and a filled template cache.
        run_serve(tree, existing, cache)
        for name, once in cases:
            if args.only in name:
                measure(name, args.runs, once)
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
