"""One person on every app, through the Tutor on SQLite and PostgreSQL: /lien_ket, joining,
what is kept, the questions, wrong codes, /bo_lien_ket, erasure, reports and concurrency."""

import asyncio
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, insert, select, text, update
from sqlmodel import SQLModel

from bot.handlers.reach import pick
from bot.lessons.model import Library
from bot.messages import Kind, Outgoing
from bot.tutor import Tutor, UnknownLearner
from storage.certificates import CERTIFICATE
from storage.clock import now
from storage.database import create_engine, upgrade
from storage.identities import accounts
from storage.joining import JOINED, join, lock
from storage.linking import LINK_CODE, normalize
from storage.mentors import PAIRING
from storage.outbox import App, queue
from storage.reminders import REMINDER, choose, turn_off
from storage.repository import (
    ANSWER,
    IDENTITY,
    LEARNER,
    PROCESSED,
    RESULT,
    SqlRepository,
    _new_learner,
)
from storage.roster import roster_size
from storage.scope import Scope
from storage.transactions import Connection
from tests.chat import Chat
from tests.mentoring_helpers import code_in as invitation_in
from tests.mentoring_helpers import paired, pass_course, received, trained_mentor

_CODE = re.compile(r"\b([A-HJKMNP-Z2-9]{3} [A-HJKMNP-Z2-9]{3})\b")
COURSE = "lam-quen"


async def address_now(connection: Connection, person: int) -> App | None:
    """The app account a message for the person (`Writer`) goes to now."""
    found = pick(await accounts(connection, person), now())
    return found.key if found is not None else None


async def _used_last(connection: Connection, person: int) -> App | None:
    """The app the person used last: their learner row's own channel and user_ref."""
    row = (await connection.execute(select(LEARNER.c.channel, LEARNER.c.user_ref).where(
        LEARNER.c.id == person))).first()
    return (row.channel, row.user_ref) if row is not None else None


def code_in(replies: list[Outgoing]) -> str:
    """The link code a /lien_ket reply shows."""
    for reply in replies:
        found = _CODE.search(reply.text)
        if found:
            return found.group(1)
    raise AssertionError(f"no link code in {[r.text[:80] for r in replies]}")


@pytest.fixture
def tutor_on(repository: SqlRepository, library: Library) -> Tutor:
    return Tutor(repository=repository, library=library)


async def _count(tutor: Tutor, query: object) -> int:
    async with tutor.repository.engine.connect() as connection:
        return int(await connection.scalar(query))  # type: ignore[arg-type]


async def _learners(tutor: Tutor) -> int:
    return await _count(tutor, select(func.count()).select_from(LEARNER))


def test_join_knows_every_column_that_refers_to_a_learner() -> None:
    refs = {(table.name, column.name) for table in SQLModel.metadata.sorted_tables
            for column in table.columns
            if any(key.column.table.name == "learner" for key in column.foreign_keys)}
    assert refs | {("learner", "id")} == set(JOINED)


def test_codes_are_easy_to_type_and_nothing_else_is_one() -> None:
    assert normalize("k7m 4qx") == "K7M4QX" == normalize(" K7M-4QX ")
    # Words and numbers a learner types are no codes; nor are look-alikes the codes never hold.
    for typed in ("nguyen", "234567", "K7M4Q0", "K7M4QI", "K7M4QXY", "xin chào", "abcdef",
                  "TP HCM 9", "K7 M4QX", "K7M  4QX"):
        assert normalize(typed) is None, typed


async def test_a_kiosk_learner_goes_on_at_home_as_one_person(tutor_on: Tutor,
                                                             library: Library) -> None:
    kiosk = Chat(tutor_on, user="kiosk-session", channel="web")
    await kiosk.start(address="bac")
    await pass_course(kiosk, library, COURSE)
    await kiosk.tap(f"l:{COURSE}:nut-bam")  # a lesson begun at the commune office
    code = code_in(await kiosk.type("/lien_ket"))

    home = Chat(tutor_on, user="zalo-user", channel="zalo")
    # At home, before agreeing to anything: the code is the first thing typed.
    joined = await home.type(code)
    assert "Đã nối xong" in joined[-1].text and "trang web" in joined[-1].text
    assert any(b.payload == "resume" for b in joined[-1].flat_buttons())
    assert await _learners(tutor_on) == 1
    # The same person: consented, called "bác", their lessons and their place.
    replies = await home.tap("resume")
    assert "bác" in replies[-1].text.lower()
    assert await _count(tutor_on, select(func.count()).select_from(RESULT)) == len(
        library.course(COURSE).lessons)  # type: ignore[union-attr]
    async with tutor_on.repository.engine.connect() as connection:
        [person] = (await connection.execute(select(LEARNER.c.id))).scalars().all()
        apps = await accounts(connection, person)
        assert [(a.channel, a.last) for a in apps] == [("web", False), ("zalo", True)]
        assert await _used_last(connection, person) == ("zalo", "zalo-user")
    # Back at the kiosk, replies go there, and it becomes the app used last.
    await kiosk.type("/tien_do")
    async with tutor_on.repository.engine.connect() as connection:
        assert await _used_last(connection, person) == ("web", "kiosk-session")
    # The code was used once.
    again = await Chat(tutor_on, user="tg", channel="telegram").type(code)
    assert "không đúng hoặc đã hết hạn" in again[0].text
    assert await _learners(tutor_on) == 2  # the stranger, greeted and asked, not joined


async def test_two_web_chats_joined_name_the_web_once(tutor_on: Tutor) -> None:
    # The commune's desk and a phone's browser: "trang web, trang web đều được" read oddly.
    desk = Chat(tutor_on, user="desk-session", channel="web")
    await desk.start(address="bac")
    code = code_in(await desk.type("/lien_ket"))
    phone = Chat(tutor_on, user="phone-session", channel="web")
    done = (await phone.type(code))[-1].text
    assert "học tiếp trên trang web, ở máy nào cũng được" in done
    assert "trang web, trang web" not in done


async def test_joining_keeps_the_best_of_each_lesson_and_every_answer(
        tutor_on: Tutor, library: Library) -> None:
    kiosk = Chat(tutor_on, user="k", channel="web")
    home = Chat(tutor_on, user="h", channel="telegram")
    await kiosk.start()
    await home.start()
    course = library.course(COURSE)
    assert course is not None
    lesson = course.lessons[0]
    await pass_course(kiosk, library, COURSE)  # all right at the kiosk
    await home.learn(COURSE, lesson.id)  # all wrong at home, later
    for question in lesson.quiz:
        wrong = next(n for n in range(len(question.options)) if n != question.answer - 1)
        await home.press(question.options[wrong])
    answers = await _count(tutor_on, select(func.count()).select_from(ANSWER))
    code = code_in(await kiosk.type("/lien_ket"))
    assert "Đã nối xong" in (await home.type(code))[-1].text
    async with tutor_on.repository.engine.connect() as connection:
        row = (await connection.execute(select(RESULT).where(
            RESULT.c.lesson_id == lesson.id))).one()
    assert (row.best_correct, row.last_correct, row.attempts) == (len(lesson.quiz), 0, 2)
    assert row.first_correct == len(lesson.quiz)  # the kiosk's came first
    assert await _count(tutor_on, select(func.count()).select_from(ANSWER)) == answers
    assert await _count(tutor_on, select(func.count(func.distinct(ANSWER.c.learner_id)))) == 1


async def test_joining_keeps_one_reminder_schedule_the_one_that_is_on(
        tutor_on: Tutor) -> None:
    zalo = Chat(tutor_on, user="rz", channel="zalo")
    telegram = Chat(tutor_on, user="rt", channel="telegram")
    await zalo.start()
    await telegram.start()
    ids = {}
    async with tutor_on.repository.transaction() as connection:
        for chat in (zalo, telegram):
            ids[chat.channel] = await connection.scalar(select(IDENTITY.c.learner_id).where(
                IDENTITY.c.user_ref == chat.user))
        at = datetime(2026, 12, 1, 1, tzinfo=UTC)
        await choose(connection, ids["zalo"], hour=19, due_at=at, at=at)
        await choose(connection, ids["telegram"], hour=8, due_at=at, at=at)
        await turn_off(connection, ids["telegram"])  # turned off on the app kept
        for learner_id, sent in ((ids["zalo"], 3), (ids["telegram"], 2)):
            await connection.execute(update(REMINDER).where(
                REMINDER.c.learner_id == learner_id).values(sent=sent, returned=1))
    code = code_in(await zalo.type("/lien_ket"))
    assert "Đã nối xong" in (await telegram.type(code))[-1].text
    async with tutor_on.repository.engine.connect() as connection:
        rows = (await connection.execute(select(REMINDER))).all()
    assert [(row.learner_id, row.hour, row.status, row.sent, row.returned) for row in rows] == [
        (ids["telegram"], 19, "on", 5, 2)]  # the one person keeps the reminder still on


async def test_disagreements_are_asked_with_buttons(tutor_on: Tutor, library: Library) -> None:
    first, second = Chat(tutor_on, user="m1"), Chat(tutor_on, user="m2")
    kiosk = Chat(tutor_on, user="k", channel="web")
    home = Chat(tutor_on, user="h", channel="zalo")
    await paired(first, kiosk, library)
    await second.start(address="chu")  # told in their own form of address when left
    code2 = await trained_mentor(second, library, name="Lê Văn Bình")
    await home.start(address="co")
    await home.type(code2)
    await home.press("Đồng ý")
    code = code_in(await kiosk.type("/lien_ket"))
    asked = await home.type(code)
    assert "người kèm nào" in asked[-1].text
    labels = [b.label for b in asked[-1].flat_buttons()]
    assert any("Lê Văn Bình" in label for label in labels)
    assert any("Trần Minh Anh" in label for label in labels)
    # A typed word is no answer: the question again; then "2", the other app's mentor.
    assert "người kèm nào" in (await home.type("không biết"))[-1].text
    asked = await home.type("2")
    assert "gọi thế nào" in asked[-1].text  # kiosk "bạn", home "cô"
    done = await home.press("Ở ứng dụng này")
    assert "Đã nối xong" in done[-1].text and "cô" in done[-1].text.lower()
    assert await _learners(tutor_on) == 3  # two mentors and one person
    async with tutor_on.repository.engine.connect() as connection:
        active = (await connection.execute(select(PAIRING.c.mentor_id).where(
            PAIRING.c.status == "active"))).scalars().all()
        first_id = await connection.scalar(select(IDENTITY.c.learner_id).where(
            IDENTITY.c.user_ref == "m1"))
    assert active == [first_id]  # Trần Minh Anh, the kiosk's mentor, stays
    told = await received(tutor_on, second)
    [left] = [m.text for m in told if "chọn học tiếp với người kèm khác" in m.text]
    assert left.startswith("Học viên vừa nối")  # the resident gave no name: said so
    assert "Việc kèm của chú với Học viên" in left and "Cháu cảm ơn chú đã giúp đỡ ạ!" in left


async def test_wrong_codes_are_limited_and_expired_ones_refused(tutor_on: Tutor) -> None:
    kiosk = Chat(tutor_on, user="k", channel="web")
    await kiosk.start()
    code = code_in(await kiosk.type("/lien_ket"))
    async with tutor_on.repository.engine.begin() as connection:  # 15 minutes later
        await connection.execute(update(LINK_CODE).values(
            expires_at=datetime(2000, 1, 1, tzinfo=UTC)))
    home = Chat(tutor_on, user="h", channel="telegram")
    await home.start()
    assert "đã hết hạn" in (await home.type(code))[0].text
    for guess in ("ABC234", "ABC235", "ABC236", "ABC237"):
        assert "không đúng" in (await home.type(guess))[0].text
    fresh = code_in(await kiosk.type("/lien_ket"))
    # Too many wrong tries in an hour: even the right code waits, and is not used up.
    assert "chờ khoảng một tiếng" in (await home.type(fresh))[0].text
    assert await _learners(tutor_on) == 2
    async with tutor_on.repository.engine.connect() as connection:
        assert await connection.scalar(select(func.count()).select_from(LINK_CODE)) == 1
        # Only a hash is kept.
        stored = await connection.scalar(select(LINK_CODE.c.code_hash))
    assert fresh.replace(" ", "") not in stored and len(stored) == 64


async def test_wrong_link_codes_do_not_hold_up_an_invitation_code(tutor_on: Tutor,
                                                                   library: Library) -> None:
    """Found by a tester: five wrong link codes, then a mentor's real invitation code, got
    "Cô đã gõ sai mã mời nhiều lần", though no invitation code was ever typed. Each kind of
    code is counted apart, and each wait names the code that was mistyped."""
    code = await trained_mentor(Chat(tutor_on, "mentor"), library)
    resident = Chat(tutor_on, user="co", channel="telegram")
    await resident.start(address="co")
    for _ in range(5):
        assert "Mã nối này không đúng" in (await resident.type("AB2 C22"))[0].text
    assert "gõ sai mã nối nhiều lần" in (await resident.type("AB2 C22"))[0].text
    invited = (await resident.type(code))[0].text
    assert "sai mã mời" not in invited and "muốn kèm cô" in invited
    for _ in range(5):  # wrong invitation codes wait on their own
        await resident.type("KEM-AAAA-AAAA")
    assert "gõ sai mã mời nhiều lần" in (await resident.type(code))[0].text


async def _passed_at_the_kiosk_then_joined(tutor: Tutor, library: Library,
                                          channel: str) -> tuple[Chat, Chat]:
    """A learner passes the course at the kiosk, then types its link code on `channel`."""
    kiosk = Chat(tutor, user="k", channel="web")
    home = Chat(tutor, user="h", channel=channel)
    await kiosk.start()
    await pass_course(kiosk, library, COURSE)
    await home.type(code_in(await kiosk.type("/lien_ket")))
    return kiosk, home


async def test_unlinking_leaves_the_person_on_the_other_apps(tutor_on: Tutor,
                                                             library: Library) -> None:
    kiosk, home = await _passed_at_the_kiosk_then_joined(tutor_on, library, "zalo")
    asked = await kiosk.type("/bo_lien_ket")
    labels = [b.label for b in asked[-1].flat_buttons()]
    assert any("trang web (ứng dụng này)" in label for label in labels), labels
    done = await kiosk.press("Tách trang web")
    assert "Đã tách ứng dụng này" in done[-1].text
    # The kiosk is a stranger now: greeted and asked to agree again.
    greeted = await kiosk.type("chào")
    assert any(b.payload == "agree" for r in greeted for b in r.flat_buttons())
    # At home, everything stays.
    progress = await home.type("/tien_do")
    assert "chưa" not in progress[0].text.split("\n")[0]
    mine = await home.type("/bo_lien_ket")
    assert "chưa nối với ứng dụng nào khác" in mine[0].text


async def test_erasing_on_one_app_erases_the_person_on_all(tutor_on: Tutor,
                                                           library: Library) -> None:
    kiosk, home = await _passed_at_the_kiosk_then_joined(tutor_on, library, "telegram")
    data = await home.type("/du_lieu_cua_toi")
    assert "đã nối làm một: trang web, Telegram" in data[0].text
    assert "k" not in re.findall(r"\(([^)]*)\)", data[0].text)  # the web session stays secret
    await home.type("/xoa_du_lieu")
    await home.tap("eraseok")
    for table in (LEARNER, IDENTITY, RESULT, ANSWER, PROCESSED, LINK_CODE, CERTIFICATE):
        assert await _count(tutor_on, select(func.count()).select_from(table)) == 0, table
    greeted = await kiosk.type("chào")
    assert any(b.payload == "agree" for r in greeted for b in r.flat_buttons())


async def test_the_mentors_code_works_from_any_app_and_alerts_go_to_the_app_used_last(
        tutor_on: Tutor, library: Library) -> None:
    mentor_web = Chat(tutor_on, user="mw", channel="web")
    mentor_tg = Chat(tutor_on, user="mt", channel="telegram")
    await trained_mentor(mentor_web, library)
    await mentor_tg.type(code_in(await mentor_web.type("/lien_ket")))
    # Shown on Telegram now: the same mentor, the same code.
    await mentor_tg.type("/lam_nguoi_kem")
    invite = await mentor_tg.press("Mời học viên")
    resident = Chat(tutor_on, user="r", channel="zalo")
    await resident.start()
    await resident.type(invitation_in(invite))
    await resident.press("Đồng ý")
    async with tutor_on.repository.engine.connect() as connection:
        rows = (await connection.execute(text(
            "SELECT channel, user_ref, body FROM outbox WHERE sent_at IS NULL ORDER BY id"))
                ).all()
    # The web page heard that Telegram joined; the mentor's alert goes to the app they use.
    assert [(row.channel, row.user_ref) for row in rows] == [("web", "mw"), ("telegram", "mt")]
    assert "Telegram" in rows[0].body and "/bo_lien_ket" in rows[0].body


async def test_reports_count_a_joined_person_once(tutor_on: Tutor, library: Library) -> None:
    kiosk = Chat(tutor_on, user="k", channel="web")
    home = Chat(tutor_on, user="h", channel="zalo")
    await kiosk.start()
    await home.start()
    await pass_course(kiosk, library, COURSE)
    await pass_course(home, library, COURSE)
    async with tutor_on.repository.engine.connect() as connection:
        codes = set((await connection.execute(select(CERTIFICATE.c.code))).scalars())
    assert len(codes) == 2  # each account earned the course's certificate
    await home.type(code_in(await kiosk.type("/lien_ket")))
    async with tutor_on.repository.engine.connect() as connection:
        assert await roster_size(connection, Scope()) == 1
        kept = (await connection.execute(select(CERTIFICATE.c.code))).scalars().all()
    assert len(kept) == 1 and kept[0] in codes  # one a course; the other no longer verifies
    assert await tutor_on.certificate(next(iter(codes - set(kept)))) is None


async def test_both_apps_talking_during_the_join_end_as_one_person(
        tutor_on: Tutor, library: Library) -> None:
    for round_ in range(5):
        kiosk = Chat(tutor_on, user=f"k{round_}", channel="web")
        home = Chat(tutor_on, user=f"h{round_}", channel="telegram")
        await kiosk.start()
        await home.start()
        code = code_in(await kiosk.type("/lien_ket"))
        joined, kiosk_turn = await asyncio.gather(home.type(code), kiosk.type("/tien_do"))
        assert "Đã nối xong" in joined[-1].text and kiosk_turn
    assert await _learners(tutor_on) == 5
    async with tutor_on.repository.engine.connect() as connection:
        orphans = await connection.scalar(select(func.count()).select_from(IDENTITY).where(
            IDENTITY.c.learner_id.not_in(select(LEARNER.c.id))))
        per_person = (await connection.execute(select(func.count()).select_from(IDENTITY)
                                               .group_by(IDENTITY.c.learner_id))).scalars().all()
    assert orphans == 0 and per_person == [2] * 5


async def test_a_kiosk_session_left_idle_ends_while_its_person_learns_at_home(
        tutor: Tutor) -> None:
    kiosk = Chat(tutor, user="kiosk-session", channel="web")
    home = Chat(tutor, user="h", channel="zalo")
    await kiosk.start()
    await home.type(code_in(await kiosk.type("/lien_ket")))
    between = datetime.now(UTC)
    await home.type("/tien_do")  # the person goes on at home, after the kiosk's last use
    with pytest.raises(UnknownLearner):
        await tutor.handle(kiosk.incoming(Kind.TEXT, text="/tien_do"), known_only=True,
                           active_since=between)
    assert await tutor.inbox(channel="web", user_ref="kiosk-session",
                             active_since=between) == []
    assert await tutor.handle(home.incoming(Kind.TEXT, text="/tien_do"), known_only=True,
                              active_since=between)


async def test_messages_for_the_person_wait_for_the_app_used_last(tutor: Tutor) -> None:
    kiosk = Chat(tutor, user="kiosk-session", channel="web")
    home = Chat(tutor, user="h", channel="console")  # both without push: handed over
    await kiosk.start()
    await home.type(code_in(await kiosk.type("/lien_ket")))
    [notice] = await tutor.inbox(channel="web", user_ref="kiosk-session")
    assert "vừa được nối thêm" in notice.text  # the kiosk hears that an app joined
    async with tutor.repository.engine.begin() as connection:
        person = await connection.scalar(select(LEARNER.c.id))
        to = await address_now(connection, person)
        await queue(connection, person, Outgoing(text="Nhắc học").to_json(), to=to,
                    about=None)
    assert to == ("console", "h")
    assert await tutor.inbox(channel="web", user_ref="kiosk-session") == []
    [message] = await tutor.inbox(channel="console", user_ref="h")
    assert message.text == "Nhắc học"


async def test_ending_the_kiosk_session_leaves_the_person_at_home(tutor: Tutor,
                                                                  library: Library) -> None:
    kiosk = Chat(tutor, user="kiosk-session", channel="web")
    home = Chat(tutor, user="h", channel="zalo")
    await kiosk.start()
    await pass_course(kiosk, library, COURSE)
    await kiosk.type("/tien_do")  # the kiosk is the app used last when someone ends it
    await home.type(code_in(await kiosk.type("/lien_ket")))
    await kiosk.type("/tien_do")
    assert await tutor.end_session(channel="web", user_ref="kiosk-session")
    with pytest.raises(UnknownLearner):
        await tutor.handle(kiosk.incoming(Kind.TEXT, text="/tien_do"), known_only=True)
    async with tutor.repository.engine.connect() as connection:
        person = await connection.scalar(select(LEARNER.c.id))
        assert await _used_last(connection, person) == ("zalo", "h")
    assert "chưa nối với ứng dụng nào khác" in (await home.type("/bo_lien_ket"))[0].text


async def test_a_learner_row_made_without_its_identity_is_found(tutor: Tutor) -> None:
    async with tutor.repository.engine.begin() as connection:  # as a data script makes them
        await connection.execute(insert(LEARNER).values(_new_learner("web", "loaded-session")))
    replies = await tutor.handle(Chat(tutor, user="loaded-session", channel="web").incoming(
        Kind.START), known_only=True)
    assert replies and await _learners(tutor) == 1
    assert await _count(tutor, select(func.count()).select_from(IDENTITY)) == 1


async def test_a_turn_waiting_for_the_row_a_join_deletes_goes_on_as_the_joined_person(
        postgres_database: str, library: Library) -> None:
    """PostgreSQL: the kiosk's turn waits for its learner's row while the join, in the home
    app's turn, holds it and deletes it; once the join commits, it goes on as the person."""
    engine = create_engine(postgres_database)
    await upgrade(engine)
    tutor = Tutor(repository=SqlRepository(engine), library=library)
    try:
        kiosk = Chat(tutor, user="kiosk-wait", channel="web")
        home = Chat(tutor, user="home-wait", channel="zalo")
        await kiosk.start()
        await home.start()
        async with engine.connect() as connection:
            absorbed = await connection.scalar(select(IDENTITY.c.learner_id).where(
                IDENTITY.c.user_ref == "kiosk-wait"))
        async with tutor.repository.turn(channel="zalo", user_ref="home-wait",
                                         update_id=None) as turn:
            assert turn is not None and await lock(turn.connection, absorbed) is not None
            waiting = asyncio.create_task(tutor.handle(kiosk.incoming(Kind.TEXT,
                                                                      text="/tien_do")))
            async with engine.connect() as watcher:  # until the kiosk's turn waits for it
                while not await watcher.scalar(text(
                        "SELECT count(*) FROM pg_locks WHERE NOT granted")):
                    assert not waiting.done()
                    await asyncio.sleep(0.01)
            await join(turn.connection, kept=turn.learner.id, absorbed=absorbed)
        assert await waiting  # answered, as the joined person
        async with engine.connect() as connection:
            people = (await connection.execute(select(LEARNER.c.id, LEARNER.c.channel).where(
                LEARNER.c.id.in_(select(IDENTITY.c.learner_id).where(
                    IDENTITY.c.user_ref.in_(("kiosk-wait", "home-wait"))))))).all()
        assert [(row.id, row.channel) for row in people] == [(turn.learner.id, "web")]
    finally:
        await engine.dispose()
