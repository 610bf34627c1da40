"""Passwords, codes, card and CCCD numbers in a person's words (bot/listening/secret.py)."""

import pytest

from bot.listening import numbers
from bot.listening.secret import MASK, Masked, mask


@pytest.mark.parametrize(("typed", "shown"), [
    ("mật khẩu vneid của tôi là Abc@12345 mà không đăng nhập được",
     "mật khẩu vneid của tôi là •••• mà không đăng nhập được"),
    ("Mật khẩu của bác là 123456, OTP 998877", "Mật khẩu của bác là ••••, OTP ••••"),
    ("mk vneid la abc12345 ma ko dang nhap dc", "mk vneid la •••• ma ko dang nhap dc"),
    ("MẬT KHẨU: Hoa1960!", "MẬT KHẨU: ••••"),
    ("mk: hoahong", "mk: ••••"),  # after ":" any value
    ("pass=Abc123", "pass=••••"),
    ("passcode 123456", "passcode ••••"),
    ("otp483920 ko vao dc", "otp•••• ko vao dc"),
    ("mã OTP của tôi 483920", "mã OTP của tôi ••••"),
    ("483920 là mã OTP của tôi", "•••• là mã OTP của tôi"),
    ("mã 483920", "mã ••••"),
    ("mã pin 1234", "mã pin ••••"),
    ("ma xac thuc la 8821", "ma xac thuc la ••••"),
    ("Mật khẩu là Abc@123.", "Mật khẩu là ••••."),
    ("mat khau cua toi la HoaHong", "mat khau cua toi la ••••"),
    ("thẻ 4111 1111 1111 1111 bị khóa", "thẻ •••• bị khóa"),
    ("số thẻ 4111111111111111", "số thẻ ••••"),
    ("số cccd 001088012345 của tôi", "số cccd •••• của tôi"),
    ("Căn cước công dân: 001088012345", "Căn cước công dân: ••••"),
    # A name right after the words is no password, and does not hide the one that follows.
    ("mật khẩu VNeID của tôi là Abc@12345", "mật khẩu VNeID của tôi là ••••"),
    ("mật khẩu BIDV của tôi là 123456", "mật khẩu BIDV của tôi là ••••"),
    ("mk (vneid) là 123456", "mk (vneid) là ••••"),
    ("mật khẩu là 6 số, mã OTP là 483920", "mật khẩu là 6 số, mã OTP là ••••"),
    # the clause ends at the comma: "123, số" is no amount ("6 số")
    ("Mật khẩu của bác là hoa hong 123, số bác gọi sau",
     "Mật khẩu của bác là ••••, số bác gọi sau"),
    ("Mã OTP xác thực giao dịch của Quý khách là 118204. Tuyệt đối không cung cấp",
     "Mã OTP xác thực giao dịch của Quý khách là ••••. Tuyệt đối không cung cấp"),
])
def test_secrets_are_masked(typed: str, shown: str) -> None:
    assert mask(typed).text == shown and mask(typed).found


@pytest.mark.parametrize("typed", [
    "quên mật khẩu vneid",
    "mật khẩu là gì",
    "mã OTP là 6 chữ số",
    "nhập mật khẩu 2 lần vẫn sai",
    "đổi mật khẩu mới được không",
    "Mật khẩu vneid của tôi, làm sao đổi",
    "mà không được 1234",  # "mà", not "mã"
    "mã OTP gửi về số 0912345678 không nhận được",  # a phone number is no code
    "mã số thuế 0101234567",
    "stk 0071000123457 vietcombank",  # an account number fails the card check
    "gọi 001088012345",  # 12 digits without the words of a CCCD
    "giá vàng 2024 bao nhiêu",
    "mật khẩu vneid bị khóa từ năm 2023 rồi",  # a year further on is no code
])
def test_ordinary_words_are_left_alone(typed: str) -> None:
    assert mask(typed).text == typed and not mask(typed).found


def test_card_and_id_numbers_are_no_codes() -> None:
    assert mask("Mật khẩu: Abc@123").codes and mask("otp 483920").codes
    assert not mask("thẻ 4111 1111 1111 1111").codes and not mask("cccd 001088012345").codes


def test_the_mask_keeps_the_rest_of_the_text_as_typed() -> None:
    # Decomposed diacritics (some keyboards) come back composed; the rest is untouched.
    typed = "Ma\u0323\u0302t kha\u0302\u0309u: Abc@123 nhé"
    assert mask(typed).text == f"Mật khẩu: {MASK} nhé"


@pytest.mark.parametrize(("typed", "shown"), [
    # ":" after the words' owner or after "là" announces the value as "mk:" does.
    ("Mật khẩu của tôi: hoahong", "Mật khẩu của tôi: ••••"),
    ("mật khẩu Zalo: hoahong", "mật khẩu Zalo: ••••"),
    ("mật khẩu mới là: hoahong", "mật khẩu mới là: ••••"),
    # A card's CVV has three digits.
    ("CVV 123", "CVV ••••"),
    ("mã cvv là 123", "mã cvv là ••••"),
])
def test_a_value_after_a_colon_further_on_and_a_cvv_are_masked(typed: str, shown: str) -> None:
    assert mask(typed).text == shown and mask(typed).codes


@pytest.mark.parametrize(("typed", "shown"), [
    ("mã OTP là 483 920", "mã OTP là ••••"),  # typed in groups, as some SMS show it
    ("mã PIN của tôi là 1 2 3 4, quên rồi", "mã PIN của tôi là ••••, quên rồi"),
    ("OTP 483 920.", "OTP ••••."),
])
def test_a_code_typed_in_groups_is_masked(typed: str, shown: str) -> None:
    assert mask(typed).text == shown and mask(typed).codes


@pytest.mark.parametrize("typed", [
    "pin điện thoại 5000 mAh dùng được bao lâu",  # "pin" is also a phone's battery
    "pin 4000 dùng được mấy ngày",
    "điện thoại của tôi pin 5000 mAh",
    "pin điện thoại của tôi là 5000 mAh",
])
def test_a_battery_is_no_pin(typed: str) -> None:
    assert mask(typed).text == typed and not mask(typed).found


def test_a_pin_announced_is_still_masked() -> None:
    assert mask("pin thẻ ATM là 1234").text == "pin thẻ ATM là ••••"
    assert mask("pin: 1234").text == "pin: ••••"


@pytest.mark.parametrize(("typed", "shown"), [
    # A password said in plain words after "là", up to one with a digit, or glued together.
    ("mật khẩu của tôi là hoa hong 123", "mật khẩu của tôi là ••••"),
    ("mat khau cua toi la hoa hong 123 ma khong vao duoc",
     "mat khau cua toi la •••• ma khong vao duoc"),
    ("mk la hoahong", "mk la ••••"),
    ("mk là hoahong nhé cháu", "mk là •••• nhé cháu"),
    ("mk: hoa hong nhé", "mk: •••• nhé"),
    # Digits typed in groups of any size or with dashes.
    ("mã otp của tôi là 483 - 920", "mã otp của tôi là ••••"),
    ("thẻ 4111 11111111 1111", "thẻ ••••"),
    ("cccd 001 088 012 345", "cccd ••••"),
    # The old CMND has 9 digits.
    ("cmnd 012345678", "cmnd ••••"),
    ("Số chứng minh nhân dân: 012 345 678", "Số chứng minh nhân dân: ••••"),
])
def test_plain_words_grouped_digits_and_an_old_cmnd_are_masked(typed: str, shown: str) -> None:
    assert mask(typed).text == shown and mask(typed).found


@pytest.mark.parametrize("typed", [
    "mật khẩu là ngày sinh của tôi",  # says what it is made of, not what it is
    "mật khẩu là tên ứng dụng VNeID à",
    "mật khẩu là sai rồi",
    "mật khẩu là 1 dãy số",
    "không cài ứng dụng từ đường link lạ; chỉ tải VNeID trên CH Play",  # "lạ;" is no "là"
    "cmnd mất rồi, sdt 0912 345 678 gọi giúp tôi",  # a phone number has 10 digits
    "cmnd của tôi hết hạn năm 2025, phí làm 50 000 đồng",
    "tôi chuyển 500 000 đồng ngày 12 3 2025",
    "gọi 0912 345 678 hoặc 0987 654 321",
])
def test_descriptions_phone_numbers_sums_and_dates_stay_readable(typed: str) -> None:
    assert mask(typed).text == typed and not mask(typed).found


@pytest.mark.parametrize(("typed", "shown"), [
    ("Bác học tốt. SĐT bác 0987654321, CCCD 001234567890, mật khẩu vneid là Abc@1234",
     "Bác học tốt. SĐT bác ••••, CCCD ••••, mật khẩu vneid là ••••"),
    ("gọi bác số 0987 654 321 nhé", "gọi bác số •••• nhé"),
    ("zalo bác +84 987.654.321", "zalo bác ••••"),
    ("máy bàn 024 3826 1234", "máy bàn ••••"),
])
def test_phone_numbers_are_masked_only_when_asked(typed: str, shown: str) -> None:
    masked = mask(typed, phones=True)
    assert masked.text == shown and masked.phones
    assert mask(typed).text != shown  # a question or a checked message keeps the number


@pytest.mark.parametrize("typed", [
    "Bác đóng 2.000.000 đồng tiền điện",
    "CCCD 079123456789 bác mang theo",  # a CCCD, masked as one, is no phone number
    "ngày 12/12/2025 bác học 3 bài, 45 phút",
    "mã KH PD01000123456",
    "Tiền điện của KH PE0400012345 là 512.340 đồng",  # a code holding 10 digits from 0
    "stk 0071000123457 vietcombank",  # 13 digits: an account
])
def test_sums_dates_and_other_numbers_are_no_phone_numbers(typed: str) -> None:
    assert not mask(typed, phones=True).phones


@pytest.mark.parametrize(("typed", "runs"), [
    # Runs too long for any card: the old pattern tried each way of splitting them into
    # groups (5 s for the first text, the event loop blocked meanwhile).
    (("1" * 56 + "\n") * 35, ["1" * 56] * 35),
    (("1" * 55 + " a ") * 35, ["1" * 55] * 35),
    ("1" * 2000, ["1" * 2000]),
    ("12 " * 650, [("12 " * 650).strip()]),
])
def test_long_digit_runs_are_one_number_each_and_no_card(typed: str, runs: list[str]) -> None:
    # Each run is matched once, whole, and its digits counted afterwards.
    assert [run for run, _ in numbers.runs(typed)] == runs
    assert mask(typed, phones=True) == Masked(typed, False)


def test_a_card_after_a_long_run_of_digits_is_masked() -> None:
    text = "Số thẻ của bác: 4111 1111 1111 1111. " + "Ghi chú 12 34 56 78 90 " * 80
    masked = mask(text)
    assert masked.text.startswith(f"Số thẻ của bác: {MASK}. Ghi chú 12 34") and masked.found
    assert masked.text.count(MASK) == 1


@pytest.mark.parametrize(("typed", "shown"), [
    ("Gọi cháu số 0912 - 345 - 678 nhé", "Gọi cháu số •••• nhé"),
    ("(0912) 345 678", "••••"),
    ("0912_345_678", "••••"),
    ("84912345678", "••••"),
    ("+84 (0) 912 345 678", "••••"),
    ("bài 3, số bác 0912 345 678", "bài 3, số bác ••••"),
    ("tài xế Hùng (0912345678) gọi", "tài xế Hùng (••••) gọi"),
    # Read out in words, as a mentor types what was said on the phone.
    ("số bác không chín tám bảy, sáu năm bốn ba hai một nhé", "số bác •••• nhé"),
    ("sdt bac khong chin 12 ba bon nam sau bay", "sdt bac ••••"),
])
def test_phone_numbers_however_grouped_are_masked(typed: str, shown: str) -> None:
    masked = mask(typed, phones=True)
    assert masked.text == shown and masked.phones


@pytest.mark.parametrize("typed", [
    "Gặp bác ngày 03.12.2026 10 giờ, học xong bài 2",  # a date and an hour make ten digits
    "Hẹn bác ngày 10-12-2026 9 giờ",
    "Mã hồ sơ 0400012345 đã nộp",  # no 10-digit number starts with 04
])
def test_dates_and_codes_are_no_phone_numbers(typed: str) -> None:
    assert mask(typed, phones=True) == Masked(typed, False)


@pytest.mark.parametrize("typed", [
    "mật khẩu: bác quên rồi",  # it tells of the password, gives none
    "Mật khẩu: bác đã đổi hôm qua rồi",
    "Mật khẩu VNeID: quên mất rồi, làm sao lấy lại?",
    "mk: quên rồi cháu ơi, giờ làm sao",
    "Số tiền 150 000 000 đồng, cần CMND",  # a sum, not a 9-digit CMND
])
def test_a_forgotten_password_and_a_sum_are_not_masked(typed: str) -> None:
    assert mask(typed) == Masked(typed, False)


def test_a_value_with_an_amount_in_it_is_masked_whole() -> None:
    assert mask("mật khẩu là 12 tháng 5").text == f"mật khẩu là {MASK}"
    assert mask("mk: hoa1960 quên rồi").text == f"mk: {MASK} quên rồi"


@pytest.mark.parametrize("text", [
    "TK 0071000123456 +5,000,000VND luc 07-12-2026 10:15. SD 12,345,678VND",
    "STK: 0071000123456 Vietcombank", "số tài khoản 001088012345 của con",
    "tai khoan so 0071000123456"])
def test_an_account_number_is_no_card_or_cccd_number(text: str) -> None:
    assert mask(text) == Masked(text, False)
