"""Engine units: payload grammar, typed-text folding, pure progression and reconciliation."""

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.handlers import payloads
from bot.handlers.access import PairingAct, PairingOption
from bot.handlers.folding import fold
from bot.handlers.registry import registry
from bot.handlers.where import Place
from bot.lessons.model import Library
from bot.lessons.progress import (
    Mode,
    Position,
    Reconciled,
    advance_step,
    answer_quiz,
    asked_order,
    question_number,
    reconcile,
    start_lesson,
    start_quiz,
    to_menu,
)
from bot.listening import words


@pytest.mark.parametrize(("payload", "expected"), [
    ("c:lam-quen", payloads.OpenCourse("lam-quen")),
    ("l:lam-quen:nut-bam", payloads.StartLesson("lam-quen", "nut-bam")),
    ("q:lam-quen:nut-bam", payloads.StartQuiz("lam-quen", "nut-bam")),
    ("n:12", payloads.Next(12)),
    ("a:7:3", payloads.Choose(7, 3)),
    ("s:9:l:lam-quen:nut-bam", payloads.Switch(9, "l", "lam-quen", "nut-bam")),
    ("k:say:12:2", PairingOption("say", 12, 2)),
    ("k:help:12", PairingAct("help", 12)),
    ("w:ha-noi/hong-ha", Place("ha-noi/hong-ha")),
])
def test_payloads_unpack_to_their_typed_class(payload: str, expected: payloads.Payload) -> None:
    found = registry().button(payload)
    assert found is not None and found[0] == expected
    assert expected.pack() == payload


def test_bare_payloads_are_registered_commands() -> None:
    for name in ("menu", "resume", "progress", "help", "kem", "mydata", "eraseok", "skip",
                 "lang"):
        assert name in registry().commands


@pytest.mark.parametrize("payload", [
    "", "x", "MENU", "n:", "n:abc", "a:1:0", "a:1:10", "c:Lam Quen", "l:lam-quen",
    "c:" + "a" * 70, "l:lam-quen:nút", "c:lam-quen\n", "a:1:2:3", "{{ 7*7 }}", "../../etc",
    "s:1:x:lam-quen:nut-bam", "s:lam-quen:nut-bam", "s:1:l:lam-quen", "k:say:1:22",
    "lg:EN", "w:Ha Noi",
])
def test_forged_payloads_are_rejected(payload: str) -> None:
    assert registry().button(payload) is None and payload not in registry().commands


@given(data=st.data())
def test_every_registered_payload_packs_and_unpacks(data: st.DataObject) -> None:
    """Property: any field values in their formats pack into ≤ 64 ASCII bytes that unpack to
    the same payload, or are refused when packed (never sent, never misread)."""
    kind = data.draw(st.sampled_from(registry().payload_classes()))
    values = {name: (int(data.draw(st.from_regex(kind._patterns()[name], fullmatch=True)))
                     if hint is int else
                     data.draw(st.from_regex(kind._patterns()[name], fullmatch=True)))
              for name, hint in kind._fields()}
    payload = kind(**values)
    try:
        packed = payload.pack()
    except payloads.PayloadError:
        assert len(":".join([kind.prefix, *map(str, values.values())]).encode()) > 64
        return
    assert packed.isascii() and len(packed.encode()) <= 64
    found = registry().button(packed)
    assert found is not None and found[0] == payload


def test_a_field_out_of_its_format_is_refused_when_packed() -> None:
    with pytest.raises(payloads.PayloadError):
        payloads.Choose(3, 10).pack()
    with pytest.raises(payloads.PayloadError):
        payloads.StartLesson("Lam Quen", "x").pack()
    with pytest.raises(payloads.PayloadError):
        Place("a" * 60).pack()


@pytest.mark.parametrize(("typed", "folded"), [
    ("Tiếp tục", "tiep tuc"), ("  TIẾP  ", "tiep"), ("Về menu!", "ve menu"),
    ("Đồng ý", "dong y"), ("▶️ Tiếp tục bài đang học", "tiep tuc bai dang hoc"),
    ("/tiep_tuc", "tiep tuc"), ("😀😀", ""),
    # Other scripts keep their marks: Khmer "help", Thai "hello".
    ("ជំនួយ", "ជំនួយ"), ("สวัสดี!", "สวัสดี"),
])
def test_fold(typed: str, folded: str) -> None:
    assert fold(typed) == folded


# Vietnamese letters with their marks, composed and apart, đ, punctuation, a zero-width space
# and letters of other scripts with marks of their own (Khmer, Thai, Devanagari).
_TYPED = st.text(alphabet=st.one_of(
    st.sampled_from("aAăâeêioôơuưyđĐ bcdkmnq0123456789.,!?{}%\n\t\u00a0\u200b\u0300\u0301"
                    "\u0303\u0309\u0323áÀẢẵẬệỜữỴជំនួយสวัสดีनमस्ते你好ßøæ😀"),
    st.characters()), max_size=40)


@given(_TYPED)
def test_folding_in_one_pass_is_folding_a_character_at_a_time(typed: str) -> None:
    # fold's table (str.translate) is taken only where its result is ASCII: then the text
    # held no letter of another script, whose marks the character-by-character fold keeps.
    assert fold(typed) == words._fold_each(words._decomposed(typed))


def test_a_lesson_runs_through_its_steps_then_its_quiz(library: Library) -> None:
    course = library.courses[0]
    lesson = course.lessons[0]
    position = start_lesson(Position(), course, lesson)
    seen = [position.step_id]
    while (following := advance_step(position, lesson)) is not None:
        assert following.seq == position.seq + 1
        position = following
        seen.append(position.step_id)
    assert seen == [step.id for step in lesson.steps]
    # After the last step the quiz starts once: one new seq, not two.
    previous = position.seq
    position = start_quiz(position, course, lesson)
    assert position.seq == previous + 1
    assert position.mode == Mode.QUIZ and position.question_id == lesson.quiz[0].id
    for number, _ in enumerate(lesson.quiz):
        position = answer_quiz(position, lesson, correct=number != 0)
    assert position.mode == Mode.MENU
    assert (position.quiz_correct, position.quiz_answered) == (len(lesson.quiz) - 1,
                                                               len(lesson.quiz))


def test_a_retake_runs_through_every_question_once_in_its_own_order(library: Library) -> None:
    course = library.courses[0]
    lesson = course.lessons[0]
    position = start_quiz(Position(), course, lesson, attempt=2)
    asked = []
    while position.mode == Mode.QUIZ:
        asked.append(position.question_id)
        assert question_number(position, lesson) == len(asked)
        position = answer_quiz(position, lesson, correct=True)
    assert asked == [question.id for question in asked_order(
        start_quiz(Position(), course, lesson, attempt=2), lesson)]
    assert sorted(asked) == sorted(question.id for question in lesson.quiz)
    assert (position.quiz_correct, position.quiz_answered) == (len(lesson.quiz),) * 2


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
