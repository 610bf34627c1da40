"""The report worker's children: started again after one dies, stopped even mid-submission."""

import asyncio
import os
import signal
import sys
import time
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

from bot.admin.worker import ReportWorker
from tests.conversation import until


async def test_a_child_that_died_is_started_again_by_the_next_job() -> None:
    worker = ReportWorker()
    try:
        first = await worker._run("read", os.getpid)
        os.kill(first, signal.SIGKILL)
        with pytest.raises(BrokenProcessPool):
            await worker._run("read", os.getpid)
        second = await worker._run("read", os.getpid)
        assert second not in (first, os.getpid())
    finally:
        worker.close()


@pytest.mark.parametrize("pause", [0.0, 0.003, 0.03])
async def test_a_job_submitted_while_the_worker_closes_never_runs(pause: float) -> None:
    """Whether close() comes before, during or after the thread's submission starts the child,
    the job is refused or its child killed: close() never waits for it to finish."""
    worker = ReportWorker()
    job = asyncio.create_task(worker._run("refresh", time.sleep, 30))
    await asyncio.sleep(pause)
    worker.close()
    with pytest.raises((RuntimeError, BrokenProcessPool, asyncio.CancelledError)):
        await job


_KILLED_PARENT = """
import asyncio, os, sys
from pathlib import Path
from bot.admin.worker import ReportWorker

async def main():
    worker = ReportWorker()
    Path(sys.argv[1]).write_text(str(await worker._run("read", os.getpid)))
    await asyncio.sleep(600)

asyncio.run(main())
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


async def test_a_child_stops_by_itself_when_its_server_is_killed(tmp_path: Path) -> None:
    """SIGKILL gives the serving process no time to stop its children: they must not stay."""
    told = tmp_path / "child"
    parent = await asyncio.create_subprocess_exec(sys.executable, "-c", _KILLED_PARENT, told)
    try:
        await until(told.exists, timeout=60, what="the first job's child")
        child = int(told.read_text())
    finally:
        parent.kill()
        await parent.wait()
    try:
        await until(lambda: not _alive(child), timeout=30, what="the orphaned child to stop")
    finally:
        if _alive(child):
            os.kill(child, signal.SIGKILL)


_SOCKET_REMOVED = """
import asyncio, multiprocessing.forkserver, os
from bot.admin.worker import ReportWorker

async def main():
    first = ReportWorker()
    await first._run("read", os.getpid)
    first.close()
    # What an age-based cleaning of /tmp does to a server up for days.
    os.unlink(multiprocessing.forkserver._forkserver._forkserver_address)
    second = ReportWorker()
    child = await second._run("read", os.getpid)
    second.close()
    print(child != os.getpid())

asyncio.run(main())
"""


async def test_children_still_start_when_the_fork_servers_socket_is_gone() -> None:
    """In a process of its own: the fork server is one per process, and this breaks it."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", _SOCKET_REMOVED, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(), 120)
    assert out.decode().strip() == "True", err.decode()
