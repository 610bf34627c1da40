"""The message check (bot/handlers/message_check.py): /kiem_tra, a pasted or forwarded message,
the verdict in the learner's form of address, lessons, the mentor, counts and privacy."""

import logging
from datetime import date

import pytest
from sqlalchemy import inspect, text

from bot.lessons.model import Library
from bot.messages import Incoming, Kind
from bot.tutor import Tutor
from storage.reports import Period
from storage.repository import SqlRepository
from storage.scam_checks import CHECKS, ScamCount, scam_counts
from storage.scope import Scope
from tests.chat import Chat
from tests.mentoring_helpers import paired, received

SCAM = ("Vietcombank: Tai khoan cua quy khach bi khoa. Vui long truy cap "
        "https://vcb-vn.xyz/xacthuc de mo khoa trong 24h.")
OTP_NOTICE = ("Vietcombank: Mã OTP xác thực giao dịch của Quý khách là 118204. Tuyệt đối "
              "không cung cấp mã OTP cho bất kỳ ai, kể cả nhân viên ngân hàng.")
EVERYWHERE = Period(date(2000, 1, 1), date(2100, 1, 1))


def labels(chat: Chat) -> list[str]:
    return [button.label for reply in chat.last for button in reply.flat_buttons()]


async def counts(repository: SqlRepository) -> list[ScamCount]:
    async with repository.engine.connect() as connection:
        return await scam_counts(connection, Scope(), EVERYWHERE)


async def test_kiem_tra_asks_then_names_each_red_flag_and_what_to_do(tutor: Tutor) -> None:
    chat = Chat(tutor, "lan", display_name="Lan")
    await chat.start(address="bac")
    assert "🔎 Kiểm tra tin nhắn lạ" in labels(chat)
    await chat.type("/kiem_tra")
    assert "Bác dán (hoặc chuyển tiếp) tin nhắn lạ vào đây" in chat.text()
    await chat.type(SCAM)
    said = chat.text()
    assert "Rất có thể là lừa đảo" in said
    assert "không phải trang chính thức" in said  # the fake link, explained
    assert "đuôi lạ" in said
    assert "156" in said and "5656" in said and "đừng bấm vào link" in said
    assert " bạn " not in said  # the learner is "bác" throughout
    lessons = [b.payload for r in chat.last for b in r.flat_buttons() if b.payload[:2] == "l:"]
    assert lessons == ["l:lua-dao:link-gia", "l:an-toan-tk:trang-gia", "l:lua-dao:dau-hieu"]
    assert "Gửi cho người kèm xem" not in " ".join(labels(chat))  # no mentor


async def test_words_and_the_menu_button_reach_it(tutor: Tutor) -> None:
    chat = Chat(tutor, "an")
    await chat.start()
    await chat.press("Kiểm tra tin nhắn lạ")
    assert "tin nhắn lạ vào đây" in chat.text()
    await chat.type("menu")
    await chat.type("có phải lừa đảo không")
    assert "tin nhắn lạ vào đây" in chat.text()


async def test_a_genuine_otp_notice_shows_no_signs_and_never_says_safe(tutor: Tutor) -> None:
    chat = Chat(tutor, "binh")
    await chat.start(address="chu")
    await chat.type("/kiem_tra")
    await chat.type(OTP_NOTICE)
    said = chat.text()
    assert "Chưa thấy dấu hiệu lừa đảo" in said
    assert "an toàn" not in said.lower()
    assert "không ai được hỏi mã OTP hay mật khẩu của chú" in said


async def test_a_pasted_message_is_checked_unasked_and_a_short_question_is_not(
        tutor: Tutor) -> None:
    chat = Chat(tutor, "cuc")
    await chat.start()
    await chat.type(SCAM)  # not asked: it has a link and is long
    assert "Rất có thể là lừa đảo" in chat.text()
    await chat.type("chuyển 500k sao?")  # short: a question, not a message
    assert "lừa đảo" not in chat.text()


async def test_a_forwarded_message_is_checked_even_without_a_link(tutor: Tutor) -> None:
    chat = Chat(tutor, "dung")
    await chat.start()
    forwarded = Incoming(channel="test", user_ref="dung", kind=Kind.TEXT, update_id="fw1",
                         text="Con đang cấp cứu ở bệnh viện, mẹ chuyển gấp cho con ít tiền "
                              "nhé, đừng nói với bố", forwarded=True)
    await chat.send(forwarded)
    assert "Cần cẩn thận" in chat.text() or "Rất có thể" in chat.text()


async def test_nothing_of_the_text_is_stored_or_logged_and_the_check_is_counted(
        tutor: Tutor, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    chat = Chat(tutor, "em")
    await chat.start()
    await chat.type("/kiem_tra")
    await chat.type(SCAM)
    await chat.type("/kiem_tra")
    await chat.type(OTP_NOTICE)
    engine = tutor.repository.engine
    async with engine.connect() as connection:
        tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
        for table in tables:
            for row in (await connection.execute(text(f'SELECT * FROM "{table}"'))).all():
                kept = " ".join(str(value) for value in row)
                assert "vcb-vn" not in kept and "118204" not in kept, table
    assert "vcb-vn" not in caplog.text and "118204" not in caplog.text
    found = await counts(tutor.repository)
    assert ScamCount("", CHECKS, 2) in found
    assert ScamCount("", "link_fake", 1) in found


async def test_with_a_mentor_the_message_is_sent_on_request_then_forgotten(
        tutor: Tutor, library: Library) -> None:
    mentor, resident = Chat(tutor, "mentor"), Chat(tutor, "lan", display_name="Lan")
    await paired(mentor, resident, library)
    await received(tutor, mentor)
    await resident.type("/kiem_tra")
    await resident.type(SCAM)
    assert "👥 Gửi cho người kèm xem" in labels(resident)
    await resident.press("Gửi cho người kèm xem")
    assert "đã gửi tin nhắn này cho người kèm" in resident.text()
    told = "\n".join(reply.text for reply in await received(tutor, mentor))
    assert "vcb-vn.xyz" in told and "Lan nhận được tin nhắn" in told
    learner = await tutor.repository.find_learner(channel="test", user_ref="lan")
    assert learner is not None and not learner.state and not learner.state_data  # forgotten once sent
    await resident.tap("checksend")  # again: nothing kept to send
    assert "không còn giữ tin nhắn đó" in resident.text()


async def test_a_lesson_button_keeps_a_half_finished_lesson(tutor: Tutor) -> None:
    chat = Chat(tutor, "hoa")
    await chat.start()
    await chat.tap("l:lam-quen:nut-bam")
    await chat.type("tiếp")
    await chat.type("/kiem_tra")
    await chat.type(SCAM)
    await chat.tap("l:lua-dao:link-gia")
    assert any(b.payload.startswith("s:") for r in chat.last for b in r.flat_buttons())

