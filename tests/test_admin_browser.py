"""The dashboard in a real headless Chromium on a phone: sign in, overview, drill down, a CSV."""

import asyncio
import csv
import io
import re
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, ViewportSize, expect
from sqlalchemy import insert, select

from storage.clock import now
from storage.database import create_engine
from storage.repository import LEARNER, RESULT
from storage.rollup import refreshed_at
from tests.report_seed import seed_file
from tests.server import free_port, hocso_here, running_here
from tests.test_browser import PHONE

PASSWORD = "mat-khau-that-dai"
pytestmark = pytest.mark.asyncio(loop_scope="module")  # the loop of conftest.chromium


async def _seeded(tmp_path: Path) -> Path:
    """The data set of report_seed.py in a SQLite file, and an account for Hà Nội, "tinh"."""
    data = tmp_path / "data"
    data.mkdir()
    await seed_file(data)
    added = hocso_here(data, "admin", "add", "--login", "tinh", "--name", "Tỉnh đoàn Hà Nội",
                       "--area", "ha-noi", "--password-stdin", stdin=PASSWORD)
    assert added.returncode == 0, added.stderr
    return data


async def test_sign_in_drill_down_and_download_a_csv(tmp_path: Path, chromium: Browser) -> None:
    data = await _seeded(tmp_path)
    port = free_port()
    with running_here(data, port):  # its first report refresh runs as it starts
        context = await chromium.new_context(viewport=PHONE, accept_downloads=True)
        try:
            page = await context.new_page()
            await page.goto(f"http://127.0.0.1:{port}/admin")
            await expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
            await page.get_by_label("Tên đăng nhập").fill("tinh")
            await page.get_by_label("Mật khẩu").fill("sai-mat-khau")
            await page.get_by_role("button", name="Đăng nhập").click()
            await expect(page.get_by_role("alert")).to_contain_text("Sai tên đăng nhập")
            await page.get_by_label("Tên đăng nhập").fill("tinh")
            await page.get_by_label("Mật khẩu").fill(PASSWORD)
            await page.get_by_role("button", name="Đăng nhập").click()

            await expect(page.locator("h1")).to_have_text("Thành phố Hà Nội")
            registered = page.locator(".metric", has_text="Người dân đã đăng ký")
            await expect(registered.locator(".value")).to_have_text("6")
            await expect(page.locator("svg.chart").first).to_be_visible()
            width = await page.evaluate("document.scrollingElement.scrollWidth")
            assert width <= PHONE["width"], width  # wide tables scroll inside their card
            await page.screenshot(path=tmp_path / "overview.png")

            await page.locator("#khu-vuc").get_by_role("link", name="Phường Hồng Hà").click()
            await expect(page.locator("h1")).to_have_text("Phường Hồng Hà")
            await expect(registered.locator(".value")).to_have_text("3")
            await expect(page.locator("#khu-vuc")).to_contain_text("Tổ dân phố số 1")

            # The course table counts earlier days: those are in once the first refresh
            # is done (until then the page says so; tests/test_admin.py).
            await _refreshed(data)
            async with page.expect_download() as waiting:
                await page.locator("#khoa-hoc").get_by_role("link", name="CSV").click()
            download = await waiting.value
            assert download.suggested_filename.startswith("hocso-khoa-hoc-ha-noi-hong-ha-")
            saved = tmp_path / download.suggested_filename
            await download.save_as(saved)
            rows = list(csv.reader(io.StringIO(saved.read_bytes().decode("utf-8-sig"))))
            assert rows[1][:3] == ["Làm quen với Học Số", "4", "1"]
        finally:
            await context.close()


CITY_PHONE = ViewportSize(width=390, height=844)


async def _refreshed(data: Path) -> None:
    """Wait until the server's first refresh of the daily tables is done."""
    engine = create_engine(f"sqlite:///{data / 'hocso.db'}")
    try:
        async with asyncio.timeout(30):
            while True:
                async with engine.connect() as connection:
                    if await refreshed_at(connection):
                        return
                await asyncio.sleep(0.2)
    finally:
        await engine.dispose()


async def _finish_lessons_now(data: Path, done: list[tuple[str, str, str]]) -> None:
    """`done`: (learner's name, course, lesson) finished a moment ago, all answers right."""
    engine = create_engine(f"sqlite:///{data / 'hocso.db'}")
    try:
        async with engine.begin() as connection:
            ids = dict((await connection.execute(
                select(LEARNER.c.display_name, LEARNER.c.id))).all())
            for name, course, lesson in done:
                await connection.execute(insert(RESULT).values(
                    learner_id=ids[name], course_id=course, lesson_id=lesson, best_correct=3,
                    last_correct=3, total=3, attempts=1, completed_at=now(), failures=0,
                    first_correct=3, first_completed_at=now()))
    finally:
        await engine.dispose()


async def _sign_in(page: Page, port: int, login: str) -> None:
    await page.goto(f"http://127.0.0.1:{port}/admin/login")
    await page.get_by_label("Tên đăng nhập").fill(login)
    await page.get_by_label("Mật khẩu").fill(PASSWORD)
    await page.get_by_role("button", name="Đăng nhập").click()


async def test_the_city_page_on_a_phone(tmp_path: Path, chromium: Browser) -> None:
    data = await _seeded(tmp_path)
    port = free_port()
    with running_here(data, port):
        await _refreshed(data)
        # After the refresh, before the next one: the page counts them all the same.
        await _finish_lessons_now(data, [("Chú Sáu", "lam-quen", "hoc-tiep"),
                                         ("Chú Sáu", "lam-quen", "hoi-giup"),
                                         ("Quang", "nguoi-kem", "kem-kien-nhan")])
        context = await chromium.new_context(viewport=CITY_PHONE)
        try:
            page = await context.new_page()
            await _sign_in(page, port, "tinh")
            await expect(page.locator("h1")).to_have_text("Thành phố Hà Nội")
            await page.screenshot(path=tmp_path / "city.png", full_page=True)
            # 126 communes, 124 with nobody yet: those fold into one line.
            height = await page.evaluate("document.scrollingElement.scrollHeight")
            assert height < 4500, height  # 13,071 px when every commune had a row
            parts = page.locator("#khu-vuc tbody th")
            await expect(parts).to_have_text(["Phường Hồng Hà", "Phường Ba Đình"])
            quiet = page.locator("#khu-vuc details")
            await expect(quiet.locator("summary")).to_have_text(
                "124 địa bàn chưa có người học nào")
            soc_son = quiet.get_by_role("link", name="Xã Sóc Sơn")
            await expect(soc_son).to_be_hidden()
            await quiet.locator("summary").click()
            await expect(soc_son).to_be_visible()
            # Wide tables show that they scroll sideways; the page itself does not.
            hint = page.locator("#khu-vuc .scroll-hint")
            await expect(hint).to_have_text("Vuốt sang ngang để xem thêm cột →")
            wide = page.locator("#khu-vuc .scroll")
            assert await wide.evaluate("e => e.scrollWidth > e.clientWidth")
            assert "gradient" in await wide.evaluate(
                "e => getComputedStyle(e).backgroundImage")
            width = await page.evaluate("document.scrollingElement.scrollWidth")
            assert width <= CITY_PHONE["width"], width
            for box in await page.locator(".scroll").all():  # a hint where, only where,
                scrolls = await box.evaluate("e => e.scrollWidth > e.clientWidth")
                said = await box.evaluate(  # the columns run off the screen
                    "e => e.previousElementSibling?.matches('.scroll-hint') ?? false")
                assert scrolls == said
            # The search finds a commune whatever its figures, typed without diacritics.
            await page.get_by_label("Tìm địa bàn theo tên").fill("soc son")
            await page.get_by_role("button", name="Tìm", exact=True).click()
            await expect(parts).to_have_text(["Xã Sóc Sơn"])
            await expect(page.locator("#khu-vuc")).to_contain_text(
                "Có 1 địa bàn có tên giống “soc son”.")

            # Ba Đình: lessons finished since the refresh are in the figures at once,
            # as in the list of its residents.
            await page.get_by_role("link", name="Xem lại mọi địa bàn").click()
            await page.locator("#khu-vuc").get_by_role("link",
                                                       name="Phường Ba Đình").click()
            await expect(page.locator("h1")).to_have_text("Phường Ba Đình")
            done = page.locator(".metric", has_text="Bài học đã xong").locator(".value")
            await expect(done).to_have_text("3")
            # Quang, a volunteer in training, took a lesson of the mentor course: it is
            # counted as his training, not as a resident's course.
            await expect(page.locator("#khoa-hoc tbody th")).to_have_text(
                ["Làm quen với Học Số"])
            training = page.locator("#nguoi-kem tbody tr")
            await expect(training).to_have_text([
                re.compile(r"Đang học khóa cho người kèm\s*1"),
                re.compile(r"Đã tập huấn xong hoặc được duyệt\s*0"),
                re.compile(r"Bài tập huấn đã xong trong kỳ\s*1")])
            await page.screenshot(path=tmp_path / "ward.png", full_page=True)
            await page.get_by_role("link", name="Danh sách người học").click()
            lessons = await page.locator("tbody tr td:nth-child(3)").all_inner_texts()
            assert sum(int(value) for value in lessons) == 3
            await expect(page.locator(".scroll-hint")).to_be_visible()
            assert await page.locator(".scroll").evaluate(
                "e => e.scrollWidth > e.clientWidth")
            await page.screenshot(path=tmp_path / "list.png", full_page=True)
        finally:
            await context.close()
