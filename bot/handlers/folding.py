"""Fold typed text for matching: what a word means, not how it was typed."""

import re
import unicodedata
from collections.abc import Collection

from bot.handlers.context import Context
from bot.listening.words import fold

__all__ = ["PLACE_KINDS", "fold", "place_key", "typed_choice", "typed_number", "typed_words"]

# A typed choice: "2", or words of the language before it ("số 2", "chọn 2", "option 2").
_NUMBER = re.compile(r"^(?:(.+?) )?(\d{1,2})$")
# Leading words of a place name that say what kind of place it is, not which one.
PLACE_KINDS = {"phuong", "xa", "p", "x", "thi", "tran", "dac", "khu"}
# The words that may come before a typed number, one a line, in content/templates/<locale>/.
NUMBER_WORDS = "number_words"
# Words said after an option's number that ask whether it is right ("số 1 đúng không"), one a
# line: where answer options are shown, the number is still the choice.
NUMBER_CHECK_WORDS = "number_check_words"
# Words said to the bot beside a command's word or a choice ("đi", "cháu"), one a line.
ASIDE = "command_aside_words"
# The numbers' names from one, a line each, its other names after commas ("bốn, tư"): after a
# word of NUMBER_WORDS they pick an option too ("cái thứ hai", "số ba").
NUMBER_NAMES = "number_names"


def typed_words(ctx: Context, key: str) -> frozenset[str]:
    """The folded lines of a text that lists typed words, one a line: the learner's language's
    and the Vietnamese ones (Vietnamese words work for everyone)."""
    texts = {ctx.library.templates.get(key, ""), ctx.base.templates.get(key, "")}
    return frozenset(fold(line) for text in texts for line in text.splitlines() if fold(line))


def typed_number(folded: str, words: Collection[str] = ()) -> int | None:
    """The number a folded text picks ("so 2" -> 2, with "so" among `words`), or None when
    it is not one."""
    match = _NUMBER.fullmatch(folded)
    if match is None or (match.group(1) is not None and not _leads(match.group(1), words)):
        return None
    return int(match.group(2))


def _leads(before: str, words: Collection[str]) -> bool:
    """Whether `before` is words of `words` said one after another ("chon so", "chon cau
    so", "cai thu"): each of them may come before a number, and so may they together."""
    tokens = before.split()
    ends = {0}  # where a run of those words may end
    for end in range(1, len(tokens) + 1):
        if any(" ".join(tokens[start:end]) in words for start in ends if start < end):
            ends.add(end)
    return len(tokens) in ends


def _without_check(ctx: Context, folded: str) -> str:
    """`folded` without the words asking whether a choice is right, and those said to the
    bot, after it ("1 dung khong chau" -> "1")."""
    after = typed_words(ctx, NUMBER_CHECK_WORDS) | typed_words(ctx, ASIDE)
    tokens = folded.split()
    cut = True
    while cut and len(tokens) > 1:
        cut = False
        for size in range(min(3, len(tokens) - 1), 0, -1):
            if " ".join(tokens[-size:]) in after:
                del tokens[-size:]
                cut = True
                break
    return " ".join(tokens)


def typed_choice(ctx: Context, folded: str, typed: str = "", options: int = 0) -> int | None:
    """The number of an option a folded text picks: "2", "số 2", "cái thứ hai"; a name alone
    ("hai", "một") only among `options` answer options shown ("ba" elsewhere may be "bà"),
    never one `typed` with other marks ("chọn bà" is no "chọn ba"). Among options, a number
    asked about is chosen too ("cái số 1 đúng ko cháu")."""
    words = typed_words(ctx, NUMBER_WORDS)
    if options:
        folded = _without_check(ctx, folded)
    number = typed_number(folded, words)
    before, _, name = folded.rpartition(" ")
    alone = options if not before else 0
    if number is None and ((before and _leads(before, words)) or alone):
        # The name as typed: its marks, if any, must be the number's own.
        spelt = next((unicodedata.normalize("NFC", word.strip(".,!?;:…").lower())
                      for word in reversed(typed.split()) if fold(word) == name), name)
        for library in (ctx.library, ctx.base):
            for value, line in enumerate(library.templates.get(NUMBER_NAMES, "").splitlines(), 1):
                names = [each.strip().lower() for each in line.split(",")]
                if name in {fold(each) for each in names} and (
                        spelt == fold(spelt) or spelt in names) and (
                        not alone or value <= alone):
                    return value
    return number


def place_key(name: str) -> str:
    """A ward or commune name folded for matching: "Phường Hồng Hà" and "hong ha" agree."""
    words = fold(name).split()
    while len(words) > 1 and words[0] in PLACE_KINDS:
        words = words[1:]
    return " ".join(words)
