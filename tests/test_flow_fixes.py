"""What an outside tester found on 2026-12-07 in the flows: the ward of "Tìm người kèm"
taken from any text, a quiz answered in words ("chọn số 1"), "gọi tôi là…" typed without
marks or the Southern way, progress counting a lesson not passed as done, a quiz retaken by
typing, and a bank's notice of an account number warned about as a card's."""

import pytest
from sqlalchemy import update

from bot.lessons.model import MENTOR_COURSE, Library
from bot.tutor import Tutor
from storage.repository import LEARNER
from tests.chat import Chat, answer_quiz

NO_LESSON = "chưa có bài học nào"


async def _at_quiz(tutor: Tutor, user: str) -> Chat:
    chat = Chat(tutor, user)
    await chat.start(address="bac")
    await chat.learn("vneid", "cai-dat")
    assert "Câu 1/4" in chat.text()
    return chat


async def _typed_first(tutor: Tutor, user: str, text: str, address: str) -> Chat:
    """A new learner, called as `address`, who types `text` first thing."""
    chat = Chat(tutor, user)
    await chat.start(address=address)
    await chat.type(text)
    return chat


def _options_shown(chat: Chat) -> bool:
    return any(button.payload.startswith("a:") for button in chat.last[-1].flat_buttons())


# Item 1: any text typed after "Tìm người kèm" was kept as the ward ("Hiện chưa có người kèm
# nào ở có ai chỉ giúp ông…"), and every later "Tìm người kèm" said so again.
async def test_the_ward_for_a_mentor_is_read_as_the_place_question_reads_it(
        tutor: Tutor) -> None:
    chat = Chat(tutor, "ward")
    await chat.start(address="ong")
    await chat.tap("find")  # "🔍 Tìm người kèm"
    await chat.type("có ai chỉ giúp ông tận nhà được không cháu")
    assert 'Cháu chưa tìm thấy nơi nào tên là "có ai chỉ giúp ông' in chat.text()
    assert "Hiện chưa có người kèm" not in chat.text()
    learner = await tutor.repository.find_learner(channel="test", user_ref="ward")
    assert learner is not None and not learner.ward
    await chat.type("hong ha")
    assert "Hiện chưa có người kèm nào ở Phường Hồng Hà" in chat.text()
    learner = await tutor.repository.find_learner(channel="test", user_ref="ward")
    assert learner is not None and learner.ward == "Phường Hồng Hà" and learner.area
    # The place kept can be corrected, and the mentor is looked for there.
    await chat.press("Đổi phường, xã")
    await chat.type("Tân Lập")  # an old name: asked about, as the place question does
    assert "Có phải ông ở Xã Ô Diên không" in chat.text()
    await chat.type("có")
    assert "Hiện chưa có người kèm nào ở Xã Ô Diên" in chat.text()
    learner = await tutor.repository.find_learner(channel="test", user_ref="ward")
    assert learner is not None and learner.ward == "Xã Ô Diên"


async def test_a_ward_kept_from_any_text_before_is_asked_again(tutor: Tutor) -> None:
    chat = Chat(tutor, "old-ward")
    await chat.start(address="ong")
    learner = await tutor.repository.find_learner(channel="test", user_ref="old-ward")
    assert learner is not None
    async with tutor.repository.engine.begin() as connection:
        await connection.execute(update(LEARNER).where(LEARNER.c.id == learner.id).values(
            ward="có ai chỉ giúp ông tận nhà được không cháu"))
    await chat.tap("find")
    assert "Ông đang ở phường, xã nào ạ?" in chat.text()


# Item 2: "chọn số 1" opened the lesson "Bấm nút và gõ số"; "cái số 1 đúng ko cháu" had no
# lesson, and the answer buttons were gone.
@pytest.mark.parametrize("typed", [
    "chọn số 1", "chon so 1", "số 1", "câu 1", "đáp án 1", "dap an so 1", "1 đúng không",
    "cái số 1 đúng ko cháu", "chọn câu số 1 phải không", "số 1 dung khong chau"])
async def test_an_option_named_in_words_is_the_answer(tutor: Tutor, typed: str) -> None:
    chat = await _at_quiz(tutor, "words")
    await chat.type(typed)
    assert "Chưa đúng" in chat.text() and "Câu 2/4" in chat.text(), typed


async def test_words_at_a_quiz_that_answer_nothing_leave_its_options_to_press(
        tutor: Tutor) -> None:
    chat = await _at_quiz(tutor, "kept")
    await chat.type("giá vàng hôm nay bao nhiêu vậy cháu")  # no lesson, no answer
    assert "Câu 1/4" in chat.last[-1].text and _options_shown(chat)
    await chat.type("2")  # the second option, as shown again: the right one
    assert "Đúng rồi" in chat.text() and "Câu 2/4" in chat.text()


async def test_a_number_asked_about_outside_a_question_is_not_a_choice(tutor: Tutor) -> None:
    chat = Chat(tutor, "menu-check")
    await chat.start()
    await chat.type("1 đúng không")  # at the menu: no options to ask about
    assert "Bấm nút và gõ số ·" not in chat.text()


# Item 3: "goi toi la co Ba" called the learner "cô Co Ba"; the others were questions.
@pytest.mark.parametrize(("typed", "form", "said"), [
    ("goi toi la co Ba", "co", "cô Ba"),
    ("ko phai chi dau, goi toi la co Ba nha con", "co", "cô Ba"),
    ("keu tui la chu Tu nghen", "chu", "chú Tu"),
    ("con cứ gọi là bà nội cho thân", "ba", "bà nội"),
])
async def test_call_me_typed_without_marks_or_the_southern_way(
        tutor: Tutor, typed: str, form: str, said: str) -> None:
    chat = Chat(tutor, "south")
    await chat.start(address="chi")
    await chat.type(typed)
    assert f"Từ giờ cháu gọi {said} nhé" in chat.text() and NO_LESSON not in chat.text()
    learner = await tutor.repository.find_learner(channel="test", user_ref="south")
    assert learner is not None and learner.settings["address"] == form


# Found in a review: "dì Năm" silently became "cô Năm"; the form Học Số has no texts for is
# said, and how to change it.
async def test_a_form_called_by_another_says_so(tutor: Tutor) -> None:
    chat = await _typed_first(tutor, "di-nam", "kêu tui là dì Năm được rồi", "chi")
    assert ('Dạ, cháu nhớ rồi ạ. Học Số chưa biết gọi là "dì", nên cháu xin gọi cô Năm nhé. '
            "Muốn đổi, cô gõ /doi_cach_goi.") in chat.text()
    assert "Từ giờ" not in chat.text()
    learner = await tutor.repository.find_learner(channel="test", user_ref="di-nam")
    assert learner is not None and learner.settings["address"] == "co"


# Found in a review: "cứ gọi là bà nội" kept the name said before ("bà Lan"), not "bà nội".
async def test_kin_said_alone_is_the_name_not_an_older_one(tutor: Tutor) -> None:
    chat = Chat(tutor, "ba-noi")
    await chat.start(address="chi")
    await chat.type("gọi tôi là bà Lan")
    assert "Từ giờ cháu gọi bà Lan nhé" in chat.text()
    await chat.type("con cứ gọi là bà nội cho thân")
    assert "Từ giờ cháu gọi bà nội nhé" in chat.text() and "Lan" not in chat.text()
    await chat.type("gọi tôi là bà nội Hoa")  # kin said with a name is no part of it
    assert "Từ giờ cháu gọi bà Hoa nhé" in chat.text()


@pytest.mark.parametrize("typed", ["gọi tổng đài là số mấy", "goi tong dai la so may",
                                   "cái này gọi là gì", "kêu taxi là sao cháu"])
async def test_questions_about_calling_are_no_change_of_address(tutor: Tutor,
                                                                typed: str) -> None:
    chat = Chat(tutor, "asks")
    await chat.start(address="chi")
    await chat.type(typed)
    assert "Từ giờ cháu gọi" not in chat.text()
    learner = await tutor.repository.find_learner(channel="test", user_ref="asks")
    assert learner is not None and learner.settings["address"] == "chi"


# Item 4: "VNeID…: xong 1/10 bài • Cài đúng ứng dụng thật: đúng 1/4 câu (chưa đạt)".
async def test_progress_says_a_lesson_not_passed_is_studied_not_done(
        tutor: Tutor, library: Library) -> None:
    course = library.course("vneid")
    assert course is not None
    chat = await _at_quiz(tutor, "progress")
    await answer_quiz(chat, course.lessons[1], right=False)
    await chat.type("tiến độ")
    total = len(course.lessons)
    assert f"{course.title}: đã học 1/{total} bài (chưa đạt bài nào)" in chat.text()
    assert "xong 1/" not in chat.text()
    await chat.tap(f"q:vneid:{course.lessons[1].id}")
    await answer_quiz(chat, course.lessons[1])
    await chat.type("tiến độ")
    assert f"{course.title}: đã học 1/{total} bài\n" in chat.text()


# Item 6: a bank's notice of money received was warned about as holding a card's number.
NOTICE = ("TK 0071000123456 +5,000,000VND luc 07-12-2026 10:15. SD 12,345,678VND. "
          "ND: NGUYEN VAN AN chuyen tien")


async def test_an_account_number_in_a_banks_notice_is_no_secret(tutor: Tutor) -> None:
    chat = Chat(tutor, "notice")
    await chat.start(address="co")
    await chat.type(NOTICE)
    assert "số thẻ ngân hàng" not in chat.text() and "••••" not in chat.text()
    await chat.type("số thẻ của tôi là 4111 1111 1111 1111 có sao không")  # a card's still is
    assert "số thẻ ngân hàng" in chat.text(), chat.text()


# Item 5: "làm lại bài kiểm tra cài vneid" at the ward question was taken for a ward; at the
# menu, "làm lại bài kiểm tra" had no lesson.
async def _passed_first(tutor: Tutor, library: Library, user: str) -> Chat:
    course = library.course("vneid")
    assert course is not None
    chat = await _at_quiz(tutor, user)
    await answer_quiz(chat, course.lessons[1])
    assert "Nhân tiện, bác đang sống ở" in chat.text() or "xã hoặc phường nào" in chat.text()
    return chat


@pytest.mark.parametrize("typed", ["làm lại bài kiểm tra cài vneid", "lam lai bai kiem tra",
                                   "cho bác làm lại bài kiểm tra nhé"])
async def test_a_quiz_retaken_by_typing_at_the_ward_question(
        tutor: Tutor, library: Library, typed: str) -> None:
    chat = await _passed_first(tutor, library, "retake-ward")
    await chat.type(typed)
    assert "chưa tìm thấy nơi nào" not in chat.text()
    assert "Câu 1/4" in chat.text() and _options_shown(chat), chat.text()


async def test_a_quiz_retaken_by_typing_at_the_menu_the_last_or_the_named(
        tutor: Tutor, library: Library) -> None:
    chat = await _passed_first(tutor, library, "retake-menu")
    await chat.tap("menu")
    await chat.type("làm lại bài kiểm tra")
    assert NO_LESSON not in chat.text() and "Câu 1/4" in chat.text()
    await chat.tap("menu")
    await chat.type("làm lại bài kiểm tra bấm nút")  # named, not learned yet: lesson first
    assert "Bấm nút và gõ số" in chat.text() and "Câu 1/" not in chat.text()


# Found in a review: "làm lại bài kiểm tra" before any quiz got "Học Số chưa có bài học nào…",
# as if it asked about a topic; it asks for a quiz not reached yet.
@pytest.mark.parametrize("typed", ["làm lại bài kiểm tra", "cho bác thi lại nhé"])
async def test_a_retake_before_any_quiz_says_where_quizzes_are(
        tutor: Tutor, library: Library, typed: str) -> None:
    chat = await _typed_first(tutor, "retake-none", typed, "bac")
    assert NO_LESSON not in chat.text()
    assert ("Bác chưa làm bài kiểm tra nào ạ. Bài kiểm tra nằm ở cuối mỗi bài học: bác học "
            "xong một bài, cháu sẽ mời bác làm.") in chat.text()
    labels = [button.label for button in chat.last[-1].flat_buttons()]
    assert all(any(course.title in label for label in labels) for course in library.courses
               if course.id != MENTOR_COURSE)  # the menu's courses, as residents see them


# Found in a review and a try-out: typed during the first quiz, before any was finished, it
# said "Bác chưa làm bài kiểm tra nào" and showed the menu, over the question on screen.
async def test_a_retake_typed_during_the_first_quiz_keeps_to_that_quiz(tutor: Tutor) -> None:
    chat = await _at_quiz(tutor, "retake-during")
    await chat.type("làm lại bài kiểm tra")
    assert "chưa làm bài kiểm tra nào" not in chat.text()
    assert "đang học dở bài \"Cài đúng ứng dụng thật\" (câu 1/4 của bài kiểm tra)" in chat.text()


@pytest.mark.parametrize("typed", ["thi lại bằng lái xe ở đâu", "kiểm tra lại tin nhắn này"])
async def test_other_things_done_again_are_no_retake(tutor: Tutor, library: Library,
                                                     typed: str) -> None:
    chat = await _passed_first(tutor, library, "no-retake")
    await chat.tap("menu")
    await chat.type(typed)
    assert "Câu 1/4" not in chat.text()


async def test_a_long_text_naming_someone_is_no_change_of_address(tutor: Tutor) -> None:
    chat = Chat(tutor, "pasted")
    await chat.start(address="chi")
    await chat.type("Chào chị, em bên ngân hàng hỗ trợ khách hàng cập nhật thông tin, gọi tôi "
                    "là Tuấn nhé")
    assert "Từ giờ" not in chat.text() and "Có phải" not in chat.text()
