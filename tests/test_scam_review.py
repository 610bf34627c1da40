"""The scam check after a review of the scam-recall rules: everyday genuine messages they
flagged (each must get "no_signs") and the scams they missed, rule by rule."""

import pytest

from bot.listening.scam import asks_for_secret, check


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


# A thanks for what was sent "cho chúng tôi" above a code, a warning about sending one, a code
# handed to the shipper in person: nothing asked.
@pytest.mark.parametrize("text", [
    "Vietcombank: Cảm ơn quý khách đã gửi yêu cầu cho chúng tôi. Mã xác thực của quý khách là "
    "482913",
    "GHN: Cảm ơn bạn đã gửi đánh giá cho chúng tôi. Mã xác nhận đơn hàng của bạn là 582913",
    "Gửi mã OTP cho người lạ là mất hết tiền đấy bác ạ.",
    "Gửi mã xác nhận cho shipper khi nhận hàng nhé",
])
def test_a_code_sent_or_warned_of_is_not_asked(text: str) -> None:
    assert check(text).verdict == "no_signs", _codes(text)


def test_a_mentors_warning_about_sending_a_code_passes_the_guard() -> None:
    assert not asks_for_secret("Gửi mã OTP cho người lạ là mất hết tiền đấy bác ạ.")


@pytest.mark.parametrize("text", [
    "Mã xác thực 482913, quý khách nhắn mã này cho chúng tôi để hoàn tất",
    "Tài khoản của bạn có giao dịch lạ, vui lòng gửi mã OTP cho chúng tôi để xác minh",
    "Gửi mã OTP vừa nhận cho tổng đài viên để hủy giao dịch",
])
def test_a_code_asked_for_us_is_still_a_scam(text: str) -> None:
    assert "otp_request" in _codes(text) and check(text).verdict == "scam", _codes(text)


# Family talk that names a password or a code without asking for it: a gift "cho con", a
# thanks then a warning in the next sentence, a code the bank sent.
@pytest.mark.parametrize("text", [
    "Mẹ mua điện thoại mới cho con rồi, con nhớ đổi mật khẩu nhé",
    "Cháu cảm ơn bà đã cho cháu quà. Bà nhớ đừng đưa mật khẩu cho ai nhé",
    "Anh ơi ngân hàng vừa gửi em mã OTP, em nhập vào app rồi nhé",
])
def test_family_talk_about_a_code_asks_for_none(text: str) -> None:
    assert check(text).verdict == "no_signs", _codes(text)


@pytest.mark.parametrize("text", [
    "Cháu chào bác, bác cho cháu xin mã OTP để cháu làm định danh mức 2 cho bác nhé",
    "Bác đọc cho cháu mã vừa nhận nhé",
    "bác cho cháu xin cái ảnh chụp mặt trước căn cước với mã OTP nhé",
])
def test_a_code_asked_in_family_words_is_still_a_scam(text: str) -> None:
    assert "otp_request" in _codes(text) and check(text).verdict == "scam", _codes(text)


# "Nếu không phải bạn…", "nếu không có nhu cầu…": the "không" negates what follows; only a
# payment's condition before a cut-off is no negation of the threat.
@pytest.mark.parametrize("text", [
    "Facebook: Nếu không phải bạn đăng nhập từ thiết bị lạ, hãy đổi mật khẩu ngay trong ứng "
    "dụng.",
    "Google: Nếu không phải bạn, tài khoản có thể bị khóa, hãy kiểm tra hoạt động trong ứng dụng.",
    "Nếu không có nhu cầu vay vốn, quý khách bỏ qua tin nhắn này",
])
def test_if_not_negates_what_follows(text: str) -> None:
    assert check(text).verdict == "no_signs", _codes(text)


def test_a_cut_off_unless_paid_is_a_threat() -> None:
    text = "Nếu không đóng tiền trong hôm nay, điện nhà bác sẽ bị cắt ngay nhé"
    assert "urgency" in _codes(text), _codes(text)


# Folded, "gặp quá", "gặp qua" (met) are "gấp quá"; a balance notice's memo asks nothing.
@pytest.mark.parametrize("text", [
    "Dạo này con gặp quá nhiều chuyện buồn mẹ ạ",
    "Em đã gặp qua anh ấy một lần rồi",
    "VCB: TK 1234567890 +2,000,000VND luc 10:00. SD 12,000,000VND. ND: tien thuoc cho ba gap lam",
    "Chị gửi giúp em cái giấy xác nhận nhé, gấp lắm ạ",
])
def test_gap_lam_hurries_no_everyday_message(text: str) -> None:
    assert check(text).verdict == "no_signs", _codes(text)


@pytest.mark.parametrize("text", [
    "Điện thoại con hư rồi, má chuyển con 2tr nha, gấp lắm má ơi",
    "Dien thoai con hu roi, ma chuyen con 2tr nha, gap lam ma oi",
])
def test_gap_lam_hurries_a_money_request(text: str) -> None:
    assert "urgency" in _codes(text), _codes(text)


@pytest.mark.parametrize("text", [
    "Chị gửi em ảnh chụp mặt hàng nhé",
    "Anh gửi em ảnh chụp mặt bằng căn nhà nhé",
])
def test_a_photo_of_goods_or_premises_is_no_id_request(text: str) -> None:
    assert check(text).verdict == "no_signs", _codes(text)


@pytest.mark.parametrize("text", [
    "Bác chụp giúp cháu căn cước 2 mặt gửi qua Zalo nhé",
    "Anh gửi em ảnh chụp mặt trước và mặt sau của CCCD nhé",
    "Chị gửi em ảnh chụp khuôn mặt nhé",
])
def test_photos_of_an_id_card_or_a_face_are_asked(text: str) -> None:
    assert "id_request" in _codes(text), _codes(text)


def test_a_childs_own_refund_offers_nothing() -> None:
    text = ("Mẹ ơi con được hoàn tiền vé máy bay rồi, mẹ gửi con số tài khoản để con chuyển "
            "vào nhé")
    assert check(text).verdict == "no_signs", _codes(text)


def test_a_benefit_from_someone_claiming_an_office_asks_the_account() -> None:
    text = "Chào bác, em là cán bộ xã, bác gửi em số tài khoản để em làm hồ sơ nhận trợ cấp nhé"
    assert "account_request" in _codes(text), _codes(text)


# A planned outage, a day named ("ngày 10/12", "ngày mai": folded "ngay"), a time slot: no
# threat; a cut-off "ngay", "vào 17h hôm nay", "nếu không…": one.
@pytest.mark.parametrize("text", [
    "Thông báo: Điện sẽ bị cắt ngày 10/12 từ 8h đến 17h để bảo trì.",
    "EVN SPC thông báo: điện sẽ bị cắt trong thời gian từ 7h đến 16h ngày 12/12 để thi công.",
    "Điện khu mình sẽ bị cắt ngày mai mẹ nhé",
    "Khu vực phường 5 sẽ bị cắt điện ngày 10/12 để bảo trì",
])
def test_a_planned_outage_is_no_threat(text: str) -> None:
    assert check(text).verdict == "no_signs", _codes(text)


@pytest.mark.parametrize("text", [
    "EVN: Dien nha quy khach se bi cat vao 17h hom nay do no cuoc. Lien he 0868123456",
    "Thuê bao của quý khách sẽ bị cắt ngay nếu không cập nhật thông tin. Liên hệ 0868123456",
])
def test_a_cut_off_now_is_a_threat(text: str) -> None:
    assert "urgency" in _codes(text) and check(text).verdict != "no_signs", _codes(text)


def test_points_told_with_the_banks_own_site_are_no_prize_lure() -> None:
    text = "BIDV: Quy khach duoc tang 200 diem thuong. Chi tiet tai bidv.com.vn"
    assert check(text).verdict == "no_signs", _codes(text)


def test_a_forwarding_code_asked_after_an_unrelated_no_is_still_asked() -> None:
    text = "Chị không cần ra cửa hàng, chỉ cần bấm **21*0912345678# là xong ạ"
    assert "call_forward" in _codes(text) and check(text).verdict == "scam", _codes(text)


@pytest.mark.parametrize("text", [
    "Nhà mạng khuyến cáo: tuyệt đối không bấm **21*0912345678# theo hướng dẫn của người lạ.",
    "Nếu có ai bảo bác bấm *#21*0912345678# thì đó là lừa đảo nhé",
    "Đừng bao giờ nhấn **21*0912345678# bác nhé",
])
def test_a_forwarding_code_warned_against_is_not_asked(text: str) -> None:
    assert check(text).verdict == "no_signs", _codes(text)


# Sums typed "1tr5" (a million and a half) or said "hai triệu" are sums.
@pytest.mark.parametrize("text", [
    "Con ơi mẹ đang ở viện, con chuyển mẹ 1tr5 gấp nhé",
    "Me oi con dang o vien, me chuyen con 2tr5 gap nhe",
    "Con ơi mẹ đang ở viện, con chuyển mẹ hai triệu gấp nhé",
])
def test_sums_typed_short_or_in_words_are_asked(text: str) -> None:
    assert "money_request" in _codes(text) and check(text).verdict == "scam", _codes(text)
