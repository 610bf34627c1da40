"""Render course texts and the shared message templates with a sandboxed jinja2."""

from typing import Any

from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

# Sample values for every shared template: `hocso content check` renders each one with them,
# and StrictUndefined turns a misspelt placeholder into an error there instead of at a learner.
SAMPLE_COURSES = [
    {"title": "Làm quen với Học Số", "done": 1, "total": 3,
     "scores": [{"lesson": "Bấm nút và gõ số", "best": 3, "total": 3}],
     "next_lesson": "Dừng lúc nào cũng được"},
]
TEMPLATE_SAMPLES: dict[str, dict[str, Any]] = {
    "welcome": {"name": "Minh"},
    "welcome_back": {"name": "Minh"},
    "menu": {},
    "course": {"title": "Làm quen với Học Số", "summary": "Cách dùng Học Số.", "done": 1,
               "total": 3},
    "step": {"lesson": "Bấm nút và gõ số", "number": 2, "total": 5, "text": "Nội dung bước."},
    "check": {"question": "Câu hỏi?"},
    "quiz_start": {"lesson": "Bấm nút và gõ số", "total": 3},
    "question": {"number": 1, "total": 3, "question": "Câu hỏi?"},
    "right": {"explanation": "Vì sao đúng."},
    "wrong": {"why": "Vì sao phương án này chưa đúng.", "answer": "Phương án đúng",
              "explanation": "Vì sao."},
    "quiz_done": {"lesson": "Bấm nút và gõ số", "correct": 2, "total": 3, "best": 3},
    "course_done": {"course": "Làm quen với Học Số"},
    "progress": {"courses": SAMPLE_COURSES},
    "progress_empty": {},
    "nothing_to_resume": {},
    "suggest_next": {"course": "Làm quen với Học Số", "lesson": "Bấm nút và gõ số"},
    "help": {},
    "not_understood": {},
    "stale_button": {},
    "pick_a_number": {"count": 3},
    "unsupported": {},
    "too_long": {"limit": 500},
    "content_updated_restart": {"lesson": "Bấm nút và gõ số"},
    "content_updated_gone": {},
    "button_next": {}, "button_repeat": {}, "button_menu": {}, "button_resume": {},
    "button_progress": {}, "button_help": {}, "button_retry_quiz": {},
    "button_next_lesson": {}, "button_start_lesson": {},
    "button_lesson": {"title": "Bài", "done": True},
    "button_course": {"title": "Làm quen với Học Số"},
    "button_option": {"text": "Phương án"},
}
SAMPLE_NAME = "Nguyễn Thị Minh Khai"


class Renderer:
    """Compiles templates once and renders them; content never reaches Python code."""

    def __init__(self, templates: dict[str, str]) -> None:
        self._env = ImmutableSandboxedEnvironment(
            undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False
        )
        self._compiled = {key: self._env.from_string(src) for key, src in templates.items()}
        self._course_texts: dict[str, Any] = {}

    def message(self, key: str, **values: Any) -> str:
        """Render the shared template `key` with `values`."""
        return self._compiled[key].render(**values).strip()

    def course_text(self, source: str, **values: Any) -> str:
        """Render a step text written by a course author (placeholders such as {{ name }})."""
        template = self._course_texts.get(source)
        if template is None:
            template = self._course_texts[source] = self._env.from_string(source)
        return template.render(**values).strip()


def check_templates(templates: dict[str, str]) -> list[str]:
    """Return the problems of shared templates: missing, unknown or failing to render."""
    problems = [f"missing template '{key}'" for key in TEMPLATE_SAMPLES if key not in templates]
    problems += [f"unknown template '{key}'" for key in templates if key not in TEMPLATE_SAMPLES]
    for key, values in TEMPLATE_SAMPLES.items():
        if key not in templates:
            continue
        try:
            ImmutableSandboxedEnvironment(undefined=StrictUndefined).from_string(
                templates[key]
            ).render(**values)
        except TemplateError as error:
            problems.append(f"template '{key}' does not render: {error}")
    return problems
