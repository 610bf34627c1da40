"""The mentor's side: each mentee's progress, encouraging nudges, check-ins."""

from datetime import timedelta

from bot.handlers import mentor_signup, payloads
from bot.handlers.context import Context
from bot.handlers.places import days_ago, describe_place, local_date, who
from bot.lessons.progress import Mode, Position
from storage.mentoring import MenteeProgress, PairingRecord

NUDGES = (1, 2, 3)  # template nudges nudge_1 .. nudge_3
MAX_NUDGE = 300
MAX_MISSED_SHOWN = 5
KINDS = {"met": "truc-tiep", "call": "dien-thoai"}
DAYS = (0, 1, 2)  # today, yesterday, the day before


async def show(ctx: Context) -> None:
    """/hoc_vien: one card per active mentee, with what the mentor can do for them."""
    mentor = await ctx.mentoring.mentor()
    if mentor is None or not mentor.can_mentor:
        await mentor_signup.start(ctx)
        return
    mentees = await ctx.mentoring.mentees()
    if not mentees:
        ctx.say(ctx.text("no_mentees"), [[ctx.button("button_invite", payloads.INVITE)],
                                         ctx.menu_row()])
        return
    for mentee in mentees:
        ctx.say(_card(ctx, mentee), [
            [ctx.button("button_nudge", payloads.pairing("nudge", mentee.pairing_id))],
            [ctx.button("button_checkin", payloads.pairing("log", mentee.pairing_id))],
            [ctx.button("button_stop", payloads.pairing("stop", mentee.pairing_id))]])
    ctx.say(ctx.text("mentees_end", count=len(mentees)), [ctx.menu_row()])


def _card(ctx: Context, mentee: MenteeProgress) -> str:
    titles = {(course.id, lesson.id): lesson.title for course in ctx.library.courses
              for lesson in course.lessons}
    questions = {(course.id, lesson.id, q.id): q.question for course in ctx.library.courses
                 for lesson in course.lessons for q in lesson.quiz}
    place = describe_place(ctx, Position(mode=Mode(mentee.mode), course_id=mentee.course_id,
                                         lesson_id=mentee.lesson_id, step_id=mentee.step_id,
                                         question_id=mentee.question_id))
    scores = [{"lesson": titles[c, lesson], "best": best, "total": total}
              for c, lesson, best, total in mentee.results if (c, lesson) in titles]
    missed = [questions[key] for key in mentee.missed if key in questions]
    return ctx.text("mentee_card", name=who(ctx, mentee.name), done=len(scores), place=place,
                    days=days_ago(mentee.last_active_at), scores=scores,
                    missed=missed[:MAX_MISSED_SHOWN], more=max(0, len(missed) - MAX_MISSED_SHOWN))


def choose_nudge(ctx: Context, pairing: PairingRecord) -> None:
    """Offer the template nudges, or writing one."""
    rows = [[ctx.button(f"button_nudge_{n}", payloads.pairing("say", pairing.id, n))]
            for n in NUDGES]
    rows.append([ctx.button("button_nudge_write", payloads.pairing("write", pairing.id))])
    rows.append(ctx.menu_row())
    ctx.say(ctx.text("nudge_choose", name=who(ctx, pairing.mentee_name)), rows)


def send_nudge(ctx: Context, pairing: PairingRecord, number: int) -> bool:
    """Relay template nudge `number`; False for a number that is not one."""
    if number not in NUDGES:
        return False
    _relay(ctx, pairing, ctx.text(f"nudge_{number}", mentor=pairing.mentor_name))
    return True


def ask_nudge(ctx: Context, pairing: PairingRecord) -> None:
    """Ask the mentor to type their own words."""
    ctx.say(ctx.text("nudge_write", name=who(ctx, pairing.mentee_name), limit=MAX_NUDGE),
            [ctx.menu_row()])
    ctx.awaiting = f"nudge:{pairing.id}"


def relay_typed(ctx: Context, pairing: PairingRecord, text: str) -> None:
    """Pass the mentor's own words on, as words (never as a template)."""
    message = text.strip()
    if not message or len(message) > MAX_NUDGE:
        ctx.say(ctx.text("nudge_write", name=who(ctx, pairing.mentee_name), limit=MAX_NUDGE),
                [ctx.menu_row()])
        ctx.awaiting = f"nudge:{pairing.id}"
        return
    _relay(ctx, pairing, ctx.text("nudge_free", mentor=pairing.mentor_name, message=message))


def _relay(ctx: Context, pairing: PairingRecord, text: str) -> None:
    ctx.tell(pairing.mentee_id, text, [[ctx.button("button_resume", payloads.RESUME)]])
    ctx.say(ctx.text("nudge_sent", name=who(ctx, pairing.mentee_name)),
            [[ctx.button("button_mentees", payloads.MENTEES)], ctx.menu_row()])


def ask_kind(ctx: Context, pairing: PairingRecord) -> None:
    """A check-in, step 1: in person or by phone."""
    ctx.say(ctx.text("checkin_kind", name=who(ctx, pairing.mentee_name)), [
        [ctx.button("button_met", payloads.pairing("met", pairing.id))],
        [ctx.button("button_call", payloads.pairing("call", pairing.id))], ctx.menu_row()])


def ask_day(ctx: Context, verb: str, pairing: PairingRecord) -> None:
    """Step 2: which day."""
    ctx.say(ctx.text("checkin_day"), [
        [ctx.button("button_day", payloads.pairing(verb, pairing.id, day), day=day)]
        for day in DAYS] + [ctx.menu_row()])


def ask_note(ctx: Context, verb: str, pairing: PairingRecord, day: int) -> bool:
    """Step 3: a short note, or skip; False for a day that is not offered."""
    if day not in DAYS:
        return False
    ctx.say(ctx.text("checkin_note"), [[ctx.button("button_skip", payloads.SKIP)],
                                       ctx.menu_row()])
    ctx.awaiting = f"note:{pairing.id}:{verb}:{day}"
    return True


async def save_check_in(ctx: Context, pairing: PairingRecord, verb: str, day: int,
                        note: str) -> None:
    """Keep the check-in and say how many sessions there have been."""
    met_on = local_date() - timedelta(days=day)
    await ctx.mentoring.add_check_in(pairing.id, kind=KINDS[verb], met_on=met_on,
                                     note=" ".join(note.split()))
    ctx.say(ctx.text("checkin_saved", name=who(ctx, pairing.mentee_name),
                     day=met_on.strftime("%d/%m/%Y"), in_person=verb == "met",
                     count=await ctx.mentoring.check_ins(pairing.id)),
            [[ctx.button("button_mentees", payloads.MENTEES)], ctx.menu_row()])
