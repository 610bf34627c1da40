"""The words that name commands, in the learner's language: read by the router, and by the
questions that must not take a command's word for an answer ("rồi" is no name)."""

from functools import cache

from bot.handlers import typed_buttons
from bot.handlers.channel_words import KEYBOARD
from bot.handlers.context import Context
from bot.handlers.folding import ASIDE, fold
from bot.lessons.model import CommandTexts

# ASIDE: words said to the bot beside a command's word ("đi", "cháu"), one a line, in
# content/templates/<locale>/: left out when reading it, as the particles are.
__all__ = ["ASIDE", "emoji", "lookups"]


@cache
def _lookups(commands: tuple[tuple[str, CommandTexts], ...], keyboard: tuple[tuple[str, str], ...]
             ) -> tuple[dict[str, str], dict[str, str], dict[str, frozenset[str]]]:
    """Slash names and folded words to command names, for one locale's command texts and
    its keyboard's labels (label, command); and each folded word as it is spelt."""
    slash: dict[str, str] = {}
    words: dict[str, str] = {}
    spelt: dict[str, set[str]] = {}
    for name, texts in commands:
        slash.update(dict.fromkeys(texts.slash, name))
    for word, name in [*((word, name) for name, texts in commands for word in texts.words),
                       *keyboard]:
        if words.setdefault(fold(word), name) == name:
            spelt.setdefault(fold(word), set()).add(typed_buttons.spelling(word))
    words.pop("", None)  # an emoji alone ("😀") is no word of any command...
    for word, name in ((word, name) for name, texts in commands for word in texts.words):
        if not fold(word) and words.setdefault(emoji(word), name) == name:
            spelt.setdefault(emoji(word), set()).add("")  # ...unless a command gives it ("👍")
    return slash, words, {key: frozenset(value) for key, value in spelt.items()}


def emoji(text: str) -> str:
    """Emoji as typed, without spaces, variation selectors or skin tones ("👍🏻" is "👍")."""
    return "".join(char for char in text if not char.isspace() and char != "\ufe0f"
                   and not "\U0001f3fb" <= char <= "\U0001f3ff")


def lookups(ctx: Context) -> tuple[dict[str, str], dict[str, str], dict[str, frozenset[str]]]:
    """The learner's language's slash names and words (with the Vietnamese ones), and how
    each word is spelt."""
    keyboard = tuple((library.templates.get(key, ""), name) for library in (ctx.library, ctx.base)
                     for key, name in KEYBOARD.items())
    return _lookups(tuple(ctx.library.commands.items()), keyboard)

