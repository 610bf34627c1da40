"""`hocso content images`: SVG sources become PNGs of their own size; shipped pictures match."""

import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from bot.illustrations import SOURCE_FOLDER, IllustrationError, svg_size
from tests.conftest import CONTENT_DIR, require
from tests.server import hocso_here

SVG = """<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}">
<rect width="{w}" height="{h}" fill="#1565c0"/>
<text x="10" y="40" font-family="sans-serif" font-size="24" fill="#fff">Chuyển tiền</text>
</svg>"""


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG file's header."""
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def test_the_command_renders_each_svg_at_its_own_size(tmp_path: Path) -> None:
    require(shutil.which("chromium") is not None, "Debian's chromium")
    sources = tmp_path / SOURCE_FOLDER
    sources.mkdir(parents=True)
    (sources / "rong.svg").write_text(SVG.format(w=320, h=200), encoding="utf-8")
    (sources / "cao.svg").write_text(SVG.format(w=200, h=360), encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "bot", "content", "images", "--dir",
                             str(tmp_path)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert png_size(tmp_path / "images" / "rong.png") == (320, 200)
    assert png_size(tmp_path / "images" / "cao.png") == (200, 360)
    assert result.stdout.count("wrote ") == 2
    # --only, through bot.cli.main in this process: the command's process ran above.
    again = hocso_here(tmp_path, "content", "images", "--dir", str(tmp_path), "--only", "ca*")
    assert again.returncode == 0 and again.stdout.decode().strip().endswith("cao.png")
    assert again.stdout.decode().count("wrote ") == 1


def test_an_svg_without_a_pixel_size_is_refused() -> None:
    with pytest.raises(IllustrationError, match="width"):
        svg_size('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"></svg>')


@pytest.mark.parametrize("source", sorted((CONTENT_DIR / SOURCE_FOLDER).glob("*.svg")),
                         ids=lambda path: path.name)
def test_every_shipped_svg_has_its_rendered_png(source: Path) -> None:
    rendered = CONTENT_DIR / "images" / f"{source.stem}.png"
    assert rendered.is_file(), f"run hocso content images: {rendered} is missing"
    assert png_size(rendered) == svg_size(source.read_text(encoding="utf-8"))
