"""Help, and the kind answers to everything the bot cannot use: nothing the learner did is lost."""

from bot.handlers import payloads
from bot.handlers.context import Context
from bot.handlers.menu import show_menu
from bot.handlers.progress import show_current
from bot.handlers.registry import Command, Feature
from bot.lessons.progress import Mode


def show_help(ctx: Context) -> None:
    """Explain how to use the bot (with each command's help line), with the menu."""
    lines = [ctx.course_text(texts.help) for texts in ctx.library.commands.values()
             if texts.help]
    show_menu(ctx, ctx.text("help", commands=lines))


def not_understood(ctx: Context) -> None:
    """Answer text we cannot use: a short hint, then where the learner is (or the menu)."""
    if ctx.position.mode == Mode.MENU:
        show_menu(ctx, ctx.text("not_understood"))
        return
    ctx.say(ctx.text("not_understood"))
    show_current(ctx)


def stale_button(ctx: Context) -> None:
    """Answer an old or made-up button: say so kindly and show the current step again."""
    ctx.say(ctx.text("stale_button", at_menu=ctx.position.mode == Mode.MENU))
    show_current(ctx)


def pick_a_number(ctx: Context, count: int) -> None:
    """Answer a number that matches no button shown."""
    ctx.say(ctx.text("pick_a_number", count=count))


def unsupported(ctx: Context) -> None:
    """Answer a sticker, voice note, photo or file: only text and buttons are read."""
    ctx.say(ctx.text("unsupported"))


def too_long(ctx: Context, limit: int) -> None:
    """Answer a very long message without acting on it."""
    ctx.say(ctx.text("too_long", limit=limit))


def repeat(ctx: Context) -> None:
    """'nhắc lại': say the current step or question again."""
    show_current(ctx) if ctx.position.mode != Mode.MENU else not_understood(ctx)


FEATURE = Feature(
    commands=(Command(payloads.HELP, show_help, escape=True), Command("repeat", repeat)),
    samples={"help": {"commands": ["Gõ /ngon_ngu để đổi ngôn ngữ."]}, "not_understood": {},
             "stale_button": {"at_menu": False}, "pick_a_number": {"count": 3}, "unsupported": {},
             "too_long": {"limit": 500}, "slow_down": {},
             "content_updated_restart": {"lesson": "Bấm nút và gõ số"},
             "content_updated_gone": {}},
)
