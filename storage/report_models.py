"""SQLModel tables for organizers: accounts, sessions, and the daily tables reports read."""

from datetime import date, datetime

from sqlalchemy import Column, Index, String, UniqueConstraint
from sqlmodel import Field, SQLModel


class Organizer(SQLModel, table=True):
    """A dashboard account: sees the reports of one area and of the areas below it."""

    __tablename__ = "organizer"

    id: int | None = Field(default=None, primary_key=True)
    login: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    name: str = Field(sa_column=Column(String(128), nullable=False))
    area_id: str = Field(sa_column=Column(String(52), nullable=False))  # "" = every area
    role: str = Field(sa_column=Column(String(12), nullable=False))  # "organizer" | "viewer"
    password_hash: str = Field(sa_column=Column(String(256), nullable=False))
    created_at: datetime


class LoginAttempt(SQLModel, table=True):
    """A sign-in try not yet followed by a success: too many in a while lock the login, or
    refuse the address they came from."""

    __tablename__ = "login_attempt"
    __table_args__ = (Index("ix_login_attempt_login", "login", "attempted_at"),
                      Index("ix_login_attempt_address", "address", "attempted_at"))

    id: int | None = Field(default=None, primary_key=True)
    login: str = Field(sa_type=String(64))
    address: str = Field(default="", sa_column=Column(String(64), nullable=False,
                                                      server_default=""))
    attempted_at: datetime


class KnownAddress(SQLModel, table=True):
    """Where a login last signed in successfully from: for KNOWN_TIME that address is not
    slowed by a spray against the login from elsewhere (storage/organizers.py)."""

    __tablename__ = "known_address"

    login: str = Field(sa_column=Column(String(64), primary_key=True))
    address: str = Field(sa_column=Column(String(64), primary_key=True))
    signed_in_at: datetime


class OrganizerSession(SQLModel, table=True):
    """A signed-in browser: the cookie holds a random token, this row only its hash."""

    __tablename__ = "organizer_session"

    token_hash: str = Field(sa_column=Column(String(64), primary_key=True))
    organizer_id: int = Field(foreign_key="organizer.id", index=True)
    csrf_token: str = Field(sa_column=Column(String(64), nullable=False))
    created_at: datetime
    expires_at: datetime


class RollupState(SQLModel, table=True):
    """How far the daily report tables are filled in; its row is also the refresh lock."""

    __tablename__ = "rollup_state"

    id: int = Field(default=1, primary_key=True)
    refreshed_at: datetime | None = None


def _daily_args(name: str) -> tuple[Index, ...]:
    return tuple(Index(f"ix_{name}_{level}", f"area_{level}", "day")
                 for level in ("province", "commune", "village"))


class DailyPlace(SQLModel):
    """What every daily table starts with: the day, the place (as on Learner) and the course."""

    id: int | None = Field(default=None, primary_key=True)
    day: date
    area_province: str = Field(sa_type=String(52))
    area_commune: str = Field(sa_type=String(52))
    area_village: str = Field(sa_type=String(52))
    course_id: str = Field(sa_type=String(16))


class DailyAnswers(DailyPlace, table=True):
    """Quiz answers of one day and village (or commune), per question: answered and wrong."""

    __tablename__ = "daily_answers"
    __table_args__ = _daily_args("daily_answers")

    lesson_id: str = Field(sa_type=String(16))
    question_id: str = Field(sa_type=String(16))
    answered: int
    wrong: int


class DailyLessons(DailyPlace, table=True):
    """Lessons first finished on one day in one place, by course and first-attempt score."""

    __tablename__ = "daily_lessons"
    __table_args__ = _daily_args("daily_lessons")

    correct: int
    total: int
    lessons: int


class DailyCourses(DailyPlace, table=True):
    """Courses finished on one day in one place."""

    __tablename__ = "daily_courses"
    __table_args__ = _daily_args("daily_courses")

    courses: int


class DailyScamChecks(SQLModel, table=True):
    """Messages residents had checked for scams ("Kiểm tra tin nhắn lạ"), per day and place:
    how many checks (`flag` ""), and how many raised each red flag. Counts only: the text of
    a message is never stored, nor who sent it in."""

    __tablename__ = "daily_scam_checks"
    __table_args__ = (UniqueConstraint("day", "area_province", "area_commune", "area_village",
                                       "flag", name="uq_daily_scam_checks_key"),
                      *(Index(f"ix_daily_scam_checks_{level}", f"area_{level}", "day")
                        for level in ("province", "commune", "village")))

    id: int | None = Field(default=None, primary_key=True)
    day: date
    area_province: str = Field(sa_type=String(52))
    area_commune: str = Field(sa_type=String(52))
    area_village: str = Field(sa_type=String(52))
    flag: str = Field(sa_type=String(24))  # a flag code (bot/lessons/flags.py), "" = checks
    count: int
