"""Render course texts and the shared message templates with a sandboxed jinja2."""

import functools
import hashlib
import logging
import os
import re
import stat
import unicodedata
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import FileSystemBytecodeCache, StrictUndefined, Template, TemplateError, meta, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment

from bot.lessons.model import Question

SAMPLE_NAME = "Nguyễn Thị Minh Khai"
# How the learner may be addressed (bot/handlers/address.py); "ban" until they choose. Each
# form's words are texts of the language: address_you_<form>, address_me_<form>, and
# address_polite_<form> (the particle that ends a polite sentence, or nothing).
ADDRESS_FORMS = ("ong", "ba", "bac", "co", "chu", "anh", "chi", "em", "ban")
DEFAULT_ADDRESS = "ban"


def address_values(templates: Mapping[str, str], form: str) -> dict[str, str]:
    """The placeholders every text may use for `form`: you, You, me, Me and polite."""
    form = form if form in ADDRESS_FORMS else DEFAULT_ADDRESS
    you, me = templates[f"address_you_{form}"], templates[f"address_me_{form}"]
    particle = templates[f"address_polite_{form}"]
    return {"you": you, "You": you[:1].upper() + you[1:], "me": me,
            "Me": me[:1].upper() + me[1:], "polite": f" {particle}" if particle else ""}


# Titles a name may already begin with: Zalo's "Bà Lan", a typed "Cô Hoa". Said after the
# learner's form ("bác {{ name }}"), they would read "bác Bà Lan", "cô Cô Hoa". "Ông" and
# "bà" are never part of a given name; "anh", "chị" or "em" may be ("Anh Thư"), so those are
# dropped only when they repeat the form the learner chose.
NAME_TITLES = ("ông", "bà")


def address_name(name: str, you: str) -> str:
    """The name as said after `you` (the learner's form): without a title it begins with."""
    first, _, rest = name.strip().partition(" ")
    if rest.strip() and first.casefold() in {you.casefold(), *NAME_TITLES}:
        return rest.strip()
    return name


# A full name says the family name first and the given name last: "Nguyễn Thị Hoa" is
# called "cô Hoa". A name of three words or more is full when it begins with one of the most
# common family names or has "Thị" or "Văn" second; of two words, when it begins with a family
# name that is no given name ("Nguyễn Hoa", "Thị Hoa"; "Mai Anh", "Hoàng Anh" stay whole).
_FAMILY = ("nguyễn trần lê phạm hoàng huỳnh phan vũ võ đặng bùi đỗ hồ ngô dương lý đinh trịnh "
           "đoàn lương mai cao lâm tạ tô hà trương châu quách thái tăng lưu")
FAMILY_NAMES = frozenset(_FAMILY.split())
_ONLY_FAMILY = "nguyễn trần lê phạm huỳnh phan võ đặng bùi đỗ ngô trịnh đinh đoàn thị văn"
ONLY_FAMILY_NAMES = frozenset(_ONLY_FAMILY.split())
MIDDLE_NAMES = frozenset({"thị", "văn"})


def given_name(name: str) -> str:
    """The given name of a full name ("Nguyễn Thị Hoa" -> "Hoa"), else the name as it is:
    Học Số calls a learner "cô Hoa"; their certificate and their mentor keep the whole name."""
    words = name.split()
    first, second = (unicodedata.normalize("NFC", word.casefold()) for word in [*words, "", ""][:2])
    if (len(words) >= 3 and (first in FAMILY_NAMES or second in MIDDLE_NAMES)) or (
            len(words) == 2 and first in ONLY_FAMILY_NAMES):
        return words[-1]
    return name


# The forms said before a person's name when others speak of them ("bác Tư", "bà Mai"); a
# learner called "em" or "bạn" is named alone.
TITLED_FORMS = ("ong", "ba", "bac", "co", "chu", "anh", "chi")


def called_name(templates: Mapping[str, str], name: str, form: str) -> str:
    """`name` as others say it, after the form its owner chose to be called by ("Tư" called
    "bác": "bác Tư"); `templates`: Vietnamese ones, whose forms are part of a name said in
    any language."""
    if form not in TITLED_FORMS or not name.strip():
        return name
    title = templates[f"address_you_{form}"]
    return f"{title} {address_name(name, title)}"


log = logging.getLogger("hocso")
_ENV = ImmutableSandboxedEnvironment(
    undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False
)


def _grouped(number: int, separator: str) -> str:
    """A whole number with its thousands apart: "2.000" in Vietnamese, "2,000" in English."""
    return f"{number:,}".replace(",", separator)


_ENV.filters["grouped"] = _grouped
# A sentence that opens with a name said with its form: "{{ name|upfirst }} cần giúp đỡ" is
# "Bác Tư cần giúp đỡ" (jinja's `capitalize` would lower the rest: "Bác tư").
_ENV.filters["upfirst"] = lambda text: str(text)[:1].upper() + str(text)[1:]
# Compiling the ~3,300 texts of all courses and languages took 2.5 s of CPU in every process
# that renders them (bench/RESULTS.md, issue 18). Their Python code is kept in jinja's bytecode
# cache, keyed by the text itself and jinja's release (each file also holds Python's version
# and jinja's bytecode format), so that later processes load it instead. The files are code
# this process runs: jinja's default directory is private to the user, and one the settings
# name must be too. Named for what they were compiled as; another environment's code must
# never be taken.
_CACHE_NAME = f"hocso-text-sandboxed-strict-1-jinja{jinja2.__version__}-"
_cache: FileSystemBytecodeCache | None = None
_cache_chosen = False


class _Cache(FileSystemBytecodeCache):
    """jinja's cache of compiled texts on disk, whose failing to write only costs the next
    process a compile: a start never fails for a full or read-only disk."""

    def dump_bytecode(self, bucket: Any) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError as error:
            log.debug("compiled texts are not kept: %s", error)


def cache_compiled_texts(directory: Path | None) -> None:
    """Keep compiled texts in `directory` (made private if new), or in jinja's own private
    temporary directory for this user when None (HOCSO_TEMPLATE_CACHE_DIR)."""
    global _cache, _cache_chosen
    try:
        if directory is not None:
            directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            _check_private(directory)
        _cache = _Cache(str(directory) if directory is not None else None)
    except (OSError, RuntimeError) as error:  # no safe place: every process compiles
        log.warning("compiled texts are not kept between runs: %s", error)
        _cache = None
    _cache_chosen = True


def _check_private(directory: Path) -> None:
    """Refuse a named directory others could write code into, as jinja refuses its own: it
    must be a real directory of this user that nobody else may open."""
    info = directory.lstat()
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() \
            or info.st_mode & 0o077:
        raise RuntimeError(f"{directory} is not a directory private to this user (chmod 700)")


def _compiled_code(source: str) -> Any:
    """The Python code of `source`: from the cache when a process compiled it before."""
    if not _cache_chosen:
        cache_compiled_texts(None)
    if _cache is None:
        return _ENV.compile(source)
    # Straight from the cache, not through a loader: the sandbox keeps no way to load
    # another template ({% include %} and the like fail as before).
    key = _CACHE_NAME + hashlib.sha256(source.encode("utf-8")).hexdigest()
    bucket = _cache.get_bucket(_ENV, key, None, source)  # jinja checks the source too
    if bucket.code is None:
        bucket.code = _ENV.compile(source)  # unnamed, as before: errors read the same
        _cache.set_bucket(bucket)
    return bucket.code


@functools.lru_cache(maxsize=4096)
def _compile(source: str) -> Template:
    """The compiled template, shared by every Renderer: a Tutor built for each test, or again
    for edited content, compiles only what it has not seen."""
    template = _ENV.template_class.from_code(_ENV, _compiled_code(source),
                                             _ENV.make_globals(None))
    # Its globals are a ChainMap that every render copies key by key: as a plain dict,
    # a render takes a third of the time.
    template.globals = dict(template.globals)
    return template


# What starts jinja's tags; a text without any is plain text, whatever else it holds.
_TAGS = ("{{", "{%", "{#")
_LINE_BREAKS = re.compile(r"\r\n?")


@functools.lru_cache(maxsize=4096)
def _fixed(source: str) -> str | None:
    """The rendered text of a plain text (no jinja tag); None for a template, rendered each
    time. What jinja renders plain text to (its line breaks as "\n") is told without parsing
    or compiling it. Parsing every template to find the few whose tags use no placeholder
    took ~0.5 s of CPU at each start, and none of the shipped texts is one (issue 18)."""
    if any(tag in source for tag in _TAGS):
        return None
    return _LINE_BREAKS.sub("\n", source).strip()


_PLAIN = frozenset({str, int, float, bool, type(None)})
# Rendered texts a Renderer keeps, and their characters (texts and the values in their keys):
# then it starts again. The characters bound it, not the count alone: a forwarded message of
# up to 4,096 characters is a value too (the mentor's card), and 20,000 such held ~350 MB.
MAX_RENDERED = 20_000
MAX_RENDERED_CHARS = 4_000_000  # about 10 MB
MAX_KEPT_VALUE = 100  # characters: a name, a form of address, a place; not a message


@functools.lru_cache(maxsize=4096)
def _placeholders(source: str) -> tuple[str, ...] | None:
    """The values a template reads, found once; None for one that calls jinja's `lipsum`
    (random words) or its `random` filter (a pick), whose rendering is never kept. Its other
    globals and filters always give the same."""
    tree = _ENV.parse(source)
    if any(name.name == "lipsum" for name in tree.find_all(nodes.Name)) or any(
            used.name == "random" for used in tree.find_all(nodes.Filter)):
        return None
    return tuple(sorted(meta.find_undeclared_variables(tree)))


def render_question(renderer: "Renderer", question: Question, **values: Any) -> Question:
    """The question with its author's texts rendered ({{ you }} and the like)."""
    def text(source: str) -> str:
        return renderer.course_text(source, **values) if source else source

    return replace(question, question=text(question.question),
                   options=tuple(text(option) for option in question.options),
                   explanation=text(question.explanation),
                   feedback=tuple(text(why) for why in question.feedback))


class Renderer:
    """Compiles templates once and renders them; content never reaches Python code."""

    def __init__(self, templates: dict[str, str]) -> None:
        # Texts without placeholders (most button labels and many steps) are rendered once:
        # rendering cost more than the rest of a turn's Python work.
        self._fixed = {key: text for key, src in templates.items()
                       if (text := _fixed(src)) is not None}
        self._compiled = {key: (src, _compile(src)) for key, src in templates.items()
                          if key not in self._fixed}
        self._course_texts: dict[str, Any] = {}
        # Texts rendered before, by template and the values of the placeholders it reads:
        # learners mostly read the same texts with the same words ("bạn"), and rendering was
        # a twentieth of a web chat request's CPU (bench/RESULTS.md, issue 18).
        self._rendered: dict[tuple[Any, ...], str] = {}
        self._rendered_chars = 0
        # Words for a learner who has not chosen how to be called (and for whoever a message
        # outside a turn is for); a learner's own come with the values.
        self.defaults = address_values(templates, DEFAULT_ADDRESS) \
            if f"address_you_{DEFAULT_ADDRESS}" in templates else {}

    def message(self, key: str, **values: Any) -> str:
        """Render the shared template `key` with `values`."""
        fixed = self._fixed.get(key)
        if fixed is not None:
            return fixed
        return self._render(*self._compiled[key], {**self.defaults, **values})

    def course_text(self, source: str, **values: Any) -> str:
        """Render a text written by a course author (a step, a question, an option), or a
        command's help line: placeholders such as {{ name }} and {{ you }}."""
        template = self._course_texts.get(source)
        if template is None:
            fixed = _fixed(source)
            template = self._course_texts[source] = fixed if fixed is not None else _compile(
                source)
        if isinstance(template, str):
            return template
        return self._render(source, template, {**self.defaults, **values})

    def _render(self, source: str, template: Template, values: dict[str, Any]) -> str:
        """The template rendered with `values`; kept when the placeholders it reads all have
        plain values (a text's words can change only with those)."""
        names = _placeholders(source)
        read = [values.get(name, values) for name in names] if names is not None else [values]
        kinds = [type(value) for value in read]  # True and 1 are equal, but read differently
        # A missing value, one that is not plain, or a resident's own words (a forwarded
        # message on the mentor's card): rendered, never kept in memory for later.
        if not _PLAIN.issuperset(kinds) or any(
                type(value) is str and len(value) > MAX_KEPT_VALUE for value in read):
            return template.render(**values).strip()
        key = (source, *read, *kinds)
        text = self._rendered.get(key)
        if text is None:
            text = template.render(**values).strip()
            size = len(text) + sum(len(value) for value in read if type(value) is str)
            if len(self._rendered) >= MAX_RENDERED or \
                    self._rendered_chars + size > MAX_RENDERED_CHARS:
                self._rendered.clear()
                self._rendered_chars = 0
            self._rendered[key] = text
            self._rendered_chars += size
        return text

    def for_anyone(self, source: str) -> str:
        """An author's text shown to someone else than a learner taking it (a mentor's card,
        an organizer's report): the learner called "bạn", no name."""
        return self.course_text(source, name="")


def check_templates(templates: Mapping[str, str],
                    samples: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Return the problems of shared templates: missing, unknown or failing to render with
    the sample values that the features declare for them (StrictUndefined turns a misspelt
    placeholder into an error here instead of at a learner)."""
    problems = [f"missing template '{key}'" for key in samples if key not in templates]
    problems += [f"unknown template '{key}'" for key in templates if key not in samples]
    for key, values in samples.items():
        if key not in templates:
            continue
        try:
            template = _compile(templates[key])
            for address in every_address(templates):
                template.render(**{**address, **values})
        except TemplateError as error:
            problems.append(f"template '{key}' does not render: {error}")
    return problems


def every_address(templates: Mapping[str, str]) -> list[dict[str, str]]:
    """The placeholders of every way the learner may be addressed (none where the texts do
    not say: a missing text is named by the check), each set once: a text renders the same
    for two forms worded alike, such as English's nine "you"."""
    try:
        forms = [address_values(templates, form) for form in ADDRESS_FORMS]
    except KeyError:
        return [{}]
    return list({tuple(values.items()): values for values in forms}.values())
