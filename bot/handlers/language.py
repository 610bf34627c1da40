"""The learner's language: /ngon_ngu lists the languages the content speaks; a tap keeps one."""

from dataclasses import dataclass
from typing import ClassVar

from bot.handlers.context import Context
from bot.handlers.menu import show_menu
from bot.handlers.payloads import Payload
from bot.handlers.registry import Command, Feature


@dataclass(frozen=True)
class PickLanguage(Payload):
    """Read Học Số in `locale` from now on."""

    prefix = "lg"
    formats: ClassVar[dict[str, str]] = {"locale": r"[a-z]{2,3}(?:-[a-z0-9]{2,8})?"}
    locale: str


def suggested(ctx: Context) -> str | None:
    """The language the person's messenger app uses, when the content speaks it and the
    learner reads another one now."""
    # The app's or browser's language ("en", "en-US", "hmn"): a hint, never a choice. Its
    # first part names the language, two letters or three (H'Mông is "hmn").
    hint = ctx.incoming.language.split("-")[0].split("_")[0].lower()
    return hint if hint in ctx.base.locales and hint != ctx.locale else None


def choose(ctx: Context) -> None:
    """List every language, each button labelled in its own language."""
    rows = [[ctx.button("button_language", PickLanguage(locale),
                        name=ctx.renderers[locale].message("language_name"))]
            for locale in ctx.base.locales]
    ctx.say(ctx.text("language_choose"), [*rows, ctx.menu_row()])


async def picked(ctx: Context, action: PickLanguage) -> bool:
    """Keep the language (False for one the content does not speak) and say so in it."""
    if action.locale not in ctx.base.locales:
        return False
    ctx.locale = action.locale
    show_menu(ctx, ctx.text("language_set"))
    return True


FEATURE = Feature(
    commands=(Command("lang", choose),),
    buttons={PickLanguage: picked},
    samples={"language_name": {}, "language_choose": {}, "language_set": {},
             "button_language": {"name": "English"}},
)
