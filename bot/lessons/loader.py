"""Read content/ into a Library, checking every field; each error names its file and field."""

import hashlib
import re
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from bot.areas import load_areas, read_yaml
from bot.lessons.model import Course, Lesson, Library, Question, Source, Step

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,15}$")
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


def _keywords(reader: _Reader, node: dict[str, Any], prefix: str) -> tuple[str, ...]:
    """A lesson's `keywords`: a list of words or phrases, each non-empty text, none twice."""
    raw = node.get("keywords")
    if not isinstance(raw, list) or not raw:
        reader.problem(f"{prefix}keywords", "must be a non-empty list of words or phrases")
        return ()
    words: list[str] = []
    for i, word in enumerate(raw):
        if isinstance(word, int) and not isinstance(word, bool):
            word = str(word)  # a bare number such as 156 (the hotline) is the word written
        if isinstance(word, bool):  # YAML reads a bare yes, no, on or off as true/false
            reader.problem(f"{prefix}keywords[{i}]", "wrap this word in double quotes")
        elif not isinstance(word, str) or not word.strip():
            reader.problem(f"{prefix}keywords[{i}]", "must be non-empty text")
        elif word.strip().lower() in (w.lower() for w in words):
            reader.problem(f"{prefix}keywords[{i}]", f"'{word.strip()}' is listed twice")
        else:
            words.append(word.strip())
    return tuple(words)


def _lesson(reader: _Reader, raw: Any, where: str, seen: set[str], content_dir: Path) -> Lesson:
    node = reader.mapping(raw, where, {"id", "title", "keywords", "steps", "quiz"})
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
        keywords=_keywords(reader, node, prefix) if "keywords" in node else (),
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


def load_course(path: Path, content_dir: Path) -> tuple[Course | None, list[str], int]:
    """Parse one course file; return the course (None if unusable), problems and its order."""
    relative = path.relative_to(content_dir.parent) if content_dir.parent in path.parents else path
    reader = _Reader(str(relative))
    raw_bytes = path.read_bytes()
    try:
        raw = read_yaml(raw_bytes.decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError) as error:
        hint = (" (a one-line value that contains ': ' must be wrapped in double quotes)"
                if "mapping values are not allowed" in str(error) else "")
        reader.problem("(file)", f"not valid UTF-8 YAML{hint}: {error}")
        return None, reader.problems, 0
    allowed = {"id", "title", "summary", "audience", "sources", "lessons", "order"}
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
    )
    order = node.get("order", 100)
    if not isinstance(order, int):
        reader.problem("order", "must be a whole number")
        order = 100
    return course, reader.problems, order


def load_templates(content_dir: Path) -> tuple[dict[str, str], list[str]]:
    """Read the shared message templates from content/templates/messages.yaml."""
    path = content_dir / "templates" / "messages.yaml"
    where = str(path.relative_to(content_dir.parent))
    try:
        raw = read_yaml(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        return {}, [f"{where}: (file): cannot be read as YAML: {error}"]
    if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
        return {}, [f"{where}: (file): must map each message name to its template text"]
    return {str(key): value.strip() for key, value in raw.items()}, []


def load_library(content_dir: Path) -> Library:
    """Load every content/*/course.yaml, the templates and the areas, or raise ContentError."""
    templates, problems = load_templates(content_dir)
    areas, area_problems = load_areas(content_dir)
    problems.extend(area_problems)
    ranked: list[tuple[int, str, Course]] = []
    seen_ids: dict[str, str] = {}
    for path in sorted(content_dir.glob("*/course.yaml")):
        course, course_problems, order = load_course(path, content_dir)
        problems.extend(course_problems)
        if course is None:
            continue
        if course.id in seen_ids:
            problems.append(f"{path}: id: course id '{course.id}' is also used by "
                            f"{seen_ids[course.id]}")
        seen_ids[course.id] = str(path)
        ranked.append((order, course.id, course))
    if not ranked and not problems:
        problems.append(f"{content_dir}: (folder): no course.yaml found")
    if problems:
        raise ContentError(problems)
    courses = tuple(course for _, _, course in sorted(ranked, key=lambda item: item[:2]))
    return Library(courses=courses, templates=templates, content_dir=str(content_dir),
                   areas=areas)
