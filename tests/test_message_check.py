"""The message check (bot/handlers/message_check.py): /kiem_tra, a pasted or forwarded message,
the verdict in the learner's form of address, lessons, the mentor, counts and privacy."""

import csv
import io
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientSession
from aiohttp.test_utils import TestServer
from PIL import Image
from sqlalchemy import inspect, select, text, update

from bot.app import KEEPS_WORDS
from bot.channels.outbox_worker import OutboxWorker
from bot.channels.pictures import ZALO_HOSTS, allowed
from bot.channels.web import create_web_app
from bot.handlers.message_check import looks_like_message
from bot.lessons.model import Library
from bot.listening.ocr import available as ocr_available
from bot.listening.scam import load_checker
from bot.messages import Incoming, Kind, Outgoing
from bot.tutor import Tutor
from storage.clock import now
from storage.outbox import OUTBOX, Outbox
from storage.reports import Period
from storage.repository import FAILED, LEARNER, SqlRepository, keep_failed
from storage.retention import Retention, sweep
from storage.scam_checks import CHECKS, ScamCount, add_check, scam_counts
from storage.scope import Scope
from tests.chat import Chat
from tests.conftest import CONTENT_DIR, require
from tests.conversation import exchange
from tests.fake_telegram import FakeTelegram, SentRecord
from tests.fake_zalo_bot import FakeZaloBot
from tests.fake_zalo_oa import FakeZaloOA
from tests.mentoring_helpers import paired, received
from tests.report_seed import BA_DINH, HONG_HA
from tests.screenshots import font_available, sms, zalo
from tests.test_admin import Dashboard, cheap_hashes, dashboard, sign_in  # noqa: F401 (its fixtures)
from tests.test_console import chat_here
from tests.test_telegram import Bot as TelegramUser
from tests.test_telegram import buttons as telegram_buttons
from tests.test_telegram import running as telegram_running
from tests.test_web_api import begin as web_begin
from tests.test_web_api import chat as web_chat
from tests.test_web_api import new_session as web_session
from tests.test_zalo_bot import Resident as ZaloResident
from tests.test_zalo_bot import running as zalo_bot_running
from tests.test_zalo_oa import Follower
from tests.test_zalo_oa import _serving_oa as serving_oa

SCAM = ("Vietcombank: Tai khoan cua quy khach bi khoa. Vui long truy cap "
        "https://vcb-vn.xyz/xacthuc de mo khoa trong 24h.")
OTP_NOTICE = ("Vietcombank: Mã OTP xác thực giao dịch của Quý khách là 118204. Tuyệt đối "
              "không cung cấp mã OTP cho bất kỳ ai, kể cả nhân viên ngân hàng.")
SCAM_SCREEN = ("[BIDV] Tài khoản của Quý khách sẽ bị tạm khóa sau 24h do chưa cập nhật sinh "
               "trắc học. Vui lòng xác thực tại bidv-sinhtrachoc.top")
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
    assert "Bác gửi tin nhắn lạ vào đây" in chat.text()
    assert "Trong lúc chờ, bác đừng bấm vào link trong tin nhé." in chat.text()
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
    chat = await _checked(tutor, OTP_NOTICE, address="chu")
    said = chat.text()
    assert "Chưa thấy dấu hiệu lừa đảo" in said
    assert "an toàn" not in said.lower()
    assert "không ai được hỏi mã OTP hay mật khẩu của chú" in said
    assert "số cũ" not in said
    # What a code nobody asked for means.
    assert ("Nếu vừa rồi chú không tự chuyển tiền hay đăng nhập, có thể có người đang tìm cách "
            "vào tài khoản của chú. Chú đừng đưa mã này cho ai cả. Nếu đó là mã của ngân hàng, "
            "chú gọi ngay tổng đài ngân hàng theo số in sau thẻ.") in said
    # A notice with no code gets no such words.
    await chat.type("/kiem_tra")
    await chat.type("Viettel thông báo: Thuê bao của Quý khách đã được nạp 50.000đ. Tài khoản "
                    "gốc: 62.000đ. Chi tiết LH 198.")
    assert "Chưa thấy dấu hiệu lừa đảo" in chat.text()
    assert "tìm cách vào tài khoản" not in chat.text()


async def test_a_relatives_new_number_asking_nothing_reminds_to_call_the_old_one(
        tutor: Tutor) -> None:
    # A real child writes this too: no red flag, but the reply names the way to make sure
    # (the tester's try-out of 2026-12-07).
    chat = await _checked(tutor, (
        "Mẹ ơi con đổi số rồi, mẹ lưu số mới này của con nhé 0977123456"), address="chu")
    said = chat.text()
    assert "Chưa thấy dấu hiệu lừa đảo" in said
    assert "trước khi lưu số mới, chú gọi vào số cũ đã lưu của người đó" in said


async def test_a_pasted_message_is_checked_unasked_and_a_short_question_is_not(
        tutor: Tutor) -> None:
    chat = Chat(tutor, "cuc")
    await chat.start()
    await chat.type(SCAM)  # not asked: it has a link and is long
    assert "Rất có thể là lừa đảo" in chat.text()
    await chat.type("chuyển 500k sao?")  # short: a question, not a message
    assert "lừa đảo" not in chat.text()


async def test_a_pasted_otp_notice_at_the_menu_is_checked_as_a_message_received(
        tutor: Tutor) -> None:
    chat = Chat(tutor, "otp-at-menu")
    await chat.start(address="co")
    await chat.type("Ma OTP cua Quy khach la 482913. Tuyet doi KHONG cung cap ma nay cho bat ky "
                    "ai, ke ca nhan vien ngan hang. Vietcombank")
    said = chat.text()
    assert "Chưa thấy dấu hiệu lừa đảo" in said
    assert "Tin nhắn cô gửi để kiểm tra có mã OTP" in said  # received, not typed by her
    assert "vừa gõ" not in said and "đổi mật khẩu" not in said
    assert "482913" not in said
    assert ScamCount("", CHECKS, 1) in await counts(tutor.repository)


async def test_a_password_typed_in_a_question_is_still_the_residents_own(tutor: Tutor) -> None:
    chat = Chat(tutor, "own-password")
    await chat.start(address="co")
    await chat.type("mật khẩu vneid của tôi là Abc@1234 mà không đăng nhập được")
    assert "Tin nhắn cô vừa gõ hình như có mật khẩu" in chat.text()
    assert await counts(tutor.repository) == []


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


@pytest.mark.parametrize("reply", ["vâng", "con chờ chút mẹ chụp ảnh", "kiem tra tin nhan la",
                                   "Tôi vừa nhận được tin nhắn lạ"])
async def test_a_reply_that_is_no_message_is_asked_again_and_not_counted(
        tutor: Tutor, reply: str) -> None:
    chat = await _checked(tutor, reply, address="bac")
    said = chat.text()
    assert "Chưa thấy dấu hiệu" not in said and "chưa thấy tin nhắn nào để kiểm tra" in said
    assert "nguyên cả tin đó" in said and " bạn " not in said
    assert await counts(tutor.repository) == []
    await chat.type("Chị ơi cho em vay 3 triệu, mai em trả")  # still awaited; short, but a sum
    assert "Cần cẩn thận" in chat.text() and "mượn tiền" in chat.text()
    assert ScamCount("", CHECKS, 1) in await counts(tutor.repository)


@pytest.mark.parametrize(("word", "shown"), [
    ("xoa du lieu", "có chắc muốn xóa hết dữ liệu"),
    ("tiến độ", "chưa học xong bài nào"),
    ("menu", "chọn một khóa học, hoặc một việc bên dưới"),
])
async def test_a_command_word_at_the_wait_is_the_command_not_a_message(
        tutor: Tutor, word: str, shown: str) -> None:
    chat = await _checked(tutor, word, address="bac")
    said = chat.text()
    assert "Chưa thấy dấu hiệu" not in said and "chưa thấy tin nhắn nào" not in said
    assert shown in said
    assert await counts(tutor.repository) == []  # nothing checked
    await chat.type("Con đổi số rồi mẹ nhé")  # the wait is over: their own words again
    assert "Chưa thấy dấu hiệu" not in chat.text()


async def test_ok_at_the_wait_keeps_waiting_for_the_message(tutor: Tutor) -> None:
    chat = Chat(tutor, "hieu")
    await chat.start(address="bac")
    await chat.type("/kiem_tra")
    await chat.type("ok")  # "ok, here it comes"
    assert "chưa thấy tin nhắn nào để kiểm tra" in chat.text()
    await chat.type("Chị ơi cho em vay 3 triệu, mai em trả")
    assert "Cần cẩn thận" in chat.text()


async def test_a_short_message_sent_again_is_checked(tutor: Tutor) -> None:
    # A few words with no number are taken for the resident talking; the same words sent
    # again were asked for again, and again.
    chat = await _checked(tutor, "Con đổi số rồi mẹ nhé", address="bac")
    assert "chưa thấy tin nhắn nào để kiểm tra" in chat.text()
    await chat.type("Con đổi số rồi mẹ nhé")
    assert "Chưa thấy dấu hiệu lừa đảo" in chat.text()
    assert ScamCount("", CHECKS, 1) in await counts(tutor.repository)


@pytest.mark.parametrize("said", ["tôi vừa nhận được tin nhắn lạ", "nhận được tin nhắn lạ",
                                  "Mẹ mới nhận được một tin nhắn lạ lắm",
                                  # An outside tester's: it got a lesson's excerpt.
                                  "cháu ơi bà có cái tin nhắn lạ lắm",
                                  "bác có 1 tin nhắn đáng ngờ"])
async def test_saying_a_strange_message_came_leads_to_the_check(tutor: Tutor, said: str) -> None:
    chat = Chat(tutor, "hanh")
    await chat.start()
    await chat.type(said)
    assert "gửi tin nhắn lạ vào đây" in chat.text()
    await chat.type("Bố ơi con bị tai nạn đang ở bệnh viện, bố chuyển 20 triệu cho bạn con")
    assert "Rất có thể là lừa đảo" in chat.text() and "người thân của bạn gặp nạn" in chat.text()


async def test_asking_whether_there_is_a_strange_message_is_a_question(tutor: Tutor) -> None:
    """"Bà có tin nhắn lạ không" asks; it does not say one came."""
    chat = Chat(tutor, "hoi-tin")
    await chat.start()
    await chat.type("bà có tin nhắn lạ không")
    assert "gửi tin nhắn lạ vào đây" not in chat.text() and "Trong bài" in chat.text()


OWN_TRANSFER = ("Hôm bữa thằng con tui nó cài cho tui cái app ngân hàng Agribank… nay tui muốn "
                "chuyển 2 triệu cho bà sui mà hổng biết bấm chỗ nào, con chỉ tui với")


async def test_a_residents_own_how_to_question_with_a_sum_finds_its_lesson(tutor: Tutor) -> None:
    """An outside tester's question, with a sum in it, was checked as a received message ("Chưa
    thấy dấu hiệu lừa đảo"): in the first person, asking to be shown how, it is a question."""
    chat = Chat(tutor, "ba-sui")
    await chat.start(address="bac")
    await chat.type(OWN_TRANSFER)
    assert "dấu hiệu" not in chat.text()
    # The bank-app lesson first since residents' questions joined the lessons: its residents
    # tell of the app a child installed; the transfer lesson among those offered.
    assert "Cháu tìm được bài học" in chat.text()
    assert "o:thanh-toan:chuyen-khoan" in [b.payload for b in chat.last[-1].flat_buttons()]
    assert await counts(tutor.repository) == []  # nothing checked


@pytest.mark.parametrize(("text", "message"), [
    (OWN_TRANSFER, False),
    ("nay tui muốn chuyển 2 triệu cho bà sui mà hổng biết bấm chỗ nào", False),
    ("tui muốn chuyển 2 triệu cho bà sui, con chỉ tui với", False),
    ("Con hướng dẫn bác cách chuyển 500k cho cháu nội với", False),
    # Asked of the reader, by the sender: still messages.
    ("Ê cho tui mượn ít tiền, tui đang kẹt quá, chuyển vào stk này giúp tui nha.", True),
    ("Mẹ ơi giúp con với, con cần chuyển gấp 10 triệu vào stk 0123456789 của bạn con nhé", True),
    ("Ông ơi chỉ giúp cháu, ông chuyển 2 triệu phí mở khóa vào stk 0123456789 nhé", True),
    ("Chỉ còn hôm nay: chuyển 500.000đ vào stk 0123456789 để nhận quà tri ân của ngân hàng", True),
])
def test_asking_to_be_shown_is_the_residents_question_not_a_message(
        text: str, message: bool) -> None:
    assert looks_like_message(text) is message


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
    # Forgotten once sent: only that it went is kept, for the next turn.
    assert learner is not None and "vcb-vn" not in str(learner.state_data)
    await resident.tap("checksend")  # a double tap: told it went, not that it is lost
    assert "đã gửi tin nhắn này cho người kèm Trần Minh Anh rồi" in resident.text()
    assert "không còn giữ" not in resident.text() and not await received(tutor, mentor)
    await resident.type("/tien_do")
    await resident.tap("checksend")  # later: nothing kept to send
    assert "không còn giữ tin nhắn đó" in resident.text()


async def test_a_code_in_a_checked_message_is_masked_before_the_mentor_sees_it(
        tutor: Tutor, library: Library) -> None:
    mentor, resident = Chat(tutor, "mentor-otp"), Chat(tutor, "ba-hoa", display_name="Hoa")
    await paired(mentor, resident, library)
    await received(tutor, mentor)
    await resident.type("/kiem_tra")
    await resident.type(OTP_NOTICE)
    assert "Tin nhắn bạn gửi để kiểm tra có mã OTP hoặc mã số bí mật" in resident.text()
    # The bank's notice, not a password the resident typed: nothing to change.
    assert "vừa gõ" not in resident.text() and "đổi mật khẩu" not in resident.text()
    assert "118204" not in resident.text()
    await resident.press("Gửi cho người kèm xem")
    told = "\n".join(reply.text for reply in await received(tutor, mentor))
    assert "Mã OTP xác thực giao dịch của Quý khách là ••••." in told and "118204" not in told


# The tester's message: an account number and a phone number, kept in a message for a mentor.
PRIVATE = ("VCB: Tai khoan cua quy khach bi khoa. Chuyen 2.000.000d vao TK 0123456789 de mo "
           "khoa. Goi 0912345678 hoac vao vcb-hotro.xyz")


async def _checked(tutor: Tutor, text: str, *, address: str = "co") -> Chat:
    """A resident addressed as `address` who opens /kiem_tra and sends `text`."""
    chat = Chat(tutor, "kiem-tra")
    await chat.start(address=address)
    await chat.type("/kiem_tra")
    await chat.type(text)
    return chat


async def _everything_kept(repository: SqlRepository) -> str:
    """Every value of every row of every table, as one text."""
    async with repository.engine.connect() as connection:
        tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
        kept = []
        for table in tables:
            for row in (await connection.execute(text(f'SELECT * FROM "{table}"'))).all():
                kept.append(" ".join(str(value) for value in row))
    return "\n".join(kept)


async def test_a_checked_message_handed_to_a_web_mentor_is_not_kept(
        repository: SqlRepository, library: Library) -> None:
    tutor = Tutor(repository=repository, library=library)
    server = TestServer(create_web_app(tutor, CONTENT_DIR), host="127.0.0.1")
    await server.start_server()
    try:
        async with ClientSession() as client:
            base = str(server.make_url(""))
            session = await web_session(client, base)  # the mentor's page
            mentor = Chat(tutor, session, channel="web")
            resident = Chat(tutor, "lan", display_name="Lan")
            await paired(mentor, resident, library)
            await received(tutor, mentor)
            await resident.type("/kiem_tra")
            await resident.type(PRIVATE)
            await resident.press("Gửi cho người kèm xem")
            async with client.post(f"{base}/api/inbox", json={"session": session}) as response:
                told = "\n".join(reply["text"] for reply in (await response.json())["replies"])
            assert "0123456789" in told and "0912345678" in told  # the mentor got it
            kept = await _everything_kept(repository)
            assert "0123456789" not in kept and "0912345678" not in kept
            assert "vcb-hotro" not in kept
            await mentor.type("/du_lieu_cua_toi")
            exported = "\n".join(reply.text + (reply.attachment.data.decode()
                                               if reply.attachment else "")
                                  for reply in mentor.last)
            assert "0123456789" not in exported and "vcb-hotro" not in exported
    finally:
        await server.close()


async def test_a_message_a_worker_delivered_keeps_no_words(
        repository: SqlRepository, library: Library) -> None:
    tutor = Tutor(repository=repository, library=library)
    mentor = Chat(tutor, "m-tg", channel="telegram")
    resident = Chat(tutor, "lan-tg", display_name="Lan")
    await paired(mentor, resident, library)
    await resident.type("/kiem_tra")
    await resident.type(PRIVATE)
    await resident.press("Gửi cho người kèm xem")
    sent: list[str] = []

    async def deliver(user_ref: str, reply: Outgoing) -> None:
        sent.append(reply.text)

    worker = OutboxWorker(Outbox(repository.engine, process_id="p-test"),
                          {"telegram": deliver})
    assert await worker.run_once() >= 1
    assert any("0123456789" in said for said in sent)
    kept = await _everything_kept(repository)
    assert "0123456789" not in kept and "vcb-hotro" not in kept


async def test_a_checked_message_never_sent_is_forgotten_after_half_an_hour(
        repository: SqlRepository, library: Library) -> None:
    tutor = Tutor(repository=repository, library=library)
    mentor, resident = Chat(tutor, "m-late"), Chat(tutor, "lan-late", display_name="Lan")
    await paired(mentor, resident, library)
    await received(tutor, mentor)
    await resident.type("/kiem_tra")
    await resident.type(PRIVATE)
    asker = Chat(tutor, "hoa-late", display_name="Hoa")  # a question kept for "Hỏi người kèm"
    await paired(Chat(tutor, "m-late-2"), asker, library)
    await asker.type("con gái tôi gọi số 0987654321 hỏi mượn tiền thì làm sao")
    retention = Retention(words_in=KEEPS_WORDS)
    await sweep(repository.engine, retention)  # not yet: they may still press it
    assert "0123456789" in await _everything_kept(repository)
    async with repository.engine.begin() as connection:
        await connection.execute(update(LEARNER).where(
            LEARNER.c.user_ref.in_(["lan-late", "hoa-late"])).values(
            last_active_at=now() - timedelta(minutes=31)))
    swept = await sweep(repository.engine, retention)
    assert swept.words >= 1
    kept = await _everything_kept(repository)
    assert "0123456789" not in kept and "vcb-hotro" not in kept and "0987654321" not in kept
    await resident.tap("checksend")
    assert "không còn giữ tin nhắn đó" in resident.text()
    assert not await received(tutor, mentor)


async def test_delivered_outbox_rows_go_with_the_old_marks(
        repository: SqlRepository, library: Library) -> None:
    tutor = Tutor(repository=repository, library=library)
    mentor, resident = Chat(tutor, "m-old"), Chat(tutor, "lan-old", display_name="Lan")
    await paired(mentor, resident, library)
    await received(tutor, mentor)
    async with repository.engine.begin() as connection:
        await connection.execute(update(OUTBOX).values(sent_at=now() - timedelta(days=8)))
    assert (await sweep(repository.engine)).delivered >= 1
    async with repository.engine.connect() as connection:
        assert not (await connection.execute(select(OUTBOX))).all()


async def test_a_message_that_could_not_be_delivered_is_kept_a_week_only(
        repository: SqlRepository) -> None:
    for user_ref, age in (("old", timedelta(days=8)), ("new", timedelta(days=1))):
        async with repository.engine.begin() as connection:
            await keep_failed(connection, channel="telegram", user_ref=user_ref,
                              text=f"{user_ref}: {PRIVATE}", error="403 blocked")
            await connection.execute(update(FAILED).where(FAILED.c.user_ref == user_ref)
                                     .values(failed_at=now() - age))
    assert (await sweep(repository.engine)).failed == 1
    assert [ref for ref, _, _ in await repository.failed_sends(channel="telegram")] == ["new"]


async def test_a_lesson_button_keeps_a_half_finished_lesson(tutor: Tutor) -> None:
    chat = Chat(tutor, "hoa")
    await chat.start()
    await chat.tap("l:lam-quen:nut-bam")
    await chat.type("tiếp")
    await chat.type("/kiem_tra")
    await chat.type(SCAM)
    await chat.tap("l:lua-dao:link-gia")
    assert any(b.payload.startswith("s:") for r in chat.last for b in r.flat_buttons())



@asynccontextmanager
async def telegram_user(tutor: Tutor) -> AsyncIterator[TelegramUser]:
    """A Telegram user who has started, through the fake Bot API and the polling channel."""
    fake = FakeTelegram()
    await fake.start()
    try:
        async with telegram_running(fake, tutor, "polling"):
            user = TelegramUser(fake)
            await user.start()
            yield user
    finally:
        await fake.close()


def sent_text(records: list[SentRecord]) -> str:
    return "\n".join(record.text or record.caption or "" for record in records)


async def test_telegram_kiem_tra_and_a_forwarded_message(tutor: Tutor) -> None:
    async with telegram_user(tutor) as user:
        assert "🔎 Kiểm tra tin nhắn lạ" in " ".join(
            label for record in user.fake.sent_to(user.chat)
            for label, _ in telegram_buttons(record))
        asked = sent_text(await user.say("/kiem_tra"))
        assert "gửi ảnh chụp màn hình" in asked  # Telegram takes photos
        said = sent_text(await user.say(SCAM))
        assert "Rất có thể là lừa đảo" in said and "156" in said
        forwarded = {"message": {
            "message_id": 900, "date": 1_700_000_000, "text": OTP_NOTICE,
            "from": {"id": user.chat, "is_bot": False, "first_name": "Lan"},
            "chat": {"id": user.chat, "first_name": "Lan", "type": "private"},
            "forward_origin": {"type": "hidden_user", "sender_user_name": "VCB",
                               "date": 1_699_999_000}}}
        said = sent_text(await exchange(lambda: user.fake.sent_to(user.chat),
                                        lambda: user.fake.push_update(forwarded), 1))
        assert "Chưa thấy dấu hiệu lừa đảo" in said  # checked unasked: it was forwarded


async def test_telegram_a_screenshot_is_read_and_checked(tutor: Tutor) -> None:
    require(ocr_available() and font_available(), "Tesseract with Vietnamese, DejaVu fonts")
    picture = io.BytesIO()
    sms("Vietcombank", SCAM_SCREEN).save(picture, format="PNG")
    async with telegram_user(tutor) as user:
        said = sent_text(await user._exchange(
            lambda: user.fake.push_photo(user.chat, picture.getvalue()), 1))
        assert "đã đọc chữ trong ảnh" in said
        assert "Rất có thể là lừa đảo" in said or "Cần cẩn thận" in said
        # The largest size was the one downloaded.
        downloads = [params["path"] for method, params in user.fake.requests
                     if method == "download"]
        assert len(downloads) == 1 and downloads[0].endswith("x.jpg")


def texts(records: list[Any]) -> str:
    return "\n".join(record.text or "" for record in records)


async def test_web_chat_kiem_tra_then_a_pasted_message(tutor: Tutor) -> None:
    server = TestServer(create_web_app(tutor, CONTENT_DIR), host="127.0.0.1")
    await server.start_server()
    try:
        async with ClientSession() as client:
            base = str(server.make_url(""))
            session = await web_session(client, base)
            await web_begin(client, base, session)  # called "bác"
            _, body = await web_chat(client, base, session=session, text="/kiem_tra")
            asked = body["replies"][0]["text"]
            assert "Bác gửi tin nhắn lạ vào đây" in asked
            assert 'bấm nút "📷 Gửi ảnh tin nhắn" ở cuối trang' in asked  # the page's button
            _, body = await web_chat(client, base, session=session, text=SCAM)
            said = "\n".join(reply["text"] for reply in body["replies"])
            assert "Rất có thể là lừa đảo" in said and "156" in said
    finally:
        await server.close()


async def test_zalo_bot_a_pasted_message_and_kiem_tra(tutor: Tutor) -> None:
    fake = FakeZaloBot(max_poll_seconds=0.3)
    await fake.start()
    try:
        async with zalo_bot_running(fake, tutor, "polling"):
            resident = ZaloResident(fake)
            await resident.start()
            said = texts(await resident.say(SCAM))  # unasked: a link, and long
            assert "Rất có thể là lừa đảo" in said and "Học:" in said  # lessons, numbered
            await resident.say("kiểm tra tin nhắn")
            assert "Chưa thấy dấu hiệu lừa đảo" in texts(await resident.say(OTP_NOTICE))
    finally:
        await fake.close()


async def test_zalo_oa_a_pasted_message(tutor: Tutor) -> None:
    fake = FakeZaloOA()
    await fake.start()
    try:
        async with serving_oa(fake, tutor, backoff_seconds=0.01):
            follower = Follower(fake)
            await follower.join()
            await follower.say("/kiem_tra")
            said = texts(await follower.say(SCAM))
            assert "Rất có thể là lừa đảo" in said
            assert any("Học:" in label for message in fake.sent_to(follower.user)[-1:]
                       for label, _, _ in message.buttons)
    finally:
        await fake.close()


def test_terminal_kiem_tra(tmp_path: Path) -> None:
    # Agree, be called "bác" (typed) with the name given, then /kiem_tra and the message.
    said = chat_here(tmp_path, ["1", "bác", "1", "/kiem_tra", SCAM, "thoát"])
    assert "Bác gửi tin nhắn lạ vào đây" in said
    assert "gõ đường dẫn tới tệp ảnh chụp màn hình" in said
    assert "Rất có thể là lừa đảo" in said and "5656" in said


async def test_the_dashboard_counts_checks_and_flags_per_area(
        dashboard: Dashboard) -> None:  # noqa: F811 (test_admin's fixture)
    async with dashboard.repository.transaction() as connection:
        await add_check(connection, area_id=f"{HONG_HA}/tdp-1", flags=["otp_request", "urgency"])
        await add_check(connection, area_id=f"{HONG_HA}/tdp-1", flags=["otp_request"])
        await add_check(connection, area_id=BA_DINH, flags=["gambling"])
    async with dashboard.client() as client:
        assert await sign_in(client, "phuong") == 303
        async with client.get("/admin/") as response:
            html = await response.text()
        assert "Tin nhắn lạ đã kiểm tra" in html and "Đòi mã OTP, mật khẩu" in html
        assert "Cá cược" not in html  # another ward's
        async with client.get("/admin/tai/tin-nhan-la.csv") as response:
            rows = list(csv.reader(io.StringIO((await response.read()).decode("utf-8-sig"))))
    assert rows == [["Địa bàn", "Dấu hiệu", "Số lần"],
                    ["Tổ dân phố số 1", "Số tin nhắn đã kiểm tra", "2"],
                    ["Tổ dân phố số 1", "Đòi mã OTP, mật khẩu", "2"],
                    ["Tổ dân phố số 1", "Hối thúc, đe dọa", "1"]]


async def test_zalo_bot_a_screenshot_is_read_and_checked(tutor: Tutor) -> None:
    require(ocr_available() and font_available(), "Tesseract with Vietnamese, DejaVu fonts")
    picture = io.BytesIO()
    zalo("Ngân hàng BIDV", [SCAM_SCREEN]).save(picture, format="PNG")
    fake = FakeZaloBot(max_poll_seconds=0.3)
    await fake.start()
    try:
        async with zalo_bot_running(fake, tutor, "polling"):
            resident = ZaloResident(fake)
            await resident.start()
            said = texts(await exchange(lambda: fake.sent_to(resident.chat),
                                        lambda: fake.push_photo(resident.chat,
                                                                picture.getvalue()), 1))
            assert "đã đọc chữ trong ảnh" in said
            assert "Rất có thể là lừa đảo" in said or "Cần cẩn thận" in said
    finally:
        await fake.close()


def test_pictures_are_fetched_only_from_the_messengers_hosts() -> None:
    assert allowed("https://photo-stal-1.zdn.vn/2026/01/01/7c0e.jpg", ZALO_HOSTS)
    assert allowed("https://s120-ava-talk.zadn.vn/f/2/c.jpg", ZALO_HOSTS)
    for url in ("http://127.0.0.1:8080/admin", "https://zdn.vn.evil.example/x.jpg",
                "file:///etc/passwd", "https://evilzdn.vn/x.jpg", "http://[::1"):
        assert not allowed(url, ZALO_HOSTS), url


async def test_zalo_oa_a_screenshot_is_read_and_checked(tutor: Tutor) -> None:
    require(ocr_available() and font_available(), "Tesseract with Vietnamese, DejaVu fonts")
    picture = io.BytesIO()
    sms("BIDV", SCAM_SCREEN).save(picture, format="PNG")
    fake = FakeZaloOA()
    await fake.start()
    try:
        async with serving_oa(fake, tutor, backoff_seconds=0.01):
            follower = Follower(fake)
            await follower.join()
            said = texts(await exchange(lambda: fake.sent_to(follower.user),
                                        lambda: fake.push_photo(follower.user,
                                                                picture.getvalue()), 1))
            assert "đã đọc chữ trong ảnh" in said
            assert "Rất có thể là lừa đảo" in said or "Cần cẩn thận" in said
    finally:
        await fake.close()


async def test_a_message_is_checked_before_agreeing_or_after_declining_and_nothing_is_kept(
        tutor: Tutor) -> None:
    chat = Chat(tutor, "hai", display_name="Trần Văn Hải")

    def said() -> list[str]:
        # Its lessons and the menu wait for agreement: the notice's answers are all it offers.
        assert [b.payload for r in chat.last for b in r.flat_buttons()] == ["agree", "decline"]
        return [reply.text for reply in chat.last]

    await chat.type(SCAM)  # the very first message: greeted, answered, then asked
    welcome, verdict, notice = said()
    assert "không phải người thật" in welcome and "Rất có thể là lừa đảo" in verdict
    await chat.send(replace(chat.incoming(Kind.TEXT, text=SCAM_SCREEN), forwarded=True))
    verdict, notice = said()
    assert "Rất có thể là lừa đảo" in verdict and "cần bạn đồng ý" in notice
    learner = await tutor.repository.find_learner(channel="test", user_ref="hai")
    assert learner is not None and not learner.consented and learner.display_name == ""
    await chat.tap("decline")
    await chat.type(SCAM)  # declined, then a message to check: answered all the same
    assert "Rất có thể là lừa đảo" in said()[1]
    # Counted, with no one named and no place.
    assert [(c.area_id, c.count) for c in await counts(tutor.repository) if not c.flag] == [
        ("", 3)]
    await chat.type("chào")  # no message to check: only asked again, as before
    assert "lừa đảo" not in said()[0]


async def test_without_tesseract_a_photo_gets_told_to_paste_the_text(
        sqlite_repository: SqlRepository, library: Library) -> None:
    tutor = Tutor(repository=sqlite_repository, library=library,
                  tesseract="/nonexistent/tesseract")
    chat = Chat(tutor, "ong-tu")
    await chat.start(address="chu")
    picture = io.BytesIO()
    Image.new("RGB", (40, 20), "white").save(picture, format="PNG")
    await chat.send(Incoming(channel="test", user_ref="ong-tu", kind=Kind.PHOTO,
                             update_id="p1", picture=picture.getvalue()))
    said = chat.text()
    assert "chưa đọc được chữ trong ảnh" in said and "gõ, dán hoặc chuyển tiếp" in said
    assert "Cháu" in said  # in the learner's form of address
    stranger = Chat(tutor, "ba-nam")  # has not agreed: told the same, then asked to agree
    await stranger.send(Incoming(channel="test", user_ref="ba-nam", kind=Kind.PHOTO,
                                 update_id="p2", picture=picture.getvalue()))
    assert "chưa đọc được chữ trong ảnh" in stranger.last[1].text
    assert [b.payload for r in stranger.last for b in r.flat_buttons()] == ["agree", "decline"]


@pytest.mark.parametrize(("text", "message"), [
    (SCAM, True),
    ("Chị ơi em là shipper, đơn hàng phí ship 23.000đ, chị chuyển khoản vào STK 0451000123456 "
     "MB giúp em nhé.", True),
    ("Me oi con bi tai nan, me chuyen gap 5 trieu vao so 0912345678 cho ban con nhe", True),
    ("Tôi muốn chuyển 500k cho con qua ngân hàng thì làm thế nào vậy?", False),
    ("chuyển 500k sao?", False),
    ("cach xem youtube tren tivi, sdt con trai bac 0988777666", False),
    ("Chị ơi chỉ giúp em với, em cần 5 triệu gấp, chị chuyển vào stk 0123456789 nhé", True),
    ("Cách nhận quà tri ân: chuyển phí 50.000đ vào STK 0123456789 trước 17h", True),
    ("Tôi không hiểu bước này lắm, nói lại giúp tôi với được không", False),
])
def test_what_looks_like_a_received_message(text: str, message: bool) -> None:
    assert looks_like_message(text) is message


@pytest.mark.parametrize(("text", "message"), [
    ("Ma OTP cua Quy khach la 482913. Tuyet doi KHONG cung cap ma nay cho bat ky ai. "
     "Vietcombank", True),
    ("Zalo: Ma xac thuc cua ban la 7731. Khong chia se ma nay voi bat ky ai.", True),
    ("BIDV: Quy khach da dang ky thanh cong dich vu SmartBanking. Tran trong.", True),
    ("[VCB] Quy khach vui long cap nhat ung dung de dung tiep, co phai khong?", True),
    ("mã otp của tôi là 482913, tôi không cung cấp cho ai có sao không", False),
    ("Tôi quên mật khẩu ứng dụng Vietcombank thì phải làm sao hả cháu", False),
    ("Quý khách là gì vậy cháu, sao ngân hàng cứ gọi bác như thế", False),
])
def test_a_notice_is_known_by_its_code_its_quy_khach_and_its_signature(
        text: str, message: bool) -> None:
    assert looks_like_message(text, load_checker(CONTENT_DIR)) is message


async def test_an_english_reader_gets_the_check_in_english(tutor: Tutor) -> None:
    chat = Chat(tutor, "en-reader")
    await chat.start()
    await chat.tap("lg:en")
    assert "🔎 Check a strange message" in labels(chat)
    await chat.type("/kiem_tra")
    assert "Send me the strange message" in chat.text()
    await chat.type(SCAM)
    assert "Very likely a scam" in chat.text() and "call 156" in chat.text()
    # Each red flag in English too, addressed as English addresses anyone.
    assert "The signs I found:\n• The link is not the real website" in chat.text()
    assert "Tin nhắn" not in chat.text() and "Đường link" not in chat.text()


# The try-out's (tests/data/messages.yaml t30): a resident tells what happened to her.
STORY = ("Hôm qua có người gọi cho tôi, xưng là công an phường, nói tôi liên quan đến một vụ án "
         "rửa tiền. Họ bảo tôi cài một ứng dụng rồi chuyển hết tiền tiết kiệm vào tài khoản tạm "
         "giữ của công an để kiểm tra. Tôi chưa chuyển.")


async def test_a_residents_own_story_is_told_as_hers_and_holding_back_is_praised(
        tutor: Tutor) -> None:
    chat = await _checked(tutor, STORY)
    said = chat.text()
    assert "Rất có thể là lừa đảo. Cô chưa chuyển tiền là rất đúng ạ." in said
    assert "Chuyện cô kể có những dấu hiệu này:" in said
    assert "• Người đó nhân danh công an" in said and "Tin nhắn" not in said
    assert "đừng làm theo lời người đó" in said and "số trong tin" not in said
    # A message she received stays a message: no praise, its flags about "Tin nhắn".
    await chat.type("/kiem_tra")
    await chat.type(SCAM)
    assert "Cô thấy" not in chat.text() and "rất đúng" not in chat.text()
    assert "Cháu thấy những dấu hiệu này:" in chat.text() and "• Tin nhắn" in chat.text()


async def test_a_story_told_unasked_is_checked_too(tutor: Tutor) -> None:
    chat = Chat(tutor, "story2")
    await chat.start(address="bac")
    await chat.type("Sáng nay bác bị một người xưng là cán bộ điều tra gọi, bảo bác dính vào "
                    "đường dây ma túy, phải chuyển tiền vào tài khoản của họ để chứng minh "
                    "trong sạch. Bác sợ quá nhưng chưa chuyển.")
    said = chat.text()
    assert "Rất có thể là lừa đảo. Bác chưa chuyển tiền là rất đúng ạ." in said
    assert "Chuyện bác kể có những dấu hiệu này:" in said


async def test_a_check_in_the_middle_of_a_lesson_or_a_quiz_offers_the_way_back(
        tutor: Tutor, library: Library) -> None:
    chat = Chat(tutor, "giua-bai")
    await chat.start()
    await chat.tap("l:lam-quen:nut-bam")
    await chat.type("tiếp")
    step = chat.text().split("\n")[0]
    await chat.type("/kiem_tra")
    await chat.type(SCAM)
    assert "▶️ Học tiếp bài đang dở" in labels(chat)
    await chat.press("Học tiếp bài đang dở")
    assert step in chat.text()
    lesson = library.courses[0].lessons[0]
    await chat.learn(library.courses[0].id, lesson.id)
    assert "Câu 1/" in chat.text()
    await chat.type(SCAM)  # pasted unasked, in the quiz
    assert "Rất có thể là lừa đảo" in chat.text()
    await chat.press("Học tiếp bài đang dở")
    assert "Câu 1/" in chat.text()
    # With no lesson begun there is nothing to go back to.
    new = Chat(tutor, "chua-hoc")
    await new.start()
    await new.type("/kiem_tra")
    await new.type(SCAM)
    assert "▶️ Học tiếp bài đang dở" not in labels(new)


async def test_a_long_pasted_message_is_checked_and_a_cut_one_says_so(tutor: Tutor) -> None:
    chat = Chat(tutor, "dai")
    await chat.start(address="co")
    chatter = "Chào bà con, hôm nay trời đẹp, chúc mọi người một ngày vui vẻ nhé. " * 45
    await chat.type(chatter + SCAM)  # 3,100 characters: over what a question may be
    assert "Rất có thể là lừa đảo" in chat.text() and "dài quá" not in chat.text()
    await chat.type(SCAM + " " + chatter * 2)  # 6,000: cut at what the tutor keeps
    said = chat.text()
    assert said.startswith("Tin này dài quá, cháu chưa đọc hết được ạ. Cháu đã xem đoạn đầu")
    assert "Rất có thể là lừa đảo" in said
    # A long text that is no message is still "too long".
    await chat.type(chatter * 2)
    assert "dài quá" in chat.text() and "dấu hiệu" not in chat.text()


async def test_the_check_says_how_to_copy_and_paste(tutor: Tutor) -> None:
    chat = Chat(tutor, "dan")
    await chat.start(address="co")
    await chat.type("/kiem_tra")
    assert ('Cách gửi: cô bấm giữ vào tin nhắn lạ, chọn "Sao chép", rồi quay lại đây bấm giữ '
            'vào ô gõ chữ, chọn "Dán" và gửi ạ.') in chat.text()


# Found in review: victims who had paid were told "Chưa thấy dấu hiệu lừa đảo" or praised.
@pytest.mark.parametrize("story", [
    "Hôm qua có người gọi cho tôi xưng là công an, bảo không cho ai biết. Tôi đã nghe theo và "
    "chuyển khoản 20 triệu cho họ.",
    "Có người gọi cho tôi xưng là công an, tôi không nói gì với con, chuyển luôn 30 triệu cho họ",
])
async def test_a_police_story_where_the_money_went_gets_the_urgent_steps(
        tutor: Tutor, story: str) -> None:
    chat = await _checked(tutor, story)
    said = chat.text()
    assert "🚨 Rất có thể là lừa đảo. Cô đừng tự trách mình" in said
    assert "rất đúng" not in said and "Chưa thấy dấu hiệu" not in said
    assert ("Việc cần làm ngay: cô gọi ngay tổng đài ngân hàng của cô (số in sau thẻ) để nhờ "
            "chặn khoản tiền đó, rồi báo công an xã, phường") in said
    assert "gọi 156" in said and "• Người đó nhân danh công an" in said
    assert labels(chat)[0] == "📘 Học: Lỡ bị lừa, làm gì ngay?"


@pytest.mark.parametrize("story", [
    "Hôm qua có người gọi cho tôi xưng là nhân viên ngân hàng, họ bảo cài app để nâng cấp tài "
    "khoản, tôi cài rồi, giờ họ chuyển hết tiền đi rồi",
    "Sáng nay có người gọi cho tôi xưng là bên điện lực bảo tôi nộp tiền phạt, tôi không đọc kỹ, "
    "chuyển luôn 2 triệu",
])
async def test_a_story_where_the_money_went_is_never_praised(tutor: Tutor, story: str) -> None:
    chat = await _checked(tutor, story)
    said = chat.text()
    assert "Rất có thể là lừa đảo" in said or "Cần cẩn thận" in said
    assert "rất đúng" not in said and "Việc cần làm ngay" in said
    # Found in a try-out: a flag's advice for before paying ("hỏi trước khi chuyển"), or a link
    # the caller never sent ("cài ứng dụng qua đường link"), read oddly after the money went.
    assert "hỏi trước khi chuyển" not in said and "qua đường link" not in said
    # ...while the money flag is there, told of the person and worded for any time.
    assert ("• Người đó đòi cô chuyển tiền, nộp phí hoặc đặt cọc; muốn hỏi cho chắc, cô tự gọi "
            "người hay nơi họ xưng là, bằng số cô đã biết từ trước.") in said


async def test_holding_back_only_what_was_asked_is_praised(tutor: Tutor) -> None:
    chat = await _checked(tutor, (
        "Có người gọi cho bác xưng là nhân viên ngân hàng, bảo bác cài ứng dụng để nâng hạn "
        "mức. Bác chưa cài."), address="bac")
    said = chat.text()
    assert "⚠️ Cần cẩn thận. Bác chưa làm theo họ là rất đúng ạ." in said
    # Not having sent the money yet: told what to do if it does go.
    assert ("Nếu bác lỡ chuyển tiền rồi, bác gọi ngay tổng đài ngân hàng để nhờ chặn khoản tiền "
            "đó, rồi báo công an xã, phường.") in said


async def test_a_pasted_message_that_addresses_the_reader_is_no_story(tutor: Tutor) -> None:
    chat = await _checked(tutor, (
        "Chúc mừng, cô đã được chọn nhận quà tri ân tại qua-tang.vip. Nhân viên sẽ gọi cho cô "
        "để xác nhận. Nếu cô không chuyển phí 300k trong hôm nay thì quà sẽ bị hủy"))
    said = chat.text()
    assert "rất đúng" not in said and "Chuyện cô kể" not in said
    assert "đừng bấm vào link" in said


async def test_the_paste_reminder_reads_as_sentences(tutor: Tutor) -> None:
    chat = Chat(tutor, "dan-lai", channel="telegram")
    await chat.start(address="co")
    await chat.type("/kiem_tra")
    await chat.type("vâng")
    assert ('chọn "Dán" và gửi. Cô cũng có thể chuyển tiếp tin đó cho cháu, hoặc gửi ảnh chụp '
            'màn hình tin nhắn. Cô cứ từ từ, cháu chờ cô.') in chat.text()


# Found in an outside try-out: a resident who said they were cheated of their money, without
# telling of a call, was told "Chưa thấy dấu hiệu lừa đảo" and given no urgent steps.
@pytest.mark.parametrize("story", [
    "tôi bị lừa chuyển 20 triệu cho người xưng là công an rồi, giờ làm sao",
    "toi bi lua chuyen 20 trieu roi lam sao bay gio",
    "tôi lỡ chuyển tiền cho kẻ lừa đảo rồi",
    "tôi bị lừa rồi, họ lấy hết tiền trong tài khoản",
])
async def test_a_resident_cheated_of_money_gets_the_urgent_steps(tutor: Tutor, story: str) -> None:
    chat = await _checked(tutor, story)
    said = chat.text()
    assert "🚨 Rất có thể là lừa đảo. Cô đừng tự trách mình" in said
    assert "Chưa thấy dấu hiệu" not in said
    assert ("Việc cần làm ngay: cô gọi ngay tổng đài ngân hàng của cô (số in sau thẻ) để nhờ "
            "chặn khoản tiền đó, rồi báo công an xã, phường") in said
    assert labels(chat)[0] == "📘 Học: Lỡ bị lừa, làm gì ngay?"


# Found in an outside try-out: a remote-control app was told "install only from CH Play".
async def test_a_remote_control_app_is_named_as_such(tutor: Tutor) -> None:
    chat = await _checked(tutor, (
        "Hôm qua có người gọi cho tôi xưng là nhân viên ngân hàng, bảo tôi vào CH Play tải "
        "UltraViewer để họ hỗ trợ cập nhật. Tôi chưa cài."))
    said = chat.text()
    assert "🚨 Rất có thể là lừa đảo. Cô chưa làm theo họ là rất đúng ạ." in said
    assert ("• Người đó bảo cô cài hay mở ứng dụng điều khiển từ xa (như UltraViewer, "
            "TeamViewer, AnyDesk)") in said
    assert "CH Play hoặc App Store" not in said


# Found in an outside try-out: a resident who had let the caller in got no urgent steps.
@pytest.mark.parametrize(("story", "app"), [
    ("Có người gọi cho tôi xưng là nhân viên ngân hàng, bảo tôi cài UltraViewer, tôi cài rồi",
     True),
    ("Có người gọi cho tôi xưng là nhân viên ngân hàng, bảo tôi mở AnyDesk, tôi mở rồi", True),
    ("Hôm qua có người gọi xưng công an, bảo tôi cài app, tôi đã cài và đọc mã cho họ", True),
    ("Có người gọi cho tôi xưng là ngân hàng, xin mã OTP, tôi đọc cho họ rồi", False),
])
async def test_access_given_gets_the_urgent_steps(tutor: Tutor, story: str, app: bool) -> None:
    chat = await _checked(tutor, story)
    said = chat.text()
    assert "🚨 Rất có thể là lừa đảo. Cô đừng tự trách mình" in said
    assert "rất đúng" not in said
    assert "Việc cần làm ngay: cô tắt Wi-Fi và dữ liệu di động (mạng 4G, 5G)" in said
    assert "gọi ngay tổng đài ngân hàng (số in sau thẻ) để khóa tạm tài khoản" in said
    assert ("gỡ ứng dụng đó" in said) is app


# Found in an outside try-out: a code to read out to "the switchboard" passed as no signs.
async def test_a_code_to_read_out_to_someone_is_a_scam(tutor: Tutor) -> None:
    chat = await _checked(tutor, (
        "Ma xac thuc cua ban la 773311. Vui long doc ma nay cho nhan vien tong dai de hoan "
        "tat huy dich vu."))
    said = chat.text()
    assert "🚨 Rất có thể là lừa đảo." in said and "Chưa thấy dấu hiệu" not in said


# Found in a try-out: "ngân hàng gọi bảo…" was read as a message pasted, not as a call told,
# so "tôi cài rồi" got "đừng gọi lại số trong tin" and no steps for a phone let in.
async def test_a_call_told_by_who_made_it_with_the_app_installed_gets_the_urgent_steps(
        tutor: Tutor) -> None:
    chat = await _checked(tutor, (
        "ngân hàng gọi bảo cài UltraViewer để họ hỗ trợ cập nhật sinh trắc học, tôi cài rồi"))
    said = chat.text()
    assert "🚨 Rất có thể là lừa đảo. Cô đừng tự trách mình" in said
    assert "Chuyện cô kể" in said and "• Người đó bảo cô cài hay mở ứng dụng điều khiển" in said
    assert "tắt Wi-Fi và dữ liệu di động" in said and "gỡ ứng dụng đó" in said


# Found in an outside try-out: the relative-in-trouble flag said the caller "asked for money
# urgently" in a story where no money was asked yet. Its sentence holds either way.
@pytest.mark.parametrize("text", [
    "Tôi nhận được cuộc gọi từ số lạ nói là con tôi đang bị giữ ở đồn công an, tôi chưa làm gì",
    "Bố ơi con bị tai nạn đang ở bệnh viện, bố chuyển 20 triệu cho bạn con",
])
async def test_the_relative_in_trouble_flag_says_only_what_is_true(tutor: Tutor,
                                                                    text: str) -> None:
    said = (await _checked(tutor, text)).text()
    assert ("báo người thân của cô gặp nạn; kẻ gian thường báo tin như vậy để xin tiền gấp. "
            "Trước khi làm gì, hãy gọi thẳng cho người thân đó bằng số cô đã lưu.") in said
    assert "gặp nạn rồi xin tiền gấp" not in said


# Found in an outside try-out: "tôi mở app ngân hàng rồi" got the steps for a caller let into
# the phone (turn off Wi-Fi, remove the app). Only what the caller asked for lets them in.
@pytest.mark.parametrize(("story", "steps", "remove"), [
    ("Có người gọi cho tôi xưng là công an, bảo tôi chuyển tiền vào tài khoản tạm giữ, tôi mở "
     "app ngân hàng rồi", False, False),
    ("Có người gọi cho tôi xưng là điện lực, gửi cho tôi một đường link, tôi mở link rồi",
     True, False),
    ("Có người gọi cho tôi xưng là ngân hàng, gửi link bảo tôi tải app về, tôi đã cài",
     True, True),
])
async def test_only_what_the_caller_asked_for_lets_them_in(
        tutor: Tutor, story: str, steps: bool, remove: bool) -> None:
    said = (await _checked(tutor, story)).text()
    assert "Rất có thể là lừa đảo" in said or "Cần cẩn thận" in said
    assert ("Việc cần làm ngay: cô tắt Wi-Fi và dữ liệu di động" in said) is steps
    assert ("gỡ ứng dụng đó" in said) is remove
    # A link opened: what that page may have taken is the bank's to know, and the password new.
    assert ("nếu trang đó bắt cô điền mật khẩu, mã OTP hay số thẻ, cô nói rõ với ngân hàng và "
            "đổi mật khẩu ngay" in said) is (steps and not remove)


# Found in an outside try-out: a resident who had just lost money and said so at the menu got
# the question matcher's lesson, not the urgent steps (the bank's hotline first).
@pytest.mark.parametrize("story", [
    "tôi bị lừa chuyển 20 triệu rồi, giờ làm sao",
    "chết rồi tôi lỡ chuyển tiền cho kẻ lừa đảo rồi",
    # "mới biết": no "how to tell"; no sum, so no message's look routes it: lost_money does
    "tôi vừa chuyển tiền xong mới biết mình bị lừa",
    # Found in a review: a payment told outright, then whether it was a scam asked
    "tôi chuyển 5 triệu rồi, làm sao biết có bị lừa không",
    # Found in a second try-out: told "Chưa thấy dấu hiệu lừa đảo" ("cháu ơi" read as a
    # message's call to its reader; "cho bọn lừa đảo" not read as cheated)
    "tôi lỡ chuyển 5 triệu cho bọn lừa đảo rồi cháu ơi",
    "cháu ơi tôi lỡ chuyển tiền cho bọn lừa đảo rồi",
])
async def test_money_just_lost_said_at_the_menu_gets_the_urgent_steps_first(
        tutor: Tutor, story: str) -> None:
    chat = Chat(tutor, "vua-mat-tien")
    await chat.start(address="co")
    await chat.type(story)
    said = chat.text()
    assert "🚨 Rất có thể là lừa đảo. Cô đừng tự trách mình" in said
    assert ("Việc cần làm ngay: cô gọi ngay tổng đài ngân hàng của cô (số in sau thẻ) để nhờ "
            "chặn khoản tiền đó") in said
    assert labels(chat)[0] == "📘 Học: Lỡ bị lừa, làm gì ngay?"


async def test_money_just_lost_before_agreeing_gets_the_urgent_steps(tutor: Tutor) -> None:
    chat = Chat(tutor, "chua-dong-y")
    await chat.type("tôi bị lừa chuyển 20 triệu rồi, giờ làm sao")  # the very first message
    _welcome, verdict, notice = [reply.text for reply in chat.last]
    assert "Việc cần làm ngay: bạn gọi ngay tổng đài ngân hàng của bạn" in verdict
    assert "xin bạn đọc và đồng ý" in notice


@pytest.mark.parametrize("question", [
    "lừa đảo là gì", "làm sao biết bị lừa", "làm sao biết mình bị lừa chuyển tiền",
    "nếu tôi lỡ chuyển tiền cho kẻ lừa đảo thì làm sao",
    # Found in a review: an account lost, someone else's loss, a question of what if or how
    # to tell is no money of the resident's just lost
    "tôi bị lừa mất nick facebook rồi giờ làm sao", "tôi bị lừa mất zalo rồi",
    "Mẹ tôi bị lừa mất 50 triệu, giờ làm sao", "bà hàng xóm tôi bị lừa mất 10 triệu",
    "tôi có bị lừa mất tiền không?", "Phải làm gì khi tôi bị lừa chuyển tiền?",
    "dấu hiệu nào cho thấy tôi bị lừa mất tiền",
])
async def test_questions_about_being_cheated_still_go_to_the_lessons(tutor: Tutor,
                                                                     question: str) -> None:
    chat = Chat(tutor, "hoi-lua-dao")
    await chat.start(address="co")
    await chat.type(question)
    assert "Rất có thể là lừa đảo" not in chat.text()
    assert "chặn khoản tiền đó" not in chat.text() and "Người đó đòi" not in chat.text()
    assert ScamCount("", CHECKS, 1) not in await counts(tutor.repository)


async def test_a_lost_facebook_account_gets_the_lesson_on_a_hacked_account(tutor: Tutor) -> None:
    chat = Chat(tutor, "mat-nick")
    await chat.start(address="co")
    await chat.type("tôi bị lừa mất nick facebook rồi giờ làm sao")
    assert labels(chat)[0] == "📖 Khi Zalo, Facebook bị hack"


# Found in a second try-out: pasted at the menu, with no link, number or sum, it got the lesson
# on what an OTP is and no warning, though the check calls it a scam.
async def test_a_scam_pasted_without_a_messages_marks_is_checked(tutor: Tutor) -> None:
    chat = Chat(tutor, "ma-6-so")
    await chat.start(address="co")
    await chat.type("Con đây mẹ ơi, con mới đổi số. Mẹ đọc giùm con cái mã 6 số vừa gửi vào máy "
                    "mẹ nha")
    assert "🚨 Rất có thể là lừa đảo" in chat.text()
    await chat.type("mã OTP là gì")  # a question still goes to the lessons
    assert "Rất có thể là lừa đảo" not in chat.text() and "Giữ kín mã OTP" in chat.text()
