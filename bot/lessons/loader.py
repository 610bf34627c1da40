"""Read content/ into a Library, checking every field; each error names its file and field."""

import hashlib
import re
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from bot.areas import load_areas, read_yaml
from bot.lessons.model import (
    BASE_LOCALE,
    CommandTexts,
    Course,
    Lesson,
    Library,
    Question,
    Source,
    Step,
)

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,15}$")
SLASH_PATTERN = re.compile(r"[a-z0-9_]{1,32}")  # what Telegram takes as a command
UNDATED = "không ghi ngày"  # a source's `published` when the page itself shows no date
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".webp"}
MAX_OPTION_CHARS = 60


class ContentError(Exception):
    """Content that cannot be used; `problems` lists every 'file: field: message'."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class _Reader:
    """Collects problems while pulling typed fields out of parsed YAML."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[str] = []

    def problem(self, where: str, message: str) -> None:
        self.problems.append(f"{self.file}: {where}: {message}")

    def mapping(self, value: Any, where: str, allowed: set[str]) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.problem(where, "must be a mapping of fields")
            return {}
        for key in value:
            if key not in allowed:
                self.problem(f"{where}.{key}" if where else str(key), "unknown field")
        return value

    def text(self, node: dict[str, Any], key: str, where: str) -> str:
        value = node.get(key)
        if not isinstance(value, str) or not value.strip():
            self.problem(f"{where}{key}", "must be non-empty text")
            return ""
        return value.strip()

    def ident(self, node: dict[str, Any], key: str, where: str, seen: set[str]) -> str:
        value = node.get(key)
        if not isinstance(value, str) or not ID_PATTERN.match(value):
            self.problem(f"{where}{key}", "must be 1-16 characters: a-z, 0-9 and '-'")
            return str(value)
        if value in seen:
            self.problem(f"{where}{key}", f"duplicate id '{value}'")
        seen.add(value)
        return value

    def items(self, node: dict[str, Any], key: str, where: str) -> list[Any]:
        value = node.get(key)
        if not isinstance(value, list) or not value:
            self.problem(f"{where}{key}", "must be a non-empty list")
            return []
        return value


def _question(reader: _Reader, raw: Any, where: str, seen: set[str] | None) -> Question:
    allowed = {"id", "question", "options", "answer", "explanation"} if seen is not None else {
        "question", "options", "answer", "explanation"}
    node = reader.mapping(raw, where, allowed)
    prefix = f"{where}."
    qid = reader.ident(node, "id", prefix, seen) if seen is not None else "check"
    options = node.get("options")
    if not isinstance(options, list) or not 2 <= len(options) <= 4:
        reader.problem(f"{prefix}options", "must list 2 to 4 options")
        options = []
    texts, feedback = [], []
    for i, option in enumerate(options):
        text, why = _option(reader, option, f"{prefix}options[{i}]")
        texts.append(text)
        feedback.append(why)
    answer = node.get("answer")
    if not isinstance(answer, int) or isinstance(answer, bool) or not options or not (
        1 <= answer <= len(options)
    ):
        reader.problem(f"{prefix}answer", f"must be an option number from 1 to {len(options)}")
        answer = 1
    else:
        if feedback[answer - 1]:
            reader.problem(f"{prefix}options[{answer - 1}].why",
                           "the right option needs no `why`: `explanation` says why it is right")
        for i, (text, why) in enumerate(zip(texts, feedback, strict=True)):
            if text and not why and i != answer - 1:
                reader.problem(f"{prefix}options[{i}]",
                               "a wrong option needs a `why`: say why this choice is wrong")
    return Question(
        id=qid,
        question=reader.text(node, "question", prefix),
        options=tuple(texts),
        answer=answer,
        explanation=reader.text(node, "explanation", prefix),
        feedback=tuple(feedback) if any(feedback) else (),
    )


def _option(reader: _Reader, raw: Any, where: str) -> tuple[str, str]:
    """Read one option: plain text, or a mapping of its `text` and `why` it is right or wrong."""
    if isinstance(raw, dict):
        node = reader.mapping(raw, where, {"text", "why"})
        text = reader.text(node, "text", f"{where}.")
        why = reader.text(node, "why", f"{where}.") if "why" in node else ""
    elif isinstance(raw, str) and raw.strip():
        text, why = raw.strip(), ""
    else:
        reader.problem(where, "must be non-empty text, or a mapping with `text` and `why`")
        return "", ""
    if len(text) > MAX_OPTION_CHARS:
        reader.problem(where, f"longer than {MAX_OPTION_CHARS} characters")
    if text.isdigit():  # on Zalo it stands beside the option's own number: "2. 3"
        reader.problem(where, "a bare number reads like the option's number; write it in words")
    return text, why


def _step(reader: _Reader, raw: Any, where: str, seen: set[str], content_dir: Path) -> Step:
    node = reader.mapping(raw, where, {"id", "text", "simpler", "image", "check"})
    prefix = f"{where}."
    image = node.get("image")
    if image is not None:
        path = (content_dir / str(image)).resolve()
        if not isinstance(image, str) or path.suffix.lower() not in IMAGE_SUFFIXES:
            reader.problem(f"{prefix}image", "must name a .png, .jpg, .gif or .webp file")
        elif content_dir.resolve() not in path.parents or not path.is_file():
            reader.problem(f"{prefix}image", f"file '{image}' not found under content/")
    check = node.get("check")
    return Step(
        id=reader.ident(node, "id", prefix, seen),
        text=reader.text(node, "text", prefix),
        image=image if isinstance(image, str) else None,
        check=_question(reader, check, f"{prefix}check", None) if check is not None else None,
        simpler=reader.text(node, "simpler", prefix) if "simpler" in node else None,
    )


def _phrases(reader: _Reader, node: dict[str, Any], key: str, prefix: str,
             min_words: int = 1) -> tuple[str, ...]:
    """A course's or lesson's `keywords`, a lesson's `asks` or `not_taught`: a list of texts,
    each non-empty and of at least `min_words` words, none twice."""
    raw = node.get(key)
    what = {1: "words or phrases", 2: "tasks"}.get(min_words, "example questions")
    if not isinstance(raw, list) or not raw:
        reader.problem(f"{prefix}{key}", f"must be a non-empty list of {what}")
        return ()
    words: list[str] = []
    for i, word in enumerate(raw):
        if isinstance(word, int) and not isinstance(word, bool):
            word = str(word)  # a bare number such as 156 (the hotline) is the word written
        if isinstance(word, bool):  # YAML reads a bare yes, no, on or off as true/false
            reader.problem(f"{prefix}{key}[{i}]", "wrap this word in double quotes")
        elif not isinstance(word, str) or not word.strip():
            reader.problem(f"{prefix}{key}[{i}]", "must be non-empty text")
        elif word.strip().lower() in (w.lower() for w in words):
            reader.problem(f"{prefix}{key}[{i}]", f"'{word.strip()}' is listed twice")
        elif len(word.split()) < min_words:
            # An example is a whole question as a resident types it; a lone word belongs in
            # `keywords`.
            reader.problem(f"{prefix}{key}[{i}]",
                           f"'{word.strip()}' is not a question: write at least {min_words} "
                           "words, or put it in keywords" if key == "asks" else
                           f"'{word.strip()}' is too short: name the task in at least "
                           f"{min_words} words (what is done, to what)")
        else:
            words.append(word.strip())
    return tuple(words)


def _lesson(reader: _Reader, raw: Any, where: str, seen: set[str], content_dir: Path) -> Lesson:
    node = reader.mapping(raw, where,
                          {"id", "title", "keywords", "asks", "not_taught", "steps", "quiz"})
    prefix = f"{where}."
    step_ids: set[str] = set()
    question_ids: set[str] = set()
    return Lesson(
        id=reader.ident(node, "id", prefix, seen),
        title=reader.text(node, "title", prefix),
        steps=tuple(
            _step(reader, raw_step, f"{prefix}steps[{i}]", step_ids, content_dir)
            for i, raw_step in enumerate(reader.items(node, "steps", prefix))
        ),
        quiz=tuple(
            _question(reader, raw_q, f"{prefix}quiz[{i}]", question_ids)
            for i, raw_q in enumerate(reader.items(node, "quiz", prefix))
        ),
        keywords=_phrases(reader, node, "keywords", prefix) if "keywords" in node else (),
        asks=_phrases(reader, node, "asks", prefix, min_words=3) if "asks" in node else (),
        not_taught=(_phrases(reader, node, "not_taught", prefix, min_words=2)
                    if "not_taught" in node else ()),
    )


def _date(reader: _Reader, node: dict[str, Any], key: str, prefix: str,
          partial: bool) -> str | None:
    """A date field as YYYY-MM-DD text; `partial` also allows YYYY-MM or YYYY, for pages that
    give no day."""
    raw = node.get(key)
    text = raw.isoformat() if isinstance(raw, date) else str(raw)
    shape = r"\d{4}(-\d{2}(-\d{2})?)?" if partial else r"\d{4}-\d{2}-\d{2}"
    try:
        if not re.fullmatch(shape, text):
            raise ValueError(text)
        date.fromisoformat(text + "-01-01"[len(text) - 4:])  # a year or month means its first day
    except ValueError:
        written = f"YYYY-MM-DD (or YYYY-MM, YYYY, '{UNDATED}')" if partial else "YYYY-MM-DD"
        reader.problem(f"{prefix}{key}", f"must be a date written {written}")
        return None
    return text


def _source(reader: _Reader, raw: Any, where: str) -> Source:
    node = reader.mapping(raw, where, {"title", "url", "published", "checked"})
    prefix = f"{where}."
    url = reader.text(node, "url", prefix)
    if url and not url.startswith(("https://", "http://")):
        reader.problem(f"{prefix}url", "must start with https:// or http://")
    published = node.get("published")
    # Some official pages show no date: say so rather than guess. A source with none at all
    # still loads, for the lessons to run; `content check` refuses it (check.py).
    if published not in (UNDATED, None):
        published = _date(reader, node, "published", prefix, partial=True)
    checked = _date(reader, node, "checked", prefix, partial=False)
    if published and published != UNDATED and checked and checked < published:
        reader.problem(f"{prefix}checked", "cannot be before the page was published")
    return Source(title=reader.text(node, "title", prefix), url=url, published=published or "",
                  checked=checked or "")


def load_course(path: Path, content_dir: Path,
                translation: Path | None = None) -> tuple[Course | None, list[str], int]:
    """Parse one course file, with the texts of a translation over it (course.<locale>.yaml,
    the same ids; what it leaves out stays as written); return the course (None if
    unusable), problems and its order."""
    relative = path.relative_to(content_dir.parent) if content_dir.parent in path.parents else path
    reader = _Reader(str(relative))
    raw_bytes = path.read_bytes()
    try:
        raw = read_yaml(raw_bytes.decode("utf-8"))
        if translation is not None:
            raw = _overlay(raw, read_yaml(translation.read_text(encoding="utf-8")))
    except (UnicodeDecodeError, yaml.YAMLError) as error:
        hint = (" (a one-line value that contains ': ' must be wrapped in double quotes)"
                if "mapping values are not allowed" in str(error) else "")
        reader.problem("(file)", f"not valid UTF-8 YAML{hint}: {error}")
        return None, reader.problems, 0
    allowed = {"id", "title", "keywords", "summary", "audience", "sources", "lessons", "order"}
    node = reader.mapping(raw, "", allowed)
    lesson_ids: set[str] = set()
    course = Course(
        id=reader.ident(node, "id", "", set()),
        title=reader.text(node, "title", ""),
        summary=reader.text(node, "summary", ""),
        audience=reader.text(node, "audience", ""),
        sources=tuple(
            _source(reader, raw_source, f"sources[{i}]")
            for i, raw_source in enumerate(reader.items(node, "sources", ""))
        ),
        lessons=tuple(
            _lesson(reader, raw_lesson, f"lessons[{i}]", lesson_ids, content_dir)
            for i, raw_lesson in enumerate(reader.items(node, "lessons", ""))
        ),
        version=hashlib.sha256(raw_bytes).hexdigest()[:12],
        keywords=_phrases(reader, node, "keywords", "") if "keywords" in node else (),
    )
    course = _with_heard(course, content_dir, reader)
    order = node.get("order", 100)
    if not isinstance(order, int):
        reader.problem("order", "must be a whole number")
        order = 100
    return course, reader.problems, order


def _with_heard(course: Course, content_dir: Path, reader: _Reader) -> Course:
    """The course with each lesson's `heard` questions from content/questions/<course id>.yaml
    (lesson id: list of questions), when that file exists."""
    path = content_dir / "questions" / f"{course.id}.yaml"
    if not course.id or not path.exists():
        return course
    where = f"questions/{course.id}.yaml: "
    try:
        raw = read_yaml(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError) as error:
        reader.problem(f"{where}(file)", f"not valid UTF-8 YAML: {error}")
        return course
    if not isinstance(raw, dict):
        reader.problem(f"{where}(file)", "must map lesson ids to lists of questions")
        return course
    ids = {lesson.id for lesson in course.lessons}
    for lesson_id in raw:
        if lesson_id not in ids:
            reader.problem(f"{where}{lesson_id}", f"no lesson '{lesson_id}' in this course")
    return replace(course, lessons=tuple(
        replace(lesson, heard=_phrases(reader, raw, lesson.id, where))
        if lesson.id in raw else lesson for lesson in course.lessons))


def _overlay(base: Any, over: Any) -> Any:
    """`base` with the texts of `over` put in: mappings by key, lists of items with ids by
    id, other lists of the same length item by item. Nothing is added that `base` lacks."""
    if isinstance(base, dict) and isinstance(over, dict):
        # A step's simpler wording says its text again: with the text translated and not it,
        # a learner who asks to hear the step again would get it in Vietnamese.
        dropped = {"simpler"} if "text" in over and "simpler" not in over else set()
        return {key: _overlay(value, over[key]) if key in over else value
                for key, value in base.items() if key not in dropped}
    if isinstance(base, list) and isinstance(over, list):
        if all(isinstance(item, dict) and "id" in item for item in base + over):
            by_id = {item["id"]: item for item in over}
            return [_overlay(item, by_id[item["id"]]) if item["id"] in by_id else item
                    for item in base]
        return [_overlay(a, b) for a, b in zip(base, over, strict=True)] \
            if len(base) == len(over) else base
    return over if isinstance(over, type(base)) else base


def _command_texts(raw: Any, where: str, problems: list[str]) -> dict[str, CommandTexts]:
    """The `commands:` mapping of a texts file: each command's slash names, words, menu
    entry and help line."""
    if not isinstance(raw, dict):
        problems.append(f"{where}: commands: must map each command to its texts")
        return {}
    found = {}
    for name, node in raw.items():
        fields = node if isinstance(node, dict) else {}
        lists = {key: fields.get(key) or [] for key in ("slash", "words")}
        if not isinstance(node, dict) or set(node) - {"slash", "words", "menu", "help"} or \
                not all(isinstance(v, list) and all(isinstance(i, str) for i in v)
                        for v in lists.values()) or \
                not all(isinstance(fields.get(k, ""), str) for k in ("menu", "help")) or \
                not all(SLASH_PATTERN.fullmatch(slash) for slash in lists["slash"]):
            problems.append(f"{where}: commands.{name}: must have only slash (a list of a-z, "
                            "0-9 and _), words (a list), menu and help (texts)")
            continue
        found[str(name)] = CommandTexts(
            slash=tuple(lists["slash"]), words=tuple(lists["words"]),
            menu=str(fields.get("menu", "")).strip(), help=str(fields.get("help", "")).strip())
    return found


def load_texts(content_dir: Path, locale: str,
               ) -> tuple[dict[str, str], dict[str, CommandTexts], list[str]]:
    """Read one locale's shared texts, every content/templates/<locale>/*.yaml: message
    templates by name, and the commands' words under `commands:`."""
    templates: dict[str, str] = {}
    commands: dict[str, CommandTexts] = {}
    problems: list[str] = []
    # messages.yaml first: its commands lead the Telegram menu; features' files follow.
    for path in sorted((content_dir / "templates" / locale).glob("*.yaml"),
                       key=lambda path: (path.name != "messages.yaml", path.name)):
        where = str(path.relative_to(content_dir.parent))
        try:
            raw = read_yaml(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
            problems.append(f"{where}: (file): cannot be read as YAML: {error}")
            continue
        if not isinstance(raw, dict):
            problems.append(f"{where}: (file): must map each message name to its template text")
            continue
        for key, value in raw.items():
            if key == "commands":  # each file may give the words of its feature's commands
                for name, texts in _command_texts(value, where, problems).items():
                    if name in commands:
                        problems.append(f"{where}: commands.{name}: also written in another file")
                    commands[name] = texts
            elif key in templates:
                problems.append(f"{where}: {key}: also written in another file")
            elif isinstance(value, str):
                templates[str(key)] = value.strip()
            else:
                problems.append(f"{where}: {key}: must be a template text")
    return templates, commands, problems


def _merged(base: dict[str, CommandTexts],
            own: dict[str, CommandTexts]) -> dict[str, CommandTexts]:
    """A locale's command texts: its own words first, then Vietnamese ones (a learner who
    chose English may still type "tiếp"); its menu entry and help line, else Vietnamese."""
    merged = {}
    for name, texts in base.items():
        mine = own.get(name)
        if mine is None:
            merged[name] = texts
            continue
        merged[name] = CommandTexts(
            slash=tuple(dict.fromkeys(mine.slash + texts.slash)),
            words=tuple(dict.fromkeys(mine.words + texts.words)),
            menu=mine.menu or texts.menu, help=mine.help or texts.help)
    return merged


Loaded = tuple[Course | None, list[str], int]  # what load_course returns


def _courses(content_dir: Path, locale: str, problems: list[str],
             untranslated: dict[Path, Loaded]) -> list[Course]:
    """The courses in `locale`. A course with no translation in it is loaded once for every
    locale (kept in `untranslated`): loading each course again for each locale was 45 % of
    load_library's time, at every start and every `hocso content check` (issue 18)."""
    ranked: list[tuple[int, str, Course]] = []
    seen_ids: dict[str, str] = {}
    for path in sorted(content_dir.glob("*/course.yaml")):
        translation = path.with_name(f"course.{locale}.yaml")
        if translation.exists():
            loaded = load_course(path, content_dir, translation)
        elif path in untranslated:
            loaded = untranslated[path]
        else:
            loaded = untranslated[path] = load_course(path, content_dir)
        course, course_problems, order = loaded
        problems.extend(course_problems)
        if course is None:
            continue
        if course.id in seen_ids:
            problems.append(f"{path}: id: course id '{course.id}' is also used by "
                            f"{seen_ids[course.id]}")
        seen_ids[course.id] = str(path)
        ranked.append((order, course.id, course))
    return [course for _, _, course in sorted(ranked, key=lambda item: item[:2])]


def missing_texts(library: Library) -> dict[str, list[str]]:
    """For each locale but Vietnamese, what it has not translated (Vietnamese shows there)."""
    content_dir = Path(library.content_dir)
    missing = {}
    for locale in library.translations:
        own, commands, _ = load_texts(content_dir, locale)
        texts = [f"templates/{locale}: {key}" for key in library.templates if key not in own]
        texts += [f"templates/{locale}: commands.{name}" for name in library.commands
                  if name not in commands]
        texts += [f"{course.id}/course.{locale}.yaml: the whole course"
                  for course in library.courses
                  if not (content_dir / course.id / f"course.{locale}.yaml").exists()]
        missing[locale] = texts
    return missing


def load_library(content_dir: Path) -> Library:
    """Load every content/*/course.yaml, the shared texts of every locale and the areas, or
    raise ContentError. The library is Vietnamese; `translations` holds the others."""
    templates, commands, problems = load_texts(content_dir, BASE_LOCALE)
    if not templates:
        problems.append(f"{content_dir}/templates/{BASE_LOCALE}: (folder): no texts found")
    areas, area_problems = load_areas(content_dir)
    problems.extend(area_problems)
    base: dict[Path, Loaded] = {}
    courses = _courses(content_dir, BASE_LOCALE, problems, base)
    if not courses and not problems:
        problems.append(f"{content_dir}: (folder): no course.yaml found")
    translations = {}
    for folder in sorted((content_dir / "templates").iterdir()):
        if folder.is_dir() and folder.name != BASE_LOCALE:
            own, own_commands, own_problems = load_texts(content_dir, folder.name)
            problems.extend(own_problems)
            translations[folder.name] = Library(
                courses=tuple(_courses(content_dir, folder.name, problems, base)),
                templates={**templates, **own}, content_dir=str(content_dir), areas=areas,
                locale=folder.name, commands=_merged(commands, own_commands))
    if problems:
        raise ContentError(problems)
    return Library(courses=tuple(courses), templates=templates, content_dir=str(content_dir),
                   areas=areas, commands=commands, translations=translations)
