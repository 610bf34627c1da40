"""Engine units: payload grammar, typed-text folding, pure progression and reconciliation."""

from dataclasses import replace

import pytest

from bot.handlers import payloads
from bot.handlers.router import fold
from bot.lessons.model import Library
from bot.lessons.progress import (
    Mode,
    Position,
    Reconciled,
    advance_step,
    answer_quiz,
    reconcile,
    start_lesson,
    to_menu,
)


@pytest.mark.parametrize(("payload", "name", "args"), [
    ("menu", "menu", ()),
    ("resume", "resume", ()),
    ("c:lam-quen", "c", ("lam-quen",)),
    ("l:lam-quen:nut-bam", "l", ("lam-quen", "nut-bam")),
    ("q:lam-quen:nut-bam", "q", ("lam-quen", "nut-bam")),
    ("n:12", "n", ("12",)),
    ("a:7:3", "a", ("7", "3")),
    ("s:9:l:lam-quen:nut-bam", "s", ("9", "l", "lam-quen", "nut-bam")),
])
def test_payloads_parse(payload: str, name: str, args: tuple[str, ...]) -> None:
    action = payloads.parse(payload)
    assert action == payloads.Action(name, args)


@pytest.mark.parametrize("payload", [
    "", "x", "MENU", "n:", "n:abc", "a:1:0", "a:1:10", "c:Lam Quen", "l:lam-quen",
    "c:" + "a" * 70, "l:lam-quen:nút", "c:lam-quen\n", "a:1:2:3", "{{ 7*7 }}", "../../etc",
    "s:1:x:lam-quen:nut-bam", "s:lam-quen:nut-bam", "s:1:l:lam-quen",
])
def test_forged_payloads_are_rejected(payload: str) -> None:
    assert payloads.parse(payload) is None


def test_every_built_payload_is_short_ascii_and_parses() -> None:
    built = [payloads.course("a" * 16), payloads.lesson("a" * 16, "b" * 16),
             payloads.quiz("a" * 16, "b" * 16), payloads.next_step(999_999_999),
             payloads.repeat(1), payloads.answer(999_999_999, 4),
             payloads.switch(999_999_999, "q", "a" * 16, "b" * 16)]
    for payload in built:
        assert payload.isascii() and len(payload.encode()) <= 64
        assert payloads.parse(payload) is not None


@pytest.mark.parametrize(("typed", "folded"), [
    ("Tiếp tục", "tiep tuc"), ("  TIẾP  ", "tiep"), ("Về menu!", "ve menu"),
    ("Đồng ý", "dong y"), ("▶️ Tiếp tục bài đang học", "tiep tuc bai dang hoc"),
    ("/tiep_tuc", "tiep tuc"), ("😀😀", ""),
])
def test_fold(typed: str, folded: str) -> None:
    assert fold(typed) == folded


def test_a_lesson_runs_through_its_steps_then_its_quiz(library: Library) -> None:
    course = library.courses[0]
    lesson = course.lessons[0]
    position = start_lesson(Position(), course, lesson)
    seen = [position.step_id]
    while position.mode == Mode.LESSON:
        previous = position.seq
        position = advance_step(position, course, lesson)
        assert position.seq == previous + 1
        seen.append(position.step_id or position.question_id)
    assert seen[:-1] == [step.id for step in lesson.steps]
    assert position.mode == Mode.QUIZ and position.question_id == lesson.quiz[0].id
    for number, _ in enumerate(lesson.quiz):
        position = answer_quiz(position, lesson, correct=number != 0)
    assert position.mode == Mode.MENU
    assert (position.quiz_correct, position.quiz_answered) == (len(lesson.quiz) - 1,
                                                               len(lesson.quiz))


def test_menu_keeps_the_course_for_suggestions() -> None:
    position = Position(mode=Mode.LESSON, course_id="c", lesson_id="l", step_id="s", seq=4)
    assert to_menu(position) == Position(course_id="c", lesson_id="l", seq=5)


def test_reconcile_follows_step_ids_across_versions(library: Library) -> None:
    course = library.courses[0]
    lesson = course.lessons[0]
    at_step_two = replace(start_lesson(Position(), course, lesson), step_id=lesson.steps[1].id)
    assert reconcile(at_step_two, library) == (at_step_two, Reconciled.UNCHANGED)

    edited = replace(at_step_two, content_version="older")
    moved, outcome = reconcile(edited, library)
    assert outcome == Reconciled.UNCHANGED
    assert moved.step_id == lesson.steps[1].id and moved.content_version == course.version

    removed_step = replace(edited, step_id="gone")
    restarted, outcome = reconcile(removed_step, library)
    assert outcome == Reconciled.RESTARTED
    assert restarted.step_id == lesson.steps[0].id and restarted.seq > removed_step.seq

    removed_lesson = replace(edited, lesson_id="gone")
    home, outcome = reconcile(removed_lesson, library)
    assert outcome == Reconciled.GONE and home.mode == Mode.MENU

    quiz = Position(mode=Mode.QUIZ, course_id=course.id, lesson_id=lesson.id,
                    question_id="gone", content_version="older")
    assert reconcile(quiz, library)[1] == Reconciled.RESTARTED
