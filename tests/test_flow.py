"""Moving between lessons: a half-finished lesson is never dropped without asking."""

from bot.lessons.model import Library
from bot.tutor import Tutor
from storage.repository import SqlRepository
from tests.chat import Chat


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
    await chat.tap(f"l:{course.id}:{first.id}")
    for _ in range(30):
        if f"Câu 1/{len(first.quiz)}:" in chat.text():
            break
        check = next((step.check for step in first.steps
                      if step.check and chat.read(step.check.question) in chat.last[-1].text), None)
        await (chat.type(str(check.answer)) if check else chat.press("Tiếp tục"))
    await chat.tap(f"q:{course.id}:{other.id}")
    assert f"câu 1/{len(first.quiz)} của bài kiểm tra" in chat.text()
    assert f'bài kiểm tra của bài "{other.title}"' in chat.text()
    await chat.press("Học tiếp bài đang dở")
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
