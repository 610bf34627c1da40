"""The Pacer keeps to per-chat and overall rates, with bursts, on a controlled clock."""

from bot.channels.pacing import Pacer


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_chat_gets_a_burst_then_one_per_second() -> None:
    clock = Clock()
    pacer = Pacer(overall_per_second=30, chat_per_second=1, chat_burst=3, clock=clock)
    delays = [pacer.reserve("a") for _ in range(5)]
    assert delays[:3] == [0, 0, 0]
    assert delays[3] == 1.0 and delays[4] == 2.0
    assert pacer.reserve("b") == 0  # another chat is not held up
    clock.now += 10
    assert pacer.reserve("a") == 0


def test_the_overall_rate_holds_across_chats() -> None:
    clock = Clock()
    pacer = Pacer(overall_per_second=30, chat_per_second=1, chat_burst=1, clock=clock)
    delays = [pacer.reserve(chat) for chat in range(60)]
    assert delays[:30] == [0] * 30
    assert abs(delays[59] - 30 / 30) < 1e-9  # the 60th send waits one second in all


def test_idle_chats_are_forgotten() -> None:
    clock = Clock()
    pacer = Pacer(overall_per_second=1e6, chat_per_second=1, chat_burst=1, clock=clock)
    pacer.MAX_IDLE_CHATS = 10
    for chat in range(10):
        pacer.reserve(chat)
    clock.now += 5
    pacer.reserve("new")
    assert len(pacer._chats) == 1


def test_a_pause_holds_every_chat_then_lets_a_burst_go() -> None:
    clock = Clock()
    pacer = Pacer(overall_per_second=30, chat_per_second=1, chat_burst=3, clock=clock)
    assert pacer.reserve("a") == 0
    pacer.pause(2.5)  # a 429 with retry_after 2.5 for one chat
    assert abs(pacer.reserve("b") - 2.5) < 1e-9  # another chat waits as long
    clock.now += 2.5
    assert pacer.reserve("c") < 0.1  # then sending resumes


async def test_waiting_sleeps_as_long_as_the_slot_asks() -> None:
    clock = Clock()
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock.now += seconds

    pacer = Pacer(overall_per_second=30, chat_per_second=1, chat_burst=2, clock=clock,
                  sleep=sleep)
    for _ in range(4):
        await pacer.wait("a")
    assert slept == [1.0, 1.0]  # two at once, then one a second
