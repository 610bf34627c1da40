"""Events that come from time passing: a mentee quiet for N days (their mentor is told once),
and learners' reminders when due (each queued once, whatever restarts or runs beside)."""

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from bot.handlers.context import Label, Told, Writer
from bot.handlers.events import LearnerQuiet, publish
from bot.handlers.payloads import RESUME
from bot.handlers.reach import OA, pick
from bot.handlers.reminder_times import DAYTIME, Reminding, decide, goal_state
from bot.handlers.reminders import REMIND_OFF
from bot.handlers.rules import MentoringRules
from bot.lessons.model import BASE_LOCALE, MENTOR_COURSE
from bot.lessons.progress import Mode
from bot.lessons.render import called_name
from bot.periodic import every
from storage.clock import local_date
from storage.identities import apps_of
from storage.mentoring import inactive_pairings
from storage.outbox import LATER, PROMPT, queue, queue_many, waiting_reminders
from storage.reminders import OFF, ON, STOPPED, Due, Settled, claim, finished_lessons, settle
from storage.repository import SqlRepository, now
from storage.transactions import Connection


class Outside:
    """Where subscribers act outside a learner's turn: one transaction of the scheduler's."""

    def __init__(self, connection: Connection, writer: Writer, *, about: int) -> None:
        self.connection = connection
        self.writer = writer
        self.about = about  # whom the messages are about (erased with them)
        self._told: list[Told] = []

    def text(self, key: str, **values: Any) -> str:
        return self.writer.renderers[BASE_LOCALE].message(key, **values)

    def tell(self, learner_id: int, key: str, rows: list[list[Label]] | None = None,
             **values: Any) -> None:
        self._told.append(Told(learner_id, key, values, tuple(tuple(row) for row in rows or [])))

    async def send(self, *, priority: int = PROMPT) -> int:
        """Queue what subscribers said, in this transaction; return how many messages."""
        written = await self.writer.write(self.connection, self._told)
        for letter in written:
            await queue(self.connection, letter.learner_id, letter.message.to_json(),
                        to=letter.to, about=self.about, priority=priority)
        return len(written)


class InactivityWatch:
    """Finds idle mentees in storage (not in memory), so a restart repeats no alert."""

    def __init__(self, repository: SqlRepository, writer: Writer, rules: MentoringRules, *,
                 clock: Callable[[], datetime] = now, interval: float = 600.0) -> None:
        self.repository = repository
        self.writer = writer
        self.rules = rules
        self.clock = clock
        self.interval = interval

    async def check(self) -> int:
        """Publish the quiet mentees (their mentors are told by a subscriber, once a quiet
        stretch); return how many were told."""
        today = self.clock()
        cutoff = today - timedelta(days=self.rules.inactive_days)
        raised = 0
        for pairing_id, mentor_id, mentee_id, name, form, last_active in await inactive_pairings(
                self.repository.engine, cutoff):
            async with self.repository.engine.begin() as connection:
                scene = Outside(connection, self.writer, about=mentee_id)
                # As the mentor reads the mentee elsewhere: "bác Tư".
                called = called_name(self.writer.base.templates, name, form)
                await publish(scene, LearnerQuiet(pairing_id, mentor_id, mentee_id, called,
                                                  last_active, today))
                raised += await scene.send()
        return raised

    async def run(self) -> None:
        """Check every `interval` seconds until cancelled."""
        await every(self.interval, self.check, what="the inactivity check")


class ReminderRun:
    """Sends due reminders: each claimed by one worker of one process (FOR UPDATE SKIP LOCKED
    on PostgreSQL, BEGIN IMMEDIATE on SQLite) and queued into the outbox in the transaction
    that moves it on, so a reminder is queued once whatever crashes or runs beside it. The
    outbox sends it after the replies people wait for (its priority, bot/channels/pacing.py)."""

    def __init__(self, repository: SqlRepository, writer: Writer, *,
                 clock: Callable[[], datetime] = now, interval: float = 30.0,
                 batch: int = 50, backlog: int = 600,
                 daytime: tuple[int, int] = DAYTIME) -> None:
        self.repository = repository
        self.writer = writer
        self.clock = clock
        self.interval = interval
        self.batch = batch
        self.daytime = daytime  # the hours (Vietnam time) reminders may go out
        # Reminders queued but not yet sent beyond which no more are claimed for now: queueing
        # faster than Telegram's 30 a second only takes time from people talking now.
        self.backlog = backlog

    async def check(self) -> int:
        """Claim and settle every reminder due now, a batch a transaction; return how many
        messages were queued."""
        queued = 0
        while True:
            if await waiting_reminders(self.repository.engine) >= self.backlog:
                return queued
            at = self.clock()
            async with self.repository.engine.begin() as connection:
                claimed = await claim(connection, at, limit=self.batch)
                queued += await self._settle(connection, claimed, at)
            if len(claimed) < self.batch:
                return queued

    async def _settle(self, connection: Connection, claimed: list[Due], at: datetime) -> int:
        """Decide, write and queue a claimed batch: a few statements for the whole batch."""
        finished = await finished_lessons(connection, [
            due.learner_id for due in claimed if due.mode not in (Mode.LESSON, Mode.QUIZ)])
        apps = await apps_of(connection, [due.learner_id for due in claimed])
        told: list[Told] = []
        settled: list[Settled] = []
        for due in claimed:
            # The app it would go to: the most recently used that pushes now (not the web
            # kiosk, not a blocked bot, not Zalo OA outside its window), if any.
            app = pick(apps[due.learner_id], at, push_only=True)
            decision = decide(Reminding(
                due.learner_id, due.hour, due.weekly, due.quiet_since, due.last_sent_at,
                due.last_active_at, reachable=due.consented and app is not None,
                oa_since=app.last_used_at if app is not None and app.channel == OA else None),
                at, self.daytime)
            to = app.key if app is not None else None
            status = STOPPED if decision.stopped else ON
            if decision.say == "remind":
                values = self._where(due, at, finished.get(due.learner_id, set()))
                if values["kind"] == "done":  # nothing left to learn: nothing to remind of
                    decision = replace(decision, say="", due_at=None)
                    status = OFF
                else:
                    told.append(Told(due.learner_id, "reminder_nudge", {
                        **values, "weekly": decision.weekly and not due.weekly},
                        ((("button_learn_on", RESUME),), (("button_remind_stop", REMIND_OFF),)),
                        to=to, push_only=True))
            elif decision.say == "stopping":
                told.append(Told(due.learner_id, "reminder_stopping", {},
                                 ((("button_learn_on", RESUME),),), to=to, push_only=True))
            settled.append(Settled(due.learner_id, decision.due_at, status, decision.weekly,
                                   decision.quiet_since, at if decision.say else None,
                                   decision.returned))
        written = await self.writer.write(connection, told, at=at)
        await queue_many(connection, [(letter.learner_id, letter.to, letter.message.to_json(),
                                       letter.learner_id) for letter in written], priority=LATER)
        await settle(connection, settled)
        return len(written)

    def _where(self, due: Due, at: datetime, finished: set[tuple[str, str]]) -> dict[str, Any]:
        """What the reminder says of the learner's own lesson, in their language."""
        library = self.writer.base.in_locale(due.locale)
        goal, done, _ = goal_state(json.loads(due.settings or "{}"), local_date(at))
        found = library.course(due.course_id)
        lesson = found.lesson(due.lesson_id) if found else None
        if lesson is not None and due.mode == Mode.LESSON:
            index = lesson.step_index(due.step_id) or 0
            return {"kind": "step", "lesson": lesson.title, "left": len(lesson.steps) - index,
                    "goal": goal, "done": done}
        if lesson is not None and due.mode == Mode.QUIZ:
            left = max(len(lesson.quiz) - due.quiz_answered, 1)
            return {"kind": "quiz", "lesson": lesson.title, "left": left,
                    "goal": goal, "done": done}
        courses = sorted((course for course in library.courses if course.id != MENTOR_COURSE),
                         key=lambda course: course.id != due.course_id)
        for course in courses:
            for item in course.lessons:
                if (course.id, item.id) not in finished:
                    return {"kind": "next", "lesson": item.title, "left": 0, "goal": goal,
                            "done": done}
        return {"kind": "done", "lesson": "", "left": 0, "goal": goal, "done": done}

    async def run(self) -> None:
        """Check every `interval` seconds until cancelled."""
        await every(self.interval, self.check, what="sending reminders")
