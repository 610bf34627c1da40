"""The places a deployment serves (content/areas/*.yaml): province, commune or ward, village."""

import re
import unicodedata
from collections import defaultdict
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
# What an old unit in `formerly:` gave its new one, after ", " at the end of its name: nothing
# (all of it), "một phần" (part of its land and residents) or "một phần đất" (land only: the
# act moved all its residents elsewhere, so none of them live here now).
WHOLE, PART, LAND = "", "một phần", "một phần đất"


@dataclass(frozen=True)
class Former:
    """An old unit (before a merger) that a place took in, named as the act names it."""

    name: str  # "Phường Phúc Xá", "Phường Minh Khai (quận Hai Bà Trưng)"
    share: str = WHOLE

    @property
    def has_residents(self) -> bool:
        """Whether some of its residents now live in the place that took it in."""
        return self.share != LAND


@dataclass(frozen=True)
class Area:
    """One place. Its id is a path ("ha-noi/hong-ha/tdp-1"), unique across the deployment."""

    id: str
    name: str
    level: int  # an index into LEVELS
    children: tuple[str, ...] = ()
    # Who issues certificates to the residents here (the organizer's name), if the file says.
    issuer: str = ""
    formerly: tuple[Former, ...] = ()  # the old units merged into it (communes only)
    # A province's districts before 1/7/2025 ("Huyện Gia Lâm"), which residents still name.
    districts: tuple[str, ...] = ()

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
    allowed = {"id", "name", "sources", "issuer"} | ({below} if below else set()) | (
        {"formerly"} if level == 1 else set()) | ({"districts"} if level == 0 else set())
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
    formerly = _formerly(raw.get("formerly", []), f"{where}.formerly", problems)
    districts = raw.get("districts", [])
    if not isinstance(districts, list) or not all(
            isinstance(name, str) and name.strip() for name in districts):
        problems.add(f"{where}.districts", "must be a list of old district names")
        districts = []
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
                          " ".join(issuer.split()), formerly,
                          tuple(" ".join(unicodedata.normalize("NFC", name).split())
                                for name in districts))
    return area_id


def _formerly(raw: Any, where: str, problems: _Problems) -> tuple[Former, ...]:
    """Read a commune's `formerly:`: old unit names, each maybe ending ", một phần" or
    ", một phần đất"."""
    if not isinstance(raw, list):
        problems.add(where, "must be a list of old unit names")
        return ()
    found: list[Former] = []
    for number, entry in enumerate(raw):
        if not isinstance(entry, str) or not entry.strip():
            problems.add(f"{where}[{number}]", "must be non-empty text: an old unit's name")
            continue
        # NFC: an editor that writes decomposed letters must still be read as "một phần".
        name, _, share = " ".join(unicodedata.normalize("NFC", entry).split()).rpartition(", ")
        if not name:
            name, share = share, WHOLE
        if share not in (WHOLE, PART, LAND):
            problems.add(f"{where}[{number}]", f"'{share}' after the comma: write nothing (all"
                         f" of it), '{PART}' or '{LAND}'")
            continue
        if any(_same(name) == _same(old.name) for old in found):
            problems.add(f"{where}[{number}]", f"'{name}' is listed twice")
            continue
        found.append(Former(name, share))
    return tuple(found)


def _same(name: str) -> str:
    """A name compared without case or the place of its tone mark: "Trung Hoà" and "Trung Hòa"
    are one; "Sơn Đông" and "Sơn Đồng" are two units."""
    text = " ".join(unicodedata.normalize("NFC", name.casefold()).split())
    return _OLD_TONES.sub(lambda found: _NEW_TONES[found.group()], text)


# The old spelling puts the tone mark on the second vowel of "oa", "oe", "uy": "hoà", "thuỵ".
_NEW_TONES = {f"{first}{marked}": unicodedata.normalize("NFC", f"{first}{mark}{plain}")
              for first, plain, marks in (("o", "a", "àáảãạ"), ("o", "e", "èéẻẽẹ"),
                                          ("u", "y", "ỳýỷỹỵ"))
              for marked in marks
              for mark in [unicodedata.normalize("NFD", marked)[1]]}
_OLD_TONES = re.compile("|".join(_NEW_TONES))


def _check_splits(places: list[Area], where: str, problems: _Problems) -> None:
    """An old unit may be in several places only when it was split: marked a part in each;
    one marked a part must be in more than one place (where did the rest go?)."""
    places_of: dict[str, list[tuple[Area, Former]]] = defaultdict(list)
    for place in places:
        for old in place.formerly:
            places_of[_same(old.name)].append((place, old))
    for uses in places_of.values():
        name = uses[0][1].name
        if len(uses) > 1 and any(old.share == WHOLE for _, old in uses):
            problems.add(where, f"'{name}' is in {', '.join(place.name for place, _ in uses)}:"
                         f" an old unit split among places ends ', {PART}' in each")
        elif len(uses) == 1 and uses[0][1].share != WHOLE:
            problems.add(where, f"'{name}' is marked as a part but only "
                         f"{uses[0][0].name} lists it: where did the rest go?")
    # Two units of one name are told apart by their districts: one written bare beside one
    # with its district reads as a third unit to a resident who types the name.
    bare = {name for name in places_of if not _IN_DISTRICT.search(name)}
    for name, uses in places_of.items():
        plain = _IN_DISTRICT.sub("", name)
        if plain != name and plain in bare:
            problems.add(where, f"'{uses[0][1].name}' and '{places_of[plain][0][1].name}':"
                         " two units of one name each need their district")
            bare.discard(plain)


_IN_DISTRICT = re.compile(r"\s*\([^)]*\)$")  # "(quận Hai Bà Trưng)" after an old unit's name


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
            _check_splits([found[child] for child in found[province].children],
                          f"{where}: formerly", problems)
    return Areas(found, tuple(provinces)), list(problems)
