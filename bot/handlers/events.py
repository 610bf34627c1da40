"""What happened to a learner, published by the lesson engine; features subscribe in their FEATURE.

Subscribers run at once, inside the transaction of the turn (or of the scheduler's check)
that published the event: what they store and send commits with it or not at all.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from bot.handlers.context import Label
from bot.lessons.model import Course, Lesson
from storage.repository import Connection


class Scene(Protocol):
    """Where a subscriber acts: a learner's turn (Context), or the scheduler's check."""

    @property
    def connection(self) -> Connection: ...

    def text(self, key: str, **values: Any) -> str: ...

    def tell(self, learner_id: int, key: str, rows: list[list[Label]] | None = None,
             **values: Any) -> None: ...


@dataclass(frozen=True)
class LessonFinished:
    """The learner went through a lesson's last step (its quiz comes next)."""

    course: Course
    lesson: Lesson


@dataclass(frozen=True)
class QuizFinished:
    """The learner answered a lesson's last quiz question."""

    course: Course
    lesson: Lesson
    correct: int
    total: int
    passed: bool
    following: Lesson | None  # the course's next lesson, if any


@dataclass(frozen=True)
class QuizFailedTwice:
    """A lesson's quiz score stayed below the pass mark a second time (or more)."""

    course: Course
    lesson: Lesson


@dataclass(frozen=True)
class CourseFinished:
    """Every lesson of a course is now finished (noted once)."""

    course: Course


@dataclass(frozen=True)
class HelpRequested:
    """The learner asked for a person's help (their mentor), maybe with their question."""

    question: str = ""


@dataclass(frozen=True)
class LearnerQuiet:
    """A mentee has not written for a while (found by the scheduler, not in a turn)."""

    pairing_id: int
    mentor_id: int
    mentee_id: int
    name: str  # as their mentor reads it: "bác Tư"
    last_active: datetime
    today: datetime


async def publish(scene: Scene, event: object) -> None:
    """Run every subscriber of the event's type, in registration order."""
    from bot.handlers.registry import registry  # the registry imports every feature

    for subscriber in registry().subscribers.get(type(event), []):
        await subscriber(scene, event)
