"""Moving between lessons: a half-finished lesson is never dropped without asking."""

from sqlalchemy import func, select

from bot.handlers.mentor_signup import MENTOR_COURSE
from bot.lessons.model import Library
from bot.tutor import Tutor
from storage.certificates import CERTIFICATE
from storage.repository import RESULT, SqlRepository
from tests.chat import Chat, answer_quiz
from tests.mentoring_helpers import register
from tests.test_questions import reach


async def in_lesson_at_step_2(chat: Chat, library: Library) -> None:
    course = library.courses[0]
    await chat.start()
    await chat.tap(f"l:{course.id}:{course.lessons[0].id}")
    await chat.press("Tiếp tục")


async def test_another_lesson_asks_first_and_one_tap_goes_back(
        tutor: Tutor, library: Library, sqlite_repository: SqlRepository) -> None:
    course = library.courses[0]
    first, other = course.lessons[0], course.lessons[1]
    chat = Chat(tutor, "hai")
    await in_lesson_at_step_2(chat, library)
    await chat.type("menu")
    await chat.press(course.title)
    await chat.press(other.title)
    # Before, this started the other lesson and the first one was lost without a word.
    assert f'Bạn đang học dở bài "{first.title}" (bước 2/{len(first.steps)})' in chat.text()
    assert f'"{other.title}"' in chat.text() and "Bước 1/" not in chat.text()
    labels = [button.label for button in chat.last[-1].flat_buttons()]
    assert labels == ["▶️ Học tiếp bài đang dở", "➡️ Chuyển sang bài mới", "🏠 Về menu"]
    await chat.type("1")
    assert f"{first.title} · Bước 2/{len(first.steps)}" in chat.text()
    # Asked again, the other button starts the other lesson.
    await chat.tap(f"l:{course.id}:{other.id}")
    await chat.press("Chuyển sang bài mới")
    assert f"{other.title} · Bước 1/{len(other.steps)}" in chat.text()
    learner = await sqlite_repository.find_learner(channel="test", user_ref="hai")
    assert learner is not None and learner.place["lesson_id"] == other.id


async def test_old_and_forged_switch_buttons_change_nothing(tutor: Tutor,
                                                            library: Library) -> None:
    course = library.courses[0]
    first, other = course.lessons[0], course.lessons[1]
    chat = Chat(tutor, "ba")
    await in_lesson_at_step_2(chat, library)
    await chat.tap(f"l:{course.id}:{other.id}")
    old = chat.payload_of("Chuyển sang bài mới")
    assert old.startswith("s:") and old.endswith(f":l:{course.id}:{other.id}")
    await chat.press("Học tiếp bài đang dở")
    await chat.press("Tiếp tục")  # the place moves on to step 3: the question is old now
    await chat.tap(old)
    assert "tin nhắn cũ" in chat.text() and f"{first.title} · Bước 3/" in chat.text()
    seq = old.split(":")[1]
    for forged in (f"s:{int(seq) + 1}:l:{course.id}:khong-co", f"s:{seq}:x:{course.id}:{other.id}",
                   f"s:{int(seq) + 1}:l:khong-co:{other.id}"):
        await chat.tap(forged)
        assert "tin nhắn cũ" in chat.text() and f"{first.title} · Bước 3/" in chat.text()


async def test_starting_over_or_from_a_first_step(tutor: Tutor, library: Library) -> None:
    course = library.courses[0]
    first, other = course.lessons[0], course.lessons[1]
    chat = Chat(tutor, "bon")
    await in_lesson_at_step_2(chat, library)
    await chat.tap(f"l:{course.id}:{first.id}")  # the same lesson: start it over?
    assert "Nếu học lại bài này từ đầu" in chat.text()
    await chat.press("Học lại từ đầu")
    assert f"{first.title} · Bước 1/" in chat.text()
    await chat.tap(f"l:{course.id}:{other.id}")  # at a first step nothing is lost: no question
    assert f"{other.title} · Bước 1/" in chat.text()


async def test_a_quiz_in_progress_is_kept_too(tutor: Tutor, library: Library) -> None:
    course = library.courses[0]
    first, other = course.lessons[0], course.lessons[1]
    chat = Chat(tutor, "nam")
    await chat.start()
    await chat.learn(course.id, other.id)  # its quiz taken once: a retake is offered
    for question in other.quiz:
        await chat.press(question.options[question.answer - 1])
    await chat.tap(f"l:{course.id}:{first.id}")
    for _ in range(30):
        if f"Câu 1/{len(first.quiz)}:" in chat.text():
            break
        check = next((step.check for step in first.steps
                      if step.check and chat.read(step.check.question) in chat.last[-1].text), None)
        await (chat.type(str(check.answer)) if check else chat.press("Tiếp tục"))
    # Another lesson's quiz keeps this place, as a lesson opened from an answer does: no
    # question first, and one tap back once that quiz is done.
    await chat.tap(f"q:{course.id}:{other.id}")
    assert f'Chỗ bạn đang học dở ở bài "{first.title}" vẫn được giữ nguyên' in chat.text()
    assert f"Câu 1/{len(other.quiz)}:" in chat.text()
    await answer_quiz(chat, other)
    await chat.press(f"Quay lại bài «{first.title}» đang học dở")
    assert f"Câu 1/{len(first.quiz)}: {chat.read(first.quiz[0].question)}" in chat.text()
    await chat.tap(f"q:{course.id}:{first.id}")  # this very quiz: start it over?
    assert "Nếu làm lại bài kiểm tra từ đầu" in chat.text()
    await chat.tap(f"l:{course.id}:{first.id}")  # its lesson, from its quiz
    assert "Nếu học lại bài này từ đầu" in chat.text()
    await chat.press("Học lại từ đầu")
    assert f"{first.title} · Bước 1/" in chat.text()


async def test_the_menu_and_the_help_name_becoming_a_mentor(tutor: Tutor) -> None:
    """Before, the way in hid under "👥 Người kèm", whose text spoke only of getting one."""
    chat = Chat(tutor, "sau")
    await chat.start()
    labels = [button.label for button in chat.last[-1].flat_buttons()]
    assert "👥 Người kèm / Làm người kèm" in labels
    await chat.type("trợ giúp")
    assert "làm người kèm" in chat.text() and "/lam_nguoi_kem" in chat.text()
    assert "👥 Người kèm / Làm người kèm" in [b.label for b in chat.last[-1].flat_buttons()]
    await chat.press("Làm người kèm")
    assert 'Bạn muốn giúp người khác học? Bạn chọn "Tôi muốn làm người kèm"' in chat.text()
    await chat.press("Tôi muốn làm người kèm")
    assert "họ và tên" in chat.text().lower()


async def _forge_every_quiz(chat: Chat, library: Library, course_id: str) -> None:
    """What a tester did: a `q:` payload for each lesson, "switch" when asked, every answer
    right, and no lesson step ever shown."""
    course = library.course(course_id)
    assert course is not None
    for lesson in course.lessons:
        replies = await chat.tap(f"q:{course.id}:{lesson.id}")
        switch = [b.payload for r in replies for b in r.flat_buttons()
                  if b.payload.startswith("s:")]
        if switch:
            await chat.tap(switch[0])
        for question in lesson.quiz:
            answers = [b.payload for r in chat.last for b in r.flat_buttons()
                       if b.payload.startswith("a:")
                       and b.payload.endswith(f":{question.answer}")]
            if answers:
                await chat.tap(answers[0])


async def test_a_quiz_is_taken_only_after_its_lesson(tutor: Tutor, library: Library) -> None:
    """Found by a tester: forged `q:` payloads took every quiz of a course without a lesson:
    "Chúc mừng… đã học hết khóa", a certificate, lessons counted as done."""
    course = library.course("tro-ly-ai")
    assert course is not None
    first = course.lessons[0]
    chat = Chat(tutor, "gia")
    await chat.start()
    await chat.tap(f"q:{course.id}:{first.id}")
    assert f'Bài kiểm tra của bài "{first.title}" nằm ở cuối bài học' in chat.text()
    assert "Câu 1/" not in chat.text()
    assert chat.payload_of("Bắt đầu học") == f"l:{course.id}:{first.id}"
    # In the middle of another lesson: neither a quiz nor a "switch" question.
    await chat.tap(f"l:{course.id}:{course.lessons[1].id}")
    step = await chat.press("Tiếp tục")
    await chat.tap(f"q:{course.id}:{first.id}")
    assert "Câu 1/" not in chat.text() and "Chuyển sang" not in chat.text()
    seq = next(b.payload for b in step[-1].flat_buttons() if b.payload.startswith("n:"))[2:]
    await chat.tap(f"s:{seq}:q:{course.id}:{first.id}")  # the switch, forged at this place
    assert "Câu 1/" not in chat.text() and "nằm ở cuối bài học" in chat.text()
    # Inside the lesson itself, before its end: go on with it.
    await chat.tap(f"l:{course.id}:{first.id}")
    await chat.press("Chuyển sang bài mới")
    await chat.tap(f"q:{course.id}:{first.id}")
    assert "Câu 1/" not in chat.text() and chat.payload_of("Học tiếp") == "resume"
    await _forge_every_quiz(chat, library, course.id)
    assert "học hết khóa" not in chat.text() and "Chúc mừng" not in chat.text()
    async with tutor.repository.engine.connect() as connection:  # nothing done, no certificate
        assert await connection.scalar(select(func.count()).select_from(CERTIFICATE)) == 0
        assert await connection.scalar(select(func.count()).select_from(RESULT)) == 0


async def test_a_volunteer_is_not_trained_by_forged_quizzes(tutor: Tutor,
                                                            library: Library) -> None:
    mentor = Chat(tutor, "kem")
    await register(mentor)
    await _forge_every_quiz(mentor, library, MENTOR_COURSE)
    await mentor.type("/lam_nguoi_kem")
    assert "Mời học viên" not in [b.label for r in mentor.last for b in r.flat_buttons()]
    assert "Khóa cho người kèm" in mentor.text()


async def test_the_ways_into_a_quiz_still_work(tutor: Tutor, library: Library) -> None:
    """The end of a lesson, a retake (its button), a retake asked before dropping a lesson
    half-finished, and the very quiz started over."""
    course = library.courses[0]
    first, other = course.lessons[0], course.lessons[1]
    chat = Chat(tutor, "vao")
    await chat.start()
    await chat.learn(course.id, first.id)  # the lesson's end leads into its quiz
    assert f"Câu 1/{len(first.quiz)}" in chat.text()
    for question in first.quiz:
        await chat.press(question.options[question.answer - 1])
    await chat.press("Làm lại bài kiểm tra")
    assert f"Câu 1/{len(first.quiz)}" in chat.text()
    await chat.tap(f"l:{course.id}:{other.id}")
    await chat.press("Chuyển sang bài mới")
    await chat.press("Tiếp tục")
    await chat.tap(f"q:{course.id}:{first.id}")  # a retake, from another lesson's step 2
    assert "vẫn được giữ nguyên" in chat.text() and f"Câu 1/{len(first.quiz)}" in chat.text()
    await chat.tap(f"q:{course.id}:{first.id}")
    await chat.press("Làm lại bài kiểm tra")
    assert f"Câu 1/{len(first.quiz)}" in chat.text()


async def _after_a_finished_detour(chat: Chat, library: Library) -> tuple[str, str]:
    """A lesson left at step 4 for one opened from an answer, whose quiz is then done, and
    the way back not taken: another lesson started from the menu instead, left at step 3.
    Returns the titles of the lesson left first and of the one now learned."""
    first = library.courses[0].lessons[0]
    now = library.courses[0].lessons[2]
    await chat.start()
    await reach(chat, library, library.courses[0].id, first.id, first.steps[3].id)
    await chat.type("làm sao cài VNeID")
    await chat.press("Cài đúng ứng dụng thật")
    await chat.learn("vneid", "cai-dat")
    await answer_quiz(chat, library.course("vneid").lesson("cai-dat"))  # type: ignore[union-attr]
    assert f'Bạn còn bài "{first.title}" đang học dở (bước 4/' in chat.text()
    await chat.type("menu")
    await reach(chat, library, library.courses[0].id, now.id, now.steps[2].id)  # its button
    assert f"{now.title} · Bước 3/{len(now.steps)}" in chat.text()
    return first.title, now.title


async def test_a_quiz_opened_meanwhile_keeps_the_lesson_it_says_it_keeps(
        tutor: Tutor, library: Library) -> None:
    """Before, a place kept for an earlier detour (never gone back to) was kept instead: the
    quiz said the lesson now learned was kept, and offered the old one afterwards."""
    chat = Chat(tutor, "giu-dung")
    old, now = await _after_a_finished_detour(chat, library)
    await chat.tap("q:vneid:cai-dat")
    assert f'Chỗ bạn đang học dở ở bài "{now}" vẫn được giữ nguyên' in chat.text()
    await answer_quiz(chat, library.course("vneid").lesson("cai-dat"))  # type: ignore[union-attr]
    assert f'Bạn còn bài "{now}" đang học dở (bước 3/' in chat.text()
    assert old not in chat.text()
    await chat.press("Quay lại bài")
    assert f"{now} · Bước 3/" in chat.text()


async def test_a_lesson_opened_from_an_answer_keeps_the_lesson_learned_now(
        tutor: Tutor, library: Library) -> None:
    chat = Chat(tutor, "giu-dung-2")
    old, now = await _after_a_finished_detour(chat, library)
    await chat.type("làm sao cài VNeID")
    await chat.press("Cài đúng ứng dụng thật")
    await chat.learn("vneid", "cai-dat")
    await answer_quiz(chat, library.course("vneid").lesson("cai-dat"))  # type: ignore[union-attr]
    assert f'Bạn còn bài "{now}" đang học dở (bước 3/' in chat.text()
    assert old not in chat.text()


async def test_the_last_step_leads_into_the_quiz_with_one_new_place(
        tutor: Tutor, library: Library) -> None:
    """Before, the quiz was started twice on the way in: its buttons skipped a seq."""
    course = library.courses[0]
    lesson = course.lessons[1]
    chat = Chat(tutor, "mot-lan")
    await chat.start()
    await reach(chat, library, course.id, lesson.id, lesson.steps[-1].id)
    seq = int(chat.payload_of("Tiếp tục").split(":")[1])
    await chat.press("Tiếp tục")
    assert f"Câu 1/{len(lesson.quiz)}" in chat.text()
    answers = [button.payload for button in chat.last[-1].flat_buttons()
               if button.payload.startswith("a:")]
    assert answers and {int(payload.split(":")[1]) for payload in answers} == {seq + 1}
