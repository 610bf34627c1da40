"""A small, hand-countable data set for report tests: two wards, one mentor, known scores.

Days are counted back from today in Vietnam; the expected figures in the tests are worked
out by hand from the table below (and said there, line by line).

  learner   area                      joined  active  lessons (first score, days ago)
  Bà Lan    hong-ha / tdp-1           10 d    1 d     nut-bam 3/3 (2), hoc-tiep 2/3 (1),
                                                      hoi-giup 3/3 (1): lam-quen finished
  Ông Tư    hong-ha / tdp-2           40 d    20 d    nut-bam 1/3 (35): outside 30 days
  Cô Hoa    hong-ha (no village)       5 d    0 d     nut-bam 1/3 (0)
  Bác Năm   ba-dinh / tdp-1            3 d    2 d     nut-bam 3/3 (2)
  Chú Sáu   ba-dinh                   50 d    45 d    -
  Người lạ  (no place)                 2 d    2 d     nut-bam 0/3 (1)
  Minh Anh  hong-ha, mentor (trained) 60 d    1 d     nut-bam 0/3 (1): a volunteer's, not counted;
                                                      paired with Bà Lan; ended with Ông Tư
  Quang     ba-dinh                   30 d    30 d    -   began to register as a mentor and
                                                      stopped: still a resident, not a mentor
  check-ins of Minh Anh and Bà Lan: 3 days ago and 40 days ago

Everyone above agreed to what is kept when they joined. Two more never did, and no report
counts or lists them: a web chat session opened today and never used, and Bà Chín, who
learned in hong-ha / tdp-1 before consent was asked (12 d) and has not come back since.
"""

from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.clock import local_date, now
from storage.database import create_engine, upgrade
from storage.mentoring import CHECK_IN
from storage.mentors import MENTOR, PAIRING
from storage.repository import ANSWER, COMPLETION, LEARNER, RESULT, area_columns

HONG_HA, BA_DINH = "ha-noi/hong-ha", "ha-noi/ba-dinh"
PEOPLE = [  # name, area, joined days ago, active days ago
    ("Bà Lan", f"{HONG_HA}/tdp-1", 10, 1), ("Ông Tư", f"{HONG_HA}/tdp-2", 40, 20),
    ("Cô Hoa", HONG_HA, 5, 0), ("Bác Năm", f"{BA_DINH}/tdp-1", 3, 2), ("Chú Sáu", BA_DINH, 50, 45),
    ("Người lạ", "", 2, 2), ("Minh Anh", HONG_HA, 60, 1), ("Quang", BA_DINH, 30, 30),
]
# channel, user ref, name, area, seq, joined and last active days ago
NEVER_AGREED = [("web", "phien-web-chua-dung", "", "", 0, 0),
                 ("zalo", "zalo-user-cu", "Bà Chín", f"{HONG_HA}/tdp-1", 7, 12)]
# learner, lesson of lam-quen, answers right (True) or wrong per question, days ago
LESSONS = [
    ("Bà Lan", "nut-bam", (True, True, True), 2), ("Bà Lan", "hoc-tiep", (False, True, True), 1),
    ("Bà Lan", "hoi-giup", (True, True, True), 1), ("Ông Tư", "nut-bam", (False, False, True), 35),
    ("Cô Hoa", "nut-bam", (False, False, True), 0), ("Bác Năm", "nut-bam", (True, True, True), 2),
    ("Người lạ", "nut-bam", (False, False, False), 1),
    ("Minh Anh", "nut-bam", (False, False, False), 1),
]


def _ago(days: int) -> Any:
    # A minute back, so that "today" is never a moment after the refresh that reads it.
    return now() - timedelta(days=days, minutes=1)


async def seed(engine: AsyncEngine) -> dict[str, int]:
    """Insert the data set; return each person's learner id by name."""
    ids: dict[str, int] = {}
    async with engine.begin() as connection:
        for number, (name, area, joined, active) in enumerate(PEOPLE):
            result = await connection.execute(insert(LEARNER).values(
                channel="zalo", user_ref=f"zalo-user-{number}", display_name=name, mode="menu",
                course_id="", lesson_id="", step_id="", question_id="", quiz_correct=0,
                quiz_answered=0, content_version="", seq=5, shown_buttons="", state="",
                ward="", created_at=_ago(joined), last_active_at=_ago(active),
                consented_at=_ago(joined), **area_columns(area)))
            ids[name] = int(result.inserted_primary_key[0])  # type: ignore[index]
        for channel, ref, name, area, seq, days in NEVER_AGREED:
            await connection.execute(insert(LEARNER).values(
                channel=channel, user_ref=ref, display_name=name, mode="menu", course_id="",
                lesson_id="", step_id="", question_id="", quiz_correct=0, quiz_answered=0,
                content_version="", seq=seq, shown_buttons="", state="", ward="",
                created_at=_ago(days), last_active_at=_ago(days), **area_columns(area)))
        for name, lesson, answers, days in LESSONS:
            right = sum(answers)
            await connection.execute(insert(RESULT).values(
                learner_id=ids[name], course_id="lam-quen", lesson_id=lesson,
                best_correct=right, last_correct=right, total=3, attempts=1,
                completed_at=_ago(days), failures=0, first_correct=right,
                first_completed_at=_ago(days)))
            for number, correct in enumerate(answers, start=1):
                await connection.execute(insert(ANSWER).values(
                    learner_id=ids[name], course_id="lam-quen", lesson_id=lesson,
                    question_id=f"q{number}", chosen=1 if correct else 2, correct=correct,
                    answered_at=_ago(days)))
        await connection.execute(insert(COMPLETION).values(
            learner_id=ids["Bà Lan"], course_id="lam-quen", completed_at=_ago(1)))
        for name, status in (("Minh Anh", "trained"), ("Quang", "registering")):
            await connection.execute(insert(MENTOR).values(
                learner_id=ids[name], full_name=name, ward="", unit="", status=status,
                approved_by="", created_at=_ago(60)))
        active = await connection.execute(insert(PAIRING).values(
            mentor_id=ids["Minh Anh"], mentee_id=ids["Bà Lan"], status="active", origin="code",
            created_at=_ago(9)))
        await connection.execute(insert(PAIRING).values(
            mentor_id=ids["Minh Anh"], mentee_id=ids["Ông Tư"], status="ended", origin="code",
            created_at=_ago(39), ended_at=_ago(30)))
        for days in (3, 40):
            await connection.execute(insert(CHECK_IN).values(
                pairing_id=active.inserted_primary_key[0], kind="truc-tiep",  # type: ignore
                met_on=local_date() - timedelta(days=days), note="", created_at=_ago(days)))
    return ids


async def seed_file(data_dir: Path) -> None:
    """Create the SQLite file `hocso serve` would use in `data_dir`, holding the data set."""
    engine = create_engine(f"sqlite:///{data_dir / 'hocso.db'}")
    try:
        await upgrade(engine)
        await seed(engine)
    finally:
        await engine.dispose()
