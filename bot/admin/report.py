"""One area's report for one period, and its tables as the page, CSV, XLSX and CLI show them."""

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.areas import Areas
from bot.lessons.model import MENTOR_COURSE, Library
from bot.lessons.render import Renderer
from storage.certificates import CertificateCount, certificate_counts
from storage.clock import VIETNAM, now
from storage.reminders import ReminderCount, reminder_counts
from storage.reports import (
    Counts,
    CourseScores,
    Missed,
    Period,
    Training,
    counts,
    course_scores,
    lessons_by_day,
    live_rows,
    missed_questions,
    total_of,
    training,
)
from storage.roster import RosterRow, roster
from storage.scam_checks import CHECKS, ScamCount, scam_counts
from storage.scope import Scope

UNKNOWN_PLACE = "(chưa cho biết nơi ở)"
# What a resident placed at an area itself has not said, by that area's level.
NOT_SAID_BELOW = ("phường, xã", "thôn, tổ dân phố")
# Volunteers' own course: a volunteer still in training is a resident, but that training is
# no resident's learning, so residents' figures and list leave it out; it has its own table.
NOT_RESIDENTS = (MENTOR_COURSE,)


@dataclass(frozen=True)
class Table:
    """A titled table of plain values: what every export format writes."""

    key: str  # its name in URLs and file names
    title: str
    headers: tuple[str, ...]
    rows: list[tuple[Any, ...]]
    empty: str = "Chưa có số liệu trong khoảng ngày này."  # the page's words when no row


@dataclass
class Report:
    """Everything the overview shows for a scope and a period."""

    scope: Scope
    period: Period
    total: Counts
    parts: dict[str, Counts]
    courses: list[CourseScores]
    missed: list[Missed]
    by_day: list[tuple[date, int]]
    training: Training
    as_of: datetime  # when it was read: every figure is up to that moment
    learners: list[RosterRow] | None = None  # only for organizers who may see people
    scam: list[ScamCount] = field(default_factory=list)  # messages checked, and their flags
    # Certificates issued in the period, per part of the area and course (volunteers' too).
    certificates: list[CertificateCount] = field(default_factory=list)
    # Reminders as they are now, per part of the area: on, sent, and who came back after one.
    reminders: list[ReminderCount] = field(default_factory=list)
    # False in the minutes after a start before the daily tables were ever filled: days
    # before today are not counted yet, and the page says so.
    whole: bool = True


async def build(engine: AsyncEngine, scope: Scope, period: Period, *,
                with_learners: bool = False, learner_limit: int | None = 100) -> Report:
    """Read the report in one connection: the daily tables up to their last refresh, the
    raw rows since (see storage/reports.py), so every figure is as live as the learner list."""
    async with engine.connect() as connection:
        live, mine = await live_rows(connection, scope, period), NOT_RESIDENTS
        parts = (await counts(connection, scope, period, by_part=True, live=live, leave_out=mine)
                 if scope.level < 2 else {})
        report = Report(
            scope=scope, period=period,
            total=total_of(parts) if parts else
            (await counts(connection, scope, period, live=live, leave_out=mine))[""],
            parts=parts,
            courses=await course_scores(connection, scope, period, live=live, leave_out=mine),
            missed=await missed_questions(connection, scope, period, live=live, leave_out=mine),
            by_day=await lessons_by_day(connection, scope, period, live=live, leave_out=mine),
            training=await training(connection, scope, period, MENTOR_COURSE),
            as_of=now(), whole=live.whole,
            scam=await scam_counts(connection, scope, period),
            certificates=await certificate_counts(connection, scope, first=period.first,
                                                  last=period.last),
            reminders=await reminder_counts(connection, scope),
        )
        if with_learners:
            report.learners = await roster(connection, scope, limit=learner_limit,
                                           leave_out=mine)
        await connection.rollback()
    return report


def place_name(areas: Areas, area_id: str) -> str:
    """The name an organizer reads for an area id ("" = no place given)."""
    place = areas.get(area_id)
    return place.name if place else (area_id or UNKNOWN_PLACE)


def part_name(areas: Areas, scope: Scope, part: str) -> str:
    """The name an organizer reads for a part of `scope`. Rows are grouped by the level below
    the scope, where "" means placed at the scope's own area (a ward's residents who gave no
    village): only for the whole country does it mean no place given."""
    own = areas.get(scope.area_id) if not part else None
    if own is None:
        return place_name(areas, part)
    return f"{own.name} (chưa rõ {NOT_SAID_BELOW[own.level]})" if own.children else own.name


def file_name(key: str, report: Report, kind: str) -> str:
    """What a download is called: table, area, period and format."""
    area = (report.scope.area_id or "tat-ca").replace("/", "-")
    return f"hocso-{key}-{area}-{report.period.first:%Y%m%d}-{report.period.last:%Y%m%d}.{kind}"


def choose(found: dict[str, Table], key: str) -> list[Table]:
    """The tables a download holds: one by key, or every one for "bao-cao"; [] if unknown."""
    return list(found.values()) if key == "bao-cao" else [found[key]] if key in found else []


def part_ids(report: Report, areas: Areas) -> list[str]:
    """The parts of the report's area in the areas file's order, every one even when empty;
    then any others the data holds (learners who gave no place, places since removed)."""
    listed = [place.id for place in areas.children(report.scope.area_id)]
    return listed + sorted(part for part in report.parts if part not in listed)


def figure(value: float) -> float:
    """A percentage or an average as every table holds it: one decimal, none when it is 0
    (75, not 75.0). CSV writes it so (88.9), the page with a comma (88,9), XLSX as a number."""
    rounded = round(value, 1)
    return int(rounded) if rounded.is_integer() else rounded


def written(value: float) -> str:
    """A figure as Vietnamese write it on a page: 12.345, 88,9, 75 (thousands grouped with
    ".", the decimal mark ","; Python's own swapped)."""
    return f"{figure(value) if isinstance(value, float) else value:,}".translate(
        str.maketrans(",.", ".,"))


def _score(value: float | None) -> Any:
    return figure(value) if value is not None else ""


def _question_text(library: Library, missed: Missed) -> tuple[str, str]:
    course = library.course(missed.course_id)
    lesson = course.lesson(missed.lesson_id) if course else None
    index = lesson.question_index(missed.question_id) if lesson else None
    if course is None or lesson is None or index is None:  # removed from the content since
        return missed.course_id, f"{missed.lesson_id} / {missed.question_id}"
    question = Renderer(library.templates).for_anyone(lesson.quiz[index].question)
    return course.title, f"{lesson.title}: {question}"


# The red flags (bot/listening/scam.py codes) as an organizer reads them.
FLAG_NAMES = {
    CHECKS: "Số tin nhắn đã kiểm tra", "otp_request": "Đòi mã OTP, mật khẩu",
    "link_fake": "Link giả trang chính thức", "link_short": "Link rút gọn",
    "link_ip": "Link là dãy số (IP)", "link_apk": "Link tải tệp .apk",
    "link_odd": "Link đuôi lạ (.xyz, .top...)", "install_app": "Bảo cài ứng dụng qua link",
    "remote_app": "Bảo cài ứng dụng điều khiển từ xa",
    "call_forward": "Bảo bấm mã chuyển cuộc gọi",
    "kin_friend": "Bạn của người nhà, người quen xin tiền",
    "urgency": "Hối thúc, đe dọa", "secrecy": "Dặn giữ bí mật",
    "money_request": "Đòi chuyển tiền, đặt cọc", "family_emergency": "Người thân gặp nạn",
    "task": "Làm nhiệm vụ nhận hoa hồng", "prize": "Trúng thưởng, quà tặng",
    "loan": "Mời vay tiền", "easy_job": "Việc nhẹ lương cao", "invest": "Đầu tư lãi cao",
    "gambling": "Cá cược, đánh bạc", "recovery": "Hứa lấy lại tiền bị lừa",
    "id_request": "Đòi ảnh căn cước, khuôn mặt", "personal_number": "Số cá nhân xưng cơ quan",
    "foreign_number": "Số điện thoại nước ngoài", "new_number": "Người thân đổi số, xin tiền",
    "borrow": "Hỏi mượn tiền", "wrong_transfer": "Chuyển nhầm, đòi chuyển lại",
    "benefit_link": "Nhận trợ cấp, hoàn tiền qua link, Zalo lạ",
    "account_request": "Hỏi số tài khoản, số dư, căn cước", "claim_police": "Xưng công an, tòa án",
    "claim_bank": "Xưng ngân hàng", "claim_gov": "Xưng cơ quan nhà nước",
    "claim_utility": "Xưng điện lực, nước", "claim_bhxh": "Xưng bảo hiểm xã hội",
    "claim_tax": "Xưng cơ quan thuế", "claim_delivery": "Xưng giao hàng",
    "claim_telecom": "Xưng nhà mạng", "claim_company": "Xưng Facebook, Zalo, hãng bay...",
}

COUNT_HEADERS = ("Người dân đã đăng ký", "Mới trong kỳ", "Hoạt động 7 ngày qua",
                 "Hoạt động 30 ngày qua", "Bài học đã xong", "Khóa học đã xong",
                 "Điểm trung bình lần đầu (%)", "Người kèm đã tập huấn xong hoặc được duyệt",
                 "Cặp kèm đang hoạt động", "Buổi kèm đã ghi")


def _count_values(item: Counts) -> tuple[Any, ...]:
    return (item.registered, item.new, item.active_7, item.active_30, item.lessons,
            item.courses, _score(item.average), item.mentors, item.pairs, item.check_ins)


def tables(report: Report, library: Library) -> dict[str, Table]:
    """Every table of the report, by key, in the order the page shows them."""
    areas = library.areas
    named = partial(part_name, areas, report.scope)  # a part's name, for every table alike
    found = {
        "tong-quan": Table("tong-quan", "Tổng quan", ("Chỉ số", "Số liệu"),
                           list(zip(COUNT_HEADERS, _count_values(report.total), strict=True))),
        "khoa-hoc": Table("khoa-hoc", "Theo khóa học", (
            "Khóa học", "Bài học đã xong", "Khóa học đã xong", "Điểm trung bình lần đầu (%)",
            "Điểm trung vị lần đầu (%)"), [
            (course.title if (course := library.course(item.course_id)) else item.course_id,
             item.lessons, item.courses, _score(item.average), _score(item.median))
            for item in report.courses]),
        "cau-sai": Table("cau-sai", "Câu bị trả lời sai nhiều nhất", (
            "Khóa học", "Câu hỏi", "Số lần trả lời", "Số lần sai", "Tỉ lệ sai (%)"), [
            (*_question_text(library, item), item.answered, item.wrong,
             _score(100 * item.wrong / item.answered if item.answered else None))
            for item in report.missed]),
        "nguoi-kem": Table("nguoi-kem", "Tập huấn người kèm", ("Chỉ số", "Số liệu"), [
            ("Đang học khóa cho người kèm", report.training.learning),
            ("Đã tập huấn xong hoặc được duyệt", report.training.trained),
            ("Bài tập huấn đã xong trong kỳ", report.training.lessons)]),
        # Counts only: the messages themselves are never kept (bot/handlers/message_check.py).
        "tin-nhan-la": Table("tin-nhan-la", "Tin nhắn lạ đã kiểm tra", (
            "Địa bàn", "Dấu hiệu", "Số lần"), [
            (named(item.area_id), FLAG_NAMES.get(item.flag, item.flag), item.count)
            for item in report.scam]),
        "theo-ngay": Table("theo-ngay", "Bài học xong theo ngày", ("Ngày", "Bài học đã xong"),
                           [(day, count) for day, count in report.by_day]),
        "chung-nhan": Table("chung-nhan", "Giấy chứng nhận đã cấp", (
            "Địa bàn", "Khóa học", "Số giấy chứng nhận"), [
            (named(item.area_id),
             course.title if (course := library.course(item.course_id)) else item.course_id,
             item.count) for item in report.certificates]),
        "nhac-hoc": Table("nhac-hoc", "Nhắc học (hiện nay)", (
            "Địa bàn", "Người dân đang bật nhắc học", "Đã được nhắc",
            "Quay lại học sau khi được nhắc"), [
            (named(item.area_id), item.on, item.reminded, item.came_back)
            for item in report.reminders], empty="Hiện chưa có người dân nào bật nhắc học."),
    }
    if report.scope.level < 2:
        found["khu-vuc"] = Table("khu-vuc", "Theo địa bàn", ("Địa bàn", *COUNT_HEADERS), [
            (named(part), *_count_values(report.parts.get(part, Counts())))
            for part in part_ids(report, areas)])
    if report.learners is not None:
        found["nguoi-hoc"] = Table("nguoi-hoc", "Danh sách người học", (
            "Tên hiển thị", "Nơi ở", "Bài học đã xong", "Khóa học đã xong",
            "Điểm trung bình lần đầu (%)", "Người kèm", "Lần học gần nhất"), [
            (row.display_name, areas.label(row.area_id) or UNKNOWN_PLACE, row.lessons,
             row.courses, _score(row.average), row.mentor,
             row.last_active_at.astimezone(VIETNAM).replace(tzinfo=None))  # local time
            for row in report.learners])
    return found
