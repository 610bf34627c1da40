"""Names people give themselves: real names pass, links, numbers and formulas never do."""

import pytest

from bot.listening.names import capitalised, is_name


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
