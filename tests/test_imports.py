"""The engine knows no platform: bot/handlers, bot/listening and bot/lessons import no messenger
or web library."""

import ast
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT

FORBIDDEN = {"telegram", "aiohttp", "zalo", "bot.channels", "jinja2.loaders"}
ENGINE = [PROJECT_ROOT / "bot" / "handlers", PROJECT_ROOT / "bot" / "listening",
          PROJECT_ROOT / "bot" / "lessons"]


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", sorted(p for folder in ENGINE for p in folder.rglob("*.py")),
                         ids=lambda p: str(p.relative_to(PROJECT_ROOT)))
def test_engine_module_imports_no_platform(path: Path) -> None:
    bad = {name for name in imported_modules(path)
           if any(name == f or name.startswith(f + ".") for f in FORBIDDEN)}
    assert not bad, f"{path} imports {bad}"


def test_the_check_itself_catches_a_platform_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("from telegram import Bot\nimport aiohttp.web\n", encoding="utf-8")
    assert imported_modules(module) == {"telegram", "aiohttp.web"}


CHANNELS = PROJECT_ROOT / "bot" / "channels"


def tutor_internals_used(path: Path) -> set[str]:
    """`tutor.x` (or `self.tutor.x`) where x is the Tutor's storage or a private name."""
    used: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Attribute):
            continue
        owner = node.value
        on_tutor = (isinstance(owner, ast.Name) and owner.id == "tutor") or (
            isinstance(owner, ast.Attribute) and owner.attr == "tutor")
        if on_tutor and (node.attr == "repository" or node.attr.startswith("_")):
            used.add(node.attr)
    return used


@pytest.mark.parametrize("path", sorted(CHANNELS.rglob("*.py")),
                         ids=lambda p: str(p.relative_to(PROJECT_ROOT)))
def test_channels_use_the_tutor_not_its_storage(path: Path) -> None:
    assert not tutor_internals_used(path), f"{path} reaches into the Tutor"


def test_the_tutor_check_catches_a_reach_into_storage(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("await self.tutor.repository.set_reachable()\ntutor.handle(x)\n",
                      encoding="utf-8")
    assert tutor_internals_used(module) == {"repository"}
