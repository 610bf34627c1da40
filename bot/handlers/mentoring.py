"""Mentoring's entry points: screens, pairing verbs, and what mentors are told of their mentees."""

from bot.handlers import invitations, mentees, pairing, payloads
from bot.handlers.access import PairingAct, PairingOption, authorize
from bot.handlers.context import Context
from bot.handlers.events import LearnerQuiet, QuizFailedTwice, QuizFinished, Scene
from bot.handlers.places import days_ago, mentee_called, met
from bot.handlers.registry import Command, Feature
from storage.mentoring import claim_alert


async def _invite(ctx: Context) -> None:
    await invitations.show(ctx)


async def _new_code(ctx: Context) -> None:
    await invitations.show(ctx, fresh=True)


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
        await mentees.choose_nudge(ctx, found)
    elif verb == "say":
        return await mentees.send_nudge(ctx, found, option or 0)
    elif verb == "write":
        await mentees.ask_nudge(ctx, found)
    elif verb == "log":
        mentees.ask_kind(ctx, found)
    elif option is None:  # met / call: which day?
        mentees.ask_day(ctx, verb, found)
    else:
        return mentees.ask_note(ctx, verb, found, option)
    return True


async def _act(ctx: Context, action: PairingAct) -> bool:
    return await act(ctx, action.verb, action.pairing, None)


async def _act_with(ctx: Context, action: PairingOption) -> bool:
    return await act(ctx, action.verb, action.pairing, action.option)


async def lesson_done(ctx: Context, event: QuizFinished) -> None:
    """Tell the learner's mentor, once a pairing, that a lesson is finished (its quiz
    passed). A quiz not passed waits for the retake the resident is offered at once: passed,
    it is told as above; failed again, `failed_twice` tells it, the one alert of the two
    tries (a tester's mentor had "chưa đạt", then "hai lần mà chưa đạt" a minute later)."""
    mine = await ctx.mentoring.my_mentor()
    if mine is None or not event.passed:
        return
    if await ctx.mentoring.alert_once(
            f"done:{mine.id}:{event.course.id}:{event.lesson.id}", mine.id):
        ctx.tell(mine.mentor_id, "alert_lesson_done", [[("button_mentees", payloads.MENTEES)]],
                 name=mentee_called(ctx, mine), lesson=event.lesson.title,
                 course=event.course.title, correct=event.correct, total=event.total)


async def failed_twice(ctx: Context, event: QuizFailedTwice) -> None:
    """Tell the learner's mentor, once a pairing, that a quiz failed a second time."""
    mine = await ctx.mentoring.my_mentor()
    if mine is not None and await ctx.mentoring.alert_once(
            f"fail2:{mine.id}:{event.course.id}:{event.lesson.id}", mine.id):
        ctx.tell(mine.mentor_id, "alert_failed_twice", [[("button_mentees", payloads.MENTEES)]],
                 name=mentee_called(ctx, mine), lesson=event.lesson.title, contact=met(mine))


async def quiet(scene: Scene, event: LearnerQuiet) -> None:
    """Tell the mentor of a quiet mentee, once a quiet stretch (the key holds when the
    mentee was last seen, so a restart repeats nothing)."""
    key = f"idle:{event.pairing_id}:{event.last_active.isoformat()}"
    if await claim_alert(scene.connection, key, event.pairing_id):
        scene.tell(event.mentor_id, "alert_inactive", [[("button_mentees", payloads.MENTEES)]],
                   name=event.name or scene.text("someone"),
                   days=days_ago(event.last_active, event.today))


FEATURE = Feature(
    commands=(Command(payloads.MY_MENTOR, pairing.show_mine),
              Command(payloads.MENTEES, mentees.show),
              Command(payloads.FIND_MENTOR, pairing.find), Command(payloads.INVITE, _invite),
              Command(payloads.NEW_CODE, _new_code),
              Command(payloads.REVOKE_CODE, invitations.revoke),
              Command(payloads.ENTER_CODE, invitations.ask)),
    buttons={PairingAct: _act, PairingOption: _act_with},
    events={QuizFinished: lesson_done, QuizFailedTwice: failed_twice, LearnerQuiet: quiet},
    samples={
        "alert_lesson_done": {"name": "Bà Lan", "lesson": "Bấm nút", "course": "Làm quen",
                              "correct": 3, "total": 3},
        "alert_failed_twice": {"name": "Bà Lan", "lesson": "Bấm nút", "contact": False},
        "alert_inactive": {"name": "Bà Lan", "days": 3},
    },
)
