"""`hocso chat` as a real process: the same conversation, numbered options, same database."""

import os
import subprocess
import sys
from pathlib import Path

from bot.lessons.model import Library


def run_chat(data_dir: Path, lines: list[str]) -> str:
    env = {**os.environ, "HOCSO_DATA_DIR": str(data_dir)}
    env.pop("DATABASE_URL", None)
    done = subprocess.run([sys.executable, "-m", "bot", "chat", "--name", "Lan"], env=env,
                          input="\n".join(lines) + "\n", capture_output=True, text=True,
                          timeout=60, check=True)
    return done.stdout


def test_the_terminal_chat_teaches_and_remembers(tmp_path: Path, library: Library) -> None:
    course = library.courses[0]
    first = run_chat(tmp_path, ["1", "1", "1", "tiếp", "thoát"])  # agree, course, lesson
    assert "Xin chào Lan!" in first and "  1. ✅ Tôi đồng ý" in first
    assert "  1. 📘 " + course.title in first
    assert f"{course.lessons[0].title} · Bước 2/" in first
    assert "Tiến độ của bạn đã được lưu" in first
    second = run_chat(tmp_path, ["tiếp tục bài đang học"])
    assert "Chào mừng bạn quay lại, Lan!" in second
    assert second.rstrip().count(f"{course.lessons[0].title} · Bước 2/") == 1
