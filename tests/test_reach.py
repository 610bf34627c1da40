"""Where messages for a person on several apps go, on SQLite and PostgreSQL: to the app used
most recently that can push (not a blocked bot, not the web kiosk, not Zalo OA outside its
window, counted from that account's own last message), nowhere when no app can take them;
and every other app hears when a new one joins."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from bot.handlers.context import Told
from bot.lessons.model import Library
from bot.messages import Outgoing
from bot.scheduler import ReminderRun
from bot.tutor import Tutor
from storage.clock import now
from storage.outbox import OUTBOX, Outbox, queue
from storage.reminders import REMINDER
from storage.repository import IDENTITY, SqlRepository
from tests.chat import Chat
from tests.mentoring_helpers import paired, received
from tests.test_linking import code_in

ALWAYS = (0, 24)  # reminders at any hour: these tests are about where, not when


@pytest.fixture
def tutor_on(repository: SqlRepository, library: Library) -> Tutor:
    return Tutor(repository=repository, library=library)


async def _person(tutor: Tutor, chat: Chat) -> int:
    found = await tutor.repository.find_learner(channel=chat.channel, user_ref=chat.user)
    assert found is not None
    return found.id


async def _reminder_due(tutor: Tutor, person: int, at: datetime) -> None:
    async with tutor.repository.engine.begin() as connection:
        await connection.execute(update(REMINDER).where(REMINDER.c.learner_id == person)
                                 .values(due_at=(at - timedelta(minutes=1)).astimezone(UTC)))


async def _remind(tutor: Tutor, at: datetime) -> int:
    return await ReminderRun(tutor.repository, tutor.writer, clock=lambda: at,
                             daytime=ALWAYS).check()


async def _tell(tutor: Tutor, person: int, text: str) -> int:
    """A message for the person, as any feature writes one (the Writer), queued."""
    async with tutor.repository.engine.begin() as connection:
        letters = await tutor.writer.write(connection, [Told(person, "check_for_mentor", {
            "name": "Lan", "verdict": "no_signs", "text": text})])
        for letter in letters:
            await queue(connection, letter.learner_id, letter.message.to_json(), to=letter.to,
                        about=None)
    return len(letters)


async def _reminders_at(chat: Chat, time: str) -> None:
    """The learner asks for reminders at `time` ("Buổi sáng", "Buổi trưa", "Buổi tối")."""
    await chat.type("/nhac_hoc")
    await chat.press(time)


async def _joined(tutor: Tutor, first: Chat, second: Chat) -> int:
    """`first` shows a code, `second` types it: one person. Their notices are read."""
    await second.type(code_in(await first.type("/lien_ket")))
    await received(tutor, first)
    return await _person(tutor, second)


async def _one_person(tutor: Tutor, *, shows: Chat, types: Chat) -> int:
    """Two new learners on two apps, joined: `shows` a code, `types` it."""
    await shows.start()
    await types.start()
    return await _joined(tutor, shows, types)


async def test_a_person_who_blocked_the_bot_on_one_app_is_reached_on_another(
        tutor_on: Tutor, library: Library) -> None:
    mentor = Chat(tutor_on, user="mentor", channel="zalo")
    resident = Chat(tutor_on, user="5", channel="telegram")
    await paired(mentor, resident, library)
    home = Chat(tutor_on, user="z1", channel="zalo")
    person = await _joined(tutor_on, resident, home)
    await _reminders_at(resident, "Buổi sáng")  # Telegram: the app used last
    await mentor.type("/hoc_vien")
    await mentor.press("Nhắn động viên")
    await mentor.press("Khen và động viên")
    [before] = await received(tutor_on, resident)  # reached on Telegram while it works
    assert "người kèm" in before.text
    # Telegram answered 403: only that app is unreachable now.
    assert await tutor_on.set_reachable(channel="telegram", user_ref="5", reachable=False)
    await mentor.type("/hoc_vien")
    await mentor.press("Nhắn động viên")
    await mentor.press("Khen và động viên")
    at = now() + timedelta(hours=13)
    await _reminder_due(tutor_on, person, at)
    assert await _remind(tutor_on, at) == 1
    assert await received(tutor_on, resident) == []  # nothing more on the blocked bot
    nudge, reminder = await received(tutor_on, home)
    assert "người kèm" in nudge.text and reminder.flat_buttons()[0].payload == "resume"
    # Writing from Telegram again: reachable there, and it is the app used last again.
    await resident.type("menu")
    assert await _tell(tutor_on, person, "Bác xem lại tin này nhé") == 1
    assert len(await received(tutor_on, resident)) == 1


async def test_waiting_messages_move_when_their_app_is_blocked_and_none_is_left_gets_nothing(
        tutor_on: Tutor) -> None:
    resident = Chat(tutor_on, user="6", channel="telegram")
    home = Chat(tutor_on, user="z2", channel="zalo")
    person = await _one_person(tutor_on, shows=home, types=resident)
    await _reminders_at(resident, "Buổi tối")
    assert await _tell(tutor_on, person, "Tin thứ nhất") == 1  # for Telegram, not yet sent
    await tutor_on.set_reachable(channel="telegram", user_ref="6", reachable=False)
    [moved] = await received(tutor_on, home)  # it waits for Zalo now
    assert "Tin thứ nhất" in moved.text
    assert await _tell(tutor_on, person, "Tin chờ Zalo") == 1
    await tutor_on.set_reachable(channel="zalo", user_ref="z2", reachable=False)
    assert await _tell(tutor_on, person, "Tin thứ hai") == 0
    # Sent nowhere, but not dropped in silence: kept where staff see undelivered messages.
    kept = [text for channel in ("telegram", "zalo")
            for _, text, _ in await tutor_on.repository.failed_sends(channel=channel)]
    assert any("Tin thứ hai" in text for text in kept), kept  # never written
    assert any("Tin chờ Zalo" in text for text in kept), kept  # written, then nowhere to go
    at = now() + timedelta(hours=13)
    await _reminder_due(tutor_on, person, at)
    assert await _remind(tutor_on, at) == 0
    async with tutor_on.repository.engine.connect() as connection:
        assert await connection.scalar(select(OUTBOX.c.id).where(
            (OUTBOX.c.learner_id == person) & OUTBOX.c.sent_at.is_(None))) is None


async def test_messages_for_a_person_at_the_kiosk_go_to_their_messenger(
        tutor_on: Tutor) -> None:
    phone = Chat(tutor_on, user="7", channel="telegram")
    kiosk = Chat(tutor_on, user="kiosk-7", channel="web")
    await phone.start()
    await _reminders_at(phone, "Buổi trưa")
    await kiosk.start()
    person = await _joined(tutor_on, phone, kiosk)
    await kiosk.type("/tien_do")  # the kiosk is the app used last
    at = now() + timedelta(hours=13)
    await _reminder_due(tutor_on, person, at)
    assert await _remind(tutor_on, at) == 1
    assert await _tell(tutor_on, person, "Người kèm hỏi thăm") == 1
    replies = await kiosk.type("/tien_do")  # the kiosk's next turn hands over none of them
    assert not any("Người kèm hỏi thăm" in reply.text for reply in replies)
    assert await tutor_on.inbox(channel="web", user_ref="kiosk-7") == []
    reminder, told = await received(tutor_on, phone)
    assert reminder.flat_buttons()[-1].payload == "remindoff" and "hỏi thăm" in told.text
    # Without a messenger that can push, the kiosk keeps them for its next request, as
    # before; a reminder is not sent at all.
    await tutor_on.set_reachable(channel="telegram", user_ref="7", reachable=False)
    assert await _tell(tutor_on, person, "Chỉ còn trang web") == 1
    replies = await kiosk.type("/tien_do")
    assert "Chỉ còn trang web" in replies[0].text
    at += timedelta(days=1)
    await _reminder_due(tutor_on, person, at)
    assert await _remind(tutor_on, at) == 0


async def test_at_the_kiosk_a_person_with_a_messenger_can_choose_reminders_there(
        tutor_on: Tutor) -> None:
    kiosk = Chat(tutor_on, user="kiosk-9", channel="web")
    phone = Chat(tutor_on, user="9", channel="telegram")
    await kiosk.start()
    shown = await kiosk.type("/nhac_hoc")  # the web alone cannot remind
    assert "không gửi tin nhắc được" in shown[-1].text
    await phone.start()
    person = await _joined(tutor_on, phone, kiosk)
    shown = await kiosk.type("/nhac_hoc")  # joined to Telegram: the times are offered
    assert "không gửi tin nhắc được" not in shown[-1].text
    await kiosk.press("Buổi sáng")
    at = now() + timedelta(hours=13)
    await _reminder_due(tutor_on, person, at)
    assert await _remind(tutor_on, at) == 1
    [reminder] = await received(tutor_on, phone)
    assert reminder.flat_buttons()[0].payload == "resume"


async def test_zalo_oas_window_counts_from_that_accounts_own_last_message(
        tutor_on: Tutor) -> None:
    follower = Chat(tutor_on, user="oa-8", channel="zalo_oa")
    phone = Chat(tutor_on, user="8", channel="telegram")
    await follower.start()
    await _reminders_at(follower, "Buổi tối")
    person = await _joined(tutor_on, follower, phone)
    async with tutor_on.repository.engine.begin() as connection:  # OA: three days ago
        await connection.execute(update(IDENTITY).where(IDENTITY.c.user_ref == "oa-8")
                                 .values(last_used_at=now() - timedelta(days=3)))
    await phone.type("/bo_lien_ket")  # Telegram, used just now, is separated
    await phone.press("Tách Telegram")
    # Only Zalo OA is left, and its window closed long ago: Telegram's message today opens
    # nothing there.
    at = now() + timedelta(hours=13)
    await _reminder_due(tutor_on, person, at)
    assert await _remind(tutor_on, at) == 0
    assert await _tell(tutor_on, person, "Ngoài khung 48 giờ") == 0
    await follower.type("menu")  # they write on OA: its window is open again
    at += timedelta(days=1)
    await _reminder_due(tutor_on, person, at)
    assert await _remind(tutor_on, at) == 1
    [reminder] = await received(tutor_on, follower)
    assert reminder.flat_buttons()[-1].payload == "remindoff"
    async with tutor_on.repository.engine.connect() as connection:
        due = (await connection.scalar(select(REMINDER.c.due_at).where(
            REMINDER.c.learner_id == person))).replace(tzinfo=UTC)
    assert due <= now() + timedelta(hours=48)  # the next one inside that window


async def test_the_other_apps_hear_when_one_joins(tutor_on: Tutor) -> None:
    phone = Chat(tutor_on, user="9", channel="telegram")
    kiosk = Chat(tutor_on, user="kiosk-9", channel="web")
    await phone.start(address="bac")
    await kiosk.start(address="bac")  # the same: nothing to ask when joining
    await kiosk.type(code_in(await phone.type("/lien_ket")))
    [notice] = await received(tutor_on, phone)
    assert notice.text.startswith("🔔 Tài khoản Học Số của bác vừa được nối thêm với trang web")
    assert "Nếu không phải bác làm việc này, bác gõ /bo_lien_ket" in notice.text
    assert [b.payload for b in notice.flat_buttons()] == ["unlink"]
    assert await received(tutor_on, kiosk) == []  # the app that typed the code is told there
    # A third app: both others hear of it, in the person's language.
    await phone.tap("lg:en")
    zalo = Chat(tutor_on, user="z9", channel="zalo")
    await zalo.type(code_in(await kiosk.type("/lien_ket")))
    [on_phone] = await received(tutor_on, phone)
    [on_kiosk] = await received(tutor_on, kiosk)
    assert on_phone.text == on_kiosk.text
    assert "linked with Zalo" in on_phone.text and "/unlink" in on_phone.text
    assert await received(tutor_on, zalo) == []


async def test_an_app_separated_gets_nothing_that_waited_for_the_person(
        tutor_on: Tutor) -> None:
    phone = Chat(tutor_on, user="10", channel="telegram")
    home = Chat(tutor_on, user="z10", channel="zalo")
    person = await _one_person(tutor_on, shows=home, types=phone)
    assert await _tell(tutor_on, person, "Riêng cho người học") == 1  # waits for Telegram
    await home.type("/bo_lien_ket")
    await home.press("Tách Telegram")
    # Telegram is someone else's now: what waited goes to Zalo, and no worker sends there.
    assert await Outbox(tutor_on.repository.engine, process_id="w").take({"telegram"}) == []
    [moved] = await received(tutor_on, home)
    assert "Riêng cho người học" in moved.text
    async with tutor_on.repository.engine.begin() as connection:  # even one left behind
        await queue(connection, person, Outgoing("Cũ").to_json(), to=("telegram", "10"),
                    about=None)
    assert await Outbox(tutor_on.repository.engine, process_id="w").take({"telegram"}) == []


async def test_what_waited_on_the_web_goes_to_zalo_oa_once_its_window_opens_again(
        tutor_on: Tutor) -> None:
    follower = Chat(tutor_on, user="oa-11", channel="zalo_oa")
    web = Chat(tutor_on, user="home-web-11", channel="web")
    person = await _one_person(tutor_on, shows=follower, types=web)
    async with tutor_on.repository.engine.begin() as connection:  # quiet for three days
        await connection.execute(update(IDENTITY).where(IDENTITY.c.learner_id == person)
                                 .values(last_used_at=now() - timedelta(days=3)))
    assert await _tell(tutor_on, person, "Tin của người kèm") == 1  # waits on the web
    await follower.type("menu")  # writing on Zalo OA opens its window again
    [moved] = await received(tutor_on, follower)
    assert "Tin của người kèm" in moved.text


async def test_a_message_held_while_its_app_was_separated_goes_to_another_app(
        tutor_on: Tutor) -> None:
    phone = Chat(tutor_on, user="12", channel="telegram")
    home = Chat(tutor_on, user="z12", channel="zalo")
    person = await _one_person(tutor_on, shows=home, types=phone)
    assert await _tell(tutor_on, person, "Riêng cho người học") == 1
    worker = Outbox(tutor_on.repository.engine, process_id="worker")
    [held] = await worker.take({"telegram"})  # being sent to Telegram...
    await home.type("/bo_lien_ket")  # ...when Telegram is separated
    await home.press("Tách Telegram")
    await worker.retry_later(held, timedelta(0))  # and its send failed
    assert await worker.take({"telegram"}) == []  # the separated app never gets it
    assert await tutor_on.readdress() == 1
    [moved] = await received(tutor_on, home)
    assert "Riêng cho người học" in moved.text
    assert await tutor_on.readdress() == 0
