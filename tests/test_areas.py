"""Areas: the shipped province file, the name matcher, and asking residents where they live."""

from pathlib import Path

import pytest

from bot.area_match import distance, match
from bot.areas import load_areas
from bot.lessons.model import Library
from bot.tutor import Tutor
from storage.repository import SqlRepository
from tests.chat import Chat

HONG_HA = "ha-noi/hong-ha"


def test_the_shipped_province_has_its_126_communes(library: Library) -> None:
    areas = library.areas
    assert areas.provinces == ("ha-noi",)
    communes = areas.children("ha-noi")
    assert len(communes) == 126
    kinds = [place.name.split()[0] for place in communes]
    assert (kinds.count("Phường"), kinds.count("Xã")) == (51, 75)
    assert areas.get(HONG_HA) is not None and areas.get(HONG_HA).name == "Phường Hồng Hà"
    village = areas.children(HONG_HA)[0]
    assert village.parent == HONG_HA and village.level == 2
    assert areas.label(village.id) == f"{village.name}, Phường Hồng Hà"
    assert areas.contains("ha-noi", village.id) and areas.contains("", village.id)
    assert not areas.contains(HONG_HA, "ha-noi/hong-hai") and not areas.contains(HONG_HA, "ha-noi")


@pytest.mark.parametrize(("typed", "expected"), [
    ("hong ha", "Phường Hồng Hà"),  # no diacritics, no kind word
    ("Phường Hồng Hà", "Phường Hồng Hà"),
    ("P. Hong Ha", "Phường Hồng Hà"),
    ("hongha", "Phường Hồng Hà"),  # the space forgotten
    ("hong haa", "Phường Hồng Hà"),  # a letter too many
    ("hnog ha", "Phường Hồng Hà"),  # two letters swapped
    ("ba dihn", "Phường Ba Đình"),
    ("xa soc son", "Xã Sóc Sơn"),
    ("  SÓC   SƠN!! ", "Xã Sóc Sơn"),
])
def test_typed_names_find_their_place(library: Library, typed: str, expected: str) -> None:
    found = match(typed, library.areas.children("ha-noi"))
    assert found and found[0].name == expected


@pytest.mark.parametrize("typed", ["", "a", "😀", "không biết", "zzzzzz", "1234"])
def test_nonsense_finds_nothing(library: Library, typed: str) -> None:
    assert match(typed, library.areas.children("ha-noi")) == []


def test_villages_match_by_number_and_distance_counts_edits(library: Library) -> None:
    villages = library.areas.children(HONG_HA)
    assert [place.name for place in match("to 3", villages)] == ["Tổ dân phố số 3"]
    assert [place.name for place in match("tổ dân phố số 10", villages)] == ["Tổ dân phố số 10"]
    assert match("to 99", villages) == []
    assert (distance("hong ha", "hong ha"), distance("hnog", "hong"), distance("", "abc")) == (
        0, 1, 3)


def test_the_loader_names_every_bad_field(tmp_path: Path) -> None:
    (tmp_path / "areas").mkdir()
    (tmp_path / "areas" / "x.yaml").write_text(
        "id: Tỉnh X\nname: ''\ncommunes:\n  - {id: a, name: Xã A}\n  - {id: ok, name: Xã B, "
        "villages: [{id: t1, name: Thôn 1}, {id: t1, name: Thôn 2}]}\n  - {id: ok, name: Xã C}\n"
        "  - {id: zz, name: Xã D, colour: red}\n", encoding="utf-8")
    areas, problems = load_areas(tmp_path)
    assert problems == [f"{tmp_path.name}/areas/x.yaml: province.id: must be 2-16 characters:"
                        " a-z, 0-9 and '-'"]
    (tmp_path / "areas" / "x.yaml").write_text(
        "id: tinh-x\nname: Tỉnh X\ncommunes:\n  - {id: a, name: Xã A}\n  - {id: ok, name: Xã B, "
        "villages: [{id: t1, name: Thôn 1}, {id: t1, name: Thôn 2}]}\n  - {id: ok, name: Xã C}\n"
        "  - {id: zz, name: Xã D, colour: red}\n", encoding="utf-8")
    areas, problems = load_areas(tmp_path)
    where = f"{tmp_path.name}/areas/x.yaml: province.communes"
    assert problems == [
        f"{where}[0].id: must be 2-16 characters: a-z, 0-9 and '-'",
        f"{where}[1].villages[1].id: duplicate id 't1'",
        f"{where}[2].id: duplicate id 'ok'",
        f"{where}[3].colour: unknown field",
    ]
    assert [place.id for place in areas.children("tinh-x")] == ["tinh-x/ok", "tinh-x/zz"]


async def finish_lesson(chat: Chat, library: Library, index: int = 0, *,
                        right: bool = True) -> None:
    """Take lesson `index` of the first course from the start, answering every question."""
    course = library.courses[0]
    lesson = course.lessons[index]
    await chat.start()
    await chat.tap(f"l:{course.id}:{lesson.id}")
    questions = [step.check for step in lesson.steps if step.check] + list(lesson.quiz)
    for _ in range(60):  # whatever the lesson holds: steps, checks, then the quiz
        if "Kết quả" in chat.text():
            return
        asked = next((q for q in questions if chat.read(q.question) in chat.last[-1].text), None)
        if asked is not None:
            await chat.type(str(asked.answer if right else asked.answer % len(asked.options) + 1))
        else:
            await chat.press("Tiếp tục")
    raise AssertionError("the lesson did not end")


async def test_asked_once_after_a_first_lesson_and_typed_names_are_matched(
        tutor: Tutor, library: Library, sqlite_repository: SqlRepository) -> None:
    chat = Chat(tutor, "lan")
    await finish_lesson(chat, library)
    assert "đúng 3/3" in chat.text() and "xã hoặc phường nào" in chat.last[-1].text
    await chat.type("hong haa")  # a typo: offered, not assumed
    assert "Có phải" in chat.text()
    await chat.press("Phường Hồng Hà")
    assert "thôn hoặc tổ dân phố nào của Phường Hồng Hà" in chat.text()
    await chat.press("Tổ dân phố số 2")
    assert "Tổ dân phố số 2, Phường Hồng Hà" in chat.text()
    learner = await sqlite_repository.find_learner(channel="test", user_ref="lan")
    assert learner is not None and learner.area == f"{HONG_HA}/tdp-2"
    assert learner.ward == "Phường Hồng Hà" and learner.area_asked
    # Never asked again by itself: the next lesson's quiz ends with the score only.
    await finish_lesson(chat, library, index=1)
    assert "Kết quả" in chat.text() and "xã hoặc phường" not in chat.text()


async def test_skipping_keeps_what_was_given_and_the_place_can_change(
        tutor: Tutor, library: Library, sqlite_repository: SqlRepository) -> None:
    chat = Chat(tutor, "tu")
    await finish_lesson(chat, library)
    await chat.press("Bỏ qua")
    assert "Không sao đâu" in chat.text()
    learner = await sqlite_repository.find_learner(channel="test", user_ref="tu")
    assert learner is not None and learner.area == "" and learner.area_asked
    await chat.type("/noi_o")
    await chat.type("xã sóc sơn")  # exact: taken at once; no villages listed, so done
    assert "Xã Sóc Sơn" in chat.text() and "Bài tiếp theo" in chat.last[-1].flat_buttons()[0].label
    await chat.type("nơi ở")
    await chat.type("hong ha")
    await chat.press("Bỏ qua")  # no village given: the ward stays
    assert "đã ghi nơi ở của bạn: Phường Hồng Hà" in chat.text()
    learner = await sqlite_repository.find_learner(channel="test", user_ref="tu")
    assert learner is not None and learner.area == HONG_HA


async def test_unknown_names_forged_places_and_escapes(tutor: Tutor) -> None:
    chat = Chat(tutor, "nam")
    await chat.start()
    await chat.type("/noi_o")
    await chat.type("Sao Hỏa")
    assert "chưa tìm thấy nơi nào tên là \"Sao Hỏa\"" in chat.text()
    await chat.type("{{ 7*7 }}")  # shown back as typed, never rendered
    assert "{{ 7*7 }}" in chat.text()
    await chat.tap("w:ha-noi/khong-co")
    assert "tin nhắn cũ" in chat.text()
    await chat.tap("w:ha-noi/hong-ha/../../x")
    assert "tin nhắn cũ" in chat.text()
    await chat.type("menu")  # leaves the question
    await chat.type("hong ha")
    assert "Phường Hồng Hà" not in chat.text()


async def test_the_question_gives_way_to_the_lesson_words(tutor: Tutor, library: Library) -> None:
    chat = Chat(tutor, "sau")
    await finish_lesson(chat, library)
    assert "Bài tiếp theo" in [b.label for b in chat.last[-1].flat_buttons()][1]
    await chat.type("tiếp")  # not a place: the next lesson is suggested
    assert "chưa tìm thấy" not in chat.text() and "Bắt đầu học" in str(chat.last[-1].buttons)
    await chat.type("nơi ở")
    await chat.type("bỏ qua")  # typed, as on Zalo
    assert "Không sao đâu" in chat.text()


async def test_after_the_answer_the_next_lesson_is_one_tap_away(
        tutor: Tutor, library: Library) -> None:
    """Before, the answer offered "Tiếp tục bài đang học", which only said that no lesson was
    half-finished and suggested the next one: two taps more than the question's own button."""
    course = library.courses[0]
    following = course.lessons[1]
    for answer in ("xã sóc sơn", "bỏ qua"):
        chat = Chat(tutor, f"next-{answer}")
        await finish_lesson(chat, library)
        await chat.type(answer)
        assert f'Bài tiếp theo của bạn là "{following.title}"' in chat.text()
        assert chat.payload_of("Bài tiếp theo") == f"l:{course.id}:{following.id}"
        assert "đang học dở" not in chat.text()
        await chat.type("1")  # its number, as on Zalo
        assert f"{following.title} · Bước 1/{len(following.steps)}" in chat.text()
    # "Tiếp tục bài đang học" from the menu right after: the lesson just done is named.
    chat = Chat(tutor, "next-menu")
    await finish_lesson(chat, library)
    await chat.type("bỏ qua")
    await chat.type("menu")
    await chat.press("Tiếp tục bài đang học")
    assert f'Bạn đã học xong bài "{course.lessons[0].title}"' in chat.text()
    assert "không có bài nào đang học dở" not in chat.text()
    assert chat.payload_of("Bắt đầu học") == f"l:{course.id}:{following.id}"


async def test_asked_in_a_lesson_the_answer_resumes_it(tutor: Tutor, library: Library) -> None:
    course = library.courses[0]
    lesson = course.lessons[0]
    chat = Chat(tutor, "mid")
    await chat.start()
    await chat.tap(f"l:{course.id}:{lesson.id}")
    await chat.press("Tiếp tục")
    await chat.type("/noi_o")
    await chat.type("xã sóc sơn")
    await chat.press("Tiếp tục bài đang học")
    assert f"{lesson.title} · Bước 2/{len(lesson.steps)}" in chat.text()
    assert "không có bài nào đang học dở" not in chat.text()
