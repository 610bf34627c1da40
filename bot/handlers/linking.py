"""One person on every app: /lien_ket gives a code, typing it on another app joins the two,
/bo_lien_ket separates an app again (storage/linking.py, storage/joining.py,
storage/identities.py)."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, ClassVar

from bot.handlers import consent, payloads
from bot.handlers.context import Context, Rows
from bot.handlers.my_data import CHANNELS
from bot.handlers.payloads import Payload
from bot.handlers.places import me_as_called
from bot.handlers.reach import reroute
from bot.handlers.registry import Command, Feature, Waits
from bot.lessons.progress import Mode, Position, reconcile
from storage.identities import AppAccount, accounts, detach
from storage.joining import Choices, Side, disagreements, join, lock, side
from storage.linking import LIFETIME, issue, shown
from storage.linking import normalize as normalize_code
from storage.linking import redeem as redeem_code
from storage.repository import now

LINK = "link"  # the command, and the state while the person chooses what to keep
UNLINK = "unlink"
CODE_KIND = "link"  # wrong link codes, counted apart from wrong invitation codes
TOPICS = ("mentor", "area", "name")


@dataclass(frozen=True)
class LinkPick(Payload):
    """Keep this app's (`side` 1) or the other app's (2) mentor, area or name when joining."""

    prefix = "lk"
    formats: ClassVar[dict[str, str]] = {"topic": "|".join(TOPICS), "side": "[12]"}
    topic: str
    side: int


@dataclass(frozen=True)
class Unlink(Payload):
    """Separate the `number`th of the person's apps (in the order /bo_lien_ket lists them)."""

    prefix = "ul"
    number: int


def normalize(text: str) -> str | None:
    """A typed link code, or None (the router asks this of every plain message)."""
    return normalize_code(text)


def _app_name(ctx: Context, channel: str) -> str:
    return ctx.text(f"data_channel_{channel}").strip() if channel in CHANNELS else channel


async def show_code(ctx: Context) -> None:
    """A new code to type on the other app."""
    code, _ = await issue(ctx.connection, ctx.turn.learner.id)
    # With a QR code of its Telegram (or web chat) link, where there is one: scanned at the
    # kiosk with a phone, it opens the other app with the code, no typing.
    qr = bool(ctx.links.for_qr(code))
    ctx.say(ctx.text("link_code", code=shown(code), minutes=LIFETIME // timedelta(minutes=1),
                     qr=qr), [ctx.menu_row()], invitation=code if qr else "")


async def redeem(ctx: Context, code: str) -> None:
    """A code typed on this app: join its person to this one, asking first about what the
    two accounts disagree on. Taken in any state, and before consent: the person agreed on
    the app that showed the code."""
    # Wrong codes are counted per person and everyone's together, apart from wrong
    # invitation codes (each wait names the code that was mistyped), and per address in
    # this process with them (guessing from many new web sessions gains nothing).
    source, hour_ago = ctx.incoming.source, now() - timedelta(hours=1)
    if await ctx.mentoring.wrong_codes_since(hour_ago, CODE_KIND) >= \
            ctx.rules.wrong_codes_per_hour:
        await _refused(ctx, "link_wait")
        return
    if not ctx.guesses.allowed(source) or await ctx.mentoring.wrong_codes_everywhere_since(
            hour_ago, CODE_KIND) >= ctx.rules.wrong_codes_per_hour_everywhere:
        await _refused(ctx, "link_busy")
        return
    other = await redeem_code(ctx.connection, code)
    if other is None:
        await ctx.mentoring.record_wrong_code(CODE_KIND)
        ctx.guesses.wrong(source)
        await _refused(ctx, "link_unknown")
        return
    if other == ctx.turn.learner.id:
        ctx.say(ctx.text("link_same"), [ctx.menu_row()])
        return
    if await lock(ctx.connection, other) is None:
        await _refused(ctx, "link_gone")
        return
    mine, theirs = (await side(ctx.connection, ctx.turn.learner.id),
                    await side(ctx.connection, other))
    topics = disagreements(mine, theirs)
    if not topics:
        await _join(ctx, other, {})
        return
    ctx.say(ctx.text("link_differ"))
    _ask(ctx, other, topics, {}, mine, theirs)


async def _refused(ctx: Context, key: str) -> None:
    ctx.say(ctx.text(key), [ctx.menu_row()] if ctx.turn.learner.consented else None)
    if not ctx.turn.learner.consented:  # still on the greeting: ask again what it asked
        await consent.handle(ctx, None)


def _ask(ctx: Context, other: int, topics: list[str], chosen: Mapping[str, int],
         mine: Side, theirs: Side) -> None:
    """The first question left, with this app's answer and the other's."""
    topic = topics[0]
    labels = [_label(ctx, topic, mine), _label(ctx, topic, theirs)]
    rows: Rows = [[ctx.button("link_pick_this", LinkPick(topic, 1), value=labels[0])],
                  [ctx.button("link_pick_other", LinkPick(topic, 2), value=labels[1])]]
    ctx.say(ctx.text(f"link_ask_{topic}"), rows)
    ctx.ask(LINK, other=other, topics=topics, chosen=dict(chosen))


def _label(ctx: Context, topic: str, found: Side) -> str:
    if topic == "mentor":
        return found.mentor_name or "—"
    if topic == "area":
        return (ctx.library.areas.label(found.area) if found.area else "") or found.ward or "—"
    form = ctx.renderer.message(f"address_you_{found.address}").strip() if found.address else ""
    return " ".join(part for part in (form[:1].upper() + form[1:], found.called) if part)


async def _picked(ctx: Context, action: LinkPick) -> bool:
    asked = ctx.asked
    if asked is None or asked.name != LINK or not asked.data.get("topics") or (
            asked.data["topics"][0] != action.topic):
        return False  # an old question's button
    other = int(asked.data["other"])
    chosen = {**asked.data.get("chosen", {}),
              action.topic: ctx.turn.learner.id if action.side == 1 else other}
    if await lock(ctx.connection, other) is None:
        await _refused(ctx, "link_gone")
        return True
    rest = list(asked.data["topics"][1:])
    if rest:
        _ask(ctx, other, rest, chosen, await side(ctx.connection, ctx.turn.learner.id),
             await side(ctx.connection, other))
    else:
        await _join(ctx, other, chosen)
    return True


async def _join(ctx: Context, other: int, chosen: Mapping[str, int]) -> None:
    """Join, then go on as the joined person: their language, settings and place."""
    joined = await join(ctx.connection, kept=ctx.turn.learner.id, absorbed=other,
                        choices=Choices(**{key: int(value) for key, value in chosen.items()
                                           if key in TOPICS}))
    learner = await ctx.turn.reload()
    ctx.settings = dict(learner.settings)
    ctx.locale = learner.locale if learner.locale in ctx.base.locales else ctx.locale
    ctx.position, _ = reconcile(Position.stored_as(learner.place), ctx.library)
    if joined.left_mentor is not None:
        ctx.tell(joined.left_mentor, "link_mentor_left", name=me_as_called(ctx))
    # What waited for the other account may now reach the person on an app with push.
    await reroute(ctx.connection, learner.id)
    joined_apps = await accounts(ctx.connection, learner.id)
    # Someone else typing the code is the risk: the person hears of it on every other app.
    new_app = _app_name(ctx, ctx.incoming.channel)
    for app in joined_apps:
        if not _here(ctx, app):
            ctx.tell(learner.id, "link_joined_notice", [[("button_unlink", UNLINK)]],
                     to=app.key, app=new_app)
    # Two web chats (the commune's desk and a phone) are one app to name: "trang web" once.
    apps = list(dict.fromkeys(_app_name(ctx, app.channel) for app in joined_apps))
    rows: Rows = [[ctx.button("button_resume", payloads.RESUME)]] \
        if ctx.position.mode != Mode.MENU else []
    ctx.say(ctx.text("link_done", apps=apps, name=ctx.called_as), [*rows, ctx.menu_row()])


async def _typed(ctx: Context, text: str, data: Mapping[str, Any]) -> None:
    """Typed text while choosing: the question again (a word like "menu" leaves it)."""
    other = int(data["other"])
    if await lock(ctx.connection, other) is None:
        await _refused(ctx, "link_gone")
        return
    ctx.say(ctx.text("link_press"))
    _ask(ctx, other, list(data["topics"]), data.get("chosen", {}),
         await side(ctx.connection, ctx.turn.learner.id), await side(ctx.connection, other))


def _here(ctx: Context, app: AppAccount) -> bool:
    return (app.channel, app.user_ref) == (ctx.incoming.channel, ctx.incoming.user_ref)


async def ask_unlink(ctx: Context) -> None:
    """The apps joined to this person, one button each to separate it."""
    apps = await accounts(ctx.connection, ctx.turn.learner.id)
    if len(apps) < 2:
        ctx.say(ctx.text("unlink_none"), [ctx.menu_row()])
        return
    rows: Rows = [[ctx.button("button_unlink_app", Unlink(number), app=_app_name(
        ctx, app.channel), here=_here(ctx, app))] for number, app in enumerate(apps, start=1)]
    ctx.say(ctx.text("unlink_ask"), [*rows, ctx.menu_row()])


async def _unlink(ctx: Context, action: Unlink) -> bool:
    apps = await accounts(ctx.connection, ctx.turn.learner.id)
    if len(apps) < 2 or not 1 <= action.number <= len(apps):
        return False
    app = apps[action.number - 1]
    await detach(ctx.connection, channel=app.channel, user_ref=app.user_ref)
    # Nothing of theirs waits on the app separated (someone new there from now on).
    await reroute(ctx.connection, ctx.turn.learner.id)
    key = "unlink_done_here" if _here(ctx, app) else "unlink_done"
    ctx.say(ctx.text(key, app=_app_name(ctx, app.channel)), [ctx.menu_row()])
    return True


FEATURE = Feature(
    commands=(Command(LINK, show_code), Command(UNLINK, ask_unlink)),
    buttons={LinkPick: _picked, Unlink: _unlink},
    waits=(Waits(LINK, _typed),),
    samples={
        "link_code": {"code": "K7M 4QX", "minutes": 15, "qr": True},
        "link_unknown": {}, "link_wait": {}, "link_busy": {}, "link_same": {}, "link_gone": {},
        "link_differ": {}, "link_press": {},
        "link_ask_mentor": {}, "link_ask_area": {}, "link_ask_name": {},
        "link_pick_this": {"value": "Bác Lan"}, "link_pick_other": {"value": "Cô Lan"},
        "link_done": {"apps": ["trang web", "Zalo"], "name": "Lan"},
        "link_mentor_left": {"name": "Bác Lan"},
        "link_joined_notice": {"app": "Zalo"}, "button_unlink": {},
        "unlink_none": {}, "unlink_ask": {},
        "button_unlink_app": {"app": "Telegram", "here": True},
        "unlink_done": {"app": "trang web"}, "unlink_done_here": {"app": "Zalo"},
    },
)
