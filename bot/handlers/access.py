"""Who may act on a pairing: the one place every mentoring button is checked.

A payload names a verb and a pairing id, and payloads can be forged, so the id proves nothing.
A verb is allowed only to its side of the pairing (the resident or the mentor), and only while
the pairing is in the state the verb needs; otherwise the learner gets the "no longer valid"
answer and sees nothing of anyone.
"""

from dataclasses import dataclass
from typing import ClassVar

from bot.handlers.context import Context
from bot.handlers.payloads import Payload
from storage.mentoring import PairingRecord


@dataclass(frozen=True)
class PairingAct(Payload):
    """A mentoring verb (RULES) on a pairing."""

    prefix = "k"
    formats: ClassVar[dict[str, str]] = {"verb": r"[a-z]{2,6}"}
    verb: str
    pairing: int


@dataclass(frozen=True)
class PairingOption(Payload):
    """A mentoring verb on a pairing, with a one-digit choice (which nudge, which day)."""

    prefix = "k"
    formats: ClassVar[dict[str, str]] = {"verb": r"[a-z]{2,6}", "option": r"\d"}
    verb: str
    pairing: int
    option: int


@dataclass(frozen=True)
class Rule:
    """Which side may use a verb, on a pairing in which state (and, if pending, of which origin)."""

    side: str  # "mentee" or "mentor"
    status: str
    origin: str | None = None


RULES = {
    # The resident's verbs.
    "ok": Rule("mentee", "pending", "code"),  # accept a mentor's invitation
    "no": Rule("mentee", "pending", "code"),  # decline it
    "help": Rule("mentee", "active"),  # "Tôi cần giúp đỡ"
    "end": Rule("mentee", "active"),  # ask to end the pairing
    "endok": Rule("mentee", "active"),  # confirm
    # The mentor's verbs.
    "take": Rule("mentor", "pending", "request"),  # accept a resident's request
    "skip": Rule("mentor", "pending", "request"),  # not now
    "nudge": Rule("mentor", "active"),
    "say": Rule("mentor", "active"),  # send a template nudge
    "write": Rule("mentor", "active"),  # write a nudge
    "log": Rule("mentor", "active"),  # log a check-in: choose its kind
    "met": Rule("mentor", "active"),  # ... in person, then its day
    "call": Rule("mentor", "active"),  # ... by phone, then its day
    "stop": Rule("mentor", "active"),
    "stopok": Rule("mentor", "active"),
}


async def authorize(ctx: Context, verb: str, pairing_id: int) -> PairingRecord | None:
    """Return the pairing if the turn's learner may use `verb` on it now, else None."""
    rule = RULES.get(verb)
    if rule is None:
        return None
    found = await ctx.mentoring.pairing(pairing_id)  # only pairings the learner is part of
    if found is None or found.status != rule.status:
        return None
    if rule.origin is not None and found.origin != rule.origin:
        return None
    me = ctx.turn.learner.id
    return found if (found.mentee_id if rule.side == "mentee" else found.mentor_id) == me \
        else None
