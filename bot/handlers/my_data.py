"""The learner's own data: /du_lieu_cua_toi hands it over, /xoa_du_lieu erases it."""

import json
from datetime import datetime
from typing import Any

from bot.handlers import payloads
from bot.handlers.context import Context
from bot.handlers.places import VIETNAM, describe_place
from bot.handlers.registry import Command, Feature
from bot.listening.secret import mask
from bot.messages import Attachment
from storage.personal_data import collect, partners

FILE_NAME = "du-lieu-hoc-so.json"
# Channels whose messages can carry a file; on the others the text alone says it all.
FILE_CHANNELS = {"telegram", "web"}
# Channels whose user id is the only key to the learner's session (the web chat's session
# id): shown on a screen or kept in a downloaded file, it would open their lessons to anyone.
SECRET_REFS = {"web"}
# What each channel is called, and each pairing state, are texts: data_channel_<channel>,
# data_pairing_<status>, data_role_<role>.
CHANNELS = ("telegram", "zalo", "zalo_oa", "web", "console")
PAIRING_STATES = ("active", "pending", "ended", "declined")


def _when(value: str | None) -> str:
    if not value:
        return "—"
    return datetime.fromisoformat(value).astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M")


async def show(ctx: Context) -> None:
    """Send everything kept about the learner: readable text, and a JSON file where possible."""
    data = await collect(ctx.turn.connection, ctx.turn.learner.id)
    _mask_kept_words(data)
    me = data["learner"]
    if me["channel"] in SECRET_REFS:
        del me["user_ref"]
    for app in data["apps"]:
        if app["channel"] in SECRET_REFS:
            del app["user_ref"]
    apps = [_label(ctx, "data_channel_", CHANNELS, app["channel"]) + (
        f" ({app['user_ref']})" if app.get("user_ref") else "") for app in data["apps"]]
    titles = {(c.id, lesson.id): (c.title, lesson.title)
              for c in ctx.library.courses for lesson in c.lessons}
    lessons = [f"{titles.get((r['course_id'], r['lesson_id']), ('', r['lesson_id']))[1]}: "
               f"{r['best_correct']}/{r['total']}" for r in data["lesson_results"]]
    courses = [ctx.library.course(row["course_id"]) for row in data["courses_finished"]]
    answers = data["quiz_answers"]
    pairings = [f"{ctx.text('data_role_' + p['role'])}: {p['with'] or '—'} ("
                f"{_label(ctx, 'data_pairing_', PAIRING_STATES, p['status'])})"
                for p in data["pairings"]]
    mentor = data["mentor_profile"][0] if data["mentor_profile"] else None
    attach = ctx.incoming.channel in FILE_CHANNELS
    ctx.say(ctx.text(
        "my_data", name=me["display_name"],
        channel=_label(ctx, "data_channel_", CHANNELS, me["channel"]),
        user_ref=me.get("user_ref", ""), created=_when(me["created_at"]),
        last_active=_when(me["last_active_at"]), consented=_when(me["consented_at"]),
        place=ctx.library.areas.label(ctx.turn.learner.area) if ctx.turn.learner.area
        else me["ward"], now_at=describe_place(ctx, ctx.position).strip(), lessons=lessons,
        answers=len(answers), right=sum(1 for a in answers if a["correct"]),
        courses=", ".join(course.title for course in courses if course), pairings=pairings,
        check_ins=len(data["check_ins"]), about_you=len(data["messages_about_you"]),
        undelivered=len(data["undelivered_messages"]),
        mentor=", ".join(part for part in (mentor["full_name"], mentor["ward"], mentor["unit"])
                         if part) if mentor else "",
        file=FILE_NAME if attach else "", apps=apps if len(apps) > 1 else []),
        [[ctx.button("button_erase", payloads.ERASE)], ctx.menu_row()],
        attachment=Attachment(FILE_NAME, _json(data)) if attach else None)


def _mask_kept_words(data: dict[str, Any]) -> None:
    """Notes and messages are masked on their way in, but those kept before that (or before
    a rule was added) may still hold a password or a code: masked again as they are shown."""
    for key, field in (("check_ins", "note"), ("messages_to_you", "text"),
                       ("messages_about_you", "text"), ("undelivered_messages", "text")):
        for row in data[key]:
            # a note, kept before phone numbers were masked in it, keeps none either
            row[field] = mask(str(row[field] or ""), phones=key == "check_ins").text


def _label(ctx: Context, prefix: str, known: tuple[str, ...], value: str) -> str:
    return ctx.text(prefix + value) if value in known else value


def _json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2).encode()


async def ask_erase(ctx: Context) -> None:
    """Say what erasing removes, and ask once more."""
    paired = bool(await partners(ctx.turn.connection, ctx.turn.learner.id))
    ctx.say(ctx.text("erase_confirm", paired=paired),
            [[ctx.button("button_erase_yes", payloads.ERASE_YES)],
             [ctx.button("button_erase_no", payloads.MENU)]])


async def erase(ctx: Context) -> None:
    """Erase after the confirmation just shown; an old or forged button only asks again."""
    if payloads.ERASE_YES not in ctx.turn.learner.shown_buttons:
        await ask_erase(ctx)
        return
    for partner in await partners(ctx.turn.connection, ctx.turn.learner.id):
        ctx.tell(partner, "partner_erased")
    ctx.erase = True
    ctx.say(ctx.text("erase_done"))


FEATURE = Feature(
    commands=(Command(payloads.MY_DATA, show), Command(payloads.ERASE, ask_erase),
              # Withdrawing consent is erasing.
              Command(payloads.DECLINE, ask_erase), Command(payloads.ERASE_YES, erase)),
    samples={
        "my_data": {"name": "Minh", "channel": "Telegram", "user_ref": "12345",
                    "apps": ["Telegram (12345)", "Trang web Học Số"],
                    "created": "01/12/2026 08:00", "last_active": "02/12/2026 09:30",
                    "consented": "01/12/2026 08:01", "place": "Phường Hồng Hà",
                    "now_at": "menu", "lessons": ["Bấm nút và gõ số: 3/3"], "answers": 3,
                    "right": 3, "courses": "Làm quen với Học Số",
                    "pairings": ["Người kèm: An (đang kèm)"], "check_ins": 1,
                    "mentor": "An, Phường Hồng Hà", "about_you": 2, "undelivered": 1,
                    "file": "du-lieu-hoc-so.json"},
        "erase_confirm": {"paired": True}, "erase_done": {}, "partner_erased": {},
        "button_erase": {}, "button_erase_yes": {}, "button_erase_no": {},
        **{f"data_channel_{channel}": {} for channel in CHANNELS},
        **{f"data_pairing_{state}": {} for state in PAIRING_STATES},
        "data_role_mentor": {}, "data_role_resident": {},
    },
)
