"""Mentoring through the tutor: two people, consent, codes, capacity, access, nudges, alerts."""

import asyncio
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from bot.handlers.invitations import ALPHABET, new_code, normalize
from bot.handlers.places import VIETNAM, days_ago, local_date
from bot.handlers.rules import InviteLinks, MentoringRules
from bot.lessons.model import Library
from bot.messages import Kind
from bot.tutor import Tutor
from storage.database import create_engine
from storage.mentoring import ALERT, CHECK_IN
from storage.mentors import INVITATION, MENTOR, PAIRING, approve_mentor
from storage.outbox import OUTBOX
from storage.repository import LEARNER, SqlRepository, now
from tests.chat import Chat, answer_quiz
from tests.mentoring_helpers import (
    code_in,
    paired,
    pass_course,
    received,
    register,
    trained_mentor,
    write_check_in,
    writing_a_nudge,
)
from tests.server import hocso_here


@pytest.fixture
def people(tutor: Tutor) -> tuple[Chat, Chat]:
    """A volunteer on Telegram and a resident on Zalo, talking to the same tutor."""
    return Chat(tutor, user="mentor", channel="telegram"), Chat(tutor, user="ba-lan",
                                                                channel="zalo")


async def test_a_volunteer_must_pass_the_mentor_course_before_inviting(
        tutor: Tutor, library: Library, people: tuple[Chat, Chat]) -> None:
    mentor, _ = people
    await register(mentor)
    assert "Khóa cho người kèm" in mentor.text() and "Bắt đầu học" in str(mentor.last)
    for command in ("/hoc_vien", "Mời học viên"):  # not yet: the course comes first
        replies = await (mentor.type(command) if command.startswith("/") else mentor.tap("invite"))
        assert "Khóa cho người kèm" in replies[0].text, command
    await pass_course(mentor, library)
    assert "Chúc mừng bạn Trần Minh Anh" in mentor.text()
    replies = await mentor.press("Mời học viên")
    assert code_in(replies).startswith("KEM-") and "Mã dùng được đến hết ngày" in replies[0].text


async def test_a_resident_sees_who_invites_them_and_what_they_will_see(
        tutor: Tutor, library: Library, people: tuple[Chat, Chat]) -> None:
    mentor, resident = people
    code = await trained_mentor(mentor, library)
    await resident.start()
    consent = (await resident.type(code.lower().replace("-", " ")))[0]  # typed loosely
    assert "Trần Minh Anh" in consent.text and "Phường Hồng Hà" in consent.text
    assert "không thấy số điện thoại" in consent.text
    await resident.press("Đồng ý")
    assert "Từ giờ bạn thanh niên Anh (Trần Minh Anh) sẽ kèm bạn học. 🤝" in resident.text()
    [joined] = await received(tutor, mentor)
    assert "đã đồng ý để bạn kèm" in joined.text


async def test_declining_gives_the_mentor_nothing(tutor: Tutor, library: Library,
                                                  people: tuple[Chat, Chat]) -> None:
    mentor, resident = people
    code = await trained_mentor(mentor, library)
    await resident.start()
    await resident.type(code)
    await resident.press("Không đồng ý")
    assert "không thấy gì" in resident.text()
    replies = await mentor.type("/hoc_vien")
    assert "chưa kèm ai" in replies[0].text
    assert await received(tutor, mentor) == []


async def test_the_mentor_sees_progress_and_is_told_of_a_finished_lesson(
        tutor: Tutor, library: Library, people: tuple[Chat, Chat]) -> None:
    mentor, resident = people
    await paired(mentor, resident, library)
    await received(tutor, mentor)
    course = library.courses[0]
    lesson = course.lessons[0]
    await resident.learn(course.id, lesson.id)
    wrong = lesson.quiz[0].answer % len(lesson.quiz[0].options) + 1
    await resident.press(lesson.quiz[0].options[wrong - 1])
    for question in lesson.quiz[1:]:
        await resident.press(question.options[question.answer - 1])
    [alert] = await received(tutor, mentor)
    total = len(lesson.quiz)
    assert f'học xong bài "{lesson.title}"' in alert.text and f"{total - 1}/{total}" in alert.text
    cards = await mentor.type("/hoc_vien")
    assert f"{lesson.title}: đúng {total - 1}/{total}" in cards[0].text
    assert resident.read(lesson.quiz[0].question) in cards[0].text  # the one they got wrong
    assert "Lần học gần nhất: hôm nay" in cards[0].text
    await resident.learn(course.id, lesson.id)  # the same lesson again: no new alert
    await answer_quiz(resident, lesson)
    assert await received(tutor, mentor) == []


async def test_a_quiz_not_passed_is_not_celebrated_to_the_mentor(
        tutor: Tutor, library: Library, people: tuple[Chat, Chat]) -> None:
    """Found by a tester: "🎉 Tư vừa học xong bài '…': đúng 1/4 câu." for a quiz failed."""
    mentor, resident = people
    await paired(mentor, resident, library)
    await received(tutor, mentor)
    course = library.courses[0]
    lesson = course.lessons[0]
    total = len(lesson.quiz)
    await resident.learn(course.id, lesson.id)
    await resident.press(lesson.quiz[0].options[lesson.quiz[0].answer - 1])
    for question in lesson.quiz[1:]:
        await resident.press(question.options[question.answer % len(question.options)])
    # Not yet: the retake offered at once may pass (one alert for two tries, below).
    assert await received(tutor, mentor) == [] and total > 1
    await resident.tap(f"q:{course.id}:{lesson.id}")  # passed on the retake: now it is news
    await answer_quiz(resident, lesson)
    [alert] = await received(tutor, mentor)
    assert alert.text.startswith("🎉") and f'học xong bài "{lesson.title}"' in alert.text


async def test_two_failed_tries_are_reported_once(tutor: Tutor, library: Library,
                                                  people: tuple[Chat, Chat]) -> None:
    mentor, resident = people
    await paired(mentor, resident, library)
    await received(tutor, mentor)  # "đã đồng ý để bạn kèm"
    course = library.courses[0]
    lesson = course.lessons[0]
    alerts = []
    for _ in range(3):
        await resident.learn(course.id, lesson.id)
        await answer_quiz(resident, lesson, right=False)
        alerts += [reply.text for reply in await received(tutor, mentor)]
    # Found in a try-out: "lần này chưa đạt" after the first, then "hai lần" a minute later.
    [failed] = alerts
    assert "hai lần mà chưa đạt" in failed and "gọi hỏi thăm" in failed  # they met: a code


async def test_a_resident_has_one_mentor_and_a_mentor_a_capacity(
        tutor: Tutor, library: Library, people: tuple[Chat, Chat]) -> None:
    mentor, resident = people
    code = await paired(mentor, resident, library)
    other = Chat(tutor, user="other-mentor", channel="web")
    other_code = await trained_mentor(other, library, name="Lê Văn Bình")
    replies = await resident.type(other_code)
    assert "đang có người kèm là Trần Minh Anh" in replies[0].text
    neighbour = Chat(tutor, user="ong-tu", channel="zalo")
    await neighbour.start()
    replies = await neighbour.type(code)  # capacity 1, already taken
    assert "đã kèm đủ số người" in replies[0].text


async def test_a_larger_capacity_lets_a_mentor_take_more(
        sqlite_repository: SqlRepository, library: Library) -> None:
    tutor = Tutor(repository=sqlite_repository, library=library,
                  rules=MentoringRules(capacity=2))
    mentor = Chat(tutor, user="m", channel="telegram")
    code = await trained_mentor(mentor, library)
    for name in ("a", "b"):
        resident = Chat(tutor, user=name, channel="zalo")
        await resident.start()
        await resident.type(code)
        await resident.press("Đồng ý")
        assert "sẽ kèm bạn học" in resident.text()
    third = Chat(tutor, user="c", channel="zalo")
    await third.start()
    assert "đã kèm đủ số người" in (await third.type(code))[0].text


async def test_wrong_expired_and_revoked_codes_and_too_many_guesses(
        tutor: Tutor, library: Library, people: tuple[Chat, Chat]) -> None:
    mentor, resident = people
    code = await trained_mentor(mentor, library)
    await mentor.press("Thu hồi mã mời")
    await resident.start()
    assert "không đúng hoặc đã hết hạn" in (await resident.type(code))[0].text
    fresh = code_in(await mentor.press("Tạo mã mời mới"))
    async with tutor.repository.engine.begin() as connection:
        await connection.execute(update(INVITATION).where(INVITATION.c.code == fresh)
                                 .values(expires_at=now() - timedelta(minutes=1)))
    assert "không đúng hoặc đã hết hạn" in (await resident.type(fresh))[0].text
    for guess in ("KEM-AAAA", "KEM-BBBB", "KEM-CCCC"):
        await resident.type(guess)
    newest = code_in(await mentor.press("Tạo mã mời mới"))
    replies = await resident.type(newest)  # even a right code waits after five wrong ones
    assert "sai mã mời nhiều lần" in replies[0].text


@pytest.mark.parametrize("verb", ["help", "end", "endok", "nudge", "say", "write", "log", "met",
                                  "stop", "stopok", "ok", "no", "take", "skip", "zz"])
async def test_forged_payloads_reach_nobody_elses_data(tutor: Tutor, library: Library,
                                                       people: tuple[Chat, Chat],
                                                       verb: str) -> None:
    mentor, resident = people
    await paired(mentor, resident, library)
    async with tutor.repository.engine.connect() as connection:
        pairing_id = (await connection.execute(select(PAIRING.c.id))).scalar_one()
    await received(tutor, mentor)
    stranger = Chat(tutor, user="stranger", channel="web")
    await stranger.start()
    for who in (stranger, mentor if verb in ("help", "end", "endok", "ok", "no") else resident):
        replies = await who.tap(f"k:{verb}:{pairing_id}:1" if verb == "say"
                                else f"k:{verb}:{pairing_id}")
        assert "ở tin nhắn cũ nên không bấm được nữa" in replies[0].text, (who.user, verb)
        assert "Bà" not in "".join(r.text for r in replies)
    assert await received(tutor, mentor) == [] and await received(tutor, resident) == []
    async with tutor.repository.engine.connect() as connection:
        status = (await connection.execute(select(PAIRING.c.status))).scalar_one()
    assert status == "active"


async def test_ending_removes_the_mentors_access_at_once(tutor: Tutor, library: Library,
                                                         people: tuple[Chat, Chat]) -> None:
    mentor, resident = people
    await paired(mentor, resident, library)
    cards = await mentor.type("/hoc_vien")
    nudge = mentor.payload_of("Nhắn động viên")
    await resident.type("/nguoi_kem")
    await resident.press("Kết thúc kèm")
    await resident.press("Có, kết thúc kèm")
    assert "Đã kết thúc kèm với Trần Minh Anh" in resident.text()
    assert cards
    assert "ở tin nhắn cũ nên không bấm được nữa" in (await mentor.tap(nudge))[0].text
    assert "chưa kèm ai" in (await mentor.type("/hoc_vien"))[0].text
    texts = [reply.text for reply in await received(tutor, mentor)]
    assert any("đã kết thúc việc kèm" in text for text in texts)


async def test_nudges_are_relayed_as_words_never_run(tutor: Tutor, library: Library,
                                                     people: tuple[Chat, Chat]) -> None:
    mentor, resident = people
    await paired(mentor, resident, library)
    await mentor.type("/hoc_vien")
    await mentor.press("Nhắn động viên")
    await mentor.press("Khen và động viên")
    await mentor.press("Học viên của tôi")
    await mentor.press("Nhắn động viên")
    await mentor.press("Tự viết lời nhắn")
    await mentor.type("Mai 8 giờ gặp ở nhà văn hóa {{ 7 * 7 }} nhé")
    assert "Đã gửi lời nhắn" in mentor.text()
    template, typed = await received(tutor, resident)
    assert "Trần Minh Anh (người kèm) gửi lời khen" in template.text
    assert "Mai 8 giờ gặp ở nhà văn hóa {{ 7 * 7 }} nhé" in typed.text and "49" not in typed.text
    assert typed.flat_buttons()[0].payload == "resume"


async def test_a_mentors_messages_carry_no_link_and_at_most_three_a_day(
        tutor: Tutor, library: Library, people: tuple[Chat, Chat]) -> None:
    # Anyone who passes the mentor course may pair: four "Nhắc học tiếp" in a row all
    # arrived, and a link went out under Học Số's name.
    mentor, resident = people
    await writing_a_nudge(tutor, library, mentor, resident)
    await mentor.type("Bác vào bit.ly/abc123 để cập nhật nhé, hoặc Zalo cháu 0912345678")
    assert "không gửi đường link" in mentor.text() and "gõ lời nhắn" in mentor.text()
    # However written: "。" is a dot to a browser, letters spaced out, a phone number spaced.
    for typed in ("Bác vào vneid-capnhat。com nhé", "Bác vào v n e i d - g o v . c o m nhé",
                  "Bác cài vneid[.]apk nhé",
                  "Bac goi ngay cho chau so 0912 345 678 de cai VNeID ban moi"):
        await mentor.type(typed)
        assert "không gửi đường link hay số điện thoại" in mentor.text(), typed
    assert await received(tutor, resident) == []
    await mentor.type("Mai 9 giờ cháu qua nhà chỉ bác bài 2 nhé")  # asked again: no link now
    assert "Đã gửi lời nhắn" in mentor.text()
    for _ in range(2):  # the 2nd and 3rd
        await mentor.press("Học viên của tôi")
        await mentor.press("Nhắn động viên")
        await mentor.press("Khen và động viên")
        assert "Đã gửi lời nhắn" in mentor.text()
    await mentor.press("Học viên của tôi")
    await mentor.press("Nhắn động viên")  # said at once: no choice, nothing typed for nothing
    # Any 24 hours, not the calendar day: three sent last evening still count this morning.
    assert "tối đa 3 lời nhắn trong 24 giờ" in mentor.text() and "Hôm nay" not in mentor.text()
    assert "Khen và động viên" not in " ".join(
        button.label for reply in mentor.last for button in reply.flat_buttons())
    assert len(await received(tutor, resident)) == 3


async def test_two_sentences_without_a_space_are_no_link(
        tutor: Tutor, library: Library, people: tuple[Chat, Chat]) -> None:
    # Folded, "chưa.Có" is "chua.co", a name under .co: the mentor was refused a link.
    mentor, resident = people
    await writing_a_nudge(tutor, library, mentor, resident)
    await mentor.type("Bác học xong bài chưa.Có gì bác hỏi cháu nhé")
    assert "Đã gửi lời nhắn" in mentor.text() and "không gửi đường link" not in mentor.text()
    (typed,) = await received(tutor, resident)
    assert "Bác học xong bài chưa.Có gì bác hỏi cháu nhé" in typed.text


async def test_a_check_in_is_logged_with_its_kind_day_and_note(
        tutor: Tutor, library: Library, people: tuple[Chat, Chat]) -> None:
    mentor, resident = people
    await paired(mentor, resident, library)
    await mentor.type("/hoc_vien")
    await mentor.press("Ghi buổi kèm")
    await mentor.press("Gọi điện")
    await mentor.press("Hôm qua")
    # Found in a try-out: a resident's own data (/du_lieu_cua_toi) shows the notes about them.
    assert "đọc được ghi chú này" in mentor.text() and "/du_lieu_cua_toi" in mentor.text()
    await mentor.type("Đã cài VNeID, cần ôn lại mã QR")
    assert "gọi điện" in mentor.text() and "1 buổi" in mentor.text()
    async with tutor.repository.engine.connect() as connection:
        row = (await connection.execute(select(CHECK_IN))).one()
    yesterday = local_date() - timedelta(days=1)  # in Vietnam, whatever the server's zone
    assert (row.kind, row.met_on, row.note) == ("dien-thoai", yesterday,
                                                "Đã cài VNeID, cần ôn lại mã QR")
    await write_check_in(mentor, "Gặp trực tiếp", "Hôm nay", None)
    assert "gặp trực tiếp" in mentor.text() and "2 buổi" in mentor.text()


async def test_a_residents_password_is_never_written_in_a_note_or_a_nudge(
        tutor: Tutor, library: Library, people: tuple[Chat, Chat]) -> None:
    """Found by someone trying Học Số: a check-in note kept "Mật khẩu của bác là 123456, OTP
    998877" as typed, and the mentor was not told that such codes are never written down."""
    mentor, resident = people
    await paired(mentor, resident, library)
    await received(tutor, resident)
    await write_check_in(mentor, "Gặp trực tiếp", "Hôm nay",
                         "Mật khẩu của bác là 123456, OTP 998877")
    said = mentor.text()
    assert "Ghi chú của bạn hình như có mật khẩu hoặc mã số riêng" in said
    assert "đã che đi (••••) trước khi lưu" in said and "đừng bao giờ ghi lại" in said
    assert "1 buổi" in said  # the check-in itself is kept
    async with tutor.repository.engine.connect() as connection:
        row = (await connection.execute(select(CHECK_IN))).one()
    assert row.note == "Mật khẩu của bác là ••••, OTP ••••"
    await mentor.type("/hoc_vien")
    await mentor.press("Nhắn động viên")
    await mentor.press("Tự viết lời nhắn")
    await mentor.type("Bác nhớ mk vneid là Lan@1960 nhé")
    assert "Lời nhắn của bạn hình như có mật khẩu" in mentor.text()
    assert "trước khi gửi" in mentor.text()
    [typed] = await received(tutor, resident)
    assert "Bác nhớ mk vneid là •••• nhé" in typed.text and "1960" not in typed.text


async def test_a_residents_phone_number_is_never_kept_in_a_note(
        tutor: Tutor, library: Library, people: tuple[Chat, Chat]) -> None:
    """Found by someone trying Học Số: a note kept "SĐT bác 0987654321" while residents are
    told "Người kèm không thấy số điện thoại"."""
    mentor, resident = people
    await paired(mentor, resident, library)
    await received(tutor, resident)
    await write_check_in(mentor, "Gặp trực tiếp", "Hôm nay", "Bác học tốt. SĐT bác 0987654321, "
                         "CCCD 001234567890, mật khẩu vneid là Abc@1234")
    said = mentor.text()
    assert "Ghi chú của bạn có số điện thoại, nên Học Số đã che số đó" in said
    assert "hình như có mật khẩu" in said and "1 buổi" in said
    async with tutor.repository.engine.connect() as connection:
        row = (await connection.execute(select(CHECK_IN))).one()
    assert row.note == "Bác học tốt. SĐT bác ••••, CCCD ••••, mật khẩu vneid là ••••"
    await write_check_in(mentor, "Gọi điện", "Hôm nay",
                         "Bác đã cài VNeID mức 2, hẹn 9 giờ sáng mai")  # no number to hide
    assert "số điện thoại" not in mentor.text() and "2 buổi" in mentor.text()


async def test_help_tells_the_mentor_where_the_resident_is(tutor: Tutor, library: Library,
                                                           people: tuple[Chat, Chat]) -> None:
    mentor, resident = people
    await paired(mentor, resident, library)
    await received(tutor, mentor)
    course = library.courses[0]
    lesson = course.lessons[0]
    await resident.tap(f"l:{course.id}:{lesson.id}")
    await resident.press("Tiếp tục")
    await resident.type("/nguoi_kem")
    await resident.press("Tôi cần giúp đỡ")
    assert "Học Số đã báo cho người kèm Trần Minh Anh" in resident.text()
    assert "Khi gặp hoặc gọi điện" in resident.text()  # a code is handed over in person
    [help_request] = await received(tutor, mentor)
    assert f'bài "{lesson.title}"' in help_request.text and "liên lạc sớm" in help_request.text
    assert f"bước 2/{len(lesson.steps)}" in help_request.text


async def test_a_double_tap_on_help_tells_the_mentor_once(repository: SqlRepository,
                                                          library: Library) -> None:
    """Found by someone trying Học Số: two taps on "Tôi cần giúp đỡ" sent two alerts."""
    tutor = Tutor(repository=repository, library=library)
    mentor, resident = Chat(tutor, user="m", channel="telegram"), Chat(tutor, user="r")
    await paired(mentor, resident, library)
    await received(tutor, mentor)
    await resident.type("/nguoi_kem")
    button = resident.payload_of("Tôi cần giúp đỡ")
    await resident.tap(button)
    await resident.tap(button)  # the same button, a moment later
    assert "vừa báo cho người kèm Trần Minh Anh cách đây ít phút rồi" in resident.text()
    assert len(await received(tutor, mentor)) == 1
    async with tutor.repository.engine.begin() as connection:  # ten minutes later
        await connection.execute(update(ALERT).values(
            created_at=ALERT.c.created_at - timedelta(minutes=11)))
    await resident.type("/nguoi_kem")
    await resident.press("Tôi cần giúp đỡ")
    assert "Học Số đã báo cho người kèm Trần Minh Anh" in resident.text()
    assert len(await received(tutor, mentor)) == 1


async def test_a_resident_can_ask_for_a_mentor_of_their_ward(tutor: Tutor, library: Library,
                                                             people: tuple[Chat, Chat]) -> None:
    mentor, resident = people
    await trained_mentor(mentor, library)
    far = Chat(tutor, user="far", channel="web")
    await trained_mentor(far, library, name="Lê Văn Bình", ward="Xã Tân Lập")
    await received(tutor, mentor)
    await resident.start()
    await resident.type("/tim_nguoi_kem")
    await resident.type("hong ha")  # no diacritics, no "phường"
    assert "đã nhờ một người kèm ở Phường Hồng Hà" in resident.text()  # the official name
    [request] = await received(tutor, mentor)
    assert await received(tutor, far) == []
    take = next(b.payload for b in request.flat_buttons() if "Nhận kèm" in b.label)
    await mentor.tap(take)
    assert "Bạn đã nhận kèm" in mentor.text()
    [accepted] = await received(tutor, resident)
    assert "Bạn thanh niên Anh (Trần Minh Anh) đã nhận kèm bạn học" in accepted.text
    # Found in a try-out: a pair matched here has no way to reach each other (phone numbers
    # never pass through Học Số), yet both were told "Khi gặp hoặc gọi điện", "liên lạc sớm".
    await resident.type("/nguoi_kem")
    await resident.press("Tôi cần giúp đỡ")
    assert "gọi điện" not in resident.text()
    assert "hẹn gặp bạn qua Đoàn Thanh niên phường, xã để chỉ lại" in resident.text()
    [help_asked] = await received(tutor, mentor)
    assert "liên lạc sớm" not in help_asked.text
    assert "bạn nhắn động viên, hoặc hẹn gặp qua Đoàn Thanh niên phường, xã để chỉ lại nhé" \
        in help_asked.text


@pytest.mark.parametrize("typed", ["Phúc Xá cũ", "phường Phúc Xá, quận Ba Đình, Hà Nội",
                                   "Hồng Hà, quận Hoàn Kiếm"])
async def test_a_mentor_s_ward_is_found_by_its_old_name_as_a_resident_s_is(
        tutor: Tutor, people: tuple[Chat, Chat], typed: str) -> None:
    # Residents' place question knows the wards before 1/7/2025 (`formerly:`); the mentor's
    # own ward kept "Phúc Xá cũ" as typed, so no resident of Hồng Hà ever found that mentor.
    mentor, _ = people
    await register(mentor, ward=typed)
    async with tutor.repository.engine.connect() as connection:
        ward = await connection.scalar(select(MENTOR.c.ward))
    assert ward == "Phường Hồng Hà"


@pytest.mark.parametrize("typed,kept", [
    ("Chương Dương, quận Hoàn Kiếm", "Phường Hồng Hà"),  # not today's Xã Chương Dương
    ("Thanh Trì, quận Hoàng Mai", "Thanh Trì, quận Hoàng Mai")])  # split: kept as typed
async def test_an_old_address_is_never_today_s_namesake_of_another_kind(
        tutor: Tutor, people: tuple[Chat, Chat], typed: str, kept: str) -> None:
    """Found by a review: the district typed was dropped and today's commune of the same
    name taken, so no resident of the ward ever found that mentor. A quận held phường only."""
    mentor, _ = people
    await register(mentor, ward=typed)
    async with tutor.repository.engine.connect() as connection:
        ward = await connection.scalar(select(MENTOR.c.ward))
    assert ward == kept


async def test_an_old_district_as_a_ward_asks_which_commune_now(
        tutor: Tutor, people: tuple[Chat, Chat]) -> None:
    """Found by a review: "huyện Gia Lâm" at "Tìm người kèm" or as a mentor's ward was kept as
    typed with no place and no question, unlike the place question, which asks."""
    mentor, resident = people
    await mentor.start()
    await mentor.type("/lam_nguoi_kem")
    await mentor.type("Trần Minh Anh")
    await mentor.type("huyện Gia Lâm")
    assert "Huyện Gia Lâm cũ nay đã được chia ra nhiều xã, phường mới" in mentor.text()
    assert "sẽ kèm người dân ở xã, phường nào" in mentor.text()
    async with tutor.repository.engine.connect() as connection:
        assert await connection.scalar(select(MENTOR.c.ward)) in (None, "")
    await mentor.type("Dương Xá")  # an old xã, all of it in Xã Gia Lâm now
    async with tutor.repository.engine.connect() as connection:
        assert await connection.scalar(select(MENTOR.c.ward)) == "Xã Gia Lâm"
    await resident.start()
    await resident.type("/tim_nguoi_kem")
    await resident.type("Gia Lâm")
    assert "Huyện Gia Lâm cũ nay đã được chia ra nhiều xã, phường mới" in resident.text()
    assert "ở xã, phường nào" in resident.text()
    learner = await tutor.repository.find_learner(channel="zalo", user_ref=resident.user)
    assert learner is not None and not learner.ward and not learner.area
    await resident.type("Dương Xá")  # an old xã: confirmed, as at the place question
    assert "Có phải bạn ở Xã Gia Lâm không" in resident.text()
    await resident.type("có")
    learner = await tutor.repository.find_learner(channel="zalo", user_ref=resident.user)
    assert learner is not None and learner.ward == "Xã Gia Lâm"
    assert learner.area and learner.area.startswith("ha-noi/")


async def test_the_invitation_links_carry_the_code(sqlite_repository: SqlRepository,
                                                   library: Library) -> None:
    links = InviteLinks(telegram_username="hocso_bot", web_base="https://hocso.example.vn/")
    tutor = Tutor(repository=sqlite_repository, library=library, links=links)
    mentor = Chat(tutor, user="m", channel="zalo")
    code = await trained_mentor(mentor, library)
    text = mentor.text()
    assert f"https://t.me/hocso_bot?start={code}" in text
    assert f"https://hocso.example.vn/?kem={code}" in text
    assert mentor.last[0].qr == f"https://t.me/hocso_bot?start={code}"
    resident = Chat(tutor, user="r", channel="telegram")
    replies = await resident.send(resident.incoming(Kind.START, text=code))
    assert "muốn kèm bạn" not in resident.text()  # first the notice of what is kept...
    replies = await resident.press("Tôi đồng ý")
    assert "Trần Minh Anh muốn kèm bạn" in replies[-1].text  # ...then the deep link's code


async def test_outbox_messages_wait_until_handed_over_once(tutor: Tutor, library: Library,
                                                           people: tuple[Chat, Chat]) -> None:
    mentor, resident = people
    await paired(mentor, resident, library)
    async with tutor.repository.engine.connect() as connection:
        rows = (await connection.execute(select(OUTBOX))).all()
    assert len(rows) == 1 and rows[0].sent_at is None
    assert len(await received(tutor, mentor)) == 1
    assert await received(tutor, mentor) == []


async def test_the_whole_pairing_works_on_both_backends(repository: SqlRepository,
                                                        library: Library) -> None:
    tutor = Tutor(repository=repository, library=library)
    mentor = Chat(tutor, user="m", channel="telegram")
    resident = Chat(tutor, user="r", channel="zalo")
    await paired(mentor, resident, library)
    await resident.type("/nguoi_kem")
    await resident.press("Tôi cần giúp đỡ")
    texts = [reply.text for reply in await received(tutor, mentor)]
    assert any("đã đồng ý" in text for text in texts) and any("cần giúp đỡ" in t for t in texts)
    assert "Đã học xong 0 bài" in (await mentor.type("/hoc_vien"))[0].text


async def test_an_organizer_approves_a_mentor_from_the_command_line(
        tmp_path: Path, library: Library) -> None:
    env = {**os.environ, "HOCSO_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    command = [sys.executable, "-m", "bot", "mentor", "approve", "--channel", "zalo",
               "--user", "doan-vien", "--by", "Đoàn phường Hồng Hà"]
    # bot.cli.main in this process first, then the approval as a real process.
    unknown = hocso_here(tmp_path, *command[3:])
    assert unknown.returncode == 1 and "must write to Học Số first" in unknown.stderr.decode()
    engine = create_engine(f"sqlite:///{tmp_path / 'hocso.db'}")
    tutor = Tutor(repository=SqlRepository(engine), library=library)
    volunteer = Chat(tutor, user="doan-vien", channel="zalo", display_name="Phạm Thu Hà")
    await volunteer.start()
    await engine.dispose()
    approved = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert approved.returncode == 0, approved.stderr
    # Found in a try-out: approved with no ward, "Tìm người kèm" never found her, unsaid.
    assert "warning: zalo doan-vien has not given a ward yet" in approved.stderr
    engine = create_engine(f"sqlite:///{tmp_path / 'hocso.db'}")
    tutor = Tutor(repository=SqlRepository(engine), library=library)
    volunteer = Chat(tutor, user="doan-vien", channel="zalo", display_name="Phạm Thu Hà")
    replies = await volunteer.type("/lam_nguoi_kem")  # no course needed: approved
    assert "sẽ kèm người dân ở phường, xã nào" in replies[0].text  # but a ward first
    await volunteer.type("hong ha")
    replies = await volunteer.press("Bỏ qua")
    assert "Bạn là người kèm: Phạm Thu Hà (Phường Hồng Hà)" in replies[0].text
    resident = Chat(tutor, user="ba-lan", channel="zalo")
    await resident.start()
    await resident.type("/tim_nguoi_kem")
    await resident.type("Phường Hồng Hà")
    assert "đã nhờ một người kèm ở Phường Hồng Hà" in resident.text()
    await engine.dispose()


def test_days_and_dates_are_counted_in_vietnam() -> None:
    late_evening_utc = datetime(2026, 12, 1, 18, 30, tzinfo=UTC)  # 01:30 on 2 December there
    assert local_date(late_evening_utc).isoformat() == "2026-12-02"
    earlier = datetime(2026, 12, 1, 16, 0, tzinfo=UTC)  # 23:00 on 1 December there
    assert days_ago(earlier, today=late_evening_utc) == 1
    assert late_evening_utc.astimezone(VIETNAM).hour == 1


async def test_a_request_then_a_code_never_gives_two_mentors(tutor: Tutor, library: Library,
                                                            people: tuple[Chat, Chat]) -> None:
    mentor, resident = people
    await trained_mentor(mentor, library)
    other = Chat(tutor, user="other", channel="web")
    other_code = await trained_mentor(other, library, name="Lê Văn Bình")
    await received(tutor, mentor)
    await resident.start()
    await resident.type("/tim_nguoi_kem")
    await resident.type("Phường Hồng Hà")
    assert "Bạn đã nhờ một người kèm rồi" in (await resident.type("/tim_nguoi_kem"))[0].text
    await resident.type(other_code)
    await resident.press("Đồng ý")  # paired with the other mentor meanwhile
    [request] = await received(tutor, mentor)
    await mentor.tap(next(b.payload for b in request.flat_buttons() if "Nhận kèm" in b.label))
    # the request ended when she chose another
    assert "ở tin nhắn cũ nên không bấm được nữa" in mentor.text()
    async with tutor.repository.engine.connect() as connection:
        active = (await connection.execute(select(PAIRING.c.mentor_id).where(
            PAIRING.c.status == "active"))).all()
    assert len(active) == 1


async def test_revoking_cancels_a_consent_screen_already_shown(
        tutor: Tutor, library: Library, people: tuple[Chat, Chat]) -> None:
    mentor, resident = people
    code = await trained_mentor(mentor, library)
    await resident.start()
    await resident.type(code)
    accept = resident.payload_of("Đồng ý")
    await mentor.press("Thu hồi mã mời")
    assert "ở tin nhắn cũ nên không bấm được nữa" in (await resident.tap(accept))[0].text
    assert "chưa kèm ai" in (await mentor.type("/hoc_vien"))[0].text


async def test_an_unanswered_invitation_does_not_hide_the_mentor(
        tutor: Tutor, library: Library, people: tuple[Chat, Chat]) -> None:
    mentor, resident = people
    code = await trained_mentor(mentor, library)
    await resident.start()
    await resident.type(code)  # shown the consent screen, never answers
    neighbour = Chat(tutor, user="ong-tu", channel="zalo")
    await neighbour.start()
    await neighbour.type("/tim_nguoi_kem")
    await neighbour.type("hồng hà")
    assert "đã nhờ một người kèm" in neighbour.text()


async def test_typed_answers_while_a_question_waits(tutor: Tutor, library: Library,
                                                    people: tuple[Chat, Chat]) -> None:
    mentor, resident = people
    await resident.start()
    await resident.type("/nguoi_kem")
    await resident.press("Nhập mã mời")
    for words in ("tôi không có mã", "tiếp", "à"):  # not codes: no guesses counted
        assert "Đây chưa phải mã mời" in (await resident.type(words))[0].text
        await resident.press("Nhập mã mời")
    code = await trained_mentor(mentor, library)
    assert "muốn kèm bạn" in (await resident.type(code))[0].text
    await resident.press("Về menu")
    await resident.type("/tim_nguoi_kem")
    replies = await resident.type("thôi")  # changes their mind: back to the menu
    assert "Bạn muốn làm gì" in replies[-1].text
    await resident.type("/tim_nguoi_kem")
    # "12" answers the question (a place name, "Phường 12"), not a button's number; none is
    # in the list of places, which the answer is read with.
    assert 'nơi nào tên là "12"' in (await resident.type("12"))[0].text


async def test_capacity_and_one_mentor_hold_under_concurrent_accepts(
        repository: SqlRepository, library: Library) -> None:
    tutor = Tutor(repository=repository, library=library)
    mentor = Chat(tutor, user="m", channel="telegram")
    code = await trained_mentor(mentor, library)
    residents = [Chat(tutor, user=f"r{n}", channel="zalo") for n in range(6)]
    for resident in residents:
        await resident.start()
        await resident.type(code)
    accepts = [resident.payload_of("Đồng ý") for resident in residents]
    await asyncio.gather(*(resident.tap(accept) for resident, accept in
                           zip(residents, accepts, strict=True)))
    async with tutor.repository.engine.connect() as connection:
        active = (await connection.execute(select(PAIRING.c.id).where(
            PAIRING.c.status == "active"))).all()
    assert len(active) == 1  # capacity 1, however many tapped at the same moment


async def test_a_full_mentor_is_told_in_their_own_words(tutor: Tutor, library: Library,
                                                        people: tuple[Chat, Chat]) -> None:
    mentor, resident = people
    await paired(mentor, resident, library)
    await received(tutor, mentor)
    neighbour = Chat(tutor, user="ong-tu", channel="zalo")
    await neighbour.start()
    await neighbour.type("/tim_nguoi_kem")
    await neighbour.type("Phường Hồng Hà")
    assert "Hiện chưa có người kèm nào" in neighbour.text()  # the only mentor is full
    ids = [await tutor.repository.find_learner(channel=chat.channel, user_ref=chat.user)
           for chat in (mentor, neighbour)]
    assert ids[0] is not None and ids[1] is not None
    async with tutor.repository.engine.begin() as connection:  # an old request, made before
        await connection.execute(PAIRING.insert().values(
            mentor_id=ids[0].id, mentee_id=ids[1].id, status="pending", origin="request",
            created_at=now()))
        pairing_id = (await connection.execute(select(PAIRING.c.id).where(
            PAIRING.c.status == "pending"))).scalar_one()
    await mentor.tap(f"k:take:{pairing_id}")
    assert "Bạn đang kèm đủ 1 người" in mentor.text()


def test_codes_are_eight_characters_easy_to_read_aloud_and_typed_any_way() -> None:
    codes = {new_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        head, first, second = code.split("-")
        assert head == "KEM" and len(first) == len(second) == 4
        assert set(first + second) <= set(ALPHABET) and not set("01OIL") & set(first + second)
    assert len(ALPHABET) ** 8 > 800_000_000_000
    for typed in ("kem 7q4x m9pd", "KEM7Q4XM9PD", " Kem-7Q4X-m9pd ", "KEM-7Q4XM9PD"):
        assert normalize(typed) == "KEM-7Q4X-M9PD", typed
    assert normalize("kem 7q4x") == "KEM-7Q4X"  # a code of four made before still works
    assert normalize("KEM-7Q4X-M9P") is None and normalize("tôi không có mã") is None


@pytest.mark.parametrize("base", ["http://127.0.0.1:8080", "http://localhost:8080",
                                  "http://[::1]:8080", "http://0.0.0.0:8080", ""])
async def test_an_address_no_phone_can_open_gives_the_code_alone(
        sqlite_repository: SqlRepository, library: Library, base: str) -> None:
    tutor = Tutor(repository=sqlite_repository, library=library,
                  links=InviteLinks(web_base=base))
    mentor = Chat(tutor, user="m", channel="web")
    code = await trained_mentor(mentor, library)
    [invite] = [reply for reply in mentor.last if code in reply.text]
    assert "http" not in invite.text and "quét mã QR" not in invite.text
    assert invite.qr == "" and await tutor.invitation_link(code) == ""
    # On a local network, the machine's own address is one a phone can open.
    tutor.links.web_base = "http://192.168.1.20:8080"
    await mentor.press("Tạo mã mời mới")
    [invite] = [reply for reply in mentor.last if "Mã mời" in reply.text]
    assert "http://192.168.1.20:8080/?kem=KEM-" in invite.text and "quét mã QR" in invite.text
    assert invite.qr.startswith("http://192.168.1.20:8080/?kem=KEM-")


async def test_a_note_or_a_question_kept_before_masking_is_masked_when_shown(
        tutor: Tutor, library: Library) -> None:
    """A note, a question or a checked message kept before masking existed (or before one of
    its rules was added) still holds the password: masked as it is shown to the mentor."""
    mentor, resident = Chat(tutor, "kem-cu", channel="web"), Chat(tutor, "bac-ba")
    await paired(mentor, resident, library)
    await received(tutor, mentor)
    await write_check_in(mentor, "Gặp trực tiếp", "Hôm nay", "Đã cài VNeID")
    learner = await tutor.repository.find_learner(channel="test", user_ref="bac-ba")
    assert learner is not None

    async def kept_before(**data: str) -> None:  # as an older version stored it
        async with tutor.repository.engine.begin() as connection:
            await connection.execute(update(CHECK_IN).values(
                note="Mật khẩu của bác là hoa hong 123, số bác 0912 345 678"))
            await connection.execute(update(LEARNER).where(LEARNER.c.id == learner.id)
                                     .values(state_data=json.dumps(data)))

    await resident.type("giá xăng hôm nay")  # no lesson: kept for "Hỏi người kèm"
    await kept_before(text="mật khẩu wifi là hoahong mà tivi không vào mạng")
    await resident.press("Hỏi người kèm")
    told = "\n".join(message.text for message in await received(tutor, mentor))
    assert "mật khẩu wifi là •••• mà tivi" in told and "hoahong" not in told

    await resident.type("/kiem_tra")
    await resident.type("Bạn đã trúng thưởng 50 triệu, nhận tại http://qua-tang-vn.xyz")
    await kept_before(text="Nhân viên hỏi mk la hoahong có đúng không", verdict="scam")
    await resident.press("Gửi cho người kèm xem")
    told = "\n".join(message.text for message in await received(tutor, mentor))
    assert "mk la ••••" in told and "hoahong" not in told

    [mine] = await mentor.type("/du_lieu_cua_toi")
    assert mine.attachment is not None
    exported = json.loads(mine.attachment.data)
    assert [row["note"] for row in exported["check_ins"]] == ["Mật khẩu của bác là ••••, số "
                                                              "bác ••••"]
    assert "hoa hong 123" not in mine.attachment.data.decode()
    assert "hoahong" not in mine.attachment.data.decode()


async def test_a_mentors_name_ward_and_unit_carry_no_link_or_phone(
        tutor: Tutor, people: tuple[Chat, Chat]) -> None:
    # Residents read all three in Học Số's own words: "Tình nguyện viên … muốn kèm bác".
    mentor, _ = people
    await mentor.start()
    await mentor.type("/lam_nguoi_kem")
    for typed in ("An bit.ly/abc 0912345678", "Cán bộ CA, vào vneid-gov.com",
                  "<img src=x onerror=alert(1)>", '=HYPERLINK("http://x.y/a","Xem")'):
        await mentor.type(typed)
        assert "không kèm số điện thoại, email, đường link" in mentor.text(), typed
        assert "Xin chào" not in mentor.text()
    await mentor.type("trần minh anh")  # all in lower case: each word capitalised
    assert "Xin chào bạn Trần Minh Anh!" in mentor.text()
    await mentor.type("Phường Hồng Hà, zalo 0912345678")
    assert "không ghi số điện thoại hay đường link" in mentor.text()
    assert "gõ lại riêng tên phường, xã thôi" in mentor.text()  # not "tên" of a person
    await mentor.type("Phường Hồng Hà")
    await mentor.type("Đoàn phường, vào vneid-gov.com")
    assert "gõ lại riêng tên chi đoàn, đơn vị thôi" in mentor.text()
    assert "không ghi số điện thoại hay đường link" in mentor.text() and "Bỏ qua" in " ".join(
        button.label for reply in mentor.last for button in reply.flat_buttons())
    await mentor.type("Chi đoàn khu phố 3")
    async with tutor.repository.engine.connect() as connection:
        row = (await connection.execute(select(MENTOR))).one()
    assert (row.full_name, row.ward, row.unit) == (
        "Trần Minh Anh", "Phường Hồng Hà", "Chi đoàn khu phố 3")


async def test_a_mentors_buttons_pressed_by_a_resident_are_refused(
        tutor: Tutor, people: tuple[Chat, Chat]) -> None:
    # A resident who sent "mentees", never shown to them, landed in a mentor's sign-up.
    _, resident = people
    await resident.start()
    for payload in ("mentees", "invite", "newcode", "revoke"):
        await resident.tap(payload)
        assert "tin nhắn cũ" in resident.text() and "họ và tên" not in resident.text(), payload
    await resident.type("/hoc_vien")  # typed, the command leads to signing up as ever
    assert "gõ họ và tên đầy đủ" in resident.text()
    await resident.type("hoc vien cua toi")  # the command's words again: nobody's name
    assert "Xin chào" not in resident.text()
    async with tutor.repository.engine.connect() as connection:
        assert (await connection.execute(select(MENTOR.c.full_name))).all() == []


async def test_residents_see_the_mentors_name_as_it_is_now(
        tutor: Tutor, people: tuple[Chat, Chat]) -> None:
    # Approved before giving a full name, the mentor's name was copied and frozen: renamed
    # with /doi_cach_goi, residents still read the old one.
    _, resident = people
    mentor = Chat(tutor, user="doan-vien", channel="zalo", display_name="Phạm Thu Hà")
    await mentor.start()
    assert await approve_mentor(tutor.repository.engine, channel="zalo", user_ref="doan-vien",
                                by="Đoàn phường Hồng Hà")
    await mentor.type("/lam_nguoi_kem")
    await mentor.type("Phường Hồng Hà")  # approved with no ward: asked for it first
    await mentor.type("Công an phường Hồng Hà")  # a unit, in her own words
    code = code_in(await mentor.press("Mời học viên"))
    await resident.start()
    consent = (await resident.type(code))[0].text
    assert "Tình nguyện viên Phạm Thu Hà muốn kèm" in consent
    # Found in a try-out: a typed unit read as fact ("Đơn vị: Công an phường …").
    assert "Đơn vị (người kèm tự giới thiệu, Học Số chưa kiểm tra): Công an phường Hồng Hà" \
        in consent and "Đơn vị: " not in consent
    await resident.press("Đồng ý")
    await mentor.type("/doi_cach_goi")
    await mentor.press("Chị")
    await mentor.type("Thu Hà")
    replies = await resident.tap("kem")
    assert "Thu Hà" in replies[0].text and "Phạm Thu Hà" not in replies[0].text
    assert "đơn vị (người kèm tự giới thiệu): Công an phường Hồng Hà" in replies[0].text
