"""How Học Số addresses the learner: asked once after consent, changed with /doi_cach_goi.

In Vietnamese, how you address someone is part of respect: "bác … cháu", "anh … em". The
learner picks the form in one tap and then the name to be called by (their messenger's, or
one they type); every text then says {{ you }}, {{ me }} and {{ polite }} their way.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from bot.handlers import help, invitations, payloads
from bot.handlers.command_words import ASIDE, lookups
from bot.handlers.context import Context, Rows
from bot.handlers.folding import fold, typed_words
from bot.handlers.menu import has_lesson_to_continue, show_menu
from bot.handlers.payloads import Payload
from bot.handlers.registry import Command, Feature, Reads, Waits
from bot.handlers.typed_buttons import (
    PARTICLES,
    YES_WORDS,
    marks_fit,
    spelling,
    without_particles,
)
from bot.lessons.render import ADDRESS_FORMS
from bot.listening import courtesy
from bot.listening.confusion import is_confused
from bot.listening.names import capitalised, is_doubtful, is_name, is_sentence

MAX_NAME = 40
SHORT_LABEL = 8  # characters: three such buttons fit side by side on a 360 px phone
ASKED = "called"  # the state while the name is asked for
FORM_ASKED = "form"  # the state while the form is asked for ("bà Tư" typed answers both)
KEEP_NAME = "namekeep"  # keep the messenger's name
OTHER_NAME = "nameother"  # type another one
CONFIRM = "nameconfirm"  # the state while "is your name …?" is asked
NAME_YES = "nameyes"  # its "yes"
# Words before a typed name ("tên tôi là"), one a line in content/templates/<locale>/.
LEAD_INS = "name_lead_words"
# Words of address that are given names too ("Anh", "Tuấn Anh"): typed alone, a name.
NAMES_TOO = frozenset({"anh"})
# Words of address typed without marks that are no name ("bac"; "Ba", "Chu" may be).
_PLAIN_FORMS = frozenset({"bac", "chau"})
# First words of an answer that refuses rather than names ("không muốn", "chưa"), as typed:
# "Khổng" is a family name.
_REFUSALS = frozenset({"không", "chưa", "khong", "chua", "ko", "hông", "hổng"})
# Whole answers that put the name off ("để sau"), as typed: not "sau" alone, which is how
# someone called Sáu types their name without marks.
_LATER = frozenset({"để sau", "de sau", "chưa", "chua"})
# Words that go on at a step ("rồi", "xong", "hiểu rồi") and are given names too: "Hiểu".
_NEXT_NAMES = frozenset({"hieu"})
# A name this many words long or shorter holds no word the bot calls itself ("chào cháu").
_SHORT_NAME = 3
# Whole answers that decline to give a name, as the Skip button does ("thôi khỏi", "bí mật"),
# as typed: "khoi" alone is how Khôi types his name without marks.
_DECLINES = frozenset({"thôi", "khỏi", "thôi khỏi", "khỏi đi", "thôi khỏi đi", "khỏi cần",
                       "thôi khỏi cần", "bí mật", "thoi", "thoi khoi", "thoi khoi di", "bi mat"})
# "gọi tôi là bà Sáu": the most name words kept without asking ("Sáu", "Minh Khai").
_CALLED_WORDS = 2


@dataclass(frozen=True)
class PickAddress(Payload):
    """Be addressed as `form` (ADDRESS_FORMS) from now on."""

    prefix = "ad"
    formats: ClassVar[dict[str, str]] = {"form": "|".join(ADDRESS_FORMS)}
    answers = True
    form: str


def should_ask(ctx: Context) -> bool:
    """Whether the learner was never asked (asked once; /doi_cach_goi asks again)."""
    return "address" not in ctx.settings


def ask(ctx: Context, intro: str = "") -> None:
    """The forms of address, one button each."""
    buttons = [ctx.button(f"button_address_{form}", PickAddress(form)) for form in ADDRESS_FORMS]
    # Short words ("Bác", "Cô") sit three to a row, so that all nine fit on a phone's screen
    # above the fold; longer labels (English explains each form) keep a row each.
    per_row = 3 if all(len(button.label) <= SHORT_LABEL for button in buttons) else 1
    rows: Rows = [buttons[start:start + per_row] for start in range(0, len(buttons), per_row)]
    text = ctx.text("address_ask")
    ctx.say(f"{intro}\n\n{text}" if intro else text, [*rows, ctx.menu_row()])
    ctx.ask(FORM_ASKED)


async def _typed_form(ctx: Context, text: str, data: Mapping[str, Any]) -> None:
    """Typed at the form question, other than a form alone (the router presses its button):
    "bà Tư" is a form and a name, a mentor's code is taken as it always is; anything else gets
    the question again, and how to answer."""
    if invitations.normalize(text):
        await invitations.redeem(ctx, text)
        return
    name = bare_name(ctx, text)
    first, _, rest = name.partition(" ")
    # The Vietnamese words name the forms in every language ("bác", "ông").
    forms = {fold(ctx.base.templates[f"address_you_{form}"]): form for form in ADDRESS_FORMS}
    form = forms.get(fold(first))
    if form is None or not rest.strip():
        ask(ctx, ctx.text("address_pick"))
        return
    ctx.settings["address"] = form
    if _not_a_name(ctx, rest):  # "bác không biết": the form, and the name still to ask
        _explain_name(ctx)
        return
    _check_and_save(ctx, name, rest)


def _check_and_save(ctx: Context, name: str, given: str) -> None:
    """Keep `name` ("Lan", or "bà Tư" with its form), whose part the learner gave as a name is
    `given`: a sentence is asked again kindly, a long one typed without capitals is asked
    about first ("Có phải cô tên là …?")."""
    if not _fits(name):  # a link, a phone number: said what a name holds
        _ask_again(ctx)
        return
    if is_sentence(given):
        _explain_name(ctx, sentence=True)
        return
    # Kept whole, as a typed "Cô Hoa" is: said once all the same ("bà Tư", not "bà Bà Tư").
    name = capitalised(name)
    name = name[:1].upper() + name[1:]
    if is_doubtful(given):
        _confirm(ctx, name, given)
    else:
        _saved(ctx, name)


def _confirm(ctx: Context, name: str, given: str) -> None:
    """"Có phải cô tên là …?" about the part given as a name (not "bà Bà Lan"), yes in one
    tap, or type the name again; `name` is kept on a yes."""
    shown = capitalised(given)
    ctx.say(ctx.text("address_confirm_name", name=shown[:1].upper() + shown[1:]),
            [[ctx.button("button_address_yes", NAME_YES)],
             [ctx.button("button_address_other", OTHER_NAME)]])
    ctx.ask(CONFIRM, name=name)


def _confirmed(ctx: Context) -> None:
    asked = ctx.asked
    if asked is None or asked.name != CONFIRM:
        help.stale_button(ctx)
        return
    _saved(ctx, str(asked.data.get("name", "")))


async def _typed_at_confirm(ctx: Context, text: str, data: Mapping[str, Any]) -> None:
    """Typed at "is your name …?": a no asks for the name again; anything else is the name
    typed again (a yes presses the yes button: bot/handlers/typed_buttons.py)."""
    if spelling(text).split()[:1] in (["không"], ["khong"], ["ko"], ["sai"], ["chưa"]):
        _other_name(ctx)
        return
    await _typed(ctx, text, data)


async def _picked(ctx: Context, action: PickAddress) -> bool:
    ctx.settings["address"] = action.form
    _ask_name(ctx)
    return True


def _messenger_name(ctx: Context) -> str:
    return ctx.incoming.display_name or ctx.turn.learner.display_name


def _ask_name(ctx: Context) -> None:
    """Which name: the messenger's in one tap, or typed (or none)."""
    known = _messenger_name(ctx) if is_name(_messenger_name(ctx)) else ""
    rows: Rows = [[ctx.button("button_address_keep", KEEP_NAME, name=known)],
                  [ctx.button("button_address_other", OTHER_NAME)]] if known else \
        [[ctx.button("button_skip", payloads.SKIP)]]
    ctx.say(ctx.text("address_ask_name", known=bool(known)), rows)
    ctx.ask(ASKED)


def _other_name(ctx: Context) -> None:
    ctx.say(ctx.text("address_ask_name", known=False), [[ctx.button("button_skip", payloads.SKIP)]])
    ctx.ask(ASKED)


def _keep_name(ctx: Context) -> None:
    if is_name(_messenger_name(ctx)):
        _saved(ctx, _messenger_name(ctx))
    else:  # offered only when it was a name, but the messenger's name may change since
        _ask_again(ctx)


def bare_name(ctx: Context, text: str) -> str:
    """A typed name without the words said around it: "tên tôi là Lan", "Lan ạ" -> "Lan"."""
    words = without_particles(ctx, text.split())  # "dạ, tên tôi là Lan ạ"
    folded = [fold(word) for word in words]
    for lead in sorted(typed_words(ctx, LEAD_INS), key=len, reverse=True):
        size = len(lead.split())
        if len(words) > size and " ".join(folded[:size]) == lead:
            del words[:size]
            break
    return " ".join(words).strip(" ,.;:!?")


def _fits(name: str) -> bool:
    return len(name) <= MAX_NAME and is_name(name)


def _ask_again(ctx: Context) -> None:
    """What a name holds, and the question again."""
    ctx.say(ctx.text("address_bad_name", limit=MAX_NAME),
            [[ctx.button("button_skip", payloads.SKIP)]])
    ctx.ask(ASKED)


def _not_a_name(ctx: Context, name: str) -> bool:
    """Words that name nobody: a plea ("tôi không hiểu", "ko biết", "???"), a refusal ("không
    muốn"), a yes ("vâng"), a word of address alone ("Bác", "cháu"; not "Anh", a name too),
    agreement that goes on at a step ("rồi", "hiểu rồi", "oki"), thanks ("cảm ơn cháu"), a
    put-off ("để sau"), or a few words said to the bot ("chào cháu", "bác Rồi")."""
    words = fold(name).split()
    # Read with their marks: "Ba" is a name (the third child), "Bà" a form.
    forms = {spelling(ctx.base.templates[f"address_{word}_{form}"]) for form in ADDRESS_FORMS
             for word in ("you", "me")} - NAMES_TOO
    if (not words or is_confused(name) or spelling(name.split()[0]) in _REFUSALS
            or spelling(name) in forms | _PLAIN_FORMS
            or " ".join(words) in typed_words(ctx, YES_WORDS) | typed_words(ctx, PARTICLES)):
        return True
    form = ctx.settings.get("address", "")
    me = {spelling(library.templates.get(f"address_me_{form}", ""))
          for library in (ctx.base, ctx.library)} - {""}
    written = spelling(name).split()
    if len(written) <= _SHORT_NAME and me & set(written):
        return True
    # Said to the bot with its words of address ("bác Rồi"): what is left is read.
    rest = [word for word in name.split() if spelling(word) not in forms]
    return bool(rest) and _said_to_the_bot(ctx, " ".join(rest))


def _said_to_the_bot(ctx: Context, text: str) -> bool:
    """Agreement that goes on at a step, as the router reads the `next` command's words with
    their marks ("rồi", not "rối"), a courtesy ("cảm ơn"), or a put-off ("để sau")."""
    folded = " ".join(fold(text).split())
    _, words, spelt = lookups(ctx)
    if (words.get(folded) == "next" and folded not in _NEXT_NAMES
            and marks_fit(text, spelt.get(folded, frozenset()))):
        return True
    return courtesy.said(text) is not None or spelling(text) in _LATER


def _explain_name(ctx: Context, *, sentence: bool = False) -> None:
    """The name question again, said plainly: the form is kept, the name is what is asked
    (`sentence`: after a sentence typed as the name, which is not lost on the learner)."""
    known = _messenger_name(ctx) if is_name(_messenger_name(ctx)) else ""
    rows: Rows = [[ctx.button("button_address_keep", KEEP_NAME, name=known)]] if known else []
    ctx.say(ctx.text("address_sentence" if sentence else "address_not_a_name",
                     known=bool(known)),
            [*rows, [ctx.button("button_skip", payloads.SKIP)]])
    ctx.ask(ASKED)


async def _typed(ctx: Context, text: str, data: Mapping[str, Any]) -> None:
    name = bare_name(ctx, text)
    if spelling(name) in _DECLINES:  # "thôi khỏi", "bí mật": as the Skip button
        _saved(ctx, "", declined=True)
        return
    # Read whole too: "đã hiểu" without its particle "đã" would be "Hiểu", a name.
    said = text.strip(" ,.;:!?").split()
    while said and fold(said[-1]) in typed_words(ctx, PARTICLES):  # "đã hiểu ạ"
        said.pop()
    if _not_a_name(ctx, name) or _said_to_the_bot(ctx, " ".join(said)):
        _explain_name(ctx)
        return
    _check_and_save(ctx, name, name)


# "gọi tôi là bà Sáu" said at any time: who asks (folded, with the words that may come before:
# "cháu cứ gọi tôi là…", "từ nay gọi tui là…"; after a clause of its own: "ko phải chị đâu,
# gọi tôi là…"), and the word before what to be called.
_CALL_LEAD = frozenset({"chau", "con", "em", "ban", "cu", "hay", "thi", "tu", "nay", "gio",
                        "sau", "vay", "the", "nhe", "a", "da", "oi", "hoc", "so"})
_CALL = frozenset({"gọi", "goi", "kêu", "keu"})  # "kêu tui là dì Năm" in the South
_CALL_ME = frozenset({"tôi", "tui", "tao", "mình", "ta", "toi", "minh", "bà", "ông", "bác",
                      "cô", "chú", "anh", "chị", "em", "ba", "ong", "bac", "co", "chu", "chi"})
_CALL_AS = frozenset({"là", "bằng", "la", "bang"})
# "cứ gọi là bà nội": whom to call left unsaid, after "cứ" only ("cái này gọi là gì" asks).
_JUST = "cu"
# Words that end what to be called, as typed: "… dì Năm được rồi", "… bà nội cho thân".
_CALL_END = frozenset({"được", "duoc", "đc", "dc", "cho", "đi", "luôn", "luon", "rồi", "nghen",
                       "nghe"})
# Kin said after the form, which are no name: "bà nội", "ông ngoại".
_KIN = frozenset({"nội", "ngoại", "noi", "ngoai"})
# Forms Học Số has no texts for, and the form it says instead ("dì Năm" is called "cô Năm").
_FORM_LIKE = {"dì": "co", "di": "co", "mợ": "co", "thím": "co", "o": "co", "cậu": "chu",
              "dượng": "chu"}
_CLAUSE_END = ",.;!?"
# The most words said before the clause that asks ("ko phải chị đâu, gọi tôi là…"): a longer
# text (a message pasted, "…, gọi tôi là cán bộ…") says something else.
_BEFORE_CLAUSE = 6


def _called_words(ctx: Context, text: str) -> list[str] | None:
    """What "gọi tôi là bà Sáu nha cháu" asks to be called ("bà Sáu"), as typed; None when
    the text asks no such thing."""
    words = text.split()
    for at, word in enumerate(words[:-2]):
        if spelling(word) not in _CALL:
            continue
        clause = next((start for start in range(at, 0, -1)
                       if words[start - 1][-1:] in _CLAUSE_END), 0)
        leads = [fold(each) for each in words[clause:at]]
        if clause > _BEFORE_CLAUSE or not all(each in _CALL_LEAD for each in leads):
            return None
        if spelling(words[at + 1]) in _CALL_AS and leads[-1:] == [_JUST]:
            return _what_to_call(ctx, words[at + 2:])
        if len(words) > at + 3 and spelling(words[at + 1]) in _CALL_ME \
                and spelling(words[at + 2]) in _CALL_AS:
            return _what_to_call(ctx, words[at + 3:])
        return None
    return None


def _what_to_call(ctx: Context, words: list[str]) -> list[str]:
    """The words after "gọi tôi là", up to the end of their clause or the words said after
    them ("… bà Sáu nha cháu", "… dì Năm được rồi"); the first is kept whatever it folds to
    ("dì" folds as "đi" does)."""
    said = typed_words(ctx, PARTICLES) | typed_words(ctx, ASIDE)
    kept: list[str] = []
    for word in words:
        bare = word.strip(" ,.;:!?")
        if kept and (spelling(word) in _CALL_END or fold(bare) in said):
            break
        if bare:
            kept.append(bare)
        if word[-1:] in _CLAUSE_END:
            break
    return kept


def _form_of(ctx: Context, called: list[str]) -> tuple[str | None, list[str]]:
    """The form of address the first word names (as typed, marks or none: "co" is "cô"), and
    the words of the name after it, spelt with the form's own marks ("co Ba" -> "cô Ba")."""
    forms = {fold(ctx.base.templates[f"address_you_{form}"]): form for form in ADDRESS_FORMS}
    form = forms.get(fold(called[0])) or _FORM_LIKE.get(spelling(called[0]))
    if form is None:
        return None, called
    rest = [word for word in called[1:] if spelling(word) not in _KIN]
    return form, [ctx.base.templates[f"address_you_{form}"].strip(), *rest]


async def _call_me(ctx: Context, text: str) -> bool:
    """"gọi tôi là bà Sáu" at any time: the form and the name said, or either, kept, and said
    back; the learner stays where they are. What follows the form is kept as a name only when
    it reads as one: "con gọi tôi là mẹ", "… bà Sáu ở xóm Đông" keep no name, and say so."""
    called = _called_words(ctx, text)
    if not called:
        return False
    form, called = _form_of(ctx, called)
    given = " ".join(called[1:] if form else called)
    unclear = bool(given) and (_not_a_name(ctx, given) or is_sentence(given)
                               or not _fits(" ".join(called)))
    if form:
        ctx.settings["address"] = form
    if given and not unclear:
        name = capitalised(" ".join(called))
        name = name[:1].upper() + name[1:]
        if len(given.split()) > _CALLED_WORDS or is_doubtful(given):
            _confirm(ctx, name, given)  # "Có phải bà tên là …?", as at the name question
            return True
        ctx.settings["called"] = name
    learning = has_lesson_to_continue(ctx)
    texts = [ctx.text("address_changed", name=ctx.called_as)] if form or \
        not unclear else []
    if unclear:
        texts.append(ctx.text("address_name_unclear", form=bool(form)))
    if learning:
        texts.append(ctx.text("address_resume"))
        ctx.say("\n".join(texts), [[ctx.button("button_resume", payloads.RESUME)],
                                   ctx.menu_row()])
    else:
        show_menu(ctx, "\n".join(texts))
    return True


async def _skipped(ctx: Context, data: Mapping[str, Any]) -> None:
    _saved(ctx, "")


def _saved(ctx: Context, name: str, *, declined: bool = False) -> None:
    """Keep the name (shown to their mentor and organizers too) and go on to the menu
    (`declined`: none given, said so in words, which is answered kindly)."""
    ctx.settings.setdefault("address", "ban")
    ctx.settings["called"] = name
    text = ctx.text("address_declined" if declined else "address_saved", name=ctx.called_as)
    if not ctx.display_name:
        text = f"{text}\n{ctx.text('address_no_name')}"
    ctx.say(text)  # the menu joins it: one message
    show_menu(ctx)


FEATURE = Feature(
    commands=(Command("address", ask), Command(KEEP_NAME, _keep_name, answers=True),
              Command(OTHER_NAME, _other_name, answers=True),
              Command(NAME_YES, _confirmed, answers=True)),
    buttons={PickAddress: _picked},
    # At the form question any known word ("menu", "tiếp") leaves it: it is asked again later.
    waits=(Waits(ASKED, _typed, skip=_skipped), Waits(FORM_ASKED, _typed_form,
                                                      yields_to_words=True),
           Waits(CONFIRM, _typed_at_confirm)),
    # After the message check (10), before the courtesies (40) and the questions (50).
    reads=Reads(_call_me, order=30),
    samples={
        **{f"address_{word}_{form}": {} for word in ("you", "me", "polite")
           for form in ADDRESS_FORMS},
        **{f"button_address_{form}": {} for form in ADDRESS_FORMS},
        "address_ask": {}, "address_ask_name": {"known": True}, "address_pick": {},
        "address_bad_name": {"limit": MAX_NAME}, "address_saved": {"name": "Lan"},
        "address_not_a_name": {"known": True}, "address_sentence": {"known": True},
        "address_confirm_name": {"name": "Nguyễn Thị Minh Khai"}, "button_address_yes": {},
        "address_changed": {"name": "Sáu"},
        "address_name_unclear": {"form": True}, "address_resume": {},
        "address_no_name": {}, "address_declined": {},
        "button_address_keep": {"name": "Nguyễn Thị Lan"},
        LEAD_INS: {},
        "button_address_other": {},
    },
)
