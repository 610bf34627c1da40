"""The dashboard in a real headless Chromium on a phone: sign in, overview, drill down, a CSV."""

import csv
import io
from pathlib import Path

from playwright.async_api import async_playwright, expect

from tests.conftest import require
from tests.report_seed import seed_file
from tests.server import free_port, hocso, running_server
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, PHONE, TIMEOUT_MS

PASSWORD = "mat-khau-that-dai"


async def test_sign_in_drill_down_and_download_a_csv(tmp_path: Path) -> None:
    require(CHROMIUM.exists(), "Debian's chromium")
    data = tmp_path / "data"
    data.mkdir()
    await seed_file(data)
    added = hocso(data, "admin", "add", "--login", "tinh", "--name", "Tỉnh đoàn Hà Nội",
                  "--area", "ha-noi", "--password-stdin", stdin=PASSWORD)
    assert added.returncode == 0, added.stderr
    expect.set_options(timeout=TIMEOUT_MS)
    port = free_port()
    with running_server(data, port):  # its first report refresh runs as it starts
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=str(CHROMIUM),
                                                       args=CHROMIUM_ARGS)
            try:
                context = await browser.new_context(viewport=PHONE, accept_downloads=True)
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

                async with page.expect_download() as waiting:
                    await page.locator("#khoa-hoc").get_by_role("link", name="CSV").click()
                download = await waiting.value
                assert download.suggested_filename.startswith("hocso-khoa-hoc-ha-noi-hong-ha-")
                saved = tmp_path / download.suggested_filename
                await download.save_as(saved)
                rows = list(csv.reader(io.StringIO(saved.read_bytes().decode("utf-8-sig"))))
                assert rows[1][:3] == ["Làm quen với Học Số", "4", "1"]
                await context.close()
            finally:
                await browser.close()
