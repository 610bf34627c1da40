"""What starting the report children costs: `--pools` new ReportWorkers in one process, each
running one job (which starts its child), forked by the fork server or, with `--spawn`, spawned
(what bot/admin/worker.py falls back to, and did before). Prints the wall time and, with
--spawn, the children's CPU (forked children belong to the fork server, whose CPU is not
counted here: see the wall time).

    .venv/bin/python bench/report_children.py --pools 5
    .venv/bin/python bench/report_children.py --pools 5 --spawn
"""

import argparse
import asyncio
import multiprocessing
import os
import resource
import time

from bot.admin.worker import ReportWorker


async def _start(pools: int, spawn: bool) -> float:
    started = time.perf_counter()
    for _ in range(pools):
        worker = ReportWorker()
        if spawn:
            worker._context = multiprocessing.get_context("spawn")
        await worker._run("read", os.getpid)
        worker.close()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pools", type=int, default=5)
    parser.add_argument("--spawn", action="store_true")
    options = parser.parse_args()
    wall = asyncio.run(_start(options.pools, options.spawn))
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(f"{'spawned' if options.spawn else 'forked'}: {options.pools} pools' first jobs "
          f"{wall:.2f} s wall; children's CPU {used.ru_utime + used.ru_stime:.2f} s")


if __name__ == "__main__":
    main()
