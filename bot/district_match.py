"""Old districts (before 1/7/2025) in what residents type: one named alone, or after a unit."""

import functools

from bot.handlers.folding import fold

# A district's kind words as typed, folded, to the kind its name in the areas file begins with.
_KINDS = {"quan": "quan", "q": "quan", "huyen": "huyen", "h": "huyen", "thi xa": "thi xa",
          "tx": "thi xa"}
_CITY = ("thanh pho ha noi", "tp ha noi", "ha noi")
# What an address writes before the unit's name: "tổ 5", "số 12 ngõ 3", "thôn Đoài".
_BEFORE_UNIT = {"to", "so", "ngo", "ngach", "hem", "thon", "xom", "khu", "cum", "doi", "ap",
                "nha", "duong", "pho", "dia", "chi", "tdp"}
_UNIT_KINDS = ("thi tran", "phuong", "xa")


@functools.lru_cache(maxsize=64)
def _table(names: tuple[str, ...]) -> dict[str, tuple[str, str]]:
    """Each district's name folded without its kind ("gia lam") to its kind and its name."""
    return {bare_name(name): (_kind(name), name) for name in names}


def _kind(name: str) -> str:
    """A district's kind, folded, as its name begins: "quan", "huyen" or "thi xa"."""
    return "thi xa" if fold(name).split()[:2] == ["thi", "xa"] else fold(name).split()[0]


def bare_name(name: str) -> str:
    """A district's name without its kind, folded: "Huyện Gia Lâm" -> "gia lam"."""
    return " ".join(fold(name).split()[len(_kind(name).split()):])


def _kind_and_rest(words: list[str]) -> tuple[str, list[str]]:
    for size in (2, 1):
        kind = _KINDS.get(" ".join(words[:size]))
        if kind and len(words) > size:
            return kind, words[size:]
    return "", words


def _without_city(words: list[str]) -> list[str]:
    for city in _CITY:
        size = len(city.split())
        if len(words) > size and " ".join(words[-size:]) == city:
            return words[:-size]
    return words


def named_alone(typed: str, names: tuple[str, ...]) -> str | None:
    """The old district `typed` names and nothing else ("huyện Gia Lâm", "quan cau giay",
    "Gia Lâm"), as the areas file names it; None when it names a unit too, or no district."""
    words = _without_city(fold(typed).split())
    if len(words) > 1 and words[-1] == "cu":  # "cũ": the old one
        words = words[:-1]
    _, rest = _kind_and_rest(words)
    found = _table(names).get(" ".join(rest))
    return found[1] if found else None  # "huyện Nam Từ Liêm": a quận, still that district


def as_address(typed: str, names: tuple[str, ...]) -> str:
    """`typed` as the address form the area matching reads: what an address writes before
    the unit's kind word left out ("tổ 5 phường Dịch Vọng Hậu" -> "phuong dich vong hau"),
    and a district written after a comma without its kind word given it ("phường Dịch Vọng
    Hậu, Cầu Giấy" -> "... quan cau giay"; without the comma it may end a unit's own name:
    "Tả Thanh Oai"); folded, or `typed` itself when it is none."""
    parts = [fold(part).split() for part in typed.split(",")]
    parts = [part for part in parts if part]
    if not parts:
        return typed
    words = [word for part in parts for word in part]
    start = next((index for index in range(1, len(words))
                  for kind in _UNIT_KINDS if words[index:index + len(kind.split())]
                  == kind.split() and len(words) > index + len(kind.split())), None)
    changed = False
    if start is not None and (words[0] in _BEFORE_UNIT or words[0].isdigit()):
        dropped = start
        changed = True
        while parts and dropped >= len(parts[0]):  # the parts the dropped words filled
            dropped -= len(parts.pop(0))
        parts[0] = parts[0][dropped:]
    while len(parts) > 1 and " ".join(parts[-1]) in _CITY:  # ", Hà Nội"
        parts.pop()
        changed = True
    table = _table(names)
    last = _without_city(parts[-1]) if len(parts) > 1 else []
    kind, rest = _kind_and_rest(last)
    if len(parts) > 1 and not kind and " ".join(rest) in table:  # ", Cầu Giấy"
        parts[-1] = [*table[" ".join(rest)][0].split(), *rest]
        changed = True
    return " ".join(word for part in parts for word in part) if changed else typed
