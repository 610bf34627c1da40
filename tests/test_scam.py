"""The scam check: the labelled messages reach their targets, genuine notices pass, tricks
of typing are undone, and every flag is worded and linked in content/scam/flags.yaml."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.lessons.flags import CODES, load_flag_rules
from bot.listening.scam import (
    Verdict,
    _default,
    check,
    clauses,
    fold,
    has_contact,
    has_link,
    load_checker,
    registrable,
)
from bot.listening.story import asked_money, gave_access, held_back, paid, scammed, told
from tests.conftest import CONTENT_DIR
from tests.test_content import check_content

DATA = Path(__file__).parent / "data"


def _messages(name: str) -> list[dict[str, str]]:
    return yaml.safe_load((DATA / name).read_text(encoding="utf-8"))["messages"]


def _scores(name: str) -> tuple[float, float]:
    """Recall and precision: "scam" and "suspicious" both count as flagged."""
    hits = false_alarms = misses = 0
    for message in _messages(name):
        flagged = check(message["text"]).verdict != "no_signs"
        bad = message["label"] != "legit"
        hits += flagged and bad
        false_alarms += flagged and not bad
        misses += bad and not flagged
    return hits / (hits + misses), hits / (hits + false_alarms)


def test_the_labelled_set_is_large_varied_and_sourced() -> None:
    data = yaml.safe_load((DATA / "messages.yaml").read_text(encoding="utf-8"))
    messages = data["messages"] + _messages("messages_heldout.yaml")
    assert len(messages) >= 300
    assert {message["label"] for message in messages} == {"scam", "suspicious", "legit"}
    assert all(message["source"] in data["sources"] for message in messages)
    assert len({message["id"] for message in messages}) == len(messages)
    typed = [message["text"] for message in messages]
    assert sum(fold(text) == text.lower() for text in typed) >= 100  # without diacritics


@pytest.mark.parametrize("name", ["messages.yaml", "messages_heldout.yaml"])
def test_recall_and_precision_reach_the_targets(name: str) -> None:
    recall, precision = _scores(name)
    assert recall >= 0.85 and precision >= 0.90, (recall, precision)


@pytest.mark.parametrize("text", [
    "Ma OTP cua Quy khach la 482915. Tuyet doi KHONG cung cap ma OTP cho bat ky ai. Vietcombank",
    "VNeID: Mã kích hoạt tài khoản định danh điện tử của bạn là 473829. Không cung cấp mã này.",
    "TK 1903xxxx5678 +2,000,000VND luc 14:22 05/12/2026. SD: 15,420,000VND. ND: NGUYEN THI AN",
    "GHN: Don hang GHN123456VN cua ban dang duoc giao. Tra cuu tai ghn.vn",
    "EVNHANOI: tiền điện tháng 11 của mã KH PD01000123456 là 512.340 đồng. Trân trọng.",
    "Viettel tang 50% gia tri the nap ngay 06/12. Chi tiet LH 198. Tu choi QC soan TC gui 199.",
    "Con chuyển cho mẹ 2 triệu tiền chợ rồi nhé.",
    "Shopee: đơn hàng 2512ABC đã giao thành công. Đánh giá sản phẩm tại shopee.vn",  # no "evn"
])
def test_genuine_messages_are_not_flagged(text: str) -> None:
    verdict = check(text)
    assert verdict.verdict == "no_signs" and verdict.flags == ()


@pytest.mark.parametrize(("text", "code"), [
    ("Vui long cung cap ma OTP de ngan hang hoan tien", "otp_request"),
    ("Vui long cung cap m.a O.T.P de ngan hang hoan tien", "otp_request"),
    ("Vui long cung cap O T P de ngan hang hoan tien", "otp_request"),
    ("Vui lòng cung cấp mật khẩu cho nhân viên", "otp_request"),
    ("V.u.i l.o.n.g c.u.n.g c.a.p m.a.t k.h.a.u", "otp_request"),
    ("Vu1 l0ng cung c4p m4t khau", "otp_request"),
    ("Vui lòng сung сấр mã ОТР", "otp_request"),  # Cyrillic с, р, О, Т, Р
    ("Ｖｕｉ ｌòｎｇ ｃｕｎｇ ｃấｐ ｍã ＯＴＰ", "otp_request"),  # full-width
    ("Vui l\u200bòng cung c\u200bấp mã OTP", "otp_request"),  # invisible spaces
    ("Vietcombank: xác thực tại https://vietcornbank.com.vn/login", "link_fake"),
    ("Vietcombank: xác thực tại https://vcb-xacthuc.com", "link_fake"),
    ("Cập nhật VNeID tại vneid-gov.com", "link_fake"),
    ("Xem tại http://103.45.12.8/vneid", "link_ip"),
    ("Tải về http://capnhat.com/VNeID.apk", "link_apk"),
    ("Tải app: vaytien-nhanh.apk", "link_apk"),
    ("Xem ngay bit.ly/abc123", "link_short"),
    ("Nhà cái uy tín, nạp lần đầu tặng 100%", "gambling"),
])
def test_each_trick_of_typing_still_raises_its_flag(text: str, code: str) -> None:
    assert code in [flag.code for flag in check(text).flags]


def test_an_official_domain_is_no_red_flag() -> None:
    verdict = check("Vietcombank: ưu đãi mới, xem tại https://www.vietcombank.com.vn/uu-dai")
    assert verdict.verdict == "no_signs"
    assert registrable("portal.vietcombank.com.vn") == "vietcombank.com.vn"
    assert registrable("vcb-doiqua.vip") == "vcb-doiqua.vip"


def test_a_verdict_explains_each_flag_and_names_its_lessons(library) -> None:  # type: ignore[no-untyped-def]
    verdict = check("[BIDV] Tài khoản của Quý khách sẽ bị tạm khóa sau 24h. "
                    "Vui lòng xác thực tại bidv-sinhtrachoc.top")
    assert verdict.verdict == "scam" and verdict.label == "Rất có thể là lừa đảo"
    codes = [flag.code for flag in verdict.flags]
    assert codes[0] == "link_fake" and {"urgency", "link_odd", "claim_bank"} <= set(codes)
    assert all(flag.explain for flag in verdict.flags)
    lessons = library.lesson_ids()
    assert verdict.lessons and all(
        ref.split("/")[1] in lessons[ref.split("/")[0]] for ref in verdict.lessons)


def test_no_signs_never_says_safe() -> None:
    rules = load_flag_rules(CONTENT_DIR)
    verdict = check("Chiều mai họp tổ dân phố nhé.")
    assert verdict.verdict == "no_signs" and verdict.label == "Chưa thấy dấu hiệu lừa đảo"
    assert "OTP" in verdict.reminder and "156" in verdict.advice
    assert "an toàn" not in (rules.verdicts["no_signs"] + rules.verdicts["reminder"]).lower()


def test_every_flag_the_checker_raises_is_worded() -> None:
    rules = load_flag_rules(CONTENT_DIR)
    assert set(rules.flags) == set(CODES)
    assert all(flag.explain and flag.lessons for flag in rules.flags.values())


def test_content_check_names_a_flag_lesson_that_does_not_exist(content_copy: Path) -> None:
    path = content_copy / "scam" / "flags.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "lessons: [lua-dao/trung-thuong]", "lessons: [lua-dao/khong-co]"), encoding="utf-8")
    _, problems = check_content(content_copy)
    assert problems == ["content/scam/flags.yaml: flags.prize.lessons: no lesson "
                        "'lua-dao/khong-co'"]


def test_content_check_refuses_a_no_signs_verdict_that_says_safe(content_copy: Path) -> None:
    path = content_copy / "scam" / "flags.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "no_signs: Chưa thấy dấu hiệu lừa đảo", "no_signs: Tin nhắn an toàn"), encoding="utf-8")
    _, problems = check_content(content_copy)
    assert len(problems) == 1 and "verdicts.no_signs" in problems[0]


def test_a_brand_added_to_the_file_is_checked_without_code(content_copy: Path) -> None:
    path = content_copy / "scam" / "flags.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "  - {name: Ngân hàng Bắc Á, kind: bank, "
                    "words: [bac a bank], domains: [baca-bank.vn]}\n", encoding="utf-8")
    checker = load_checker(content_copy)
    assert checker.check("Bac A Bank: uu dai tai https://baca-bank.vn").verdict == "no_signs"
    assert "link_fake" in [flag.code for flag in checker.check(
        "Bac A Bank: dang nhap tai https://bacabank-login.com").flags]


def test_every_flag_and_verdict_has_its_english_words() -> None:
    rules = load_flag_rules(CONTENT_DIR)
    assert rules.untranslated("en") == []
    verdict = load_checker(CONTENT_DIR).check(
        "[BIDV] Tài khoản của Quý khách sẽ bị tạm khóa sau 24h. Vui lòng xác thực tại "
        "bidv-sinhtrachoc.top", locale="en")
    assert verdict.label == "Very likely a scam" and "156" in verdict.advice
    assert verdict.flags[0].explain.startswith("The link is not the real website")
    # The lessons are flags.yaml's, whatever the language.
    assert verdict.lessons == check(
        "[BIDV] Tài khoản của Quý khách sẽ bị tạm khóa sau 24h. Vui lòng xác thực tại "
        "bidv-sinhtrachoc.top").lessons


def test_content_check_names_a_flag_without_its_english_sentence(content_copy: Path) -> None:
    path = content_copy / "scam" / "flags.en.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("  gambling:\n")
    path.write_text(text[:start] + text[text.index("  recovery:\n"):], encoding="utf-8")
    _, problems = check_content(content_copy)
    assert problems == ["content/scam/flags.en.yaml: flags.gambling.explain: missing (learners "
                        "reading en would get Vietnamese)"]


def test_content_check_refuses_lessons_in_a_translation(content_copy: Path) -> None:
    path = content_copy / "scam" / "flags.en.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "    explain: The message claims to be a phone company;",
        "    lessons: [lua-dao/lua-sim]\n    explain: The message claims to be a phone company;"),
        encoding="utf-8")
    _, problems = check_content(content_copy)
    assert len(problems) == 1 and "flags.claim_telecom: must have `explain`" in problems[0]


def test_clauses_undo_typing_tricks() -> None:
    assert clauses(fold("Đọc m.a O.T.P! Gửi m a t k h a u")) == ["doc ma otp", "gui matkhau"]


def test_check_message_reads_json_lines_and_writes_one_verdict_each(tmp_path: Path) -> None:
    lines = [{"id": "a", "text": "Vui long cung cap ma OTP de mo khoa tai khoan"},
             {"id": 2, "text": "Chiều mai họp tổ dân phố nhé."}]
    stdin = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\nnot json\n"
    run = subprocess.run([sys.executable, "-m", "bot", "check-message"], input=stdin,
                         capture_output=True, text=True, check=False, cwd=tmp_path,
                         env={**os.environ, "HOCSO_CONTENT_DIR": str(CONTENT_DIR)})
    assert run.returncode == 0 and run.stderr == "", run.stderr  # nothing logged, no text quoted
    first, second, third = (json.loads(line) for line in run.stdout.splitlines())
    assert first["id"] == "a" and first["verdict"] == "scam"
    assert first["flags"][0] == {"code": "otp_request",
                                 "explain": load_flag_rules(CONTENT_DIR).flags[
                                     "otp_request"].explain}
    assert first["lessons"][0] == {"course": "an-toan-tk", "lesson": "ma-otp",
                                   "title": "Giữ kín mã OTP"}
    assert second == {"id": 2, "verdict": "no_signs", "flags": [], "lessons": []}
    assert third["id"] is None and "error" in third


# Issue 20 §2, a resident's findings: the forms official warnings describe, each flagged and
# explained by the flag that is true of it.
@pytest.mark.parametrize(("text", "codes", "lesson"), [
    ("Bố ơi con bị tai nạn đang ở bệnh viện, bố chuyển 20 triệu cho bạn con",
     {"family_emergency", "money_request"}, "lua-dao/nguoi-than"),
    ("Mẹ ơi con bị công an bắt, mẹ chuyển 50 triệu vào tài khoản 0987654321 để con được thả, "
     "đừng nói với bố", {"family_emergency", "money_request", "secrecy"}, "lua-dao/nguoi-than"),
    ("Tôi là người chuyển nhầm 5 triệu vào tài khoản của bác, bác vui lòng chuyển lại giúp tôi "
     "vào STK 0123456789 nhé", {"wrong_transfer", "money_request"}, "thanh-toan/chuyen-nham"),
    ("Thông báo: người cao tuổi được nhận trợ cấp 2 triệu đồng. Đăng ký nhận tại "
     "https://trocap-nguoicaotuoi.vn", {"benefit_link"}, "lua-dao/huu-tri"),
    ("chuyển 20 triệu vào tài khoản này", {"money_request"}, "thanh-toan/kiem-tra"),
    ("Bo oi con bi tai nan, bo chuyen 20 trieu cho ban con stk 0987654321 nhe",
     {"family_emergency", "money_request"}, "lua-dao/nguoi-than"),
    ("Con đổi số mới rồi, mẹ chuyển cho con 5 triệu vào tài khoản ngân hàng này nhé, có gì "
     "mẹ nhắn Zalo số 0912345678 cho con", {"new_number", "money_request"}, "lua-dao/nguoi-than"),
])
def test_a_relative_a_wrong_transfer_or_a_benefit_asking_for_money_is_flagged(
        text: str, codes: set[str], lesson: str) -> None:
    verdict = check(text)
    found = {flag.code for flag in verdict.flags}
    assert verdict.verdict != "no_signs" and codes <= found, (verdict.verdict, found)
    assert lesson in verdict.lessons


@pytest.mark.parametrize("text", [
    "mẹ ơi chiều con về muộn",
    "Mẹ ơi chiều con về muộn, mẹ cứ ăn cơm trước nhé",
    "con chuyển cho mẹ 2 triệu rồi nhé",
    "Mẹ ơi con chuyển cho mẹ 2 triệu tiền điện rồi nhé",
    "Con ơi mẹ chuyển cho con 3 triệu rồi đấy, con xem tài khoản nhé",
    "Vietcombank: TK 0491xxxx512 +5,000,000VND luc 19:02 06/12. SD 12,340,000VND. "
    "ND: NGUYEN VAN AN CHUYEN TIEN CHO BO",
    "BIDV: Quy khach vua nhan 2.000.000 VND vao TK 1234xxxx tu NGUYEN THI HOA. ND: con gui me",
    "Bố ơi con đến bệnh viện thăm ông rồi, ông khỏe hơn nhiều, bố yên tâm nhé",
])
def test_a_relatives_everyday_message_and_a_received_transfer_are_not_flagged(
        text: str) -> None:
    verdict = check(text)
    assert verdict.verdict == "no_signs" and verdict.flags == (), [f.code for f in verdict.flags]


@pytest.mark.parametrize("preface", [
    "Con ơi mẹ nhận được tin nhắn này có sao không: ",
    "Tôi vừa nhận được tin nhắn như sau, có phải lừa đảo không?\n",
    "cháu xem giúp bà tin này với: ",
    "Con ơi mẹ nhận được tin nhắn này có sao không ",  # no stop before the message
])
def test_the_residents_own_words_around_a_message_do_not_dilute_it(preface: str) -> None:
    message = "Bạn đã trúng thưởng 50 triệu, nhận tại http://qua-tang-vn.xyz"
    alone, quoted = check(message), check(preface + message)
    assert alone.verdict == "scam" and "prize" in [flag.code for flag in alone.flags]
    assert (quoted.verdict, quoted.flags) == (alone.verdict, alone.flags)
    after = check(message + "\nCó phải lừa đảo không con?")
    assert (after.verdict, after.flags) == (alone.verdict, alone.flags)


@pytest.mark.parametrize("text", [
    "Anh chuyển tiền cọc 2 triệu vào tài khoản 1903456789 tại Vietinbank giúp em nhé",
    "Chị chuyển trước 500k phí ship vào stk 0451000123456 Techcombank nhé",
    "Mẹ chuyển gấp 10 triệu vào tài khoản ngân hàng của bạn con nhé",
])
def test_the_bank_of_the_account_to_pay_is_no_claim_to_be_a_bank(text: str) -> None:
    codes = [flag.code for flag in check(text).flags]
    assert "money_request" in codes and "claim_bank" not in codes, codes


def test_someone_asking_to_borrow_is_not_a_loan_offer() -> None:
    asked = check("Chị ơi cho em vay 3 triệu, mai em trả")
    codes = [flag.code for flag in asked.flags]
    assert asked.verdict == "suspicious" and codes == ["borrow"], codes
    offer = [flag.code for flag in check("Vay 50 triệu không thế chấp, giải ngân trong ngày, "
                                         "chỉ cần CCCD. Liên hệ Zalo 0912345678").flags]
    assert "loan" in offer and "borrow" not in offer


def test_a_new_number_asking_for_money_is_no_office_with_a_personal_number() -> None:
    verdict = check("Con đổi số mới rồi, mẹ chuyển cho con 5 triệu vào tài khoản ngân hàng này "
                    "nhé, có gì mẹ nhắn Zalo số 0912345678 cho con")
    codes = [flag.code for flag in verdict.flags]
    assert "new_number" in codes and "personal_number" not in codes, codes
    assert "claim_bank" not in codes


def test_a_sign_added_to_the_file_is_read_without_code(content_copy: Path) -> None:
    path = content_copy / "scam" / "flags.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("  borrowing: [", "  borrowing: [ung truoc giup, "),
                    encoding="utf-8")
    codes = [flag.code for flag in load_checker(content_copy).check(
        "Anh ơi ứng trước giúp em 2 triệu nhé").flags]
    assert "borrow" in codes, codes


def test_content_check_names_a_missing_or_unknown_list_of_signs(content_copy: Path) -> None:
    path = content_copy / "scam" / "flags.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("  borrowing: [")
    end = text.index("\n  #", start)
    path.write_text(text[:start] + "  lending: [cho vay]" + text[end:], encoding="utf-8")
    _, problems = check_content(content_copy)
    assert sorted(problems) == [
        "content/scam/flags.yaml: signs.borrowing: must list phrases in lower case without "
        "diacritics",
        "content/scam/flags.yaml: signs.lending: unknown (the checker reads preface, relatives, "
        "emergency, new_number, borrowing, wrong_transfer, benefits)"]


def test_every_flag_has_its_name_on_the_organizers_dashboard() -> None:
    from bot.admin.report import FLAG_NAMES

    assert set(CODES) <= set(FLAG_NAMES), set(CODES) - set(FLAG_NAMES)


@pytest.mark.parametrize("text", [
    "Mẹ ơi con bị mất ví rồi, chiều con về lấy tiền nhé",
    "Bà ơi cháu bị mất chìa khóa, bà ở nhà không ạ",
    "Bố ơi con bị mất điện thoại, đây là số mới của con, bố lưu lại nhé",
    "Con ơi mẹ chuyển con 3 triệu tiêu Tết nhé",  # the mother writes: she sends
])
def test_something_lost_is_no_secret_and_a_parent_sending_asks_nothing(text: str) -> None:
    verdict = check(text)  # folded, "bị mất" (lost) reads "bí mật" (secret)
    assert verdict.verdict == "no_signs", [flag.code for flag in verdict.flags]


@pytest.mark.parametrize("text", [
    "Mẹ ơi con đổi số mới, mẹ chuyển con 5 triệu gấp nhé",
    "Anh ơi em bị mất điện thoại rồi, đây là số mới, anh chuyển em 3 triệu nhé",
])
def test_a_new_number_asking_a_sum_without_cho_is_flagged(text: str) -> None:
    verdict = check(text)  # "chuyển con 5 triệu": whom, without "cho"
    assert verdict.verdict == "scam", [flag.code for flag in verdict.flags]
    assert {"money_request", "new_number"} <= {flag.code for flag in verdict.flags}
    assert "secrecy" not in {flag.code for flag in verdict.flags}


@pytest.mark.parametrize(("text", "link"), [
    ("Bác học xong bài chưa.Có gì bác hỏi cháu nhé", False),
    ("Bác ơi.Me cháu gửi lời hỏi thăm", False),
    ("Bài hôm nay hay lắm ạ.Cố lên bác", False),
    ("Bác vào Shopee.vn nhé", True),
    ("Vcb-Doiqua.Vip", True),
    ("bít.ly/abc", True),
    ("vào vcb-đổiquà.vip nhé", True),
    ("Vào 103.125.190.11 nhé", True),
    ("Số dư 2.000.000.000 đồng", False),  # an amount, not an address: no address has "000"
])
def test_has_link_tells_two_sentences_from_a_domain(text: str, link: bool) -> None:
    assert has_link(text) is link


@pytest.mark.parametrize(("text", "contact"), [
    ("vneid-capnhat。com", True),  # U+3002: a browser reads it as a dot
    ("vneid-capnhat．com", True), ("vneid[.]com", True), ("vneid (.) com", True),
    ("vneid dot com", True), ("vneid chấm vn", True), ("vneid . com", True),
    ("v n e i d - g o v . c o m", True), ("vneid[.]apk", True), ("tai vay-nhanh.apk", True),
    ("Bac goi ngay cho chau so 0912 345 678 de cai VNeID ban moi", True),
    ("goi 0 9 1 2 3 4 5 6 7 8 nhe", True), ("tong dai 024 3825 1234", True),
    ("+84 912 345 678", True), ("ib @hotro_vneid", True),
    ("Hẹn bác ngày 07.12.2026 nhé", False), ("Mai 9 giờ cháu qua, bài 2 ạ", False),
    ("Bác học xong bài chưa.Có gì bác hỏi cháu nhé", False), ("Bác chăm com lắm", False),
    ("Bác nhớ mk vneid là Lan@1960 nhé", False),
    # A date and an hour make nine digits or more, a phone number's shape; a sum is none.
    ("Hẹn bác ngày 10.12.2026 8 giờ nhé", False), ("Hẹn bác ngày 10-12-2026 9h", False),
    ("Gọi cháu số 0912 - 345 - 678 nhé", True), ("(0912) 345 678", True),
    ("0912_345_678", True), ("0912/345/678", True), ("0912,345,678", True),
    ("0️⃣9️⃣1️⃣2️⃣3️⃣4️⃣5️⃣6️⃣7️⃣8️⃣", True), ("09l2345678", True), ("84912345678", True),
    ("+84 (0) 912 345 678", True),
])
def test_has_contact_sees_links_and_numbers_however_written(text: str, contact: bool) -> None:
    assert has_contact(text) is contact


@pytest.mark.parametrize("text", [
    # "tại ứng dụng" folds to "tải ứng dụng", "tăng 8%" to "tặng 8": both were a scam.
    "BHXH Viet Nam: Tu 1/7/2026 luong huu tang 8%. Tra cuu tai ung dung VssID hoac "
    "baohiemxahoi.gov.vn",
    "Giá điện tăng 4,8% từ tháng 5, EVN thông báo. Chi tiết evn.com.vn",
    "Tải ứng dụng VNeID tại vneid.gov.vn để kích hoạt tài khoản định danh",
])
def test_an_official_notice_of_a_rise_or_its_app_is_not_flagged(text: str) -> None:
    verdict = check(text)
    assert verdict.verdict == "no_signs", [flag.code for flag in verdict.flags]


def test_a_gift_of_a_percentage_and_an_app_from_a_fake_site_still_are() -> None:
    gift = check("Chúc mừng bạn được tặng 50% giá trị thẻ nạp, nhận ngay tại nap-the.xyz")
    assert "prize" in [flag.code for flag in gift.flags]
    app = check("Tải ứng dụng tại vneid-gov.com để cập nhật định danh")
    assert "install_app" in [flag.code for flag in app.flags]


def test_a_last_sentence_asking_money_is_the_message_not_the_residents_question() -> None:
    # Its "xem giúp" is a preface phrase: the whole ask was left out as the resident's words.
    verdict = check("Mẹ ơi con bị tai nạn. Mẹ chuyển 20 triệu vào stk 0123456789 xem giúp con nhé")
    assert verdict.verdict == "scam", [flag.code for flag in verdict.flags]
    assert "money_request" in [flag.code for flag in verdict.flags]


def test_a_preface_phrase_deep_in_the_message_leaves_the_message_whole() -> None:
    # "có sao không" (are you all right) ends a phrase of the residents' prefaces: all that
    # came before it was left out as their own words.
    verdict = check("Mẹ ơi con bị tai nạn phải mổ gấp, mẹ chuyển ngay cho con ít tiền viện "
                    "phí, mẹ có sao không thì nhắn con nhé")
    assert {"money_request", "family_emergency"} <= {flag.code for flag in verdict.flags}


@pytest.mark.parametrize("text", [
    # Money already on its way, seen on the sender's own site: nothing is claimed at a link.
    "MoMo: Bạn nhận được hoàn tiền 15.000đ từ ưu đãi. Xem tại momo.vn",
    "Lazada: Yêu cầu hoàn tiền của bạn đã được xác nhận, số tiền 250.000đ sẽ về tài khoản "
    "trong 3-5 ngày. Chi tiết: lazada.vn",
])
def test_a_refund_already_made_is_no_benefit_claimed_at_a_link(text: str) -> None:
    verdict = check(text)
    assert verdict.verdict == "no_signs", [flag.code for flag in verdict.flags]


# Issue 20 §2, known misses: a friend's taken account borrowing, a relative's broken phone,
# "qua ngân hàng" read as a bank; each with and without diacritics.
@pytest.mark.parametrize("text", [
    "Mày ơi cho tao mượn 2 triệu, mai tao trả nhé",
    "May oi cho tao muon 2 trieu, mai tao tra nhe",
    "Ê cho tui mượn ít tiền, tui đang kẹt quá",
    # A question's "không," negates nothing after the comma.
    "Bạn ơi đang rảnh không, cho mình mượn 3 triệu, mai mình trả",
    "Ban oi dang ranh khong, cho minh muon 3 trieu, mai minh tra",
])
def test_a_friend_asking_to_borrow_is_flagged(text: str) -> None:
    verdict = check(text)
    assert "borrow" in [flag.code for flag in verdict.flags], verdict.verdict


@pytest.mark.parametrize("text", [
    "Điện thoại mẹ hỏng rồi, đây là số mới của mẹ. Con chuyển cho mẹ 5 triệu nhé",
    "Dien thoai me hong roi, day la so moi cua me. Con chuyen cho me 5 trieu nhe",
    "Dien thoai bo bi hong nen bo nhan bang so nay, con ck cho bo 3 trieu",
    "Cháu ơi bác đổi số rồi, cháu chuyển cho bác 2 triệu vào tài khoản này nhé",
])
def test_a_relative_whose_phone_broke_asking_money_is_flagged(text: str) -> None:
    verdict = check(text)  # the one whose phone broke writes: "con" is the reader
    assert verdict.verdict == "scam", [flag.code for flag in verdict.flags]
    assert {"money_request", "new_number"} <= {flag.code for flag in verdict.flags}


@pytest.mark.parametrize("text", [
    # Paying one's own bill names no sum and no account: no money asked for the writer.
    "Mẹ ơi điện thoại con bị hỏng, con đang mang ra tiệm sửa, tối con gọi lại mẹ nhé. Mẹ nhớ "
    "đóng tiền điện nha.",
    "Bố đang nằm viện. Con nhớ chuyển khoản tiền điện cho bố tháng này nhé.",
    # "tuyệt đối không, …," and "không," opening a clause negate what follows the aside.
    "Ngân hàng khuyến cáo: Quý khách tuyệt đối không, dưới bất kỳ hình thức nào, cung cấp mã "
    "OTP cho người khác.",
    "Bác nhớ nhé: tuyệt đối không, kể cả với người thân, đọc mã OTP qua điện thoại.",
])
def test_a_bill_of_ones_own_and_a_warning_with_an_aside_are_not_flagged(text: str) -> None:
    verdict = check(text)
    assert verdict.verdict == "no_signs", [flag.code for flag in verdict.flags]


def test_a_bill_paid_to_an_account_with_a_sum_in_an_emergency_still_is() -> None:
    verdict = check("Bố đang nằm viện. Con chuyển khoản tiền điện 2 triệu vào stk 0123456789 "
                    "cho bố nhé.")
    assert verdict.verdict == "scam", [flag.code for flag in verdict.flags]
    assert check("Bạn rảnh không, cho mình mượn 3 triệu").verdict != "no_signs"


@pytest.mark.parametrize("text", [
    "Điện thoại mẹ hỏng rồi, đây là số mới của mẹ nhé con",  # asks nothing yet
    "Điện thoại con hỏng rồi, đây là số mới của con, con chuyển cho mẹ 2 triệu rồi nhé",
    "Cô chuyển tiền qua ngân hàng giúp cháu nhé",  # was "claims to be a bank"
    "Co chuyen tien qua ngan hang giup chau nhe",
])
def test_a_new_number_alone_or_paying_through_a_bank_is_not_flagged(text: str) -> None:
    verdict = check(text)
    assert verdict.verdict == "no_signs", [flag.code for flag in verdict.flags]


def test_a_balance_of_a_billion_written_with_dots_is_no_address() -> None:
    assert check("VCB: Số dư TK 0123456789 +1.250.000.000 VND lúc 10:21").verdict == "no_signs"


def test_a_bank_paid_through_is_no_claim_and_a_bank_writing_still_is() -> None:
    borrowed = [flag.code for flag in check(
        "Anh ơi cho em mượn 5 triệu được không, em chuyển qua ngân hàng trả anh sau").flags]
    assert "borrow" in borrowed and "claim_bank" not in borrowed, borrowed
    deposit = [flag.code for flag in check(
        "Anh chị đặt cọc trước 50% qua STK 1903 4567 8910 Techcombank để em giữ chỗ").flags]
    assert "money_request" in deposit and "claim_bank" not in deposit, deposit
    bank = [flag.code for flag in check("Ngân hàng thông báo tài khoản quý khách bị khóa, "
                                        "chuyển qua ngân hàng phí mở khóa 500k").flags]
    assert "claim_bank" in bank, bank


# Found by messages written before reading the rules (messages_heldout.yaml h157-h180).
@pytest.mark.parametrize(("text", "code"), [
    # a card's details read out
    ("Anh đọc giúp em 16 số trên thẻ, ngày hết hạn và 3 số mặt sau để em kích hoạt ạ",
     "otp_request"),
    ("Quy khach vui long doc ma gom 6 so gui ve may de xac nhan", "otp_request"),
    # a deposit sent, a customs fee for a gift
    ("Chuyển cọc 1.000.000đ để giữ phòng, quá giờ bên em hủy nha", "money_request"),
    ("Em yêu, quà của anh đang ở hải quan, em nộp 18 triệu phí thông quan vào tài khoản này",
     "money_request"),
])
def test_card_details_a_deposit_and_a_customs_fee_are_flagged(text: str, code: str) -> None:
    verdict = check(text)
    assert verdict.verdict != "no_signs" and code in [flag.code for flag in verdict.flags], \
        [flag.code for flag in verdict.flags]


@pytest.mark.parametrize("text", [
    "Bố ơi con đây, con bị tai nạn đang cấp cứu, bố chuyển 20tr cho bác sĩ theo stk này giúp "
    "con nhé 19033344455 Techcombank",
    "con bị tai nạn, bố chuyển 20 triệu theo stk 19033344455 giúp con",
    "Bác ơi cháu là bạn của anh Hùng, anh ấy đang cấp cứu, bác gửi 10tr theo số tk 0123456789 "
    "giúp cháu",
    "Alo chau la ban cua con trai co, anh ay bi tai nan giao thong dang nam vien, co chuyen tien "
    "vien phi 15tr qua stk 0988777666 MB nha",
    # not among the try-out's: the same scam in other words
    "Anh ơi em gặp tai nạn, anh chuyển khoản giúp em 5 triệu sang tài khoản này với",
    "Cô ơi cháu là y tá, con trai cô đang cấp cứu, cô chuyển 30 triệu vào số tài khoản "
    "0123456789 Vietinbank",
])
def test_an_emergency_and_a_transfer_to_an_account_is_a_scam(text: str) -> None:
    verdict = check(text)  # "theo stk", "20tr", "gửi 10tr", "chuyển tiền viện phí 15tr"
    assert verdict.verdict == "scam", [flag.code for flag in verdict.flags]
    assert {"family_emergency", "money_request"} <= {flag.code for flag in verdict.flags}


@pytest.mark.parametrize("text", [
    "Ông bị ngã xe phải nằm viện, mẹ đã gửi 2tr cho dì rồi, con không phải chuyển nữa nhé",
    "Bố vừa chuyển tiền viện phí cho bà rồi, con yên tâm đi làm nhé.",
    "Mẹ ơi con bị tai nạn nhẹ thôi, con chuyển tiền viện phí rồi, mẹ đừng lo",
    "Mẹ ơi con bị tai nạn nhẹ thôi, con tự đóng viện phí rồi, mẹ đừng lo.",  # "nhẹ", not "nhé"
])
def test_an_emergency_whose_money_is_sent_already_asks_nothing(text: str) -> None:
    verdict = check(text)
    assert verdict.verdict == "no_signs", [flag.code for flag in verdict.flags]


@pytest.mark.parametrize(("text", "offer"), [
    ("Chúc mừng số điện thoại của bạn trúng thưởng 1 xe SH, liên hệ 0912345678 để nhận", "prize"),
    ("Tuyen CTV lam viec tai nha, chi can like video tiktok, thu nhap 500k-2tr/ngay, ib zalo "
     "0911222333", "easy_job"),
    ("Việc nhẹ lương cao: chỉ cần thả tim video, ngày kiếm 500k. Kết bạn Zalo chị Thảo để nhận "
     "việc.", "easy_job"),
])
def test_a_prize_or_an_easy_job_through_a_personal_number_is_a_scam(text: str,
                                                                    offer: str) -> None:
    verdict = check(text)
    assert verdict.verdict == "scam", [flag.code for flag in verdict.flags]
    assert {offer, "personal_number"} <= {flag.code for flag in verdict.flags}


@pytest.mark.parametrize("text", [
    "Viettel: Tang 50% gia tri the nap ngay 06/12 cho thue bao 0912345678. Chi tiet LH 198. "
    "Tu choi QC soan TC gui 199.",
    "Chuc mung thue bao 0987654321 trung thuong 1 thang data mien phi trong chuong trinh tri an "
    "cua MobiFone. Chi tiet LH 9090. Tu choi QC soan TC gui 9241.",
])
def test_a_networks_offer_naming_the_subscribers_number_is_not_flagged(text: str) -> None:
    verdict = check(text)  # the subscriber's own number is no one to contact
    assert verdict.verdict == "no_signs", [flag.code for flag in verdict.flags]


def test_the_app_named_in_a_prize_is_no_personal_number() -> None:
    verdict = check("Zalo chuc mung ban nhan 10.000.000d nhan dip sinh nhat Zalo. Nhan qua tai "
                    "zalo-quatang.online")
    assert "personal_number" not in {flag.code for flag in verdict.flags}


# The tester's try-out of 2026-12-07: a loan through a personal Zalo, a "bank officer" asking
# for the account number and balance (tests/data/messages.yaml m337-m348).
@pytest.mark.parametrize("text", [
    "Ban da duoc duyet vay 50 trieu, ket ban zalo 0912345678 de giai ngan ngay",
    "Bạn đã được duyệt vay 50 triệu, kết bạn Zalo 0912345678 để giải ngân ngay",
    "Khoản vay của bạn đã được duyệt, liên hệ 0987.654.321 gặp chị Lan để giải ngân trong ngày",
])
def test_a_loan_through_a_personal_number_or_zalo_is_a_scam(text: str) -> None:
    verdict = check(text)
    assert verdict.verdict == "scam", [flag.code for flag in verdict.flags]
    assert {"loan", "personal_number"} <= {flag.code for flag in verdict.flags}


@pytest.mark.parametrize("text", [
    "Bà ơi cháu là cán bộ ngân hàng, bà đọc giúp cháu số tài khoản với số dư nhé, gọi lại "
    "0912000111",
    "Ba oi chau la can bo ngan hang, ba doc giup chau so tai khoan voi so du nhe",
    "Em là nhân viên Vietcombank, chị cung cấp giúp em số dư tài khoản và số CCCD để em xác "
    "minh ạ",
])
def test_someone_claiming_a_bank_asking_the_account_number_or_balance_is_a_scam(
        text: str) -> None:
    verdict = check(text)
    assert verdict.verdict == "scam", [flag.code for flag in verdict.flags]
    assert "account_request" in {flag.code for flag in verdict.flags}


@pytest.mark.parametrize("text", [
    "Vietcombank: So du TK 0123456789 +2,000,000 VND luc 10:21 06/12. SD: 15,250,000 VND.",
    "Vietcombank: Quy khach vui long khong cung cap so tai khoan, so the, ma OTP cho bat ky ai.",
    "VCB: Quý khách vui lòng cập nhật số CCCD gắn chip tại quầy giao dịch gần nhất hoặc trên "
    "ứng dụng VCB Digibank.",
    "Mẹ ơi mẹ gửi con số tài khoản ngân hàng của mẹ để con chuyển tiền nhé",
    "Bố ơi đây là số tài khoản của con: 1903 4567 8910 Techcombank, bố gửi tiền mừng cưới thì "
    "gửi vào đây ạ",
    "Agribank: Khoan vay so 123456 cua Quy khach da duoc giai ngan 50.000.000d vao TK "
    "0123456789 luc 10:15 06/12. Hotline 1900558818",
    "VPBank: Khoản vay tiêu dùng của Quý khách đã được phê duyệt. Quý khách vui lòng mở ứng "
    "dụng VPBank NEO để ký hợp đồng và nhận giải ngân. Hotline 1900545415",
])
def test_an_account_number_given_asked_by_a_relative_or_a_loan_of_ones_own_is_not_flagged(
        text: str) -> None:
    verdict = check(text)
    assert verdict.verdict == "no_signs", [flag.code for flag in verdict.flags]


def _codes(text: str) -> list[str]:
    return [flag.code for flag in check(text).flags]


# The try-out's messages (tests/data/messages.yaml t01-t31), and each rule's other forms.
@pytest.mark.parametrize(("text", "needs"), [
    # A relative who cannot be called back, money to a third person's account number
    ("Con đây, con gọi video không được, máy hỏng loa. Mẹ chuyển 10tr cho bạn con giữ hộ, "
     "số tk 190333444555 nhé", {"money_request", "new_number"}),
    ("Cháu đây, cháu gọi video không được, điện thoại hỏng mic. Chú chuyển 3 triệu vào stk "
     "0123456789 của bạn cháu nhé", {"money_request", "new_number"}),
    # Links that only look like the real site: another alphabet's letters, a refund domain
    ("Vietcombank: xac thuc tai khoan tai https://vietcombаnk.com.vn/login", {"link_fake"}),
    ("Agribank: kiem tra giao dich tai agrіbank.com.vn", {"link_fake"}),  # Cyrillic "і"
    ("Vietnam Airlines: chuyen bay VN213 ngay 12/12 bi huy, vui long nhap thong tin the tai "
     "vna-hoantien.com de nhan lai tien", {"link_fake", "claim_company"}),
    ("Facebook: Trang cua ban vi pham tieu chuan cong dong va se bi xoa trong 24h. Khang nghi "
     "tai fb-support-center.net", {"link_fake", "urgency"}),
    ("Zalo thông báo: tài khoản của bạn sẽ bị khóa, xác minh tại zalo-baomat.com",
     {"link_fake"}),
    # A frozen account and a mobile number written in groups
    ("Ngân hàng Agribank: tài khoản bị đóng băng, gọi ngay 0912 345 678",
     {"urgency", "personal_number"}),
    # Crypto with a rate no real investment pays, and a promise of no loss
    ("Đầu tư tiền ảo USDT lãi 30%/tháng, cam kết hoàn vốn", {"invest"}),
    ("Dau tu vang lai 4%/tuan, cam ket khong rui ro", {"invest"}),
    # Paid likes, fake orders, commissions, a Telegram handle
    ("Tuyển CTV like video TikTok nhận 300k/ngày, không cần kinh nghiệm. Liên hệ Telegram "
     "@viecnhe88", {"easy_job", "personal_number"}),
    ("Tuyển CTV Shopee làm tại nhà: đặt đơn ảo giúp shop tăng doanh số, được hoàn tiền + hoa "
     "hồng 10% mỗi đơn", {"task"}),
    # A resident's story: told to install an app and move savings to a "holding" account
    ("Hôm qua có người gọi cho tôi, xưng là công an phường, nói tôi liên quan đến một vụ án rửa "
     "tiền. Họ bảo tôi cài một ứng dụng rồi chuyển hết tiền tiết kiệm vào tài khoản tạm giữ của "
     "công an để kiểm tra. Tôi chưa chuyển.", {"install_app", "money_request", "claim_police"}),
])
def test_the_tryouts_scams_are_called_scams(text: str, needs: set[str]) -> None:
    verdict = check(text)
    assert verdict.verdict == "scam" and needs <= {flag.code for flag in verdict.flags}, (
        verdict.verdict, _codes(text))


@pytest.mark.parametrize("text", [
    "Viettel thong bao: Thue bao cua Quy khach da duoc nap 50.000d. Tai khoan goc: 62.000d. "
    "Chi tiet LH 198.",
    "Viettel thông báo: Thuê bao của Quý khách đã được nạp 50.000đ. Tài khoản gốc: 62.000đ. "
    "Chi tiết LH 198.",
    "VinaPhone: Quy khach vua nap thanh cong 100.000d. TK chinh: 115.000d. Chi tiet goi 18001091.",
    "Agribank: Quý khách cần hỗ trợ vui lòng gọi tổng đài 1900 558 818. Agribank không bao giờ "
    "yêu cầu cung cấp mã OTP.",
    "Gặp tin nhắn lừa đảo, bà con gọi 156 hoặc nhắn tin tới 5656 để báo nhé.",
    # A company named, not writing: no claim, so its own site is no fake of anyone
    "Con nhắn Zalo cho mẹ rồi đó, mẹ xem giá tủ lạnh ở dienmayxanh.com nhé",
    # Words and sums with digits in them stay what they are: "10tr" is no "iotr"
    "Mẹ ơi con đây, tháng này con được thưởng 10tr, con gửi biếu mẹ 2tr rồi nhé",
    # Found in review: "rồi nhé" before a comma (gone in clauses) ends what was done
    "Mẹ chuyển 10tr cho bạn con rồi nhé, số tk 1903456789",
])
def test_notices_and_official_hotlines_are_no_red_flags(text: str) -> None:
    verdict = check(text)
    assert verdict.verdict == "no_signs", (verdict.verdict, _codes(text))


def test_sums_with_units_are_not_read_as_leet() -> None:
    assert clauses(fold("Mẹ chuyển 10tr vào stk nhé, còn 5ty")) == [
        "me chuyen 10tr vao so tai khoan nhe con 5ty"]
    assert clauses("t4i kh0an") == ["tai khoan"]  # the trick it undoes still is


def test_a_look_alike_letter_only_counts_inside_a_link() -> None:
    # Cyrillic letters in words (a filter trick) fold as before: no fake link made of them.
    assert check("Vіetcombank: Mã OTP của Quý khách là 482915. Không cung cấp cho ai.").verdict \
        == "no_signs"
    assert "link_fake" not in _codes("Chúc mừng năm mới! Xem lịch tại vietcombank.com.vn")


# Found in review: a victim's story of money already gone, and what they held back.
@pytest.mark.parametrize(("text", "gone", "held"), [
    ("Hôm qua có người gọi cho tôi xưng là công an, bảo không cho ai biết. Tôi đã nghe theo và "
     "chuyển khoản 20 triệu cho họ.", True, ""),
    ("Có người gọi cho tôi xưng là công an, tôi không nói gì với con, chuyển luôn 30 triệu cho "
     "họ", True, ""),
    ("Hôm qua có người gọi cho tôi xưng là nhân viên ngân hàng, họ bảo cài app để nâng cấp tài "
     "khoản, tôi cài rồi, giờ họ chuyển hết tiền đi rồi", True, ""),
    ("Sáng nay có người gọi cho tôi xưng là bên điện lực bảo tôi nộp tiền phạt, tôi không đọc "
     "kỹ, chuyển luôn 2 triệu", True, ""),
    ("Hôm qua có người gọi cho bà xưng là con trai bà, bà chuyển 5 triệu rồi mới biết", True, ""),
    ("Tôi bị lấy mất 50 triệu sau khi có người gọi cho tôi xưng là công an", True, ""),
    # asked, feared or held back: not gone
    ("Hôm qua có người gọi cho tôi, xưng là công an phường. Họ bảo tôi cài một ứng dụng rồi "
     "chuyển hết tiền tiết kiệm vào tài khoản tạm giữ. Tôi chưa chuyển.", False, "money"),
    ("Có người gọi cho tôi xưng là công an, họ bảo nếu tôi không chuyển tiền thì bị bắt. Tôi sợ "
     "mất tiền nên chưa chuyển.", False, "money"),
    ("Có người gọi cho cô xưng là nhân viên ngân hàng, bảo cô cài ứng dụng. Cô chưa cài.", False,
     "other"),
    ("Có người gọi cho tôi xưng là công an, tôi không nói gì với con, sợ quá", False, ""),
])
def test_a_story_tells_money_gone_from_money_held_back(text: str, gone: bool, held: str) -> None:
    assert told(text)
    assert paid(text) is gone and held_back(text) == held


@pytest.mark.parametrize(("text", "claim"), [
    ("Hôm qua có người gọi cho tôi xưng là công an, bảo không cho ai biết. Tôi đã nghe theo và "
     "chuyển khoản 20 triệu cho họ.", "claim_police"),
    ("Có người gọi cho tôi xưng là công an, tôi không nói gì với con, chuyển luôn 30 triệu cho "
     "họ", "claim_police"),
    ("hôm qua có người gọi xưng là điện lực bảo bác nộp tiền phạt, bác chuyển luôn 2 triệu rồi",
     "claim_utility"),
])
def test_a_story_of_a_caller_in_an_office_s_name_who_got_money_is_called_a_scam(
        text: str, claim: str) -> None:
    verdict = _default().check(text, story=True, paid=True)
    assert verdict.verdict == "scam"
    assert {claim, "money_request"} <= {flag.code for flag in verdict.flags}


def test_a_caller_claiming_an_office_who_asked_for_a_step_is_suspicious_at_least() -> None:
    text = "Có người gọi cho tôi xưng là nhân viên ngân hàng, bảo tôi cài ứng dụng. Tôi chưa cài."
    assert _default().check(text, story=True).verdict in ("suspicious", "scam")
    # A threat told: asked for money, however the "không" in it reads.
    threat = ("Hôm qua có người gọi cho tôi xưng là công an, họ bảo nếu tôi không chuyển tiền "
              "thì bị bắt. Tôi chưa chuyển.")
    assert asked_money(threat) and not asked_money(text)
    verdict = _default().check(threat, story=True, asked=True)
    assert verdict.verdict == "scam" and "money_request" in {f.code for f in verdict.flags}
    # Found in review: a caller the resident says asked for no money is not said to have.
    no_money = ("Hôm qua có người gọi xưng là nhân viên ngân hàng, hỏi tôi có muốn mở thẻ không, "
                "không bảo chuyển tiền.")
    assert not asked_money(no_money)
    verdict = _default().check(no_money, story=True, asked=asked_money(no_money))
    assert verdict.verdict != "scam" and "money_request" not in {f.code for f in verdict.flags}


@pytest.mark.parametrize("text", [
    "Chúc mừng, cô đã được chọn nhận quà tri ân khách hàng. Nhân viên sẽ gọi cho cô để xác "
    "nhận. Nếu cô không chuyển phí 300k trong hôm nay thì quà sẽ bị hủy",
    "Bác đã được chọn nhận quà. Nhân viên sẽ gọi cho bác để xác nhận. Nếu bác không chuyển phí "
    "300k thì quà sẽ bị hủy",
])
def test_a_message_promising_the_reader_what_will_happen_is_no_story(text: str) -> None:
    assert not told(text)


def test_a_story_retelling_a_threat_is_still_a_story() -> None:
    assert told("Hôm qua có người gọi cho tôi xưng là công an, họ bảo nếu cô không chuyển tiền "
                "thì sẽ bị bắt. Cô chưa chuyển.")


# Found in a wording review: naming the store excused a remote-control app a stranger asked for.
@pytest.mark.parametrize(("text", "flagged"), [
    ("Có người gọi cho tôi xưng nhân viên ngân hàng, bảo tôi vào CH Play tải UltraViewer để họ "
     "hỗ trợ", True),
    ("Vietcombank: Quý khách vui lòng tải TeamViewer QuickSupport trên CH Play để nhân viên hỗ "
     "trợ cập nhật sinh trắc học", True),
    ("Vietcombank khuyến cáo: tuyệt đối không cài UltraViewer, TeamViewer theo lời người lạ",
     False),
    ("dung cai anydesk theo loi nguoi la nhe me", False),
])
def test_a_remote_control_app_to_install_is_a_red_flag_even_from_the_store(
        text: str, flagged: bool) -> None:
    assert ("remote_app" in [flag.code for flag in check(text).flags]) is flagged


# Found in an outside try-out: a remote-control app was told "install only from CH Play" (it is
# there), and weighed no more than any app.
@pytest.mark.parametrize(("text", "story"), [
    ("Vietcombank: Quý khách vui lòng tải TeamViewer QuickSupport trên CH Play để nhân viên hỗ "
     "trợ cập nhật sinh trắc học", False),
    ("Nhan vien ho tro: ban mo ung dung AnyDesk va doc day so hien tren man hinh cho em", False),
    ("Hôm qua có người gọi cho tôi xưng là nhân viên ngân hàng, bảo tôi mở RustDesk để họ kiểm "
     "tra tài khoản", True),
])
def test_a_remote_control_app_asked_for_is_its_own_flag_and_a_scam(text: str, story: bool) -> None:
    verdict = _default().check(text, story=story)
    codes = [flag.code for flag in verdict.flags]
    assert verdict.verdict == "scam" and "remote_app" in codes and "install_app" not in codes
    assert "CH Play hoặc App Store" not in " ".join(flag.explain for flag in verdict.flags)


@pytest.mark.parametrize("text", [
    "Vietcombank khuyến cáo: tuyệt đối không cài UltraViewer theo lời người lạ.",
    "Ngân hàng không bao giờ yêu cầu khách hàng cài AnyDesk hay TeamViewer.",
])
def test_a_warning_against_remote_control_apps_is_no_flag(text: str) -> None:
    assert "remote_app" not in [flag.code for flag in check(text).flags]


# Found in an outside try-out: a resident cheated of their money, with no call told of, was
# told "Chưa thấy dấu hiệu lừa đảo".
@pytest.mark.parametrize("text", [
    "tôi bị lừa chuyển 20 triệu cho người xưng là công an rồi, giờ làm sao",
    "toi bi lua chuyen 20 trieu roi lam sao bay gio",
    "tôi lỡ chuyển tiền cho kẻ lừa đảo rồi",
    "tôi bị lừa rồi, họ lấy hết tiền trong tài khoản",
])
def test_a_resident_cheated_of_money_tells_a_story_of_money_gone(text: str) -> None:
    assert scammed(text) and paid(text)
    verdict = _default().check(text, story=True, paid=True, cheated=True)
    assert verdict.verdict == "scam"


@pytest.mark.parametrize("text", [
    "làm sao để không bị lừa khi chuyển tiền",
    "tôi suýt bị lừa chuyển tiền",
    "Bạn bị lừa đảo mất tiền? Hacker mũ trắng lấy lại tiền trong 24h",
    "tôi sợ bị lừa lắm",
])
def test_fearing_or_offering_to_undo_a_scam_is_no_resident_cheated(text: str) -> None:
    assert not scammed(text)


# Found in an outside try-out: a resident who had let the caller in got no urgent steps.
@pytest.mark.parametrize(("text", "given"), [
    ("Có người gọi cho tôi xưng là ngân hàng, bảo tôi cài UltraViewer, tôi cài rồi", "app"),
    ("Có người gọi cho tôi xưng là ngân hàng, bảo tôi mở AnyDesk, tôi mở rồi", "app"),
    ("Có người gọi cho tôi xưng công an, bảo cài app, tôi đã cài và đọc mã cho họ", "app"),
    ("Có người gọi cho tôi xưng là ngân hàng, xin mã OTP, tôi đọc cho họ rồi", "code"),
    ("Có người gọi cho tôi xưng là ngân hàng, bảo tôi cài UltraViewer, tôi chưa cài", ""),
    ("Có người gọi cho tôi xưng là ngân hàng, xin mã OTP, tôi không đọc cho họ", ""),
    ("Có người gọi cho tôi xưng là ngân hàng, bảo tôi cài app, tôi sợ quá nên chưa mở", ""),
    # Found in an outside try-out: the resident's own bank app opened lets no one in
    ("Có người gọi cho tôi xưng là công an, bảo tôi chuyển tiền vào tài khoản tạm giữ, tôi mở "
     "app ngân hàng rồi", ""),
    ("Có người gọi cho tôi xưng là ngân hàng, bảo tôi xem số dư, tôi đã mở ứng dụng Vietcombank",
     ""),
    ("Có người gọi cho tôi xưng là ngân hàng, bảo tôi mở app ngân hàng ra xem, tôi mở rồi", ""),
    ("Có người gọi cho tôi xưng là công an, đòi mã OTP, tôi đã cài lại mật khẩu", ""),
    # ... what the caller asked for does: their app, an app from their link, their link
    ("Có người gọi cho tôi xưng là ngân hàng, gửi link bảo tôi tải app về, tôi tải rồi", "app"),
    ("Có người gọi cho tôi xưng là ngân hàng, bảo tôi mở TeamViewer, tôi mở TeamViewer rồi",
     "app"),
    ("Có người gọi cho tôi xưng là điện lực, gửi cho tôi một đường link, tôi mở link rồi",
     "link"),
    ("Có người gọi cho tôi xưng là điện lực, gửi link qua Zalo, tôi đã bấm vào link", "link"),
])
def test_what_the_resident_let_the_caller_have(text: str, given: str) -> None:
    assert gave_access(text) == given
    if given:
        assert _default().check(text, story=True, gave=True).verdict == "scam"


# Found in an outside try-out: a code to read out to "the switchboard" passed as no signs.
@pytest.mark.parametrize("text", [
    "Ma xac thuc cua ban la 773311. Vui long doc ma nay cho nhan vien tong dai de hoan tat huy "
    "dich vu.",
    "Mã OTP của bạn là 482913. Vui lòng cung cấp mã này cho nhân viên để được hỗ trợ.",
    "Ma kich hoat 556677. Hay gui lai ma cho so 0912345678 de nhan qua.",
])
def test_a_code_sent_with_a_request_to_pass_it_on_asks_for_it(text: str) -> None:
    assert "otp_request" in [flag.code for flag in check(text).flags]


@pytest.mark.parametrize("text", [
    "Ma OTP cua ban la 482913. KHONG chia se ma cho bat ky ai, ke ca nhan vien ngan hang.",
    "Mã xác thực của Quý khách là 773311. Tuyệt đối không cung cấp mã này cho bất kỳ ai.",
    "Mã OTP của bạn là 123456, có hiệu lực 5 phút. Không đọc mã này cho ai.",
])
def test_a_genuine_code_notice_still_has_no_flag(text: str) -> None:
    assert check(text).verdict == "no_signs"


# Found in an outside try-out: "bị mất" folds to "bí mật", and a loss read as secrecy.
def test_money_lost_is_no_secret() -> None:
    for text in ("hom qua co nguoi goi xung la ngan hang, toi bi mat 20 trieu",
                 "Hôm qua có người gọi xưng là ngân hàng, tôi bị mất năm triệu"):
        verdict = _default().check(text, story=True, paid=paid(text))
        assert verdict.verdict == "scam"
        assert "secrecy" not in [flag.code for flag in verdict.flags]
    kept = _default().check("Có người gọi cho tôi xưng là công an, bảo tôi giữ bí mật, chuyển 20 "
                            "triệu", story=True, asked=True)
    assert "secrecy" in [flag.code for flag in kept.flags]


def _as_told(text: str) -> Verdict:
    """The verdict as the message check gives it to a resident typing `text` themselves."""
    cheated = scammed(text)
    story = told(text) or cheated
    return _default().check(text, story=story, asked=story and asked_money(text),
                            paid=story and paid(text), cheated=cheated)


# Found in an outside try-out: each was "Chưa thấy dấu hiệu lừa đảo".
@pytest.mark.parametrize(("text", "expected"), [
    # a stranger's call saying a relative is held by the police: the trick's opening
    ("Tôi nhận được cuộc gọi từ số lạ nói là con tôi đang bị giữ ở đồn công an, tôi chưa chuyển "
     "nhưng rất lo", {"family_emergency", "claim_police"}),
    ("Có người gọi cho tôi nói cháu tôi bị bắt ở đồn công an, tôi chưa làm gì",
     {"family_emergency", "claim_police"}),
    # the ID number asked by a caller in the police's name, money or not
    ("Hôm qua có người gọi cho tôi xưng là công an, họ không bảo chuyển tiền, chỉ hỏi số căn "
     "cước và ngày sinh của tôi", {"account_request", "claim_police"}),
    # money asked to give back what was lost
    ("hôm qua tôi bị mất ví, có người nhắn tin bảo nhặt được, muốn nhận lại thì chuyển 500 "
     "nghìn", {"money_request"}),
])
def test_a_told_call_with_a_relative_in_trouble_an_id_number_or_a_ransom_is_flagged(
        text: str, expected: set[str]) -> None:
    verdict = _as_told(text)
    assert verdict.verdict in ("suspicious", "scam")
    assert expected <= {flag.code for flag in verdict.flags}


def test_a_threat_to_the_teller_told_is_no_relative_in_trouble() -> None:
    text = "Hôm qua có người gọi cho tôi xưng là công an, nói tôi sắp bị bắt giữ vì liên quan vụ án"
    assert told(text)
    assert "family_emergency" not in {flag.code for flag in _as_told(text).flags}


def test_money_asked_to_get_something_back_is_asked() -> None:
    text = "Tôi nhặt được giấy tờ của chị, muốn nhận lại thì chuyển 300 nghìn"
    assert "money_request" in {flag.code for flag in check(text).flags}


# Found in an outside try-out: warnings against the trick read as the trick.
@pytest.mark.parametrize("text", [
    "CANH BAO: Doi tuong mao danh cong an goi dien yeu cau chuyen tien. Nguoi dan tuyet doi "
    "khong chuyen tien. Cong an tinh Ha Nam.",
    "Công an không bao giờ yêu cầu người dân chuyển tiền qua điện thoại. Tuyệt đối không chuyển "
    "tiền cho người lạ.",
    "Ngân hàng không bao giờ yêu cầu khách hàng cài AnyDesk hay TeamViewer. Nếu có ai yêu cầu, "
    "hãy cúp máy",
    "Ngân hàng không bao giờ yêu cầu khách hàng cài AnyDesk hay TeamViewer. Nếu có ai yêu cầu "
    "cài AnyDesk hay TeamViewer, hãy cúp máy",
    "Ngân hàng không bao giờ yêu cầu khách hàng cài đặt ứng dụng AnyDesk để hỗ trợ. Nếu có ai "
    "yêu cầu tải ứng dụng, hãy cúp máy",
])
def test_a_warning_against_the_trick_asks_nothing(text: str) -> None:
    verdict = check(text)
    assert verdict.verdict == "no_signs", [flag.code for flag in verdict.flags]


# Found in an outside try-out: flags the text did not bear out. Each message with the flags it
# must raise and those it must not.
@pytest.mark.parametrize(("text", "needs", "never"), [
    # A like-for-pay job offer names no task: the easy-job flag, not the task one
    ("Tuyển CTV like video TikTok nhận 300k/ngày, không cần kinh nghiệm. Liên hệ Telegram "
     "@viecnhe88", {"easy_job", "personal_number"}, {"task"}),
    ("Tuyen CTV tha tim video moi luot 15k, lam tai nha, lien he Zalo 0911222333",
     {"easy_job"}, {"task"}),
    ("Việc nhẹ: follow kênh nhận 50k mỗi lượt, nhắn Zalo 0911222333", {"easy_job"}, {"task"}),
    # ... the task flag is for tasks or orders asked
    ("Làm nhiệm vụ like video nhận hoa hồng, nạp 500k để nhận nhiệm vụ lớn", {"task"}, set()),
    ("Tuyển CTV Shopee làm tại nhà: đặt đơn ảo giúp shop tăng doanh số, được hoàn tiền + hoa "
     "hồng 10% mỗi đơn", {"task"}, set()),
    # A remote-control app and help offered: no prize named
    ("Chào bác, cháu bên ngân hàng, bác cài TeamViewer để được hỗ trợ cập nhật tài khoản nhé",
     {"remote_app"}, {"prize"}),
    ("Bác mở TeamViewer, nhận hỗ trợ từ nhân viên ngân hàng", {"remote_app"}, {"prize"}),
    ("Cô tải TeamViewer rồi nhắn qua Zalo cho em mã ID nhé", {"remote_app"}, {"prize"}),
    # ... a prize or a sum to be had still is one
    ("Chúc mừng bạn được hỗ trợ 2 triệu đồng, nhận tại hotro-vn.xyz", {"prize"}, set()),
    ("Bạn được tặng 500k, đăng ký nhận quà qua Zalo 0911222333", {"prize"}, set()),
])
def test_each_flag_is_borne_out_by_the_text(text: str, needs: set[str], never: set[str]) -> None:
    codes = set(_codes(text))
    assert needs <= codes and not never & codes, codes


# Found in an outside try-out: a relative's new number, their old line locked or gone, was
# called a threat ("urgency") and lost the reminder to call the old number. Only hurrying
# ("gấp", "khẩn") or money asked makes it a red flag.
@pytest.mark.parametrize(("text", "flags"), [
    ("mẹ ơi con đổi số rồi, lưu số mới này nhé", set()),
    ("Mẹ ơi con đổi số rồi, lưu số mới này nhé, sim cũ bị khóa rồi", set()),
    ("Mẹ ơi con đổi số rồi, lưu số mới này nhé, số cũ mất sóng", set()),
    ("Mẹ ơi con đổi số rồi, lưu số mới này nhé, số cũ sắp hết hạn", set()),
    ("Bố ơi con đổi số rồi, lưu số mới này nhé. Nick zalo cũ con bị hack, bị khóa rồi", set()),
    ("Mẹ ơi con đổi số rồi, sim cũ bị khóa, mẹ lưu số mới này gấp nhé", {"urgency"}),
    ("Mẹ ơi con đổi số rồi. Sim cũ bị khóa. Việc khẩn cấp, mẹ lưu số mới này nhé", {"urgency"}),
    # "gặp" folds as "gấp": no hurry
    ("Mẹ ơi con đổi số rồi, sim cũ bị khóa, mai con gặp mẹ nhé", set()),
    ("Mẹ ơi con đổi số rồi, sim cũ bị khóa, mẹ chuyển cho con 2 triệu nhé",
     {"money_request", "new_number"}),
])
def test_a_relatives_new_number_is_a_threat_only_when_it_hurries(text: str,
                                                                   flags: set[str]) -> None:
    verdict = check(text)
    assert set(_codes(text)) == flags and verdict.new_number == (not flags)
