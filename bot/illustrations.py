"""`hocso content images`: render the SVG sources of lesson pictures to PNG in Chromium."""

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

# Messengers show PNG everywhere; SVG is what the team draws and edits (content/images/src/).
SOURCE_FOLDER = "images/src"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--hide-scrollbars",
                  "--force-device-scale-factor=1"]
_SIZE = re.compile(r"<svg\b[^>]*?\bwidth=\"(\d+)\"[^>]*?\bheight=\"(\d+)\"", re.DOTALL)


class IllustrationError(Exception):
    """An SVG source that cannot be rendered: no size, or Chromium failed."""


def svg_size(svg: str) -> tuple[int, int]:
    """Return the pixel width and height written on the root <svg> element."""
    match = _SIZE.search(svg)
    if match is None:
        raise IllustrationError('the <svg> element needs width="…" and height="…" in pixels')
    return int(match.group(1)), int(match.group(2))


def find_chromium() -> str:
    """Return the Chromium binary to render with, or raise if there is none."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    raise IllustrationError("Chromium is not installed (Debian: apt-get install chromium)")


def render(source: Path, target: Path, *, chromium: str) -> None:
    """Render one SVG file to a PNG of the SVG's own size."""
    width, height = svg_size(source.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as profile:
        result = subprocess.run(
            [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
             f"--window-size={width},{height}", f"--screenshot={target.resolve()}",
             source.resolve().as_uri()],
            capture_output=True, text=True, timeout=60, check=False)
    if result.returncode != 0 or not target.is_file():
        raise IllustrationError(f"Chromium failed: {result.stderr.strip()[-400:]}")


def render_all(content_dir: Path, pattern: str = "*") -> list[Path]:
    """Render each content/images/src/<pattern>.svg to content/images/<name>.png; return them."""
    chromium = find_chromium()
    written = []
    for source in sorted((content_dir / SOURCE_FOLDER).glob(f"{pattern}.svg")):
        target = content_dir / "images" / f"{source.stem}.png"
        try:
            render(source, target, chromium=chromium)
        except IllustrationError as error:
            raise IllustrationError(f"{source}: {error}") from error
        written.append(target)
    return written
