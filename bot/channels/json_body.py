"""JSON from outside read safely: bounded nesting, lone surrogates mended, never a 500."""

import json
from typing import Any

from aiohttp import web

from bot.messages import mend

# Telegram's and Zalo's deepest bodies (a button under a quoted message) are about ten levels.
MAX_DEPTH = 32


class BadJson(ValueError):
    """A body that is not JSON, not UTF-8, or nested deeper than MAX_DEPTH."""


def loads(raw: bytes | str, *, max_depth: int = MAX_DEPTH) -> Any:
    """Parse JSON; every string (keys too) comes back with lone surrogates mended.

    json.loads recurses in C and raises RecursionError (not ValueError) about 1,000 levels
    down, which once reached the server as a 500; a depth just under that would still break
    whoever walks the value recursively later, so the depth is capped far below it.
    """
    try:
        value = json.loads(raw)
    except RecursionError as error:
        raise BadJson("JSON nested too deep") from error
    except ValueError as error:  # UnicodeDecodeError is one too
        raise BadJson(str(error)) from error
    if isinstance(raw, bytes) and raw.isascii() and b"\\u" not in raw and \
            b"\0" not in raw and raw.count(b"[") + raw.count(b"{") <= max_depth:
        # Nothing to walk for: in ASCII only a \u escape makes a lone surrogate, and so few
        # brackets cannot nest deeper. A button pressed on the web chat is such a body (the
        # walk was a fiftieth of its CPU a request). Not one with a NUL: json.loads reads
        # UTF-16 and UTF-32 bytes too, whose ASCII text is NULs between ASCII bytes and whose
        # \u escape is not the bytes b"\\u" (JSON in UTF-8 has no NUL byte: strings escape it).
        return value
    return _mended(value, max_depth)


def _mended(value: Any, max_depth: int) -> Any:
    """Walk the value without recursion: mend its strings, refuse it when too deep."""
    if isinstance(value, str):
        return mend(value)
    todo: list[tuple[Any, int]] = [(value, 1)]
    while todo:
        node, depth = todo.pop()
        if not isinstance(node, dict | list):
            continue
        if depth > max_depth:
            raise BadJson(f"JSON nested deeper than {max_depth} levels")
        if isinstance(node, dict):
            for key in [key for key in node if mend(key) != key]:
                node[mend(key)] = node.pop(key)
            items: Any = node.items()
        else:
            items = enumerate(node)
        for slot, item in list(items):
            if isinstance(item, str):
                node[slot] = mend(item)
            else:
                todo.append((item, depth + 1))
    return value


async def read(request: web.Request, *, max_bytes: int | None = None) -> Any:
    """The request's body as JSON (BadJson if it is not), at most `max_bytes` long (413).

    The server refuses bodies over its own client_max_size (413) before this reads them.
    """
    raw = await request.read()
    if max_bytes is not None and len(raw) > max_bytes:
        raise web.HTTPRequestEntityTooLarge(max_size=max_bytes, actual_size=len(raw))
    return loads(raw)
