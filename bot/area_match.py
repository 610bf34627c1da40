"""Find the place a resident means from what they typed: no diacritics, a typo, a kind word."""

from rapidfuzz.distance import OSA

from bot.areas import Area
from bot.handlers.folding import PLACE_KINDS, fold, place_key

MAX_CHOICES = 5
# Edits (insert, delete, change, swap two neighbours) that turn one name into another.
distance = OSA.distance
# Words that say what kind of place was typed, folded, to the names' first words they fit.
_KINDS = {"phuong": "phuong", "p": "phuong", "xa": "xa", "x": "xa", "dac khu": "dac",
          "thon": "thon", "to": "to"}


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
