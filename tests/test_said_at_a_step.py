"""What residents type at a lesson step, found by an outside tester: acknowledgements go on,
thanks, goodbyes and pleas about the letters or the pace get a kind answer, "không hiểu gì
cả" explains again, and the name question takes no plea or word of address for a name."""

import pytest

from bot.lessons.model import Lesson, Library
from bot.tutor import Tutor
from tests.chat import Chat

NO_LESSON = "chưa có bài học nào"
NOT_UNDERSTOOD = "chưa hiểu ý"


def _plain_steps(library: Library) -> tuple[str, Lesson]:
    """A lesson whose first three steps have no check question."""
    for course in library.courses:
        for lesson in course.lessons:
            if len(lesson.steps) > 4 and all(step.check is None for step in lesson.steps[:4]):
                return course.id, lesson
    raise AssertionError("no such lesson")


async def _at_step_3(tutor: Tutor, library: Library, user: str, *,
                     channel: str = "test") -> tuple[Chat, Lesson]:
    course_id, lesson = _plain_steps(library)
    chat = Chat(tutor, user, channel=channel)
    await chat.start(address="ong")
    await chat.tap(f"l:{course_id}:{lesson.id}")
    await chat.type("tiếp")
    await chat.type("tiếp")
    assert f"{lesson.title} · Bước 3/" in chat.text()
    return chat, lesson


@pytest.mark.parametrize("typed", [
    "vâng", "Vâng ạ", "xong", "hiểu rồi", "đã hiểu", "được rồi", "dạ", "dạ vâng", "ừ", "oke",
    "oki", "ok ạ", "👍", "👍🏻", "tiếp đi", "tiep di chau", "Tiếp nhé cháu", "xong rồi con"])
async def test_an_acknowledgement_goes_on(tutor: Tutor, library: Library, typed: str) -> None:
    """Found by a tester: "vâng" showed a lesson on "tạm vắng", "xong" was not understood,
    "tiếp đi" had no lesson."""
    chat, lesson = await _at_step_3(tutor, library, "ack")
    await chat.type(typed)
    assert f"{lesson.title} · Bước 4/" in chat.text(), typed
    assert NO_LESSON not in chat.text() and NOT_UNDERSTOOD not in chat.text(), typed


@pytest.mark.parametrize("typed", ["rối", "rối đi", "chào cháu"])
async def test_muddled_and_a_greeting_do_not_go_on(tutor: Tutor, library: Library,
                                                   typed: str) -> None:
    chat, lesson = await _at_step_3(tutor, library, "muddled")
    await chat.type(typed)
    assert f"{lesson.title} · Bước 4/" not in chat.text(), typed


async def test_vang_at_the_menu_is_no_question(tutor: Tutor) -> None:
    chat = Chat(tutor, "menu")
    await chat.start(address="ong")
    await chat.type("vâng")
    assert "thông báo lưu trú" not in chat.text() and NO_LESSON not in chat.text()


@pytest.mark.parametrize("typed", ["bác đi ngủ đây", "thôi nghỉ đã", "tạm biệt cháu"])
async def test_a_goodbye_says_the_place_is_kept(tutor: Tutor, library: Library,
                                                typed: str) -> None:
    chat, lesson = await _at_step_3(tutor, library, "bye")
    await chat.type(typed)
    assert "nghỉ ngơi" in chat.text() and "được lưu lại" in chat.text(), typed
    assert "học tiếp đúng chỗ cũ" in chat.text() and NO_LESSON not in chat.text()
    await chat.press("Tiếp tục bài đang học")  # the way back: the same step
    assert f"{lesson.title} · Bước 3/" in chat.text()


async def test_a_goodbye_at_the_menu_offers_no_lesson_to_continue(tutor: Tutor) -> None:
    chat = Chat(tutor, "bye-menu")
    await chat.start(address="bac")
    await chat.type("bác đi ngủ đây")
    assert "học tiếp" in chat.text()  # how to come back: typing it suggests the next lesson
    assert not any("Tiếp tục bài đang học" in b.label for r in chat.last for b in r.flat_buttons())


@pytest.mark.parametrize(("channel", "said"), [
    ("web", '"A+"'), ("telegram", "Cỡ chữ"), ("zalo", "Cỡ chữ")])
async def test_small_letters_get_the_way_to_bigger_ones(
        tutor: Tutor, library: Library, channel: str, said: str) -> None:
    chat, lesson = await _at_step_3(tutor, library, "letters", channel=channel)
    await chat.type("chữ nhỏ quá")
    assert said in chat.text() and NO_LESSON not in chat.text()
    await chat.type("tiếp")  # the place has not moved
    assert f"{lesson.title} · Bước 4/" in chat.text()


async def test_slow_down_gets_a_kind_answer(tutor: Tutor, library: Library) -> None:
    chat, _ = await _at_step_3(tutor, library, "slow")
    await chat.type("cháu nói chậm thôi")
    assert "thong thả" in chat.text() and NO_LESSON not in chat.text()


@pytest.mark.parametrize("typed", ["không hiểu gì cả", "khong hieu gi ca", "chả hiểu gì luôn"])
async def test_not_understanding_anything_explains_again(tutor: Tutor, library: Library,
                                                         typed: str) -> None:
    chat, lesson = await _at_step_3(tutor, library, "lost")
    await chat.type(typed)
    assert "bước này nhiều người cũng thấy khó" in chat.text(), typed
    assert f"{lesson.title} · Bước 3/" in chat.text()


@pytest.mark.parametrize("typed", ["Cảm ơn cháu", "cam on chau nhieu", "cảm ơn Học Số ạ"])
async def test_thanks_is_welcome_and_the_step_stays(tutor: Tutor, library: Library,
                                                    typed: str) -> None:
    chat, lesson = await _at_step_3(tutor, library, "thanks")
    await chat.type(typed)
    assert "Dạ, không có gì ạ!" in chat.text() and "Ông cứ tiếp tục" in chat.text(), typed
    await chat.type("1")  # the step's own buttons still work: "Tiếp tục"
    assert f"{lesson.title} · Bước 4/" in chat.text()


async def test_the_simpler_words_come_right_after_the_lead_in(
        tutor: Tutor, library: Library) -> None:
    course = next(course for course in library.courses
                  if any(step.simpler for lesson in course.lessons for step in lesson.steps[:1]))
    lesson = next(lesson for lesson in course.lessons if lesson.steps[0].simpler)
    chat = Chat(tutor, "simpler")
    await chat.start()
    await chat.tap(f"l:{course.id}:{lesson.id}")
    await chat.type("tôi không hiểu")
    text = chat.text()
    simpler = chat.read(lesson.steps[0].simpler or "").strip().splitlines()[0]
    assert text.index("dễ hiểu hơn") < text.index(simpler) < text.index("Nếu vẫn chưa rõ")


@pytest.mark.parametrize("typed", ["tôi không hiểu", "ko biet", "Bác", "dạ", "???",
                                   "không muốn", "bác không biết"])
async def test_no_plea_or_word_of_address_is_a_name(tutor: Tutor, typed: str) -> None:
    """Found by a tester: "tôi không hiểu" at the name question made "cô Tôi Không Hiểu"."""
    chat = Chat(tutor, "noname")
    await chat.start(address=None)
    await chat.press("Cô")
    await chat.type(typed)
    assert "Bây giờ cháu xin hỏi tên của cô" in chat.text(), typed
    assert "Bỏ qua" in [button.label for reply in chat.last for button in reply.flat_buttons()]
    learner = await tutor.repository.find_learner(channel="test", user_ref="noname")
    assert learner is not None and "called" not in learner.settings
    await chat.type("Hoa")
    assert "Cháu cảm ơn cô Hoa ạ!" in chat.text()


async def test_a_full_name_is_called_by_its_given_name(tutor: Tutor) -> None:
    chat = Chat(tutor, "hoa")
    await chat.start(address=None)
    await chat.press("Cô")
    await chat.type("Nguyễn Thị Hoa")
    assert "Cháu cảm ơn cô Hoa ạ!" in chat.text()
    learner = await tutor.repository.find_learner(channel="test", user_ref="hoa")
    # Kept whole: mentors, organizers and the certificate show the full name.
    assert learner is not None and learner.settings["called"] == "Nguyễn Thị Hoa"


@pytest.mark.parametrize(("typed", "said"), [("Anh", "cô Anh"), ("Ba", "cô Ba"),
                                             ("Khổng Lan", "cô Khổng Lan")])
async def test_a_name_like_a_word_of_address_is_still_a_name(tutor: Tutor, typed: str,
                                                             said: str) -> None:
    chat = Chat(tutor, "named")
    await chat.start(address=None)
    await chat.press("Cô")
    await chat.type(typed)
    assert f"Cháu cảm ơn {said} ạ!" in chat.text()


@pytest.mark.parametrize("typed", ["rồi", "xong", "hiểu rồi", "đã hiểu", "ừm", "oki", "biết rồi",
                                   "roi", "cảm ơn cháu", "chào cháu", "để sau", "chưa",
                                   "bác Rồi", "Đã hiểu ạ"])
async def test_agreement_thanks_or_a_put_off_is_no_name(tutor: Tutor, typed: str) -> None:
    """Found in review: "rồi" at the name question made "Cháu cảm ơn bác Rồi ạ!"."""
    chat = Chat(tutor, "agreed")
    await chat.start(address=None)
    await chat.press("Bác")
    await chat.type(typed)
    assert "Bây giờ cháu xin hỏi tên của bác" in chat.text(), typed
    learner = await tutor.repository.find_learner(channel="test", user_ref="agreed")
    assert learner is not None and "called" not in learner.settings
    await chat.type("Lan")
    assert "Cháu cảm ơn bác Lan ạ!" in chat.text()


@pytest.mark.parametrize(("form", "typed"), [
    ("Bác", "Năm"), ("Bác", "Tư"), ("Bác", "Xuân"), ("Bác", "Hiếu"), ("Bác", "Hiểu"),
    ("Bác", "Thành"), ("Bác", "Sáu"), ("Bác", "Sau"), ("Bác", "Châu"), ("Bác", "Minh Châu"),
    ("Anh", "Anh"),
    ("Chị", "Đức")])
async def test_names_like_words_said_to_the_bot_are_still_names(tutor: Tutor, form: str,
                                                                typed: str) -> None:
    chat = Chat(tutor, "named")
    await chat.start(address=None)
    await chat.press(form)
    await chat.type(typed)
    assert f"cảm ơn {form.lower()} {typed} ạ!" in chat.text(), typed
