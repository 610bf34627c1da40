"""The web chat in a real headless Chromium on a phone-sized screen, driven only by clicks."""

import io
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from playwright.async_api import (
    Browser,
    Locator,
    Page,
    Route,
    ViewportSize,
    async_playwright,
    expect,
)
from sqlalchemy.engine import make_url

from bot.config import PROJECT_ROOT
from bot.lessons.loader import load_library
from bot.lessons.render import Renderer
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS, require
from tests.server import free_port, hocso_here, running_here, serving_here
from tests.tcp_proxy import TcpProxy

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "TIMEOUT_MS"]  # for the other browser tests
# One Chromium for the module (conftest.chromium), so one event loop for its tests.
pytestmark = pytest.mark.asyncio(loop_scope="module")
PHONE = ViewportSize(width=360, height=740)
ELDER_PHONE = ViewportSize(width=390, height=844)  # the phone issue 21 was tried on
MIN_TAP_PX = 44
NEXT = "Tiếp tục ▶"
MENU = "🏠 Về menu"
PROGRESS = "📊 Tiến độ của tôi"
MENU_BUTTONS = (PROGRESS, "❓ Trợ giúp")  # no "Tiếp tục bài đang học": nothing begun yet


def live_button(page: Page, label: str) -> Locator:
    """The newest enabled button with exactly this label after its number ("1 · Tiếp tục"),
    or exactly this label for the page's own buttons (older messages' are disabled)."""
    name = re.compile(rf"^(\d+ · )?{re.escape(label)}$")
    return page.get_by_role("button", name=name, disabled=False).last


async def tap(page: Page, label: str) -> None:
    """Click the newest enabled button with this label."""
    await live_button(page, label).click()


async def agree(page: Page) -> None:
    """Agree to the notice, then be called "bạn", with no name (the web chat has none)."""
    await tap(page, "✅ Tôi đồng ý")
    await tap(page, "Bạn")
    await tap(page, "Bỏ qua")


def last_bot_message(page: Page) -> Locator:
    return page.locator(".bubble.bot").last


async def check_phone_layout(page: Page, viewport: ViewportSize = PHONE) -> None:
    """No sideways scrolling on the phone, and every button is big enough to tap."""
    widths = await page.evaluate(
        """() => ({page: document.scrollingElement.scrollWidth,
                   list: document.getElementById("messages").scrollWidth,
                   listView: document.getElementById("messages").clientWidth})""")
    assert widths["page"] <= viewport["width"], widths
    assert widths["list"] <= widths["listView"], widths
    heights = await page.locator("button:visible").evaluate_all(
        "buttons => buttons.map(b => [b.textContent, b.getBoundingClientRect().height])")
    assert heights
    small = [(label, height) for label, height in heights if height < MIN_TAP_PX]
    assert not small, f"buttons lower than {MIN_TAP_PX} px: {small}"


async def test_first_lesson_by_clicking_on_a_phone(
        tmp_path: Path, chromium: Browser, web_chat_server: tuple[Path, str]) -> None:
    library = load_library(PROJECT_ROOT / "content")
    course = library.course("lam-quen")
    assert course is not None
    read = Renderer(library.templates).course_text  # as a learner called "bạn" reads it
    lesson = course.lessons[0]
    _, base = web_chat_server
    # The browser's own language (no locale given), as a phone that was never set up.
    async with phone(chromium, locale=None) as page:
        await page.goto(f"{base}/")

        # The greeting says plainly that this is an automated tutor, then the menu.
        greeting = page.locator(".bubble.bot").first
        await expect(greeting).to_contain_text("trợ lý học tự động")
        await expect(greeting).to_contain_text("không phải người thật")
        # Nothing is kept before the resident agrees to the notice.
        await expect(last_bot_message(page)).to_contain_text("/xoa_du_lieu")
        await check_phone_layout(page)
        await agree(page)
        for label in (f"📘 {course.title}", *MENU_BUTTONS):
            await expect(live_button(page, label)).to_be_visible()
        await check_phone_layout(page)

        # The first lesson: every step, its inline check, then the quiz.
        await tap(page, f"📘 {course.title}")
        await tap(page, lesson.title)
        feedback = page.locator(".bubble.bot", has_text="✅ Đúng rồi!")
        right = 0  # "right answer" feedbacks so far, checks and quiz questions alike
        for number, step in enumerate(lesson.steps, start=1):
            await expect(last_bot_message(page)).to_contain_text(
                f"Bước {number}/{len(lesson.steps)}")
            if number == 1:
                await check_phone_layout(page)
                await page.screenshot(path=tmp_path / "step.png")
            if step.check is None:
                await tap(page, NEXT)
            else:
                await tap(page, read(step.check.options[step.check.answer - 1]))
                right += 1
                await expect(feedback).to_have_count(right)
        await expect(page.locator(".bubble.bot", has_text=f'"{lesson.title}". 🎉')
                     ).to_have_count(1)
        for number, question in enumerate(lesson.quiz, start=1):
            await expect(last_bot_message(page)).to_contain_text(
                f"Câu {number}/{len(lesson.quiz)}: {read(question.question)}")
            await tap(page, read(question.options[question.answer - 1]))
            right += 1
            await expect(feedback).to_have_count(right)
        total = len(lesson.quiz)
        await expect(page.locator(".bubble.bot", has_text=f"đúng {total}/{total}")
                     ).to_have_count(1)
        await expect(page.locator(".bubble.bot", has_text="❌")).to_have_count(0)
        # Once, after a first lesson: where do you live? It may be skipped.
        await expect(last_bot_message(page)).to_contain_text("xã hoặc phường")
        await tap(page, "Bỏ qua")
        await expect(last_bot_message(page)).to_contain_text("Không sao đâu")
        await check_phone_layout(page)

        # A reload keeps the session: the tutor knows lesson 1 is done.
        session = await page.evaluate("localStorage.getItem('hocso-session')")
        await page.reload()
        await expect(last_bot_message(page)).to_contain_text(course.lessons[1].title)
        assert await page.evaluate("localStorage.getItem('hocso-session')") == session
        await tap(page, MENU)
        await tap(page, PROGRESS)
        card = last_bot_message(page)
        await expect(card).to_contain_text(
            f"{course.title}: đã học 1/{len(course.lessons)} bài")
        await expect(card).to_contain_text(
            re.compile(rf"{re.escape(lesson.title)}: đúng {total}/{total} câu"))
        await check_phone_layout(page)

        screenshot = tmp_path / "progress.png"
        await page.screenshot(path=screenshot)
        assert screenshot.stat().st_size > 0


async def test_a_resident_scans_a_mentors_qr_code_and_accepts(tmp_path: Path) -> None:
    require(CHROMIUM.exists(), "Debian's chromium")
    expect.set_options(timeout=TIMEOUT_MS)
    port = free_port()
    data = tmp_path / "data"
    # The address phones open: a name that this browser, like a phone on the same network,
    # finds at the server (a loopback address is never handed out).
    public = f"http://hocso.test:{port}"
    with running_here(data, port, extra_env={"HOCSO_PUBLIC_URL": public}):
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True,
                args=[*CHROMIUM_ARGS, "--host-resolver-rules=MAP hocso.test 127.0.0.1"])
            try:
                mentor = await (await browser.new_context(viewport=PHONE)).new_page()
                await mentor.goto(f"http://127.0.0.1:{port}/")
                await agree(mentor)
                await expect(last_bot_message(mentor)).to_contain_text("Bạn muốn làm gì")
                session = await mentor.evaluate("localStorage.getItem('hocso-session')")
                approve(data, session)  # an organizer lets this volunteer coach
                for typed, asked in (("/lam_nguoi_kem", "họ và tên"),
                                     ("Trần Minh Anh", "phường, xã nào"),
                                     ("Phường Hồng Hà", "chi đoàn")):
                    await mentor.fill("input", typed)
                    await mentor.keyboard.press("Enter")
                    await expect(last_bot_message(mentor)).to_contain_text(asked)
                await tap(mentor, "Bỏ qua")
                await tap(mentor, "📨 Mời học viên")
                picture = mentor.locator(".bubble.bot img").last
                await expect(picture).to_be_visible()
                source = await picture.get_attribute("src")
                assert source is not None
                png = await (await mentor.request.get(f"http://127.0.0.1:{port}{source}")).body()
                [found] = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
                assert found.text.startswith(f"{public}/?kem=KEM-")
                await check_phone_layout(mentor)

                # The resident's phone opens what the QR code holds.
                resident = await (await browser.new_context(viewport=PHONE)).new_page()
                await resident.goto(found.text)
                await tap(resident, "✅ Tôi đồng ý")  # the invitation comes first
                await expect(resident.locator(".bubble.bot", has_text="muốn kèm bạn")
                             ).to_be_visible()
                await tap(resident, "✅ Đồng ý")
                await expect(last_bot_message(resident)).to_contain_text("sẽ kèm bạn học")
                await check_phone_layout(resident)

                # The mentor hears of it at their next step, in their own page.
                await tap(mentor, "👥 Học viên của tôi")
                await expect(mentor.locator(".bubble.bot", has_text="đã đồng ý để bạn kèm")
                             ).to_be_visible()
                await expect(mentor.locator(".bubble.bot", has_text="Đã học xong 0 bài")
                             ).to_be_visible()
            finally:
                await browser.close()


def approve(data: Path, session: str) -> None:
    """`hocso mentor approve` against the server's database (bot.cli.main in this process:
    tests/test_mentoring.py runs the command as a process)."""
    done = hocso_here(data, "mentor", "approve", "--channel", "web", f"--user={session}",
                      "--by", "test")
    assert done.returncode == 0, done.stderr


@asynccontextmanager
async def phone(browser: Browser, viewport: ViewportSize = PHONE,
                locale: str | None = "vi-VN") -> AsyncIterator[Page]:
    """A phone-sized page in a browser context of its own (its storage, its cookies), in a
    browser set to `locale` (None: Chromium's own)."""
    context = await browser.new_context(viewport=viewport, locale=locale)
    try:
        page = await context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        yield page
    finally:
        await context.close()


@asynccontextmanager
async def phone_at_server(browser: Browser, tmp_path: Path,
                          extra_env: dict[str, str] | None = None,
                          viewport: ViewportSize = PHONE) -> AsyncIterator[tuple[Page, str]]:
    """A phone-sized page, and the address of a `hocso serve` of its own with `extra_env`."""
    port = free_port()
    # Started in a thread: this loop stays free for what the server uses (a TCP proxy).
    async with serving_here(tmp_path / "data", port, extra_env=extra_env), \
            phone(browser, viewport) as page:
        yield page, f"http://127.0.0.1:{port}"


def no_policy_violations(page: Page) -> list[str]:
    """Collect what the browser says against the page's Content-Security-Policy."""
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    return violations


async def session_status(page: Page, base: str, session: str) -> int:
    """What the server answers a message in `session` now."""
    response = await page.request.post(f"{base}/api/chat", data={
        "session": session, "text": "tiến độ"})
    return response.status


async def test_a_link_types_only_a_code_for_the_person(
        chromium: Browser, web_chat_server: tuple[Path, str]) -> None:
    _, base = web_chat_server
    async with phone(chromium) as page:
        await page.goto(f"{base}/?kem=%C4%91%E1%BB%93ng%20%C3%BD")  # "?kem=đồng ý"
        await expect(live_button(page, "✅ Tôi đồng ý")).to_be_visible()
        await expect(page.locator(".bubble.me")).to_have_count(0)  # nobody agreed for them
        assert "kem" not in page.url


async def test_someone_else_at_the_same_computer_starts_afresh(
        tmp_path: Path, chromium: Browser, web_chat_server: tuple[Path, str]) -> None:
    library = load_library(PROJECT_ROOT / "content")
    course = library.course("lam-quen")
    assert course is not None
    _, base = web_chat_server
    async with phone(chromium) as page:
        violations = no_policy_violations(page)
        await page.goto(f"{base}/")
        await agree(page)
        await tap(page, f"📘 {course.title}")
        await tap(page, course.lessons[0].title)
        await expect(last_bot_message(page)).to_contain_text("Bước 1/")
        first = await page.evaluate("localStorage.getItem('hocso-session')")
        await check_phone_layout(page)

        await page.get_by_role("button", name="👤 Người khác dùng máy này").click()
        await expect(page.get_by_text("Phiên học trên máy này sắp kết thúc")).to_be_visible()
        await check_phone_layout(page)
        await page.get_by_role("button", name="Không, tôi học tiếp").click()
        await expect(page.get_by_text("Phiên học trên máy này sắp kết thúc")).to_be_hidden()
        assert await session_status(page, base, first) == 200  # nothing ended

        await page.get_by_role("button", name="👤 Người khác dùng máy này").click()
        await page.get_by_role("button", name="Kết thúc, để người khác dùng").click()
        await expect(page.locator(".bubble", has_text="Bước 1/")).to_have_count(0)
        await expect(last_bot_message(page)).to_contain_text("bắt đầu học")
        assert await page.evaluate("localStorage.length") == 0
        assert await session_status(page, base, first) == 404  # over on the server

        # The next person pastes a strange message: checked before they agree, then asked.
        await page.fill("input", "Vietcombank: tai khoan bi khoa, vao https://vcb-vn.xyz ngay")
        await page.keyboard.press("Enter")
        await expect(page.locator(".bubble", has_text="Rất có thể là lừa đảo")).to_be_visible()
        await agree(page)
        await expect(live_button(page, PROGRESS)).to_be_visible()
        second = await page.evaluate("localStorage.getItem('hocso-session')")
        assert second and second != first
        await page.fill("input", "/du_lieu_cua_toi")
        await page.keyboard.press("Enter")
        data = last_bot_message(page)
        await expect(data).to_contain_text("Tải tệp")
        await expect(data).not_to_contain_text(course.lessons[0].title)
        await page.reload()  # their own session, kept on a device of their own
        assert await page.evaluate("localStorage.getItem('hocso-session')") == second
        assert violations == []


async def test_a_kiosk_keeps_nothing_and_ends_an_idle_session(
        tmp_path: Path, chromium: Browser) -> None:
    async with phone_at_server(chromium, tmp_path, {"HOCSO_WEB_KIOSK": "1",
                                  "HOCSO_WEB_KIOSK_MINUTES": "5"}) as (page, base):
        violations = no_policy_violations(page)
        await page.clock.install()  # the page's timers run on a clock the test moves
        await page.goto(f"{base}/")
        await expect(page.get_by_text("Máy dùng chung")).to_be_visible()
        await agree(page)
        await expect(live_button(page, PROGRESS)).to_be_visible()
        await page.get_by_role("button", name="Chữ to hơn").click()  # for this person only
        assert await page.evaluate("localStorage.length") == 0
        sessions: list[str] = []
        page.on("request", lambda request: sessions.append(
            str((request.post_data_json or {}).get("session", "")))
            if request.url.endswith("/api/chat") else None)
        await tap(page, PROGRESS)
        await expect(last_bot_message(page)).to_contain_text("chưa học xong")
        session = sessions[-1]
        assert await session_status(page, base, session) == 200

        await page.clock.fast_forward("04:00")  # still theirs after four minutes
        await expect(last_bot_message(page)).to_contain_text("chưa học xong")
        await page.clock.fast_forward("01:30")  # then five minutes without a message
        await expect(page.locator(".bubble", has_text="chưa học xong")).to_have_count(0)
        await expect(last_bot_message(page)).to_contain_text("bắt đầu học")
        assert await session_status(page, base, session) == 404
        assert await page.evaluate("localStorage.length") == 0
        await tap(page, "▶️ Bắt đầu")
        await expect(live_button(page, "✅ Tôi đồng ý")).to_be_visible()
        assert sessions[-1] != session
        await check_phone_layout(page)
        assert violations == []


async def test_with_the_database_cut_off_the_page_asks_to_try_again_later(
        tmp_path: Path, postgres_database: str, chromium: Browser) -> None:
    url = make_url(postgres_database)
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    await proxy.start()
    database = url.set(port=proxy.port).render_as_string(hide_password=False)
    try:
        async with phone_at_server(chromium, tmp_path, {"DATABASE_URL": database}) as (page, base):
            await page.goto(f"{base}/")
            await agree(page)
            await expect(live_button(page, PROGRESS)).to_be_visible()
            await proxy.cut()
            await tap(page, PROGRESS)
            await expect(page.locator(".notice")).to_contain_text(
                "Xin chờ ít phút rồi thử lại")
            await expect(live_button(page, PROGRESS)).to_be_enabled()  # to try again
            await proxy.restore()
            await tap(page, PROGRESS)
            await expect(last_bot_message(page)).to_contain_text("chưa học xong")
    finally:
        await proxy.close()


async def test_a_flood_of_taps_leaves_live_buttons_and_the_next_tap_after_a_pause_is_heard(
        tmp_path: Path, chromium: Browser) -> None:
    # Four messages at once and almost no refill: the limit is reached within a few taps.
    limits = {"HOCSO_USER_BURST": "4", "HOCSO_USER_MESSAGES_PER_MINUTE": "1"}
    async with phone_at_server(chromium, tmp_path, limits, ELDER_PHONE) as (page, base):
        await page.goto(f"{base}/")
        await agree(page)
        slow = page.locator(".bubble.bot", has_text="nhắn nhanh quá")
        live = page.locator(".buttons").last.locator("button:enabled")
        for _ in range(12):  # greeting and consent were two; three more for nervous taps
            answers = await page.locator(".bubble.bot").count()
            await live.first.click()
            await expect(page.locator(".bubble.bot").nth(answers)).to_be_visible()
            # The page is free again once the whole reply is shown: only then is it read (a
            # loaded machine once showed a reply's first bubble, and the next tap came early).
            await expect(live.first).to_be_enabled()
            if await slow.count():
                break
        await expect(slow).to_have_count(1)
        box = slow.locator(".buttons button")
        await expect(box.first).to_be_enabled()  # the slow-down answer keeps the buttons
        await page.screenshot(path=tmp_path / "slow-down.png")
        bubbles = await page.locator(".bubble").count()
        await box.first.click()  # refused without a word: the button comes back to life
        await expect(box.first).to_be_enabled()
        await expect(box.first).not_to_have_class(re.compile("chosen"))
        assert await page.locator(".bubble").count() == bubbles + 1  # only the tap's echo
        await page.wait_for_timeout(3500)  # the pause the answer asked for
        answers = await page.locator(".bubble.bot").count()
        await box.first.click()
        await expect(page.locator(".bubble.bot").nth(answers)).to_be_visible()
        await expect(last_bot_message(page)).not_to_contain_text("nhắn nhanh quá")
        await page.screenshot(path=tmp_path / "after-pause.png")


async def test_a_flood_of_typed_messages_leaves_none_without_an_answer(
        tmp_path: Path, chromium: Browser) -> None:
    """Found by a try-out: after the one "nhắn nhanh quá", more texts got no answer at all, and
    the page left the resident's bubble alone. The Tutor still says nothing more to a flood
    (a messenger must not be flooded back); the page says it has not read the message."""
    limits = {"HOCSO_USER_BURST": "4", "HOCSO_USER_MESSAGES_PER_MINUTE": "1"}
    async with phone_at_server(chromium, tmp_path, limits, ELDER_PHONE) as (page, base):
        await page.goto(f"{base}/")
        await agree(page)
        slow = page.locator(".bubble.bot", has_text="nhắn nhanh quá")
        unread = page.locator(".notice", has_text="chưa kịp đọc tin vừa rồi")
        answers = page.locator(".bubble.bot, .notice")
        live = page.locator(".buttons").last.locator("button:enabled")
        for _ in range(12):
            before = await answers.count()
            await page.fill("#text", "máy giặt nhà tôi kêu to quá")
            await page.keyboard.press("Enter")
            # Each message gets an answer of the bot's or, once not read, the page's word.
            await expect(answers.nth(before)).to_be_visible()
            await expect(live.first).to_be_enabled()  # the page is free again
            if await slow.count():
                break
        await expect(slow).to_have_count(1)
        bots = await page.locator(".bubble.bot").count()
        await page.fill("#text", "sao không trả lời")
        await page.keyboard.press("Enter")
        await expect(unread).to_have_count(1)  # not acted on, and said so on the page
        assert await page.locator(".bubble.bot").count() == bots
        await page.screenshot(path=tmp_path / "not-read.png")


async def test_buttons_carry_the_number_that_typing_picks(
        tmp_path: Path, chromium: Browser, web_chat_server: tuple[Path, str]) -> None:
    _, base = web_chat_server
    async with phone(chromium, ELDER_PHONE) as page:
        await page.goto(f"{base}/")
        await agree(page)
        await expect(live_button(page, PROGRESS)).to_be_visible()
        labels = await page.locator(".buttons").last.locator("button").all_text_contents()
        assert [label.split(" · ", 1)[0] for label in labels] == [
            str(number) for number in range(1, len(labels) + 1)]
        await page.screenshot(path=tmp_path / "numbered.png")
        number = next(label.split(" · ", 1)[0] for label in labels
                      if label.endswith(PROGRESS))
        await page.fill("input", number)  # typing the number does what tapping does
        await page.keyboard.press("Enter")
        await expect(last_bot_message(page)).to_contain_text("chưa học xong")
        await page.fill("input", "menu")
        await page.keyboard.press("Enter")
        await tap(page, PROGRESS)
        await expect(page.locator(".bubble.bot", has_text="chưa học xong")).to_have_count(2)
        # The learner's own bubble says what they chose, without the number.
        await expect(page.locator(".bubble.me").last).to_have_text(PROGRESS)
        await check_phone_layout(page, ELDER_PHONE)


async def test_a_step_with_a_picture_is_read_from_its_top_and_the_picture_opens_full_screen(
        tmp_path: Path, chromium: Browser, web_chat_server: tuple[Path, str]) -> None:
    library = load_library(PROJECT_ROOT / "content")
    course = library.course("lam-quen")
    assert course is not None
    _, base = web_chat_server
    async with phone(chromium, ELDER_PHONE) as page:
        violations = no_policy_violations(page)
        held: list[Route] = []  # pictures wait until the test lets them load
        await page.route("**/media/**", lambda route: held.append(route))
        await page.goto(f"{base}/")
        await agree(page)
        await tap(page, f"📘 {course.title}")
        await tap(page, course.lessons[0].title)
        await tap(page, NEXT)
        step = last_bot_message(page)
        await expect(step).to_contain_text("Bước 2/")
        picture = step.locator("img")
        await expect(picture).to_have_count(1)
        # Before it loads, the picture already takes its place (width and height are known).
        assert await picture.get_attribute("width") and await picture.get_attribute("height")
        box = await picture.bounding_box()
        assert box is not None and box["height"] > 100, box
        # The top of the newest answer is in view, not only its bottom.
        view = await page.locator("#messages").bounding_box()
        top = await step.bounding_box()
        assert view is not None and top is not None
        assert view["y"] <= top["y"] < view["y"] + view["height"], (view, top)
        assert top["y"] + top["height"] > view["y"] + view["height"]  # a long answer
        for route in held:
            await route.continue_()
        await page.unroute("**/media/**")
        await expect(picture).to_have_js_property("complete", True)
        after = await step.bounding_box()
        assert after is not None and abs(after["y"] - top["y"]) < 1  # nothing jumped
        await page.screenshot(path=tmp_path / "step-with-picture.png")

        await picture.click()  # full screen, over everything
        viewer = page.locator("#viewer")
        await expect(viewer).to_be_visible()
        shown = await page.locator("#viewer-image").bounding_box()
        assert shown is not None and shown["width"] >= ELDER_PHONE["width"] - 1, shown
        assert await viewer.evaluate("v => getComputedStyle(v).touchAction") in (
            "manipulation", "auto")  # the browser's pinch-zoom is left alone
        await page.screenshot(path=tmp_path / "picture-full-screen.png")
        await page.locator("#viewer-image").click()  # twice as big, to be scrolled around
        zoomed = await page.locator("#viewer-image").bounding_box()
        assert zoomed is not None and zoomed["width"] >= 2 * shown["width"] - 2, zoomed
        await page.get_by_role("button", name="✕ Đóng").click()
        await expect(viewer).to_be_hidden()
        await picture.focus()  # with a keyboard: Enter opens it, Escape closes it
        await page.keyboard.press("Enter")
        await expect(viewer).to_be_visible()
        await page.keyboard.press("Escape")
        await expect(viewer).to_be_hidden()
        await expect(live_button(page, NEXT)).to_be_visible()
        assert violations == []


async def chat_text_px(page: Page) -> float:
    return float((await last_bot_message(page).evaluate(
        "b => getComputedStyle(b).fontSize")).removesuffix("px"))


async def test_the_text_size_is_kept_on_the_device_and_the_page_can_go_on_the_home_screen(
        tmp_path: Path, chromium: Browser, web_chat_server: tuple[Path, str]) -> None:
    _, base = web_chat_server
    async with phone(chromium, ELDER_PHONE) as page:
        violations = no_policy_violations(page)
        await page.goto(f"{base}/")
        await agree(page)
        usual = await chat_text_px(page)
        await page.get_by_role("button", name="Chữ to hơn").click()
        await page.get_by_role("button", name="Chữ to hơn").click()
        bigger = await chat_text_px(page)
        assert bigger > usual
        await check_phone_layout(page, ELDER_PHONE)
        await page.screenshot(path=tmp_path / "larger-text.png")
        await page.reload()  # remembered on this phone
        await expect(page.locator(".buttons button:enabled").first).to_be_visible()
        assert await chat_text_px(page) == bigger
        for _ in range(5):
            if await page.get_by_role("button", name="Chữ nhỏ hơn").is_disabled():
                break
            await page.get_by_role("button", name="Chữ nhỏ hơn").click()
        assert await chat_text_px(page) < usual

        # A favicon, and a manifest whose icons are served, for "Add to home screen".
        icons = await page.locator("link[rel=icon]").evaluate_all("l => l.map(x => x.href)")
        manifest_url = await page.locator("link[rel=manifest]").get_attribute("href")
        assert icons and manifest_url
        manifest = await (await page.request.get(f"{base}{manifest_url}")).json()
        assert manifest["short_name"] == "Học Số" and manifest["start_url"] == "/"
        for href in icons + [f"{base}{icon['src']}" for icon in manifest["icons"]]:
            assert (await page.request.get(href)).status == 200, href
        assert any(icon["sizes"] == "512x512" for icon in manifest["icons"])
        assert violations == []
    # Served at 127.0.0.1 without HOCSO_PUBLIC_URL: the log says once what to set.
    log = (web_chat_server[0] / "server.log").read_text()
    assert log.count("Set HOCSO_PUBLIC_URL") == 1, log


async def test_a_text_longer_than_the_tutor_reads_is_answered_as_too_long(
        tmp_path: Path, chromium: Browser, web_chat_server: tuple[Path, str]) -> None:
    _, base = web_chat_server
    async with phone(chromium, ELDER_PHONE) as page:
        await page.goto(f"{base}/")
        await agree(page)
        await expect(live_button(page, PROGRESS)).to_be_visible()  # the page is free again
        await page.fill("input", "Tôi muốn hỏi thêm. " * 270)  # about 5,000 characters
        await page.keyboard.press("Enter")
        await expect(last_bot_message(page)).to_contain_text("dài quá")
        # It asks to choose from the message above: those buttons work again.
        await tap(page, PROGRESS)
        await expect(last_bot_message(page)).to_contain_text("chưa học xong")


async def test_the_page_speaks_the_language_the_learner_chose(
        tmp_path: Path, chromium: Browser, web_chat_server: tuple[Path, str]) -> None:
    """A browser set to English is offered English; once chosen, the page's own words (its
    buttons, the box, the notices) are English too, kept across a reload, and Vietnamese
    again after /ngon_ngu."""
    _, base = web_chat_server
    async with phone(chromium, locale="en-US") as page:
        violations = no_policy_violations(page)
        await page.goto(f"{base}/")
        await expect(page.locator("#send")).to_have_text("Gửi")
        await tap(page, "🌐 English")  # the browser's language, offered with the notice
        await expect(last_bot_message(page)).to_contain_text("Do you agree")
        await expect(page.locator("#send")).to_have_text("Send")
        await expect(page.locator("#text")).to_have_attribute(
            "placeholder", "Type a message or a number…")
        assert await page.evaluate("document.documentElement.lang") == "en"
        await tap(page, "✅ I agree")
        await tap(page, "Bạn (a friend, any age)")
        await tap(page, "Skip")
        await page.reload()
        await expect(page.locator("#photo-button")).to_have_text("📷 Send a photo of a message")
        await page.get_by_role("button", name="👤 Someone else will use this device").click()
        await expect(page.get_by_text("You are about to end your session")).to_be_visible()
        await page.get_by_role("button", name="No, I will keep learning").click()
        await page.fill("input", "/language")
        await page.keyboard.press("Enter")
        await tap(page, "🌐 Tiếng Việt")
        await expect(page.locator("#send")).to_have_text("Gửi")
        await expect(page.locator("#new-person")).to_have_text("👤 Người khác dùng máy này")
        assert await page.evaluate("document.documentElement.lang") == "vi"
        assert violations == []
