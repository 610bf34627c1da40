"""How Học Số addresses the learner: asked once after consent, changed with /doi_cach_goi.

In Vietnamese, how you address someone is part of respect: "bác … cháu", "anh … em". The
learner picks the form in one tap and then the name to be called by (their messenger's, or
one they type); every text then says {{ you }}, {{ me }} and {{ polite }} their way.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from bot.handlers import payloads
from bot.handlers.context import Context, Rows
from bot.handlers.menu import show_menu
from bot.handlers.payloads import Payload
from bot.handlers.registry import Command, Feature, Waits
from bot.lessons.render import ADDRESS_FORMS

MAX_NAME = 40
SHORT_LABEL = 8  # characters: three such buttons fit side by side on a 360 px phone
ASKED = "called"  # the state while the name is asked for
KEEP_NAME = "namekeep"  # keep the messenger's name
OTHER_NAME = "nameother"  # type another one


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
    # Short words ("Bác", "Cô") sit three to a row, so that all seven fit on a phone's screen
    # above the fold; longer labels (English explains each form) keep a row each.
    per_row = 3 if all(len(button.label) <= SHORT_LABEL for button in buttons) else 1
    rows: Rows = [buttons[start:start + per_row] for start in range(0, len(buttons), per_row)]
    text = ctx.text("address_ask")
    ctx.say(f"{intro}\n\n{text}" if intro else text, [*rows, ctx.menu_row()])


async def _picked(ctx: Context, action: PickAddress) -> bool:
    ctx.settings["address"] = action.form
    _ask_name(ctx)
    return True


def _messenger_name(ctx: Context) -> str:
    return ctx.incoming.display_name or ctx.turn.learner.display_name


def _ask_name(ctx: Context) -> None:
    """Which name: the messenger's in one tap, or typed (or none)."""
    known = _messenger_name(ctx)
    rows: Rows = [[ctx.button("button_address_keep", KEEP_NAME, name=known)],
                  [ctx.button("button_address_other", OTHER_NAME)]] if known else \
        [[ctx.button("button_skip", payloads.SKIP)]]
    ctx.say(ctx.text("address_ask_name", known=bool(known)), rows)
    ctx.ask(ASKED)


def _other_name(ctx: Context) -> None:
    ctx.say(ctx.text("address_ask_name", known=False), [[ctx.button("button_skip", payloads.SKIP)]])
    ctx.ask(ASKED)


def _keep_name(ctx: Context) -> None:
    _saved(ctx, _messenger_name(ctx))


async def _typed(ctx: Context, text: str, data: Mapping[str, Any]) -> None:
    name = " ".join(text.split())
    if not name or len(name) > MAX_NAME or not any(char.isalpha() for char in name):
        ctx.say(ctx.text("address_bad_name", limit=MAX_NAME),
                [[ctx.button("button_skip", payloads.SKIP)]])
        ctx.ask(ASKED)
        return
    _saved(ctx, name)


async def _skipped(ctx: Context, data: Mapping[str, Any]) -> None:
    _saved(ctx, "")


def _saved(ctx: Context, name: str) -> None:
    """Keep the name (shown to their mentor and organizers too) and go on to the menu."""
    ctx.settings.setdefault("address", "ban")
    ctx.settings["called"] = name
    text = ctx.text("address_saved", name=ctx.called_as)
    if not ctx.display_name:
        text = f"{text}\n{ctx.text('address_no_name')}"
    ctx.say(text)  # the menu joins it: one message
    show_menu(ctx)


FEATURE = Feature(
    commands=(Command("address", ask), Command(KEEP_NAME, _keep_name, answers=True),
              Command(OTHER_NAME, _other_name, answers=True)),
    buttons={PickAddress: _picked},
    waits=(Waits(ASKED, _typed, skip=_skipped),),
    samples={
        **{f"address_{word}_{form}": {} for word in ("you", "me", "polite")
           for form in ADDRESS_FORMS},
        **{f"button_address_{form}": {} for form in ADDRESS_FORMS},
        "address_ask": {}, "address_ask_name": {"known": True},
        "address_bad_name": {"limit": MAX_NAME}, "address_saved": {"name": "Lan"},
        "address_no_name": {}, "button_address_keep": {"name": "Nguyễn Thị Lan"},
        "button_address_other": {},
    },
)
