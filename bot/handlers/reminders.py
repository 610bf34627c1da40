"""Reminders and the weekly goal: asked once after a first lesson, changed with /nhac_hoc,
stopped by "đừng nhắc nữa" whatever the learner is doing. The scheduler sends them
(bot/scheduler.py `ReminderRun`, timing in bot/handlers/reminder_times.py)."""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.handlers import payloads, where
from bot.handlers.context import Context, Rows
from bot.handlers.events import LessonFinished, QuizFinished
from bot.handlers.folding import fold
from bot.handlers.payloads import Payload, StartLesson
from bot.handlers.progress import show_current
from bot.handlers.reach import has_push
from bot.handlers.registry import Command, Feature, Waits
from bot.handlers.reminder_times import (
    GOAL_KEYS,
    SLOTS,
    allowed_hour,
    count_lesson,
    goal_state,
    next_slot,
)
from bot.lessons.model import MENTOR_COURSE
from bot.lessons.progress import Mode
from bot.messages import PULLED
from storage.clock import local_date, now
from storage.identities import accounts
from storage.reminders import ON, STOPPED, choose, schedule_of, turn_off

REMIND, REMIND_OFF, REMIND_HOUR = "remind", "remindoff", "remindhour"  # command names
ASKED_HOUR = "remind_hour"  # the state while a typed hour is awaited
GOALS = (1, 2, 3)  # lessons a week the learner may aim for
_HOUR = re.compile(r"(\d{1,2})")


@dataclass(frozen=True)
class RemindAt(Payload):
    """Remind me every day at this hour (Vietnam time)."""

    prefix = "rm"
    hour: int


@dataclass(frozen=True)
class WeeklyGoal(Payload):
    """Aim for this many lessons a week (0: no goal)."""

    prefix = "gl"
    lessons: int


async def pushes(ctx: Context) -> bool:
    """Whether reminders can reach the person: here, or on another of their apps (a kiosk
    learner joined to Zalo is reminded on Zalo, bot/handlers/reach.py)."""
    if ctx.incoming.channel not in PULLED:
        return True
    return any(has_push(app) for app in await accounts(ctx.turn.connection,
                                                        ctx.turn.learner.id))


def parse_hour(text: str) -> int | None:
    """The hour a learner typed ("19", "7 giờ tối", "3h chiều"), in 0-23; None if none."""
    folded = fold(text)
    found = _HOUR.search(folded)
    if found is None:
        return None
    hour = int(found.group(1))
    if hour < 12 and any(word in folded.split() for word in ("chieu", "toi", "pm")):
        hour += 12
    return hour if 0 <= hour <= 23 else None


def _time_rows(ctx: Context) -> Rows:
    return [[ctx.button("button_remind_morning", RemindAt(SLOTS["morning"])),
             ctx.button("button_remind_noon", RemindAt(SLOTS["noon"]))],
            [ctx.button("button_remind_evening", RemindAt(SLOTS["evening"])),
             ctx.button("button_remind_hour", REMIND_HOUR)],
            [ctx.button("button_remind_never", REMIND_OFF)]]


def ask(ctx: Context, *, also: Rows | None = None) -> None:
    """Ask once whether and when to remind (nothing until the learner chooses)."""
    ctx.settings.pop("reminder_pending", None)
    ctx.settings["reminder_asked"] = True
    ctx.say(ctx.text("reminder_ask"), _time_rows(ctx) + (also or []))


async def _lesson_finished(ctx: Any, event: LessonFinished) -> None:
    if not isinstance(ctx, Context):  # only learners' turns finish lessons
        return
    if count_lesson(ctx.settings, f"{event.course.id}/{event.lesson.id}", local_date()):
        goal, _, streak = goal_state(ctx.settings, local_date())
        ctx.say(ctx.text("goal_met", goal=goal, streak=streak))
    # Asked already: no need to look up the person's apps (a query on the web chat).
    if event.course.id != MENTOR_COURSE and not ctx.settings.get("reminder_asked") \
            and await pushes(ctx):
        ctx.settings["reminder_pending"] = True  # asked after the quiz, not in the middle


async def _quiz_finished(ctx: Any, event: QuizFinished) -> None:
    if not isinstance(ctx, Context) or not ctx.settings.get("reminder_pending") \
            or ctx.settings.get("reminder_asked"):
        return
    # One question at a time: the place question, asked once at this moment, goes first.
    # Not after a quiz not passed either: its "Làm lại bài kiểm tra" must stay the answer.
    if not event.passed or ctx.state is not None or (
            event.course.id != MENTOR_COURSE and where.should_ask(ctx)):
        return
    ask(ctx, also=[[ctx.button("button_next_lesson", StartLesson(
        event.course.id, event.following.id))]] if event.following else None)


async def show(ctx: Context) -> None:
    """/nhac_hoc: the reminder as it is, the weekly goal, and buttons to change both."""
    schedule = await schedule_of(ctx.turn.connection, ctx.turn.learner.id)
    goal, done, streak = goal_state(ctx.settings, local_date())
    on = schedule is not None and schedule.status == ON
    rows: Rows = []
    can_remind = await pushes(ctx)
    if can_remind:
        rows += _time_rows(ctx)[:2]
        if on:
            rows.append([ctx.button("button_remind_off", REMIND_OFF)])
    if goal:
        rows.append([ctx.button("button_goal_off", WeeklyGoal(0))])
    else:
        rows.append([ctx.button("button_goal", WeeklyGoal(lessons), lessons=lessons)
                     for lessons in GOALS])
    rows.append(ctx.menu_row())
    ctx.say(ctx.text("reminders_show", on=on, hour=schedule.hour if schedule else 0,
                     weekly=bool(on and schedule and schedule.weekly),
                     stopped=bool(schedule and schedule.status == STOPPED),
                     pushes=can_remind, goal=goal, done=done, streak=streak), rows)


async def _at(ctx: Context, action: RemindAt) -> bool:
    if not allowed_hour(action.hour) or not await pushes(ctx):
        return False
    await _set(ctx, action.hour)
    return True


async def _set(ctx: Context, hour: int) -> None:
    at = now()
    await choose(ctx.turn.connection, ctx.turn.learner.id, hour=hour,
                 due_at=next_slot(hour, at), at=at)
    ctx.settings.pop("reminder_pending", None)
    ctx.settings["reminder_asked"] = True
    ctx.say(ctx.text("reminder_set", hour=hour))
    _back(ctx)


def _back(ctx: Context) -> None:
    """Where the learner was: the step or question again, else the way on."""
    if ctx.position.mode != Mode.MENU:
        show_current(ctx)
    else:
        ctx.say(ctx.text("reminder_next"), [[ctx.button("button_resume", payloads.RESUME)],
                                            ctx.menu_row()])


async def ask_hour(ctx: Context) -> None:
    """"Giờ khác": wait for a typed hour."""
    if not await pushes(ctx):
        ctx.say(ctx.text("reminders_no_push"), [ctx.menu_row()])
        return
    ctx.ask(ASKED_HOUR)
    ctx.say(ctx.text("reminder_ask_hour"), [[ctx.button("button_skip", payloads.SKIP)]])


async def _typed_hour(ctx: Context, text: str, _data: Mapping[str, Any]) -> None:
    hour = parse_hour(text)
    if hour is None or not allowed_hour(hour):
        ctx.ask(ASKED_HOUR)
        ctx.say(ctx.text("reminder_hour_invalid"), [[ctx.button("button_skip", payloads.SKIP)]])
        return
    await _set(ctx, hour)


async def _skip_hour(ctx: Context, _data: Mapping[str, Any]) -> None:
    ctx.say(ctx.text("reminder_hour_skipped"))
    _back(ctx)


async def stop(ctx: Context) -> None:
    """"Đừng nhắc nữa", at any moment: no more reminders; the learner stays where they were."""
    stopped = await turn_off(ctx.turn.connection, ctx.turn.learner.id)
    ctx.settings.pop("reminder_pending", None)
    ctx.settings["reminder_asked"] = True
    ctx.say(ctx.text("reminders_off", were_on=stopped))
    _back(ctx)


async def _goal(ctx: Context, action: WeeklyGoal) -> bool:
    if action.lessons not in (0, *GOALS):
        return False
    if action.lessons == 0:
        for key in GOAL_KEYS:
            ctx.settings.pop(key, None)
        ctx.say(ctx.text("goal_off"))
    else:
        ctx.settings["goal"] = action.lessons
        ctx.say(ctx.text("goal_set", goal=action.lessons))
    _back(ctx)
    return True


FEATURE = Feature(
    commands=(Command(REMIND, show), Command(REMIND_OFF, stop, escape=True),
              Command(REMIND_HOUR, ask_hour)),
    buttons={RemindAt: _at, WeeklyGoal: _goal},
    waits=(Waits(ASKED_HOUR, _typed_hour, skip=_skip_hour),),
    events={LessonFinished: _lesson_finished, QuizFinished: _quiz_finished},
    samples={
        "reminder_ask": {}, "reminder_ask_hour": {}, "reminder_hour_invalid": {},
        "reminder_hour_skipped": {}, "reminder_set": {"hour": 19}, "reminder_next": {},
        "reminders_off": {"were_on": True}, "reminders_no_push": {},
        "reminders_show": {"on": True, "hour": 19, "weekly": False, "stopped": False,
                           "pushes": True, "goal": 2, "done": 1, "streak": 3},
        "goal_set": {"goal": 2}, "goal_off": {}, "goal_met": {"goal": 2, "streak": 3},
        "goal_line": {"goal": 2, "done": 1, "streak": 3},
        "button_remind_morning": {}, "button_remind_noon": {}, "button_remind_evening": {},
        "button_remind_hour": {}, "button_remind_never": {}, "button_remind_off": {},
        "button_goal": {"lessons": 2}, "button_goal_off": {},
        "reminder_nudge": {"kind": "step", "lesson": "Quét mã QR", "left": 2, "goal": 2,
                           "done": 1, "weekly": False},
        "reminder_stopping": {}, "button_learn_on": {}, "button_remind_stop": {},
    },
)
