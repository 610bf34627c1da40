"""`hocso content check`: load all content, render every message, apply the teaching rules."""

from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

import yaml
from jinja2 import TemplateError

from bot.areas import read_yaml
from bot.lessons.flags import FLAGS_FILE, FlagsError, lesson_problems, load_flag_rules
from bot.lessons.loader import MAX_OPTION_CHARS, ContentError, load_library
from bot.lessons.model import BASE_LOCALE, Library, Question
from bot.lessons.render import (
    SAMPLE_NAME,
    Renderer,
    check_templates,
    every_address,
    render_question,
)
from bot.lessons.style import legal_code_problems, longest_answer_warnings, picture_problems

# Zalo's Bot API takes 2,000 characters per text message, Telegram 4,096: the smaller wins.
MAX_MESSAGE_CHARS = 2000


def _feedback_problems(renderer: Renderer, question: Question, where: str) -> list[str]:
    """Name every right/wrong feedback message of `question` that is too long to send."""
    problems = []
    for number in range(1, len(question.options) + 1):
        if question.is_correct(number):
            text = renderer.message("right", explanation=question.explanation)
        else:
            text = renderer.message("wrong", why=question.why(number),
                                    answer=question.options[question.answer - 1],
                                    explanation=question.explanation)
        if len(text) > MAX_MESSAGE_CHARS:
            problems.append(f"{where}.options[{number - 1}]: feedback is {len(text)} "
                            f"characters, more than {MAX_MESSAGE_CHARS}")
    return problems


def _simpler_problems(renderer: Renderer, simpler: str, where: str) -> list[str]:
    """A step's plainer wording is sent on its own when the learner says "tôi không hiểu"."""
    try:
        text = renderer.course_text(simpler, name=SAMPLE_NAME)
    except TemplateError as error:
        return [f"{where}: does not render: {error}"]
    if len(text) > MAX_MESSAGE_CHARS:
        return [f"{where}: message is {len(text)} characters, more than {MAX_MESSAGE_CHARS}"]
    return []


def _check_messages(library: Library) -> list[str]:
    """Render every step and question as each learner would see it, in every way a learner
    may be addressed (the longest decides whether a message fits)."""
    # One renderer for every form: it keeps a text rendered with the values it reads, so a
    # text that reads no form of address (most of them) is rendered once, not once a form.
    renderer, problems = Renderer(library.templates), []
    defaults = renderer.defaults
    for address in every_address(library.templates):
        renderer.defaults = {**defaults, **address}
        problems += _check_addressed(library, renderer)
    return list(dict.fromkeys(problems))


def _check_addressed(library: Library, renderer: Renderer) -> list[str]:
    problems: list[str] = []
    for course in library.courses:
        where = f"{Path(library.content_dir).name}/{course.id}/course.yaml"
        for li, lesson in enumerate(course.lessons):
            for si, step in enumerate(lesson.steps):
                field = f"lessons[{li}].steps[{si}].text"
                try:
                    body = renderer.course_text(step.text, name=SAMPLE_NAME)
                except TemplateError as error:
                    problems.append(f"{where}: {field}: does not render: {error}")
                    continue
                text = renderer.message("step", lesson=lesson.title, number=si + 1,
                                        total=len(lesson.steps), text=body)
                if step.check:
                    at = f"{where}: lessons[{li}].steps[{si}].check"
                    check = _rendered(renderer, step.check, at, problems)
                    if check is None:
                        continue
                    text += "\n\n" + renderer.message("check", question=check.question)
                    problems += _feedback_problems(renderer, check, at)
                if len(text) > MAX_MESSAGE_CHARS:
                    problems.append(f"{where}: {field}: message is {len(text)} characters, "
                                    f"more than {MAX_MESSAGE_CHARS}")
                if step.simpler:
                    problems += _simpler_problems(renderer, step.simpler,
                                                  f"{where}: lessons[{li}].steps[{si}].simpler")
            for qi, raw in enumerate(lesson.quiz):
                question = _rendered(renderer, raw, f"{where}: lessons[{li}].quiz[{qi}]",
                                     problems)
                if question is None:
                    continue
                text = renderer.message("question", number=qi + 1, total=len(lesson.quiz),
                                        question=question.question)
                if len(text) > MAX_MESSAGE_CHARS:
                    problems.append(f"{where}: lessons[{li}].quiz[{qi}].question: message is "
                                    f"{len(text)} characters, more than {MAX_MESSAGE_CHARS}")
                problems += _feedback_problems(renderer, question,
                                               f"{where}: lessons[{li}].quiz[{qi}]")
    return problems


def _check_commands(library: Library, content_dir: Path) -> list[str]:
    """Render each command's help line (shown by /tro_giup) in every form of address."""
    renderer, problems = Renderer(library.templates), []
    files = _command_files(content_dir, library.locale)
    for name, texts in library.commands.items():
        try:
            for address in every_address(library.templates):
                renderer.course_text(texts.help, name=SAMPLE_NAME, **address)
        except TemplateError as error:
            where = files.get(name, f"{content_dir.name}/templates/{library.locale}")
            problems.append(f"{where}: commands.{name}.help: does not render: {error}")
    return problems


def _command_files(content_dir: Path, locale: str) -> dict[str, str]:
    """Which file of the locale's texts words each command (to name it in a problem)."""
    files: dict[str, str] = {}
    for path in sorted((content_dir / "templates" / locale).glob("*.yaml")):
        raw = read_yaml(path.read_text(encoding="utf-8"))  # read once already by the loader
        commands = raw.get("commands") if isinstance(raw, dict) else None
        for name in commands if isinstance(commands, dict) else ():
            files[str(name)] = str(path.relative_to(content_dir.parent))
    return files


def _rendered(renderer: Renderer, question: Question, where: str,
              problems: list[str]) -> Question | None:
    """The question with its texts rendered, or None (and a problem) when one does not."""
    try:
        shown = render_question(renderer, question, name=SAMPLE_NAME)
    except TemplateError as error:
        problems.append(f"{where}: does not render: {error}")
        return None
    problems += [f"{where}.options[{n}]: is {len(option)} characters once written out, "
                 f"more than {MAX_OPTION_CHARS}" for n, option in enumerate(shown.options)
                 if len(option) > MAX_OPTION_CHARS]
    return shown


def _check_sources(library: Library) -> list[str]:
    """Every source needs the date its page was published (the loader lets one without
    it load, so that lessons run while an editor looks the date up)."""
    return [f"{Path(library.content_dir).name}/{course.id}/course.yaml: sources[{si}].published:"
            " missing: write the date the page shows, or 'không ghi ngày'"
            for course in library.courses for si, source in enumerate(course.sources)
            if not source.published]


def _check_flags(library: Library, content_dir: Path, *, editorial: bool = True) -> list[str]:
    """The scam check's flags file, and that every lesson it links to exists. A content
    folder without one (a course writer's draft folder) has no message check to break.
    A missing translation is the editor's to fix (`editorial`): the bot shows Vietnamese."""
    if not (content_dir / FLAGS_FILE).exists():
        return []
    try:
        rules = load_flag_rules(content_dir)
    except FlagsError as error:
        return error.problems
    where = f"{content_dir.name}/{FLAGS_FILE.as_posix()}"
    problems = lesson_problems(rules, library.lesson_ids(), where)
    for locale in library.locales:  # each sentence, in every way a learner is addressed
        texts = library.in_locale(locale).templates
        renderer = Renderer(texts)
        own = where if locale == BASE_LOCALE else where.replace(".yaml", f".{locale}.yaml")
        # Every locale words every flag: a warning the reader cannot read warns nobody.
        problems += [f"{own}: {key}: missing (learners reading {locale} would get Vietnamese)"
                     for key in (rules.untranslated(locale)
                                 if editorial and locale != BASE_LOCALE else ())]
        for flag in rules.words(locale)[1].values():
            try:
                for address in every_address(texts):
                    renderer.course_text(flag.explain, name=SAMPLE_NAME, **address)
            except TemplateError as error:
                problems.append(f"{own}: flags.{flag.code}.explain: does not render: {error}")
    return problems


def _command_problems(content_dir: Path, library: Library,
                      commands: Collection[str]) -> list[str]:
    """Name the words given for a command that no feature declares (a misspelt name would
    leave its slash name unanswered, though listed in Telegram's menu)."""
    problems = []
    for locale in library.locales:
        for path in sorted((content_dir / "templates" / locale).glob("*.yaml")):
            try:
                raw = read_yaml(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, yaml.YAMLError):
                continue  # the loader has named it
            named = raw.get("commands") if isinstance(raw, dict) else None
            where = path.relative_to(content_dir.parent)
            problems += [f"{where}: commands.{name}: no feature has this command"
                         for name in (named if isinstance(named, dict) else {})
                         if name not in commands]
    return problems


def check_content(content_dir: Path, samples: Mapping[str, Mapping[str, Any]], *,
                  commands: Collection[str] | None = None,
                  editorial: bool = True) -> tuple[Library | None, list[str]]:
    """Return the library and every problem found; an empty list means the content is good.
    `samples` are the features' sample values for every shared template (registry.py); each
    locale's templates render with them. `commands` are the features' command names, which
    the texts' `commands:` must name.
    Without `editorial`, the editor's rules (a source's missing publication date, legal codes
    in lesson text, picture sizes) are left to `hocso content check`, and serving goes ahead."""
    try:
        library = load_library(content_dir)
    except ContentError as error:
        return None, error.problems
    problems = [f"{content_dir.name}/templates/{locale}: {problem}"
                for locale in library.locales
                for problem in check_templates(library.in_locale(locale).templates, samples)]
    if commands is not None:
        problems += _command_problems(content_dir, library, commands)
    if problems:
        return library, problems
    # Every locale's messages must fit: a translation may be longer than the Vietnamese.
    messages = list(dict.fromkeys(problem for locale in library.locales
                                  for problem in _check_messages(library.in_locale(locale))))
    messages += [problem for locale in library.locales
                 for problem in _check_commands(library.in_locale(locale), content_dir)]
    if not editorial:
        return library, messages + _check_flags(library, content_dir, editorial=False)
    content = content_dir.name
    return library, (_check_sources(library) + messages + _check_flags(library, content_dir)
                     + [f"{content}/{problem}" for problem in legal_code_problems(library)]
                     + [f"{content}/{problem}" for problem in picture_problems(content_dir)])


def content_warnings(library: Library) -> list[str]:
    """Return what an editor should fix but that does not stop the bot: unfair quizzes."""
    return [f"{Path(library.content_dir).name}/{warning}"
            for warning in longest_answer_warnings(library)]

