"""Reminders: asked once after a first lesson, changed with /nhac_hoc, stopped by "đừng nhắc
nữa" in any state; sent at most once a day in daytime, weekly after a silent week, stopped
after a silent month; each queued once by one of several workers; live replies first."""

import asyncio
import csv
import io
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update

from bot.channels.pacing import Pacer
from bot.handlers.reminder_times import (
    Reminding,
    count_lesson,
    decide,
    goal_state,
    next_slot,
    oa_time,
)
from bot.handlers.reminders import parse_hour
from bot.lessons.model import Library
from bot.scheduler import ReminderRun
from bot.tutor import Tutor
from storage.clock import VIETNAM, now
from storage.database import create_engine
from storage.outbox import LATER, OUTBOX, PROMPT, Outbox, queue
from storage.reminders import OFF, ON, REMINDER, STOPPED, choose
from storage.repository import LEARNER, SqlRepository
from tests.chat import Chat
from tests.mentoring_helpers import received
from tests.report_seed import HONG_HA
from tests.test_admin import Dashboard, cheap_hashes, dashboard, sign_in  # noqa: F401
from tests.test_areas import finish_lesson
from tests.virtual_time import VirtualTime


class Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


def local(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment of December 2026, Vietnam time."""
    return datetime(2026, 12, day, hour, minute, tzinfo=VIETNAM)


async def reminder_row(repository: SqlRepository, chat: Chat):  # type: ignore[no-untyped-def]
    async with repository.engine.connect() as connection:
        return (await connection.execute(
            select(REMINDER).join(LEARNER, LEARNER.c.id == REMINDER.c.learner_id)
            .where(LEARNER.c.user_ref == chat.user))).first()


async def test_asked_once_after_a_first_lesson_then_chosen(
        tutor: Tutor, library: Library, sqlite_repository: SqlRepository) -> None:
    chat = Chat(tutor, "lan", channel="telegram")
    await finish_lesson(chat, library)
    # The place is asked first after the first lesson: one question at a time.
    assert "xã hoặc phường nào" in chat.last[-1].text and "nhắc học" not in chat.text()
    await chat.press("Bỏ qua")
    await finish_lesson(chat, library, index=1, right=False)  # not passed: the retry stays
    assert "nhắc học mỗi ngày" not in chat.text()
    assert chat.payload_of("Làm lại bài kiểm tra").startswith("q:")
    await finish_lesson(chat, library, index=1)
    assert "muốn cháu nhắc học" not in chat.text()
    assert "nhắc học mỗi ngày" in chat.last[-1].text
    labels = [button.label for button in chat.last[-1].flat_buttons()]
    assert any("Buổi tối" in label for label in labels)
    assert any("Không cần nhắc" in label for label in labels)
    assert any("Bài tiếp theo" in label for label in labels)  # the way on stays one tap away
    await chat.type("3")  # typed digits pick these buttons: the evening
    assert "khoảng 19 giờ mỗi ngày" in chat.text()
    row = await reminder_row(sqlite_repository, chat)
    assert row.status == ON and row.hour == 19
    due = row.due_at.replace(tzinfo=UTC).astimezone(VIETNAM)
    assert (due.hour, due.minute) == (19, 0) and due > now()
    await finish_lesson(chat, library, index=2)  # never asked again
    assert "nhắc học mỗi ngày" not in chat.text()


async def test_the_web_chat_offers_the_goal_but_cannot_remind(
        tutor: Tutor, library: Library, sqlite_repository: SqlRepository) -> None:
    chat = Chat(tutor, "web-1", channel="web")
    await finish_lesson(chat, library)
    await chat.press("Bỏ qua")
    await finish_lesson(chat, library, index=1)
    assert "nhắc học mỗi ngày" not in chat.text()  # nothing could reach them
    await chat.type("/nhac_hoc")
    assert "không gửi tin nhắc được" in chat.text()
    assert not any(b.payload.startswith("rm:") for b in chat.last[-1].flat_buttons())
    await chat.press("2 bài mỗi tuần")
    assert "mục tiêu của bạn là 2 bài mỗi tuần" in chat.text()
    await finish_lesson(chat, library, index=2)
    await chat.type("/nhac_hoc")
    assert "Tuần này bạn đã học 1 bài" in chat.text()
    await chat.type("/tien_do")
    assert "Mục tiêu 2 bài mỗi tuần: tuần này bạn đã học 1 bài" in chat.text()
    assert await reminder_row(sqlite_repository, chat) is None


async def test_stop_words_work_in_a_quiz_and_while_an_hour_is_awaited(
        tutor: Tutor, library: Library, sqlite_repository: SqlRepository) -> None:
    chat = Chat(tutor, "tu", channel="zalo")
    await chat.start()
    await chat.type("/nhac_hoc")
    await chat.press("Chọn giờ khác")
    await chat.type("25 giờ")
    assert "chưa hiểu giờ này" in chat.text()
    await chat.type("7 giờ tối")
    assert "khoảng 19 giờ" in chat.text()
    assert (await reminder_row(sqlite_repository, chat)).status == ON
    course = library.courses[0]
    lesson = course.lessons[0]
    await chat.learn(course.id, lesson.id)  # in the middle of a quiz
    question = chat.last[-1].text.rsplit("\n\n", 1)[-1]
    assert question.startswith("Câu 1/3")
    await chat.type("Đừng nhắc nữa!")
    assert "sẽ không nhắc bạn nữa" in chat.text()
    assert chat.last[-1].text.endswith(question)  # and the quiz goes on where it was
    assert any(b.payload.startswith("a:") for b in chat.last[-1].flat_buttons())
    assert (await reminder_row(sqlite_repository, chat)).status == OFF
    await chat.type("/nhac_hoc")
    await chat.press("Chọn giờ khác")  # waiting for a typed hour: the words still stop
    await chat.type("dung nhac nua")
    assert "sẽ không nhắc bạn" in chat.text()
    await chat.type("15")  # no longer an answer to the hour question
    assert (await reminder_row(sqlite_repository, chat)).status == OFF


def test_typed_hours() -> None:
    assert [parse_hour(text) for text in ("15", "7 giờ tối", "3h chiều", "8 giờ sáng",
                                          "lúc 20h", "không biết")] == [15, 19, 15, 8, 20, None]


def _reminding(**changes: object) -> Reminding:
    values: dict[str, object] = {
        "learner_id": 1, "hour": 19, "weekly": False, "quiet_since": None,
        "last_sent_at": None, "last_active_at": local(1, 9), "reachable": True}
    return Reminding(**{**values, **changes})  # type: ignore[arg-type]


def test_never_at_night_at_most_once_a_day_weekly_then_stopped() -> None:
    at = local(3, 19)
    sent = decide(_reminding(), at)
    assert sent.say == "remind" and sent.due_at == local(4, 19) and sent.quiet_since == at
    # Late at night (a worker that was down): put off to the next evening, nothing sent.
    late = decide(_reminding(), local(3, 22, 30))
    assert late.say == "" and late.due_at == local(4, 19)
    early = decide(_reminding(hour=8), local(4, 5))
    assert early.say == "" and early.due_at == local(4, 8)
    # Already sent today: the next is tomorrow, whatever the chosen hour.
    assert next_slot(20, local(3, 19, 1), last_sent=local(3, 19)) == local(4, 20)
    # Learned in the last hours: no reminder today.
    assert decide(_reminding(last_active_at=local(3, 15)), at).say == ""
    # A week without an answer: weekly; they come back: daily again, and it counted.
    weekly = decide(_reminding(quiet_since=local(1, 19), last_sent_at=local(7, 19)),
                    local(8, 19))
    assert weekly.say == "remind" and weekly.weekly and weekly.due_at == local(15, 19)
    back = decide(_reminding(quiet_since=local(1, 19), last_sent_at=local(7, 19),
                             last_active_at=local(8, 9)), local(9, 19))
    assert back.returned and not back.weekly and back.quiet_since == local(9, 19)
    # Back and learning that day: no reminder; the return is counted once, not at every check.
    today = decide(_reminding(quiet_since=local(1, 19), last_sent_at=local(7, 19),
                              last_active_at=local(8, 15)), local(8, 19))
    assert today.say == "" and today.returned and today.quiet_since is None
    assert not decide(_reminding(last_sent_at=local(7, 19), last_active_at=local(8, 15)),
                      local(9, 19)).returned
    # A month: stopped, and the learner is told.
    stop = decide(_reminding(quiet_since=local(1, 19), last_sent_at=local(29, 19)),
                  local(31, 19))
    assert stop.say == "stopping" and stop.stopped and stop.due_at is None
    # Blocked (Telegram 403) or never agreed: nothing.
    assert decide(_reminding(reachable=False), at).say == ""


def test_zalo_oa_reminders_only_inside_the_48_hour_window() -> None:
    wrote = local(3, 10)
    inside = decide(_reminding(oa_since=wrote, last_active_at=wrote), local(4, 19))
    assert inside.say == "remind"
    # The next evening is past the window: the reminder is moved into it (09:30 on the 5th).
    assert inside.due_at == local(5, 9, 30)
    assert decide(_reminding(oa_since=wrote, last_active_at=wrote), local(5, 9, 31)).say == ""
    # A window closing at night: the evening before, at 20:30.
    assert oa_time(local(5, 19), local(3, 2), local(4, 8)) == local(4, 20, 30)
    assert oa_time(local(5, 19), local(3, 2), local(4, 21)) is None


def test_the_weekly_goal_counts_weeks_in_a_row() -> None:
    settings: dict[str, object] = {"goal": 2}
    monday = local(7, 9).date()
    assert not count_lesson(settings, "a/1", monday)
    assert not count_lesson(settings, "a/1", monday)  # the same lesson again: once
    assert count_lesson(settings, "a/2", monday)
    assert goal_state(settings, monday) == (2, 2, 1)
    next_week = local(14, 9).date()
    assert goal_state(settings, next_week) == (2, 0, 1)
    count_lesson(settings, "a/3", next_week)
    assert count_lesson(settings, "a/4", next_week)
    assert goal_state(settings, next_week)[2] == 2
    assert goal_state(settings, local(28, 9).date()) == (2, 0, 0)  # a week missed


async def _new_learners(repository: SqlRepository, channel: str, refs: list[str]) -> list[int]:
    for ref in refs:
        await repository.create_learner(channel=channel, user_ref=ref)
    async with repository.engine.connect() as connection:
        rows = (await connection.execute(select(LEARNER.c.id, LEARNER.c.user_ref).where(
            (LEARNER.c.channel == channel) & LEARNER.c.user_ref.in_(refs)))).all()
    found = {row.user_ref: row.id for row in rows}
    return [found[ref] for ref in refs]


async def _learners_with_reminders(repository: SqlRepository, count: int, *,
                                   channel: str = "telegram", due: datetime,
                                   active: datetime) -> list[int]:
    ids = await _new_learners(repository, channel, [str(number + 1) for number in range(count)])
    async with repository.engine.begin() as connection:
        await connection.execute(update(LEARNER).where(LEARNER.c.id.in_(ids)).values(
            consented_at=active, last_active_at=active, mode="menu"))
        for learner_id in ids:
            await choose(connection, learner_id, hour=due.astimezone(VIETNAM).hour, due_at=due,
                         at=active)
    return ids


async def test_a_silent_learner_gets_daily_then_weekly_then_a_goodbye(
        repository: SqlRepository, library: Library) -> None:
    tutor = Tutor(repository=repository, library=library)
    chat = Chat(tutor, "hoa", channel="telegram")
    await chat.start(address="bac")
    course = library.courses[0]
    await chat.tap(f"l:{course.id}:{course.lessons[1].id}")
    await chat.press("Tiếp tục")  # at step 2 of the lesson
    await chat.type("/nhac_hoc")
    await chat.press("Buổi tối")
    row = await reminder_row(repository, chat)
    clock = Clock(row.due_at.replace(tzinfo=UTC) + timedelta(days=1))  # a day on, 19:00

    def run() -> ReminderRun:  # a new one each time, as after a restart
        return ReminderRun(repository, tutor.writer, clock=clock)

    assert await run().check() == 1
    assert await run().check() == 0  # once, whatever restarts
    [message] = await received(tutor, chat)
    left = len(course.lessons[1].steps) - 1
    assert message.text.startswith(f"Bác ơi, bài \"{course.lessons[1].title}\" còn {left} bước")
    assert [b.payload for b in message.flat_buttons()] == ["resume", "remindoff"]
    clock.now += timedelta(days=1, hours=3)  # due, but 22:00 (a worker that was down)
    assert await run().check() == 0
    clock.now -= timedelta(hours=3)
    sent = 1
    for _ in range(9):  # silent: a reminder each evening until a week, then weekly
        clock.now += timedelta(days=1)
        sent += await run().check()
    assert sent == 7  # the first, the 2nd-6th evenings, then the first weekly on the 7th
    assert (await reminder_row(repository, chat)).weekly
    clock.now += timedelta(days=30)
    for _ in range(6):
        clock.now += timedelta(days=7)
        await run().check()
    stopped = await reminder_row(repository, chat)
    assert stopped.status == STOPPED and stopped.due_at is None
    texts = [message.text for message in await received(tutor, chat)]
    assert "sẽ thôi nhắc" in texts[-1] and sum("thôi nhắc" in text for text in texts) == 1
    await chat.type("/nhac_hoc")
    assert "đã thôi nhắc vì lâu rồi" in chat.text()


async def test_a_blocked_learner_gets_nothing_and_coming_back_counts(
        repository: SqlRepository, library: Library) -> None:
    tutor = Tutor(repository=repository, library=library)
    chat = Chat(tutor, "5", channel="telegram")
    await chat.start()
    await chat.type("/nhac_hoc")
    await chat.press("Buổi sáng")
    due = (await reminder_row(repository, chat)).due_at.replace(tzinfo=UTC)
    clock = Clock(due + timedelta(days=1))
    # Telegram answered 403 on a send: the channel marks them (bot/channels/telegram.py).
    await tutor.set_reachable(channel="telegram", user_ref="5", reachable=False)
    assert await ReminderRun(repository, tutor.writer, clock=clock).check() == 0
    await chat.type("menu")  # back: reachable again
    clock.now += timedelta(days=1)
    assert await ReminderRun(repository, tutor.writer, clock=clock).check() == 1
    async with repository.engine.begin() as connection:  # they answer the reminder...
        await connection.execute(update(LEARNER).where(LEARNER.c.user_ref == "5")
                                 .values(last_active_at=clock.now + timedelta(hours=1)))
    clock.now += timedelta(days=1)  # ...and the next time it counts
    await ReminderRun(repository, tutor.writer, clock=clock).check()
    assert (await reminder_row(repository, chat)).returned == 1


async def test_two_workers_queue_each_due_reminder_once(
        repository: SqlRepository, library: Library) -> None:
    tutor = Tutor(repository=repository, library=library)
    due = local(10, 19)
    ids = await _learners_with_reminders(repository, 300, due=due, active=local(8, 9))
    url = repository.engine.url.render_as_string(hide_password=False)
    engines = [create_engine(url)
               for _ in range(2)]
    try:
        runs = [ReminderRun(SqlRepository(engine), tutor.writer, clock=lambda: due, batch=25)
                for engine in engines]
        counts = await asyncio.gather(*(run.check() for run in runs))
    finally:
        for engine in engines:
            await engine.dispose()
    assert sum(counts) == 300
    async with repository.engine.connect() as connection:
        per_learner = (await connection.execute(
            select(OUTBOX.c.learner_id, func.count()).group_by(OUTBOX.c.learner_id))).all()
    assert sorted(learner for learner, _ in per_learner) == sorted(ids)
    assert {count for _, count in per_learner} == {1}


async def test_replies_people_wait_for_are_taken_before_reminders(
        repository: SqlRepository) -> None:
    ids = await _new_learners(repository, "telegram", ["1", "2"])
    async with repository.engine.begin() as connection:
        for number in range(5):
            await queue(connection, ids[0], f'{{"text": "r{number}"}}', to=("telegram", "1"),
                        about=ids[0], priority=LATER)
        await queue(connection, ids[1], '{"text": "alert"}', to=("telegram", "2"),
                    about=ids[1], priority=PROMPT)
    outbox = Outbox(repository.engine, process_id="p1")
    taken = await outbox.take({"telegram"}, limit=3)
    assert [item.priority for item in taken] == [PROMPT, LATER, LATER]
    await outbox.delivered(taken[1])  # a reminder is marked sent before its send...
    await outbox.retry_later(taken[1], timedelta(0))  # ...unmarked when the send failed
    again = await Outbox(repository.engine, process_id="p2").take({"telegram"}, limit=10)
    assert taken[1].id in {item.id for item in again}


async def test_a_background_send_waits_until_live_replies_have_room() -> None:
    time = VirtualTime()
    pacer = Pacer(overall_per_second=30, chat_per_second=1, chat_burst=3, clock=time,
                  sleep=time.sleep)
    for chat in range(20):  # a burst of live replies
        await pacer.wait(chat)
    start = time()
    await pacer.wait("reminder", background=True)
    assert time() - start >= 19 / 30 - 0.001  # after the backlog, not inside the burst
    start = time()
    await pacer.wait("live")  # a live reply right after: no wait for the reminder
    assert time() - start < 0.05


async def test_the_dashboard_counts_reminders_and_returns_per_area(
        dashboard: Dashboard) -> None:  # noqa: F811
    async with dashboard.repository.engine.begin() as connection:
        rows = (await connection.execute(
            select(LEARNER.c.id, LEARNER.c.area_village, LEARNER.c.last_active_at)
            .where(LEARNER.c.area_commune == HONG_HA).order_by(LEARNER.c.id))).all()
        village = rows[0].area_village
        mine = [row for row in rows if row.area_village == village][:2]
        assert len(mine) == 2
        at = now() - timedelta(days=40)
        for row in mine:
            await choose(connection, row.id, hour=19, due_at=at, at=at)
        await connection.execute(update(REMINDER).where(REMINDER.c.learner_id == mine[0].id)
                                 .values(sent=2, last_sent_at=at))  # wrote since: came back
        await connection.execute(update(REMINDER).where(REMINDER.c.learner_id == mine[1].id)
                                 .values(sent=1, last_sent_at=now(), status=OFF))
        await connection.execute(update(LEARNER).where(LEARNER.c.id == mine[0].id)
                                 .values(last_active_at=now()))
    async with dashboard.client() as client:
        assert await sign_in(client, "phuong") == 303
        async with client.get("/admin/") as response:
            assert "Nhắc học" in await response.text()
        async with client.get("/admin/tai/nhac-hoc.csv") as response:
            table = list(csv.reader(io.StringIO((await response.read()).decode("utf-8-sig"))))
    assert table[0] == ["Địa bàn", "Người dân đang bật nhắc học", "Đã được nhắc",
                        "Quay lại học sau khi được nhắc"]
    [counted] = table[1:]
    assert counted[1:] == ["1", "2", "1"]  # one still on; both reminded; one came back
