"""Web chat turns in one process, as bot/channels/web.py takes them (`Tutor.handle`, replies
rendered and JSON-encoded), without HTTP: CPU a turn and, with --count, SQL statements a turn.
Under `valgrind --tool=cachegrind --cache-sim=no`, `--rounds 3` minus `--rounds 1` counts a
turn's instructions, which the machine's other load does not move."""

from __future__ import annotations

import argparse
import asyncio
import collections
import itertools
import json
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event
from tutor_bench import COURSE_ID, Learner

from bot.channels.web import render_reply
from bot.config import PROJECT_ROOT
from bot.handlers.rules import InviteLinks
from bot.lessons.loader import load_library
from bot.messages import Incoming, Kind, Outgoing
from bot.throttle import Throttle
from bot.tutor import Tutor
from storage.clock import now
from storage.database import create_engine, upgrade
from storage.repository import SqlRepository

CONTENT = PROJECT_ROOT / "content"


class WebLearner(Learner):
    """tutor_bench's Learner, its presses sent as the web chat sends them."""

    async def send(self, incoming: Incoming, latencies: list[float]) -> list[Outgoing]:
        web = Incoming(channel="web", user_ref=self.user_ref, kind=Kind.BUTTON,
                       payload=incoming.payload or "start",
                       update_id=f"{self.user_ref}:{self.update_ids()}")
        replies = await self.tutor.handle(web, known_only=True, patience=5.0,
                                          active_since=now() - timedelta(days=30))
        json.dumps({"replies": [render_reply(reply, CONTENT) for reply in replies]})
        latencies.append(0.0)
        return replies


async def take_lessons(people: list[WebLearner], turns: list[float]) -> None:
    """Take the next learner waiting through lesson 1, until none waits."""
    while people:
        await people.pop().take_lesson(turns)


async def measure(args: argparse.Namespace) -> None:
    library = load_library(CONTENT)
    course = library.course(COURSE_ID)
    assert course is not None
    statements: collections.Counter[str] = collections.Counter()
    with tempfile.TemporaryDirectory(prefix="hocso-web-turns-") as directory:
        engine = create_engine(f"sqlite:///{Path(directory) / 'hocso.db'}")
        await upgrade(engine)
        repository = SqlRepository(engine)
        if args.count:  # a listener costs each statement a little: not while timing
            def count(*event_args: Any) -> None:
                statements[" ".join(event_args[2].split())[:100]] += 1
            event.listen(repository.transaction.engine,  # type: ignore[attr-defined]
                         "before_cursor_execute", count)
        tutor = Tutor(repository=repository, library=library,
                      throttle=Throttle(per_user_per_minute=1e9, user_burst=1_000_000_000,
                                        per_second=1e9),
                      links=InviteLinks(web_base="http://localhost"),
                      kept_replies={"telegram"})
        numbers = itertools.count(1)
        for round_number in range(args.rounds):
            people = []
            for n in range(args.learners):
                session = f"session{round_number:04d}{n:08d}"
                await tutor.new_learner(channel="web", user_ref=session)
                people.append(WebLearner(tutor, course.lessons[0], session,
                                         lambda: str(next(numbers))))
            statements.clear()
            turns: list[float] = []

            started = time.process_time()
            await asyncio.gather(*(take_lessons(people, turns) for _ in range(args.concurrency)))
            print(f"round {round_number + 1}: {len(turns)} turns, "
                  f"{(time.process_time() - started) * 1000 / len(turns):.3f} ms of CPU a turn",
                  flush=True)
        if statements:
            print(f"{sum(statements.values()) / len(turns):.2f} statements a turn:")
            for statement, times in statements.most_common():
                print(f"  {times / len(turns):.3f} {statement}")
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--learners", type=int, default=20, help="learners a round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--count", action="store_true", help="count SQL statements")
    asyncio.run(measure(parser.parse_args()))


if __name__ == "__main__":
    main()
