"""SQLModel tables: learners and their place, identities, updates, results, answers, mentoring,
outbox."""

from datetime import date, datetime

from sqlalchemy import Column, Index, Integer, String, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

# The learners who never agreed to what is kept and were never shown more than the greeting.
UNCONSENTED = "consented_at IS NULL AND seq = 0"


class Learner(SQLModel, table=True):
    """A person, with where they are in the content (by ids, not positions). `channel` and
    `user_ref` are the app they used last (one of their `Identity` rows): messages for them
    go there."""

    __tablename__ = "learner"
    __table_args__ = (UniqueConstraint("channel", "user_ref", name="uq_learner_channel_user"),
                      Index("ix_learner_province", "area_province", "last_active_at"),
                      Index("ix_learner_commune", "area_commune", "last_active_at"),
                      Index("ix_learner_village", "area_village", "last_active_at"),
                      # Who never agreed and never went past the greeting: expired after a
                      # while (storage/retention.py), found without reading everyone else.
                      Index("ix_learner_unconsented", "last_active_at",
                            sqlite_where=text(UNCONSENTED), postgresql_where=text(UNCONSENTED)))

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
    # The quiz take the learner is on (bot.lessons.progress.Position): 0 the first, asked in
    # the author's order; a retake's number seeds its shuffled order.
    quiz_attempt: int = Field(default=0, sa_column=Column(Integer, nullable=False,
                                                          server_default="0"))
    # The payloads of the buttons shown last, newline-separated: typed "2" means the second.
    shown_buttons: str = Field(default="", sa_column=Column(String(1024), nullable=False))
    # Their labels, one a line in the same order: a typed label picks its button too.
    shown_labels: str = Field(default="", sa_column=Column(Text, nullable=False,
                                                          server_default=""))
    created_at: datetime
    last_active_at: datetime
    # What typed text answers next, when the bot asked a question in words (a name, a note):
    # a state's name ("" for none) and the JSON data its handler needs.
    state: str = Field(default="", sa_column=Column(String(32), nullable=False))
    state_data: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    # The language the learner reads (content/templates/<locale>/), chosen with /ngon_ngu.
    locale: str = Field(default="vi", sa_column=Column(String(16), nullable=False))
    # What the learner chose that features keep (JSON, one key a feature): how they want to
    # be called ({"address": "bac", "called": "Lan"}) and, later, reminders. No feature adds
    # a column of its own.
    settings: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    # The ward or commune the learner lives in, by name: mentors are matched on it.
    ward: str = Field(default="", sa_column=Column(String(128), nullable=False))
    # The same place as area ids (content/areas), one column a level, so that a report on
    # any area is one equality on one indexed column. "" where the learner did not say.
    area_province: str = Field(default="", sa_column=Column(String(52), nullable=False))
    area_commune: str = Field(default="", sa_column=Column(String(52), nullable=False))
    area_village: str = Field(default="", sa_column=Column(String(52), nullable=False))
    area_asked_at: datetime | None = None  # asked once where they live; they may skip it
    # When they agreed to what is kept (bot/handlers/consent.py); until then only the row
    # itself and the buttons of the greeting are stored.
    consented_at: datetime | None = None


class Identity(SQLModel, table=True):
    """One app account of a person (a Telegram chat, a Zalo user, a web session): every turn
    finds its learner through here, and several identities joined by a link code share one."""

    __tablename__ = "identity"
    __table_args__ = (Index("ix_identity_learner", "learner_id"),)

    channel: str = Field(sa_column=Column(String(16), primary_key=True))
    user_ref: str = Field(sa_column=Column(String(128), primary_key=True))
    learner_id: int = Field(foreign_key="learner.id")
    linked_at: datetime
    # When the person last wrote from here (every turn writes it): Zalo OA's 48 hours count
    # from it, and a message for the person goes to the app they used most recently.
    last_used_at: datetime
    # Set when the platform says messages cannot reach this app account (blocked the bot,
    # unfollowed, the window closed); cleared when the person writes from it again.
    unreachable_at: datetime | None = None


class LinkCode(SQLModel, table=True):
    """A code that joins another app to a person (/lien_ket): only its hash is kept, and it
    is deleted when used or found expired."""

    __tablename__ = "link_code"
    __table_args__ = (Index("ix_link_code_learner", "learner_id"),)

    code_hash: str = Field(sa_column=Column(String(64), primary_key=True))
    learner_id: int = Field(foreign_key="learner.id")
    created_at: datetime
    expires_at: datetime


class ProcessedUpdate(SQLModel, table=True):
    """A platform update already handled: its mark commits with the turn it caused."""

    __tablename__ = "processed_update"
    __table_args__ = (Index("ix_processed_update_user", "channel", "user_ref"),
                      Index("ix_processed_update_at", "processed_at"))

    channel: str = Field(sa_column=Column(String(16), primary_key=True))
    update_id: str = Field(sa_column=Column(String(128), primary_key=True))
    # Whose update it was, so that erasing a person erases their marks too (a web update id
    # holds the session id). "" on marks from before it was kept; those age out.
    user_ref: str = Field(default="", sa_column=Column(String(128), nullable=False,
                                                       server_default=""))
    processed_at: datetime


class LessonResult(SQLModel, table=True):
    """A learner's finished lesson: best and latest quiz score, number of attempts."""

    __tablename__ = "lesson_result"
    __table_args__ = (Index("ix_lesson_result_first", "first_completed_at"),)

    learner_id: int = Field(foreign_key="learner.id", primary_key=True)
    course_id: str = Field(sa_column=Column(String(16), primary_key=True))
    lesson_id: str = Field(sa_column=Column(String(16), primary_key=True))
    best_correct: int
    last_correct: int
    total: int
    attempts: int
    completed_at: datetime
    failures: int = 0  # attempts below the pass mark: a mentor hears of the second
    # The first attempt, which never changes: what organizers' scores are made of.
    first_correct: int = 0
    first_completed_at: datetime | None = None


class CourseCompletion(SQLModel, table=True):
    """A learner who has finished every lesson of a course, and when they first did."""

    __tablename__ = "course_completion"
    __table_args__ = (Index("ix_course_completion_at", "completed_at"),)

    learner_id: int = Field(foreign_key="learner.id", primary_key=True)
    course_id: str = Field(sa_column=Column(String(16), primary_key=True))
    completed_at: datetime


class QuizAnswer(SQLModel, table=True):
    """One answer to a quiz question, kept so mentors and organizers can see what was missed."""

    __tablename__ = "quiz_answer"
    __table_args__ = (Index("ix_quiz_answer_learner", "learner_id", "course_id", "lesson_id"),
                      Index("ix_quiz_answer_at", "answered_at"))

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


class Mentor(SQLModel, table=True):
    """A volunteer who coaches residents: who they are, and whether they may take mentees."""

    __tablename__ = "mentor"

    learner_id: int = Field(foreign_key="learner.id", primary_key=True)
    full_name: str = Field(default="", sa_column=Column(String(64), nullable=False))
    ward: str = Field(default="", sa_column=Column(String(128), nullable=False))
    unit: str = Field(default="", sa_column=Column(String(128), nullable=False))
    # "registering" (giving details), "training", "trained" (passed the course), "approved".
    status: str = Field(sa_column=Column(String(12), nullable=False))
    approved_by: str = Field(default="", sa_column=Column(String(64), nullable=False))
    created_at: datetime
    trained_at: datetime | None = None


class Invitation(SQLModel, table=True):
    """A mentor's invitation code (KEM-7Q4X-M9PD), valid until it expires or is revoked."""

    __tablename__ = "invitation"
    __table_args__ = (Index("ix_invitation_mentor", "mentor_id"),)

    code: str = Field(sa_column=Column(String(16), primary_key=True))
    mentor_id: int = Field(foreign_key="learner.id")
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None


class Pairing(SQLModel, table=True):
    """A mentor and a resident: proposed, accepted (active), declined or ended."""

    __tablename__ = "pairing"
    __table_args__ = (Index("ix_pairing_mentee", "mentee_id", "status"),
                      Index("ix_pairing_mentor", "mentor_id", "status"),
                      # At most one active mentor per resident, whatever runs concurrently.
                      Index("uq_pairing_one_active_mentor", "mentee_id", unique=True,
                            sqlite_where=text("status = 'active'"),
                            postgresql_where=text("status = 'active'")))

    id: int | None = Field(default=None, primary_key=True)
    mentor_id: int = Field(foreign_key="learner.id")
    mentee_id: int = Field(foreign_key="learner.id")
    status: str = Field(sa_column=Column(String(8), nullable=False))
    origin: str = Field(sa_column=Column(String(8), nullable=False))  # "code" or "request"
    created_at: datetime
    decided_at: datetime | None = None
    ended_at: datetime | None = None


class CheckIn(SQLModel, table=True):
    """A mentor's note of one coaching session: met in person or by phone, when, what."""

    __tablename__ = "check_in"

    id: int | None = Field(default=None, primary_key=True)
    pairing_id: int = Field(foreign_key="pairing.id", index=True)
    kind: str = Field(sa_column=Column(String(12), nullable=False))  # "truc-tiep" | "dien-thoai"
    met_on: date
    note: str = Field(default="", sa_column=Column(String(500), nullable=False))
    created_at: datetime


class Alert(SQLModel, table=True):
    """An alert already raised; its key makes every alert happen once, whatever restarts."""

    __tablename__ = "alert"

    key: str = Field(sa_column=Column(String(128), primary_key=True))
    pairing_id: int = Field(foreign_key="pairing.id")
    created_at: datetime


class CodeAttempt(SQLModel, table=True):
    """A wrong code typed by a learner: too many in an hour and they must wait. `kind` says
    which: "invite" (a mentor's invitation code) or "link" (a /lien_ket code); each kind is
    counted apart, so the wait is explained with the code the learner did type."""

    __tablename__ = "code_attempt"
    __table_args__ = (Index("ix_code_attempt_learner", "learner_id", "attempted_at"),
                      Index("ix_code_attempt_time", "attempted_at"))

    id: int | None = Field(default=None, primary_key=True)
    learner_id: int = Field(foreign_key="learner.id")
    attempted_at: datetime
    kind: str = Field(default="invite", sa_column=Column(String(8), nullable=False,
                                                         server_default="invite"))


class OutboxMessage(SQLModel, table=True):
    """A message for someone other than the learner of the turn, sent after it commits."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_pending", "sent_at", "next_try_at"),
                      Index("ix_outbox_learner", "learner_id", "sent_at"),
                      Index("ix_outbox_about", "about_id"))

    id: int | None = Field(default=None, primary_key=True)
    learner_id: int = Field(foreign_key="learner.id")
    # Whom the message is about (the learner whose turn or silence caused it), so that
    # erasing that person's data also erases what was said about them to others.
    about_id: int | None = Field(default=None, foreign_key="learner.id")
    # The app account it goes to (an `identity` of the learner): a reply goes back where it
    # was asked, a message from someone else to the person's app that can take it now.
    channel: str = Field(sa_column=Column(String(16), nullable=False))
    user_ref: str = Field(sa_column=Column(String(128), nullable=False))
    body: str = Field(sa_column=Column(Text, nullable=False))  # the Outgoing, as JSON
    created_at: datetime
    next_try_at: datetime  # also a lease: a worker that takes it pushes this forward
    attempts: int = 0
    sent_at: datetime | None = None
    # A messenger turn's own reply: the serving process that sends it right after the commit
    # (storage/processes.py). Others take it only once that process stops beating.
    owner: str | None = Field(default=None, max_length=32)
    # 0 for messages people wait for (a reply, a mentor's alert), 1 for reminders: workers
    # take the lower first, so a fan-out of reminders never holds up a live conversation.
    priority: int = Field(default=0, sa_column=Column(Integer, nullable=False,
                                                      server_default="0"))


class ServingProcess(SQLModel, table=True):
    """A running `hocso serve` process, which writes its heartbeat every few seconds."""

    __tablename__ = "process"

    id: str = Field(primary_key=True, max_length=32)
    alive_at: datetime

