"""The engine knows no platform: bot/handlers and bot/lessons import no messenger or web library."""

import ast
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT

FORBIDDEN = {"telegram", "aiohttp", "zalo", "bot.channels", "jinja2.loaders"}
ENGINE = [PROJECT_ROOT / "bot" / "handlers", PROJECT_ROOT / "bot" / "lessons"]


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
