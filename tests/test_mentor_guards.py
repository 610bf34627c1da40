"""What residents read from or about a mentor: no request for a code or for money, no phone
number read out in words, no markup, no full-width link."""

import pytest
from sqlalchemy import select

from bot.lessons.model import Library
from bot.listening.names import is_name, shown_problem
from bot.listening.payment import asks_for_payment
from bot.listening.scam import asks_for_money, asks_for_secret, has_contact
from bot.tutor import Tutor
from storage.mentors import MENTOR
from tests.chat import Chat
from tests.mentoring_helpers import received, writing_a_nudge


@pytest.fixture
def people(tutor: Tutor) -> tuple[Chat, Chat]:
    """A volunteer on Telegram and a resident on Zalo, talking to the same tutor."""
    return Chat(tutor, user="mentor", channel="telegram"), Chat(tutor, user="bac-tu",
                                                                channel="zalo")


async def test_a_mentors_message_asking_for_a_code_never_reaches_the_resident(
        tutor: Tutor, library: Library, people: tuple[Chat, Chat]) -> None:
    # The lessons teach residents never to give an OTP to anyone, "kể cả người kèm".
    mentor, resident = people
    await writing_a_nudge(tutor, library, mentor, resident)
    for typed in ("Bác đọc cho cháu mã OTP vừa về máy nhé, cháu kiểm tra giúp",
                  "Bác gửi cháu mật khẩu VNeID nhé", "Bác cho cháu mã PIN nhé",
                  "Bác nhắn cháu số tài khoản ngân hàng để cháu xem"):
        await mentor.type(typed)
        assert "Học Số không gửi lời nhắn này" in mentor.text(), typed
        assert "kể cả người kèm" in mentor.text() and "gõ lời nhắn" in mentor.text()
    assert await received(tutor, resident) == []
    await mentor.type("Bác nhớ đừng đọc mã OTP cho ai nhé, kể cả cháu")  # a warning: sent
    assert "Đã gửi lời nhắn" in mentor.text()
    [told] = await received(tutor, resident)
    assert "đừng đọc mã OTP cho ai" in told.text
    await mentor.type("/hoc_vien")
    await mentor.press("Nhắn động viên")
    await mentor.press("Tự viết lời nhắn")
    await mentor.type("Bác báo cho cháu khi nào bác đặt xong mật khẩu mới nhé, mật khẩu thì "
                      "bác giữ kín")  # about the password, not asking for it: sent
    assert "Đã gửi lời nhắn" in mentor.text()
    [told] = await received(tutor, resident)
    assert "đặt xong mật khẩu mới" in told.text


async def test_a_mentors_message_asking_for_money_never_reaches_the_resident(
        tutor: Tutor, library: Library, people: tuple[Chat, Chat]) -> None:
    """Found in a try-out: "Cô cho cháu mượn 2 triệu nhé…" reached the resident."""
    mentor, resident = people
    await writing_a_nudge(tutor, library, mentor, resident)
    for typed in ("Cô cho cháu mượn 2 triệu nhé, mai cháu trả, cháu qua nhà lấy",
                  "Bác chuyển cho cháu 500k nhé", "Bác gửi tiền cho cháu nhé"):
        await mentor.type(typed)
        assert "Học Số không gửi lời nhắn này" in mentor.text(), typed
        assert "hỏi mượn tiền, nhờ chuyển tiền hay trả tiền" in mentor.text()
        assert "Việc kèm luôn miễn phí" in mentor.text() and "gõ lời nhắn" in mentor.text()
    assert await received(tutor, resident) == []
    await mentor.type("Bác đừng chuyển tiền cho ai lạ nhé")  # a warning: sent
    assert "Đã gửi lời nhắn" in mentor.text()
    [told] = await received(tutor, resident)
    assert "đừng chuyển tiền cho ai lạ" in told.text


@pytest.mark.parametrize(("text", "asks"), [
    ("Cô cho cháu mượn 2 triệu nhé, mai cháu trả, cháu qua nhà lấy", True),
    ("Bác chuyển cho cháu 500k nhé", True), ("gửi tiền", True), ("bác ck cho cháu 200k", True),
    ("Bác đóng 200k phí tài liệu nhé", True), ("Cháu mượn bác ít tiền được không ạ", True),
    ("Bác nạp giúp cháu cái thẻ cào 100k", True), ("Bác đưa cháu 300 nghìn nhé", True),
    ("Bác chuyển khoản vào tk của cháu nhé", True), ("Bác chuyển 2tr cho bạn cháu giữ hộ", True),
    ("Nếu bác rảnh thì cho cháu vay 1 triệu", True),
    ("Bác đừng chuyển tiền cho ai lạ nhé", False),
    ("Mai cháu chỉ bác cách chuyển khoản nhé", False),
    ("Bác học bài chuyển tiền an toàn chưa ạ?", False),
    ("Ai nhắn bảo chuyển tiền thì bác gọi cháu trước nhé", False),
    ("Học Số miễn phí, bác không phải trả tiền gì đâu ạ", False),
    ("Nếu có ai hỏi mượn tiền qua Zalo thì bác hỏi lại người thân nhé", False),
    ("Kẻ gian hay hỏi mượn tiền qua Messenger, bác cẩn thận nhé", False),
    ("Cháu chuyển cho bác bài mới nhé", False), ("Bác cho cháu biết bác học xong chưa", False),
])
def test_a_request_for_money_is_told_from_a_warning_or_a_lesson(text: str, asks: bool) -> None:
    assert asks_for_payment(text) is asks


# Found in review: requests that slipped through and coaching that was refused.
@pytest.mark.parametrize("text", [
    "Cô đừng ngại, cho em mượn 2 triệu nhé", "Bác không phải lo, chuyển cho cháu 500k là xong",
    "Cháu không có tiền, bác chuyển cho cháu 500k nhé",
    "Bác có rảnh không cho cháu mượn 2 triệu", "Bác chuyển năm trăm nghìn cho cháu",
    "Bác cho cháu vay một triệu rưỡi nhé", "Bác hỗ trợ cháu 2 triệu", "Bác giúp cháu 2 triệu",
    "Bác gởi cháu 2 triệu", "Bác ủng hộ cháu 500k", "Bác bắn cháu 2 lít",
    "Cháu chỉ bác rồi, bác chuyển cho cháu 500k nhé",
    "Bác nhớ trả tiền điện giúp cháu, chuyển vào tk của cháu nhé",
])
def test_a_request_for_money_however_worded_is_refused(text: str) -> None:
    assert asks_for_payment(text)


@pytest.mark.parametrize("text", [
    "Cháu chuyển khoản cho bác 50k tiền xe", "Con gửi bác 200k tiền quà, bác nhận nhé",
    "Bác cho cháu mượn điện thoại một lát để cháu cài giúp nhé",
    "Bác nhớ trả tiền điện tháng này qua app nhé",
    "Bác đặt cọc vé tàu qua app như cháu chỉ nhé",
    "Bác đóng tiền nước qua app VNPT Money như bài học nhé",
    "Bác giúp cháu trả lời câu hỏi số 2 nhé", "Cái điện thoại này chỉ 2 triệu thôi bác ạ",
    "Bác chưa bao giờ phải chuyển tiền cho ai để học, bác nhớ nhé",
])
def test_coaching_about_money_is_not_a_request(text: str) -> None:
    assert not asks_for_payment(text)


@pytest.mark.parametrize(("text", "asks"), [
    ("Bác đọc cho cháu mã OTP vừa về máy nhé, cháu kiểm tra giúp", True),
    ("Bác đọc cho cháu passcode nhé", True), ("Bác cho cháu số thẻ nhé", True),
    ("Bác đừng đọc mã OTP cho ai nhé", False),
    ("Bác nhớ không bao giờ cho ai biết mã OTP nhé", False),
    ("Mai cháu qua chỉ bác cách đổi mật khẩu ạ", False),
    ("Bác học bài mật khẩu mạnh nhé", False),
    ("Bác cho cháu xem pin còn bao nhiêu nhé", False),  # a battery
    ("Bác cho cháu biết bác có tài khoản ngân hàng chưa", False),
    # Found in review: a mentor asking about the secret, not for it, was refused.
    ("Bác cho cháu biết bác đổi mật khẩu được chưa nhé", False),
    ("Bác báo cháu khi nào bác đặt xong mật khẩu mới nhé", False),
    ("Bác báo cho cháu nhé, mã OTP thì bác giữ kín", False),
    ("Bác đổi mật khẩu xong thì nhắn cháu nhé", False),
    ("Bác đọc cho cháu mã OTP vừa về máy nhé", True), ("bác gửi con mật khẩu zalo nhé", True),
    ("cho cháu xin số tài khoản của bác", True), ("Mật khẩu Zalo bác gửi cháu nhé", True),
    ("Bác gửi cháu mã OTP, không thì cháu không làm được", True),
])
def test_a_request_for_a_secret_is_read_as_the_scam_check_reads_it(text: str,
                                                                   asks: bool) -> None:
    assert asks_for_secret(text) is asks


@pytest.mark.parametrize("text", [
    "Bác gọi cháu số không chín tám bảy, sáu năm bốn, ba hai mốt",
    "khong chin tam bay sau nam bon ba hai mot", "0987 sáu năm bốn 321",
    "Zalo Không Chín Tám Bảy Sáu Năm Bốn Ba Hai",
])
def test_a_phone_number_read_out_in_words_is_a_contact(text: str) -> None:
    assert has_contact(text)


@pytest.mark.parametrize("text", [
    "Năm", "Ba", "Tư", "Nguyễn Văn Năm", "Lê Thị Tư", "Bác không làm sau hai năm ba tháng",
    "Hẹn bác ngày 10.12.2026 8 giờ nhé",
])
def test_a_digits_name_in_a_name_or_a_sentence_is_no_phone(text: str) -> None:
    assert not has_contact(text)


@pytest.mark.parametrize("text", [
    "Zalo Không Chín Tám Bảy Sáu Năm Bốn Ba Hai", "Minh Zalo không chín tám bảy sáu năm bốn ba",
    "Minh ｚａｌｏ．ｍｅ", "Chuyển khoản phí đăng ký vào Vietcombank", "Lan ＜b＞",
])
def test_a_name_is_no_number_in_words_no_fee_and_no_full_width_link(text: str) -> None:
    assert not is_name(text)


@pytest.mark.parametrize(("unit", "problem"), [
    ("Chuyển khoản phí đăng ký vào Vietcombank", "money"), ("Nộp phí 50k", "money"),
    ("Đặt cọc giữ chỗ", "money"), ("STK 0123", "money"),
    ("Chi đoàn <b>KP3</b><img src=x onerror=alert(1)>", "marks"),
    ("Chi đoàn ｚａｌｏ．ｍｅ", "contact"),
    ("Zalo không chín tám bảy sáu năm bốn ba hai", "contact"),
    ("Chi đoàn Vietcombank", None), ("Đoàn Thanh niên Ngân hàng Vietcombank", None),
    ("Trường THPT Chuyên Lê Quý Đôn", None), ("Chi đoàn KP3/Tổ 5", None),
])
def test_a_unit_shown_to_residents_asks_no_money_and_has_no_markup(unit: str,
                                                                   problem: str | None) -> None:
    assert shown_problem(unit) == problem
    assert asks_for_money(unit) is (problem == "money")


async def test_a_mentor_is_told_kindly_why_a_unit_is_refused(
        tutor: Tutor, people: tuple[Chat, Chat]) -> None:
    mentor, _ = people
    await mentor.start()
    await mentor.type("/lam_nguoi_kem")
    await mentor.type("Zalo Không Chín Tám Bảy Sáu Năm Bốn Ba Hai")
    assert "Xin chào" not in mentor.text() and "gõ lại riêng họ và tên" in mentor.text()
    await mentor.type("Trần Minh Anh")
    await mentor.type("Phường Hồng Hà")
    await mentor.type("Chuyển khoản phí đăng ký vào Vietcombank")
    assert "không ghi lời đề nghị chuyển tiền, nộp phí" in mentor.text()
    assert "gõ lại riêng tên chi đoàn, đơn vị" in mentor.text()
    await mentor.type("Chi đoàn <b>KP3</b><img src=x onerror=alert(1)>")
    assert "ký hiệu < hoặc >" in mentor.text() and "chỉ dùng chữ và số" in mentor.text()
    await mentor.type("Chi đoàn KP3")
    async with tutor.repository.engine.connect() as connection:
        row = (await connection.execute(select(MENTOR))).one()
    assert (row.full_name, row.unit) == ("Trần Minh Anh", "Chi đoàn KP3")


async def test_a_residents_name_in_words_is_asked_again(tutor: Tutor) -> None:
    resident = Chat(tutor, user="minh", channel="zalo")
    await resident.start(address=None)
    await resident.tap("ad:bac")
    await resident.type("Minh không chín tám bảy sáu năm bốn ba")  # 40 characters at most
    assert "không chín" not in resident.text()
    learner = await tutor.repository.find_learner(channel="zalo", user_ref="minh")
    assert learner is not None and "chín" not in learner.display_name
