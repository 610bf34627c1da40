"""Deployment rules for mentoring, and the links an invitation code travels by."""

import ipaddress
from dataclasses import dataclass
from urllib.parse import quote, urlsplit


@dataclass(frozen=True)
class MentoringRules:
    """How mentoring works in this deployment (from Settings)."""

    capacity: int = 1  # residents one mentor may coach at once
    code_days: int = 7  # how long an invitation code stays valid
    inactive_days: int = 3  # a mentee quiet this long is reported to their mentor
    wrong_codes_per_hour: int = 5  # then the learner must wait before trying another code
    # Wrong codes from everyone together: beyond it nobody may try one for a while. With
    # codes of 8 characters (31**8 of them) that keeps a guesser under one hit in centuries.
    wrong_codes_per_hour_everywhere: int = 600


def opens_on_a_phone(base: str) -> bool:
    """Whether another device could open this address: not empty, not this machine's own
    loopback ("127.0.0.1", "localhost", "::1"), not "0.0.0.0"."""
    host = urlsplit(base).hostname or ""
    if host == "localhost" or host.endswith(".localhost"):
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return bool(host)  # a name: the operator's to get right
    return not (address.is_loopback or address.is_unspecified)


class InviteLinks:
    """Where an invitation code can be opened: a Telegram deep link and the web chat."""

    def __init__(self, *, telegram_username: str = "", web_base: str = "") -> None:
        self.telegram_username = telegram_username  # set by the Telegram channel at start
        self.web_base = web_base.rstrip("/")

    def telegram(self, code: str) -> str:
        """https://t.me/<bot>?start=<code>, or "" when Telegram is off."""
        return f"https://t.me/{self.telegram_username}?start={code}" if self.telegram_username \
            else ""

    def web(self, code: str) -> str:
        """The web chat with the code filled in, or "" without an address a phone can open."""
        return f"{self.web_base}/?kem={quote(code)}" if opens_on_a_phone(self.web_base) else ""

    def for_qr(self, code: str) -> str:
        """The link a QR code should hold: Telegram's when it runs, else the web chat's."""
        return self.telegram(code) or self.web(code)
