"""Inactive mentees: found in storage with a controllable clock, told to the mentor once."""

from datetime import datetime, timedelta

from bot.lessons.model import Library
from bot.scheduler import InactivityWatch
from bot.tutor import Tutor
from tests.chat import Chat
from tests.mentoring_helpers import paired, received


class Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


async def test_an_idle_mentee_is_reported_once_per_quiet_stretch(tutor: Tutor,
                                                                  library: Library) -> None:
    mentor = Chat(tutor, user="m", channel="telegram")
    resident = Chat(tutor, user="r", channel="zalo")
    await paired(mentor, resident, library)
    await received(tutor, mentor)
    learner = await tutor.repository.find_learner(channel="zalo", user_ref="r")
    assert learner is not None
    clock = Clock(datetime.now().astimezone() + timedelta(days=2))

    def watch() -> InactivityWatch:  # a new one each time, as after a restart
        return InactivityWatch(tutor.repository, tutor.writer, tutor.rules, clock=clock)

    assert await watch().check() == 0  # two days: not yet (the rule is three)
    clock.now += timedelta(days=2)
    assert await watch().check() == 1
    assert await watch().check() == 0  # the same quiet stretch: never twice, even restarted
    [alert] = await received(tutor, mentor)
    assert "đã 4 ngày chưa vào học" in alert.text
    await resident.type("menu")  # back again; quiet again later: a new alert
    clock.now = datetime.now().astimezone() + timedelta(days=5)
    assert await watch().check() == 1
    assert "đã 5 ngày chưa vào học" in (await received(tutor, mentor))[0].text
