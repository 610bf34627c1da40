"""Splitting texts for messengers: every piece fits, none is blank, no word is lost."""

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.channels.text import split_text, units

WORDS = st.sampled_from(["Xin", "chào", "bạn", "🙂", "mã OTP", "\n", "\n\n", " ", "  ", "x" * 40])


@settings(max_examples=300, deadline=None)
@given(st.lists(WORDS, max_size=120).map("".join), st.integers(min_value=2, max_value=90))
def test_pieces_fit_are_never_blank_and_keep_every_word(text: str, limit: int) -> None:
    chunks = split_text(text, limit)
    assert all(units(chunk) <= limit for chunk in chunks)
    if text.strip():
        assert all(chunk.strip() for chunk in chunks)
    assert "".join(chunks).split() == text.split() or "".join("".join(chunks).split()) == "".join(
        text.split())  # a word longer than a message is cut, never dropped


def test_a_long_line_is_cut_at_a_space_not_mid_word() -> None:
    line = " ".join(["dòng"] * 600)  # 2,999 characters, no line break
    chunks = split_text(line, 2000)
    assert len(chunks) == 2 and all(chunk.strip().endswith("dòng") for chunk in chunks)
    assert " ".join(chunks).split() == line.split()
