"""`hocso chat`: the same conversation in a terminal, for people who write lessons."""

import asyncio
import codecs
import os
import shlex
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from bot.channels.pictures import MAX_PICTURE_BYTES
from bot.messages import Incoming, Kind, Outgoing
from bot.tutor import Tutor

CHANNEL = "console"
# A photo of a message to check: `/anh <path>`, or just the path of a picture file (what a
# terminal writes when a file is dragged onto it).
PHOTO_COMMAND = "/anh"
PICTURE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".webp", ".gif", ".bmp", ".tif", ".tiff"})
# A shared text by key with its values, in the language of the learner's last reply
# (content/templates/<locale>/: console_goodbye, console_no_file...).
Words = Callable[..., str]


def picture_path(line: str) -> Path | None:
    """The picture file a typed line names: `/anh <path>` (any file: the tutor says whether
    it is a picture), or a line that is only the path of an existing picture file."""
    text = line.strip()
    command, _, rest = text.partition(" ")
    asked = command.lower() == PHOTO_COMMAND
    try:  # a dragged file's path comes quoted or with escaped spaces
        words = shlex.split(rest if asked else text)
    except ValueError:
        return None
    if len(words) != 1:
        return Path(rest.strip()).expanduser() if asked and rest.strip() else None
    path = Path(words[0]).expanduser()
    if asked or (path.suffix.lower() in PICTURE_SUFFIXES and path.is_file()):
        return path
    return None


def read_picture_file(path: Path, words: Words) -> bytes | str:
    """The file's bytes, or what to say when it cannot be read or is too large."""
    try:
        with path.open("rb") as file:
            data = file.read(MAX_PICTURE_BYTES + 1)
    except OSError:
        return words("console_no_file", path=str(path))
    if len(data) > MAX_PICTURE_BYTES:
        return words("console_too_large", limit=MAX_PICTURE_BYTES // 2**20, path=str(path))
    return data


def format_reply(reply: Outgoing, words: Words) -> str:
    """Render a reply as text with numbered options, as a button-less messenger would."""
    lines = [words("console_picture", image=reply.image)] if reply.image else []
    lines += [words("console_qr", link=reply.qr)] if reply.qr else []
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
    """Chat as `learner` until end of input or 'thoát'; typed digits pick numbered options,
    and a picture file's path (or `/anh <path>`) sends that picture for the message check.
    Ctrl-C ends it at once (the caller gets KeyboardInterrupt after the goodbye)."""

    locale = "vi"  # the language of the last reply: the learner's

    def words(key: str, **values: Any) -> str:
        return tutor.words(locale, key, **values)

    def show(replies: list[Outgoing]) -> None:
        nonlocal locale
        for reply in replies:
            locale = reply.locale
            stdout.write(format_reply(reply, words) + "\n\n")
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
            line = line.rstrip("\r")
            path = picture_path(line)
            picture = read_picture_file(path, words) if path is not None else b""
            if isinstance(picture, str):
                stdout.write(picture + "\n\n")
                continue
            if path is None:
                incoming = Incoming(channel=CHANNEL, user_ref=learner, kind=Kind.TEXT,
                                    text=line, display_name=learner)
            else:
                incoming = Incoming(channel=CHANNEL, user_ref=learner, kind=Kind.PHOTO,
                                    picture=picture, display_name=learner)
            show(await tutor.handle(incoming))
    except asyncio.CancelledError:  # Ctrl-C: asyncio.run cancels this task
        stdout.write(f"\n{words('console_goodbye')}\n")
        stdout.flush()
        raise
    stdout.write(f"\n{words('console_goodbye')}\n")
    stdout.flush()
