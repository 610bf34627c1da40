"""Forms of address: asked once after consent, used in what the learner reads and in what
others are told of them; a web learner gets a name."""

from datetime import date

import pytest

from bot.handlers.certificates import shown_name
from bot.lessons.model import Library
from bot.lessons.render import Renderer, address_name, address_values, given_name
from bot.messages import Kind
from bot.tutor import Tutor
from storage.certificates import Certificate
from storage.repository import SqlRepository
from tests.chat import Chat
from tests.mentoring_helpers import paired, received


async def test_an_elder_is_asked_once_in_one_tap_and_addressed_so(tutor: Tutor) -> None:
    chat = Chat(tutor, "lan", display_name="Nguyễn Thị Lan")
    await chat.start(address=None)
    assert "nên gọi thế nào cho phải phép ạ?" in chat.text()
    assert [b.label for b in chat.last[-1].flat_buttons()][:9] == [
        "Ông", "Bà", "Bác", "Cô", "Chú", "Anh", "Chị", "Em", "Bạn"]
    await chat.press("Bác")
    assert "Cháu gọi bác bằng tên nào ạ?" in chat.text()
    await chat.press("Nguyễn Thị Lan")  # the messenger's name, in one tap
    assert "Cháu cảm ơn bác Lan ạ!" in chat.text()  # called by her given name
    assert "Bác muốn làm gì" in chat.text() or "📘" in " ".join(
        b.label for r in chat.last for b in r.flat_buttons())
    learner = await tutor.repository.find_learner(channel="test", user_ref="lan")
    assert learner is not None and learner.settings == {"address": "bac",
                                                        "called": "Nguyễn Thị Lan"}
    await chat.send(chat.incoming(Kind.START))  # back later: not asked again
    assert "nên gọi" not in chat.text()


async def test_a_web_learner_gives_a_name_that_mentors_and_organizers_see(
        tutor: Tutor) -> None:
    chat = Chat(tutor, "web-session", channel="web")
    await chat.start(address=None)
    await chat.press("Cô")
    assert "Cháu gọi cô bằng tên nào ạ?" in chat.text() and "Bỏ qua" in " ".join(
        b.label for r in chat.last for b in r.flat_buttons())
    await chat.type("x" * 41)  # too long: asked again, nothing lost
    assert "nhiều nhất 40 ký tự" in chat.text()
    await chat.type("  Cô   Hoa ")
    assert "Cháu cảm ơn cô Hoa ạ!" in chat.text()  # the title she typed is not said twice
    learner = await tutor.repository.find_learner(channel="web", user_ref="web-session")
    assert learner is not None and learner.display_name == "Cô Hoa"


async def test_skipping_the_name_says_plainly_that_none_is_shown(tutor: Tutor) -> None:
    chat = Chat(tutor, "anon", channel="web")
    await chat.start(address=None)
    await chat.press("Bạn")
    await chat.press("Bỏ qua")
    assert "sẽ không thấy tên của bạn" in chat.text()
    learner = await tutor.repository.find_learner(channel="web", user_ref="anon")
    assert learner is not None and learner.display_name == "" and \
        learner.settings == {"address": "ban", "called": ""}


async def test_old_buttons_of_the_greeting_pressed_in_a_lesson_change_nothing(
        tutor: Tutor, library: Library) -> None:
    """The first greeting's "Cô", "Bỏ qua" or "type another name", pressed later from an old
    message, answer a question no longer asked: the stale answer, the name and form kept."""
    chat = Chat(tutor, "hoa", channel="web")
    await chat.start(address=None)
    old_form = chat.payload_of("Cô")
    await chat.press("Bác")
    old_skip = chat.payload_of("Bỏ qua")
    await chat.type("Hoa")
    lesson = library.courses[0].lessons[0]
    await chat.tap(f"l:{library.courses[0].id}:{lesson.id}")
    assert "Bước 1/" in chat.text()
    for old in (old_form, old_skip, "nameother", "namekeep"):
        await chat.tap(old)
        assert "tin nhắn cũ" in chat.text() and "Bước 1/" in chat.text(), old
    learner = await tutor.repository.find_learner(channel="web", user_ref="hoa")
    assert learner is not None and learner.settings == {"address": "bac", "called": "Hoa"}


async def test_doi_cach_goi_changes_it_and_forged_forms_change_nothing(tutor: Tutor) -> None:
    chat = Chat(tutor, "minh", display_name="Minh")
    await chat.start(address="chu")
    await chat.tap("ad:ngai")  # not a form Học Số knows
    assert "Nút đó ở tin nhắn cũ nên không bấm được nữa" in chat.text()
    await chat.type("đổi cách gọi")
    await chat.press("Anh")
    await chat.press("Minh")
    assert "Em cảm ơn anh Minh ạ!" in chat.text()
    await chat.type("/doi_cach_goi")
    await chat.press("Em")
    await chat.press("Minh")
    assert "Mình cảm ơn em Minh!" in chat.text()


@pytest.mark.parametrize(("typed", "name"), [
    ("tên tôi là Lan", "Lan"), ("Lan ạ", "Lan"),
    ("dạ, tôi tên là Nguyễn Thị Lan ạ.", "Nguyễn Thị Lan"),
    ("cháu tên Lan nhé", "Lan"), ("Tui tên Lan nha", "Lan"), ("mình tên là Anh Thư", "Anh Thư"),
    ("con tên Hoa", "Hoa"), ("Lan à", "Lan"), ("Là Lan", "Là Lan"),
])
async def test_a_typed_name_loses_the_words_around_it(tutor: Tutor, typed: str,
                                                      name: str) -> None:
    chat = Chat(tutor, "lan", channel="web")
    await chat.start(address=None)
    await chat.press("Chị")
    await chat.type(typed)
    assert f"Em cảm ơn chị {given_name(name)} ạ!" in chat.text()  # "chị Lan", kept whole
    learner = await tutor.repository.find_learner(channel="web", user_ref="lan")
    assert learner is not None and learner.display_name == name


@pytest.mark.parametrize(("typed", "form", "thanks"), [
    ("Bà", "ba", "Cháu gọi bà bằng tên nào ạ?"),
    ("ông ạ", "ong", "Cháu gọi ông bằng tên nào ạ?"),
    ("Bà Tư", "ba", "Cháu cảm ơn bà Tư ạ!"),
    ("dạ ông Ba ạ", "ong", "Cháu cảm ơn ông Ba ạ!"),
    ("cô Hoa", "co", "Cháu cảm ơn cô Hoa ạ!"),
])
async def test_ong_and_ba_are_forms_too_and_a_form_with_a_name_answers_both(
        tutor: Tutor, typed: str, form: str, thanks: str) -> None:
    chat = Chat(tutor, "tu", channel="web")
    await chat.start(address=None)
    await chat.type(typed)
    assert thanks in chat.text()
    learner = await tutor.repository.find_learner(channel="web", user_ref="tu")
    assert learner is not None and learner.settings["address"] == form


async def test_anything_else_at_the_form_question_asks_it_again_saying_how(
        tutor: Tutor) -> None:
    chat = Chat(tutor, "tu", channel="web")
    await chat.start(address=None)
    await chat.type("gọi sao cũng được")
    assert "hoặc gõ cách gọi" in chat.text() and "nên gọi thế nào" in chat.text()
    await chat.type("2")  # still the form question's buttons: "Bà"
    assert "Cháu gọi bà bằng tên nào ạ?" in chat.text()
    await chat.type("menu")  # "menu" is nobody's name: the name question is left
    learner = await tutor.repository.find_learner(channel="web", user_ref="tu")
    assert learner is not None and learner.settings == {"address": "ba"}


async def test_a_learner_who_agreed_before_it_was_asked_is_asked_when_back(
        tutor: Tutor, sqlite_repository: SqlRepository) -> None:
    chat = Chat(tutor, "old", display_name="Ông Tư")
    await chat.start(address=None)
    await chat.type("menu")  # did not answer
    await chat.send(chat.incoming(Kind.START))
    assert "Chào mừng bạn Tư quay lại" in chat.text()
    assert "nên gọi thế nào cho phải phép ạ?" in chat.text()


async def test_a_mentor_is_told_in_their_own_language_and_form(tutor: Tutor,
                                                              library: Library) -> None:
    mentor, resident = Chat(tutor, "mentor", display_name="Minh Anh"), Chat(tutor, "resident")
    await paired(mentor, resident, library)
    await mentor.type("/language")
    await mentor.press("English")
    course = library.courses[0]
    lesson = course.lessons[0]
    await resident.learn(course.id, lesson.id)
    for question in lesson.quiz:
        await resident.press(question.options[question.answer - 1])
    alerts = [alert for alert in await received(tutor, mentor)
              if "has just finished the lesson" in alert.text]
    assert len(alerts) == 1 and alerts[0].locale == "en"
    assert alerts[0].flat_buttons()[0].label == "👥 My learners"
    assert alerts[0].flat_buttons()[0].payload == "mentees"


async def test_a_learner_who_skips_the_name_is_shown_without_their_messengers(
        tutor: Tutor) -> None:
    chat = Chat(tutor, "quiet", display_name="Trần Văn Tư")
    await chat.start(address=None)
    await chat.press("Chú")
    await chat.press("Gõ tên khác")
    await chat.press("Bỏ qua")  # "Nếu không muốn cho biết tên, chú chọn Bỏ qua"
    assert "Cháu cảm ơn chú ạ!" in chat.text()
    assert "sẽ không thấy tên của chú" in chat.text()
    await chat.send(chat.incoming(Kind.START))
    assert "Chào mừng chú quay lại ạ!" in chat.text() and "Tư" not in chat.text()
    learner = await tutor.repository.find_learner(channel="test", user_ref="quiet")
    assert learner is not None and learner.display_name == ""


@pytest.mark.parametrize(("name", "form", "said", "certified"), [
    ("Bà Lan", "bac", "Lan", "Bác Lan"),  # Zalo's name with its own title
    ("Cô Hoa", "co", "Hoa", "Cô Hoa"),  # typed with the form she chose
    ("Ông Tư", "ban", "Tư", "Ông Tư"),  # no title on the certificate: the whole name
    ("Anh Thư", "chi", "Anh Thư", "Chị Anh Thư"),  # "Anh" is her name here
    ("Anh Tuấn", "anh", "Tuấn", "Anh Tuấn"),
    ("Bà", "bac", "Bà", "Bác Bà"),  # a title alone is all the name there is
    ("Bà Lan", "ba", "Lan", "Bà Lan"),
    ("Ông Tư", "ong", "Tư", "Ông Tư"),
    ("Nguyễn Thị Lan", "bac", "Nguyễn Thị Lan", "Bác Nguyễn Thị Lan"),
])
def test_a_title_the_name_already_has_is_said_once(library: Library, name: str, form: str,
                                                   said: str, certified: str) -> None:
    renderer = Renderer(library.templates)
    assert address_name(name, address_values(library.templates, form)["you"]) == said
    certificate = Certificate(code="ABCDEFGH", course_id="lam-quen", name=name, address=form,
                              issuer="Học Số", locale="vi", issued_on=date(2026, 12, 6))
    assert shown_name(certificate, renderer) == certified


async def test_a_name_with_a_link_or_a_phone_is_refused_kindly(
        tutor: Tutor, sqlite_repository: SqlRepository) -> None:
    # Mentors and organizers see this name, and a mentor's reaches residents in Học Số's words.
    chat = Chat(tutor, "hung", channel="web")
    await chat.start(address=None)
    await chat.press("Bác")
    for typed in ("Cán bộ CA, vào vneid-gov.com", "hung 0912 345 678", "v n e i d . c o m",
                  "<img src=x onerror=alert(1)>", '=HYPERLINK("http://x.y/a","Xem")'):
        await chat.type(typed)
        assert "không kèm số điện thoại, email hay đường link ạ" in chat.text(), typed
    await chat.type("toi ten la hung a")  # typed all in lower case: each word capitalised
    assert "Cháu cảm ơn bác Hung ạ!" in chat.text()
    learner = await sqlite_repository.find_learner(channel="web", user_ref="hung")
    assert learner is not None and learner.display_name == "Hung"


async def test_a_form_and_name_typed_together_are_checked_and_capitalised(tutor: Tutor) -> None:
    chat = Chat(tutor, "tu", channel="web")
    await chat.start(address=None)
    await chat.type("bà vneid-gov.com")
    assert "không kèm số điện thoại, email hay đường link ạ" in chat.text()
    await chat.type("bà tư")
    assert "Cháu cảm ơn bà Tư ạ!" in chat.text()


async def test_a_messenger_name_with_a_link_is_neither_offered_nor_shown(
        tutor: Tutor, sqlite_repository: SqlRepository) -> None:
    chat = Chat(tutor, "m2", channel="telegram", display_name="Cán bộ CA, vào vneid-gov.com")
    await chat.start(address=None)
    await chat.press("Anh")
    assert "namekeep" not in {b.payload for r in chat.last for b in r.flat_buttons()}
    await chat.type("/menu")
    learner = await sqlite_repository.find_learner(channel="telegram", user_ref="m2")
    assert learner is not None and learner.display_name == ""
