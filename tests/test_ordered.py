"""OrderedTasks: per-key order, concurrency across keys, failures contained, drain waits."""

import asyncio

import pytest

from bot.channels.ordered import OrderedTasks


async def test_one_keys_jobs_run_in_order_and_keys_run_side_by_side() -> None:
    tasks = OrderedTasks()
    events: list[str] = []

    def job(key: str, number: int, pause: float) -> object:
        async def run() -> None:
            events.append(f"{key}{number} start")
            await asyncio.sleep(pause)
            events.append(f"{key}{number} end")
        return run

    tasks.submit("a", job("a", 1, 0.05))  # type: ignore[arg-type]
    tasks.submit("a", job("a", 2, 0.0))  # type: ignore[arg-type]
    tasks.submit("b", job("b", 1, 0.0))  # type: ignore[arg-type]
    await tasks.drain()
    assert events.index("a1 end") < events.index("a2 start")
    assert events.index("b1 end") < events.index("a1 end")  # b did not wait for a
    assert tasks.pending == 0


async def test_a_failing_job_is_logged_and_the_next_still_runs(
        caplog: pytest.LogCaptureFixture) -> None:
    tasks = OrderedTasks()
    done: list[int] = []

    async def boom() -> None:
        raise RuntimeError("boom")

    async def fine() -> None:
        done.append(1)

    tasks.submit("a", boom)
    tasks.submit("a", fine)
    await tasks.drain()
    assert done == [1]
    assert "handling an event for a failed" in caplog.text
