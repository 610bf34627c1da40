"""Where a learner is and how that moves: pure functions, no I/O."""

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from enum import StrEnum
from typing import Any

from bot.lessons.model import Course, Lesson, Library, Question


class Mode(StrEnum):
    """The three places a learner can be."""

    MENU = "menu"
    LESSON = "lesson"
    QUIZ = "quiz"


@dataclass(frozen=True)
class Position:
    """A learner's place, by content ids; `seq` changes whenever the place changes.

    Buttons that act on the place (next, repeat, answer) carry `seq`, so a button from an
    older message is recognised as stale instead of acting on the wrong step.
    """

    mode: Mode = Mode.MENU
    course_id: str = ""
    lesson_id: str = ""
    step_id: str = ""
    question_id: str = ""
    quiz_correct: int = 0
    quiz_answered: int = 0
    content_version: str = ""
    seq: int = 0
    # How many times the learner had finished this quiz when this take began: 0 asks in the
    # author's order; a retake shuffles its questions and options (asked_order, shown_options).
    quiz_attempt: int = 0

    @classmethod
    def stored_as(cls, place: Mapping[str, Any]) -> "Position":
        """The position whose `stored()` form is `place` (the learner row's place columns;
        a place kept before a column existed lacks it and takes its default)."""
        return cls(**{**place, "mode": Mode(place["mode"])})

    def stored(self) -> dict[str, Any]:
        """This position as the learner row's place columns (storage.repository)."""
        # Field by field: dataclasses.asdict deep-copies each value, 2 % of a web request's CPU.
        return {name: getattr(self, name) for name in _PLACE} | {"mode": self.mode.value}


_PLACE = tuple(field.name for field in fields(Position))


def passed(correct: int, total: int) -> bool:
    """The pass mark: at least two thirds of a quiz's questions right."""
    return correct >= pass_mark(total)


def pass_mark(total: int) -> int:
    """How many of `total` questions must be right to pass: two thirds, rounded up."""
    return -(-total * 2 // 3)


class Reconciled(StrEnum):
    """What happened to a position when its course changed under the learner."""

    UNCHANGED = "unchanged"
    RESTARTED = "restarted"  # the step or question is gone: the lesson starts again
    GONE = "gone"  # the course or lesson is gone: back to the menu


def _enter(position: Position, course: Course, lesson: Lesson, **place: Any) -> Position:
    return Position(course_id=course.id, lesson_id=lesson.id, content_version=course.version,
                    seq=position.seq + 1, **place)


def start_lesson(position: Position, course: Course, lesson: Lesson) -> Position:
    """Put the learner at the first step of `lesson`."""
    return _enter(position, course, lesson, mode=Mode.LESSON, step_id=lesson.steps[0].id)


def start_quiz(position: Position, course: Course, lesson: Lesson, *,
               attempt: int = 0) -> Position:
    """Put the learner at the first quiz question of `lesson` as take `attempt` (0 for the
    first: see asked_order) asks it, with a fresh score."""
    entered = _enter(position, course, lesson, mode=Mode.QUIZ, quiz_attempt=attempt)
    return replace(entered, question_id=asked_order(entered, lesson)[0].id)


def _rank(position: Position, *parts: str) -> bytes:
    """Where one question (or option) stands in a retake's order: a hash of the take and the
    item's own id, so that the order is the same on every turn of the take (a redelivered
    message, a restart, an account joined mid-take: nothing of the learner's id is in it),
    another on each retake, and adding or removing one question moves no other."""
    key = "/".join((position.course_id, position.lesson_id, str(position.quiz_attempt), *parts))
    return hashlib.blake2b(key.encode(), digest_size=8).digest()


def asked_order(position: Position, lesson: Lesson) -> tuple[Question, ...]:
    """The quiz's questions in the order they are asked at `position`: the author's on a
    first take; shuffled on a retake, so that it tests understanding, not memory."""
    if position.quiz_attempt <= 0:
        return lesson.quiz
    return tuple(sorted(lesson.quiz, key=lambda question: _rank(position, question.id)))


def shown_options(position: Position, question: Question) -> tuple[int, ...]:
    """The 1-based numbers of `question`'s options in the order they are shown (answers are
    kept by these numbers, whatever the order)."""
    numbers = tuple(range(1, len(question.options) + 1))
    if position.quiz_attempt <= 0:
        return numbers
    return tuple(sorted(numbers, key=lambda number: _rank(position, question.id, str(number))))


def question_number(position: Position, lesson: Lesson) -> int:
    """The 1-based number of the question the learner is at, as the quiz says it: questions
    are asked one after another, so it follows the answers given, whatever the order."""
    return min(position.quiz_answered + 1, max(len(lesson.quiz), 1))


def advance_step(position: Position, lesson: Lesson) -> Position | None:
    """Move to the next step; None after the last one (or none known): the quiz comes next
    (start_quiz, with the take's number)."""
    index = lesson.step_index(position.step_id)
    if index is None or index + 1 >= len(lesson.steps):
        return None
    return replace(position, step_id=lesson.steps[index + 1].id, seq=position.seq + 1)


def previous_step(position: Position, lesson: Lesson) -> Position | None:
    """Move back to the step before this one; None at the first step (or none known)."""
    index = lesson.step_index(position.step_id)
    if not index:
        return None
    return replace(position, step_id=lesson.steps[index - 1].id, seq=position.seq + 1)


def answer_quiz(position: Position, lesson: Lesson, *, correct: bool) -> Position:
    """Count an answer and move to the next question asked, or back to the menu when done:
    when every question has an answer, or none follows this one in the take's order. (A
    question the author adds mid-take ahead of this one is not asked in this take.)"""
    total = len(lesson.quiz)
    # Never more answers than questions (one removed mid-take may have had its answer).
    answered = min(position.quiz_answered + 1, total)
    right = min(position.quiz_correct + (1 if correct else 0), answered)
    order = asked_order(position, lesson)
    ids = [question.id for question in order]
    following = order[ids.index(position.question_id) + 1:] \
        if position.question_id in ids else ()
    if answered >= total or not following:
        return replace(
            position, mode=Mode.MENU, step_id="", question_id="", quiz_correct=right,
            quiz_answered=answered, seq=position.seq + 1,
        )
    return replace(
        position, question_id=following[0].id, quiz_correct=right,
        quiz_answered=answered, seq=position.seq + 1,
    )


def to_menu(position: Position) -> Position:
    """Leave the lesson or quiz; the course stays remembered for suggestions."""
    if position.mode == Mode.MENU:
        return position
    return Position(course_id=position.course_id, lesson_id=position.lesson_id,
                    seq=position.seq + 1)


def reconcile(position: Position, library: Library) -> tuple[Position, Reconciled]:
    """Re-anchor a position after its course file changed: by step id, else restart."""
    if position.mode == Mode.MENU:
        return position, Reconciled.UNCHANGED
    course = library.course(position.course_id)
    if course is not None and course.version == position.content_version:
        return position, Reconciled.UNCHANGED
    lesson = course.lesson(position.lesson_id) if course else None
    if course is None or lesson is None:
        return to_menu(position), Reconciled.GONE
    if position.mode == Mode.LESSON and lesson.step_index(position.step_id) is not None:
        return replace(position, content_version=course.version), Reconciled.UNCHANGED
    if position.mode == Mode.QUIZ and lesson.question_index(position.question_id) is not None:
        return replace(position, content_version=course.version), Reconciled.UNCHANGED
    return start_lesson(position, course, lesson), Reconciled.RESTARTED
