"""`hocso chat`: the same conversation in a terminal, for people who write lessons."""

import asyncio
import sys
from typing import TextIO

from bot.messages import Incoming, Kind, Outgoing
from bot.tutor import Tutor

CHANNEL = "console"


def format_reply(reply: Outgoing) -> str:
    """Render a reply as text with numbered options, as a button-less messenger would."""
    lines = [f"[ảnh: {reply.image}]"] if reply.image else []
    lines += [f"[mã QR: {reply.qr}]"] if reply.qr else []
    lines.append(reply.text)
    lines += [f"  {number}. {button.label}"
              for number, button in enumerate(reply.flat_buttons(), start=1)]
    return "\n".join(lines)


async def run_console(tutor: Tutor, *, learner: str, stdin: TextIO = sys.stdin,
                      stdout: TextIO = sys.stdout) -> None:
    """Chat as `learner` until end of input or 'thoát'; typed digits pick numbered options."""

    def show(replies: list[Outgoing]) -> None:
        for reply in replies:
            stdout.write(format_reply(reply) + "\n\n")
        stdout.flush()

    show(await tutor.handle(Incoming(channel=CHANNEL, user_ref=learner, kind=Kind.START,
                                     display_name=learner)))
    while True:
        stdout.write("> ")
        stdout.flush()
        line = await asyncio.to_thread(stdin.readline)
        if not line or line.strip().lower() in ("thoát", "thoat", "exit", "quit"):
            stdout.write("\nTạm biệt! Tiến độ của bạn đã được lưu.\n")
            return
        show(await tutor.handle(Incoming(channel=CHANNEL, user_ref=learner,
                                                   kind=Kind.TEXT, text=line.rstrip("\n"),
                                                   display_name=learner)))
