"""A second language: a resident reads Học Số in English from consent to progress, and back."""

from pathlib import Path

from bot.lessons.loader import load_library, missing_texts
from bot.lessons.model import Lesson, Library, Step
from bot.lessons.render import Renderer
from bot.messages import Incoming, Kind
from bot.tutor import Tutor
from storage.repository import SqlRepository
from tests.chat import Chat


async def test_a_resident_walks_the_whole_english_path_and_back(tutor: Tutor,
                                                                library: Library) -> None:
    chat = Chat(tutor, "visitor")
    # Telegram says the person's app is in English: a hint, offered in one tap.
    notice = await chat.send(Incoming(channel="test", user_ref="visitor", kind=Kind.START,
                                      language="en-US", update_id="first"))
    assert "Trước khi học" in chat.text()
    assert chat.payload_of("English") == "lg:en"
    await chat.press("English")
    assert "agree" in chat.text().lower() and "Trước khi học" not in chat.text()
    assert notice and [b.label for b in chat.last[-1].flat_buttons()][:2] == [
        "✅ I agree", "I do not agree"]
    await chat.press("I agree")
    assert "Thank you for agreeing" in chat.text()
    assert "How should Học Số address you" in chat.text()
    await chat.press("Bạn (a friend, any age)")
    await chat.press("Skip")  # no name
    assert "Thank you! To change how Học Số calls you, type /my_name." in chat.text()
    assert "your mentor and the officials will not see a name" in chat.text()
    course = library.in_locale("en").course("lam-quen")
    assert course is not None and course.title == "Getting to know Học Số"
    await chat.press(course.title)
    lesson = course.lessons[0]
    await chat.press(lesson.title)
    assert f"{lesson.title} · Step 1/{len(lesson.steps)}" in chat.text()
    while chat.read(lesson.quiz[0].question) not in chat.text():
        labels = " ".join(b.label for r in chat.last for b in r.flat_buttons())
        if "Next" in labels:
            await chat.type("next")  # the English word
        else:  # a check question: answer it right
            await chat.press(_right_option(chat, lesson))
    for question in lesson.quiz:
        assert chat.read(question.question) in chat.text()
        await chat.press(question.options[question.answer - 1])
    assert f'You have finished the quiz for "{lesson.title}"' in chat.text()
    await chat.type("/progress")
    assert "Your progress" in chat.text() and course.title in chat.text()
    # Back to Vietnamese, which is kept for the next turns.
    await chat.type("/language")
    await chat.press("Tiếng Việt")
    assert "tiếng Việt" in chat.text()
    await chat.type("tiến độ")
    assert "Tiến độ" in chat.text() and "Làm quen với Học Số" in chat.text()
    learner = await tutor.repository.find_learner(channel="test", user_ref="visitor")
    assert learner is not None and learner.locale == "vi"


def _right_option(chat: Chat, lesson: Lesson) -> str:
    for step in lesson.steps:
        if step.check is not None and chat.read(step.check.question) in chat.text():
            return str(step.check.options[step.check.answer - 1])
    raise AssertionError(f"no check question in {chat.text()[:200]}")


async def test_a_learner_who_chose_english_still_may_type_vietnamese_words(
        tutor: Tutor) -> None:
    chat = Chat(tutor, "volunteer")
    await chat.start()
    await chat.type("/ngon_ngu")
    await chat.press("English")
    assert "speaks English" in chat.text()
    await chat.type("tiến độ")
    assert "You have not finished any lessons yet" in chat.text()


async def test_a_forged_language_changes_nothing(tutor: Tutor) -> None:
    chat = Chat(tutor, "someone")
    await chat.start()
    await chat.tap("lg:km")  # no Khmer texts in this deployment
    assert "Nút đó ở tin nhắn cũ nên không bấm được nữa" in chat.text()
    learner = await tutor.repository.find_learner(channel="test", user_ref="someone")
    assert learner is not None and learner.locale == "vi"


async def _reading_english(tutor: Tutor, user: str) -> Chat:
    """A new resident whose phone is in English, who takes English at the consent notice."""
    chat = Chat(tutor, user)
    await chat.send(Incoming(channel="test", user_ref=user, kind=Kind.START, language="en",
                             update_id=f"{user}-first"))
    await chat.press("English")
    return chat


async def test_a_resident_reading_english_may_type_their_answer_to_the_consent(
        tutor: Tutor) -> None:
    chat = await _reading_english(tutor, "typist")
    await chat.type("Yes")  # the notice's words, in the language it was read in
    assert "Thank you for agreeing" in chat.text()
    other = await _reading_english(tutor, "refuser")
    await other.type("I don't agree")
    assert "does not keep anything about you" in other.text()
    assert await tutor.repository.find_learner(channel="test", user_ref="refuser") is None
    # Vietnamese answers keep working for someone reading English.
    third = await _reading_english(tutor, "mixed")
    await third.type("đồng ý")
    assert "Thank you for agreeing" in third.text()


async def test_a_number_is_picked_with_the_words_of_either_language(tutor: Tutor) -> None:
    chat = Chat(tutor, "counter")
    await chat.start()
    await chat.type("/language")
    await chat.press("English")
    await chat.type("menu")
    second = chat.last[-1].flat_buttons()[1]
    await chat.type("option 2")  # English words before the number
    assert second.label.removeprefix("📘 ") in chat.text()
    await chat.type("menu")
    await chat.type("chọn 2")  # and the Vietnamese ones, for everyone
    assert second.label.removeprefix("📘 ") in chat.text()


async def test_a_deployment_adds_khmer_and_hmong_with_files_alone(
        content_copy: Path, sqlite_repository: SqlRepository) -> None:
    """docs/CONTENT.md's recipe: a folder of texts per language, no code. A Khmer word is
    matched whole, and a three-letter code (H'Mông, "hmn") is suggested like a two-letter one."""
    for locale, name, words in (("km", "ភាសាខ្មែរ", "[ជំនួយ]"), ("hmn", "Lus Hmoob", "[pab]")):
        folder = content_copy / "templates" / locale
        folder.mkdir()
        (folder / "messages.yaml").write_text(
            f"language_name: {name}\ncommands:\n  help:\n    words: {words}\n", encoding="utf-8")
    library = load_library(content_copy)
    assert library.locales == ("vi", "en", "hmn", "km")
    tutor = Tutor(repository=sqlite_repository, library=library)
    chat = Chat(tutor, "hmong")
    await chat.send(Incoming(channel="test", user_ref="hmong", kind=Kind.START,
                             language="hmn", update_id="hmong-first"))
    assert chat.payload_of("Lus Hmoob") == "lg:hmn"
    khmer = Chat(tutor, "khmer")
    await khmer.start()
    await khmer.type("/ngon_ngu")
    await khmer.press("ភាសាខ្មែរ")
    await khmer.type("ជំនួយ")
    assert "/ngon_ngu" in khmer.text()  # the help screen (in Vietnamese: nothing translated)
    missing = missing_texts(library)
    assert "templates/km: privacy_notice" in missing["km"]
    assert "templates/km: commands.help" not in missing["km"]


async def test_english_readers_are_shown_english_slash_commands(tutor: Tutor,
                                                                library: Library) -> None:
    english = library.in_locale("en")
    shown = {texts.slash[0] for texts in english.commands.values() if texts.menu}
    assert shown.isdisjoint({"nhac_hoc", "chung_nhan", "lien_ket", "du_lieu_cua_toi",
                             "xoa_du_lieu", "kiem_tra", "noi_o", "doi_cach_goi"}), shown
    texts = " ".join(english.templates[key] for key in english.templates
                     if key not in library.templates or english.templates[key]
                     != library.templates[key])
    for vietnamese in ("/nhac_hoc", "/chung_nhan", "/lien_ket", "/bo_lien_ket",
                       "/du_lieu_cua_toi", "/xoa_du_lieu", "/kiem_tra", "/noi_o",
                       "/doi_cach_goi"):
        assert vietnamese not in texts, vietnamese
    chat = Chat(tutor, "slasher")
    await chat.start()
    await chat.type("/language")
    await chat.press("English")
    await chat.type("/reminders")
    assert "goal" in chat.text().lower()
    await chat.type("/nhac_hoc")  # the Vietnamese name works for everyone
    assert "goal" in chat.text().lower()


async def test_the_keyboards_words_are_understood_without_being_listed_twice(
        content_copy: Path, sqlite_repository: SqlRepository) -> None:
    """Telegram's lasting keyboard sends its label as typed text: a translation's label is a
    word of its command already, with no need to copy it under `commands:`."""
    folder = content_copy / "templates" / "km"
    folder.mkdir()
    (folder / "messages.yaml").write_text(
        "language_name: ភាសាខ្មែរ\nkeyboard_progress: 📊 វឌ្ឍនភាព\n", encoding="utf-8")
    tutor = Tutor(repository=sqlite_repository, library=load_library(content_copy))
    chat = Chat(tutor, "keyboard")
    await chat.start()
    await chat.type("/ngon_ngu")
    await chat.press("ភាសាខ្មែរ")
    await chat.type("📊 វឌ្ឍនភាព")
    assert "chưa học xong bài nào" in chat.text()  # the progress screen (in Vietnamese)


def test_the_message_check_names_the_web_pages_photo_button_in_each_language(
        library: Library) -> None:
    # The English check told people to tap "📷 Gửi ảnh tin nhắn" on a page whose button read
    # "📷 Send a photo of a message".
    for locale in library.locales:
        templates = library.in_locale(locale).templates
        button = templates["web_photo_button"].strip().strip('"')
        renderer = Renderer(templates)
        for key in ("check_ask", "check_paste"):
            assert f'"{button}"' in renderer.message(key, photos="web"), (locale, key)


def test_a_step_translated_without_its_simpler_wording_has_none(content_copy: Path) -> None:
    """Found while writing simpler wordings: a translated step kept the Vietnamese one, which
    an English learner asking to hear the step again would have been sent."""
    (content_copy / "vneid" / "course.en.yaml").write_text(
        "lessons:\n  - id: la-gi\n    steps:\n      - id: hai-muc\n"
        "        text: A VNeID account has two levels.\n", encoding="utf-8")
    library = load_library(content_copy)

    def step(lib: Library) -> Step:
        course = lib.course("vneid")
        assert course is not None
        return next(step for step in course.lesson("la-gi").steps  # type: ignore[union-attr]
                    if step.id == "hai-muc")

    assert step(library).simpler
    english = step(library.translations["en"])
    assert english.text.strip() == "A VNeID account has two levels." and english.simpler is None
