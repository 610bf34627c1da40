"""Kind answers to what a resident says to the tutor as to a person (bot/listening/courtesy.py):
"chào buổi sáng", "cảm ơn cháu", "bác đi ngủ đây", "chữ nhỏ quá", "cháu nói chậm thôi", "cháu
là người thật hay máy". The learner's place stays where it is; the buttons shown before still
work (these answers show none, but the greeting's and the goodbye's way back, and the way to a
real person)."""

from bot.handlers import payloads
from bot.handlers.context import Context
from bot.handlers.menu import has_lesson_to_continue, show_menu
from bot.handlers.questions import who_helps
from bot.handlers.registry import Feature, Reads
from bot.lessons.progress import Mode
from bot.listening.courtesy import Said, part_of_day, said

# The web page has its own "A+" button for the text size; on a messenger, the phone's setting.
WEB = "web"


async def read(ctx: Context, text: str) -> bool:
    """Answer thanks, a goodbye, a plea about the letters' size or the pace; else leave the
    text to the next reader."""
    kind = said(text)
    if kind is None:
        return False
    web = ctx.incoming.channel == WEB
    if kind == Said.GREETING:
        # Greeted back, and offered to go on: the lesson left off, or the menu.
        learning = has_lesson_to_continue(ctx)
        greeting = ctx.text("courtesy_greeting", name=ctx.called_as, part=part_of_day(text),
                            learning=learning)
        if learning:
            ctx.say(greeting, [[ctx.button("button_resume", payloads.RESUME)], ctx.menu_row()])
        else:
            show_menu(ctx, greeting)
    elif kind == Said.BYE:
        # The way back only with somewhere to go back to (the words say "học tiếp" otherwise).
        rows = [[ctx.button("button_resume", payloads.RESUME)]] if has_lesson_to_continue(ctx) \
            else None
        ctx.say(ctx.text("courtesy_bye", web=web, learning=ctx.position.mode != Mode.MENU), rows)
    elif kind == Said.PERSON:
        await _no_person(ctx)
    else:
        ctx.say(ctx.text(f"courtesy_{kind.value}", web=web))
    return True


async def _no_person(ctx: Context) -> None:
    """"Cháu là người thật hay máy?": a computer program, as the welcome says; a real person
    is the mentor (theirs, asked in one tap as after a step explained again, or one to find),
    and the way back to the lesson in progress."""
    mine, _, rows = await who_helps(ctx)
    rows = rows or [[ctx.button("button_find_mentor", payloads.FIND_MENTOR)]]  # in any course
    if has_lesson_to_continue(ctx):
        rows.append([ctx.button("button_resume", payloads.RESUME)])
    ctx.say(ctx.text("courtesy_person", mentor=mine is not None), [*rows, ctx.menu_row()])


FEATURE = Feature(
    # After the message check (10), before the questions in a resident's words (50).
    reads=Reads(read, order=40),
    samples={"courtesy_greeting": {"name": "Lan", "part": "sáng", "learning": True},
             "courtesy_thanks": {"web": False}, "courtesy_bye": {"web": False, "learning": True},
             "courtesy_text_size": {"web": True}, "courtesy_slow": {"web": False},
             "courtesy_person": {"mentor": False}},
)
