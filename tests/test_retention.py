"""What is kept only for a while: never-agreed learners expire, processed marks age out."""

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select, update

from bot.lessons.model import Library
from bot.messages import Kind, Outgoing
from bot.tutor import Tutor
from storage.clock import now
from storage.outbox import queue
from storage.repository import LEARNER, PROCESSED, SqlRepository
from storage.retention import Retention, sweep
from tests.chat import Chat
from tests.test_privacy import finish_first_lesson

A_DAY = Retention().unconsented


@pytest.fixture
def tutor_on(repository: SqlRepository, library: Library) -> Tutor:
    """A Tutor on each backend."""
    return Tutor(repository=repository, library=library)


async def _age(repository: SqlRepository, user_ref: str, by: timedelta) -> None:
    """Make a learner's last message `by` old."""
    async with repository.engine.begin() as connection:
        await connection.execute(update(LEARNER).where(LEARNER.c.user_ref == user_ref).values(
            last_active_at=now() - by))


async def _people(repository: SqlRepository) -> set[str]:
    async with repository.engine.connect() as connection:
        return set(await connection.scalars(select(LEARNER.c.user_ref)))


async def _marks_of(repository: SqlRepository, user_ref: str) -> int:
    async with repository.engine.connect() as connection:
        return int(await connection.scalar(select(func.count()).select_from(PROCESSED).where(
            PROCESSED.c.update_id.contains(user_ref) | (PROCESSED.c.user_ref == user_ref))))


async def test_who_never_agreed_is_forgotten_a_day_after_their_last_message(
        tutor_on: Tutor, library: Library) -> None:
    tutor, repository = tutor_on, tutor_on.repository
    await tutor.new_learner(channel="web", user_ref="a-page-opened-once")  # a crawler, say
    web = Chat(tutor, user="session-never-agreed", channel="web")
    await tutor.new_learner(channel="web", user_ref=web.user)
    # The web chat's update ids hold the session id.
    await web.send(web.incoming(Kind.TEXT, text="chào", update_id=f"{web.user}:m1"))
    started = Chat(tutor, user="start-only", channel="telegram", display_name="Ông Bảy")
    await started.start(agree=False)
    await started.type("gì đây")  # asked again; still no answer
    agreed = Chat(tutor, user="agreed", channel="telegram", display_name="Bà Lan")
    await agreed.start()
    learning = Chat(tutor, user="agreed-learning", channel="zalo", display_name="Cô Hoa")
    await learning.start()
    await finish_first_lesson(learning, library)
    recent = Chat(tutor, user="thinking-it-over", channel="zalo")
    await recent.start(agree=False)
    owed = Chat(tutor, user="greeting-not-sent-yet", channel="telegram")
    await owed.start(agree=False)
    found = await repository.find_learner(channel="telegram", user_ref=owed.user)
    assert found is not None
    async with repository.engine.begin() as connection:  # its platform down for a day
        await queue(connection, found.id, Outgoing("Xin chào").to_json(),
                    to=("telegram", owed.user), about=found.id)
    for person in ("a-page-opened-once", web.user, "start-only", "agreed", "agreed-learning",
                   owed.user):
        await _age(repository, person, A_DAY + timedelta(minutes=1))
    await _age(repository, "thinking-it-over", A_DAY - timedelta(minutes=5))
    assert await _marks_of(repository, web.user) == 1

    swept = await sweep(repository.engine, rows=2)  # two a transaction: several batches

    assert await _people(repository) == {"agreed", "agreed-learning", "thinking-it-over",
                                         "greeting-not-sent-yet"}
    assert swept.learners == 3
    assert await _marks_of(repository, web.user) == await _marks_of(repository, "start-only") == 0
    assert (await sweep(repository.engine)).learners == 0
    # Coming back later is a new beginning, greeted and asked as anyone new.
    replies = await started.type("chào")
    assert "không phải người thật" in replies[0].text


async def test_learners_from_before_consent_keep_their_progress(
        repository: SqlRepository) -> None:
    # Learners from before consent was asked are asked at their next message; until then
    # what they learned stays, however long they are away.
    long_ago = now() - timedelta(days=90)
    common = {"mode": "menu", "course_id": "", "lesson_id": "", "step_id": "",
              "question_id": "", "quiz_correct": 0, "quiz_answered": 0, "content_version": "",
              "shown_buttons": "", "state": "", "created_at": long_ago,
              "last_active_at": long_ago}
    async with repository.engine.begin() as connection:
        await connection.execute(insert(LEARNER).values(
            channel="zalo", user_ref="old-learner", display_name="Bà Chín", seq=12, ward="",
            **common))
        await connection.execute(insert(LEARNER).values(
            channel="zalo", user_ref="old-with-a-ward", display_name="", seq=0,
            ward="Phường Hồng Hà", **common))
    assert (await sweep(repository.engine)).learners == 0
    assert await _people(repository) == {"old-learner", "old-with-a-ward"}


async def test_a_learner_writing_during_the_sweep_is_kept(tutor_on: Tutor) -> None:
    repository = tutor_on.repository
    chat = Chat(tutor_on, user="back-just-now", channel="telegram")
    await chat.start(agree=False)
    await _age(repository, chat.user, A_DAY * 2)
    async with repository.turn(channel="telegram", user_ref=chat.user,
                               update_id="late") as turn:
        assert turn is not None
        # The turn holds the learner (PostgreSQL) or the write lock (SQLite) meanwhile.
        sweeping = asyncio.create_task(sweep(repository.engine))
        await asyncio.sleep(0.2)
        await turn.save(turn.learner.place, shown_buttons=turn.learner.shown_buttons,
                        display_name="")
    await sweeping
    assert await _people(repository) == {chat.user}


async def test_processed_marks_are_kept_a_week_then_removed(tutor_on: Tutor) -> None:
    tutor, repository = tutor_on, tutor_on.repository
    chat = Chat(tutor, user="u1", channel="telegram")
    await chat.start()
    for number in range(5):
        await chat.send(chat.incoming(Kind.TEXT, text="tiến độ", update_id=f"old-{number}"))
    await chat.send(chat.incoming(Kind.TEXT, text="tiến độ", update_id="recent"))
    async with repository.engine.begin() as connection:
        await connection.execute(update(PROCESSED).where(
            PROCESSED.c.update_id.startswith("old-")).values(
            processed_at=now() - timedelta(days=7, minutes=1)))

    swept = await sweep(repository.engine, rows=2)

    assert swept.marks == 5 and swept.learners == 0
    async with repository.engine.connect() as connection:
        left = set(await connection.scalars(select(PROCESSED.c.update_id)))
    assert "recent" in left and not any(mark.startswith("old-") for mark in left)
    # Within the week a redelivered update is still recognised, and answered by nothing.
    assert await chat.send(chat.incoming(Kind.TEXT, text="tiến độ", update_id="recent")) == []
