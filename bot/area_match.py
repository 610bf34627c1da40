"""Find the place a resident means from what they typed: no diacritics, a typo, a kind word."""

import functools
import re
from dataclasses import dataclass

from rapidfuzz.distance import OSA

from bot.areas import Area
from bot.handlers.folding import PLACE_KINDS, fold, place_key

MAX_CHOICES = 5
# Edits (insert, delete, change, swap two neighbours) that turn one name into another.
distance = OSA.distance
# Words that say what kind of place was typed, folded, to the names' first words they fit.
_KINDS = {"phuong": "phuong", "p": "phuong", "xa": "xa", "x": "xa", "dac khu": "dac",
          "thon": "thon", "to": "to", "thi tran": "thi", "tt": "thi"}


def _allowed_edits(key: str) -> int:
    # A slip in a name of 5-8 letters ("hog ha"), two in a longer one; none in a short name
    # or a number, where one edit already makes another real place.
    squeezed = key.replace(" ", "")
    if squeezed.isdigit() or len(squeezed) <= 4:
        return 0
    return 1 if len(squeezed) <= 8 else 2


def _kind(text: str) -> str:
    words = fold(text).split()
    for size in (2, 1):
        kind = _KINDS.get(" ".join(words[:size]))
        if kind and len(words) > size:
            return kind
    return ""


_VILLAGE_KINDS = PLACE_KINDS | {"thon", "to", "dan", "pho", "so", "ban", "ap", "xom"}


def _key(name: str, level: int) -> str:
    """A place name folded without its kind words; villages also lose "tổ dân phố số"."""
    if level < 2:
        return place_key(name)
    words = fold(name).split()
    while len(words) > 1 and words[0] in _VILLAGE_KINDS:
        words = words[1:]
    return " ".join(words)


def match(typed: str, places: list[Area]) -> list[Area]:
    """The places `typed` may mean, best first: one exact match, else up to five close ones."""
    if not places:
        return []
    level = places[0].level
    key = _key(typed, level)
    squeezed = key.replace(" ", "")
    if not squeezed or (len(squeezed) < 2 and not squeezed.isdigit()):
        return []
    kind = _kind(typed)
    # A typed kind word ("xã Hồng Hà") settles a name shared by a ward and a commune.
    fitting = [place for place in places
               if not kind or fold(place.name).split()[0] == kind] or places
    exact = [place for place in fitting if same_name(typed, place)]
    if exact:
        return exact[:MAX_CHOICES]
    scored = []
    for place in fitting:
        name_key = _key(place.name, level)
        edits = distance(squeezed, name_key.replace(" ", ""))
        if edits <= _allowed_edits(name_key):
            scored.append((edits, place.name, place))
        elif len(key) >= 3 and (name_key + " ").startswith(key + " "):
            scored.append((3, place.name, place))  # the first word(s) of a longer name
    return [place for _, _, place in sorted(scored, key=lambda item: item[:2])][:MAX_CHOICES]


def same_name(typed: str, place: Area) -> bool:
    """Whether `typed` is the place's name, give or take diacritics, case and kind words."""
    return _key(typed, place.level) == _key(place.name, place.level)


@dataclass(frozen=True)
class OldName:
    """An old unit (before a merger) the resident named, and where its residents live now."""

    name: str  # as the act names it, without the district: "Phường Minh Khai"
    where: str  # the district the act adds to tell two of one name apart, or "quận Hai Bà Trưng"
    now: tuple[Area, ...]


# "(quận Hai Bà Trưng)" after an old unit's name: which of two units of that name.
_DISTRICT = re.compile(r"\s*\(((?:quận|huyện|thị xã|thành phố) ([^)]+))\)\s*$")


@functools.lru_cache(maxsize=4096)
def _old_keys(name: str) -> tuple[str, str, str]:
    """An old unit's kind ("phuong", "xa", "thi"), its name folded without the kind word,
    and that with its district's name ("minh khai hai ba trung"), or ""."""
    district = _DISTRICT.search(name)
    words = fold(name[:district.start()] if district else name).split()
    kind = ""
    for size in (2, 1):  # one kind word, once: "Phường Phương Mai" is "phuong mai"
        if len(words) > size and _KINDS.get(" ".join(words[:size])) in ("phuong", "xa", "thi"):
            kind, words = _KINDS[" ".join(words[:size])], words[size:]
            break
    key = " ".join(words)
    return kind, key, f"{key} {fold(district.group(2))}" if district else ""


# Words that name a district ("quận Ba Đình", "Q. Ba Đình") and the city that may follow a unit's
# name in an address, folded.
_DISTRICT_KINDS = tuple(kind.split() for kind in ("thi xa", "thanh pho", "quan", "huyen", "tx",
                                                  "tp", "q"))
_CITY = tuple(city.split() for city in ("thanh pho ha noi", "tp ha noi", "ha noi"))


# The units an old district of each kind held before 1/7/2025, by their kind words: a quận
# only phường, a huyện xã and thị trấn (a thị xã or a thành phố held both kinds).
_HELD = {"quan": {"phuong"}, "q": {"phuong"}, "huyen": {"xa", "thi"}}


def _address(words: list[str]) -> tuple[list[str], str, str]:
    """A unit's name (folded words) as an address writes it, the district after it and that
    district's kind word: "phuong phuc xa quan ba dinh ha noi" is "phuong phuc xa" of "ba
    dinh", a "quan"."""
    for city in _CITY:
        if len(words) > len(city) and words[-len(city):] == city:
            words = words[:-len(city)]
            break
    for start in range(1, len(words)):  # a name's own word ("Văn Quán") ends it
        for kind in _DISTRICT_KINDS:
            if words[start:start + len(kind)] == kind and start + len(kind) < len(words):
                return words[:start], " ".join(words[start + len(kind):]), " ".join(kind)
    return words, "", ""


def unit_name(typed: str) -> str:
    """`typed` without the district and city after the unit's name ("Hồng Hà, quận Hoàn
    Kiếm"), folded; "" when it names neither."""
    words = fold(typed).split()
    name = _address(words)[0]
    return " ".join(name) if len(name) < len(words) else ""


def fits_district(typed: str, name: str) -> bool:
    """Whether the unit named `name` ("Xã Chương Dương") can be the one an old address means
    by the district typed after its name: "Chương Dương, quận Hoàn Kiếm" was a phường."""
    held = _HELD.get(_address(fold(typed).split())[2])
    kind = (fold(name).split() or [""])[0]
    return held is None or kind in held


def _typed_keys(typed: str) -> list[tuple[str, str, str]]:
    """What `typed` may name, with the kind it asks for and the district typed after it: as
    typed, and without a leading kind word ("phuong mai" may be Phường Phương Mai, or Phường
    Mai); an old address as residents still write it ("phường Phúc Xá, quận Ba Đình, Hà Nội",
    "Phúc Xá cũ") also as its name and district."""
    words = fold(typed).split()
    if len(words) > 1 and words[-1] == "cu":  # "cũ": the old one
        words = words[:-1]
    keys = [("", words)]
    for size in (2, 1):
        kind = _KINDS.get(" ".join(words[:size]))
        if kind and len(words) > size:
            keys.append((kind, words[size:]))
            break
    found = [(kind, " ".join(name), "") for kind, name in keys]
    for kind, name in keys:
        bare, district, _ = _address(name)
        found.append((kind, " ".join(bare), district))
    return list(dict.fromkeys(found))


def _names(key: str, district: str, old_key: str, with_district: str) -> bool:
    """Whether a typed name (and district) is an old unit's: a district typed must be the one
    the act gives, when it gives one (two units of one name); else the name alone decides."""
    if district:
        return f"{key} {district}" == with_district if with_district else key == old_key
    return key in (old_key, with_district)


def _edits(key: str, district: str, old_key: str, with_district: str) -> int:
    """How many edits a typed name is from an old unit's (with the district, when both say)."""
    if district and with_district:
        key, old_key = f"{key} {district}", with_district
    return distance(key.replace(" ", ""), old_key.replace(" ", ""))


def former(typed: str, places: list[Area], *, close: bool = False) -> list[OldName]:
    """The old units `typed` names, give or take diacritics, case and a kind word, each with
    the places its residents live in now; with `close`, when none is named exactly, those a
    typo away. Parts of an old unit that took no residents along are left out."""
    keys = [(kind, key, district) for kind, key, district in _typed_keys(typed)
            if len(key.replace(" ", "")) >= 2 and not key.replace(" ", "").isdigit()]
    found: dict[tuple[str, str, str], tuple[str, list[Area]]] = {}  # one old unit, however spelt
    best = None  # the fewest edits of a close name so far
    for place in places:
        for old in place.formerly:
            if not old.has_residents:
                continue
            old_kind, old_key, with_district = _old_keys(old.name)
            asked = [(key, district) for kind, key, district in keys
                     if (not kind or kind == old_kind) and fits_district(typed, old.name)]
            if any(_names(key, district, old_key, with_district) for key, district in asked):
                edits = 0
            elif close and asked:
                edits = min(_edits(key, district, old_key, with_district)
                            for key, district in asked)
                if edits > _allowed_edits(old_key):
                    continue
            else:
                continue
            if best is not None and edits > best:
                continue
            if best is None or edits < best:
                best, found = edits, {}
            now = found.setdefault(_old_keys(old.name), (old.name, []))[1]
            if place not in now:
                now.append(place)
    return [OldName(_DISTRICT.sub("", name), district.group(1) if district else "",
                    tuple(now))
            for name, now in found.values()
            for district in [_DISTRICT.search(name)]]
