"""The repository: every query the product makes, the same SQL on SQLite and PostgreSQL."""

import json
from collections.abc import AsyncIterator, Collection, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Table,
    bindparam,
    exists,
    func,
    insert,
    null,
    select,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.clock import aware, now
from storage.models import (
    CourseCompletion,
    FailedSend,
    Identity,
    Learner,
    LessonResult,
    OutboxMessage,
    ProcessedUpdate,
    QuizAnswer,
)
from storage.transactions import Connection, transactions_for

LEARNER: Table = Learner.__table__  # type: ignore[attr-defined]
PROCESSED: Table = ProcessedUpdate.__table__  # type: ignore[attr-defined]
RESULT: Table = LessonResult.__table__  # type: ignore[attr-defined]
ANSWER: Table = QuizAnswer.__table__  # type: ignore[attr-defined]
FAILED: Table = FailedSend.__table__  # type: ignore[attr-defined]
COMPLETION: Table = CourseCompletion.__table__  # type: ignore[attr-defined]
_OUTBOX: Table = OutboxMessage.__table__  # type: ignore[attr-defined]
IDENTITY: Table = Identity.__table__  # type: ignore[attr-defined]
# The learner's place: the columns the tutor reads and writes as a whole (its Position).
PLACE_COLUMNS = ("mode", "course_id", "lesson_id", "step_id", "question_id", "quiz_correct",
                 "quiz_answered", "content_version", "seq", "quiz_attempt")

# The statements of every turn, built once (SQLAlchemy caches their compiled form).
# A redelivered update inserts nothing (the same SQL on SQLite and PostgreSQL), and so fails
# no statement: on SQLite a failure would undo the other turns sharing its transaction.
MARK_PROCESSED = text(
    "INSERT INTO processed_update (channel, update_id, user_ref, processed_at)"
    " VALUES (:channel, :update_id, :user_ref, :processed_at) ON CONFLICT DO NOTHING"
).bindparams(bindparam("processed_at", type_=PROCESSED.c.processed_at.type))
_THIS_IDENTITY = ((IDENTITY.c.channel == bindparam("by_channel"))
                  & (IDENTITY.c.user_ref == bindparam("by_ref")))
# The person an app account belongs to (storage/identities.py), with when that account was
# last used, whether it can be reached, and whether messages wait for the person (handed
# over in the turn on channels without push). Only the learner's row is locked: the identity
# may be joined to another meanwhile.
_THIS_APP = (IDENTITY.c.last_used_at.label("identity_used_at"),
             IDENTITY.c.unreachable_at.is_(None).label("reachable"))
# What a turn reads of the learner (LearnerRecord), and no more: each column read costs a
# turn's CPU, and the times it only tests are read as flags (bench/RESULTS.md, issue 18).
_RECORD = (*(LEARNER.c[name] for name in (
    "id", "channel", "user_ref", "display_name", *PLACE_COLUMNS, "shown_buttons",
    "shown_labels", "state", "state_data", "locale", "settings", "ward", "area_province",
    "area_commune", "area_village")),
    LEARNER.c.area_asked_at.is_not(None).label("area_asked"),
    LEARNER.c.consented_at.is_not(None).label("consented"))
LOCK_LEARNER = select(*_RECORD, *_THIS_APP, exists().where(
    (_OUTBOX.c.learner_id == LEARNER.c.id) & _OUTBOX.c.sent_at.is_(None)).label("waiting")
).join(IDENTITY, IDENTITY.c.learner_id == LEARNER.c.id).where(
    _THIS_IDENTITY).with_for_update(of=LEARNER)
FIND_LEARNER = select(*_RECORD, *_THIS_APP).join(
    IDENTITY, IDENTITY.c.learner_id == LEARNER.c.id).where(_THIS_IDENTITY)
# Another app becomes the one used last.
USE_IDENTITY = update(LEARNER).where(LEARNER.c.id == bindparam("by_id")).values(
    channel=bindparam("new_channel"), user_ref=bindparam("new_ref"))
# Every turn: this app account was just used, and its person can be reached on it again.
TOUCH_IDENTITY = update(IDENTITY).where(_THIS_IDENTITY).values(
    last_used_at=bindparam("used_at", type_=IDENTITY.c.last_used_at.type),
    unreachable_at=null())  # NULL in the SQL itself: no parameter to bind each turn
SAVE_LEARNER = update(LEARNER).where(LEARNER.c.id == bindparam("by_id"))
_THIS_RESULT = ((RESULT.c.learner_id == bindparam("by_learner"))
                & (RESULT.c.course_id == bindparam("by_course"))
                & (RESULT.c.lesson_id == bindparam("by_lesson")))
RESULT_SO_FAR = select(RESULT.c.best_correct, RESULT.c.failures).where(_THIS_RESULT)
SAVE_RESULT = update(RESULT).where(_THIS_RESULT).values(
    attempts=RESULT.c.attempts + 1, failures=RESULT.c.failures + bindparam("failed"))
# The latest taken last: "làm lại bài kiểm tra" alone retakes that one.
SCORES = select(RESULT).where(RESULT.c.learner_id == bindparam("by_learner")).order_by(
    RESULT.c.completed_at, RESULT.c.course_id, RESULT.c.lesson_id)
# Built once, not per call: a statement made afresh also computes its cache key afresh.
ADD_ANSWER, ADD_RESULT, ADD_COMPLETION = insert(ANSWER), insert(RESULT), insert(COMPLETION)
ADD_LEARNER, ADD_IDENTITY = insert(LEARNER).returning(LEARNER.c.id), insert(IDENTITY)
COURSE_DONE = select(COMPLETION.c.course_id).where(
    (COMPLETION.c.learner_id == bindparam("by_learner"))
    & (COMPLETION.c.course_id == bindparam("by_course")))


@dataclass(frozen=True)
class LearnerRecord:
    """A learner as the tutor sees them at the start of a turn."""

    id: int
    channel: str
    user_ref: str
    display_name: str
    place: Mapping[str, Any]  # PLACE_COLUMNS' values (bot.lessons.progress.Position)
    shown_buttons: tuple[str, ...]
    is_new: bool
    shown_labels: tuple[str, ...] = ()  # the same buttons' labels ("" where unknown)
    reachable: bool = True  # the app account of the turn (storage/identities.py)
    app_used_at: datetime | None = None  # when that account was used before this turn
    state: str = ""  # what typed text answers next (see Learner.state)
    state_data: Mapping[str, Any] = field(default_factory=dict)
    locale: str = "vi"
    settings: Mapping[str, Any] = field(default_factory=dict)  # see Learner.settings
    ward: str = ""
    area: str = ""  # the deepest area id they gave (village, else commune), or ""
    area_asked: bool = False
    consented: bool = False  # agreed to what is kept (bot/handlers/consent.py)
    waiting: bool = False  # messages from others' turns wait for them in the outbox


@dataclass(frozen=True)
class LessonScore:
    """A finished lesson with its best and latest quiz score."""

    course_id: str
    lesson_id: str
    best_correct: int
    last_correct: int
    total: int
    attempts: int


def _record(row: Mapping[Any, Any]) -> LearnerRecord:
    """A learner as _RECORD (with _THIS_APP and `waiting`, where read) reads them."""
    shown_buttons = row["shown_buttons"]
    shown = tuple(shown_buttons.split("\n")) if shown_buttons else ()
    labels = tuple(row["shown_labels"].split("\n")) if shown and row["shown_labels"] else ()
    # "New" means never answered yet, however the row came to exist (web sessions create it).
    is_new = row["seq"] == 0 and not shown_buttons
    return LearnerRecord(row["id"], row["channel"], row["user_ref"], row["display_name"],
                         {name: row[name] for name in PLACE_COLUMNS}, shown, is_new,
                         shown_labels=labels if len(labels) == len(shown) else (),
                         reachable=bool(row.get("reachable", True)),
                         app_used_at=row.get("identity_used_at") and aware(
                             row["identity_used_at"]),
                         state=row["state"], state_data=_json(row["state_data"]),
                         locale=row["locale"], settings=_json(row["settings"]),
                         ward=row["ward"],
                         area=row["area_village"] or row["area_commune"] or row["area_province"],
                         area_asked=bool(row["area_asked"]), consented=bool(row["consented"]),
                         waiting=bool(row.get("waiting")))


def _json(text: str) -> dict[str, Any]:
    """A JSON object column; most learners' are empty."""
    return json.loads(text) if text and text != "{}" else {}


def _idle(row: Mapping[Any, Any], active_since: datetime | None) -> bool:
    # Per app account: a kiosk session left idle ends even while its person learns at home.
    return active_since is not None and aware(row["identity_used_at"]) < active_since


def area_columns(area_id: str) -> dict[str, str]:
    """The learner's three area columns for an area id: "a/b" -> a, a/b and no village."""
    parts = area_id.split("/") if area_id else []
    return {f"area_{level}": "/".join(parts[: n + 1]) if len(parts) > n else ""
            for n, level in enumerate(("province", "commune", "village"))}


def _new_learner(channel: str, user_ref: str) -> dict[str, Any]:
    return {
        "channel": channel, "user_ref": user_ref, "display_name": "", "mode": "menu",
        "course_id": "", "lesson_id": "", "step_id": "", "question_id": "", "quiz_correct": 0,
        "quiz_answered": 0, "content_version": "", "seq": 0, "quiz_attempt": 0,
        "shown_buttons": "",
        "shown_labels": "", "created_at": now(), "last_active_at": now(),
        "state": "", "state_data": "{}", "locale": "vi", "settings": "{}", "ward": "",
        **area_columns(""), "area_asked_at": None, "consented_at": None,
    }


def _new_identity(channel: str, user_ref: str, learner_id: int) -> dict[str, Any]:
    return {"channel": channel, "user_ref": user_ref, "learner_id": learner_id,
            "linked_at": now(), "last_used_at": now()}


async def _adopt(connection: Connection, channel: str, user_ref: str) -> bool:
    """Give its identity to a learner row made without one (loaded by a script or a data
    generator, written by code from before identities); False when there is no such row."""
    learner_id = await connection.scalar(select(LEARNER.c.id).where(
        (LEARNER.c.channel == channel) & (LEARNER.c.user_ref == user_ref)))
    if learner_id is None:
        return False
    try:
        async with connection.begin_nested():
            await connection.execute(ADD_IDENTITY, _new_identity(channel, user_ref,
                                                                 learner_id))
    except IntegrityError:
        pass  # given by a concurrent turn
    return True


async def _create(connection: Connection, channel: str, user_ref: str) -> None:
    """A new person on this app, unless a concurrent turn made (or joined) the identity."""
    try:
        async with connection.begin_nested():
            learner_id = (await connection.execute(
                ADD_LEARNER, _new_learner(channel, user_ref))).scalar_one()
            await connection.execute(ADD_IDENTITY, _new_identity(channel, user_ref, learner_id))
    except IntegrityError:
        pass  # the identity exists now: the caller locks its learner


async def _lesson_scores(connection: Connection, learner_id: int) -> list[LessonScore]:
    rows = await connection.execute(SCORES, {"by_learner": learner_id})
    return [LessonScore(r.course_id, r.lesson_id, r.best_correct, r.last_correct, r.total,
                        r.attempts) for r in rows]


class LearnerTurn:
    """One learner's turn inside one transaction, with the learner's row locked."""

    def __init__(self, connection: Connection, learner: LearnerRecord, *,
                 app: tuple[str, str] | None = None) -> None:
        self._connection = connection
        self.learner = learner
        # The app account the turn came from (channel, user_ref); its last use is this turn's.
        self.app = app or (learner.channel, learner.user_ref)
        # The finished lessons, read once a turn (several handlers of a finished quiz ask);
        # forgotten when this turn changes them.
        self._scores: list[LessonScore] | None = None

    @property
    def connection(self) -> Connection:
        """The turn's connection, for the other storage modules that work inside a turn."""
        return self._connection

    async def reload(self) -> LearnerRecord:
        """Read the learner's row again, after this turn changed it as a whole (joined
        another app's learner into it, storage/joining.py)."""
        row = (await self._connection.execute(select(*_RECORD).where(
            LEARNER.c.id == self.learner.id))).one()
        self.learner = _record(row._mapping)
        self._scores = None
        return self.learner

    async def lesson_scores(self) -> list[LessonScore]:
        """Return the learner's finished lessons."""
        if self._scores is None:
            self._scores = await _lesson_scores(self._connection, self.learner.id)
        return list(self._scores)

    async def record_answer(self, *, course_id: str, lesson_id: str, question_id: str,
                            chosen: int, correct: bool) -> None:
        """Keep one quiz answer."""
        await self._connection.execute(ADD_ANSWER, {
            "learner_id": self.learner.id, "course_id": course_id, "lesson_id": lesson_id,
            "question_id": question_id, "chosen": chosen, "correct": correct,
            "answered_at": now()})

    async def record_quiz(self, *, course_id: str, lesson_id: str, correct: int,
                          total: int, passed: bool = True) -> int:
        """Mark the lesson finished with this score; return the best score so far."""
        key = self._result_key(course_id, lesson_id)
        self._scores = None
        found = (await self._connection.execute(RESULT_SO_FAR, key)).first()
        if found is None:
            await self._connection.execute(ADD_RESULT, {
                "learner_id": self.learner.id, "course_id": course_id, "lesson_id": lesson_id,
                "best_correct": correct, "last_correct": correct, "total": total,
                "attempts": 1, "completed_at": now(), "failures": 0 if passed else 1,
                "first_correct": correct, "first_completed_at": now()})
            return correct
        best = max(found.best_correct, correct)
        await self._connection.execute(SAVE_RESULT, {
            **key, "best_correct": best, "last_correct": correct, "total": total,
            "completed_at": now(), "failed": 0 if passed else 1})
        return best

    async def record_course_done(self, course_id: str) -> bool:
        """Note that every lesson of a course is finished; False if it was already noted."""
        key = {"by_learner": self.learner.id, "by_course": course_id}
        if (await self._connection.execute(COURSE_DONE, key)).first() is not None:
            return False
        await self._connection.execute(ADD_COMPLETION, {
            "learner_id": self.learner.id, "course_id": course_id, "completed_at": now()})
        return True

    async def quiz_failures(self, *, course_id: str, lesson_id: str) -> int:
        """How many times the learner's quiz score for a lesson stayed below the pass mark."""
        found = (await self._connection.execute(
            RESULT_SO_FAR, self._result_key(course_id, lesson_id))).first()
        return int(found.failures) if found is not None else 0

    def _result_key(self, course_id: str, lesson_id: str) -> dict[str, Any]:
        return {"by_learner": self.learner.id, "by_course": course_id, "by_lesson": lesson_id}

    async def save(self, place: Mapping[str, Any], *, shown_buttons: tuple[str, ...],
                   display_name: str, shown_labels: tuple[str, ...] = (), state: str = "",
                   state_data: Mapping[str, Any] | None = None, locale: str | None = None,
                   settings: Mapping[str, Any] | None = None,
                   ward: str | None = None, area: str | None = None, area_asked: bool = False,
                   consent: bool = False) -> None:
        """Store the learner's new place (PLACE_COLUMNS), the buttons just shown, the
        question waiting for typed text (`state` and its data) and the `locale` when it
        changed, and their `settings` when they changed; `ward` and `area` when the learner
        named where they live,
        `area_asked` once asked, `consent` when they agree to what is kept. Before that no
        name is stored. Only the columns that change are written: a step moves one or two of
        the place's, and each column written costs the turn's CPU (bench/RESULTS.md)."""
        learner = self.learner
        at = now()
        changed: dict[str, Any] = {name: place[name] for name in PLACE_COLUMNS
                                   if place[name] != learner.place[name]}
        changed["last_active_at"] = at
        if shown_buttons != learner.shown_buttons:
            changed["shown_buttons"] = "\n".join(shown_buttons)
        if shown_labels != learner.shown_labels:
            changed["shown_labels"] = "\n".join(shown_labels)
        consented = learner.consented or consent
        name = display_name[:128] if consented else ""
        if name != learner.display_name:
            changed["display_name"] = name
        if state != learner.state:
            changed["state"] = state
        if state_data or learner.state_data:  # most turns wait for no typed answer
            data = json.dumps(state_data or {}, ensure_ascii=False)
            if data != json.dumps(learner.state_data, ensure_ascii=False):
                changed["state_data"] = data
        if area is not None:
            changed.update(area_columns(area))
        if consent and not learner.consented:
            changed["consented_at"] = at
        if ward is not None:
            changed["ward"] = ward[:128]
        if locale is not None:
            changed["locale"] = locale
        if settings is not None:
            changed["settings"] = json.dumps(settings, ensure_ascii=False)
        if area_asked and not learner.area_asked:
            changed["area_asked_at"] = at
        await self._connection.execute(SAVE_LEARNER, {"by_id": learner.id, **changed})
        # They just wrote from this app: replies can reach them here (Zalo OA's window opens).
        await self._connection.execute(TOUCH_IDENTITY, {
            "by_channel": self.app[0], "by_ref": self.app[1], "used_at": at})


async def readers(connection: Connection,
                  learner_ids: Collection[int]) -> dict[int, tuple[str, dict[str, Any]]]:
    """Each learner's language and settings: how a message to them is to be written."""
    rows = await connection.execute(select(LEARNER.c.id, LEARNER.c.locale, LEARNER.c.settings)
                                    .where(LEARNER.c.id.in_(list(learner_ids))))
    return {row.id: (row.locale, json.loads(row.settings or "{}")) for row in rows}


class UnknownLearner(LookupError):
    """A turn for a learner who must exist already (a web chat session) found none."""


async def keep_failed(connection: Connection, *, channel: str, user_ref: str, text: str,
                      error: str) -> None:
    """Keep a message that could not be delivered, so nothing is dropped silently."""
    await connection.execute(insert(FAILED).values(
        channel=channel, user_ref=user_ref, text=text, error=error[:512], failed_at=now()))


class SqlRepository:
    """Storage's one door, over an async SQLAlchemy engine."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.transaction = transactions_for(engine)

    @asynccontextmanager
    async def turn(self, *, channel: str, user_ref: str, update_id: str | None,
                   create: bool = True, active_since: datetime | None = None,
                   ) -> AsyncIterator[LearnerTurn | None]:
        """Open a learner's turn; yield None when `update_id` was already processed. An
        unknown learner is created, or with `create=False` raises UnknownLearner, as does
        one not active since `active_since` (a web session ended by being left idle).

        Everything done through the turn commits together with the processed mark, so a
        redelivered update finds its mark and changes nothing. The turn ends once its commit
        is on the disk, so nothing is answered that a power cut could undo. On SQLite the
        turns that queue up meanwhile share that commit (storage/transactions.py).
        """
        async with self.transaction() as connection:
            if update_id is not None and not (await connection.execute(MARK_PROCESSED, {
                    "channel": channel, "update_id": update_id, "user_ref": user_ref,
                    "processed_at": now()})).rowcount:
                yield None
                return
            learner = await self._lock_learner(connection, channel, user_ref, create,
                                               active_since)
            yield LearnerTurn(connection, learner, app=(channel, user_ref))

    async def _lock_learner(self, connection: Connection, channel: str, user_ref: str,
                            create: bool, active_since: datetime | None) -> LearnerRecord:
        key = {"by_channel": channel, "by_ref": user_ref}
        # Plain rows, by name through `_mapping`: asking the result for mappings cost a turn
        # 3 % more (bench/RESULTS.md, issue 18).
        found = (await connection.execute(LOCK_LEARNER, key)).first()
        if found is None:
            adopted = await _adopt(connection, channel, user_ref)
            if not adopted and not create:
                raise UnknownLearner(f"{channel}:{user_ref}")
            if not adopted:
                await _create(connection, channel, user_ref)
            # Created here or by a concurrent first message; or, on PostgreSQL, the person
            # this identity belonged to was just joined into another: lock whoever it is now.
            found = (await connection.execute(LOCK_LEARNER, key)).one()
        row = found._mapping
        if _idle(row, active_since):
            raise UnknownLearner(f"{channel}:{user_ref} (idle)")
        learner = _record(row)
        if (learner.channel, learner.user_ref) != (channel, user_ref):
            # A joined person writes from another app: it becomes the one used last.
            await connection.execute(USE_IDENTITY, {"by_id": learner.id, "new_channel": channel,
                                                    "new_ref": user_ref})
            learner = replace(learner, channel=channel, user_ref=user_ref)
        return learner

    async def create_learner(self, *, channel: str, user_ref: str) -> None:
        """Register a learner before their first message (the web chat's new session). On
        SQLite it shares the turns' commits: as a second writer, through aiosqlite, it took the
        write lock from under them, and the web chat's CPU a request halved without it
        (bench/RESULTS.md)."""
        async with self.transaction() as connection:
            learner_id = (await connection.execute(
                ADD_LEARNER, _new_learner(channel, user_ref))).scalar_one()
            await connection.execute(ADD_IDENTITY, _new_identity(channel, user_ref, learner_id))

    async def record_failed_send(self, *, channel: str, user_ref: str, text: str,
                                 error: str) -> None:
        """Keep a reply that could not be delivered, so nothing is dropped silently."""
        async with self.engine.begin() as connection:
            await keep_failed(connection, channel=channel, user_ref=user_ref, text=text,
                              error=error)

    async def failed_sends(self, *, channel: str) -> list[tuple[str, str, str]]:
        """Return (user_ref, text, error) of the undelivered replies of a channel, oldest first."""
        async with self.engine.connect() as connection:
            rows = await connection.execute(select(FAILED).where(FAILED.c.channel == channel)
                                            .order_by(FAILED.c.id))
            return [(row.user_ref, row.text, row.error) for row in rows]

    async def find_learner(self, *, channel: str, user_ref: str,
                           active_since: datetime | None = None) -> LearnerRecord | None:
        """Return a learner without locking, or None if unknown (or idle since
        `active_since`)."""
        key = {"by_channel": channel, "by_ref": user_ref}
        async with self.engine.connect() as connection:
            found = (await connection.execute(FIND_LEARNER, key)).first()
        if found is None or _idle(found._mapping, active_since):
            return None
        return _record(found._mapping)

    async def lesson_scores(self, learner_id: int) -> list[LessonScore]:
        """Return a learner's finished lessons outside any turn."""
        async with self.engine.connect() as connection:
            return await _lesson_scores(connection, learner_id)

    async def count_answers(self, learner_id: int) -> int:
        """Return how many quiz answers a learner has given in all."""
        async with self.engine.connect() as connection:
            query = select(func.count()).select_from(ANSWER).where(
                ANSWER.c.learner_id == learner_id)
            return int((await connection.execute(query)).scalar_one())

