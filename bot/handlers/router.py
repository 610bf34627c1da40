"""Turn one Incoming into a handler call: commands, typed words and digits, button payloads.

The router looks commands, payloads, waited-for answers and readers up in the registry
(bot/handlers/registry.py), and words in the learner's language. It names features only at
the fixed doors: link codes, consent, /start (welcome, invitation, form of address) and
photos.
"""

from bot.handlers import (
    address,
    consent,
    help,
    invitations,
    linking,
    menu,
    message_check,
    payloads,
    progress,
    quiz,
    typed_buttons,
)
from bot.handlers.command_words import ASIDE, emoji, lookups
from bot.handlers.context import Context
from bot.handlers.folding import fold, typed_choice, typed_words
from bot.handlers.payloads import Choose
from bot.handlers.registry import Command, Feature, registry
from bot.lessons.progress import Mode
from bot.messages import MAX_PAYLOAD_BYTES, MAX_TEXT_CHARS, Kind


def _command_word(ctx: Context, stripped: str, folded: str) -> str | None:
    """The command a typed word names: folded ("tiep" is "tiếp"), but typed with marks, only
    with marks that fit ("rối" is no "rồi": a lost resident saying so is not going on); said
    with particles and words to the bot beside it ("ok ạ", "tiếp đi cháu", "dạ vâng"), except
    a greeting ("chào cháu" is small talk, not /start)."""
    name = _word_as_typed(ctx, stripped, folded)
    if name is not None:
        return name
    beside = typed_words(ctx, ASIDE)
    kept = typed_buttons.without_particles(ctx, stripped.split(), beside)
    if len(kept) == len(stripped.split()):
        return None
    name = _word_as_typed(ctx, " ".join(kept), fold(" ".join(kept)))
    return name if name != payloads.START else None


def _word_as_typed(ctx: Context, stripped: str, folded: str) -> str | None:
    _, words, spelt = lookups(ctx)
    name = words.get(folded or emoji(stripped))
    if name is None or typed_buttons.marks_fit(stripped, spelt.get(folded, frozenset())):
        return name
    return None


async def route(ctx: Context) -> None:
    """Handle the turn's Incoming."""
    incoming = ctx.incoming
    code = invitations.normalize(incoming.text) if incoming.kind != Kind.BUTTON else None
    # Typed, or opened from the kiosk's QR code (Telegram's /start <code>, the web's ?kem=).
    link = linking.normalize(incoming.text) if incoming.kind in (Kind.TEXT, Kind.START) and not (
        incoming.forwarded) else None
    if link:  # another app's link code: in any state, and before consent (given there)
        await linking.redeem(ctx, link)
    elif not ctx.turn.learner.consented:
        await consent.handle(ctx, code)
    elif incoming.kind == Kind.START or (ctx.turn.learner.is_new and incoming.kind != Kind.BUTTON):
        if code:  # a mentor's invitation, by deep link or typed as the first message
            if ctx.turn.learner.is_new:
                menu.welcome(ctx)
            await invitations.redeem(ctx, code)
        elif address.should_ask(ctx):  # back, and never asked how to be called
            # The forms of address follow, not the menu: no button to name.
            address.ask(ctx, ctx.text("welcome_back", name=ctx.called_as, resume=False,
                                      menu=False))
        else:
            menu.welcome(ctx)
    elif incoming.kind == Kind.UNSUPPORTED:
        help.unsupported(ctx)
    elif incoming.kind == Kind.PHOTO:  # any photo: most likely a screenshot of a message
        await message_check.photo(ctx)
    elif incoming.kind == Kind.BUTTON:
        await on_payload(ctx, incoming.payload)
    else:
        await on_text(ctx, incoming.text)


async def on_text(ctx: Context, text: str) -> None:
    """Understand typed text: a command, a known word, an awaited answer, or the number of a
    shown button."""
    if len(text) > MAX_TEXT_CHARS:
        # A long pasted or forwarded message is checked all the same (its first part if cut).
        if not await message_check.read_long(ctx, text):
            help.too_long(ctx, MAX_TEXT_CHARS)
        return
    stripped = text.strip()
    if ctx.incoming.forwarded:  # someone else's words, passed on: never a command
        await read(ctx, stripped)
        return
    slash = lookups(ctx)[0]
    if stripped.startswith("/"):
        command = stripped[1:].split(maxsplit=1)[0].split("@")[0].lower() if stripped[1:] else ""
        await on_payload(ctx, slash.get(command, "?"), from_text=True)
        return
    folded = fold(stripped)
    # "2 ạ", "dạ số 2 nhé": the particles around a number are no part of it.
    shown = ctx.turn.learner.shown_buttons
    # In a quiz or at a check question, "hai" alone is the second answer, as "2" is.
    options = sum(Choose.unpack(payload) is not None for payload in shown)
    number = typed_choice(ctx, typed_buttons.trimmed(ctx, folded), stripped, options)
    # A shown button's label typed whole ("bác", "Đồng ý ạ"), or a yes to the one that says
    # yes, is pressing it (bot/handlers/typed_buttons.py), as its number is.
    named = typed_buttons.named(ctx, folded) if number is None else None
    meant = _command_word(ctx, stripped, folded)
    picks_a_button = (number is not None and 1 <= number <= len(shown)) or named is not None
    # "làm lại bài kiểm tra (cài vneid)" once its button is gone: at any question, too.
    retake = await quiz.typed_retake(ctx, typed_buttons.trimmed(ctx, folded)) if not (
        picks_a_button or meant) else None
    asked = ctx.asked
    waits = registry().waits.get(asked.name) if asked else None
    if waits is not None and asked is not None and not picks_a_button and retake is None:
        meaning = registry().commands.get(meant or "")
        # A place question gives way to any known word ("tiếp" is nobody's ward); the others
        # only to the words that leave a question ("menu" is nobody's name).
        escapes = meaning is not None and (
            (waits.yields_to_words and meaning.name not in waits.keeps) or meaning.escape)
        if not escapes:
            await waits.typed(ctx, stripped, asked.data)  # "12" may be a ward, "2" a note
            return
    if number is not None:
        if not shown:
            help.not_understood(ctx)
        elif 1 <= number <= len(shown):
            await on_payload(ctx, shown[number - 1])
        else:
            help.pick_a_number(ctx, len(shown))
        return
    if named is not None:
        await on_payload(ctx, shown[named])
        return
    if meant is not None:
        await on_payload(ctx, meant)
        return
    if retake is not None:
        await on_payload(ctx, retake.pack())
        return
    likeness = typed_buttons.likeness(ctx, folded)
    slipped = _slipped_command(ctx) if likeness.index is None else None
    if likeness.index is not None:  # clearly one label, typed with slips or in part
        await on_payload(ctx, shown[likeness.index])
    elif slipped is not None:  # a command's word with a slip: "tếp", "mneu"
        await on_payload(ctx, slipped)
    elif likeness.near and ctx.position.mode == Mode.QUIZ:  # like an option, but which?
        quiz.pick_an_answer(ctx)
    elif invitations.normalize(stripped):
        await invitations.redeem(ctx, stripped)
    else:
        await read(ctx, stripped)


def _slipped_command(ctx: Context) -> str | None:
    """The one command whose word the learner typed with a slip (typed_buttons.slips)."""
    _, words, spelt = lookups(ctx)
    named = [(spelling, name) for key, name in words.items() for spelling in spelt[key]]
    meant = {named[index][1] for index in typed_buttons.slips(ctx, [word for word, _ in named])}
    return meant.pop() if len(meant) == 1 else None


async def read(ctx: Context, text: str) -> None:
    """The learner's own words: the first reader that answers them (registry.Reads). At a
    question with answer options, the question follows the reply, its options the last
    buttons again: "cái số 1 đúng ko cháu", answered as a question, left none to press."""
    at = ctx.position
    options = _has_options(ctx.turn.learner.shown_buttons)
    for reader in registry().readers:
        if await reader(ctx, text):
            break
    else:
        help.not_understood(ctx)
    if options and ctx.position == at and not any(
            _has_options(tuple(button.payload for button in reply.flat_buttons()))
            for reply in ctx.replies):
        progress.show_current(ctx)


def _has_options(shown: tuple[str, ...]) -> bool:
    """Whether buttons are a question's answer options."""
    return any(Choose.unpack(payload) is not None for payload in shown)


async def on_payload(ctx: Context, payload: str, *, from_text: bool = False) -> None:
    """Act on a button payload; anything old, unknown or forged gets the stale answer."""
    if not payload.isascii() or len(payload) > MAX_PAYLOAD_BYTES:
        payload = "?"
    command = registry().commands.get(payload) if payloads.is_bare(payload) else None
    if command is not None:
        if command.answers and not _on_last_buttons(ctx, payload):
            help.stale_button(ctx)
            return
        done = command.run(ctx)
        if done is not None:
            await done
        return
    found = registry().button(payload)
    if found is None:
        help.not_understood(ctx) if from_text else help.stale_button(ctx)
        return
    action, press = found
    # A button from an earlier step or question acts on a place the learner has left.
    stale = type(action).placed() and (getattr(action, "seq", None) != ctx.position.seq
                                       or ctx.position.mode == Mode.MENU)
    if stale or (action.answers and not _on_last_buttons(ctx, payload)) \
            or not await press(ctx, action):
        help.stale_button(ctx)


def _on_last_buttons(ctx: Context, payload: str) -> bool:
    """Whether `payload` is a button of the last message with buttons the learner was sent."""
    return payload in ctx.turn.learner.shown_buttons


async def skip(ctx: Context) -> None:
    """"Bỏ qua": leave the question asked unanswered, where it may be (else a stale button)."""
    asked = ctx.asked
    waits = registry().waits.get(asked.name) if asked else None
    if waits is None or waits.skip is None or asked is None:
        help.stale_button(ctx)
        return
    await waits.skip(ctx, asked.data)


FEATURE = Feature(commands=(Command(payloads.SKIP, skip, answers=True),), samples={ASIDE: {}})
