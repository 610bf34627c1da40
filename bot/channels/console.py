"""`hocso chat`: the same conversation in a terminal, for people who write lessons."""

import asyncio
import codecs
import os
import sys
import threading
from typing import TextIO

from bot.messages import Incoming, Kind, Outgoing
from bot.tutor import Tutor

CHANNEL = "console"
GOODBYE = "\nTạm biệt! Tiến độ của bạn đã được lưu.\n"


def format_reply(reply: Outgoing) -> str:
    """Render a reply as text with numbered options, as a button-less messenger would."""
    lines = [f"[ảnh: {reply.image}]"] if reply.image else []
    lines += [f"[mã QR: {reply.qr}]"] if reply.qr else []
    lines.append(reply.text)
    lines += [f"  {number}. {button.label}"
              for number, button in enumerate(reply.flat_buttons(), start=1)]
    return "\n".join(lines)


def _read_lines(fd: int, loop: asyncio.AbstractEventLoop,
                lines: "asyncio.Queue[str | None]") -> None:
    """Hand typed lines to the loop; None at end of input.

    A daemon thread of its own reading the raw descriptor: a line awaited through the loop's
    executor kept Ctrl-C waiting until Enter (asyncio.run joins that executor's threads), and
    a blocked buffered read would hold sys.stdin's lock while the interpreter shuts down.
    """
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    pending = ""
    while True:
        chunk = os.read(fd, 4096)
        pending += decoder.decode(chunk, final=not chunk)
        *complete, pending = pending.split("\n")
        found: list[str | None] = [*complete]
        if not chunk:
            found += [pending] if pending else []
            found.append(None)
        try:
            for line in found:
                loop.call_soon_threadsafe(lines.put_nowait, line)
        except RuntimeError:  # the loop is closed: the chat has ended
            return
        if not chunk:
            return


async def run_console(tutor: Tutor, *, learner: str, stdin: TextIO = sys.stdin,
                      stdout: TextIO = sys.stdout) -> None:
    """Chat as `learner` until end of input or 'thoát'; typed digits pick numbered options.
    Ctrl-C ends it at once (the caller gets KeyboardInterrupt after the goodbye)."""

    def show(replies: list[Outgoing]) -> None:
        for reply in replies:
            stdout.write(format_reply(reply) + "\n\n")
        stdout.flush()

    lines: asyncio.Queue[str | None] = asyncio.Queue()
    try:
        show(await tutor.handle(Incoming(channel=CHANNEL, user_ref=learner, kind=Kind.START,
                                         display_name=learner)))
        threading.Thread(target=_read_lines, args=(stdin.fileno(), asyncio.get_running_loop(),
                                                   lines), daemon=True).start()
        while True:
            stdout.write("> ")
            stdout.flush()
            line = await lines.get()
            if line is None or line.strip().lower() in ("thoát", "thoat", "exit", "quit"):
                break
            show(await tutor.handle(Incoming(channel=CHANNEL, user_ref=learner,
                                             kind=Kind.TEXT, text=line.rstrip("\r"),
                                             display_name=learner)))
    except asyncio.CancelledError:  # Ctrl-C: asyncio.run cancels this task
        stdout.write(GOODBYE)
        stdout.flush()
        raise
    stdout.write(GOODBYE)
    stdout.flush()
