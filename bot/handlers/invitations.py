"""Invitation codes: a mentor shows one (code, links, QR); a resident types or opens it."""

import re
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime, time, timedelta
from typing import Any

from bot.handlers import mentor_signup, payloads
from bot.handlers.access import PairingAct
from bot.handlers.context import Context
from bot.handlers.places import VIETNAM, local_date
from bot.handlers.registry import Feature, Waits
from storage.repository import now

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I/L: easy to read aloud
# Eight characters, read and typed in two groups of four. Codes of four, made before
# December 2026, are still taken until they expire (HOCSO_INVITE_DAYS at most).
_CODE = re.compile(r"KEM([A-Z0-9]{8}|[A-Z0-9]{4})")
MAX_DRAWS = 20  # codes are random: a clash is rare, twenty in a row means something is wrong


def normalize(text: str) -> str | None:
    """A typed or linked code as stored ("kem 7q4x m9pd" → "KEM-7Q4X-M9PD"), or None if it
    is not one."""
    match = _CODE.fullmatch("".join(text.split()).upper().replace("-", ""))
    if match is None:
        return None
    letters = match.group(1)
    return "-".join(["KEM", letters[:4], *([letters[4:]] if len(letters) > 4 else [])])


def new_code() -> str:
    """A fresh random code: 31**8, about 850 billion possibilities (the QR code and the link
    carry it, so its length costs nobody any typing), and wrong guesses are limited."""
    letters = "".join(secrets.choice(ALPHABET) for _ in range(8))
    return f"KEM-{letters[:4]}-{letters[4:]}"


async def show(ctx: Context, *, fresh: bool = False) -> None:
    """Show the mentor's current code (a new one if asked or none is valid)."""
    mentor = await ctx.mentoring.mentor()
    if mentor is None or not mentor.can_mentor or not mentor.name:
        await mentor_signup.not_yet(ctx, mentor)  # residents must see who invites them: a name
        return
    if fresh:
        await ctx.mentoring.revoke_invitations()
    current = await ctx.mentoring.current_invitation()
    if current is None:
        # Valid to the end of the day it says, in Vietnam.
        last_day = local_date() + timedelta(days=ctx.rules.code_days)
        # Stored in UTC like every time here (SQLite compares them as text).
        expires = datetime.combine(last_day, time(23, 59, 59), VIETNAM).astimezone(UTC)
        for _ in range(MAX_DRAWS):
            code = new_code()
            if await ctx.mentoring.add_invitation(code, expires):
                break
        else:
            raise RuntimeError("no free invitation code after many draws")
        current = (code, expires)
    code, expires = current
    ctx.say(ctx.text("invite", code=code, telegram=ctx.links.telegram(code),
                     web=ctx.links.web(code), qr=bool(ctx.links.for_qr(code)),
                     until=local_date(expires).strftime("%d/%m/%Y")),
            [[ctx.button("button_new_code", payloads.NEW_CODE)],
             [ctx.button("button_revoke_code", payloads.REVOKE_CODE)],
             [ctx.button("button_mentees", payloads.MENTEES)], ctx.menu_row()],
            invitation=code)


async def revoke(ctx: Context) -> None:
    """Make the mentor's codes unusable."""
    mentor = await ctx.mentoring.mentor()
    if mentor is None or not mentor.can_mentor:
        await mentor_signup.not_yet(ctx, mentor)
        return
    await ctx.mentoring.revoke_invitations()
    ctx.say(ctx.text("invite_revoked"), [[ctx.button("button_new_code", payloads.NEW_CODE)],
                                         ctx.menu_row()])


def ask(ctx: Context) -> None:
    """Ask the resident to type the code their mentor gave them."""
    ctx.say(ctx.text("ask_code"), [ctx.menu_row()])
    ctx.ask("code")


async def redeem(ctx: Context, typed: str) -> None:
    """A resident typed or opened a code: show who invites them and ask for consent."""
    if await ctx.mentoring.wrong_codes_since(now() - timedelta(hours=1)) >= (
            ctx.rules.wrong_codes_per_hour):
        ctx.say(ctx.text("code_wait"), [ctx.menu_row()])
        return
    code = normalize(typed)
    if code is None:  # not even shaped like a code ("tôi không có mã"): no guess to count
        ctx.say(ctx.text("code_not_a_code"), [
            [ctx.button("button_enter_code", payloads.ENTER_CODE)],
            [ctx.button("button_find_mentor", payloads.FIND_MENTOR)], ctx.menu_row()])
        return
    # A new web session is a new learner: the place they write from and everyone's wrong
    # codes together are counted too, so guessing from many sessions gains nothing.
    source = ctx.incoming.source
    if not ctx.guesses.allowed(source) or await ctx.mentoring.wrong_codes_everywhere_since(
            now() - timedelta(hours=1)) >= ctx.rules.wrong_codes_per_hour_everywhere:
        ctx.say(ctx.text("code_busy"), [ctx.menu_row()])
        return
    mentor = await ctx.mentoring.invitation_mentor(code)
    if mentor is None:
        await ctx.mentoring.record_wrong_code()
        ctx.guesses.wrong(source)
        ctx.say(ctx.text("code_unknown"), [[ctx.button("button_enter_code", payloads.ENTER_CODE)],
                                           ctx.menu_row()])
        return
    if mentor.learner_id == ctx.turn.learner.id:
        ctx.say(ctx.text("code_own"), [ctx.menu_row()])
        return
    current = await ctx.mentoring.my_mentor()
    if current is not None:
        ctx.say(ctx.text("already_paired", name=current.mentor_name), [ctx.menu_row()])
        return
    if await ctx.mentoring.active_mentees(mentor.learner_id) >= ctx.rules.capacity:
        ctx.say(ctx.text("mentor_full"), [ctx.menu_row()])
        return
    pairing = await ctx.mentoring.propose(mentor_id=mentor.learner_id,
                                          mentee_id=ctx.turn.learner.id, origin="code")
    ctx.say(ctx.text("consent", name=mentor.name, ward=mentor.ward, unit=mentor.unit),
            [[ctx.button("button_accept", PairingAct("ok", pairing))],
             [ctx.button("button_decline", PairingAct("no", pairing))], ctx.menu_row()])


async def _typed_code(ctx: Context, text: str, data: Mapping[str, Any]) -> None:
    await redeem(ctx, text)


FEATURE = Feature(
    waits=(Waits("code", _typed_code),),
    samples={
        "invite": {"code": "KEM-7Q4X-M9PD", "telegram": "https://t.me/hocso_bot?start=KEM-7Q4X-M9PD",
                   "web": "https://hocso.example.vn/?kem=KEM-7Q4X-M9PD", "qr": True,
                   "until": "08/12/2026"},
        "invite_revoked": {}, "ask_code": {}, "code_not_a_code": {}, "request_pending": {},
        "mentee_has_mentor": {"name": "Bà Lan"}, "code_unknown": {}, "code_wait": {},
        "code_busy": {}, "code_own": {}, "button_invite": {}, "button_new_code": {},
        "button_revoke_code": {},
    },
)
