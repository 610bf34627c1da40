"""The scam check after a review of the scam-recall rules: everyday genuine messages they
flagged (each must get "no_signs") and the scams they missed, rule by rule."""

import pytest

from bot.listening.scam import asks_for_secret, check


def _codes(text: str) -> set[str]:
    return {flag.code for flag in check(text).flags}


@pytest.mark.parametrize("text", [
    # Help or a shop's refund through a Zalo: no money owed as damages through someone's own
    "Quý khách vui lòng liên hệ Zalo 0901234567 để được hỗ trợ.",
    "Mọi thắc mắc xin nhắn Zalo OA Điện Máy Xanh để được hỗ trợ nhanh nhất.",
    "Shop cảm ơn chị đã mua hàng, nếu sản phẩm lỗi chị nhắn Zalo shop 0901234567 để được hoàn "
    "tiền nhé",
    # A thanks for what was sent "cho chúng tôi" above a code, a warning about sending one, a
    # code handed to the shipper in person: nothing asked
    "Vietcombank: Cảm ơn quý khách đã gửi yêu cầu cho chúng tôi. Mã xác thực của quý khách là "
    "482913",
    "GHN: Cảm ơn bạn đã gửi đánh giá cho chúng tôi. Mã xác nhận đơn hàng của bạn là 582913",
    "Gửi mã OTP cho người lạ là mất hết tiền đấy bác ạ.",
    "Gửi mã xác nhận cho shipper khi nhận hàng nhé",
    # Family talk that names a password or a code: a gift "cho con", a thanks then a warning
    # in the next sentence, a code the bank sent
    "Mẹ mua điện thoại mới cho con rồi, con nhớ đổi mật khẩu nhé",
    "Cháu cảm ơn bà đã cho cháu quà. Bà nhớ đừng đưa mật khẩu cho ai nhé",
    "Anh ơi ngân hàng vừa gửi em mã OTP, em nhập vào app rồi nhé",
    # "Nếu không phải bạn…", "nếu không có nhu cầu…": the "không" negates what follows
    "Facebook: Nếu không phải bạn đăng nhập từ thiết bị lạ, hãy đổi mật khẩu ngay trong ứng "
    "dụng.",
    "Google: Nếu không phải bạn, tài khoản có thể bị khóa, hãy kiểm tra hoạt động trong ứng dụng.",
    "Nếu không có nhu cầu vay vốn, quý khách bỏ qua tin nhắn này",
    # Folded, "gặp quá", "gặp qua" (met) are "gấp quá"; a balance notice's memo asks nothing; a
    # favour asked "gấp lắm" is everyday talk
    "Dạo này con gặp quá nhiều chuyện buồn mẹ ạ",
    "Em đã gặp qua anh ấy một lần rồi",
    "VCB: TK 1234567890 +2,000,000VND luc 10:00. SD 12,000,000VND. ND: tien thuoc cho ba gap lam",
    "Chị gửi giúp em cái giấy xác nhận nhé, gấp lắm ạ",
    # Photos of goods or premises
    "Chị gửi em ảnh chụp mặt hàng nhé",
    "Anh gửi em ảnh chụp mặt bằng căn nhà nhé",
    # A child's own refund, the account asked to send money to
    "Mẹ ơi con được hoàn tiền vé máy bay rồi, mẹ gửi con số tài khoản để con chuyển vào nhé",
    # A planned outage, a day named ("ngày 10/12", "ngày mai": folded "ngay"), a time slot
    "Thông báo: Điện sẽ bị cắt ngày 10/12 từ 8h đến 17h để bảo trì.",
    "EVN SPC thông báo: điện sẽ bị cắt trong thời gian từ 7h đến 16h ngày 12/12 để thi công.",
    "Điện khu mình sẽ bị cắt ngày mai mẹ nhé",
    "Khu vực phường 5 sẽ bị cắt điện ngày 10/12 để bảo trì",
    # Points told with the bank's own site
    "BIDV: Quy khach duoc tang 200 diem thuong. Chi tiet tai bidv.com.vn",
    # A call-forwarding code warned against
    "Nhà mạng khuyến cáo: tuyệt đối không bấm **21*0912345678# theo hướng dẫn của người lạ.",
    "Nếu có ai bảo bác bấm *#21*0912345678# thì đó là lừa đảo nhé",
    "Đừng bao giờ nhấn **21*0912345678# bác nhé",
])
def test_an_everyday_message_has_no_signs(text: str) -> None:
    assert check(text).verdict == "no_signs", _codes(text)


@pytest.mark.parametrize(("text", "flag", "verdict"), [
    # Damages through a stranger's own Zalo; a refund alone at a site no brand owns weighs less
    ("Chị kết bạn Zalo 0901234567, bên em hoàn tiền đền bù ngay ạ", "benefit_link", "scam"),
    ("Đơn hàng của anh bị thất lạc, anh add zalo 0901234567 để được bồi thường gấp đôi",
     "benefit_link", "scam"),
    ("Traveloka: Để nhận hoàn tiền vé, vui lòng điền thông tin tại traveloka.com/refund",
     "benefit_link", "suspicious"),
    # A code asked for "us" or in family words
    ("Mã xác thực 482913, quý khách nhắn mã này cho chúng tôi để hoàn tất", "otp_request",
     "scam"),
    ("Tài khoản của bạn có giao dịch lạ, vui lòng gửi mã OTP cho chúng tôi để xác minh",
     "otp_request", "scam"),
    ("Gửi mã OTP vừa nhận cho tổng đài viên để hủy giao dịch", "otp_request", "scam"),
    ("Cháu chào bác, bác cho cháu xin mã OTP để cháu làm định danh mức 2 cho bác nhé",
     "otp_request", "scam"),
    ("Bác đọc cho cháu mã vừa nhận nhé", "otp_request", "scam"),
    ("bác cho cháu xin cái ảnh chụp mặt trước căn cước với mã OTP nhé", "otp_request", "scam"),
    # A cut-off unless paid, now, "vào 17h hôm nay"
    ("Nếu không đóng tiền trong hôm nay, điện nhà bác sẽ bị cắt ngay nhé", "urgency",
     "suspicious"),
    ("EVN: Dien nha quy khach se bi cat vao 17h hom nay do no cuoc. Lien he 0868123456",
     "urgency", "scam"),
    ("Thuê bao của quý khách sẽ bị cắt ngay nếu không cập nhật thông tin. Liên hệ 0868123456",
     "urgency", "suspicious"),
    # "gấp lắm" pressing a money request, with diacritics or without
    ("Điện thoại con hư rồi, má chuyển con 2tr nha, gấp lắm má ơi", "urgency", "scam"),
    ("Dien thoai con hu roi, ma chuyen con 2tr nha, gap lam ma oi", "urgency", "scam"),
    # Photos of an ID card or a face
    ("Bác chụp giúp cháu căn cước 2 mặt gửi qua Zalo nhé", "id_request", "suspicious"),
    ("Anh gửi em ảnh chụp mặt trước và mặt sau của CCCD nhé", "id_request", "suspicious"),
    ("Chị gửi em ảnh chụp khuôn mặt nhé", "id_request", "suspicious"),
    # A benefit from someone claiming an office asks the account
    ("Chào bác, em là cán bộ xã, bác gửi em số tài khoản để em làm hồ sơ nhận trợ cấp nhé",
     "account_request", "suspicious"),
    # A forwarding code asked after an unrelated "không"
    ("Chị không cần ra cửa hàng, chỉ cần bấm **21*0912345678# là xong ạ", "call_forward",
     "scam"),
    # Sums typed "1tr5" (a million and a half) or said "hai triệu"
    ("Con ơi mẹ đang ở viện, con chuyển mẹ 1tr5 gấp nhé", "money_request", "scam"),
    ("Me oi con dang o vien, me chuyen con 2tr5 gap nhe", "money_request", "scam"),
    ("Con ơi mẹ đang ở viện, con chuyển mẹ hai triệu gấp nhé", "money_request", "scam"),
    # Found in the merge's review: "Dạ" folds as "đã" (already sent), the other word order of
    # "cho chúng tôi", and "để nhận hỗ trợ" read as "để được hỗ trợ" (a customer-service line)
    ("Dạ gửi giúp em mã OTP vừa nhận nhé", "otp_request", "scam"),
    ("Da gui giup em ma OTP vua nhan nhe", "otp_request", "scam"),
    ("Dạ gửi cháu mã OTP nhé bác", "otp_request", "scam"),
    ("Nhắn cho chúng tôi mã OTP để hoàn tất", "otp_request", "scam"),
    ("Chúc mừng ông bà đủ điều kiện để nhận hỗ trợ người cao tuổi, liên hệ cán bộ Minh "
     "0901234567", "prize", "scam"),
])
def test_a_scam_is_flagged(text: str, flag: str, verdict: str) -> None:
    assert (check(text).verdict, flag in _codes(text)) == (verdict, True), _codes(text)


def test_a_mentors_warning_about_sending_a_code_passes_the_guard() -> None:
    assert not asks_for_secret("Gửi mã OTP cho người lạ là mất hết tiền đấy bác ạ.")
