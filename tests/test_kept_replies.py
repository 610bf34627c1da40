"""A messenger turn's replies are kept in the outbox until sent, so a crash cannot lose them."""

import asyncio
from datetime import timedelta

from sqlalchemy import func, select

from bot.channels.outbox_worker import OutboxWorker
from bot.lessons.model import Library
from bot.messages import Attachment, Incoming, Kind, Outgoing
from bot.tutor import Tutor
from storage.outbox import OUTBOX, Outbox, queue
from storage.processes import beat, goodbye
from storage.repository import LEARNER, SqlRepository


def _start(update_id: str) -> Incoming:
    return Incoming(channel="telegram", user_ref="42", kind=Kind.START, update_id=update_id)


async def _unsent(repository: SqlRepository) -> int:
    async with repository.engine.connect() as connection:
        return int((await connection.execute(select(func.count()).select_from(OUTBOX).where(
            OUTBOX.c.sent_at.is_(None)))).scalar_one())


async def test_replies_are_kept_until_the_sender_settles_them(repository: SqlRepository,
                                                              library: Library) -> None:
    tutor = Tutor(repository=repository, library=library, kept_replies=("telegram",),
                  process_id="serving")
    await beat(repository.engine, "serving")
    replies = await tutor.handle(_start("1"))
    assert replies and all(reply.kept_as is not None for reply in replies)
    assert await _unsent(repository) == len(replies)
    # Owned by the live process that sends them now: workers leave them alone meanwhile.
    assert await Outbox(repository.engine).take({"telegram"}) == []
    await tutor.settle(replies)
    assert await _unsent(repository) == 0
    await goodbye(repository.engine, "serving")


async def test_replies_a_crash_left_unsent_go_out_once_their_process_is_gone(
        repository: SqlRepository, library: Library) -> None:
    committed = Tutor(repository=repository, library=library, kept_replies=("telegram",),
                      process_id="died")
    await beat(repository.engine, "died")
    replies = await committed.handle(_start("1"))  # ... and the process died before sending
    sent: list[tuple[str, Outgoing]] = []

    async def deliver(user_ref: str, reply: Outgoing) -> None:
        sent.append((user_ref, reply))

    patient = OutboxWorker(Outbox(repository.engine), {"telegram": deliver})
    assert await patient.run_once() == 0  # its heartbeat is fresh: it may still send them
    worker = OutboxWorker(Outbox(repository.engine, owner_gone_after=timedelta(0)),
                          {"telegram": deliver})
    assert await worker.run_once() == len(replies)
    assert sent == [("42", reply) for reply in replies]  # in order, with their buttons
    assert await worker.run_once() == 0 and await _unsent(repository) == 0
    # The update redelivered after the restart changes nothing and sends nothing more.
    assert await committed.handle(_start("1")) == []


async def test_web_replies_travel_in_the_response_and_are_not_kept(
        sqlite_repository: SqlRepository, library: Library) -> None:
    tutor = Tutor(repository=sqlite_repository, library=library, kept_replies=("telegram",))
    replies = await tutor.handle(Incoming(channel="web", user_ref="w", kind=Kind.START))
    assert replies and all(reply.kept_as is None for reply in replies)
    assert await _unsent(sqlite_repository) == 0


def test_a_kept_reply_keeps_its_file() -> None:
    reply = Outgoing("Dữ liệu của bạn", attachment=Attachment("du-lieu.json", b'{"a": 1}'))
    assert Outgoing.from_json(reply.to_json()) == reply


async def test_concurrent_workers_take_each_outbox_message_once(repository: SqlRepository,
                                                               library: Library) -> None:
    tutor = Tutor(repository=repository, library=library)
    await tutor.handle(_start("1"))  # a learner to write to
    async with repository.engine.begin() as connection:
        learner = (await connection.execute(select(LEARNER.c.id))).scalar_one()
        for number in range(30):
            await queue(connection, learner, Outgoing(f"tin {number}").to_json(), about=None)
    outbox = Outbox(repository.engine)
    # On PostgreSQL these run at once on separate connections; the row locks keep them apart.
    taken = await asyncio.gather(*(outbox.take({"telegram"}, limit=10) for _ in range(5)))
    ids = [item.id for batch in taken for item in batch]
    assert len(ids) == len(set(ids)) == 30
