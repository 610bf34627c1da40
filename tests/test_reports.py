"""Report numbers on the seeded data set, against figures worked out by hand (report_seed.py)."""

import asyncio
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import delete, event, func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.admin.report import build, tables
from bot.lessons.model import Library
from bot.tutor import Tutor
from storage.clock import day_start, local_date
from storage.personal_data import erase
from storage.reports import Counts, Period, Training, median, reports_engine
from storage.repository import ANSWER, COMPLETION, RESULT, SqlRepository
from storage.rollup import (
    DAILY_ANSWERS,
    DAILY_COURSES,
    DAILY_LESSONS,
    STATE,
    refresh,
    refresh_nothing,
    refreshed_at,
)
from storage.scope import Scope
from tests.chat import Chat
from tests.report_seed import BA_DINH, HONG_HA, seed
from tests.test_areas import finish_lesson


def last_30_days() -> Period:
    """Up to today, read when asked: a run may cross midnight in Vietnam (17:00 UTC)."""
    today = local_date()
    return Period(today - timedelta(days=29), today)


def _approx(counts: Counts) -> Counts:
    average = round(counts.average, 2) if counts.average is not None else None
    return Counts(**{**counts.__dict__, "average": average})


async def _report(repository: SqlRepository, area: str, period: Period | None = None):
    await refresh(repository.engine)
    return await build(repository.engine, Scope(area), period or last_30_days(),
                       with_learners=True)


async def test_a_ward_in_the_last_30_days(repository: SqlRepository) -> None:
    await seed(repository.engine)
    report = await _report(repository, HONG_HA)
    # Residents Bà Lan, Ông Tư, Cô Hoa (Minh Anh volunteers); new: Lan, Hoa; active in 7
    # days: Lan, Hoa, in 30 also Tư; lessons: Lan 3 + Hoa 1 (Tư's is 35 days old); scores
    # 100, 66.67, 100, 33.33; one course; one trained mentor, one pair, one recent check-in.
    assert _approx(report.total) == Counts(registered=3, new=2, active_7=2, active_30=3,
                                           lessons=4, courses=1, average=75.0, mentors=1,
                                           pairs=1, check_ins=1)
    [course] = report.courses
    assert (course.course_id, course.lessons, course.courses) == ("lam-quen", 4, 1)
    assert round(course.average or 0, 2) == 75.0
    assert round(course.median or 0, 2) == 83.33  # (66.67 + 100) / 2
    missed = [(m.lesson_id, m.question_id, m.answered, m.wrong) for m in report.missed]
    assert missed == [("hoc-tiep", "q1", 1, 1), ("nut-bam", "q1", 2, 1), ("nut-bam", "q2", 2, 1)]
    today = local_date()
    assert report.by_day == [(today - timedelta(days=2), 1), (today - timedelta(days=1), 2),
                             (today, 1)]
    # By village: Lan in tdp-1 (with her mentor's pair and check-in), Tư in tdp-2, Hoa and the
    # mentor with no village.
    parts = {part: _approx(item) for part, item in report.parts.items()}
    assert parts == {
        "": Counts(registered=1, new=1, active_7=1, active_30=1, lessons=1, average=33.33,
                   mentors=1),
        f"{HONG_HA}/tdp-1": Counts(registered=1, new=1, active_7=1, active_30=1, lessons=3,
                                   courses=1, average=88.89, pairs=1, check_ins=1),
        f"{HONG_HA}/tdp-2": Counts(registered=1, active_30=1),
    }
    assert [row.display_name for row in report.learners or []] == ["Cô Hoa", "Bà Lan", "Ông Tư"]
    lan = (report.learners or [])[1]
    assert (lan.lessons, lan.courses, lan.mentor) == (3, 1, "Minh Anh")
    assert round(lan.average or 0, 2) == 88.89


async def test_the_province_and_everything(repository: SqlRepository) -> None:
    await seed(repository.engine)
    report = await _report(repository, "ha-noi")
    # Six residents with a place in Hà Nội (Quang only began to register as a mentor); Bác
    # Năm is the new, active one in Ba Đình.
    assert _approx(report.total) == Counts(registered=6, new=3, active_7=3, active_30=4,
                                           lessons=5, courses=1, average=80.0, mentors=1,
                                           pairs=1, check_ins=1)
    assert _approx(report.parts[BA_DINH]) == Counts(registered=3, new=1, active_7=1,
                                                    active_30=1, lessons=1, average=100.0)
    assert set(report.parts) == {HONG_HA, BA_DINH}
    everything = await _report(repository, "")
    # Plus Người lạ, who gave no place: counted only where every area is seen.
    assert _approx(everything.total).registered == 7 and everything.total.lessons == 6
    assert round(everything.total.average or 0, 2) == 66.67
    assert set(everything.parts) == {"ha-noi", ""}
    # A period of one day, 35 days ago, holds only Ông Tư's first lesson.
    old = local_date() - timedelta(days=35)
    past = await _report(repository, HONG_HA, Period(old, old))
    assert (past.total.lessons, past.total.average, past.by_day) == (1, pytest.approx(33.33, 0.01),
                                                                     [(old, 1)])


async def test_refreshing_again_counts_nothing_twice_and_sees_new_rows(
        repository: SqlRepository, library: Library) -> None:
    ids = await seed(repository.engine)
    await refresh(repository.engine)
    async with repository.engine.connect() as connection:
        rows = await connection.scalar(select(func.sum(DAILY_ANSWERS.c.answered)))
    assert await refresh(repository.engine) >= 1  # today, and yesterday within the margin
    async with repository.engine.connect() as connection:
        assert await connection.scalar(select(func.sum(DAILY_ANSWERS.c.answered))) == rows == 21
    async with repository.turn(channel="zalo", user_ref="zalo-user-4", update_id=None) as turn:
        assert turn is not None and turn.learner.id == ids["Chú Sáu"]
        await turn.record_answer(course_id="lam-quen", lesson_id="nut-bam", question_id="q1",
                                 chosen=2, correct=False)
        await turn.record_quiz(course_id="lam-quen", lesson_id="nut-bam", correct=0, total=3)
    report = await _report(repository, BA_DINH)
    assert report.total.lessons == 2 and [m.wrong for m in report.missed] == [1]
    shown = tables(report, library)
    question = "Bạn nhắn cho Học Số lúc nửa đêm mà vẫn được trả lời ngay. Vì sao?"
    assert shown["cau-sai"].rows[0][:2] == ("Làm quen với Học Số", f"Bấm nút và gõ số: {question}")


def test_the_median_of_grouped_values() -> None:
    assert median([]) is None
    assert median([(5.0, 1)]) == 5.0
    assert median([(1.0, 1), (2.0, 1), (3.0, 1), (4.0, 1)]) == 2.5
    assert median([(10.0, 3), (0.0, 1)]) == 10.0
    assert median([(100.0, 2), (0.0, 2)]) == 50.0
    assert median([(3.0, 2), (1.0, 1), (2.0, 4)]) == 2.0


def test_a_scope_reaches_only_below_itself() -> None:
    ward = Scope(HONG_HA)
    assert ward.narrow(f"{HONG_HA}/tdp-1") == Scope(f"{HONG_HA}/tdp-1")
    for outside in ("", "ha-noi", BA_DINH, "ha-noi/hong-hai", f"{HONG_HA}x", "ha-noi/hong"):
        assert ward.narrow(outside) is None, outside
    assert Scope("").narrow("") == Scope("") and Scope("").level == -1


async def test_what_residents_do_in_the_chat_reaches_the_report(
        tutor: Tutor, library: Library, sqlite_repository: SqlRepository) -> None:
    lan, tu = Chat(tutor, "lan", display_name="Bà Lan"), Chat(tutor, "tu", display_name="Ông Tư")
    course = library.course("lam-quen")
    assert course is not None
    for index in range(len(course.lessons)):  # Bà Lan finishes the whole course, all right
        await finish_lesson(lan, library, index)
        if index == 0:
            await lan.type("hong ha")  # asked once, after the first lesson
            await lan.press("Tổ dân phố số 1")
    await finish_lesson(tu, library, 0, right=False)  # Ông Tư gets every answer wrong
    await tu.type("/noi_o")  # (not asked by itself after a quiz not passed)
    await tu.type("phuong ba dinh")  # "ba dinh" alone is also the old quận: asked
    await tu.press("Bỏ qua")  # no village
    report = await _report(sqlite_repository, "ha-noi")
    assert report.parts[HONG_HA].lessons == 3 and report.parts[HONG_HA].courses == 1
    assert report.parts[HONG_HA].average == 100.0
    assert (report.parts[BA_DINH].lessons, report.parts[BA_DINH].average) == (1, 0.0)
    assert report.total.registered == 2 and report.total.active_7 == 2
    assert [(m.lesson_id, m.wrong) for m in report.missed][:1] == [(course.lessons[0].id, 1)]
    assert sum(m.wrong for m in report.missed) == len(course.lessons[0].quiz)


async def test_written_a_few_rows_at_a_time_the_numbers_are_the_same(
        repository: SqlRepository) -> None:
    await seed(repository.engine)
    for rows in (2, 2, 1000):  # a few at a time, again over rows already there, at once
        await refresh(repository.engine, rows=rows)
        report = await build(repository.engine, Scope("ha-noi"), last_30_days())
        assert _approx(report.total) == Counts(registered=6, new=3, active_7=3, active_30=4,
                                               lessons=5, courses=1, average=80.0, mentors=1,
                                               pairs=1, check_ins=1)
        assert sum(m.answered for m in report.missed) == 7


@pytest.mark.parametrize("rows", [1000, 1])
async def test_courses_finished_before_the_upgrade_are_noted_at_the_first_refresh(
        repository: SqlRepository, library: Library, rows: int) -> None:
    ids = await seed(repository.engine)
    async with repository.engine.begin() as connection:
        await connection.execute(delete(COMPLETION))  # as a database from before 0005
    await refresh(repository.engine, courses=library.lesson_ids(), rows=rows)
    async with repository.engine.connect() as connection:
        noted = (await connection.execute(select(COMPLETION.c.learner_id,
                                                 COMPLETION.c.course_id))).all()
    assert [tuple(row) for row in noted] == [(ids["Bà Lan"], "lam-quen")]


async def test_a_refresh_groups_while_a_learner_s_turn_holds_the_write_lock(
        repository: SqlRepository) -> None:
    await seed(repository.engine)
    reports = reports_engine(repository.engine.url.render_as_string(hide_password=False))
    issued: list[str] = []
    swapping = asyncio.Event()

    def seen(_connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        issued.append(statement)
        if statement.startswith("UPDATE rollup_state"):
            swapping.set()

    event.listen(reports.sync_engine, "before_cursor_execute", seen)
    try:
        # On SQLite the open turn holds the database's one write lock: the refresh groups
        # every day meanwhile (a read, into temporary tables), and waits only to swap the
        # first day in.
        async with repository.turn(channel="zalo", user_ref="zalo-user-4",
                                   update_id=None) as turn:
            assert turn is not None
            refreshing = asyncio.create_task(refresh(reports))
            async with asyncio.timeout(10):
                await swapping.wait()
            assert any(s.startswith("INSERT INTO staged_daily_answers") for s in issued)
            await turn.record_answer(course_id="lam-quen", lesson_id="nut-bam",
                                     question_id="q1", chosen=2, correct=False)
        assert await refreshing >= 4  # the days with rows: 35, 2 and 1 days ago, today
        report = await build(reports, Scope("ha-noi"), last_30_days())
    finally:
        await reports.dispose()
    assert (report.total.lessons, report.total.registered) == (5, 6)


async def test_what_is_done_after_the_last_refresh_counts_at_once(
        repository: SqlRepository) -> None:
    ids = await seed(repository.engine)
    await refresh(repository.engine)
    # Chú Sáu finishes a lesson after the refresh: the overview counts it before the next
    # one, as the learner list does, and neither number contradicts the other.
    async with repository.turn(channel="zalo", user_ref="zalo-user-4", update_id=None) as turn:
        assert turn is not None and turn.learner.id == ids["Chú Sáu"]
        await turn.record_answer(course_id="lam-quen", lesson_id="nut-bam", question_id="q1",
                                 chosen=2, correct=False)
        await turn.record_quiz(course_id="lam-quen", lesson_id="nut-bam", correct=2, total=3)
    report = await build(repository.engine, Scope(BA_DINH), last_30_days(), with_learners=True)
    assert report.total.lessons == 2 == sum(row.lessons for row in report.learners or [])
    assert report.by_day[-1] == (local_date(), 1)
    assert [(item.course_id, item.lessons) for item in report.courses] == [("lam-quen", 2)]
    assert [(m.question_id, m.answered, m.wrong) for m in report.missed] == [("q1", 2, 1)]
    province = await build(repository.engine, Scope("ha-noi"), last_30_days())
    assert province.parts[BA_DINH].lessons == 2 and province.total.lessons == 6
    # Once refreshed, the same figures, from the daily tables.
    await refresh(repository.engine)
    again = await build(repository.engine, Scope(BA_DINH), last_30_days(), with_learners=True)
    assert (again.total, again.by_day, again.courses, again.missed) == (
        report.total, report.by_day, report.courses, report.missed)


async def test_a_new_install_is_refreshed_without_the_child_and_nothing_else_is(
        repository: SqlRepository) -> None:
    """`hocso serve` starts no refreshing child for a new install's empty database: the
    refresh would only note the time. With anything stored, or once refreshed, it does."""
    engine = repository.engine
    assert await refresh_nothing(engine)
    async with engine.connect() as connection:
        first = await refreshed_at(connection)
    assert first is not None
    assert not await refresh_nothing(engine)  # refreshed: the next refresh is a real one
    async with engine.begin() as connection:  # as a new install's first refresh left it
        await connection.execute(STATE.update().values(refreshed_at=None))
    await seed(engine)
    assert not await refresh_nothing(engine)
    async with engine.connect() as connection:
        assert await refreshed_at(connection) is None  # left to refresh, which fills the days
    await refresh(engine)
    assert (await build(engine, Scope(HONG_HA), last_30_days())).total.lessons == 4


async def test_a_report_groups_each_table_s_rows_of_today_once(
        repository: SqlRepository) -> None:
    await seed(repository.engine)
    await refresh(repository.engine)
    reads: list[str] = []

    def seen(_connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        reads.extend(table for table in ("quiz_answer", "lesson_result", "course_completion")
                     if f"FROM {table} JOIN learner" in statement)

    event.listen(repository.engine.sync_engine, "before_cursor_execute", seen)
    try:
        report = await build(repository.engine, Scope("ha-noi"), last_30_days())
    finally:
        event.remove(repository.engine.sync_engine, "before_cursor_execute", seen)
    # Today's lessons feed the totals, the courses' scores and the lessons by day: read once.
    assert sorted(reads) == ["course_completion", "lesson_result", "quiz_answer"]
    assert report.by_day[-1] == (local_date(), 1) and report.total.lessons == 5


async def _mentor_lesson(repository: SqlRepository, ref: str, lesson: str) -> None:
    async with repository.turn(channel="zalo", user_ref=ref, update_id=None) as turn:
        assert turn is not None
        await turn.record_answer(course_id="nguoi-kem", lesson_id=lesson, question_id="q1",
                                 chosen=2, correct=False)
        await turn.record_quiz(course_id="nguoi-kem", lesson_id=lesson, correct=2, total=3)


async def test_a_volunteer_s_own_training_is_kept_apart_from_residents_figures(
        repository: SqlRepository, library: Library) -> None:
    await seed(repository.engine)
    # Quang, who began to register as a mentor (a resident until trained), takes a lesson of
    # the mentor course before the refresh and one after it.
    await _mentor_lesson(repository, "zalo-user-7", "kem-kien-nhan")
    await refresh(repository.engine)
    await _mentor_lesson(repository, "zalo-user-7", "kem-rieng-tu")
    report = await build(repository.engine, Scope(BA_DINH), last_30_days(), with_learners=True)
    assert report.total.registered == 3  # Quang still counts as a resident
    assert report.total.lessons == 1 and report.total.average == 100.0  # Bác Năm's only
    assert [item.course_id for item in report.courses] == ["lam-quen"]
    assert report.missed == []  # Quang's wrong answers were his training's; Bác Năm's right
    assert report.by_day == [(local_date() - timedelta(days=2), 1)]
    quang = next(row for row in report.learners or [] if row.display_name == "Quang")
    assert (quang.lessons, quang.average) == (0, None)
    assert report.training == Training(learning=1, trained=0, lessons=2)
    shown = tables(report, library)
    assert "Khóa cho người kèm" not in {row[0] for row in shown["khoa-hoc"].rows}
    assert shown["nguoi-kem"].rows == [("Đang học khóa cho người kèm", 1),
                                       ("Đã tập huấn xong hoặc được duyệt", 0),
                                       ("Bài tập huấn đã xong trong kỳ", 2)]
    city = await build(repository.engine, Scope("ha-noi"), last_30_days())
    assert city.training == Training(learning=1, trained=1, lessons=2)
    assert city.total.lessons == 5 and city.parts[BA_DINH].lessons == 1
    ward = await build(repository.engine, Scope(HONG_HA), last_30_days())
    assert ward.training == Training(learning=0, trained=1, lessons=0)


MARCH = date(2026, 3, 1)


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment of a day of March 2026 in Vietnam (stored in UTC: 00:30 is 17:30 the day before)."""
    return day_start(MARCH.replace(day=day)) + timedelta(hours=hour, minutes=minute)


async def _march(engine: AsyncEngine) -> dict[str, int]:
    """The seed's people, with only these rows in March: Bà Lan answers at 00:30 on the 1st,
    first finishes a lesson on the 10th and the course on the 15th; Bác Năm answers at
    23:30 on the 20th and 00:30 on the 21st."""
    ids = await seed(engine)
    async with engine.begin() as connection:
        for table in (ANSWER, RESULT, COMPLETION):
            await connection.execute(delete(table))
        for name, when in (("Bà Lan", _at(1, 0, 30)), ("Bác Năm", _at(20, 23, 30)),
                           ("Bác Năm", _at(21, 0, 30))):
            await connection.execute(insert(ANSWER).values(
                learner_id=ids[name], course_id="lam-quen", lesson_id="nut-bam",
                question_id="q1", chosen=1, correct=True, answered_at=when))
        await connection.execute(insert(RESULT).values(
            learner_id=ids["Bà Lan"], course_id="lam-quen", lesson_id="nut-bam", best_correct=3,
            last_correct=3, total=3, attempts=1, completed_at=_at(10, 12), failures=0,
            first_correct=3, first_completed_at=_at(10, 12)))
        await connection.execute(insert(COMPLETION).values(
            learner_id=ids["Bà Lan"], course_id="lam-quen", completed_at=_at(15, 12)))
    return ids


async def _days(engine: AsyncEngine) -> list[list[int]]:
    """The days of March each daily table holds rows of: answers, lessons, courses."""
    async with engine.connect() as connection:
        return [sorted(day.day for day in await connection.scalars(
            select(table.c.day).distinct())) for table in (DAILY_ANSWERS, DAILY_LESSONS,
                                                           DAILY_COURSES)]


async def test_a_first_refresh_fills_the_days_with_rows_not_every_day_since(
        repository: SqlRepository) -> None:
    await _march(repository.engine)
    # The 1st, the 2nd (found empty), the 10th, 11th, 15th, 16th, 20th, 21st and 22nd: not
    # the 31 days from the 1st to the 31st.
    assert await refresh(repository.engine, until=_at(31, 12)) == 9
    assert await _days(repository.engine) == [[1, 20, 21], [10], [15]]


async def test_a_day_whose_rows_were_erased_is_cleared_after_empty_days(
        repository: SqlRepository) -> None:
    ids = await _march(repository.engine)
    await refresh(repository.engine, until=_at(31, 12))
    async with repository.engine.begin() as connection:
        # As a refresh killed before it noted its time leaves it: the days filled after the
        # last refresh noted (the 1st) are filled again. Bác Năm's rows are gone meanwhile.
        await connection.execute(STATE.update().values(refreshed_at=_at(1, 12)))
        await erase(connection, ids["Bác Năm"])
    # The 1st, 2nd, 10th, 11th, 15th, 16th, and the 20th and 21st, now empty, cleared.
    assert await refresh(repository.engine, until=_at(31, 13)) == 8
    assert await _days(repository.engine) == [[1], [10], [15]]
