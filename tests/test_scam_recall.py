"""The scam check on an outside tester's misses of 2026-12-07: requests written with family
forms of address, sums typed "2tr", "500k", "2 củ", scams with no link, offers at an unknown
site, a call-forwarding code, and genuine notices that point to the sender's own app or office."""

import pytest

from bot.listening.scam import check


def _codes(text: str) -> set[str]:
    return {flag.code for flag in check(text).flags}


# Each message with the flags it must raise; all must be called "Rất có thể là lừa đảo".
@pytest.mark.parametrize(("text", "needs"), [
    # 1. An OTP asked with family forms of address ("cháu", "chú", "bác"), for "định danh mức 2"
    ("Chau chao chu, chu cho chau xin ma OTP de chau lam dinh danh muc 2 cho chu nha",
     {"otp_request"}),
    ("Cháu chào bác, bác cho cháu xin mã OTP để cháu làm định danh mức 2 cho bác nhé",
     {"otp_request"}),
    ("bác gửi cháu mã OTP nhé", {"otp_request"}),
    ("Cháu chào bác, cháu là cán bộ phường, bác cho cháu xin ảnh 2 mặt căn cước và mã OTP để "
     "cháu làm định danh mức 2 cho bác nhé", {"otp_request", "id_request"}),
    # 2. Sums typed "2tr", "500k", "3tr" from a relative whose phone broke
    ("Điện thoại con hư rồi, má chuyển con 2tr nha, gấp lắm má ơi",
     {"money_request", "new_number", "urgency"}),
    ("Điện thoại con hư rồi, má chuyển con 500k nha, gấp lắm má ơi",
     {"money_request", "new_number"}),
    ("Ba oi con Tuan day, dt con hu roi, ba chuyen con 2tr nha", {"money_request", "new_number"}),
    ("Me oi dt con hu roi, me ck con 500k nha", {"money_request", "new_number"}),
    # 3. A refund through a stranger's Zalo, a friend relaying a son's request, ID data for a
    # benefit, an investment promising 30 % a month, a code asked "to lock" the account
    ("Chào chị, em là nhân viên Giao Hàng Nhanh, đơn hàng của chị bị thất lạc trong quá trình "
     "vận chuyển. Chị kết bạn zalo 0901234567 để được hoàn tiền đền bù nhé",
     {"benefit_link", "personal_number"}),
    ("Con chào cô, con là bạn của Hùng con trai cô, Hùng nhờ con nhắn cô chuyển giúp 3 triệu "
     "đóng học phí vào số tài khoản 0123456789, Hùng đang thi nên không nghe máy được ạ",
     {"money_request", "kin_friend"}),
    ("Chào bác, em là cán bộ phường, bác cho em xin số CCCD và ảnh chụp mặt để em làm hồ sơ "
     "nhận trợ cấp người cao tuổi", {"id_request", "account_request"}),
    ("Đầu tư vàng cùng chuyên gia. Lợi nhuận 30%/tháng, cam kết không lỗ. Tham gia nhóm Zalo: "
     "zalo.me/g/abcdef", {"invest"}),
    ("Tài khoản của bạn đang có giao dịch đáng ngờ. Gửi mã xác nhận 6 số vừa nhận được cho "
     "chúng tôi để khóa bảo vệ", {"otp_request"}),
    # 4. A prize, a benefit or a loan to be had at an unknown site
    ("Chúc mừng quý khách đã trúng 1 chỉ vàng SJC trong chương trình tri ân khách hàng. Nhận quà "
     "tại dienmayxanh-quatang.com", {"prize"}),
    ("Bạn được nhận gói hỗ trợ 5tr dành cho người có hoàn cảnh khó khăn. Điền thông tin tại: "
     "ansinh-hotro.org", {"benefit_link"}),
    ("Chào anh, bên em thấy anh có nhu cầu vay. Bạn tải app VayNhanh tại link sau để được "
     "duyệt hồ sơ trong ngày: vaynhanh.app", {"loan", "install_app"}),
    # 5. A relative stuck in hospital asking a sum
    ("Chú ơi cháu Minh đây, cháu đang kẹt ở viện, chú chuyển tạm cháu 3tr vào tk này giúp cháu "
     "nhé 0123456789 Techcombank", {"money_request", "family_emergency"}),
    # 6. A call-forwarding code to dial; a power cut written without diacritics
    ("Em chào chị, em bên nhà mạng, sim của chị sắp bị khóa 2 chiều do chưa chuẩn hóa thông tin, "
     "chị bấm *#21*0912345678# giúp em", {"call_forward"}),
    ("Nha mang thong bao: thue bao sap bi khoa, quy khach bam **21*0987654321# de giu so",
     {"call_forward"}),
    ("Chị nhấn *21*0912 345 678# rồi gọi đi là xong ạ", {"call_forward"}),
    ("[EVN] Quy khach con no tien dien thang 11. Neu khong thanh toan, dien se bi cat trong hom "
     "nay. Lien he 0868123456", {"urgency", "personal_number"}),
])
def test_the_testers_misses_are_called_scams(text: str, needs: set[str]) -> None:
    verdict = check(text)
    assert verdict.verdict == "scam" and needs <= _codes(text), (verdict.verdict, _codes(text))


# 7. Genuine notices: no link, nothing asked, the sender's own app or office named. Flagged:
# the same told with a link to claim it.
@pytest.mark.parametrize(("text", "flagged"), [
    ("Thẻ BHYT của bạn sẽ hết hạn ngày 31/12/2026. Vui lòng gia hạn tại UBND xã hoặc đại lý thu "
     "BHXH gần nhất.", False),
    ("BIDV: Quy khach duoc tang 200 diem thuong SmartBanking. Xem chi tiet trong ung dung BIDV "
     "SmartBanking.", False),
    ("BIDV: Quy khach duoc tang 200 diem thuong, nhan qua tai bidv-quatang.com", True),
    ("Thẻ BHYT của bạn hết hạn hôm nay, gia hạn ngay tại bhyt-giahan.xyz", True),
    # A code to dial told of as a warning, a relative's own gift, a voucher for a relative
    ("Nhà mạng khuyến cáo: tuyệt đối không bấm **21*số điện thoại# theo hướng dẫn của người "
     "lạ.", False),
    ("Mẹ ơi con gửi mẹ 500k tiền chợ rồi nhé", False),
    ("Chú ơi cháu gửi chú mã giảm giá Shopee nhé", False),
    # A friend of the family who asks nothing
    ("Cháu là bạn của Lan, hôm nay cháu ghé thăm bác nhé", False),
    # ... and a lesson that tells how the bank sends the code: nothing asked
    ("Bà ơi ngân hàng sẽ gửi mã OTP về máy, bà chỉ nhập vào ứng dụng thôi", False),
    # Family words that ask for no account's secret: a wifi's password, a password changed
    ("Mẹ ơi cho con hỏi mật khẩu wifi nhà mình là gì", False),
    ("Chị ơi cho em xin mật khẩu wifi nhé", False),
    ("Bác ơi cháu đổi mật khẩu Zalo rồi, bác nhắn cháu qua số này nhé", False),
    # A planned outage is no threat
    ("EVNHANOI thông báo: điện sẽ bị cắt từ 8h đến 17h ngày 10/12 để bảo trì lưới điện.", False),
])
def test_a_notice_is_flagged_only_when_it_links_or_asks(text: str, flagged: bool) -> None:
    assert (check(text).verdict != "no_signs") == flagged, (check(text).verdict, _codes(text))


# The reader's own friend borrowing is `borrow`, not a friend of someone else's.
@pytest.mark.parametrize(("text", "friend"), [
    ("Chị là bạn của em mà, cho chị mượn 2 triệu nhé", False),
    ("Mình là bạn của bạn, cho mình mượn 2 triệu, mai trả", False),
    ("Em là bạn của anh Tuấn, anh Tuấn nhờ em nhắn chị chuyển giúp 2 triệu vào stk 0123456789",
     True),
])
def test_a_friend_of_someone_else_asking_money_is_told_apart(text: str, friend: bool) -> None:
    assert ("kin_friend" in _codes(text)) == friend, _codes(text)
