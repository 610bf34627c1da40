"""Areas: the shipped province file, the name matcher, and asking residents where they live."""

import unicodedata
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.area_match import distance, former, match
from bot.areas import LAND, PART, load_areas
from bot.lessons.model import Library
from bot.tutor import Tutor
from storage.repository import LEARNER, SqlRepository
from tests.chat import Chat, answer_quiz

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


@pytest.mark.parametrize(("typed", "old", "now"), [
    ("Phường Phúc Xá", "Phường Phúc Xá", ["Phường Hồng Hà"]),
    ("phuc xa", "Phường Phúc Xá", ["Phường Hồng Hà"]),  # no diacritics, no kind word
    ("phuc xaa", "Phường Phúc Xá", ["Phường Hồng Hà"]),  # a typo, no current name close
    ("TA THANH OAI", "Xã Tả Thanh Oai", ["Phường Thanh Liệt", "Xã Đại Thanh"]),  # split
    ("tt văn điển", "Thị trấn Văn Điển", ["Phường Hoàng Liệt", "Xã Thanh Trì", "Xã Đại Thanh"]),
    # The act moved all of xã Hồng Hà's residents to Ô Diên; its other parts are land only.
    ("xã Hồng Hà", "Xã Hồng Hà", ["Xã Ô Diên"]),
    ("phuong mai", "Phường Phương Mai", ["Phường Bạch Mai", "Phường Kim Liên"]),
    ("minh khai hai ba trung", "Phường Minh Khai", ["Phường Bạch Mai", "Phường Tương Mai"]),
    ("xa yen so", "Xã Yên Sở", ["Xã Dương Hòa"]),  # the kind word tells the xã from the phường
    # The old address as residents still write it: its district, the city, "cũ".
    ("phường Phúc Xá, quận Ba Đình, Hà Nội", "Phường Phúc Xá", ["Phường Hồng Hà"]),
    ("Phúc Xá cũ", "Phường Phúc Xá", ["Phường Hồng Hà"]),
    ("Phường Minh Khai (quận Hai Bà Trưng)", "Phường Minh Khai",
     ["Phường Bạch Mai", "Phường Tương Mai"]),
    ("P. Minh Khai, Q. Bắc Từ Liêm", "Phường Minh Khai", ["Phường Tây Tựu", "Phường Xuân Phương"]),
    ("xã Liên Hà, huyện Đông Anh", "Xã Liên Hà", ["Xã Thư Lâm", "Xã Đông Anh"]),
    ("thị trấn Liên Quan", "Thị trấn Liên Quan", ["Xã Thạch Thất"]),  # 'quan' ends its name
])
def test_old_names_find_where_their_residents_live_now(
        library: Library, typed: str, old: str, now: list[str]) -> None:
    communes = library.areas.children("ha-noi")
    found = former(typed, communes, close=True)
    assert [(unit.name, [place.name for place in unit.now]) for unit in found] == [(old, now)]


def test_two_old_units_of_one_name_are_both_offered(library: Library) -> None:
    found = former("phường Minh Khai", library.areas.children("ha-noi"))
    assert [(unit.where, len(unit.now)) for unit in found] == [
        ("quận Hai Bà Trưng", 2), ("quận Bắc Từ Liêm", 2)]
    assert former("trung hoa", library.areas.children("ha-noi"))[0].now[0].name == (
        "Phường Thanh Xuân")  # "Trung Hoà" and "Trung Hòa" are one old phường
    assert former("zzzzzz", library.areas.children("ha-noi"), close=True) == []


def test_every_commune_says_what_it_was_before(library: Library) -> None:
    communes = library.areas.children("ha-noi")
    assert all(place.formerly for place in communes)
    hong_ha = library.areas.get(HONG_HA)
    assert hong_ha is not None and hong_ha.formerly[0].name == "Phường Chương Dương"
    assert len({old.name.replace("Hoà", "Hòa") for place in communes
                for old in place.formerly}) == 526  # every old unit of Hà Nội, once


def test_the_check_refuses_a_malformed_formerly(tmp_path: Path) -> None:
    (tmp_path / "areas").mkdir()
    (tmp_path / "areas" / "x.yaml").write_text(
        "id: tinh-x\nname: Tỉnh X\ncommunes:\n"
        "  - {id: a1, name: Xã A, formerly: Xã Cũ}\n"
        "  - {id: b1, name: Xã B, formerly: ['', 3, 'Xã C, nửa', Xã D, xã d]}\n"
        "  - {id: c1, name: Xã C, formerly: [Xã D, 'Xã E, một phần'],\n"
        "     villages: [{id: t1, name: Thôn 1, formerly: [Thôn Cũ]}]}\n"
        "  - {id: d1, name: Xã D, formerly: ['Xã F, một phần', 'Xã F, một phần đất',\n"
        "                                     'Xã G', 'Xã G (huyện H)']}\n",
        encoding="utf-8")
    areas, problems = load_areas(tmp_path)
    where = f"{tmp_path.name}/areas/x.yaml: province.communes"
    assert problems == [
        f"{where}[0].formerly: must be a list of old unit names",
        f"{where}[1].formerly[0]: must be non-empty text: an old unit's name",
        f"{where}[1].formerly[1]: must be non-empty text: an old unit's name",
        f"{where}[1].formerly[2]: 'nửa' after the comma: write nothing (all of it), 'một phần'"
        " or 'một phần đất'",
        f"{where}[1].formerly[4]: 'xã d' is listed twice",
        f"{where}[2].villages[0].formerly: unknown field",
        f"{where}[3].formerly[1]: 'Xã F' is listed twice",
        f"{tmp_path.name}/areas/x.yaml: formerly: 'Xã D' is in Xã B, Xã C: an old unit split"
        " among places ends ', một phần' in each",
        f"{tmp_path.name}/areas/x.yaml: formerly: 'Xã E' is marked as a part but only Xã C"
        " lists it: where did the rest go?",
        f"{tmp_path.name}/areas/x.yaml: formerly: 'Xã F' is marked as a part but only Xã D"
        " lists it: where did the rest go?",
        f"{tmp_path.name}/areas/x.yaml: formerly: 'Xã G (huyện H)' and 'Xã G': two units of"
        " one name each need their district",
    ]
    assert [old.name for old in areas.get("tinh-x/b1").formerly] == ["Xã D"]


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
            # By its label: a retaken quiz shows its options in an order of its own.
            option = asked.answer if right else asked.answer % len(asked.options) + 1
            await chat.press(asked.options[option - 1])
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


async def test_a_quiz_not_passed_keeps_its_retry_and_the_question_waits_for_a_pass(
        tutor: Tutor, library: Library) -> None:
    """Found by a tester: after 1/4 the place question came at once, and its answer offered
    only "Bài tiếp theo" and "Về menu", though the result said "Làm lại bài kiểm tra"."""
    chat = Chat(tutor, "truot")
    await finish_lesson(chat, library, right=False)
    assert "chưa đạt" in chat.text() and "xã hoặc phường" not in chat.text()
    assert chat.payload_of("Làm lại bài kiểm tra").startswith("q:")
    await chat.press("Làm lại bài kiểm tra")
    await answer_quiz(chat, library.courses[0].lessons[0])
    assert "xã hoặc phường nào" in chat.last[-1].text  # passed: asked now


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
    # "Tiếp tục bài đang học" (/tiep_tuc) right after: the lesson just done is named. The
    # menu offers it no more: no lesson is half-finished.
    chat = Chat(tutor, "next-menu")
    await finish_lesson(chat, library)
    await chat.type("bỏ qua")
    await chat.type("menu")
    assert "Tiếp tục bài đang học" not in [b.label for b in chat.last[-1].flat_buttons()]
    await chat.type("/tiep_tuc")
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


async def test_an_old_name_is_confirmed_as_the_unit_it_is_part_of_now(
        tutor: Tutor, sqlite_repository: SqlRepository) -> None:
    chat = Chat(tutor, "phucxa")
    await chat.start()
    await chat.type("/noi_o")
    await chat.type("phuc xa")  # the old ward, typed as elders still say it
    assert ("Phường Phúc Xá cũ nay thuộc Phường Hồng Hà.\n"
            "Có phải bạn ở Phường Hồng Hà không?") in chat.text()
    assert "chưa tìm thấy" not in chat.text()
    await chat.press("Nơi khác")  # not that: asked again
    assert "xã hoặc phường nào" in chat.text()
    await chat.type("Phúc Xá")
    await chat.press("Đúng, Phường Hồng Hà")
    assert "thôn hoặc tổ dân phố nào của Phường Hồng Hà" in chat.text()
    await chat.press("Bỏ qua")
    learner = await sqlite_repository.find_learner(channel="test", user_ref="phucxa")
    assert learner is not None and learner.area == HONG_HA


async def test_a_split_old_unit_offers_its_new_units(
        tutor: Tutor, sqlite_repository: SqlRepository) -> None:
    chat = Chat(tutor, "tathanhoai")
    await chat.start()
    await chat.type("/noi_o")
    await chat.type("xa ta thanh oai")
    assert "Xã Tả Thanh Oai cũ nay được chia về các nơi: Phường Thanh Liệt, Xã Đại Thanh." in (
        chat.text())
    labels = [button.label for button in chat.last[-1].flat_buttons()]
    assert labels[:3] == ["📍 Phường Thanh Liệt", "📍 Xã Đại Thanh", "Bỏ qua"]
    await chat.press("Xã Đại Thanh")
    assert "đã ghi nơi ở của bạn: Xã Đại Thanh" in chat.text()
    learner = await sqlite_repository.find_learner(channel="test", user_ref="tathanhoai")
    assert learner is not None and learner.area == "ha-noi/dai-thanh"


async def test_a_current_name_wins_over_an_old_one(tutor: Tutor) -> None:
    chat = Chat(tutor, "hongha")
    await chat.start()
    await chat.type("/noi_o")
    await chat.type("hong ha")  # today's ward, though an old xã Hồng Hà (Đan Phượng) existed
    assert "thôn hoặc tổ dân phố nào của Phường Hồng Hà" in chat.text()
    assert "cũ" not in chat.text()


async def test_an_old_address_leads_to_today_s_unit(tutor: Tutor) -> None:
    chat = Chat(tutor, "oldaddress")
    await chat.start()
    await chat.type("/noi_o")
    await chat.type("phường Phúc Xá, quận Ba Đình, Hà Nội")  # as the old papers write it
    assert "Phường Phúc Xá cũ nay thuộc Phường Hồng Hà." in chat.text()
    await chat.press("Nơi khác")
    # Today's ward with the district it had: today's name still wins over the old xã Hồng Hà.
    await chat.type("Hồng Hà, quận Hoàn Kiếm")
    assert "thôn hoặc tổ dân phố nào của Phường Hồng Hà" in chat.text()
    assert "cũ" not in chat.text()
    # An old ward with its quận is that ward, not today's xã of the same name elsewhere.
    await chat.type("/noi_o")
    await chat.type("Chương Dương, quận Hoàn Kiếm")
    assert "Phường Chương Dương cũ nay thuộc Phường Hồng Hà." in chat.text()


def test_formerly_written_with_decomposed_letters_is_read_alike(tmp_path: Path) -> None:
    # Some editors save "ầ" as "â" and a combining grave: "một phần" must still be a part.
    (tmp_path / "areas").mkdir()
    (tmp_path / "areas" / "x.yaml").write_text(unicodedata.normalize(
        "NFD", "id: tinh-x\nname: Tỉnh X\ncommunes:\n"
        "  - {id: a1, name: Xã A, formerly: ['Xã Cũ, một phần', 'Xã Đất, một phần đất']}\n"
        "  - {id: b1, name: Xã B, formerly: ['Xã Cũ, một phần', 'Xã Đất, một phần']}\n"),
        encoding="utf-8")
    areas, problems = load_areas(tmp_path)
    assert problems == []
    place = areas.get("tinh-x/a1")
    assert place is not None and [(old.name, old.share) for old in place.formerly] == [
        ("Xã Cũ", PART), ("Xã Đất", LAND)]


async def test_a_place_button_never_shown_is_refused_mid_lesson(
        tutor: Tutor, library: Library, sqlite_repository: SqlRepository) -> None:
    chat = Chat(tutor, "r4")
    await chat.start()
    course = library.courses[0]
    await chat.tap(f"l:{course.id}:{course.lessons[0].id}")
    await chat.tap(f"w:{HONG_HA}")  # only ever shown with the place question
    assert "tin nhắn cũ" in chat.text()
    learner = await sqlite_repository.find_learner(channel="test", user_ref="r4")
    assert learner is not None and learner.area == "" and learner.ward == ""


@pytest.mark.parametrize(("typed", "district", "namesake"), [
    ("huyện Gia Lâm", "Huyện Gia Lâm", "Xã Gia Lâm"), ("quan cau giay", "Quận Cầu Giấy",
                                                         "Phường Cầu Giấy"),
    # Today's xã and the old huyện of one name: asked, never saved as the xã (a guess that
    # would count a resident of the old huyện in another commune's figures).
    ("Gia Lâm", "Huyện Gia Lâm", "Xã Gia Lâm"), ("huyen nam tu liem", "", ""),
])
async def test_an_old_district_alone_asks_which_commune_now(
        tutor: Tutor, typed: str, district: str, namesake: str) -> None:
    """Found in a try-out: "huyện Gia Lâm", "quan cau giay" were not found, and "Gia Lâm"
    was saved as Xã Gia Lâm without asking."""
    chat = Chat(tutor, "district")
    await chat.start()
    await chat.type("/noi_o")
    await chat.type(typed)
    said = chat.text()
    assert f"{district or 'Quận Nam Từ Liêm'} cũ nay đã được chia ra nhiều xã, phường mới" in said
    assert "gõ tên xã, phường (tên cũ trước tháng 7/2025 cũng được)" in said
    labels = [button.label for reply in chat.last for button in reply.flat_buttons()]
    assert any(namesake in label for label in labels) if namesake else len(labels) == 2
    async with tutor.repository.engine.connect() as connection:
        assert (await connection.execute(select(LEARNER.c.area_commune))).scalar() == ""
    await chat.type("Dương Xá")  # the question still waits: an old xã of the huyện
    assert "Xã Dương Xá cũ nay thuộc Xã Gia Lâm." in chat.text()


@pytest.mark.parametrize("typed", ["tổ 5 phường Dịch Vọng Hậu quận Cầu Giấy",
                                   "phường Dịch Vọng Hậu, Cầu Giấy", "Dịch Vọng Hậu, Cầu Giấy",
                                   "số 12 ngõ 3, phường Dịch Vọng Hậu, Cầu Giấy, Hà Nội"])
async def test_a_ward_with_its_old_district_finds_the_ward(tutor: Tutor, typed: str) -> None:
    """Found in a try-out: "Dịch Vọng Hậu" alone was found, with its district it was not."""
    chat = Chat(tutor, "address")
    await chat.start()
    await chat.type("/noi_o")
    await chat.type(typed)
    assert "Phường Dịch Vọng Hậu cũ nay được chia về các nơi: Phường Cầu Giấy, Phường Nghĩa " \
           "Đô." in chat.text()
