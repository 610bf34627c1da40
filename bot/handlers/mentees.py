"""The mentor's side: each mentee's progress, encouraging nudges, check-ins."""

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from bot.handlers import mentor_signup, payloads
from bot.handlers.access import PairingAct, PairingOption, authorize
from bot.handlers.context import Context
from bot.handlers.places import days_ago, describe_place, local_date, mentee_called, met, who
from bot.handlers.registry import Feature, Waits
from bot.lessons.progress import Mode, Position
from bot.listening.payment import asks_for_payment
from bot.listening.scam import asks_for_secret, has_contact
from bot.listening.secret import mask
from storage.clock import now
from storage.mentoring import MenteeProgress, PairingRecord

NUDGES = (1, 2, 3)  # template nudges nudge_1 .. nudge_3
MAX_NUDGE = 300
NUDGES_A_DAY = 3  # to one resident, in any 24 hours
MAX_MISSED_SHOWN = 5
KINDS = {"met": "truc-tiep", "call": "dien-thoai"}
DAYS = (0, 1, 2)  # today, yesterday, the day before


async def show(ctx: Context) -> None:
    """/hoc_vien: one card per active mentee, with what the mentor can do for them."""
    mentor = await ctx.mentoring.mentor()
    if mentor is None or not mentor.can_mentor:
        await mentor_signup.not_yet(ctx, mentor)
        return
    mentees = await ctx.mentoring.mentees()
    if not mentees:
        ctx.say(ctx.text("no_mentees"), [[ctx.button("button_invite", payloads.INVITE)],
                                         ctx.menu_row()])
        return
    for mentee in mentees:
        ctx.say(_card(ctx, mentee), [
            [ctx.button("button_nudge", PairingAct("nudge", mentee.pairing_id))],
            [ctx.button("button_checkin", PairingAct("log", mentee.pairing_id))],
            [ctx.button("button_stop", PairingAct("stop", mentee.pairing_id))]])
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
    missed = [ctx.renderer.for_anyone(questions[key]) for key in mentee.missed
              if key in questions]
    return ctx.text("mentee_card", name=who(ctx, mentee.name, mentee.form), done=len(scores),
                    place=place, days=days_ago(mentee.last_active_at), scores=scores,
                    missed=missed[:MAX_MISSED_SHOWN], more=max(0, len(missed) - MAX_MISSED_SHOWN))


async def choose_nudge(ctx: Context, pairing: PairingRecord) -> None:
    """Offer the template nudges, or writing one (not once the day's are sent)."""
    if await _enough(ctx, pairing):
        return
    rows = [[ctx.button(f"button_nudge_{n}", PairingOption("say", pairing.id, n))]
            for n in NUDGES]
    rows.append([ctx.button("button_nudge_write", PairingAct("write", pairing.id))])
    rows.append(ctx.menu_row())
    ctx.say(ctx.text("nudge_choose", name=mentee_called(ctx, pairing)), rows)


async def send_nudge(ctx: Context, pairing: PairingRecord, number: int) -> bool:
    """Relay template nudge `number`; False for a number that is not one."""
    if number not in NUDGES:
        return False
    await _relay(ctx, pairing, f"nudge_{number}", mentor=pairing.mentor_name)
    return True


async def ask_nudge(ctx: Context, pairing: PairingRecord) -> None:
    """Ask the mentor to type their own words (not once the day's are sent: they would type
    them for nothing)."""
    if await _enough(ctx, pairing):
        return
    ctx.say(ctx.text("nudge_write", name=mentee_called(ctx, pairing), limit=MAX_NUDGE),
            [ctx.menu_row()])
    ctx.ask("nudge", pairing=pairing.id)


async def relay_typed(ctx: Context, pairing: PairingRecord, text: str) -> None:
    """Pass the mentor's own words on, as words (never as a template), and never a link or a
    phone number: Học Số's name on either is what a scammer who signed up as a mentor would
    want."""
    message = text.strip()
    linked = has_contact(message)
    # What the lessons teach residents never to give anyone, "kể cả người kèm": a mentor's
    # message asking for it never reaches them (a code typed in is masked, below).
    asks = asks_for_secret(message)
    # Nor one asking for money: a loan, a transfer, a fee. Coaching is free, and "người quen
    # hỏi mượn tiền" is the scam the lessons warn of.
    money = asks_for_payment(message)
    if not message or len(message) > MAX_NUDGE or linked or asks or money:
        if asks:
            ctx.say(ctx.text("nudge_no_secret"))
        elif money:
            ctx.say(ctx.text("nudge_no_money"))
        elif linked:
            ctx.say(ctx.text("nudge_no_link", contact=met(pairing)))
        ctx.say(ctx.text("nudge_write", name=mentee_called(ctx, pairing), limit=MAX_NUDGE),
                [ctx.menu_row()])
        ctx.ask("nudge", pairing=pairing.id)
        return
    if await _enough(ctx, pairing):  # before "masked before sending", which it would not be
        return
    await _relay(ctx, pairing, "nudge_free", mentor=pairing.mentor_name,
                 message=_without_secrets(ctx, message, nudge=True))


async def _enough(ctx: Context, pairing: PairingRecord) -> bool:
    """Whether the resident had NUDGES_A_DAY nudges in the last 24 hours (the mentor is told)."""
    if await ctx.mentoring.alerts_since(f"nudge:{pairing.id}:", pairing.id,
                                        now() - timedelta(days=1)) < NUDGES_A_DAY:
        return False
    ctx.say(ctx.text("nudge_enough", name=mentee_called(ctx, pairing), count=NUDGES_A_DAY,
                     contact=met(pairing)),
            [[ctx.button("button_mentees", payloads.MENTEES)], ctx.menu_row()])
    return True


async def _relay(ctx: Context, pairing: PairingRecord, key: str, **values: Any) -> None:
    """Send a nudge, at most NUDGES_A_DAY to one resident in a day: four "Nhắc học tiếp" in a
    row all arrived. Each is kept as an alert of the pairing, with its time in its key."""
    if await _enough(ctx, pairing):
        return
    sent = now()
    await ctx.mentoring.alert_once(f"nudge:{pairing.id}:{sent.isoformat()}", pairing.id)
    ctx.tell(pairing.mentee_id, key, [[("button_resume", payloads.RESUME)]], **values)
    ctx.say(ctx.text("nudge_sent", name=mentee_called(ctx, pairing)),
            [[ctx.button("button_mentees", payloads.MENTEES)], ctx.menu_row()])


def ask_kind(ctx: Context, pairing: PairingRecord) -> None:
    """A check-in, step 1: in person or by phone."""
    ctx.say(ctx.text("checkin_kind", name=mentee_called(ctx, pairing)), [
        [ctx.button("button_met", PairingAct("met", pairing.id))],
        [ctx.button("button_call", PairingAct("call", pairing.id))], ctx.menu_row()])


def ask_day(ctx: Context, verb: str, pairing: PairingRecord) -> None:
    """Step 2: which day."""
    ctx.say(ctx.text("checkin_day"), [
        [ctx.button("button_day", PairingOption(verb, pairing.id, day), day=day)]
        for day in DAYS] + [ctx.menu_row()])


def ask_note(ctx: Context, verb: str, pairing: PairingRecord, day: int) -> bool:
    """Step 3: a short note, or skip; False for a day that is not offered."""
    if day not in DAYS:
        return False
    ctx.say(ctx.text("checkin_note", name=mentee_called(ctx, pairing)),
            [[ctx.button("button_skip", payloads.SKIP)], ctx.menu_row()])
    ctx.ask("note", pairing=pairing.id, verb=verb, day=day)
    return True


async def save_check_in(ctx: Context, pairing: PairingRecord, verb: str, day: int,
                        note: str) -> None:
    """Keep the check-in and say how many sessions there have been."""
    met_on = local_date() - timedelta(days=day)
    await ctx.mentoring.add_check_in(pairing.id, kind=KINDS[verb], met_on=met_on,
                                     note=_without_secrets(ctx, " ".join(note.split()),
                                                           phones=True))
    ctx.say(ctx.text("checkin_saved", name=mentee_called(ctx, pairing),
                     day=met_on.strftime("%d/%m/%Y"), in_person=verb == "met",
                     count=await ctx.mentoring.check_ins(pairing.id)),
            [[ctx.button("button_mentees", payloads.MENTEES)], ctx.menu_row()])


def _without_secrets(ctx: Context, words: str, *, nudge: bool = False,
                     phones: bool = False) -> str:
    """The mentor's words with a resident's password or code masked, and the mentor told why:
    such codes are never written down or passed on. `phones`: a note, kept with the
    pairing, which keeps no phone number either (residents are told their mentor does not
    see theirs)."""
    masked = mask(words, phones=phones)
    if masked.found:
        ctx.say(ctx.text("secret_in_mentor_words", nudge=nudge))
    if masked.phones:
        ctx.say(ctx.text("phone_in_mentor_note"))
    return masked.text


async def _gone(ctx: Context) -> None:
    ctx.say(ctx.text("pairing_gone"), [ctx.menu_row()])


async def _typed_nudge(ctx: Context, text: str, data: Mapping[str, Any]) -> None:
    found = await authorize(ctx, "write", int(data.get("pairing", 0)))
    await relay_typed(ctx, found, text) if found else await _gone(ctx)


async def _typed_note(ctx: Context, text: str, data: Mapping[str, Any]) -> None:
    found = await authorize(ctx, "log", int(data.get("pairing", 0)))
    verb, day = str(data.get("verb", "")), int(data.get("day", 0))
    if found is None or verb not in KINDS:
        await _gone(ctx)
        return
    await save_check_in(ctx, found, verb, day, text)


async def _skipped_note(ctx: Context, data: Mapping[str, Any]) -> None:
    await _typed_note(ctx, "", data)


FEATURE = Feature(
    waits=(Waits("nudge", _typed_nudge), Waits("note", _typed_note, skip=_skipped_note)),
    samples={
        "no_mentees": {},
        "mentee_card": {"name": "Bà Lan", "done": 1, "place": "Hiện không học dở bài nào.",
                        "days": 2, "scores": [{"lesson": "Bấm nút và gõ số", "best": 2,
                                               "total": 3}],
                        "missed": ["Học Số là ai?"], "more": 0},
        "mentees_end": {"count": 1},
        "nudge_choose": {"name": "Bà Lan"},
        "nudge_1": {"mentor": "Minh Anh"}, "nudge_2": {"mentor": "Minh Anh"},
        "nudge_3": {"mentor": "Minh Anh"},
        "nudge_write": {"name": "Bà Lan", "limit": 300},
        "nudge_free": {"mentor": "Minh Anh", "message": "Mai mình gặp nhau ở nhà văn hóa nhé."},
        "nudge_sent": {"name": "Bà Lan"}, "nudge_no_link": {"contact": True},
        "nudge_no_secret": {}, "nudge_no_money": {},
        "nudge_enough": {"name": "Bà Lan", "count": 3, "contact": False},
        "checkin_kind": {"name": "Bà Lan"}, "checkin_day": {}, "checkin_note": {"name": "bà Lan"},
        "checkin_saved": {"name": "Bà Lan", "day": "01/12/2026", "in_person": True, "count": 2},
        "button_nudge": {}, "button_checkin": {}, "button_stop": {}, "button_nudge_1": {},
        "button_nudge_2": {}, "button_nudge_3": {}, "button_nudge_write": {}, "button_met": {},
        "button_call": {}, "button_day": {"day": 1},
        "secret_in_mentor_words": {"nudge": True}, "phone_in_mentor_note": {},
    },
)
