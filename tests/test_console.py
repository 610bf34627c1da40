"""`hocso chat` as a real process: the same conversation, numbered options, same database."""

import asyncio
import io
import os
import signal
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bot.app import build_core
from bot.channels.console import run_console
from bot.config import Settings
from bot.lessons.model import Library
from tests.server import as_hocso, migrated


def run_chat(data_dir: Path, lines: list[str]) -> str:
    migrated(data_dir)
    env = {**os.environ, "HOCSO_DATA_DIR": str(data_dir)}
    env.pop("DATABASE_URL", None)
    done = subprocess.run([sys.executable, "-m", "bot", "chat", "--name", "Lan"], env=env,
                          input="\n".join(lines) + "\n", capture_output=True, text=True,
                          timeout=60, check=True)
    return done.stdout


def chat_here(data_dir: Path, lines: list[str]) -> str:
    """What run_chat prints, from the terminal chat's own functions in this process (build_core,
    then run_console reading a pipe, as `hocso chat` reads a terminal): a `hocso chat` process
    costs 2-3 s of CPU before its first line. The tests here run the real process."""
    migrated(data_dir)
    with as_hocso(data_dir):
        settings = Settings()
    read, write = os.pipe()
    os.write(write, ("\n".join(lines) + "\n").encode())
    os.close(write)
    out = io.StringIO()

    async def chat() -> None:
        core = await build_core(settings)
        try:
            with open(read, closefd=False) as stdin:
                await run_console(core.tutor, learner="Lan", stdin=stdin, stdout=out)
        finally:
            await core.dispose()

    try:
        with ThreadPoolExecutor(max_workers=1) as pool:  # a test's own loop may be running
            pool.submit(asyncio.run, chat()).result(timeout=60)
        for reader in threading.enumerate():  # the chat's reader thread, at end of input now
            if reader.name.endswith("(_read_lines)"):
                reader.join(timeout=10)
    finally:
        os.close(read)
    return out.getvalue()


def test_the_terminal_chat_teaches_and_remembers(tmp_path: Path, library: Library) -> None:
    course = library.courses[0]
    # Agree, be called "bác" by the name given (Lan), then the course and its first lesson.
    first = run_chat(tmp_path, ["1", "3", "1", "1", "1", "tiếp", "thoát"])
    assert "Xin chào bạn Lan!" in first and "  1. ✅ Tôi đồng ý" in first
    assert "  1. 📘 " + course.title in first
    assert f"{course.lessons[0].title} · Bước 2/" in first
    assert "Tiến độ học đã được lưu" in first
    second = run_chat(tmp_path, ["tiếp tục bài đang học"])
    assert "Chào mừng bác Lan quay lại ạ!" in second
    assert second.rstrip().count(f"{course.lessons[0].title} · Bước 2/") == 1


def test_the_terminal_speaks_the_learners_language(tmp_path: Path) -> None:
    """What the terminal adds itself (a file it cannot open, the goodbye) is in the language
    the learner chose, like the replies."""
    missing = tmp_path / "khong-co.png"
    out = chat_here(tmp_path, ["1", "3", "1", "/ngon_ngu", "2", f"/anh {missing}", "thoát"])
    assert "From now on Học Số speaks English with you" in out
    assert f"[Could not open the picture file: {missing}]" in out
    assert out.rstrip().endswith("Goodbye! Your progress has been saved.")
    assert "Tạm biệt" not in out and "Không mở được" not in out


def test_ctrl_c_leaves_the_terminal_chat_at_once(tmp_path: Path) -> None:
    """Ctrl-C while the chat waits for a line: it says goodbye and ends, no Enter, no traceback."""
    migrated(tmp_path)
    env = {**os.environ, "HOCSO_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    with subprocess.Popen([sys.executable, "-m", "bot", "chat", "--name", "Lan"], env=env,
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE) as chat:
        assert chat.stdout is not None and chat.stderr is not None
        try:
            seen = b""
            while not seen.endswith(b"\n> "):  # the prompt: the chat now waits for a line
                byte = chat.stdout.read(1)
                assert byte, seen.decode()
                seen += byte
            chat.send_signal(signal.SIGINT)
            # stdin stays open (communicate() would close it): before, the chat only noticed
            # Ctrl-C once a line came, and this wait ran out.
            chat.wait(timeout=30)
        finally:
            chat.kill()
        out, err = chat.stdout.read().decode(), chat.stderr.read().decode()
    assert chat.returncode == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert "Tạm biệt! Tiến độ học đã được lưu." in out
