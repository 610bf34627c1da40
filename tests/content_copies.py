"""A copy of the content folder holding only some courses: the shared texts, the areas, those
courses and the pictures they show (what the content check needs of them)."""

import re
import shutil
from pathlib import Path

from bot.config import PROJECT_ROOT

CONTENT = PROJECT_ROOT / "content"
_IMAGE = re.compile(r"^\s*image: (\S+)$", re.MULTILINE)


def copy_with_courses(courses: tuple[str, ...] | list[str], target: Path) -> Path:
    """`target` made a content folder of the shared texts, the areas and `courses`."""
    for part in ("templates", "areas", *courses):
        shutil.copytree(CONTENT / part, target / part)
    (target / "images").mkdir()
    for course in target.glob("*/course*.yaml"):
        for image in _IMAGE.findall(course.read_text(encoding="utf-8")):
            shutil.copyfile(CONTENT / image, target / image)
    return target
