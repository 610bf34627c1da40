"""Frozen dataclasses for a course as authors write it in content/<course>/course.yaml."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from bot.areas import Areas

T = TypeVar("T")


@dataclass(frozen=True)
class Question:
    """A multiple-choice question: a quiz item or a step's inline check."""

    id: str
    question: str
    options: tuple[str, ...]
    answer: int  # 1-based number of the correct option
    explanation: str
    # Why each option is right or wrong, by position; "" where the author wrote none.
    feedback: tuple[str, ...] = ()

    def is_correct(self, choice: int) -> bool:
        """Tell whether the 1-based `choice` is the right option."""
        return choice == self.answer

    def why(self, choice: int) -> str:
        """Return the author's note on the 1-based `choice`, or "" when there is none."""
        return self.feedback[choice - 1] if 0 < choice <= len(self.feedback) else ""


@dataclass(frozen=True)
class Step:
    """One short message of a lesson, optionally with an image and a check question."""

    id: str
    text: str
    image: str | None = None
    check: Question | None = None
    # A plainer wording of `text`, sent when the learner says they did not understand.
    simpler: str | None = None


@dataclass(frozen=True)
class Lesson:
    """A few steps followed by a quiz."""

    id: str
    title: str
    steps: tuple[Step, ...]
    quiz: tuple[Question, ...]
    # Words and phrases residents use for this lesson's topic (synonyms, dialect, slang), which
    # lead their own questions here; never shown to them.
    keywords: tuple[str, ...] = ()
    # Example questions in residents' own words, written from the lesson's situation ("có
    # người gọi xưng công an bảo chuyển tiền"), which lead questions that describe a situation
    # rather than name the topic here; never shown to them.
    asks: tuple[str, ...] = ()
    # Tasks on this lesson's topic that it does not teach, as residents name them ("lấy lại mật
    # khẩu Facebook" beside a lesson on choosing a password), so that a question asking one
    # gets "no lesson for this yet" rather than this lesson; never shown to them.
    not_taught: tuple[str, ...] = ()
    # Questions residents asked that this lesson answers (content/questions/<course>.yaml),
    # read as more examples like `asks` (bench/RESULTS.md, "the labelled questions as
    # examples"); never shown to them.
    heard: tuple[str, ...] = ()

    def step_index(self, step_id: str) -> int | None:
        """Return the position of a step id, or None when the step is gone."""
        return next((i for i, step in enumerate(self.steps) if step.id == step_id), None)

    def question_index(self, question_id: str) -> int | None:
        """Return the position of a quiz question id, or None when it is gone."""
        return next((i for i, q in enumerate(self.quiz) if q.id == question_id), None)


@dataclass(frozen=True)
class Source:
    """Where a course's facts come from, when the page was published and when someone last
    checked that it still says so."""

    title: str
    url: str
    published: str
    checked: str


@dataclass(frozen=True)
class Course:
    """A course file: lessons plus the sources of its facts; `version` hashes the file."""

    id: str
    title: str
    summary: str
    audience: str
    sources: tuple[Source, ...]
    lessons: tuple[Lesson, ...]
    version: str
    # What residents call the course besides its title ("chuyển khoản" for "Thanh toán không
    # tiền mặt"): "muốn học chuyển khoản" opens it (bot/handlers/questions.py).
    keywords: tuple[str, ...] = ()

    def lesson(self, lesson_id: str) -> Lesson | None:
        """Return the lesson with this id, if the course still has it."""
        return next((lesson for lesson in self.lessons if lesson.id == lesson_id), None)

    def lesson_after(self, lesson_id: str) -> Lesson | None:
        """Return the lesson that follows `lesson_id`, or None at the end of the course."""
        ids = [lesson.id for lesson in self.lessons]
        if lesson_id not in ids or ids.index(lesson_id) + 1 >= len(ids):
            return None
        return self.lessons[ids.index(lesson_id) + 1]


BASE_LOCALE = "vi"  # every text exists in Vietnamese; other locales fall back to it
MENTOR_COURSE = "nguoi-kem"  # the course a volunteer passes before taking mentees


@dataclass(frozen=True)
class CommandTexts:
    """How learners of one locale reach a command: slash names (the first is shown in the
    Telegram menu), typed words, the menu entry and the help line."""

    slash: tuple[str, ...] = ()
    words: tuple[str, ...] = ()
    menu: str = ""
    help: str = ""


@dataclass(frozen=True)
class Library:
    """All courses in display order, the shared message templates, the commands' texts and
    the deployment's areas, in one locale; the Vietnamese library holds the translations."""

    courses: tuple[Course, ...]
    templates: dict[str, str]
    content_dir: str
    areas: Areas = field(default_factory=Areas)
    locale: str = BASE_LOCALE
    commands: dict[str, CommandTexts] = field(default_factory=dict)
    translations: dict[str, "Library"] = field(default_factory=dict)

    def in_locale(self, locale: str) -> "Library":
        """The library in `locale` (Vietnamese where it has no translation)."""
        return self.translations.get(locale, self)

    @property
    def locales(self) -> tuple[str, ...]:
        """Every locale the content speaks, Vietnamese first."""
        return (BASE_LOCALE, *self.translations)

    def course(self, course_id: str) -> Course | None:
        """Return the course with this id, if it exists."""
        return next((course for course in self.courses if course.id == course_id), None)

    def lesson_ids(self) -> dict[str, tuple[str, ...]]:
        """Each course's lesson ids: what finishing a course means."""
        return {course.id: tuple(lesson.id for lesson in course.lessons)
                for course in self.courses}


def per_library(build: Callable[[Library], T]) -> Callable[[Library], T]:
    """`build` run once for each library and kept while it is in use: the server keeps one
    library, tests and reloads a few, so the oldest of four is dropped. Kept by identity
    (a library is a tree of tuples: hashing it would walk every lesson)."""
    kept: dict[int, tuple[Library, T]] = {}

    def built(library: Library) -> T:
        found = kept.get(id(library))
        if found is None or found[0] is not library:
            if len(kept) >= 4:
                del kept[next(iter(kept))]
            found = kept[id(library)] = (library, build(library))
        return found[1]

    return built
