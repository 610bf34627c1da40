"""Render course texts and the shared message templates with a sandboxed jinja2."""

import functools
from collections.abc import Mapping
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateError, meta
from jinja2.sandbox import ImmutableSandboxedEnvironment

SAMPLE_NAME = "Nguyễn Thị Minh Khai"


_ENV = ImmutableSandboxedEnvironment(
    undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False
)


@functools.lru_cache(maxsize=4096)
def _compile(source: str) -> Template:
    """The compiled template, shared by every Renderer: a Tutor built for each test, or again
    for edited content, compiles only what it has not seen."""
    template = _ENV.from_string(source)
    # Its globals are a ChainMap that every render copies key by key: as a plain dict,
    # a render takes a third of the time.
    template.globals = dict(template.globals)
    return template


@functools.lru_cache(maxsize=4096)
def _fixed(source: str) -> str | None:
    """The rendered text of a template without placeholders; None when it has some."""
    if meta.find_undeclared_variables(_ENV.parse(source)):
        return None
    return _compile(source).render().strip()


class Renderer:
    """Compiles templates once and renders them; content never reaches Python code."""

    def __init__(self, templates: dict[str, str]) -> None:
        self._compiled = {key: _compile(src) for key, src in templates.items()}
        # Texts without placeholders (most button labels and many steps) are rendered once:
        # rendering cost more than the rest of a turn's Python work.
        self._fixed = {key: text for key, src in templates.items()
                       if (text := _fixed(src)) is not None}
        self._course_texts: dict[str, Any] = {}

    def message(self, key: str, **values: Any) -> str:
        """Render the shared template `key` with `values`."""
        fixed = self._fixed.get(key)
        return fixed if fixed is not None else self._compiled[key].render(**values).strip()

    def course_text(self, source: str, **values: Any) -> str:
        """Render a step text written by a course author (placeholders such as {{ name }})."""
        template = self._course_texts.get(source)
        if template is None:
            fixed = _fixed(source)
            template = self._course_texts[source] = fixed if fixed is not None else _compile(
                source)
        return template if isinstance(template, str) else template.render(**values).strip()


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
            ImmutableSandboxedEnvironment(undefined=StrictUndefined).from_string(
                templates[key]
            ).render(**values)
        except TemplateError as error:
            problems.append(f"template '{key}' does not render: {error}")
    return problems
