"""Remember content that passed the start-up check, so that a restart with the same content and
code loads it without rendering every message again."""

import hashlib
import logging
import os
import sys
import threading
from collections.abc import Collection, Iterator, Mapping
from pathlib import Path
from typing import Any

import jinja2
import yaml

from bot.lessons.check import check_content
from bot.lessons.loader import load_library
from bot.lessons.model import Library

log = logging.getLogger(__name__)

# The check's verdict depends on the content and on the code that renders and checks it (the
# features' sample values and commands included): all of the bot package's Python.
CODE_DIR = Path(__file__).resolve().parent.parent
MARK_PREFIX = "content-checked-"


def _files(root: Path, suffix: str) -> Iterator[Path]:
    """The files under `root` ending `suffix`, in a fixed order, through linked folders too:
    the loader reads a course folder linked into the content folder like any other (rglob
    would not look inside it), and a folder linked twice or into itself is read once."""
    seen: set[str] = set()
    for folder, folders, names in os.walk(root, followlinks=True):
        seen.add(os.path.realpath(folder))
        folders[:] = sorted(name for name in folders
                            if os.path.realpath(os.path.join(folder, name)) not in seen)
        for name in sorted(names):
            if name.endswith(suffix) and os.path.isfile(os.path.join(folder, name)):
                yield Path(folder, name)


def fingerprint(content_dir: Path) -> str:
    """A digest of every file of `content_dir` and every Python file of the bot, with names,
    and of the Python, jinja and PyYAML that read and render them."""
    digest = hashlib.sha256(f"{sys.version} {jinja2.__version__} {yaml.__version__}".encode())
    for root, suffix in ((content_dir, ""), (CODE_DIR, ".py")):
        for path in _files(root, suffix):
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def check_for_serving(content_dir: Path, memo_dir: Path, samples: Mapping[str, Mapping[str, Any]],
                      *, commands: Collection[str]) -> tuple[Library | None, list[str]]:
    """`check_content` without the editor's rules, done once per content and code: a start
    that finds the mark of a passed check in `memo_dir` only loads the library. Rendering every
    message in every form of address is most of a start's work after imports (0.5-1 s of CPU),
    and a server restarted after a crash should answer again soon."""
    digest = fingerprint(content_dir)
    mark = memo_dir / (MARK_PREFIX + digest)
    key = (str(content_dir), digest)
    if _exists(mark):
        library = _loaded.get(key)
        return library or _remember(key, load_library(content_dir)), []
    library, problems = check_content(content_dir, samples, commands=commands, editorial=False)
    # Content replaced while it was checked (a deploy under way) is not what was checked.
    if library is not None and not problems and fingerprint(content_dir) == digest:
        library = _remember(key, library)
        try:
            memo_dir.mkdir(parents=True, exist_ok=True)
            for old in memo_dir.glob(MARK_PREFIX + "*"):
                old.unlink(missing_ok=True)
            mark.touch()
        except OSError as error:  # a read-only folder: the next start checks again
            log.warning("cannot remember the content check in %s: %s", memo_dir, error)
    return library, problems


# The libraries this process served, by content folder and fingerprint: a server started again
# in this process on the same content and code (the tests start dozens) is given the same
# Library, and with it what was built for it once (per_library: the question index, 0.3 s of
# CPU). The fingerprint costs 10 ms; loading the library 0.1 s (bench/RESULTS.md, issue 18).
_loaded: dict[tuple[str, str], Library] = {}
_KEPT = 4  # the oldest is dropped beyond these, as per_library keeps four
_remembering = threading.Lock()  # servers in this process start in threads of their own


def _remember(key: tuple[str, str], library: Library) -> Library:
    """The library kept for `key`: the one kept before, else `library`, kept from now."""
    with _remembering:
        kept = _loaded.get(key)
        if kept is not None:
            return kept
        if len(_loaded) >= _KEPT:
            del _loaded[next(iter(_loaded))]
        _loaded[key] = library
        return library


def _exists(mark: Path) -> bool:
    """Whether the mark is there; a folder this process may not read has none it can trust."""
    try:
        return mark.exists()
    except OSError:
        return False
