"""A button's words typed instead of pressing it act as the press: the form of address, a
mentor's invitation, a quiz's options (bot/handlers/typed_buttons.py)."""

import pytest

from bot.lessons.model import Lesson, Library
from bot.tutor import Tutor
from tests.chat import Chat
from tests.mentoring_helpers import trained_mentor

OPTION = "Cảm ơn, giữ máy, hỏi nhân viên tại quầy"


@pytest.mark.parametrize("typed,form,said", [
    ("bác", "bac", "Cháu gọi bác bằng tên nào ạ?"),
    ("Cô", "co", "Cháu gọi cô bằng tên nào ạ?"),
    ("bac", "bac", "Cháu gọi bác bằng tên nào ạ?"),
    ("co", "co", "Cháu gọi cô bằng tên nào ạ?"),
    ("CHÚ ạ", "chu", "Cháu gọi chú bằng tên nào ạ?"),
    ("dạ, anh nhé", "anh", "Em gọi anh bằng tên nào ạ?"),
])
async def test_a_form_of_address_typed_is_the_form_picked(
        tutor: Tutor, typed: str, form: str, said: str) -> None:
    chat = Chat(tutor, "lan", display_name="Nguyễn Thị Lan")
    await chat.start(address=None)
    await chat.type(typed)
    assert said in chat.text() and "chưa hiểu" not in chat.text()
    await chat.type("Lan")  # and the name is asked, and kept
    learner = await tutor.repository.find_learner(channel="test", user_ref="lan")
    assert learner is not None and learner.settings == {"address": form, "called": "Lan"}


async def test_a_short_label_is_never_guessed_from_a_slip(tutor: Tutor) -> None:
    chat = Chat(tutor, "lan")
    await chat.start(address=None)
    await chat.type("bácc")  # "Bác"? "Bạn"? Not guessed: the usual readers have it
    assert "bằng tên nào" not in chat.text()
    learner = await tutor.repository.find_learner(channel="test", user_ref="lan")
    assert learner is not None and "address" not in learner.settings


@pytest.mark.parametrize("typed", ["đồng ý", "dong y", "Đồng ý ạ", "ok", "có", "dạ"])
async def test_typed_agreement_accepts_a_mentors_invitation(
        tutor: Tutor, library: Library, typed: str) -> None:
    mentor, resident = Chat(tutor, "mentor", "telegram"), Chat(tutor, "ba-lan", "zalo")
    code = await trained_mentor(mentor, library)
    await resident.start()
    await resident.type(code)
    assert "Trần Minh Anh" in resident.text()
    await resident.type(typed)
    assert "sẽ kèm bạn học" in resident.text(), typed


async def test_typed_refusal_is_the_refusing_button_not_a_yes(
        tutor: Tutor, library: Library) -> None:
    mentor, resident = Chat(tutor, "mentor", "telegram"), Chat(tutor, "ba-lan", "zalo")
    code = await trained_mentor(mentor, library)
    await resident.start()
    await resident.type(code)
    await resident.type("không đồng ý")
    assert "sẽ kèm bạn học" not in resident.text()
    assert await tutor.repository.find_learner(channel="zalo", user_ref="ba-lan") is not None
    await resident.type("/nguoi_kem")
    assert "Trần Minh Anh" not in resident.text()


@pytest.mark.parametrize("typed", ["có", "đúng rồi ạ", "phải"])
async def test_typed_agreement_confirms_the_unit_an_old_name_is_part_of(
        tutor: Tutor, typed: str) -> None:
    chat = Chat(tutor, "phucxa")
    await chat.start()
    await chat.type("/noi_o")
    await chat.type("phuc xa")  # "Có phải bạn ở Phường Hồng Hà không?"
    await chat.type(typed)
    assert "thôn hoặc tổ dân phố nào của Phường Hồng Hà" in chat.text(), typed


def _the_lesson(library: Library) -> tuple[str, Lesson]:
    course = library.course("an-toan-tk")
    assert course is not None
    lesson = next(lesson for lesson in course.lessons
                  if any(OPTION in question.options for question in lesson.quiz))
    assert lesson.quiz[0].options[1] == OPTION
    return course.id, lesson


async def _at_the_question(tutor: Tutor, library: Library) -> Chat:
    """A learner at the first question of that lesson's quiz."""
    course_id, lesson = _the_lesson(library)
    chat = Chat(tutor, "lan")
    await chat.start()
    await chat.learn(course_id, lesson.id)
    return chat


@pytest.mark.parametrize("typed", [
    OPTION, "cam on, giu may, hoi nhan vien tai quay", "Cảm ơn giữ máy hỏi nhân viên tại quầy ạ",
    "cam on giu may hoi nhan vien tai quayy", "giữ máy, hỏi nhân viên tại quầy", "hỏi nhân viên"])
async def test_an_option_typed_is_the_answer(tutor: Tutor, library: Library, typed: str) -> None:
    chat = await _at_the_question(tutor, library)
    await chat.type(typed)
    assert "Đúng rồi" in chat.text() and "Câu 2/" in chat.text(), typed
    assert "chưa có bài học" not in chat.text()


@pytest.mark.parametrize("typed", ["2 ạ", "dạ, số 2 nhé", "cái thứ hai", "câu thứ 2 ạ", "số hai"])
async def test_a_number_with_particles_is_the_number(tutor: Tutor, library: Library,
                                                     typed: str) -> None:
    chat = await _at_the_question(tutor, library)
    await chat.type(typed)
    assert "Đúng rồi" in chat.text() and "Câu 2/" in chat.text(), typed


@pytest.mark.parametrize("typed", ["đưa máy cho người ta", "giữ máy"])
async def test_an_unclear_option_asks_the_question_again_with_the_way_to_answer(
        tutor: Tutor, library: Library, typed: str) -> None:
    chat = await _at_the_question(tutor, library)
    await chat.type(typed)
    assert "gõ số thứ tự" in chat.text() and "Câu 1/" in chat.text(), typed
    assert "Đúng rồi" not in chat.text() and "Chưa đúng" not in chat.text()


@pytest.mark.parametrize("typed", ["tiếp", "ok", "được"])
async def test_going_on_at_a_quiz_question_says_to_pick_an_answer(
        tutor: Tutor, library: Library, typed: str) -> None:
    chat = await _at_the_question(tutor, library)
    await chat.type(typed)
    assert "Mời bạn chọn một câu trả lời" in chat.text() and "Câu 1/" in chat.text()
    assert OPTION in [b.label for r in chat.last for b in r.flat_buttons()]


async def test_an_old_screens_label_typed_presses_nothing(
        tutor: Tutor, library: Library) -> None:
    """Only the last message with buttons counts: "Cô" typed in a quiz is not the greeting's."""
    course_id, lesson = _the_lesson(library)
    chat = Chat(tutor, "lan")
    await chat.start(address=None)
    await chat.press("Bác")
    await chat.type("Lan")
    await chat.learn(course_id, lesson.id)
    await chat.type("Cô")
    learner = await tutor.repository.find_learner(channel="test", user_ref="lan")
    assert learner is not None and learner.settings["address"] == "bac"
    assert "Câu 1/" in chat.text()


async def _at_a_step(tutor: Tutor, library: Library) -> tuple[Chat, Lesson]:
    course_id, lesson = _the_lesson(library)
    chat = Chat(tutor, "lan")
    await chat.start()
    await chat.tap(f"l:{course_id}:{lesson.id}")
    assert f"{lesson.title} · Bước 1/" in chat.text()
    return chat, lesson


@pytest.mark.parametrize("typed", ["tếp", "tiêp", "tiepp", "ti\u200bếp", "tiếp\u00ad"])
async def test_going_on_typed_with_a_slip_goes_on(tutor: Tutor, library: Library,
                                                  typed: str) -> None:
    """Found by someone trying Học Số: "tếp" got "chưa có bài học nào về điều bạn hỏi"."""
    chat, lesson = await _at_a_step(tutor, library)
    await chat.type(typed)
    assert f"{lesson.title} · Bước 2/" in chat.text(), typed


@pytest.mark.parametrize("typed", ["tiền", "tệp", "tôi", "toi", "tien", "tiết", "buoc",
                                   "kiem", "cho"])
async def test_a_word_two_slips_from_going_on_is_read_as_itself(
        tutor: Tutor, library: Library, typed: str) -> None:
    """Found by a review: "tôi", sent alone before the rest, opened the menu ("thôi")."""
    chat, lesson = await _at_a_step(tutor, library)
    await chat.type(typed)
    assert f"{lesson.title} · Bước 2/" not in chat.text(), typed
    assert "Mời bạn chọn một khóa học" not in chat.text(), typed  # no menu ("thôi")


async def test_a_menu_typed_with_a_slip_is_the_menu(tutor: Tutor, library: Library) -> None:
    chat, _ = await _at_a_step(tutor, library)
    await chat.type("mneu")
    assert "Mời bạn chọn một khóa học" in chat.text() and "chưa có bài học" not in chat.text()


@pytest.mark.parametrize("typed,goes_on", [("rồi", True), ("roi", True), ("tiep tục", True),
                                           ("rối", False), ("Rối quá!", False)])
async def test_a_command_word_typed_with_other_marks_is_another_word(
        tutor: Tutor, library: Library, typed: str, goes_on: bool) -> None:
    """Found by a review: "rối" (muddled), folded, was "rồi" (done), and a lost resident who
    said so was taken on to the next step."""
    chat, lesson = await _at_a_step(tutor, library)
    await chat.type(typed)
    assert (f"{lesson.title} · Bước 2/" in chat.text()) == goes_on, typed
    assert goes_on or "nói lại" in chat.text() or "dễ hiểu hơn" in chat.text(), typed


async def test_a_form_after_a_number_word_is_that_form_not_a_number(tutor: Tutor) -> None:
    """"chọn bà" is "bà", not the third option ("ba" folded): a number's name counts only
    typed with its own marks, or none."""
    chat = Chat(tutor, "chon-ba")
    await chat.start(address=None)
    await chat.type("chọn bà")
    learner = await tutor.repository.find_learner(channel="test", user_ref="chon-ba")
    assert learner is not None and learner.settings.get("address") != "bac"
