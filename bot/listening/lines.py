"""`hocso ask`: JSON Lines of residents' questions in, the lessons that answer each out."""

import json
from collections.abc import Iterable
from typing import Any, TextIO

from bot.listening.questions import QuestionIndex


def answer(index: QuestionIndex, lines: Iterable[str], out: TextIO) -> int:
    """Write one JSON line per input line {"id", "text"}: {"id", "lessons": [{"course",
    "lesson", "title"}, ...]}, best first, up to 3, [] when no lesson answers it. A line that is
    not such an object still gets its line, with "error", so outputs pair with inputs; the
    return value is 1 when any line had one, else 0."""
    status = 0
    for line in lines:
        if not line.strip():
            continue
        ident: Any = None
        try:
            item = json.loads(line)
            if isinstance(item, dict):
                ident = item.get("id")
            if not isinstance(item, dict) or not isinstance(item.get("text"), str):
                raise ValueError('each line must be an object with a "text" string')
            result: dict[str, Any] = {"id": ident, "lessons": [
                {"course": m.course, "lesson": m.lesson, "title": m.title}
                for m in index.ask(item["text"])]}
        except ValueError as error:  # json.JSONDecodeError is a ValueError
            status = 1
            result = {"id": ident, "lessons": [], "error": str(error)}
        out.write(json.dumps(result, ensure_ascii=False) + "\n")
        out.flush()  # a caller may feed one question at a time and wait for its answer
    return status
