"""The scam check after a review of the scam-recall rules: everyday genuine messages they
flagged (each must get "no_signs") and the scams they missed, rule by rule."""

import pytest

from bot.listening.scam import check


def _codes(text: str) -> set[str]:
    return {flag.code for flag in check(text).flags}


# Help or a shop's refund through a Zalo, not money owed as damages through a stranger's own.
@pytest.mark.parametrize("text", [
    "Quý khách vui lòng liên hệ Zalo 0901234567 để được hỗ trợ.",
    "Mọi thắc mắc xin nhắn Zalo OA Điện Máy Xanh để được hỗ trợ nhanh nhất.",
    "Shop cảm ơn chị đã mua hàng, nếu sản phẩm lỗi chị nhắn Zalo shop 0901234567 để được hoàn "
    "tiền nhé",
])
def test_help_or_a_refund_by_zalo_is_no_benefit_claimed(text: str) -> None:
    assert check(text).verdict == "no_signs", _codes(text)


@pytest.mark.parametrize(("text", "verdict"), [
    ("Chị kết bạn Zalo 0901234567, bên em hoàn tiền đền bù ngay ạ", "scam"),
    ("Đơn hàng của anh bị thất lạc, anh add zalo 0901234567 để được bồi thường gấp đôi", "scam"),
    # a refund alone at a site no brand owns weighs less than an allowance there
    ("Traveloka: Để nhận hoàn tiền vé, vui lòng điền thông tin tại traveloka.com/refund",
     "suspicious"),
])
def test_damages_by_a_strangers_zalo_are_a_benefit_claimed(text: str, verdict: str) -> None:
    assert (check(text).verdict, "benefit_link" in _codes(text)) == (verdict, True), _codes(text)
