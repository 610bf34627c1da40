"""Find the area an operator means on the command line: its id, a place's own id, or its name."""

from typing import NamedTuple

from rapidfuzz import fuzz

from bot.areas import Area, Areas
from bot.handlers.folding import fold, place_key

SUGGESTIONS = 5


def _squeeze(text: str) -> str:
    return fold(text.replace("-", " ")).replace(" ", "")


def _keys(area: Area) -> set[str]:
    """How an operator may write the place: "hong-ha", "Phường Hồng Hà", "hong ha"."""
    return {_squeeze(area.id.rpartition("/")[2]), _squeeze(area.name),
            _squeeze(place_key(area.name))}


class Found(NamedTuple):
    """The one area meant, or none and the ids it may be: every area of that name (several),
    else the closest few, best first."""

    area_id: str | None
    several: bool = False
    close: tuple[str, ...] = ()


def find_area(areas: Areas, wanted: str) -> Found:
    """The area `wanted` names: "ha-noi/hong-ha", "hong-ha", "Phường Hồng Hà" or "hong ha"
    (of the close ones, a province or commune comes before a village)."""
    if areas.get(wanted):
        return Found(wanted)
    typed = _squeeze(wanted)
    named = [area.id for area in areas.by_id.values() if typed and typed in _keys(area)]
    if len(named) == 1:
        return Found(named[0])
    if named:
        return Found(None, several=True, close=tuple(named))
    scored = sorted((-max(fuzz.ratio(typed, key) for key in _keys(area)), area.level, area.id)
                    for area in areas.by_id.values())
    return Found(None, close=tuple(area_id for _, _, area_id in scored[:SUGGESTIONS]))
