"""Time as stored (UTC) and as people in Vietnam read it (UTC+7, the same all year)."""

from datetime import UTC, date, datetime, time, timedelta, timezone

VIETNAM = timezone(timedelta(hours=7), "ICT")


def now() -> datetime:
    """Return the current time in UTC (the only time zone stored)."""
    return datetime.now(UTC)


def aware(when: datetime) -> datetime:
    """A stored time with its zone: SQLite hands datetimes back naive, and all are UTC."""
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def local_date(when: datetime | None = None) -> date:
    """The calendar date in Vietnam at `when` (now by default)."""
    return (when or now()).astimezone(VIETNAM).date()


def day_start(day: date) -> datetime:
    """The moment a Vietnamese calendar day begins, in UTC."""
    return datetime.combine(day, time(0, 0), VIETNAM).astimezone(UTC)
