"""Instructions a web chat request costs `hocso serve`, and the bare aiohttp handler, counted by
callgrind over the load alone: a figure the machine's other load does not move, unlike CPU time."""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import serve_bench
from serve_bench import free_port, load_floor, load_hocso, seed

from bot.config import PROJECT_ROOT
from bot.lessons.loader import load_library


def start(command: list[str], env: dict[str, str], port: int, out: Path) -> subprocess.Popen[bytes]:
    """A server under callgrind (about a hundred times slower), once /healthz answers."""
    return serve_bench.start(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
                              *command], env, port)[0]


def control(flag: str, pid: int) -> None:
    """callgrind_control: -z zeroes the counters (start-up is not counted), -d dumps them."""
    subprocess.run(["callgrind_control", flag, str(pid)], check=True, stdout=subprocess.DEVNULL)


def instructions(out: Path) -> int:
    """The instructions of the load: the dump asked for after it (`<out>.1`; `<out>` itself
    is the process's end)."""
    for line in Path(f"{out}.1").read_text().splitlines():
        if line.startswith("summary:"):
            return int(line.split()[1])
    raise RuntimeError(f"no summary in {out}.1")


async def measure(args: argparse.Namespace) -> None:
    library = load_library(PROJECT_ROOT / "content")
    with tempfile.TemporaryDirectory(prefix="hocso-instructions-") as directory:
        data = Path(directory)
        await seed(data, library, 0)
        counts: dict[str, tuple[int, int]] = {}
        for name in ("hocso", "bare"):
            port, out = free_port(), data / f"callgrind.{name}"
            env = {**os.environ, "PYTHONHASHSEED": "0"}
            if name == "hocso":
                env.update(HOCSO_DATA_DIR=str(data), HOCSO_PORT=str(port),
                           HOCSO_MESSAGES_PER_SECOND="100000", HOCSO_LOG_LEVEL="WARNING",
                           HOCSO_WEB_REQUESTS_PER_MINUTE="100000",
                           HOCSO_WEB_SESSIONS_PER_HOUR="100000")
                env.pop("DATABASE_URL", None)
                command = [sys.executable, "-m", "bot", "serve"]
            else:
                command = [sys.executable, str(Path(__file__).parent / "serve_bench.py"),
                           "--floor-server", str(port)]
            process = start(command, env, port, out)
            try:
                await asyncio.sleep(3)  # the report worker's start and the first periodic work
                control("-z", process.pid)
                if name == "hocso":
                    latencies, _ = await load_hocso(port, library, args.learners,
                                                    args.concurrency)
                else:
                    latencies, _ = await load_floor(port, counts["hocso"][1], args.concurrency)
                control("-d", process.pid)
            finally:
                process.terminate()
                process.wait()
            counts[name] = (instructions(out), len(latencies))
    (ours, requests), (bare, _) = counts["hocso"], counts["bare"]
    print(f"| {requests} requests | Học Số {ours / requests:,.0f} instructions a request "
          f"| bare handler {bare / requests:,.0f} | ratio {bare / ours:.3f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--learners", type=int, default=60, help="learners taking lesson 1")
    parser.add_argument("--concurrency", type=int, default=20)
    asyncio.run(measure(parser.parse_args()))


if __name__ == "__main__":
    main()
