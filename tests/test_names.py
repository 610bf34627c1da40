"""Names people give themselves: real names pass, links, numbers and formulas never do."""

import pytest

from bot.listening.names import capitalised, is_name, is_sentence


@pytest.mark.parametrize("name", [
    "Nguyễn Thị Lan", "Trần Minh Anh", "Lê Văn Tám", "Phạm Thu Hà", "Đặng Thị Ngọc Ánh",
    "Hoàng Văn Ước", "Bùi Thị Xuân", "Vũ Đức Đam", "Ngô Bảo Châu", "Huỳnh Tấn Phát",
    "Tôn Nữ Thị Ninh", "Âu Dương Lân", "Y Ngông Niê Kdăm", "H'Hen Niê", "Nguyễn Thị Thu-Hà",
    "Ksor H'Bơ Khăp", "Lò Văn Giàng", "bà Tư", "Cô Hoa", "Út", "Nguyễn T. Lan",
    "Lan 1975", "Minh (Đoàn phường)", "Lan 🌸",
])
def test_real_names_pass(name: str) -> None:
    assert is_name(name)


@pytest.mark.parametrize("text", [
    "Cán bộ CA, vào vneid-gov.com", "An bit.ly/abc 0912345678", "Minh goi 0912345678",
    "<img src=x onerror=alert(1)>", '=HYPERLINK("http://x.y/a","Xem")', "+84 912",
    "@hotro_vneid", "lan@gmail.com", "Lan vneid-capnhat。com", "Lan vneid．com",
    "Lan vneid[.]com", "Lan vneid(.)com", "Lan vneid dot com", "Lan vneid chấm com",
    "v n e i d . c o m", "Lan vneid[.]apk", "Lan 0 9 1 2 3 4 5 6 7 8", "Lan 12345",
    "Lan <b>", "Lan/Hoa", "123", "", "   ", "-Lan",
])
def test_links_numbers_handles_and_formulas_are_no_name(text: str) -> None:
    assert not is_name(text)


@pytest.mark.parametrize(("typed", "shown"), [
    ("hung", "Hung"), ("bác hung", "Bác Hung"), ("nguyễn thị lan", "Nguyễn Thị Lan"),
    ("thu-hà", "Thu-Hà"), ("đặng ánh", "Đặng Ánh"),
    ("Thị lan", "Thị lan"), ("de Rossi", "de Rossi"), ("H'Hen Niê", "H'Hen Niê"),
    ("h'hen niê", "H'Hen Niê"), ("k'bình", "K'Bình"), ("h’bơ", "H’Bơ"),
])
def test_a_name_typed_in_lower_case_is_capitalised(typed: str, shown: str) -> None:
    assert capitalised(typed) == shown


@pytest.mark.parametrize("name", [
    "Lan", "Tư", "Hiểu", "khoi", "Khôi", "dung", "Dũng", "Võ Thị Sáu", "vo thi sau",
    "Đậu Thị Ái", "ai", "Nhã", "Ba", "bà Tư", "Cô Hoa", "Nguyễn Thị Minh Khai", "Hồng", "hong"])
def test_names_that_look_like_sentence_words_are_still_names(name: str) -> None:
    assert not is_sentence(name)


@pytest.mark.parametrize("text", [
    "gì", "quên mất rồi", "thôi khỏi", "hong nho", "bí mật", "bi mat", "vợ ông Ba", "mẹ",
    "ở xóm đông", "chú Ba bán cà phê", "bà thôi đừng gọi tên", "ai đâu"])
def test_sentence_signs_are_read_in_single_words_and_without_marks(text: str) -> None:
    assert is_sentence(text)
