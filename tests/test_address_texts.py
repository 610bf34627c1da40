"""Every shared message speaks to the learner in their own form: rendered in each of the nine
forms, none says "bạn" or "tôi" for the learner and the bot (in English, none says "bạn")."""

import re

import pytest

from bot.handlers.registry import registry
from bot.lessons.model import Library
from bot.lessons.render import ADDRESS_FORMS, Renderer, address_values

# What the learner says or taps is in their own voice ("📊 Tiến độ của tôi", "Tôi cần giúp
# đỡ"): button labels, and anything quoted (a button named in a sentence, a scam message).
_LEARNERS_VOICE = ("button_", "keyboard_")
# Said to whoever is at the device before any learner is known ("Chào bạn!" on a new page),
# and the learner's own voice: the message box's label, "Không, tôi học tiếp", typed answers
# ("tôi đồng ý"). The page's other words and its notices say no pronoun.
_TO_ANYONE = ("web_hello", "web_your_message", "web_confirm_no")
_QUOTED = re.compile(r'"[^"\n]*"|«[^»]*»|“[^”]*”')
# "bạn" that is not the learner: friends, a young volunteer.
_BAN = re.compile(r"\bbạn\b(?! bè| thanh niên| ấy| thân)", re.IGNORECASE)
_TOI = re.compile(r"\btôi\b", re.IGNORECASE)


def _spoken(library: Library, locale: str) -> list[tuple[str, str, str]]:
    """Each shared message of `locale` in each form, as (key, form, text)."""
    texts = library.in_locale(locale).templates
    renderer = Renderer(texts)
    return [(key, form, renderer.message(key, **{**address_values(texts, form), **values}))
            for key, values in registry().samples.items()
            if not key.startswith((*_LEARNERS_VOICE, *_TO_ANYONE, "address_"))
            and not key.endswith("_words")
            for form in ADDRESS_FORMS if form != "ban"]


@pytest.mark.parametrize("locale", ["vi", "en"])
def test_no_message_calls_the_learner_ban_or_the_bot_toi(library: Library,
                                                          locale: str) -> None:
    wrong = [(key, form, text) for key, form, text in _spoken(library, locale)
             if _BAN.search(_QUOTED.sub("", text)) or _TOI.search(_QUOTED.sub("", text))]
    assert wrong == []


# "Chào Lan!" greets an elder by a bare first name, which is rude: the form goes first
# ("chào ông Lan" is right: a capital, not any letter with a mark, begins a bare name).
_GREETING = re.compile(r"\b(?:[Xx]in )?[Cc]hào(?: mừng)? (?!Học Số)(\w)")


def _bare_greeting(text: str) -> bool:
    return any(match.group(1).isupper() for match in _GREETING.finditer(text))


def test_no_greeting_is_a_bare_name(library: Library) -> None:
    texts = library.templates
    renderer = Renderer(texts)
    spoken = [(key, text) for key, _form, text in _spoken(library, "vi")]
    for course in library.courses:
        for lesson in course.lessons:
            for step in lesson.steps:
                for form in ADDRESS_FORMS:
                    spoken.append((f"{course.id}/{lesson.id}/{step.id}", renderer.course_text(
                        step.text, name="Lan", **address_values(texts, form))))
    greeted = [text for _key, text in spoken if "Lan" in text and "hào" in text]
    assert greeted, "no greeting with a name was rendered: the test reads nothing"
    assert [(key, text) for key, text in spoken if _bare_greeting(text)] == []


# Found by a review: "Dạ, mình nhớ rồi." and "Mình chào em!" to someone called "em" or "bạn",
# where "dạ" and a bot that greets first are the deference owed to elders.
@pytest.mark.parametrize(("key", "values"), [
    ("address_changed", {"name": "Sáu", "instead": ""}),
    ("address_sentence", {"known": False}), ("address_declined", {}),
    ("courtesy_greeting", {"name": "", "part": "sáng", "learning": False})])
def test_da_and_a_greeting_from_the_bot_are_for_polite_forms_only(
        library: Library, key: str, values: dict[str, object]) -> None:
    texts = library.templates
    renderer = Renderer(texts)
    for form in ADDRESS_FORMS:
        address = address_values(texts, form)
        text = renderer.message(key, **{**address, **values})
        polite = bool(address["polite"])
        assert text.startswith("Dạ") == (polite and key != "courtesy_greeting"), (form, text)
        assert text.startswith(f"{address['Me']} chào") == (polite and key == "courtesy_greeting")


def test_the_money_warning_follows_only_a_mentoring_that_happened(library: Library) -> None:
    texts = library.templates
    renderer = Renderer(texts)
    address = address_values(texts, "bac")
    ended = renderer.message("mentor_suspended_note", name="Minh Anh", ended=True, **address)
    asked = renderer.message("mentor_suspended_note", name="Minh Anh", ended=False, **address)
    assert "Nếu người kèm này từng hỏi mượn tiền" in ended and "gọi 156" in ended
    assert "mượn tiền" not in asked and "156" not in asked
