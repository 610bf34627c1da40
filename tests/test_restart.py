"""Stop `hocso serve` mid-lesson (cleanly, or killed) and continue at the same place over HTTP."""

import json
import signal
import urllib.request
from pathlib import Path

import pytest

from bot.lessons.model import Library
from tests.server import free_port, running_server


def post(port: int, path: str, body: dict[str, object]) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        return dict(json.loads(response.read()))


def payload(reply: dict, label: str) -> str:
    return next(b["payload"] for row in reply["buttons"] for b in row if label in b["label"])


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGKILL])
def test_a_lesson_and_a_quiz_survive_a_restart(tmp_path: Path, library: Library,
                                               stop: signal.Signals) -> None:
    course = library.courses[0]
    lesson = course.lessons[0]
    port = free_port()
    with running_server(tmp_path, port) as server:
        session = post(port, "/api/session", {})["session"]
        post(port, "/api/chat", {"session": session, "payload": "start"})
        post(port, "/api/chat", {"session": session, "payload": "agree"})
        post(port, "/api/chat", {"session": session, "payload": f"l:{course.id}:{lesson.id}"})
        step = post(port, "/api/chat", {"session": session, "text": "tiếp"})["replies"][-1]
        assert "Bước 2/" in step["text"]
        server.send_signal(stop)
        # A stop takes about a second; once, in a fresh clone's first run on a busy machine,
        # SIGTERM's took over 15 s (likely a cancelled job's open query holding SQLite's write
        # lock, since fixed: bench/RESULTS.md). What this test asks is that the lesson
        # survives, so it waits longer rather than fail on the machine's pace.
        server.wait(timeout=60)
    with running_server(tmp_path, port):
        resumed = post(port, "/api/chat", {"session": session, "payload": "resume"})["replies"]
        assert resumed[-1] == step  # the very same step, with the very same buttons
        for later in lesson.steps[1:]:  # the rest of the lesson, then its quiz
            post(port, "/api/chat", {"session": session, "text": str(later.check.answer)
                                     if later.check else "tiếp"})
        first = lesson.quiz[0]
        asked = post(port, "/api/chat", {"session": session, "text": str(first.answer)})
        (said,) = asked["replies"]  # the answer's feedback, then the next question
        assert said["text"].split("\n\n", 1)[1].startswith("Câu 2/")
    with running_server(tmp_path, port):
        (question,) = post(port, "/api/chat", {"session": session,
                                               "payload": "resume"})["replies"]
        assert said["text"].endswith(f"\n\n{question['text']}")  # the very same question
        assert question["buttons"] == said["buttons"]
        second = lesson.quiz[1]
        answered = post(port, "/api/chat", {"session": session,
                                            "payload": payload(question, second.options[
                                                second.answer - 1])})
        assert answered["replies"][0]["text"].startswith("✅")
