"""When a reminder may go: at the learner's hour, at most once a day, never at night (Vietnam
time), weekly after a silent week, stopped after a silent month, inside Zalo OA's window."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from bot.handlers.reach import OA_MARGIN, OA_WINDOW
from storage.clock import VIETNAM

SLOTS = {"morning": 8, "noon": 12, "evening": 19}  # the offered times of day
FIRST_HOUR, LAST_HOUR = 7, 20  # a chosen hour: a reminder starts in 07:00-20:59
DAYTIME = (7, 21)  # sent from 07:00 to 20:59 at the latest (HOCSO_REMINDER_HOURS may narrow it)
WEEKLY_AFTER = timedelta(days=7)  # unanswered this long: weekly
STOP_AFTER = timedelta(days=30)  # unanswered this long: stopped, and the learner is told
RECENT = timedelta(hours=12)  # someone who learned this recently needs no reminder


def allowed_hour(hour: int) -> bool:
    return FIRST_HOUR <= hour <= LAST_HOUR


def night(at: datetime, daytime: tuple[int, int] = DAYTIME) -> bool:
    """Whether `at` is in the hours nobody is disturbed (21:00-06:59 in Vietnam)."""
    return not daytime[0] <= at.astimezone(VIETNAM).hour < daytime[1]


def at_hour(day: date, hour: int, minute: int = 0) -> datetime:
    """`hour`:`minute` of a Vietnamese calendar day."""
    return datetime.combine(day, time(hour, minute), VIETNAM)


def next_slot(hour: int, after: datetime, *, last_sent: datetime | None = None,
              weekly: bool = False) -> datetime:
    """The first `hour`:00 after `after` on a day later than the last reminder's (a week
    later when weekly)."""
    day = after.astimezone(VIETNAM).date()
    if last_sent is not None:
        day = max(day, last_sent.astimezone(VIETNAM).date() + timedelta(days=7 if weekly else 1))
    slot = at_hour(day, hour)
    return slot if slot > after else at_hour(day + timedelta(days=1), hour)


def oa_time(slot: datetime, last_active: datetime, not_before: datetime) -> datetime | None:
    """The moment for a Zalo OA reminder: its slot if inside the 48 hours after the learner's
    last message, else the latest daytime moment inside them; None when none is left."""
    latest = last_active + OA_WINDOW - OA_MARGIN
    if slot <= latest:
        return slot
    local = latest.astimezone(VIETNAM)
    if local.hour < FIRST_HOUR:  # before the morning: the evening before
        latest = at_hour(local.date() - timedelta(days=1), LAST_HOUR, 30)
    elif local.hour > LAST_HOUR:
        latest = at_hour(local.date(), LAST_HOUR, 30)
    return latest if latest >= not_before else None


@dataclass(frozen=True)
class Reminding:
    """A claimed reminder as the learner's silence and the channel's rules make it."""

    learner_id: int
    hour: int
    weekly: bool
    quiet_since: datetime | None
    last_sent_at: datetime | None
    last_active_at: datetime  # the person's last message, on any app
    reachable: bool  # consented, and an app of theirs can take a reminder now
    # The last message from the Zalo OA account the reminder goes to (its window counts
    # from there, not from another app's); None for other apps.
    oa_since: datetime | None = None


@dataclass(frozen=True)
class Decision:
    """What to do now ("remind", "stopping" or "" for nothing) and the row's next state."""

    say: str
    due_at: datetime | None
    stopped: bool
    weekly: bool
    quiet_since: datetime | None
    returned: bool


def decide(item: Reminding, at: datetime, daytime: tuple[int, int] = DAYTIME) -> Decision:
    """Send, put off or stop one due reminder at `at` (sent only in the `daytime` hours)."""
    # They wrote after a reminder: it worked (counted once); the silence starts from zero.
    quiet = item.quiet_since
    returned = quiet is not None and item.last_active_at > quiet
    if returned:
        quiet = None
    weekly = quiet is not None and at - quiet >= WEEKLY_AFTER

    def later(say: str = "", *, quiet_since: datetime | None = quiet,
              sent: datetime | None = item.last_sent_at) -> Decision:
        slot = next_slot(item.hour, at, last_sent=sent, weekly=weekly)
        if item.oa_since is not None and say:
            slot = oa_time(slot, item.oa_since, at) or slot  # else put off when due
        return Decision(say, slot, False, weekly, quiet_since, returned)

    if not item.reachable or night(at, daytime) or at - item.last_active_at < RECENT:
        return later(quiet_since=None if at - item.last_active_at < RECENT else quiet)
    if item.oa_since is not None and at > item.oa_since + OA_WINDOW - OA_MARGIN:
        return later()  # the window is closed: nothing may be sent until they write again
    if quiet is not None and at - quiet >= STOP_AFTER:
        return Decision("stopping", None, True, weekly, quiet, returned)
    return later("remind", quiet_since=quiet or at, sent=at)


def week_of(day: date) -> str:
    """The ISO week a Vietnamese calendar day is in ("2026-W49")."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def previous_week(day: date) -> str:
    return week_of(day - timedelta(days=7))


GOAL_KEYS = ("goal", "goal_week", "goal_lessons", "goal_streak", "goal_met")


def count_lesson(settings: dict[str, object], lesson: str, today: date) -> bool:
    """Count a finished lesson toward the weekly goal in `settings` (changed in place);
    True when this lesson met the week's goal."""
    goal = settings.get("goal")
    if not isinstance(goal, int) or goal <= 0:
        return False
    week = week_of(today)
    lessons = settings.get("goal_lessons") if settings.get("goal_week") == week else []
    done = [str(item) for item in lessons] if isinstance(lessons, list) else []
    if lesson in done:
        return False
    done = [*done, lesson][-20:]
    settings["goal_week"], settings["goal_lessons"] = week, done
    if len(done) != goal:
        return False
    streak = settings.get("goal_streak")
    kept = isinstance(streak, int) and settings.get("goal_met") == previous_week(today)
    settings["goal_streak"] = (streak if kept and isinstance(streak, int) else 0) + 1
    settings["goal_met"] = week
    return True


def goal_state(settings: dict[str, object], today: date) -> tuple[int, int, int]:
    """(goal, lessons this week, weeks in a row met up to now): 0 goal when none is set."""
    goal = settings.get("goal")
    if not isinstance(goal, int) or goal <= 0:
        return 0, 0, 0
    lessons = settings.get("goal_lessons") if settings.get("goal_week") == week_of(today) else []
    streak = settings.get("goal_streak")
    alive = settings.get("goal_met") in (week_of(today), previous_week(today))
    return goal, len(lessons) if isinstance(lessons, list) else 0, \
        streak if alive and isinstance(streak, int) else 0
