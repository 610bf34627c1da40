"""The report worker's children: started again after one dies, stopped even mid-submission."""

import asyncio
import os
import signal
import time
from concurrent.futures.process import BrokenProcessPool

import pytest

from bot.admin.worker import ReportWorker


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
