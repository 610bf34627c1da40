"""The web chat on an elder's phone (390×844, headless Chromium): asked how to be called, in
one tap, then the name; the lesson greets "bác Hoa", never a bare name."""

from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from tests.test_browser import (
    ELDER_PHONE,
    check_phone_layout,
    last_bot_message,
    live_button,
    phone,
    tap,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")  # the loop of conftest.chromium


async def test_an_elder_picks_bac_types_a_name_and_the_lesson_greets_her_so(
        tmp_path: Path, chromium: Browser, web_chat_server: tuple[Path, str]) -> None:
    _, base = web_chat_server
    async with phone(chromium, ELDER_PHONE) as page:
        await page.goto(f"{base}/")
        await tap(page, "✅ Tôi đồng ý")
        asked = last_bot_message(page)
        await expect(asked).to_contain_text("Dạ, Học Số nên gọi thế nào cho phải phép ạ?")
        labels = await asked.locator(".buttons button").all_text_contents()
        assert labels[:9] == ["1 · Ông", "2 · Bà", "3 · Bác", "4 · Cô", "5 · Chú", "6 · Anh",
                              "7 · Chị", "8 · Em", "9 · Bạn"]
        for form in ("Ông", "Bạn"):  # three to a row: all nine on screen, no scrolling
            await expect(live_button(page, form)).to_be_in_viewport()
        await check_phone_layout(page, ELDER_PHONE)
        await page.screenshot(path=tmp_path / "1-asked-how-to-be-called.png")
        await tap(page, "Bác")
        # The web chat knows no name: she types one, or skips and is told none is shown.
        await expect(last_bot_message(page)).to_contain_text("Cháu gọi bác bằng tên nào ạ?")
        await expect(last_bot_message(page)).to_contain_text("Bỏ qua")
        await page.screenshot(path=tmp_path / "2-asked-the-name.png")
        await page.fill("input", "Bà Hoa")
        await page.keyboard.press("Enter")
        await expect(last_bot_message(page)).to_contain_text("Cháu cảm ơn bác Hoa ạ!")
        await expect(last_bot_message(page)).to_contain_text("Bác muốn làm gì ạ?")
        await tap(page, "📘 Làm quen với Học Số")
        await tap(page, "Bấm nút và gõ số")
        step = last_bot_message(page)
        await expect(step).to_contain_text("Chào bác Hoa ạ! 👋")
        await expect(step).to_contain_text("không phải người thật đang nhắn tin với bác")
        await expect(live_button(page, "Tiếp tục ▶")).to_be_visible()
        await check_phone_layout(page, ELDER_PHONE)
        await page.screenshot(path=tmp_path / "3-lesson-step-as-bac.png")
