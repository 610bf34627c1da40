"""A resident and their mentor: the resident's side, consent, requests, help, ending."""

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from bot.handlers import mentor_signup, payloads, where
from bot.handlers.access import PairingAct
from bot.handlers.context import Context, Rows
from bot.handlers.events import HelpRequested, publish
from bot.handlers.folding import place_key
from bot.handlers.places import describe_place, me_as_called, mentee_called, met
from bot.handlers.registry import Command, Feature, Waits
from bot.lessons.render import given_name
from bot.listening.secret import mask
from storage.mentoring import PairingRecord
from storage.repository import now

# "Đổi xã, phường" after no mentor was found there: the commune asked again.
OTHER_WARD = "findelse"
# A second "Tôi cần giúp đỡ" this soon after the first (a double tap, an impatient press) says
# the mentor was told already, rather than alerting them again.
HELP_AGAIN = timedelta(minutes=10)


async def show_mine(ctx: Context) -> None:
    """/nguoi_kem: who the resident's mentor is, or how to get one; a mentor's own buttons."""
    pairing = await ctx.mentoring.my_mentor()
    mentor = await ctx.mentoring.mentor()
    mentoring = mentor is not None and mentor.can_mentor
    rows: Rows
    if pairing is not None:
        mine = await ctx.mentoring.mentor(pairing.mentor_id)
        text = ctx.text("kem_mine", name=pairing.mentor_name, ward=mine.ward if mine else "",
                        unit=mine.unit if mine else "")
        rows = [[ctx.button("button_need_help", PairingAct("help", pairing.id))],
                [ctx.button("button_end_pairing", PairingAct("end", pairing.id))]]
    else:
        # A mentor is not offered "Tôi muốn làm người kèm" but their own two buttons.
        text = ctx.text("kem_none", mentor=mentoring)
        rows = [[ctx.button("button_enter_code", payloads.ENTER_CODE)],
                [ctx.button("button_find_mentor", payloads.FIND_MENTOR)]]
    if mentoring:
        rows += mentor_signup.mentor_rows(ctx)[:-1]
    else:
        rows.append([ctx.button("button_become_mentor", payloads.BECOME_MENTOR)])
    rows.append(ctx.menu_row())
    ctx.say(text, rows)


async def find(ctx: Context, ward: str = "") -> None:
    """/tim_nguoi_kem: ask a trained mentor of the resident's ward, who must accept."""
    if await ctx.mentoring.my_mentor() is not None:
        await show_mine(ctx)
        return
    if await ctx.mentoring.pending_request():  # one mentor asked at a time
        ctx.say(ctx.text("request_pending"), [ctx.menu_row()])
        return
    ward = ward or ctx.ward or _known_ward(ctx)
    if not ward:
        _ask_ward(ctx)
        return
    key = place_key(ward)
    found = next((mentor for mentor in await ctx.mentoring.available_mentors(ctx.rules.capacity)
                  if place_key(mentor.ward) == key), None)
    if found is None:
        ctx.say(ctx.text("no_mentor_here", ward=ward),
                [[ctx.button("button_other_ward", OTHER_WARD)], ctx.menu_row()])
        return
    pairing = await ctx.mentoring.propose(mentor_id=found.learner_id,
                                          mentee_id=ctx.turn.learner.id, origin="request")
    ctx.say(ctx.text("request_sent", ward=ward), [ctx.menu_row()])
    ctx.tell(found.learner_id, "mentor_request",
             [[("button_take", PairingAct("take", pairing).pack())],
              [("button_skip_request", PairingAct("skip", pairing).pack())]],
             name=me_as_called(ctx), ward=ward)


def _known_ward(ctx: Context) -> str:
    """The resident's ward as kept: with a list of places, only one found in it (a ward kept
    from any text typed, before the list read it, would be looked up forever)."""
    learner = ctx.turn.learner
    return learner.ward if learner.area or not where.has_places(ctx) else ""


def _ask_ward(ctx: Context) -> None:
    """Ask for the resident's commune: read as the place question reads it, where there is a
    list of places; else any name is taken."""
    if where.has_places(ctx):
        where.ask_then(ctx, ctx.text("ask_ward"), payloads.FIND_MENTOR)
        return
    ctx.say(ctx.text("ask_ward"), [ctx.menu_row()])
    ctx.ask("ward")


async def got_ward(ctx: Context, text: str) -> None:
    """The resident named their ward: keep it and look for a mentor there."""
    ward = mentor_signup.tidy(text, mentor_signup.MAX_PLACE)
    if len(ward) < 2 or where.has_places(ctx):  # asked before the list read the answer
        _ask_ward(ctx)
        return
    district = where.old_district(ctx, ward)
    if district:  # it spans several of today's communes: which one, as the place question asks
        where.ask_within_old_district(ctx, district, "ward")
        return
    place = where.exact_place(ctx, ward)
    if place is not None:  # an official name: the learner's place for reports too
        ward, ctx.area = place.name, place.id
    ctx.ward = ward
    await find(ctx, ward)


async def decide(ctx: Context, verb: str, pairing: PairingRecord) -> None:
    """Accept or decline: the resident on a code, the mentor on a request."""
    accepted = verb in ("ok", "take")
    if verb == "ok" and now() - pairing.created_at > timedelta(days=ctx.rules.code_days):
        await ctx.mentoring.decide(pairing.id, status="declined")  # its invitation is old
        ctx.say(ctx.text("pairing_gone"), [ctx.menu_row()])
        return
    if accepted and not await _room_for(ctx, pairing):
        return
    if not await ctx.mentoring.decide(pairing.id, status="active" if accepted else "declined"):
        ctx.say(ctx.text("pairing_gone"), [ctx.menu_row()])
        return
    if accepted:
        await ctx.mentoring.drop_other_offers(pairing.mentee_id, keep=pairing.id)
    if verb == "ok":
        ctx.say(ctx.text("paired", name=pairing.mentor_name,
                         short=given_name(pairing.mentor_name)),
                [[ctx.button("button_my_mentor", payloads.MY_MENTOR)], ctx.menu_row()])
        ctx.tell(pairing.mentor_id, "mentee_joined", [[("button_mentees", payloads.MENTEES)]],
                 name=mentee_called(ctx, pairing))
    elif verb == "no":
        ctx.say(ctx.text("consent_declined"), [ctx.menu_row()])
    elif verb == "take":
        ctx.say(ctx.text("request_taken", name=mentee_called(ctx, pairing)),
                [[ctx.button("button_mentees", payloads.MENTEES)], ctx.menu_row()])
        ctx.tell(pairing.mentee_id, "request_accepted",
                 [[("button_my_mentor", payloads.MY_MENTOR)]], name=pairing.mentor_name,
                 short=given_name(pairing.mentor_name))
    else:
        ctx.say(ctx.text("request_skipped"), [ctx.menu_row()])
        ctx.tell(pairing.mentee_id, "request_declined",
                 [[("button_my_mentor", payloads.MY_MENTOR)]])


async def _room_for(ctx: Context, pairing: PairingRecord) -> bool:
    """One mentor per resident, and no more mentees than the mentor's capacity."""
    if pairing.mentee_id == ctx.turn.learner.id:
        current = await ctx.mentoring.my_mentor()
        if current is not None:
            ctx.say(ctx.text("already_paired", name=current.mentor_name), [ctx.menu_row()])
            return False
    elif await ctx.mentoring.has_mentor(pairing.mentee_id):  # found one meanwhile
        await ctx.mentoring.decide(pairing.id, status="declined")
        ctx.say(ctx.text("mentee_has_mentor", name=mentee_called(ctx, pairing)),
                [ctx.menu_row()])
        return False
    # Counted and used by one turn at a time; a mentor suspended since the buttons were shown
    # takes no one.
    if not await ctx.mentoring.lock_mentor(pairing.mentor_id):
        await ctx.mentoring.decide(pairing.id, status="declined")
        mine = pairing.mentor_id == ctx.turn.learner.id
        ctx.say(ctx.text("mentor_suspended" if mine else "pairing_gone"), [ctx.menu_row()])
        return False
    if await ctx.mentoring.active_mentees(pairing.mentor_id) >= ctx.rules.capacity:
        mine = pairing.mentor_id == ctx.turn.learner.id
        ctx.say(ctx.text("mentor_full_self" if mine else "mentor_full",
                         capacity=ctx.rules.capacity), [ctx.menu_row()])
        return False
    return True


async def ask_help(ctx: Context, pairing: PairingRecord) -> None:
    """"Tôi cần giúp đỡ": the mentor is told where the resident is stuck (a subscriber), once
    in HELP_AGAIN (each alert's key holds the time it was raised)."""
    asked = now()
    if await ctx.mentoring.alerted_since(f"help:{pairing.id}:", pairing.id, asked - HELP_AGAIN):
        ctx.say(ctx.text("help_already_sent", name=pairing.mentor_name, contact=met(pairing)),
                [ctx.menu_row()])
        return
    await ctx.mentoring.alert_once(f"help:{pairing.id}:{asked.isoformat()}", pairing.id)
    await publish(ctx, HelpRequested())
    ctx.say(ctx.text("help_sent", name=pairing.mentor_name, contact=met(pairing)),
            [ctx.menu_row()])


async def tell_mentor(ctx: Context, event: HelpRequested) -> None:
    """Tell the learner's mentor, if they have one, where the learner is stuck."""
    mine = await ctx.mentoring.my_mentor()
    if mine is None:
        return
    place = describe_place(ctx, ctx.position)
    ctx.tell(mine.mentor_id, "help_request",
             [[("button_nudge", PairingAct("nudge", mine.id).pack())],
              [("button_mentees", payloads.MENTEES)]],
             name=mentee_called(ctx, mine), place=place, contact=met(mine),
             # masked when asked; again here for a question kept before a rule was added
             question=mask(event.question).text)


def confirm_end(ctx: Context, verb: str, pairing: PairingRecord) -> None:
    """Ask once more before ending: either side's tap ends it at once."""
    by_mentor = verb == "stop"
    other = mentee_called(ctx, pairing) if by_mentor else pairing.mentor_name
    ctx.say(ctx.text("end_confirm_mentor" if by_mentor else "end_confirm", name=other),
            [[ctx.button("button_end_yes", PairingAct(f"{verb}ok", pairing.id))],
             ctx.menu_row()])


async def end(ctx: Context, verb: str, pairing: PairingRecord) -> None:
    """End the pairing now: the mentor loses access from this commit on."""
    if not await ctx.mentoring.end(pairing.id):
        ctx.say(ctx.text("pairing_gone"), [ctx.menu_row()])
        return
    if verb == "stopok":
        ctx.say(ctx.text("pairing_ended", name=mentee_called(ctx, pairing)), [ctx.menu_row()])
        ctx.tell(pairing.mentee_id, "ended_by_mentor", name=pairing.mentor_name)
    else:
        ctx.say(ctx.text("pairing_ended", name=pairing.mentor_name), [ctx.menu_row()])
        ctx.tell(pairing.mentor_id, "ended_by_mentee", name=mentee_called(ctx, pairing))


async def _typed_ward(ctx: Context, text: str, data: Mapping[str, Any]) -> None:
    await got_ward(ctx, text)


async def _other_ward(ctx: Context) -> None:
    """"Đổi xã, phường": the resident's commune asked again, and a mentor looked for there."""
    if await ctx.mentoring.my_mentor() is None and not await ctx.mentoring.pending_request():
        _ask_ward(ctx)
        return
    await find(ctx)


FEATURE = Feature(
    commands=(Command(OTHER_WARD, _other_ward),),
    waits=(Waits("ward", _typed_ward),),
    events={HelpRequested: tell_mentor},
    samples={
        "someone": {}, "kem_none": {"mentor": True},
        "kem_mine": {"name": "Trần Minh Anh", "ward": "Phường Hồng Hà", "unit": "Chi đoàn 3"},
        "already_paired": {"name": "Minh Anh"}, "mentor_full": {},
        "mentor_full_self": {"capacity": 1},
        "consent": {"name": "Trần Minh Anh", "ward": "Phường Hồng Hà", "unit": "Chi đoàn 3"},
        "paired": {"name": "Trần Minh Anh", "short": "Anh"}, "consent_declined": {},
        "mentee_joined": {"name": "Bà Lan"},
        "ask_ward": {}, "no_mentor_here": {"ward": "Phường Hồng Hà"},
        "request_sent": {"ward": "Phường Hồng Hà"},
        "mentor_request": {"name": "Bà Lan", "ward": "Phường Hồng Hà"},
        "request_taken": {"name": "Bà Lan"},
        "request_accepted": {"name": "Minh Anh", "short": "Minh Anh"},
        "request_skipped": {}, "request_declined": {}, "pairing_gone": {},
        "help_request": {"name": "Bà Lan", "place": "Đang học bài \"Bấm nút\", bước 2/7.",
                         "question": "Giá xăng hôm nay bao nhiêu?", "contact": False},
        "help_sent": {"name": "Minh Anh", "contact": False},
        "help_already_sent": {"name": "Minh Anh", "contact": True},
        "end_confirm": {"name": "Minh Anh"}, "end_confirm_mentor": {"name": "Bà Lan"},
        "pairing_ended": {"name": "Bà Lan"}, "ended_by_mentee": {"name": "Bà Lan"},
        "ended_by_mentor": {"name": "Minh Anh"},
        "place_none": {},
        "place_lesson": {"lesson": "Bấm nút", "course": "Làm quen", "number": 2, "total": 7},
        "place_quiz": {"lesson": "Bấm nút", "course": "Làm quen", "number": 1, "total": 3},
        "button_enter_code": {}, "button_find_mentor": {}, "button_become_mentor": {},
        "button_need_help": {}, "button_end_pairing": {}, "button_end_yes": {},
        "button_mentees": {}, "button_accept": {}, "button_decline": {}, "button_take": {},
        "button_skip_request": {}, "button_other_ward": {},
    },
)
