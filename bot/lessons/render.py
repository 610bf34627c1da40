"""Render course texts and the shared message templates with a sandboxed jinja2."""

import functools
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateError, meta
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
    "privacy_notice": {}, "privacy_needed": {}, "privacy_thanks": {}, "privacy_declined": {},
    "my_data": {"name": "Minh", "channel": "Telegram", "user_ref": "12345",
                "created": "01/12/2026 08:00", "last_active": "02/12/2026 09:30",
                "consented": "01/12/2026 08:01", "place": "Phường Hồng Hà", "now_at": "menu",
                "lessons": ["Bấm nút và gõ số: 3/3"], "answers": 3, "right": 3,
                "courses": "Làm quen với Học Số", "pairings": ["Người kèm: An (đang kèm)"],
                "check_ins": 1, "mentor": "An, Phường Hồng Hà", "about_you": 2,
                "undelivered": 1, "file": "du-lieu-hoc-so.json"},
    "erase_confirm": {"paired": True}, "erase_done": {}, "partner_erased": {},
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
    "suggest_next": {"course": "Làm quen với Học Số", "lesson": "Bấm nút và gõ số",
                     "finished": "Làm quen"},
    "switch_ask": {"current": "Bấm nút và gõ số", "in_quiz": False, "number": 3, "total": 7,
                   "lesson": "Gõ chữ", "same": False, "quiz": False},
    "next_lesson_offer": {"lesson": "Bấm nút và gõ số"},
    "help": {},
    "not_understood": {},
    "stale_button": {},
    "pick_a_number": {"count": 3},
    "unsupported": {},
    "too_long": {"limit": 500},
    "slow_down": {},
    "content_updated_restart": {"lesson": "Bấm nút và gõ số"},
    "content_updated_gone": {},
    "button_next": {}, "button_repeat": {}, "button_menu": {}, "button_resume": {},
    "button_progress": {}, "button_help": {}, "button_retry_quiz": {},
    "button_next_lesson": {}, "button_start_lesson": {}, "button_keep_lesson": {},
    "button_switch": {"same": False, "quiz": False},
    "button_lesson": {"title": "Bài", "done": True},
    "button_course": {"title": "Làm quen với Học Số"},
    "button_option": {"text": "Phương án"},
    # Where the learner lives.
    "area_ask_province": {},
    "area_ask_commune": {"within": "Thành phố Hà Nội", "typed": True},
    "area_ask_village": {"within": "Phường Hồng Hà", "typed": False},
    "area_choose": {}, "area_not_found": {"typed": "hong haa"},
    "area_saved": {"place": "Tổ dân phố số 1, Phường Hồng Hà"}, "area_skipped": {},
    "area_none": {}, "button_area": {"name": "Phường Hồng Hà"},
    # Mentoring.
    "someone": {},
    "kem_none": {},
    "kem_mine": {"name": "Trần Minh Anh", "ward": "Phường Hồng Hà", "unit": "Chi đoàn 3"},
    "mentor_intro": {},
    "mentor_bad_name": {"limit": 64},
    "mentor_ask_ward": {"name": "Minh Anh"},
    "mentor_ask_unit": {},
    "mentor_training": {"name": "Minh Anh", "course": "Khóa cho người kèm", "lessons": 3,
                        "left": 2},
    "mentor_wait_approval": {"name": "Minh Anh"},
    "mentor_trained": {"name": "Minh Anh"},
    "mentor_home": {"name": "Minh Anh", "ward": "Phường Hồng Hà", "count": 1, "capacity": 3},
    "invite": {"code": "KEM-7Q4X-M9PD",
               "telegram": "https://t.me/hocso_bot?start=KEM-7Q4X-M9PD",
               "web": "https://hocso.example.vn/?kem=KEM-7Q4X-M9PD", "qr": True,
               "until": "08/12/2026"},
    "invite_revoked": {},
    "ask_code": {},
    "code_not_a_code": {},
    "request_pending": {},
    "mentee_has_mentor": {"name": "Bà Lan"},
    "code_unknown": {},
    "code_wait": {},
    "code_busy": {},
    "code_own": {},
    "already_paired": {"name": "Minh Anh"},
    "mentor_full": {},
    "mentor_full_self": {"capacity": 1},
    "consent": {"name": "Trần Minh Anh", "ward": "Phường Hồng Hà", "unit": "Chi đoàn 3"},
    "paired": {"name": "Minh Anh"},
    "consent_declined": {},
    "mentee_joined": {"name": "Bà Lan"},
    "ask_ward": {},
    "no_mentor_here": {"ward": "Phường Hồng Hà"},
    "request_sent": {"ward": "Phường Hồng Hà"},
    "mentor_request": {"name": "Bà Lan", "ward": "Phường Hồng Hà"},
    "request_taken": {"name": "Bà Lan"},
    "request_accepted": {"name": "Minh Anh"},
    "request_skipped": {},
    "request_declined": {},
    "pairing_gone": {},
    "help_request": {"name": "Bà Lan", "place": "Đang học bài \"Bấm nút\", bước 2/7."},
    "help_sent": {"name": "Minh Anh"},
    "end_confirm": {"name": "Minh Anh"},
    "end_confirm_mentor": {"name": "Bà Lan"},
    "pairing_ended": {"name": "Bà Lan"},
    "ended_by_mentee": {"name": "Bà Lan"},
    "ended_by_mentor": {"name": "Minh Anh"},
    "no_mentees": {},
    "mentee_card": {"name": "Bà Lan", "done": 1, "place": "Hiện không học dở bài nào.",
                    "days": 2, "scores": [{"lesson": "Bấm nút và gõ số", "best": 2, "total": 3}],
                    "missed": ["Học Số là ai?"], "more": 0},
    "mentees_end": {"count": 1},
    "place_none": {},
    "place_lesson": {"lesson": "Bấm nút", "course": "Làm quen", "number": 2, "total": 7},
    "place_quiz": {"lesson": "Bấm nút", "course": "Làm quen", "number": 1, "total": 3},
    "nudge_choose": {"name": "Bà Lan"},
    "nudge_1": {"mentor": "Minh Anh"}, "nudge_2": {"mentor": "Minh Anh"},
    "nudge_3": {"mentor": "Minh Anh"},
    "nudge_write": {"name": "Bà Lan", "limit": 300},
    "nudge_free": {"mentor": "Minh Anh", "message": "Mai mình gặp nhau ở nhà văn hóa nhé."},
    "nudge_sent": {"name": "Bà Lan"},
    "checkin_kind": {"name": "Bà Lan"},
    "checkin_day": {},
    "checkin_note": {},
    "checkin_saved": {"name": "Bà Lan", "day": "01/12/2026", "in_person": True, "count": 2},
    "alert_lesson_done": {"name": "Bà Lan", "lesson": "Bấm nút", "course": "Làm quen",
                          "correct": 3, "total": 3},
    "alert_failed_twice": {"name": "Bà Lan", "lesson": "Bấm nút"},
    "alert_inactive": {"name": "Bà Lan", "days": 3},
    "button_my_mentor": {}, "button_enter_code": {}, "button_find_mentor": {},
    "button_become_mentor": {}, "button_need_help": {}, "button_end_pairing": {},
    "button_end_yes": {}, "button_skip": {}, "button_mentees": {}, "button_invite": {},
    "button_new_code": {}, "button_revoke_code": {}, "button_accept": {}, "button_decline": {},
    "button_privacy_agree": {}, "button_privacy_decline": {}, "button_erase": {},
    "button_erase_yes": {}, "button_erase_no": {},
    "button_take": {}, "button_skip_request": {}, "button_nudge": {}, "button_checkin": {},
    "button_stop": {}, "button_nudge_1": {}, "button_nudge_2": {}, "button_nudge_3": {},
    "button_nudge_write": {}, "button_met": {}, "button_call": {}, "button_day": {"day": 1},
}
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
