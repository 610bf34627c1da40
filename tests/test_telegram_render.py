"""Telegram rendering without the network: splitting long texts and building keyboards."""

import pytest
from telegram import InlineKeyboardMarkup, ReplyKeyboardMarkup

from bot.channels.telegram_send import MAX_TEXT, inline_keyboard, menu_keyboard
from bot.channels.text import split_text
from bot.handlers.command_words import _lookups
from bot.handlers.folding import fold
from bot.lessons.model import Library
from bot.lessons.render import Renderer
from bot.messages import Button, Outgoing


def test_short_text_is_one_message() -> None:
    assert split_text("Xin chào", MAX_TEXT) == ["Xin chào"]
    assert split_text("", MAX_TEXT) == [""]


def test_long_text_splits_at_paragraphs() -> None:
    paragraphs = [f"Đoạn {n}: " + "chữ " * 300 for n in range(8)]
    chunks = split_text("\n\n".join(paragraphs), MAX_TEXT)
    assert all(len(chunk) <= MAX_TEXT for chunk in chunks)
    assert "\n\n".join(chunks) == "\n\n".join(paragraphs)
    assert all(chunk.startswith("Đoạn") for chunk in chunks)


def test_a_giant_paragraph_is_cut_at_lines_then_anywhere() -> None:
    lines = "\n".join("dòng " * 50 for _ in range(60))
    chunks = split_text(lines, MAX_TEXT)
    assert len(chunks) > 1 and all(len(chunk) <= MAX_TEXT for chunk in chunks)
    assert "".join(chunks).replace("\n", "") == lines.replace("\n", "")
    solid = "x" * 10_000
    assert [len(chunk) for chunk in split_text(solid, MAX_TEXT)] == [4096, 4096, 1808]


def test_buttons_become_a_numbered_inline_keyboard_with_the_same_payloads() -> None:
    rows = ((Button("Tiếp tục ▶", "n:3"),),
            (Button("🔁 Nhắc lại", "r:3"), Button("🏠 Về menu", "menu")))
    reply = Outgoing(text="?", buttons=rows)
    keyboard = InlineKeyboardMarkup.de_json(inline_keyboard(reply), None)  # valid Bot API
    assert keyboard is not None
    rendered = [[(b.text, b.callback_data) for b in row] for row in keyboard.inline_keyboard]
    assert rendered == [[("1 · Tiếp tục ▶", "n:3")],
                        [("2 · 🔁 Nhắc lại", "r:3"), ("3 · 🏠 Về menu", "menu")]]
    assert inline_keyboard(Outgoing(text="no buttons")) is None


@pytest.mark.parametrize(("locale", "expected"), [
    ("vi", ["📚 Bài học", "▶️ Tiếp tục", "📊 Tiến độ", "❓ Trợ giúp"]),
    ("en", ["📚 Lessons", "▶️ Continue", "📊 Progress", "❓ Help"])])
def test_the_persistent_keyboard_speaks_words_the_tutor_knows(
        library: Library, locale: str, expected: list[str]) -> None:
    library = library.in_locale(locale)
    layout = menu_keyboard(Renderer(library.templates).message)
    keyboard = ReplyKeyboardMarkup.de_json(layout, None)  # valid Bot API
    assert keyboard is not None and keyboard.is_persistent and keyboard.resize_keyboard
    labels = [button["text"] for row in layout["keyboard"] for button in row]
    assert labels == expected
    _, words, _ = _lookups(tuple(library.commands.items()), ())  # listed in the texts too
    assert all(fold(label) in words for label in labels)
