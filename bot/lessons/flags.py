"""Read content/scam/flags.yaml: each red flag's plain explanation and its lessons, the
verdicts' wording, and who a message may claim to be with their real web sites."""

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from bot.areas import read_yaml

FLAGS_FILE = Path("scam") / "flags.yaml"
BASE_LOCALE = "vi"  # flags.yaml's own language; flags.<locale>.yaml words the others
VERDICTS = ("scam", "suspicious", "no_signs", "reminder", "advice")
KINDS = ("police", "gov", "bank", "utility", "bhxh", "tax", "delivery", "telecom", "company")
# Every flag bot/listening/scam.py raises: the file must word each one, and only these.
CODES = ("otp_request", "link_fake", "link_short", "link_ip", "link_apk", "link_odd",
         "install_app", "remote_app", "call_forward", "kin_friend", "urgency", "secrecy",
         "money_request", "family_emergency",
         "task", "prize", "loan", "easy_job", "invest", "gambling", "recovery", "id_request",
         "personal_number", "foreign_number", "new_number", "borrow", "wrong_transfer",
         "benefit_link", "account_request", *(f"claim_{kind}" for kind in KINDS))
# The lists of words under `signs:` the checker reads (docs/CONTENT.md, "Red flags").
SIGNS = ("preface", "relatives", "emergency", "new_number", "borrowing", "wrong_transfer",
         "benefits")
_DOMAIN = re.compile(r"^(?:[a-z0-9-]+\.)+[a-z]{2,}$")
_WORDS = re.compile(r"^[a-z0-9&]+(?: [a-z0-9&]+)*$")  # folded: no diacritics, lower case


@dataclass(frozen=True)
class FlagText:
    """What the resident reads about one red flag, and the lessons ("course/lesson") on it."""

    code: str
    explain: str
    lessons: tuple[str, ...]


@dataclass(frozen=True)
class Brand:
    """Someone a message may claim to be: how messages name them and their real domains."""

    name: str
    kind: str
    words: tuple[str, ...]
    domains: tuple[str, ...]


@dataclass(frozen=True)
class Translation:
    """One locale's words (flags.<locale>.yaml): verdicts and flag sentences by key."""

    verdicts: dict[str, str]
    explain: dict[str, str]


@dataclass(frozen=True)
class FlagRules:
    """The whole file, with its translations."""

    verdicts: dict[str, str]
    flags: dict[str, FlagText]
    brands: tuple[Brand, ...]
    translations: dict[str, Translation] = field(default_factory=dict)
    # Folded phrases the rules read, by sign ("relatives": "bo", "me", ...): see SIGNS.
    signs: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def words(self, locale: str) -> tuple[dict[str, str], dict[str, FlagText]]:
        """The verdicts and flags in `locale`; Vietnamese where it has no words of its own."""
        own = self.translations.get(locale)
        if own is None:
            return self.verdicts, self.flags
        return ({**self.verdicts, **own.verdicts},
                {code: replace(flag, explain=own.explain[code]) if code in own.explain else flag
                 for code, flag in self.flags.items()})

    def untranslated(self, locale: str) -> list[str]:
        """The flag codes and verdict keys that have no words in `locale`."""
        own = self.translations.get(locale, Translation({}, {}))
        return ([f"verdicts.{key}" for key in VERDICTS if key not in own.verdicts]
                + [f"flags.{code}.explain" for code in self.flags if code not in own.explain])


class FlagsError(Exception):
    """The file cannot be used; `problems` lists every 'file: field: message'."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def _texts(value: Any) -> tuple[str, ...] | None:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        return None
    return tuple(item.strip() for item in value)


def load_flag_rules(content_dir: Path, codes: tuple[str, ...] = CODES) -> FlagRules:
    """Load the file, or raise FlagsError naming every problem. `codes`: the flags the checker
    can raise; each needs its text here, and nothing else may be here."""
    path = content_dir / FLAGS_FILE
    where = f"{content_dir.name}/{FLAGS_FILE.as_posix()}"
    try:
        raw = read_yaml(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise FlagsError([f"{where}: cannot be read: {error}"]) from error
    problems: list[str] = []
    if not isinstance(raw, dict):
        raise FlagsError([f"{where}: must be a mapping with verdicts, flags and brands"])
    verdicts_raw = raw.get("verdicts")
    verdicts_raw = verdicts_raw if isinstance(verdicts_raw, dict) else {}
    verdicts = {}
    for key in VERDICTS:
        value = verdicts_raw.get(key)
        if not isinstance(value, str) or not value.strip():
            problems.append(f"{where}: verdicts.{key}: must be non-empty text")
        else:
            verdicts[key] = " ".join(value.split())
    if "an toàn" in (verdicts.get("no_signs", "") + verdicts.get("reminder", "")).lower():
        problems.append(f"{where}: verdicts.no_signs: must not tell the resident the message "
                        "is 'an toàn' (safe): a trick we do not know yet finds no sign")
    flags: dict[str, FlagText] = {}
    flags_raw = raw.get("flags")
    flags_raw = flags_raw if isinstance(flags_raw, dict) else {}
    if not flags_raw:
        problems.append(f"{where}: flags: must be a mapping of flag codes")
    for code, node in flags_raw.items():
        field = f"{where}: flags.{code}"
        if code not in codes:
            problems.append(f"{field}: unknown flag (the checker knows {', '.join(codes)})")
        explain = node.get("explain") if isinstance(node, dict) else None
        lessons = _texts(node.get("lessons")) if isinstance(node, dict) else None
        if not isinstance(explain, str) or not explain.strip():
            problems.append(f"{field}.explain: must be one sentence of plain Vietnamese")
            continue
        if not lessons or not all(lesson.count("/") == 1 for lesson in lessons):
            problems.append(f"{field}.lessons: must list lessons as course-id/lesson-id")
            continue
        flags[code] = FlagText(code, " ".join(explain.split()), lessons)
    problems += [f"{where}: flags.{code}: missing: the checker raises it"
                 for code in codes if code not in flags_raw]
    brands = []
    brands_raw = raw.get("brands")
    for index, node in enumerate(brands_raw if isinstance(brands_raw, list) else []):
        field = f"{where}: brands[{index}]"
        if not isinstance(node, dict):
            problems.append(f"{field}: must be a mapping")
            continue
        words, domains = _texts(node.get("words")), _texts(node.get("domains") or [])
        if node.get("kind") not in KINDS:
            problems.append(f"{field}.kind: must be one of {', '.join(KINDS)}")
        if not words or not all(_WORDS.match(word) for word in words):
            problems.append(f"{field}.words: must list words in lower case without diacritics")
        if domains is None or not all(_DOMAIN.match(domain) for domain in domains):
            problems.append(f"{field}.domains: must list domains such as evn.com.vn")
        if not problems:
            brands.append(Brand(str(node.get("name", "")), node["kind"], words or (),
                                domains or ()))
    if not brands and not problems:
        problems.append(f"{where}: brands: must list who messages may claim to be")
    signs = _signs(raw.get("signs"), where, problems)
    translations = {}
    for translated in sorted(path.parent.glob("flags.*.yaml")):
        locale = translated.name.split(".")[1]
        translations[locale] = _translation(translated, f"{content_dir.name}/{FLAGS_FILE.parent}"
                                            f"/{translated.name}", codes, problems)
    if problems:
        raise FlagsError(problems)
    return FlagRules(verdicts, flags, tuple(brands), translations, signs)


def _signs(raw: Any, where: str, problems: list[str]) -> dict[str, tuple[str, ...]]:
    """`signs:`: for each name of SIGNS, a list of phrases in lower case without diacritics."""
    raw = raw if isinstance(raw, dict) else {}
    signs = {}
    for name in raw:
        if name not in SIGNS:
            problems.append(f"{where}: signs.{name}: unknown (the checker reads "
                            f"{', '.join(SIGNS)})")
    for name in SIGNS:
        words = _texts(raw.get(name))
        if not words or not all(_WORDS.match(word) for word in words):
            problems.append(f"{where}: signs.{name}: must list phrases in lower case without "
                            "diacritics")
        else:
            signs[name] = words
    return signs


def _translation(path: Path, where: str, codes: tuple[str, ...],
                 problems: list[str]) -> Translation:
    """One flags.<locale>.yaml: `verdicts` and `flags.<code>.explain`, nothing else (the
    lessons and brands are flags.yaml's). What it leaves out is named by the content check."""
    try:
        raw = read_yaml(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        problems.append(f"{where}: cannot be read: {error}")
        return Translation({}, {})
    if not isinstance(raw, dict) or set(raw) - {"verdicts", "flags"}:
        problems.append(f"{where}: must be a mapping with verdicts and flags only (the lessons "
                        "and brands are flags.yaml's)")
        return Translation({}, {})
    verdicts: dict[str, str] = {}
    for key, value in (raw.get("verdicts") or {}).items():
        if key not in VERDICTS or not isinstance(value, str) or not value.strip():
            problems.append(f"{where}: verdicts.{key}: must be one of {', '.join(VERDICTS)}, "
                            "as non-empty text")
        else:
            verdicts[key] = " ".join(value.split())
    explain: dict[str, str] = {}
    for code, node in (raw.get("flags") or {}).items():
        text = node.get("explain") if isinstance(node, dict) else None
        if code not in codes:
            problems.append(f"{where}: flags.{code}: unknown flag")
        elif not isinstance(node, dict) or set(node) != {"explain"} \
                or not isinstance(text, str) or not text.strip():
            problems.append(f"{where}: flags.{code}: must have `explain` (one sentence) only; "
                            "its lessons are flags.yaml's")
        else:
            explain[code] = " ".join(text.split())
    return Translation(verdicts, explain)


def lesson_problems(rules: FlagRules, lesson_ids: dict[str, tuple[str, ...]],
                    where: str) -> list[str]:
    """Name every flag lesson that no course has (`lesson_ids`: Library.lesson_ids())."""
    problems = []
    for flag in rules.flags.values():
        for ref in flag.lessons:
            course, lesson = ref.split("/")
            if lesson not in lesson_ids.get(course, ()):
                problems.append(f"{where}: flags.{flag.code}.lessons: no lesson '{ref}'")
    return problems
