"""Where the learner lives: asked once, skippable, changed with /noi_o; names matched kindly."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from bot import area_match, district_match
from bot.areas import Area
from bot.handlers import detour, payloads, upnext
from bot.handlers.context import Context, Rows
from bot.handlers.events import QuizFinished
from bot.handlers.payloads import Payload, StartLesson
from bot.handlers.registry import Command, Feature, Waits, registry
from bot.lessons.model import MENTOR_COURSE
from bot.lessons.progress import Mode

MAX_BUTTONS = 10  # a list this short is offered as choices; a longer one is typed
ASKED = "area"  # the state while asked; its data's "within": the place whose parts are asked
# Its data's "then": a command run once a commune is named (FIND_MENTOR: a mentor there).
THEN = "then"


@dataclass(frozen=True)
class Place(Payload):
    """The place I live (an area id: "ha-noi/hong-ha")."""

    prefix = "w"
    formats: ClassVar[dict[str, str]] = {"area": r"[a-z0-9][a-z0-9/-]{1,51}"}
    answers = True  # only from the place question just asked: never shown, it moved the ward
    area: str


def should_ask(ctx: Context) -> bool:
    """Whether to ask now: the deployment has areas and the learner was never asked."""
    return bool(ctx.library.areas.provinces) and not ctx.turn.learner.area_asked \
        and not ctx.area_asked


def ask(ctx: Context, within: str | None = None, *, also: Rows | None = None,
        then: str = "") -> None:
    """Ask for the next level of place below `within` (the top level by default); `also`
    are buttons to keep offering meanwhile (the next lesson, after a quiz); `then`, the
    command to run once a commune is named."""
    areas = ctx.library.areas
    if within is None:
        within = _top(ctx)
    if not areas.provinces or (within and areas.get(within) is None):
        ctx.say(ctx.text("area_none"), [ctx.menu_row()])
        return
    ctx.area_asked = True
    places = areas.children(within)
    level = places[0].level if places else 1
    key = ("area_ask_province", "area_ask_commune", "area_ask_village")[level]
    rows: Rows = []
    if len(places) <= MAX_BUTTONS:
        rows = [[ctx.button("button_area", Place(place.id), name=place.name)]
                for place in places]
    rows.append([ctx.button("button_skip", payloads.SKIP)])
    rows += also or []
    rows.append(ctx.menu_row())
    ctx.say(ctx.text(key, within=areas.label(within), typed=len(places) > MAX_BUTTONS,
                     name=ctx.display_name), rows)  # the whole name officials see
    _wait(ctx, within, then)


def _top(ctx: Context) -> str:
    """Where the question starts: a deployment of one province starts at its communes."""
    provinces = ctx.library.areas.provinces
    return provinces[0] if len(provinces) == 1 else ""


def has_places(ctx: Context) -> bool:
    """Whether the deployment has a list of places to find a typed one in."""
    return bool(ctx.library.areas.provinces)


def ask_then(ctx: Context, text: str, then: str) -> None:
    """Ask, in `text`, for the commune that `then` (a command's payload) needs, read as the
    place question reads it (a name not found is said so, close ones offered); a commune
    named runs `then` instead of going on."""
    ctx.area_asked = True
    ctx.say(text, [ctx.menu_row()])
    _wait(ctx, _top(ctx), then)


def _wait(ctx: Context, within: str, then: str) -> None:
    ctx.ask(ASKED, within=within, **({THEN: then} if then else {}))


def _then(ctx: Context) -> str:
    """The command the place question asked in the previous turn leads to, if any: kept
    while it is asked again ("not found", "which one?")."""
    asked = ctx.asked
    return str(asked.data.get(THEN, "")) if asked is not None and asked.name == ASKED else ""


async def typed(ctx: Context, within: str, text: str) -> None:
    """The learner typed a place name: take an exact match, else offer the close ones."""
    areas = ctx.library.areas
    if within and areas.get(within) is None:  # the areas file changed since the question
        ask(ctx, then=_then(ctx))
        return
    places = areas.children(within)
    districts = _districts(ctx, within)
    district = district_match.named_alone(text, districts)
    if district:  # it spans several of today's communes: never taken for its namesake
        _ask_within_district(ctx, within, district, places)
        return
    typed_text, text = text, district_match.as_address(text, districts)
    found = area_match.match(text, places)
    exact = _named(text, places)
    if len(exact) == 1:
        await chosen(ctx, exact[0])
        return
    # An old name (before a merger) after today's names: exact, or a typo away when no
    # current name is even close. Today's names win: "Hồng Hà" is the ward, not the old xã.
    old = [] if exact else area_match.former(text, areas.children(within), close=not found)
    if old:
        _offer_former(ctx, within, old)
        return
    _wait(ctx, within, _then(ctx))
    rows: Rows = [[ctx.button("button_area", Place(place.id), name=areas.label(place.id))]
                  for place in found]
    rows.append([ctx.button("button_skip", payloads.SKIP)])
    rows.append(ctx.menu_row())
    ctx.say(ctx.text("area_choose" if found else "area_not_found", typed=typed_text[:60]), rows)


def _districts(ctx: Context, within: str) -> tuple[str, ...]:
    """The old districts of the province whose communes are asked for (none at another
    level)."""
    area = ctx.library.areas.get(within) if within else None
    return area.districts if area is not None else ()


def _ask_within_district(ctx: Context, within: str, district: str, places: list[Area]) -> None:
    """An old district named alone: ask which of today's communes, offering its namesake
    ("Xã Gia Lâm" for "Gia Lâm") as one answer among others, never as the answer."""
    bare = district_match.bare_name(district)
    namesake = [place for place in places if area_match.same_name(bare, place)]
    rows: Rows = [[ctx.button("button_area", Place(place.id), name=place.name)]
                  for place in namesake[:1]]
    rows.append([ctx.button("button_skip", payloads.SKIP)])
    rows.append(ctx.menu_row())
    _wait(ctx, within, _then(ctx))
    ctx.say(ctx.text("area_district", district=district, mentor=False,
                     namesake=namesake[0].name if namesake else ""), rows)


def _named(text: str, places: list[Area]) -> list[Area]:
    """The places `text` names by today's name, also in an old address ("Hồng Hà, quận
    Hoàn Kiếm")."""
    exact = [place for place in area_match.match(text, places)
             if area_match.same_name(text, place)]
    name = area_match.unit_name(text)
    if not exact and name:  # an old address: today's namesake only if the district held it
        exact = [place for place in area_match.match(name, places)
                 if area_match.same_name(name, place)
                 and area_match.fits_district(text, place.name)]
    return exact


def _offer_former(ctx: Context, within: str, old: list[area_match.OldName]) -> None:
    """Say where the old units named are now: one place is confirmed with yes or another
    place; several (an old unit split, or two of one name) are offered to choose from."""
    areas = ctx.library.areas
    now = list(dict.fromkeys(place for unit in old for place in unit.now))
    _wait(ctx, within, _then(ctx))
    if len(now) == 1:
        rows: Rows = [[ctx.button("button_area_yes", Place(now[0].id), name=now[0].name)],
                      [ctx.button("button_area_other", payloads.AREA)]]
    else:
        rows = [[ctx.button("button_area", Place(place.id), name=areas.label(place.id))]
                for place in now]
    rows.append([ctx.button("button_skip", payloads.SKIP)])
    rows.append(ctx.menu_row())
    ctx.say(ctx.text("area_former", one=now[0].name if len(now) == 1 else "", olds=[
        {"name": unit.name, "where": unit.where, "now": [place.name for place in unit.now]}
        for unit in old]), rows)


async def picked(ctx: Context, action: Place) -> bool:
    """A place button; False when the deployment has no such place (old or forged)."""
    place = ctx.library.areas.get(action.area)
    if place is None:
        return False
    await chosen(ctx, place)
    return True


async def chosen(ctx: Context, place: Area) -> None:
    """Keep the place; ask for the part of it (commune, then village) if there is one."""
    then = _then(ctx)
    if place.level == 0:
        ask(ctx, place.id, then=then)
        return
    ctx.area = place.id
    ctx.ward = ctx.library.areas.chain(place.id)[1].name  # mentors are found by ward name
    if then:  # the commune was what was needed ("Tìm người kèm"): no village asked
        done = registry().commands[then].run(ctx)
        if done is not None:
            await done
        return
    if place.level == 1 and place.children:
        ask(ctx, place.id)
        return
    await _go_on(ctx, ctx.text("area_saved", place=ctx.library.areas.label(place.id)))


async def skipped(ctx: Context, within: str) -> None:
    """The learner would rather not say (or not say more): keep what they gave, go on."""
    kept = ctx.turn.learner.area
    if kept and within and ctx.library.areas.contains(within, kept) and \
            ctx.library.areas.get(kept):
        await _go_on(ctx, ctx.text("area_saved", place=ctx.library.areas.label(kept)))
    else:
        await _go_on(ctx, ctx.text("area_skipped"))


async def _go_on(ctx: Context, text: str) -> None:
    """After the answer, what comes next is one tap away: the lesson in progress, else the
    next lesson itself (resuming from the menu would only suggest it, one more tap)."""
    if ctx.position.mode != Mode.MENU:
        ctx.say(text, [[ctx.button("button_resume", payloads.RESUME)], ctx.menu_row()])
        return
    found = await upnext.suggested(ctx)
    if found is None:
        ctx.say(text, [ctx.menu_row()])
        return
    course, following = found
    ctx.say(f"{text}\n\n{ctx.text('next_lesson_offer', lesson=following.title)}",
            [[ctx.button("button_next_lesson", StartLesson(course.id, following.id))],
             ctx.menu_row()])


def old_district(ctx: Context, text: str) -> str | None:
    """The old district `text` names alone in one of the deployment's provinces ("huyện Gia
    Lâm"), as the areas file names it; None when it names none."""
    areas = ctx.library.areas
    return next((district for province in areas.provinces
                 if (district := district_match.named_alone(text,
                                                           areas.by_id[province].districts))),
                None)


def ask_within_old_district(ctx: Context, district: str, state: str, *,
                            mentor: bool = False) -> None:
    """An old district typed where a ward is asked outside the place question ("Tìm người
    kèm", a mentor's ward): the same follow-up as there, and the question `state` asked
    again, which reads an old commune's name too."""
    ctx.say(ctx.text("area_district", district=district, namesake="", mentor=mentor),
            [ctx.menu_row()])
    ctx.ask(state)


def exact_place(ctx: Context, text: str) -> Area | None:
    """The commune `text` names exactly in one of the deployment's provinces, if just one:
    as a resident's place is found (no question asked here), by today's name, else by an
    old one (before 1/7/2025) whose residents all live in one commune now."""
    areas = ctx.library.areas
    if old_district(ctx, text):
        return None  # an old district spans several communes: no guess
    found = [place for province in areas.provinces
             for place in _named(district_match.as_address(text, areas.by_id[province].districts),
                                 areas.children(province))]
    if not found:
        found = list(dict.fromkeys(
            place for province in areas.provinces
            for unit in area_match.former(text, areas.children(province)) for place in unit.now))
    return found[0] if len(found) == 1 else None


async def _typed(ctx: Context, text: str, data: Mapping[str, Any]) -> None:
    await typed(ctx, str(data.get("within", "")), text)


async def _skipped(ctx: Context, data: Mapping[str, Any]) -> None:
    await skipped(ctx, str(data.get("within", "")))


def _ask(ctx: Context) -> None:
    ask(ctx, then=_then(ctx))  # "Nơi khác" while a mentor's commune is asked: still for that


async def after_quiz(ctx: Context, event: QuizFinished) -> None:
    """Once, after a first lesson passed: the learner has seen what Học Số is. The next
    lesson stays one tap away, as on the result just above. Not while the way back from a
    lesson opened from an answer is offered: three messages at once, each numbering its
    buttons from 1, and a "1" typed to go back answered this question instead. Nor after a
    quiz not passed: "chọn 'Làm lại bài kiểm tra'" was just said, and the question's answer
    would offer only the next lesson."""
    if event.course.id != MENTOR_COURSE and event.passed and should_ask(ctx) \
            and not detour.leads_back(ctx, event):
        ask(ctx, also=[[ctx.button("button_next_lesson", StartLesson(
            event.course.id, event.following.id))]] if event.following else None)


FEATURE = Feature(
    commands=(Command(payloads.AREA, _ask),),
    buttons={Place: picked},
    waits=(Waits(ASKED, _typed, skip=_skipped, yields_to_words=True),),
    events={QuizFinished: after_quiz},
    samples={
        "area_ask_province": {"name": ""},
        "area_ask_commune": {"within": "Thành phố Hà Nội", "typed": True, "name": "Lan"},
        "area_ask_village": {"within": "Phường Hồng Hà", "typed": False, "name": "Lan"},
        "area_choose": {}, "area_not_found": {"typed": "hong haa"},
        "area_district": {"district": "Huyện Gia Lâm", "namesake": "Xã Gia Lâm",
                          "mentor": False},
        "area_former": {"one": "Phường Hồng Hà", "olds": [
            {"name": "Phường Phúc Xá", "where": "", "now": ["Phường Hồng Hà"]}]},
        "button_area_yes": {"name": "Phường Hồng Hà"}, "button_area_other": {},
        "area_saved": {"place": "Tổ dân phố số 1, Phường Hồng Hà"}, "area_skipped": {},
        "area_none": {}, "button_area": {"name": "Phường Hồng Hà"}, "button_skip": {},
        "next_lesson_offer": {"lesson": "Bấm nút và gõ số"},
    },
)
