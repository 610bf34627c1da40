"""A web chat learner's name, once given, is what their mentor and the organizers see; until
then the mentor sees "Học viên" and the organizers "(không có tên)"."""

import io

import openpyxl

from bot.lessons.model import Library
from bot.tutor import Tutor
from tests.chat import Chat
from tests.mentoring_helpers import paired
from tests.test_admin import Dashboard, cheap_hashes, dashboard, sign_in  # noqa: F401
from tests.test_areas import finish_lesson


async def named(chat: Chat, form: str, name: str) -> None:
    """A new web learner agrees, picks `form` (an id: "co") and types `name` (the web chat
    has no name to keep)."""
    await chat.start(address=None)
    await chat.tap(f"ad:{form}")
    await chat.type(name)
    chat.address = form  # how the test reads the texts she is shown


async def test_the_mentor_sees_the_name_a_web_learner_gave(tutor: Tutor,
                                                          library: Library) -> None:
    mentor, other = (Chat(tutor, "mentor", display_name="Trần Minh Anh"),
                     Chat(tutor, "other", display_name="Lê Văn Bình"))
    hanh, nameless = Chat(tutor, "web-hanh", channel="web"), Chat(tutor, "web-x", channel="web")
    await named(hanh, "co", "Hạnh")
    await paired(mentor, hanh, library)
    await paired(other, nameless, library)  # "Bạn", and no name given
    await mentor.type("/hoc_vien")
    assert "👤 Cô Hạnh" in mentor.text() and "👤 Học viên" not in mentor.text()  # as she is called
    await other.type("/hoc_vien")
    assert "👤 Học viên" in other.text()


async def test_organizers_list_and_xlsx_show_the_name(dashboard: Dashboard,  # noqa: F811
                                                      library: Library) -> None:
    tutor = Tutor(repository=dashboard.repository, library=library)
    hanh, nameless = Chat(tutor, "web-hanh", channel="web"), Chat(tutor, "web-x", channel="web")
    await named(hanh, "co", "Hạnh")
    for chat in (hanh, nameless):
        await finish_lesson(chat, library)
        await chat.type("hong ha")  # asked once after a first lesson: the ward of the seed
        assert "Phường Hồng Hà" in chat.text()
        await chat.press("Bỏ qua")  # no residential group
    async with dashboard.client() as client:
        assert await sign_in(client, "phuong") == 303
        async with client.get("/admin/nguoi-hoc") as response:
            page = await response.text()
        async with client.get("/admin/tai/nguoi-hoc.xlsx") as response:
            sheet = openpyxl.load_workbook(io.BytesIO(await response.read()))[
                "Danh sách người học"]
    assert "<th scope=\"row\">Hạnh</th>" in page
    assert "<th scope=\"row\">(không có tên)</th>" in page
    names = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert "Hạnh" in names and names.count(None) + names.count("") == 1
