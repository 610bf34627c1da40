"""The learner's own data: /du_lieu_cua_toi hands it over, /xoa_du_lieu erases it."""

import json
from datetime import datetime
from typing import Any

from bot.handlers import payloads
from bot.handlers.context import Context
from bot.handlers.places import VIETNAM, describe_place
from bot.messages import Attachment
from storage.personal_data import collect, partners

FILE_NAME = "du-lieu-hoc-so.json"
# Channels whose messages can carry a file; on the others the text alone says it all.
FILE_CHANNELS = {"telegram", "web"}
# Channels whose user id is the only key to the learner's session (the web chat's session
# id): shown on a screen or kept in a downloaded file, it would open their lessons to anyone.
SECRET_REFS = {"web"}
CHANNEL_NAMES = {"telegram": "Telegram", "zalo": "Zalo", "zalo_oa": "Zalo", "web": "trang web",
                 "console": "máy tính"}


def _when(value: str | None) -> str:
    if not value:
        return "—"
    return datetime.fromisoformat(value).astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M")


async def show(ctx: Context) -> None:
    """Send everything kept about the learner: readable text, and a JSON file where possible."""
    data = await collect(ctx.turn.connection, ctx.turn.learner.id)
    me = data["learner"]
    if me["channel"] in SECRET_REFS:
        del me["user_ref"]
    titles = {(c.id, lesson.id): (c.title, lesson.title)
              for c in ctx.library.courses for lesson in c.lessons}
    lessons = [f"{titles.get((r['course_id'], r['lesson_id']), ('', r['lesson_id']))[1]}: "
               f"{r['best_correct']}/{r['total']}" for r in data["lesson_results"]]
    courses = [ctx.library.course(row["course_id"]) for row in data["courses_finished"]]
    answers = data["quiz_answers"]
    pairings = [f"{'Học viên' if p['role'] == 'mentor' else 'Người kèm'}: {p['with'] or '—'} "
                f"({_PAIRING_STATES.get(p['status'], p['status'])})" for p in data["pairings"]]
    mentor = data["mentor_profile"][0] if data["mentor_profile"] else None
    attach = ctx.incoming.channel in FILE_CHANNELS
    ctx.say(ctx.text(
        "my_data", name=me["display_name"], channel=CHANNEL_NAMES.get(me["channel"], me["channel"]),
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
        file=FILE_NAME if attach else ""),
        [[ctx.button("button_erase", payloads.ERASE)], ctx.menu_row()],
        attachment=Attachment(FILE_NAME, _json(data)) if attach else None)


_PAIRING_STATES = {"active": "đang kèm", "pending": "chờ đồng ý", "ended": "đã kết thúc",
                   "declined": "không nhận"}


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
        ctx.tell(partner, ctx.text("partner_erased"))
    ctx.erase = True
    ctx.say(ctx.text("erase_done"))
