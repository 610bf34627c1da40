"""The places a deployment serves (content/areas/*.yaml): province, commune or ward, village."""

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml, when PyYAML has it


def read_yaml(text: str) -> Any:
    """Parse YAML as yaml.safe_load does, ten times faster with libyaml. A file it refuses
    is read again by PyYAML's own parser, so authors see the same error messages."""
    try:
        return yaml.load(text, Loader=_FAST_LOADER)
    except yaml.YAMLError:
        return yaml.safe_load(text)

_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,15}$")
LEVELS = ("province", "commune", "village")  # tỉnh/thành phố, xã/phường/đặc khu, thôn/tổ dân phố


@dataclass(frozen=True)
class Area:
    """One place. Its id is a path ("ha-noi/hong-ha/tdp-1"), unique across the deployment."""

    id: str
    name: str
    level: int  # an index into LEVELS
    children: tuple[str, ...] = ()
    # Who issues certificates to the residents here (the organizer's name), if the file says.
    issuer: str = ""

    @property
    def parent(self) -> str:
        """The id of the place this one is part of; "" for a province."""
        return self.id.rpartition("/")[0]


@dataclass(frozen=True)
class Areas:
    """Every place of the deployment by id, provinces in file order."""

    by_id: dict[str, Area] = field(default_factory=dict)
    provinces: tuple[str, ...] = ()

    def get(self, area_id: str) -> Area | None:
        """Return the place with this id, if the deployment has it."""
        return self.by_id.get(area_id)

    def children(self, area_id: str) -> list[Area]:
        """The places directly below `area_id` ("" for the provinces), in file order."""
        ids = self.provinces if not area_id else self.by_id[area_id].children
        return [self.by_id[child] for child in ids]

    def chain(self, area_id: str) -> list[Area]:
        """The place and those above it, province first; [] for an unknown id."""
        parts = area_id.split("/") if area_id in self.by_id else []
        return [self.by_id["/".join(parts[: n + 1])] for n in range(len(parts))]

    def label(self, area_id: str) -> str:
        """A place named with what it is part of: "Tổ dân phố số 1, Phường Hồng Hà"."""
        return ", ".join(area.name for area in reversed(self.chain(area_id)[1:])) or (
            self.by_id[area_id].name if area_id in self.by_id else "")

    def issuer(self, area_id: str) -> str:
        """Who issues certificates in `area_id`: the nearest place at or above it that names
        an issuer; "" when none does (or the place is unknown)."""
        return next((area.issuer for area in reversed(self.chain(area_id)) if area.issuer), "")

    def contains(self, outer: str, inner: str) -> bool:
        """Whether `inner` is `outer` or lies below it ("" contains everything)."""
        return not outer or inner == outer or inner.startswith(outer + "/")


class _Problems(list[str]):
    def add(self, where: str, message: str) -> None:
        self.append(f"{where}: {message}")


def _place(raw: Any, where: str, parent: str, level: int, seen: set[str],
           problems: _Problems, found: dict[str, Area]) -> str | None:
    """Read one place and, recursively, the places below it; return its id."""
    below = {0: "communes", 1: "villages"}.get(level)
    allowed = {"id", "name", "sources", "issuer"} | ({below} if below else set())
    if not isinstance(raw, dict):
        problems.add(where, "must be a mapping with id and name")
        return None
    for key in raw:
        if key not in allowed:
            problems.add(f"{where}.{key}", "unknown field")
    ident, name = raw.get("id"), raw.get("name")
    if not isinstance(ident, str) or not _ID.match(ident):
        problems.add(f"{where}.id", "must be 2-16 characters: a-z, 0-9 and '-'")
        return None
    if not isinstance(name, str) or not name.strip():
        problems.add(f"{where}.name", "must be non-empty text")
        return None
    issuer = raw.get("issuer", "")
    if not isinstance(issuer, str):
        problems.add(f"{where}.issuer", "must be text")
        issuer = ""
    area_id = f"{parent}/{ident}" if parent else ident
    if area_id in seen:
        problems.add(f"{where}.id", f"duplicate id '{ident}'")
        return None
    seen.add(area_id)
    children: list[str] = []
    raw_children = raw.get(below, []) if below else []
    if not isinstance(raw_children, list) or (level == 0 and not raw_children):
        problems.add(f"{where}.{below}", "must be a non-empty list")
        raw_children = []
    for number, child in enumerate(raw_children):
        child_id = _place(child, f"{where}.{below}[{number}]", area_id, level + 1, seen,
                          problems, found)
        if child_id:
            children.append(child_id)
    found[area_id] = Area(area_id, " ".join(name.split()), level, tuple(children),
                          " ".join(issuer.split()))
    return area_id


def load_areas(content_dir: Path) -> tuple[Areas, list[str]]:
    """Read every content/areas/*.yaml (one province each); return the areas and problems."""
    problems = _Problems()
    found: dict[str, Area] = {}
    provinces: list[str] = []
    seen: set[str] = set()
    for path in sorted((content_dir / "areas").glob("*.yaml")):
        where = str(path.relative_to(content_dir.parent))
        try:
            raw = read_yaml(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
            problems.add(f"{where}: (file)", f"cannot be read as YAML: {error}")
            continue
        province = _place(raw, f"{where}: province", "", 0, seen, problems, found)
        if province:
            provinces.append(province)
    return Areas(found, tuple(provinces)), list(problems)
