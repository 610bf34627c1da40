"""A messenger turn's replies are kept in the outbox until sent, so a crash cannot lose them."""

import asyncio
import os
from datetime import timedelta

from sqlalchemy import func, select

from bot.channels.outbox_worker import OutboxWorker
from bot.lessons.model import Library
from bot.messages import Attachment, Incoming, Kind, Outgoing
from bot.tutor import Tutor
from storage.outbox import OUTBOX, Outbox, queue
from storage.processes import HOST, PROCESS, beat, forget_dead_here, goodbye, new_process_id
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
    assert await Outbox(repository.engine, process_id="worker").take({"telegram"}) == []
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

    patient = OutboxWorker(Outbox(repository.engine, process_id="patient"),
                           {"telegram": deliver})
    assert await patient.run_once() == 0  # its heartbeat is fresh: it may still send them
    worker = OutboxWorker(Outbox(repository.engine, process_id="worker",
                                 owner_gone_after=timedelta(0)),
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
            await queue(connection, learner, Outgoing(f"tin {number}").to_json(),
                        to=("telegram", "42"), about=None)
    outbox = Outbox(repository.engine, process_id="worker")
    # On PostgreSQL these run at once on separate connections; the row locks keep them apart.
    taken = await asyncio.gather(*(outbox.take({"telegram"}, limit=10) for _ in range(5)))
    ids = [item.id for batch in taken for item in batch]
    assert len(ids) == len(set(ids)) == 30


async def _crashed_after_a_turn(repository: SqlRepository,
                                library: Library) -> tuple[Tutor, list[Outgoing]]:
    """A learner's turn committed by a process that died before sending its replies, and
    the tutor of the process that serves now."""
    died = Tutor(repository=repository, library=library, kept_replies=("telegram",),
                 process_id="died")
    await beat(repository.engine, "died")
    owed = await died.handle(_start("1"))
    await goodbye(repository.engine, "died")  # known dead (storage.processes.forget_dead_here)
    now = Tutor(repository=repository, library=library, kept_replies=("telegram",),
                process_id="now")
    await beat(repository.engine, "now")
    return now, owed


async def test_the_next_turn_sends_what_a_dead_process_owed_before_its_own_replies(
        repository: SqlRepository, library: Library) -> None:
    tutor, owed = await _crashed_after_a_turn(repository, library)
    replies = await tutor.handle(Incoming(channel="telegram", user_ref="42", kind=Kind.TEXT,
                                          text="trợ giúp", update_id="2"))
    assert [reply.text for reply in replies[:len(owed)]] == [reply.text for reply in owed]
    assert len(replies) > len(owed)  # this turn's own come after them
    async with repository.engine.connect() as connection:
        owners = (await connection.execute(select(OUTBOX.c.owner).where(
            OUTBOX.c.sent_at.is_(None)))).scalars().all()
    assert owners == ["now"] * len(replies)  # a second crash hands them on at once again
    # Nor does a worker send them meanwhile: this process owns them now.
    assert await Outbox(repository.engine, process_id="worker").take({"telegram"}) == []


async def test_a_press_on_a_kept_reply_proves_it_arrived_and_it_is_not_sent_again(
        repository: SqlRepository, library: Library) -> None:
    tutor, owed = await _crashed_after_a_turn(repository, library)
    pressed = next(reply for reply in reversed(owed) if reply.buttons)
    payloads = tuple(button.payload for button in pressed.flat_buttons())
    replies = await tutor.handle(Incoming(channel="telegram", user_ref="42", kind=Kind.BUTTON,
                                          payload=payloads[0], pressed_on=payloads,
                                          update_id="2"))
    assert not {reply.text for reply in replies} & {reply.text for reply in owed[:-1]}
    async with repository.engine.connect() as connection:
        bodies = (await connection.execute(select(OUTBOX.c.body))).scalars().all()
    assert not any(Outgoing.from_json(body) in owed for body in bodies)


async def test_a_run_that_died_on_this_machine_is_forgotten_at_the_next_start(
        repository: SqlRepository) -> None:
    exited = await asyncio.create_subprocess_exec("true")
    await exited.wait()
    dead, living, elsewhere = (f"{exited.pid}-{HOST}-0001", f"{os.getppid()}-{HOST}-0002",
                               f"{exited.pid}-ffffff-0003")
    for process_id in (dead, living, elsewhere):
        await beat(repository.engine, process_id)
    me = new_process_id()
    assert await forget_dead_here(repository.engine, me) == 1
    async with repository.engine.connect() as connection:
        left = set((await connection.execute(select(PROCESS.c.id))).scalars().all())
    # Another machine's runs wait for their heartbeat to stop.
    assert left & {dead, living, elsewhere} == {living, elsewhere}
