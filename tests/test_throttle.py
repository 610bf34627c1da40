"""Flood limits: one person's flood is slowed and answered once; everyone else goes on."""

import asyncio

from bot.lessons.model import Library
from bot.messages import Outgoing
from bot.throttle import PAUSE_SECONDS, Throttle
from bot.tutor import Tutor
from storage.repository import SqlRepository
from tests.chat import Chat
from tests.fake_telegram import FakeTelegram
from tests.test_telegram import Bot, running


class Clock:
    """A clock the test moves; sleeping moves it too."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_a_person_gets_their_burst_then_one_notice_then_quiet_until_it_refills() -> None:
    clock = Clock()
    throttle = Throttle(per_user_per_minute=60, user_burst=5, clock=clock)
    assert [throttle.admit("a") for _ in range(8)] == [True] * 5 + [False, None, None]
    assert throttle.admit("b") is True  # someone else is not touched
    clock.now += 1.0  # one message a second refills one
    assert [throttle.admit("a") for _ in range(3)] == [True, False, None]


async def test_beyond_the_global_rate_messages_wait_instead_of_being_refused() -> None:
    clock = Clock()
    throttle = Throttle(per_second=20, clock=clock, sleep=clock.sleep)
    start = clock.now
    for _ in range(60):
        await throttle.wait_turn()
    assert clock.now - start >= 2.0 - 1e-6  # 20 at once, then 40 more at 20 a second


async def test_a_flood_from_one_learner_leaves_others_and_their_own_place_alone(
        sqlite_repository: SqlRepository, library: Library) -> None:
    clock = Clock()
    throttle = Throttle(per_user_per_minute=30, user_burst=10, clock=clock)
    tutor = Tutor(repository=sqlite_repository, library=library, throttle=throttle)
    flooder, other = Chat(tutor, user="flood"), Chat(tutor, user="calm")
    await flooder.start()
    before = await tutor.repository.find_learner(channel="test", user_ref="flood")
    answers = await asyncio.gather(*(flooder.type("tiến độ") for _ in range(300)))
    assert sum(1 for replies in answers if replies) <= 10 + 1
    slow = [replies for replies in answers if replies and "nhắn nhanh quá" in replies[0].text]
    assert len(slow) == 1
    course = library.courses[0]
    await other.start()
    await other.press(course.title)
    replies = await other.press(course.lessons[0].title)
    assert "Bước 1/" in replies[0].text
    after = await tutor.repository.find_learner(channel="test", user_ref="flood")
    assert before is not None and after is not None and after.place == before.place
    clock.now += 60  # a minute later, the flooder is heard again
    replies = await flooder.type("menu")
    assert "Bạn muốn làm gì" in replies[-1].text


async def test_on_telegram_a_flooding_chat_is_answered_once_and_others_are_not_held_up(
        sqlite_repository: SqlRepository, library: Library) -> None:
    # Almost no refill, so what gets through is exactly the burst, however slow the sends.
    throttle = Throttle(per_user_per_minute=0.01, user_burst=5)
    tutor = Tutor(repository=sqlite_repository, library=library, throttle=throttle)
    fake = FakeTelegram()
    await fake.start()
    try:
        async with running(fake, tutor, "polling") as (channel, _):
            flooder, calm = Bot(fake, 5550001), Bot(fake, 5550002)
            await flooder.say("/start", expect=2)  # two of the five: /start and "Tôi đồng ý"
            await flooder.press("Tôi đồng ý")
            before = len(fake.sent_to(flooder.chat))
            for number in range(300):
                last = fake.push_message(flooder.chat, "menu" if number % 2 else "tiến độ")
            sent = await calm.start()  # greeting, notice, thanks and menu, in order
            assert "Bạn muốn làm gì" in (sent[-1].text or "")
            # The other three of the burst are answered (a menu each), then one "slow down".
            await fake.wait_for_sent(len(fake.sent_to(calm.chat)) + before + 4, timeout=20)
            await fake.wait_until_confirmed(last["update_id"], timeout=20)  # all 300 taken
            await channel.drain()  # and handled
            to_flooder = [record.text or "" for record in fake.sent_to(flooder.chat)][before:]
            assert len(to_flooder) == 4 and "nhắn nhanh quá" in to_flooder[-1]
    finally:
        await fake.close()


def test_a_nervous_double_or_triple_tap_never_trips_the_limit() -> None:
    clock = Clock()
    throttle = Throttle(per_user_per_minute=60, user_burst=5, clock=clock)
    assert [throttle.admit("a") for _ in range(5)] == [True] * 5  # the burst is spent
    clock.now += 1.0
    assert [throttle.admit("a", tap=True) for _ in range(3)] == [True] * 3
    assert throttle.admit("a") is False  # typed messages get no such allowance


def test_the_first_message_after_a_pause_is_acted_on_however_slow_the_refill() -> None:
    clock = Clock()
    throttle = Throttle(per_user_per_minute=2, user_burst=3, clock=clock)
    assert [throttle.admit("a") for _ in range(5)] == [True] * 3 + [False, None]
    clock.now += PAUSE_SECONDS  # as the "slow down" answer asks: a moment, then again
    assert [throttle.admit("a") for _ in range(3)] == [True, False, None]


def _slowed(repository: SqlRepository, library: Library) -> tuple[Tutor, Clock]:
    """A tutor that lets a person send 10 at once, then 6 a minute."""
    clock = Clock()
    throttle = Throttle(per_user_per_minute=6, user_burst=10, clock=clock)
    return Tutor(repository=repository, library=library, throttle=throttle), clock


def _slow_downs(answers: list[list[Outgoing]]) -> list[list[Outgoing]]:
    return [replies for replies in answers if replies and "nhắn nhanh quá" in replies[0].text]


async def test_the_slow_down_answer_keeps_the_steps_buttons_and_the_next_turn_is_heard(
        sqlite_repository: SqlRepository, library: Library) -> None:
    tutor, clock = _slowed(sqlite_repository, library)
    chat = Chat(tutor, user="tapper")
    course = library.courses[0]
    await chat.start()
    await chat.press(course.title)
    step = await chat.press(course.lessons[0].title)
    shown = [button.payload for reply in step for button in reply.flat_buttons()]
    assert shown and "Bước 1/" in step[-1].text
    answers = [await chat.type("trợ giúp") for _ in range(12)]
    slow = _slow_downs(answers)
    assert len(slow) == 1
    help_buttons = answers[0][-1].flat_buttons()
    assert help_buttons
    assert [button.payload for button in slow[0][0].flat_buttons()] == [
        button.payload for button in help_buttons]
    clock.now += PAUSE_SECONDS
    replies = await chat.type("1")  # picks the first of the buttons that are still shown
    assert replies and "nhắn nhanh quá" not in replies[0].text


async def test_the_slow_down_answer_speaks_to_the_learner_as_they_chose(
        sqlite_repository: SqlRepository, library: Library) -> None:
    # Said without a database read, yet in the words the learner's turns use: "Bác", not
    # "Bạn", to an elder who asked to be called so.
    tutor, _ = _slowed(sqlite_repository, library)
    chat = Chat(tutor, user="elder")
    await chat.start(address="bac")
    [slow] = _slow_downs([await chat.type("trợ giúp") for _ in range(12)])
    assert slow[0].text.startswith("Bác nhắn nhanh quá, cháu chưa kịp đọc hết")
    # Someone never seen before gets the plain words.
    stranger = Chat(tutor, user="stranger")
    [slow] = _slow_downs([await stranger.type("xin chào") for _ in range(12)])
    assert slow[0].text.startswith("Bạn nhắn nhanh quá")
