"""Mentoring's entry points for the router: screens, pairing verbs, typed answers, alerts."""

from bot.handlers import invitations, mentees, mentor_signup, pairing, payloads
from bot.handlers.access import authorize
from bot.handlers.context import Context
from bot.handlers.places import who
from bot.lessons.model import Course, Lesson
from bot.lessons.progress import passed

SCREENS = {payloads.MY_MENTOR, payloads.BECOME_MENTOR, payloads.MENTEES, payloads.FIND_MENTOR,
           payloads.INVITE, payloads.NEW_CODE, payloads.REVOKE_CODE, payloads.ENTER_CODE}


async def screen(ctx: Context, name: str) -> None:
    """Open a mentoring screen (a menu button or a command)."""
    if name == payloads.MY_MENTOR:
        await pairing.show_mine(ctx)
    elif name == payloads.BECOME_MENTOR:
        await mentor_signup.start(ctx)
    elif name == payloads.MENTEES:
        await mentees.show(ctx)
    elif name == payloads.FIND_MENTOR:
        await pairing.find(ctx)
    elif name in (payloads.INVITE, payloads.NEW_CODE):
        await invitations.show(ctx, fresh=name == payloads.NEW_CODE)
    elif name == payloads.REVOKE_CODE:
        await invitations.revoke(ctx)
    else:
        invitations.ask(ctx)


async def act(ctx: Context, verb: str, pairing_id: int, option: int | None) -> bool:
    """A pairing button; False when the learner may not use it now (old, forged, not theirs)."""
    found = await authorize(ctx, verb, pairing_id)
    if found is None:
        return False
    if verb in ("ok", "no", "take", "skip"):
        await pairing.decide(ctx, verb, found)
    elif verb == "help":
        await pairing.ask_help(ctx, found)
    elif verb in ("end", "stop"):
        pairing.confirm_end(ctx, verb, found)
    elif verb in ("endok", "stopok"):
        await pairing.end(ctx, verb, found)
    elif verb == "nudge":
        mentees.choose_nudge(ctx, found)
    elif verb == "say":
        return mentees.send_nudge(ctx, found, option or 0)
    elif verb == "write":
        mentees.ask_nudge(ctx, found)
    elif verb == "log":
        mentees.ask_kind(ctx, found)
    elif option is None:  # met / call: which day?
        mentees.ask_day(ctx, verb, found)
    else:
        return mentees.ask_note(ctx, verb, found, option)
    return True


async def answer(ctx: Context, awaiting: str, text: str) -> None:
    """Typed text that answers the question the learner was asked (`awaiting`)."""
    kind, _, rest = awaiting.partition(":")
    if kind.startswith("mentor_"):
        await mentor_signup.on_input(ctx, kind, text)
    elif kind == "ward":
        await pairing.got_ward(ctx, text)
    elif kind == "code":
        await invitations.redeem(ctx, text)
    elif kind in ("nudge", "note"):
        pairing_id, _, detail = rest.partition(":")
        found = await authorize(ctx, "write" if kind == "nudge" else "log", int(pairing_id))
        if found is None:
            ctx.say(ctx.text("pairing_gone"), [ctx.menu_row()])
        elif kind == "nudge":
            mentees.relay_typed(ctx, found, text)
        else:
            verb, _, day = detail.partition(":")
            await mentees.save_check_in(ctx, found, verb, int(day), text)


def skippable(awaiting: str) -> bool:
    """Whether the question being asked may be skipped (the "Bỏ qua" button)."""
    return awaiting == "mentor_unit" or awaiting.startswith("note:")


async def quiz_finished(ctx: Context, course: Course, lesson: Lesson, *, correct: int,
                        total: int) -> None:
    """Tell a mentor of a finished lesson and of a second failed try; train mentors."""
    await mentor_signup.after_quiz(ctx, course)
    mine = await ctx.mentoring.my_mentor()
    if mine is None:
        return
    name = who(ctx, mine.mentee_name)
    button = [[ctx.button("button_mentees", payloads.MENTEES)]]
    if await ctx.mentoring.alert_once(f"done:{mine.id}:{course.id}:{lesson.id}", mine.id):
        ctx.tell(mine.mentor_id, ctx.text("alert_lesson_done", name=name, lesson=lesson.title,
                                          course=course.title, correct=correct, total=total),
                 button)
    # ">= 2": failures before this pairing count too; the key still makes it once a pairing.
    if not passed(correct, total) and await ctx.turn.quiz_failures(
            course_id=course.id, lesson_id=lesson.id) >= 2 and await ctx.mentoring.alert_once(
            f"fail2:{mine.id}:{course.id}:{lesson.id}", mine.id):
        ctx.tell(mine.mentor_id, ctx.text("alert_failed_twice", name=name,
                                          lesson=lesson.title), button)
