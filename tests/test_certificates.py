"""Certificates: issued once for a finished and passed course, drawn with a QR code of the
public verify page, listed with /chung_nhan, refused to code guessers, erased with the learner."""

import csv
import io
from datetime import date
from pathlib import Path

import pytest
import zxingcpp
from aiohttp.test_utils import TestClient, TestServer
from PIL import Image
from playwright.async_api import async_playwright
from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein
from sqlalchemy import func, insert, select

from bot.areas import load_areas
from bot.channels.headers import PAGE_HEADERS
from bot.channels.web import create_web_app, render_reply
from bot.lessons.loader import load_library
from bot.lessons.model import Course, Library
from bot.listening.ocr import available as ocr_available
from bot.listening.ocr import read_text_in_thread
from bot.messages import Outgoing
from bot.tutor import Tutor
from storage.certificates import CERTIFICATE, certificate_counts
from storage.clock import local_date
from storage.repository import LEARNER, SqlRepository, area_columns
from storage.scope import Scope
from tests.chat import Chat, answer_quiz
from tests.conftest import CONTENT_DIR, require
from tests.mentoring_helpers import paired, received
from tests.report_seed import BA_DINH, HONG_HA

# The dashboard's fixtures, imported to be used by name.
from tests.test_admin import Dashboard, cheap_hashes, dashboard, sign_in  # noqa: F401
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS

WEB = "https://hocso.example.vn"
COURSE = "lam-quen"


def decode(png: bytes) -> str:
    [found] = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    return str(found.text)


def course_of(library: Library, course_id: str = COURSE) -> Course:
    course = library.course(course_id)
    assert course is not None
    return course


async def take_quiz(chat: Chat, course: Course, lesson_id: str, *, right: bool) -> None:
    """Take one lesson's quiz, every answer right (or every answer wrong)."""
    lesson = next(lesson for lesson in course.lessons if lesson.id == lesson_id)
    await chat.learn(course.id, lesson.id)
    await answer_quiz(chat, lesson, right=right)


async def finish(chat: Chat, course: Course) -> list[Outgoing]:
    """Every quiz of the course passed; the replies of the whole course."""
    replies: list[Outgoing] = []
    for lesson in course.lessons:
        await take_quiz(chat, course, lesson.id, right=True)
        replies += chat.last
    return replies


def pictures(replies: list[Outgoing]) -> list[bytes]:
    return [reply.attachment.data for reply in replies
            if reply.attachment is not None and reply.attachment.mime == "image/png"]


async def issued(tutor: Tutor) -> int:
    async with tutor.repository.engine.connect() as connection:
        return int(await connection.scalar(select(func.count()).select_from(CERTIFICATE)))


def code_in(text: str) -> str:
    return text.split("Mã xác minh: ")[1][:8]


async def lan(tutor: Tutor) -> Chat:
    chat = Chat(tutor, "lan", channel="telegram", display_name="Nguyễn Thị Lan")
    await chat.start(address="bac")
    return chat


async def test_finishing_a_course_issues_one_certificate_with_a_qr_of_its_page(
        tutor: Tutor, library: Library) -> None:
    tutor.links.web_base = WEB
    chat = await lan(tutor)
    course = course_of(library)
    replies = await finish(chat, course)
    [png] = pictures(replies)
    [earned] = [reply for reply in replies if reply.attachment is not None]
    code = code_in(earned.text)
    assert f'khóa "{course.title}"' in earned.text and f"{WEB}/xac-minh/{code}" in earned.text
    assert decode(png) == f"{WEB}/xac-minh/{code}"
    assert await issued(tutor) == 1
    # One congratulation: before, "Chúc mừng bác đã học hết khóa…" came just before it.
    said = "\n".join(reply.text for reply in chat.last)
    assert said.count("Chúc mừng") == 1 and "học hết" not in said
    # Retaking a quiz (and passing again) issues nothing more.
    await take_quiz(chat, course, course.lessons[0].id, right=True)
    assert not pictures(chat.last) and await issued(tutor) == 1
    replies = await chat.type("/chung_nhan")
    assert code in replies[0].text and course.title in replies[0].text
    assert len(pictures(replies)) == 1
    # On the web chat the picture travels as base64 in the answer (it is no text).
    [file] = [render_reply(reply)["file"] for reply in replies if reply.attachment]
    assert file["type"] == "image/png" and file["base64"]


async def test_a_failed_quiz_issues_none_until_it_is_passed(tutor: Tutor,
                                                           library: Library) -> None:
    chat = await lan(tutor)
    course = course_of(library)
    *others, last = course.lessons
    for lesson in others:
        await take_quiz(chat, course, lesson.id, right=True)
    await take_quiz(chat, course, last.id, right=False)  # every lesson finished, one failed
    assert not pictures(chat.last) and await issued(tutor) == 0
    said = "\n".join(reply.text for reply in chat.last)  # what is left, not a "well done"
    assert f'Bác đã học hết các bài của khóa "{course.title}" ạ' in said
    assert f'Bài kiểm tra chưa đạt: "{last.title}"' in said and "Chúc mừng" not in said
    await take_quiz(chat, course, last.id, right=True)
    assert len(pictures(chat.last)) == 1 and await issued(tutor) == 1


async def test_no_certificate_yet_gets_a_kind_line_and_the_menu(tutor: Tutor) -> None:
    chat = await lan(tutor)
    replies = await chat.type("giấy chứng nhận")
    assert "chưa có giấy chứng nhận nào" in replies[0].text
    assert any(b.payload == "menu" or b.payload.startswith("c:")
               for reply in replies for b in reply.flat_buttons())


async def test_the_verify_page_shows_name_course_and_date_and_nothing_else(
        tutor: Tutor, library: Library) -> None:
    tutor.links.web_base = WEB
    chat = await lan(tutor)
    course = course_of(library)
    code = code_in(next(r.text for r in await finish(chat, course) if r.attachment))
    today = local_date().strftime("%d/%m/%Y")  # the day in Vietnam
    async with TestClient(TestServer(create_web_app(tutor, CONTENT_DIR))) as client:
        answer = await client.get(f"/xac-minh/{code}")
        assert answer.status == 200
        html = await answer.text()
        [result] = [line for line in html.splitlines() if 'id="result"' in line]
        assert "Bác Nguyễn Thị Lan" in result and course.title in result
        assert today in result
        # Nothing else about the resident: no issuer, no place, no code text, no channel.
        assert "Đơn vị cấp" not in html and "telegram" not in html.lower()
        # The same security headers as the chat's page, its 404 too; its style is a file.
        missing = await client.get("/xac-minh/ABCDEFGH")
        for response in (answer, missing):
            assert response.headers["Content-Security-Policy"] == PAGE_HEADERS[
                "Content-Security-Policy"]
            assert response.headers["X-Frame-Options"] == "DENY"
            assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "<style" not in html and 'href="/static/verify.css"' in html
        assert (await client.get("/static/verify.css")).status == 200
        pdf = await client.get(f"/xac-minh/{code.lower()}.pdf")
        assert pdf.status == 200 and (await pdf.read()).startswith(b"%PDF")
        assert pdf.headers["X-Content-Type-Options"] == "nosniff"
        png = await client.get(f"/xac-minh/{code}.png")
        assert decode(await png.read()) == f"{WEB}/xac-minh/{code}"


async def test_unknown_codes_404_and_a_burst_of_them_is_refused(tutor: Tutor,
                                                               library: Library) -> None:
    chat = await lan(tutor)
    code = code_in(next(r.text for r in await finish(chat, course_of(library))
                        if r.attachment))
    async with TestClient(TestServer(create_web_app(tutor, CONTENT_DIR))) as client:
        first = await client.get("/xac-minh/ABCDEFGH")
        assert first.status == 404 and "Không tìm thấy" in await first.text()
        statuses = [(await client.get(f"/xac-minh/AAAAAA{n:02d}")).status for n in range(20)]
        assert statuses[:19] == [404] * 19 and statuses[19] == 429
        # A right code is refused too, or 200 among the 429s would tell it apart.
        assert (await client.get(f"/xac-minh/{code}")).status == 429


async def test_erasing_the_learner_removes_the_certificate(tutor: Tutor,
                                                           library: Library) -> None:
    chat = await lan(tutor)
    code = code_in(next(r.text for r in await finish(chat, course_of(library))
                        if r.attachment))
    mine = await chat.type("/du_lieu_cua_toi")
    assert code in next(r.attachment.data.decode() for r in mine if r.attachment)
    await chat.type("/xoa_du_lieu")
    await chat.tap("eraseok")
    assert await issued(tutor) == 0
    async with TestClient(TestServer(create_web_app(tutor, CONTENT_DIR))) as client:
        assert (await client.get(f"/xac-minh/{code}")).status == 404


@pytest.mark.usefixtures("repository")
async def test_counts_per_area_and_course(repository: SqlRepository, library: Library) -> None:
    tutor = Tutor(repository=repository, library=library)
    course = course_of(library)
    for user in ("a", "b"):
        chat = Chat(tutor, user, channel="telegram")
        await chat.start()
        await finish(chat, course)
    async with repository.engine.begin() as connection:
        await connection.execute(CERTIFICATE.update().where(CERTIFICATE.c.learner_id == 1)
                                 .values(area_province="ha-noi", area_commune="ha-noi/ba-dinh"))
        counts = await certificate_counts(connection, Scope(""), first=date(2000, 1, 1),
                                          last=date(2100, 1, 1))
        in_hanoi = await certificate_counts(connection, Scope("ha-noi"),
                                            first=date(2000, 1, 1), last=date(2100, 1, 1))
    assert sorted((c.area_id, c.course_id, c.count) for c in counts) == [
        ("", COURSE, 1), ("ha-noi", COURSE, 1)]
    assert [(c.area_id, c.count) for c in in_hanoi] == [("ha-noi/ba-dinh", 1)]


def test_the_issuer_comes_from_the_nearest_place_that_names_one(tmp_path: Path) -> None:
    (tmp_path / "areas").mkdir()
    (tmp_path / "areas" / "x.yaml").write_text(
        "id: tinh\nname: Tỉnh X\ncommunes:\n"
        "  - {id: xa-a, name: Xã A, issuer: Ủy ban nhân dân xã A,"
        " villages: [{id: thon-1, name: Thôn 1}]}\n"
        "  - {id: xa-b, name: Xã B}\n", encoding="utf-8")
    areas, problems = load_areas(tmp_path)
    assert problems == []
    assert areas.issuer("tinh/xa-a/thon-1") == "Ủy ban nhân dân xã A"
    assert areas.issuer("tinh/xa-b") == "" and areas.issuer("") == ""


async def test_the_dashboard_counts_and_exports_certificates_of_its_area(
        dashboard: Dashboard) -> None:  # noqa: F811
    async with dashboard.repository.engine.begin() as connection:
        ids = (await connection.execute(select(LEARNER.c.id).order_by(LEARNER.c.id))).all()
        for number, (area, course) in enumerate(((f"{HONG_HA}/tdp-1", COURSE),
                                                 (f"{HONG_HA}/tdp-1", COURSE),
                                                 (f"{HONG_HA}/tdp-1", "vneid"),
                                                 (BA_DINH, COURSE))):
            await connection.execute(insert(CERTIFICATE).values(
                code=f"ABCDEFG{number + 2}", learner_id=ids[number][0], course_id=course,
                name="", address="ban", issuer="Học Số", locale="vi", issued_on=local_date(),
                **area_columns(area)))
    async with dashboard.client() as client:
        assert await sign_in(client, "phuong") == 303
        async with client.get("/admin/") as response:
            assert "Giấy chứng nhận đã cấp" in await response.text()
        async with client.get("/admin/tai/chung-nhan.csv") as response:
            rows = list(csv.reader(io.StringIO((await response.read()).decode("utf-8-sig"))))
    titles = {course.id: course.title for course in load_library(CONTENT_DIR).courses}
    assert rows[0] == ["Địa bàn", "Khóa học", "Số giấy chứng nhận"]
    assert sorted(rows[1:]) == sorted([["Tổ dân phố số 1", titles[COURSE], "2"],
                                       ["Tổ dân phố số 1", titles["vneid"], "1"]])


async def test_on_zalo_the_message_says_where_to_see_it(tutor: Tutor, library: Library) -> None:
    tutor.links.web_base = WEB
    chat = Chat(tutor, "zalo-lan", channel="zalo", display_name="Lan")
    await chat.start()
    replies = await finish(chat, course_of(library))
    [earned] = [reply for reply in replies if "Mã xác minh" in reply.text]
    assert earned.attachment is None
    assert f"{WEB}/xac-minh/{code_in(earned.text)}" in earned.text


async def test_the_mentor_is_told(tutor: Tutor, library: Library) -> None:
    mentor = Chat(tutor, "mentor", channel="telegram", display_name="Trần Minh Anh")
    resident = Chat(tutor, "resident", channel="telegram", display_name="Nguyễn Thị Lan")
    await mentor.start(address="anh")  # the mentor is told in their own form of address
    await paired(mentor, resident, library)
    await finish(resident, course_of(library))
    told = [message.text for message in await received(tutor, mentor)]
    [alert] = [text for text in told if "Giấy chứng nhận hoàn thành" in text]
    assert course_of(library).title in alert and "Anh nhớ chúc mừng nhé ạ!" in alert


async def test_chromium_shows_the_page_and_the_picture_reads_right(tutor: Tutor,
                                                                    library: Library) -> None:
    require(CHROMIUM.exists(), "Debian's chromium")
    require(ocr_available(), "Tesseract with Vietnamese (tesseract-ocr tesseract-ocr-vie)")
    chat = await lan(tutor)
    course = course_of(library)
    code = code_in(next(r.text for r in await finish(chat, course) if r.attachment))
    server = TestServer(create_web_app(tutor, CONTENT_DIR), host="127.0.0.1")
    await server.start_server()
    try:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
            try:
                page = await browser.new_page()
                await page.goto(str(server.make_url(f"/xac-minh/{code}")))
                shown = await page.locator("#result").inner_text()
                assert "Bác Nguyễn Thị Lan" in shown and course.title in shown
                # Its style, a file its Content-Security-Policy lets in, is applied.
                assert await page.locator("h1").evaluate(
                    "h => getComputedStyle(h).color") == "rgb(176, 32, 38)"
                picture = await page.request.get(str(server.make_url(f"/xac-minh/{code}.png")))
                pdf = await page.request.get(str(server.make_url(f"/xac-minh/{code}.pdf")))
                assert pdf.headers["content-type"] == "application/pdf"
                read = await read_text_in_thread(await picture.body())
            finally:
                await browser.close()
    finally:
        await server.close()
    # The picture's words, read back by OCR: Vietnamese letters drawn right.
    for words in ("GIẤY CHỨNG NHẬN HOÀN THÀNH", "Bác Nguyễn Thị Lan", course.title):
        assert fuzz.partial_ratio(words, read) >= 90, (words, read)
    # The random code, within one character: OCR once read "E2SJ64WN" as "E2S5J64WN".
    assert min(Levenshtein.distance(code, word) for word in read.split()) <= 1, (code, read)


async def test_a_learner_who_gave_no_name_gets_a_certificate_without_one(
        tutor: Tutor, library: Library) -> None:
    chat = Chat(tutor, "web-person", channel="web")  # the web chat knows no name
    await chat.start(address="bac")
    replies = await finish(chat, course_of(library))
    code = code_in(next(r.text for r in replies if r.attachment))
    async with TestClient(TestServer(create_web_app(tutor, CONTENT_DIR))) as client:
        html = await (await client.get(f"/xac-minh/{code}")).text()
    assert "Một học viên (không ghi tên)" in html
