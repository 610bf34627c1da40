"""Consent first: what is kept and who sees it, asked before anything beyond the greeting.

Nghị định 13/2023/NĐ-CP asks for consent that is clearly given, for stated purposes: until
the learner agrees, the bot only greets and asks (and checks a strange message, which keeps
nothing of them), and stores no name, place or progress.
"""

from bot.handlers import address, invitations, language, message_check, payloads
from bot.handlers.context import Context
from bot.handlers.folding import fold, typed_choice, typed_words
from bot.handlers.registry import Feature
from bot.messages import Kind

WAITING = "consent"  # the state whose data keeps an invitation code that came before agreeing
# Texts of each language, one typed answer a line. They are no commands: after consent,
# "không" is an answer to something else, never a wish to erase one's data.
AGREE_WORDS = "consent_agree_words"
DECLINE_WORDS = "consent_decline_words"


def _meaning(ctx: Context) -> str:
    """What the learner answered: AGREE, DECLINE, or "" for anything else."""
    incoming = ctx.incoming
    if incoming.kind == Kind.BUTTON:
        return incoming.payload if incoming.payload in (payloads.AGREE, payloads.DECLINE) else ""
    if incoming.kind != Kind.TEXT:
        return ""
    folded = fold(incoming.text)
    number = typed_choice(ctx, folded, incoming.text)
    shown = ctx.turn.learner.shown_buttons
    if number is not None and 1 <= number <= len(shown):
        return shown[number - 1]
    if folded in typed_words(ctx, AGREE_WORDS):
        return payloads.AGREE
    return payloads.DECLINE if folded in typed_words(ctx, DECLINE_WORDS) else ""


async def handle(ctx: Context, code: str | None) -> None:
    """The turn of a learner who has not agreed yet: greet and ask, or take their answer."""
    learner = ctx.turn.learner
    pending = code or (str(learner.state_data.get("code", "")) if learner.state == WAITING
                       else "")
    meaning = "" if learner.is_new else _meaning(ctx)
    choice = language.PickLanguage.unpack(ctx.incoming.payload) \
        if ctx.incoming.kind == Kind.BUTTON else None
    if choice is not None and choice.locale in ctx.base.locales:
        ctx.locale = choice.locale  # the notice again, in the language just chosen
        ask(ctx)
        if pending:
            ctx.ask(WAITING, code=pending)
        return
    if meaning == payloads.AGREE:
        ctx.consent = True
        if pending:
            ctx.say(ctx.text("privacy_thanks"))
            await invitations.redeem(ctx, pending)
        else:  # how they want to be called, in one tap, then the menu
            address.ask(ctx, ctx.text("privacy_thanks"))
    elif meaning == payloads.DECLINE:
        ctx.erase = True  # nothing is kept, not even the greeting's row
        ctx.say(ctx.text("privacy_declined"))
    else:
        if learner.is_new:
            ctx.say(ctx.text("welcome", name=ctx.called_as), alone=True)  # see menu.welcome
        # A strange message to check is answered at once: the check keeps nothing of them.
        await message_check.before_consent(ctx)
        if not learner.is_new:
            ctx.say(ctx.text("privacy_needed"))
        ask(ctx)
        if pending:
            ctx.ask(WAITING, code=pending)


def ask(ctx: Context) -> None:
    """The notice of what is kept, why and who sees it, with the two answers; and the
    language of the person's messenger app, when the content speaks it."""
    hint = language.suggested(ctx)
    offer = [[ctx.button("button_language", language.PickLanguage(hint),
                         name=ctx.renderers[hint].message("language_name"))]] if hint else []
    ctx.say(ctx.text("privacy_notice"), [[ctx.button("button_privacy_agree", payloads.AGREE)],
                                         [ctx.button("button_privacy_decline", payloads.DECLINE)],
                                         *offer])


FEATURE = Feature(samples={
    "privacy_notice": {}, "privacy_needed": {}, "privacy_thanks": {}, "privacy_declined": {},
    "button_privacy_agree": {}, "button_privacy_decline": {},
    AGREE_WORDS: {}, DECLINE_WORDS: {},
})
