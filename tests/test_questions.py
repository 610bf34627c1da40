"""A resident's own words: "tôi không hiểu" explains the step again, a question finds its lesson,
a lesson opened from an answer keeps the place to come back to, and no lesson means no guess."""

import json
import logging

import pytest
from sqlalchemy import inspect
from sqlalchemy import text as sql

from bot.lessons.model import Library
from bot.tutor import Tutor
from storage.repository import SqlRepository
from tests.chat import Chat
from tests.mentoring_helpers import paired, received, trained_mentor

INSTALL = ("vneid", "cai-dat")  # "Cài đúng ứng dụng thật": how to install VNeID


async def reach(chat: Chat, library: Library, course_id: str, lesson_id: str,
                step_id: str) -> None:
    """Start a lesson and go on to one of its steps, answering check questions right."""
    course = library.course(course_id)
    lesson = course.lesson(lesson_id) if course else None
    assert lesson is not None
    await chat.tap(f"l:{course_id}:{lesson_id}")
    for step in lesson.steps[:lesson.step_index(step_id)]:
        if step.check is None:
            await chat.press("Tiếp tục")
        else:
            await chat.press(step.check.options[step.check.answer - 1])


def lesson_buttons(chat: Chat) -> list[str]:
    return [button.payload for reply in chat.last for button in reply.flat_buttons()
            if button.payload.startswith("o:")]


async def test_a_question_gets_the_lesson_that_answers_it(tutor: Tutor, library: Library) -> None:
    chat = Chat(tutor, "hoi")
    await chat.start()
    await chat.type("làm sao cài VNeID")
    # Before, this got "Xin lỗi, tôi chưa hiểu ý bạn" and the menu.
    assert "chưa hiểu" not in chat.text()
    assert 'Trong bài "Cài đúng ứng dụng thật" có đoạn này' in chat.text()
    found = library.course("vneid").lesson("cai-dat")  # type: ignore[union-attr]
    assert any(chat.read(step.text).strip() in chat.text() for step in found.steps)
    buttons = lesson_buttons(chat)
    assert buttons[0] == "o:vneid:cai-dat" and 1 <= len(buttons) <= 3
    assert "📖 Cài đúng ứng dụng thật" in [b.label for b in chat.last[-1].flat_buttons()]
    await chat.press("Cài đúng ứng dụng thật")  # at the menu: nothing to keep, no question
    assert "Cài đúng ứng dụng thật · Bước 1/" in chat.text()


async def test_a_step_quoted_in_an_answer_does_not_greet_again(tutor: Tutor) -> None:
    """The try-out's "mần răng để chuyển tiền cho con bằng điện thoại" quoted the payments
    course's first step, greeting and all: "Chào cô Hoa ạ! 👋" in the middle of a chat."""
    chat = Chat(tutor, "chao-lai")
    await chat.start()
    await chat.type("mần răng để chuyển tiền cho con bằng điện thoại")
    assert "có đoạn này" in chat.text()
    assert "Chào" not in chat.text() and "👋" not in chat.text()


async def test_a_resident_is_offered_residents_lessons_and_a_mentor_the_mentors_too(
        tutor: Tutor, library: Library) -> None:
    # "Riêng tư và sự đồng ý" of the mentor course answered a resident's "lam sao cai vneid":
    # opened, it spoke to them as the volunteer ("cô hỏi: Bác cho cháu cầm máy…").
    resident = Chat(tutor, "dan")
    await resident.start()
    await resident.type("lam sao cai vneid")
    offered = lesson_buttons(resident)
    assert offered[0] == "o:vneid:cai-dat"
    assert not [payload for payload in offered if payload.startswith("o:nguoi-kem:")]
    # Even asked how to coach someone: a resident's lesson answers, the mentor course's wait.
    await resident.type("cach kem nguoi gia dung dien thoai")
    assert lesson_buttons(resident) == ["o:lam-quen:hoi-giup"]
    mentor = Chat(tutor, "tnv")
    await trained_mentor(mentor, library)
    # A mentor asking how to coach is offered the mentor course's lessons too (since residents'
    # questions joined the lessons, "lam sao cai vneid" finds the VNeID lessons alone).
    await mentor.type("cach kem nguoi gia dung dien thoai")
    assert [b for b in lesson_buttons(mentor) if b.startswith("o:nguoi-kem:")]


async def test_a_lesson_opened_from_an_answer_keeps_the_place_to_come_back_to(
        tutor: Tutor, library: Library, sqlite_repository: SqlRepository) -> None:
    start = library.courses[0]
    first = start.lessons[0]
    chat = Chat(tutor, "vong")
    await chat.start()
    await reach(chat, library, start.id, first.id, first.steps[1].id)
    old_next = chat.payload_of("Tiếp tục")
    kept = await sqlite_repository.find_learner(channel="test", user_ref="vong")
    assert kept is not None
    await chat.type("làm sao cài VNeID")
    assert "vẫn được giữ lại" in chat.text()
    assert chat.payload_of("Học tiếp bài đang dở") == "resume"
    await chat.press("Cài đúng ứng dụng thật")
    # No "leave the half-finished lesson?" question: the place is kept instead.
    assert "Cài đúng ứng dụng thật · Bước 1/" in chat.text() and "Chuyển sang" not in chat.text()
    # "Tiếp tục bài đang học" goes on with the lesson opened; its quiz done, the way back.
    await chat.type("menu")
    await chat.press("Tiếp tục bài đang học")
    assert "Cài đúng ứng dụng thật · Bước 1/" in chat.text()
    install = library.course("vneid").lesson("cai-dat")  # type: ignore[union-attr]
    await chat.learn("vneid", "cai-dat")
    for question in install.quiz:
        await chat.press(question.options[question.answer - 1])
    back = f'Bạn còn bài "{first.title}" đang học dở (bước 2/{len(first.steps)})'
    assert back in chat.text()
    # Never asked where they live yet, and not now: the way back would be one message of
    # three, and a "1" typed to go back would answer the place question.
    assert "Thành phố" not in chat.text() and "tỉnh" not in chat.text()
    assert f"↩️ Quay lại bài «{first.title}» đang học dở" in [
        b.label for r in chat.last for b in r.flat_buttons()]
    # At the menu, "Tiếp tục bài đang học" offers the same way back.
    await chat.type("menu")
    await chat.press("Tiếp tục bài đang học")
    assert back in chat.text()
    await chat.press("Quay lại bài")
    assert f"{first.title} · Bước 2/{len(first.steps)}" in chat.text()
    learner = await sqlite_repository.find_learner(channel="test", user_ref="vong")
    assert learner is not None and learner.place["step_id"] == first.steps[1].id
    assert learner.place["seq"] > kept.place["seq"] and "detour" not in learner.settings
    # The step's buttons from before the question are old: the place has a new seq.
    await chat.tap(old_next)
    assert "tin nhắn cũ" in chat.text() and f"{first.title} · Bước 2/" in chat.text()
    await chat.tap("detourback")  # nothing kept any more: an old button
    assert "tin nhắn cũ" in chat.text() and f"{first.title} · Bước 2/" in chat.text()
    await chat.press("Tiếp tục")
    assert f"{first.title} · Bước 3/" in chat.text()


async def test_a_resident_without_a_mentor_who_is_lost_can_find_one(
        tutor: Tutor, library: Library) -> None:
    """Found by someone trying Học Số: "tôi không hiểu" with no mentor only repeated the step."""
    chat = Chat(tutor, "kho")
    await chat.start()
    await reach(chat, library, "vneid", "la-gi", "tai-khoan")
    await chat.type("toi ko hieu")
    await chat.press("Tìm người kèm")
    assert "chưa hiểu" not in chat.text() and "người kèm" in chat.text()


async def test_not_understood_at_a_step_explains_it_again(tutor: Tutor,
                                                           library: Library) -> None:
    lesson = library.course("vneid").lesson("la-gi")  # type: ignore[union-attr]
    step = lesson.steps[3]
    plain = lesson.steps[0]  # the greeting: no simpler wording
    assert step.simpler and step.check is None and not plain.simpler
    assert not any(earlier.check for earlier in lesson.steps[:3])
    chat = Chat(tutor, "kho")
    await chat.start()
    await reach(chat, library, "vneid", "la-gi", plain.id)
    # A step with no simpler wording: the same step again, said kindly.
    await chat.type("khó quá")
    assert "nói lại bước này" in chat.text() and "chưa hiểu" not in chat.text()
    # Its words again, but not its greeting ("Chào bạn! 👋"), as if starting over.
    greeting, _, words = chat.read(plain.text).strip().partition("\n")
    assert words in chat.text() and greeting not in chat.text() and "Bước 1/" in chat.text()
    for glued in ("noilai", "khohieu"):  # typed run together, a plea all the same: said
        await chat.type(glued)  # again, who can help rather than the same words once more
        assert "chưa có cách nói nào dễ hiểu hơn" in chat.text()
        assert "chưa có bài học nào" not in chat.text()
    for _ in range(3):
        await chat.press("Tiếp tục")
    assert f"Bước 4/{len(lesson.steps)}" in chat.text()
    shown_next = chat.payload_of("Tiếp tục")
    await chat.type("tôi không hiểu")
    assert "cách dễ hiểu hơn" in chat.text()
    assert chat.read(step.simpler).strip() in chat.text()  # type: ignore[arg-type]
    assert chat.read(step.text).strip() not in chat.text()
    assert f"Bước 4/{len(lesson.steps)}" in chat.text() and "Hỏi người kèm" not in chat.text()
    assert chat.payload_of("Tiếp tục") == shown_next  # the step's own buttons, still valid
    assert "Tìm người kèm" in chat.text()  # no mentor yet: someone to sit beside them
    await chat.press("Tiếp tục")
    assert f"Bước 5/{len(lesson.steps)}" in chat.text()


async def test_not_understood_in_a_quiz_asks_again_without_the_answer(
        tutor: Tutor, library: Library) -> None:
    lesson = library.courses[0].lessons[0]
    question = lesson.quiz[0]
    chat = Chat(tutor, "quiz")
    await chat.start()
    await chat.learn(library.courses[0].id, lesson.id)
    await chat.type("ko hiểu gì hết")
    assert "đọc thật chậm từng dòng" in chat.text() and "gõ số của nó (1, 2" in chat.text()
    assert chat.read(question.question).strip() in chat.text()
    assert chat.read(question.explanation).strip() not in chat.text()
    await chat.press(question.options[question.answer - 1])  # the options still answer
    assert "Câu 2/" in chat.text()


async def test_an_unanswerable_question_gets_an_honest_answer_and_the_mentor(
        tutor: Tutor, library: Library) -> None:
    alone = Chat(tutor, "motminh")
    await alone.start()
    await alone.type("giá xăng hôm nay")
    assert "chưa có bài học nào về điều bạn hỏi" in alone.text()
    assert "Hỏi người kèm" not in alone.text()
    assert not lesson_buttons(alone) and alone.payload_of("Về menu") == "menu"
    # No mentor: a dead end but for the way to find one (an outside tester).
    assert 'chọn "Tìm người kèm"' in alone.text() and alone.payload_of("Tìm người kèm") == "find"

    mentor, resident = Chat(tutor, "kem"), Chat(tutor, "ba-lan")
    await paired(mentor, resident, library)
    await received(tutor, mentor)  # the "joined" message
    await resident.type("giá xăng hôm nay")
    assert "Hỏi người kèm" in resident.text() and "Tìm người kèm" not in resident.text()
    await resident.press("Hỏi người kèm")
    assert "đã gửi câu hỏi của bạn cho người kèm" in resident.text()
    told = "\n".join(message.text for message in await received(tutor, mentor))
    assert 'hỏi: "giá xăng hôm nay"' in told and "cần giúp đỡ" in told
    await resident.tap("askmentor")  # the question has been sent: an old button now
    assert "tin nhắn cũ" in resident.text()
    assert not await received(tutor, mentor)


async def test_a_message_in_another_script_gets_no_lesson_and_a_vietnamese_one_does(
        tutor: Tutor) -> None:
    """Nothing is guessed from a message the matcher cannot read; words typed run together and
    a greeting in another script do not stop a Vietnamese question."""
    chat = Chat(tutor, "chu")
    await chat.start()
    for text in ("我想安装VNeID应用", "Как установить VNeID", "vneid 설치 방법"):
        await chat.type(text)
        assert "chưa hiểu" in chat.text() or "chưa có bài học nào" in chat.text(), text
        assert not lesson_buttons(chat), text
    await chat.type("lamsao caidat vneid 你好")
    assert lesson_buttons(chat)[0] == "o:vneid:cai-dat"


async def test_thanks_typed_run_together_is_not_a_question(tutor: Tutor) -> None:
    """"camon" is "cảm ơn", as "cam on" is: thanks answered (bot/handlers/courtesy.py), not "no
    lesson on what you asked" (it split into "ca mon", words about fish and dishes, when it
    came in)."""
    chat = Chat(tutor, "camon")
    await chat.start()
    for text in ("camon", "camon chau nhieu", "cảm ơn"):
        await chat.type(text)
        assert "Không có gì" in chat.text() and "chưa có bài học nào" not in chat.text(), text


async def test_a_paired_learner_stuck_at_a_step_can_ask_the_mentor(
        tutor: Tutor, library: Library) -> None:
    mentor, resident = Chat(tutor, "kem2"), Chat(tutor, "ong-nam")
    await paired(mentor, resident, library)
    await received(tutor, mentor)
    first = library.courses[0].lessons[0]
    await reach(resident, library, library.courses[0].id, first.id, first.steps[1].id)
    await resident.type("nói lại đi")
    assert "Hỏi người kèm" in resident.text() and "Bước 2/" in resident.text()
    await resident.press("Hỏi người kèm")
    told = "\n".join(message.text for message in await received(tutor, mentor))
    assert "cần giúp đỡ" in told and f'"{first.title}"' in told and "bước 2/" in told


async def test_a_thumbs_up_and_ok_go_on_and_a_greeting_is_greeted_back(
        tutor: Tutor, library: Library) -> None:
    first = library.courses[0].lessons[0]
    chat = Chat(tutor, "ok")
    await chat.start()
    await chat.tap(f"l:{library.courses[0].id}:{first.id}")
    await chat.type("👍")  # an acknowledgement, as "ok" (found by a tester)
    assert "chưa hiểu" not in chat.text() and "Bước 2/" in chat.text()
    await chat.type("ok")
    assert "Bước 3/" in chat.text()
    await chat.type("chào cháu")
    assert "Chào bạn! 😊" in chat.text() and "Tiếp tục bài đang học" in chat.text()
    fresh = Chat(tutor, "ok2")
    await fresh.start()
    await fresh.type("tôi không hiểu")  # no lesson begun: no step to explain again, but
    assert "Không sao đâu" in fresh.text()  # the first course (test_lost_at_the_menu_…)


@pytest.mark.parametrize("plea", ["ko hieu j het", "khó quá"])
async def test_lost_at_the_menu_is_offered_the_first_course_and_a_mentor(
        tutor: Tutor, library: Library, plea: str) -> None:
    """An outside tester: "ko hieu j het", "khó quá" typed at the menu, with no step to explain
    again, got "cháu chưa hiểu ý"."""
    first = library.courses[0]
    chat = Chat(tutor, "lac")
    await chat.start(address="bac")
    await chat.type(plea)
    said = chat.text()
    assert "chưa hiểu ý" not in said and "Không sao đâu ạ" in said
    assert (f'bắt đầu với khóa học "{first.title}". Khóa này chỉ từng bước: cách bấm nút, '
            "cách gõ số và cách hỏi khi cần.") in said and "Tìm người kèm" in said
    assert "một thanh niên tình nguyện ở phường, xã của bác sẽ giúp" in said
    assert chat.payload_of("Tìm người kèm") == "find" and chat.payload_of("Về menu") == "menu"
    await chat.press(first.title)
    assert f"📘 {first.title}" in chat.text()


async def test_lost_at_the_menu_with_a_mentor_is_offered_to_ask_them(
        tutor: Tutor, library: Library) -> None:
    mentor, resident = Chat(tutor, "kem3"), Chat(tutor, "ba-tu")
    await paired(mentor, resident, library)
    await received(tutor, mentor)
    await resident.type("khó quá")
    assert "Hỏi người kèm" in resident.text() and "Tìm người kèm" not in resident.text()
    await resident.press("Hỏi người kèm")
    assert "cần giúp đỡ" in "\n".join(message.text for message in await received(tutor, mentor))


@pytest.mark.parametrize(("text", "course_id"), [
    ("muốn học về lừa đảo", "lua-dao"), ("học về VNeID", "vneid"),
    ("tôi muốn học chuyển khoản", "thanh-toan"), ("cho bác học về dịch vụ công", "dich-vu-cong"),
    ("cháu ơi bà muốn học về AI", "tro-ly-ai"), ("hoc ve an toan tai khoan", "an-toan-tk"),
])
async def test_asking_to_learn_what_a_course_is_about_opens_the_course(
        tutor: Tutor, library: Library, text: str, course_id: str) -> None:
    """An outside tester: asking to learn a topic got "Học Số chưa có bài học nào…"."""
    course = library.course(course_id)
    assert course is not None
    chat = Chat(tutor, "muon-hoc")
    await chat.start()
    await chat.type(text)
    assert f"📘 {course.title}" in chat.text() and "chưa có bài học nào" not in chat.text()
    first = course.lessons[0]
    assert chat.payload_of(first.title) == f"l:{course_id}:{first.id}"


@pytest.mark.parametrize(("text", "lesson"), [
    ("bài học về mã QR", "o:thanh-toan:quet-qr"), ("mở bài quét QR", "o:thanh-toan:quet-qr"),
    ("học lại bài cài vneid", "o:vneid:cai-dat"), ("bài cài vneid", "o:vneid:cai-dat"),
])
async def test_asking_to_learn_a_lesson_offers_the_lessons_that_teach_it(
        tutor: Tutor, text: str, lesson: str) -> None:
    chat = Chat(tutor, "mo-bai")
    await chat.start()
    await chat.type(text)
    assert "dạy điều bạn muốn học" in chat.text() and "chưa có bài học nào" not in chat.text()
    assert lesson_buttons(chat)[0] == lesson


async def test_a_lesson_asked_for_mid_lesson_keeps_the_place_and_no_lesson_is_no_guess(
        tutor: Tutor, library: Library) -> None:
    start = library.courses[0]
    chat = Chat(tutor, "giua-bai")
    await chat.start()
    await reach(chat, library, start.id, start.lessons[0].id, start.lessons[0].steps[1].id)
    await chat.type("mở bài cài vneid")
    assert "vẫn được giữ lại" in chat.text() and chat.payload_of("Học tiếp bài đang dở")
    await chat.press("Cài đúng ứng dụng thật")
    assert "Cài đúng ứng dụng thật · Bước 1/" in chat.text() and "Chuyển sang" not in chat.text()
    await chat.type("muốn học nấu ăn")  # no lesson teaches it: the honest answer, as asked
    assert "chưa có bài học nào" in chat.text()
    await chat.type("tôi muốn học")  # nothing named: the courses
    assert chat.payload_of(start.title) == f"c:{start.id}"


@pytest.mark.parametrize("asked", ["cháu là người thật hay máy thế", "có phải người thật không"])
async def test_asked_whether_a_real_person_answers_it_says_no_and_who_is_one(
        tutor: Tutor, library: Library, asked: str) -> None:
    """An outside tester got "chưa có bài học nào" for these."""
    chat = Chat(tutor, "that-khong")
    await chat.start(address="bac")
    await chat.type(asked)
    said = chat.text()
    assert "Dạ, cháu là Học Số, một chương trình máy tính" in said
    assert "không phải người thật ạ" in said and "chưa có bài học nào" not in said
    assert chat.payload_of("Tìm người kèm") == "find"
    first = library.courses[0].lessons[0]
    await chat.learn(library.courses[0].id, first.id)
    await chat.type(asked)  # in a quiz: the way back to it too
    assert chat.payload_of("Tiếp tục bài đang học") == "resume"
    mentor, resident = Chat(tutor, "kem4"), Chat(tutor, "ong-ba")
    await paired(mentor, resident, library)
    await resident.type(asked)  # with a mentor: theirs, asked in one tap
    await received(tutor, mentor)
    assert 'chọn "Hỏi người kèm"' in resident.text() and "Tìm người kèm" not in resident.text()
    await resident.press("Hỏi người kèm")
    assert "cần giúp đỡ" in "\n".join(message.text for message in await received(tutor, mentor))


async def test_an_english_learner_reads_english(tutor: Tutor, library: Library) -> None:
    chat = Chat(tutor, "en")
    await chat.start()
    await chat.tap("lg:en")
    await chat.type("làm sao cài VNeID")
    assert "I found a lesson that answers your question" in chat.text()
    assert lesson_buttons(chat)[0] == "o:vneid:cai-dat"
    await chat.type("giá xăng hôm nay")
    assert "has no lesson about this yet" in chat.text()
    await chat.type(f"my vneid password is {PASSWORD}")
    assert "seems to contain a password" in chat.text() and PASSWORD not in chat.text()
    first = library.courses[0].lessons[0]
    await chat.tap(f"l:{library.courses[0].id}:{first.id}")
    await chat.type("khó quá")
    assert "Here is the step again" in chat.text()
    await chat.type("I don't understand")  # a second time: who can help, not the same words
    assert "no easier way" in chat.text() and "no lesson" not in chat.text()


async def test_a_detour_within_a_detour_goes_back_to_the_first_place(
        tutor: Tutor, library: Library) -> None:
    start = library.courses[0]
    first = start.lessons[0]
    chat = Chat(tutor, "hai-lan")
    await chat.start()
    await reach(chat, library, start.id, first.id, first.steps[2].id)
    await chat.type("làm sao cài VNeID")
    await chat.tap("o:vneid:cai-dat")
    await chat.press("Tiếp tục")  # step 2 of the lesson opened
    await chat.type("mã OTP là gì")
    await chat.tap("o:an-toan-tk:ma-otp")
    assert "Bước 1/" in chat.text() and "Chuyển sang" not in chat.text()
    otp = library.course("an-toan-tk").lesson("ma-otp")  # type: ignore[union-attr]
    await chat.learn("an-toan-tk", "ma-otp")
    for question in otp.quiz:
        await chat.press(question.options[question.answer - 1])
    await chat.press("Quay lại bài")
    assert f"{first.title} · Bước 3/{len(first.steps)}" in chat.text()


async def test_finishing_the_kept_lesson_forgets_the_way_back(tutor: Tutor,
                                                               library: Library) -> None:
    start = library.courses[0]
    first = start.lessons[0]
    chat = Chat(tutor, "xong")
    await chat.start()
    await reach(chat, library, start.id, first.id, first.steps[1].id)
    await chat.type("làm sao cài VNeID")
    await chat.tap("o:vneid:cai-dat")
    await chat.learn(start.id, first.id)  # from a first step: nothing asked
    for question in first.quiz:
        await chat.press(question.options[question.answer - 1])
    assert "Quay lại bài" not in chat.text()
    await chat.type("menu")
    assert "Tiếp tục bài đang học" not in [b.label for b in chat.last[-1].flat_buttons()]
    await chat.type("/tiep_tuc")
    assert "Quay lại bài" not in chat.text() and "đang học dở (" not in chat.text()


PASSWORD = "Abc@12345"


async def test_a_password_in_a_question_is_warned_of_and_never_reaches_the_mentor(
        tutor: Tutor, library: Library, caplog: pytest.LogCaptureFixture) -> None:
    """Found by someone trying Học Số: "Hỏi người kèm" sent the resident's password to the
    mentor word for word, without a word to the resident, and it stayed in the outbox."""
    caplog.set_level(logging.DEBUG)
    mentor, resident = Chat(tutor, "kem-mk"), Chat(tutor, "bac-tu", channel="web")
    await paired(mentor, resident, library)
    await received(tutor, mentor)
    await resident.type(f"mật khẩu wifi là {PASSWORD} mà tivi không vào mạng được")
    said = resident.text()
    assert "hình như có mật khẩu hoặc mã số bí mật" in said
    assert "kể cả người kèm, Học Số hay nhân viên ngân hàng" in said
    assert "nên đổi mật khẩu ngay" in said
    assert "chưa có bài học nào" in said and PASSWORD not in said
    await resident.press("Hỏi người kèm")
    told = "\n".join(message.text for message in await received(tutor, mentor))
    assert 'hỏi: "mật khẩu wifi là •••• mà tivi không vào mạng được"' in told
    assert PASSWORD not in told and "12345" not in told
    [mine] = await resident.type("/du_lieu_cua_toi")
    assert mine.attachment is not None
    about = json.loads(mine.attachment.data)["messages_about_you"]
    # Delivered, the question's words are kept nowhere: not even masked (the message to the
    # mentor is listed, its text gone).
    assert about and not any("wifi" in message["text"] for message in about)
    assert PASSWORD not in mine.attachment.data.decode()
    async with tutor.repository.engine.connect() as connection:
        tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
        for table in tables:
            for row in (await connection.execute(sql(f'SELECT * FROM "{table}"'))).all():
                assert "12345" not in " ".join(str(value) for value in row), table
    assert "12345" not in caplog.text


async def test_a_password_does_not_keep_a_question_from_its_lesson(tutor: Tutor) -> None:
    """Without the password the sentence finds the VNeID login lessons; with it, it found
    none (the password was a word no lesson holds)."""
    chat = Chat(tutor, "ong-ba")
    await chat.start()
    await chat.type("mật khẩu vneid của tôi mà không đăng nhập được")
    without = lesson_buttons(chat)
    assert without and without[0].startswith("o:vneid:")
    for typed in (f"mật khẩu vneid của tôi là {PASSWORD} mà không đăng nhập được",
                  "mk vneid cua toi la abc12345 ma ko dang nhap dc"):
        await chat.type(typed)
        assert "hình như có mật khẩu" in chat.text(), typed
        assert lesson_buttons(chat)[0] == without[0], typed
        assert "12345" not in chat.text(), typed
    await chat.type("mật khẩu vneid của tôi mà không đăng nhập được")
    assert "hình như có mật khẩu" not in chat.text()


async def test_a_card_number_is_hidden_with_its_own_advice(tutor: Tutor) -> None:
    """A card or CCCD number is no password to change, and a bank may ask for it: the
    learner is told not to send it in messages."""
    chat = Chat(tutor, "the")
    await chat.start()
    await chat.type("thẻ 4111 1111 1111 1111 bị khóa thì làm sao")
    assert "hình như có số thẻ ngân hàng hoặc số căn cước" in chat.text()
    assert "đổi mật khẩu" not in chat.text() and "4111" not in chat.text()
