"""SQLModel tables: learners and their place, processed updates, lesson results, quiz answers."""

from datetime import datetime

from sqlalchemy import Column, Index, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


class Learner(SQLModel, table=True):
    """A person on one channel, with where they are in the content (by ids, not positions)."""

    __tablename__ = "learner"
    __table_args__ = (UniqueConstraint("channel", "user_ref", name="uq_learner_channel_user"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(sa_column=Column(String(16), nullable=False))
    user_ref: str = Field(sa_column=Column(String(128), nullable=False))
    display_name: str = Field(default="", sa_column=Column(String(128), nullable=False))
    mode: str = Field(default="menu", sa_column=Column(String(8), nullable=False))
    course_id: str = Field(default="", sa_column=Column(String(16), nullable=False))
    lesson_id: str = Field(default="", sa_column=Column(String(16), nullable=False))
    step_id: str = Field(default="", sa_column=Column(String(16), nullable=False))
    question_id: str = Field(default="", sa_column=Column(String(16), nullable=False))
    quiz_correct: int = 0
    quiz_answered: int = 0
    content_version: str = Field(default="", sa_column=Column(String(16), nullable=False))
    seq: int = 0
    # The payloads of the buttons shown last, newline-separated: typed "2" means the second.
    shown_buttons: str = Field(default="", sa_column=Column(String(1024), nullable=False))
    created_at: datetime
    last_active_at: datetime
    # Set when the platform says messages cannot reach them (blocked the bot, window closed).
    unreachable_at: datetime | None = None


class ProcessedUpdate(SQLModel, table=True):
    """A platform update already handled: its mark commits with the turn it caused."""

    __tablename__ = "processed_update"

    channel: str = Field(sa_column=Column(String(16), primary_key=True))
    update_id: str = Field(sa_column=Column(String(128), primary_key=True))
    processed_at: datetime


class LessonResult(SQLModel, table=True):
    """A learner's finished lesson: best and latest quiz score, number of attempts."""

    __tablename__ = "lesson_result"

    learner_id: int = Field(foreign_key="learner.id", primary_key=True)
    course_id: str = Field(sa_column=Column(String(16), primary_key=True))
    lesson_id: str = Field(sa_column=Column(String(16), primary_key=True))
    best_correct: int
    last_correct: int
    total: int
    attempts: int
    completed_at: datetime


class QuizAnswer(SQLModel, table=True):
    """One answer to a quiz question, kept so mentors and organizers can see what was missed."""

    __tablename__ = "quiz_answer"
    __table_args__ = (Index("ix_quiz_answer_learner", "learner_id", "course_id", "lesson_id"),)

    id: int | None = Field(default=None, primary_key=True)
    learner_id: int = Field(foreign_key="learner.id")
    course_id: str = Field(sa_column=Column(String(16), nullable=False))
    lesson_id: str = Field(sa_column=Column(String(16), nullable=False))
    question_id: str = Field(sa_column=Column(String(16), nullable=False))
    chosen: int
    correct: bool
    answered_at: datetime


class FailedSend(SQLModel, table=True):
    """A reply that could not be delivered after every retry, kept for operators to see."""

    __tablename__ = "failed_send"

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(sa_column=Column(String(16), nullable=False))
    user_ref: str = Field(sa_column=Column(String(128), nullable=False))
    text: str = Field(sa_column=Column(Text, nullable=False))
    error: str = Field(sa_column=Column(String(512), nullable=False))
    failed_at: datetime


class OaToken(SQLModel, table=True):
    """A Zalo OA's tokens: the refresh token is single-use, so it lives here, not in memory."""

    __tablename__ = "oa_token"

    app_id: str = Field(sa_column=Column(String(32), primary_key=True))
    access_token: str = Field(sa_column=Column(Text, nullable=False))
    refresh_token: str = Field(sa_column=Column(Text, nullable=False))
    # The refresh token from the environment this row started from: a new one replaces the row.
    seed_refresh_token: str = Field(sa_column=Column(Text, nullable=False))
    expires_at: datetime
    updated_at: datetime
