"""`hocso content check`: the shipped content passes; each kind of mistake is named precisely."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.app import build_core
from bot.areas import read_yaml
from bot.config import Settings, StartupError
from bot.handlers.questions import index_for
from bot.handlers.registry import registry
from bot.lessons.check import check_content as check_with_samples
from bot.lessons.check import content_warnings
from bot.lessons.checked import check_for_serving, fingerprint
from bot.lessons.loader import load_library
from bot.lessons.model import Library
from tests.conftest import CONTENT_DIR
from tests.content_copies import copy_with_courses
from tests.server import hocso_here


def check_content(folder: Path, **options: bool) -> tuple[Library | None, list[str]]:
    """The content check with every feature's template samples and commands, as `hocso
    content check`."""
    return check_with_samples(folder, registry().samples, commands=registry().commands,
                              **options)


def command_here(folder: Path) -> subprocess.CompletedProcess[str]:
    """`hocso content check --dir folder` as bot.cli.main runs it, in this process: what it
    prints and returns. test_the_command_exits_non_zero_with_named_errors runs the process."""
    done = hocso_here(folder.parent, "content", "check", "--dir", str(folder))
    return subprocess.CompletedProcess(done.args, done.returncode, done.stdout.decode(),
                                       done.stderr.decode())


# The courses of a copy for tests to break: lam-quen, which they break, translated into
# English, and nguoi-kem, the smallest course that is not. The check renders every message of
# every course in every form of address: a test that checked a copy of the whole content
# folder took 0.6-1 s, one that checks these two courses about 0.15 s (bench/RESULTS.md,
# issue 18). Nothing in the shared texts names a course; the scam check's flags, which name
# lessons of most of them, are left out (tests/test_scam.py breaks them in a whole copy),
# and test_shipped_content_is_valid checks the shipped content as it is.
SMALL_COURSES = ("lam-quen", "nguoi-kem")


@pytest.fixture(scope="session")
def small_content(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped shared texts and areas with SMALL_COURSES and their pictures, made once."""
    return copy_with_courses(SMALL_COURSES, tmp_path_factory.mktemp("small") / "content")


@pytest.fixture
def small_copy(small_content: Path, tmp_path: Path) -> Path:
    """A copy of small_content that a test may edit."""
    return Path(shutil.copytree(small_content, tmp_path / "content"))


def test_shipped_content_is_valid() -> None:
    library, problems = check_content(CONTENT_DIR)
    assert problems == []
    assert library is not None and library.courses
    for course in library.courses:
        assert course.sources, f"{course.id} lists no sources"
        assert all(lesson.quiz for lesson in course.lessons)


def _replace(content: Path, old: str, new: str) -> None:
    path = content / "lam-quen" / "course.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _set_first_quiz_answer(content: Path, answer: int) -> None:
    path = content / "lam-quen" / "course.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("answer:", text.index("\n    quiz:\n"))
    end = text.index("\n", start)
    path.write_text(f"{text[:start]}answer: {answer}{text[end:]}", encoding="utf-8")


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("id: lam-quen", "id: Lam Quen", "lam-quen/course.yaml: id: must be 1-16 characters"),
    ("    title: ", "    titel: ", "lam-quen/course.yaml: lessons[0].titel: unknown field"),
    ("- id: nut-bam", "- id: hoc-tiep", "lessons[1].id: duplicate id 'hoc-tiep'"),
    ("url: https://", "url: ftp://", "sources[0].url: must start with https://"),
    ("    quiz:", "    quizz:", "lessons[0].quizz: unknown field"),
])
def test_each_mistake_names_the_file_and_field(small_copy: Path, old: str, new: str,
                                               expected: str) -> None:
    _replace(small_copy, old, new)
    _, problems = check_content(small_copy)
    assert any(expected in problem for problem in problems), problems


def test_an_answer_out_of_range_is_named(small_copy: Path) -> None:
    _set_first_quiz_answer(small_copy, 7)
    _, problems = check_content(small_copy)
    assert any("lessons[0].quiz[0].answer: must be an option number" in p for p in problems)


def test_a_missing_image_is_named(small_copy: Path) -> None:
    _replace(small_copy, "      - id: chao\n",
             "      - id: chao\n        image: images/khong-co.png\n")
    _, problems = check_content(small_copy)
    assert any("lessons[0].steps[0].image: file 'images/khong-co.png' not found" in p
               for p in problems), problems


def test_a_placeholder_that_does_not_render_is_named(small_copy: Path) -> None:
    _replace(small_copy, "{{ name", "{{ ten_sai + name")
    _, problems = check_content(small_copy)
    assert any("lessons[0].steps[0].text: does not render" in p for p in problems), problems


def test_a_message_longer_than_zalo_allows_is_named(small_copy: Path) -> None:
    _replace(small_copy, "      - id: chao\n        text: |\n",
             "      - id: chao\n        text: |\n          " + "Rất dài. " * 250 + "\n")
    _, problems = check_content(small_copy)
    assert any("lessons[0].steps[0].text: message is" in p and "more than 2000" in p
               for p in problems), problems


def test_a_broken_shared_template_is_named(small_copy: Path) -> None:
    path = small_copy / "templates" / "vi" / "messages.yaml"
    text = path.read_text(encoding="utf-8").replace("{{ count }}", "{{ count.nope() }}")
    path.write_text(text.replace("button_help:", "button_hlep:"), encoding="utf-8")
    _, problems = check_content(small_copy)
    assert any("missing template 'button_help'" in p for p in problems), problems
    assert any("unknown template 'button_hlep'" in p for p in problems), problems
    assert any("template 'pick_a_number' does not render" in p for p in problems), problems


def test_an_unquoted_colon_gets_a_hint(small_copy: Path) -> None:
    _replace(small_copy, "title: Làm quen với Học Số", "title: Làm quen: Học Số")
    _, problems = check_content(small_copy)
    assert problems and "wrapped in double quotes" in problems[0], problems


def test_invalid_yaml_is_named(small_copy: Path) -> None:
    (small_copy / "lam-quen" / "course.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    _, problems = check_content(small_copy)
    assert problems and "lam-quen/course.yaml: (file): not valid UTF-8 YAML" in problems[0]


@pytest.mark.parametrize("text", ["id: [unclosed\n", "title: Làm quen: Học Số\n",
                                  "a: 1\n\tb: 2\n", "- x\ny: 1\n"])
def test_broken_yaml_gets_pyyamls_own_message(text: str) -> None:
    with pytest.raises(yaml.YAMLError) as pure:
        yaml.safe_load(text)
    with pytest.raises(yaml.YAMLError) as read:
        read_yaml(text)
    assert str(read.value) == str(pure.value)


def test_every_shipped_yaml_file_reads_as_safe_load_reads_it() -> None:
    for path in sorted(CONTENT_DIR.glob("**/*.yaml")):
        text = path.read_text(encoding="utf-8")
        assert read_yaml(text) == yaml.safe_load(text), path


def test_the_command_exits_non_zero_with_named_errors(small_copy: Path) -> None:
    good = command_here(small_copy)  # the process's own exit code, for a failure, below
    assert good.returncode == 0 and good.stdout.startswith("ok: ")
    _set_first_quiz_answer(small_copy, 0)
    bad = subprocess.run([sys.executable, "-m", "bot", "content", "check", "--dir",
                          str(small_copy)], capture_output=True, text=True, check=False)
    assert bad.returncode == 1
    assert "lam-quen/course.yaml: lessons[0].quiz[0].answer" in bad.stderr


def _first_quiz_options(content: Path) -> tuple[Path, str, int, int]:
    path = content / "lam-quen" / "course.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("options:", text.index("\n    quiz:\n"))
    return path, text, start, text.index("answer:", start)


def test_an_option_may_say_why_it_is_wrong(small_copy: Path) -> None:
    path, text, start, end = _first_quiz_options(small_copy)
    options = ("options:\n          - text: Một cán bộ xã\n            why: Không có cán bộ nào ở"
               " đây.\n          - Một chương trình tự động\n        ")
    path.write_text(text[:start] + options + text[end:], encoding="utf-8")
    library, problems = check_content(small_copy)
    assert problems == [] and library is not None
    question = library.courses[0].lessons[0].quiz[0]
    assert question.options == ("Một cán bộ xã", "Một chương trình tự động")
    assert question.why(1) == "Không có cán bộ nào ở đây." and question.why(2) == ""


@pytest.mark.parametrize(("options", "expected"), [
    ("- text: A\n            why: B\n          - text: C\n            why: D",
     "quiz[0].options[1].why: the right option needs no `why`"),
    ("- text: A\n            wyh: B\n          - C", "quiz[0].options[0].wyh: unknown field"),
    ("- why: B\n          - C", "quiz[0].options[0].text: must be non-empty text"),
    ("- A\n          - C", "quiz[0].options[0]: a wrong option needs a `why`"),
    ("- text: \"3\"\n            why: B\n          - C", "options[0]: a bare number reads like"),
    ("- text: A\n            why: " + "Rất dài. " * 250 + "\n          - C",
     "quiz[0].options[0]: feedback is"),
])
def test_option_feedback_mistakes_are_named(small_copy: Path, options: str,
                                            expected: str) -> None:
    path, text, start, end = _first_quiz_options(small_copy)
    path.write_text(f"{text[:start]}options:\n          {options}\n        {text[end:]}",
                    encoding="utf-8")
    _, problems = check_content(small_copy)
    assert any(expected in problem for problem in problems), problems


def _question_yaml(qid: str, right: str, wrong: str, question: str = "Bạn làm gì?") -> str:
    return (f"      - id: {qid}\n        question: {question}\n        options:\n"
            f"          - {right}\n          - text: {wrong}\n            why: Chưa đúng.\n"
            f"        answer: 1\n        explanation: Vì thế.\n")


def _one_course(tmp_path: Path, quiz: str, step: str = "Chào bạn.") -> Path:
    """A content folder holding only the shared files and one small course."""
    content = tmp_path / "content"
    for shared in ("templates", "areas"):
        shutil.copytree(CONTENT_DIR / shared, content / shared)
    (content / "images" / "src").mkdir(parents=True)
    (content / "thu").mkdir()
    (content / "thu" / "course.yaml").write_text(
        "id: thu\ntitle: Thử\nsummary: Thử.\naudience: Ai cũng được.\nsources:\n"
        "  - title: Nguồn\n    url: https://example.vn\n    published: 2025-01-02\n"
        "    checked: 2026-12-01\nlessons:\n  - id: bai\n    title: Bài\n    steps:\n"
        f"      - id: mot\n        text: |\n          {step}\n    quiz:\n{quiz}",
        encoding="utf-8")
    return content


@pytest.mark.parametrize(("longest_right", "warned"), [(2, False), (3, True)])
def test_a_course_whose_right_answer_is_mostly_the_longest_is_warned(
        tmp_path: Path, longest_right: int, warned: bool) -> None:
    quiz = "".join(
        _question_yaml(f"q{i}", "Gọi lại số quen" if i < longest_right else "Gọi",
                       "Đợi" if i < longest_right else "Chờ thêm một lúc nữa")
        for i in range(5))
    library, problems = check_content(_one_course(tmp_path, quiz))
    assert problems == [] and library is not None
    warnings = content_warnings(library)
    assert bool(warnings) is warned, warnings
    if warned:
        assert "thu/course.yaml: the right answer is the longest option in 3 of 5" in warnings[0]


def test_the_command_prints_warnings_but_passes(tmp_path: Path) -> None:
    content = _one_course(tmp_path, _question_yaml("q1", "Gọi lại số quen", "Đợi"))
    run = command_here(content)
    assert run.returncode == 0 and run.stdout.startswith("ok: ")
    assert "warning: content/thu/course.yaml: the right answer is the longest option in 1 of 1" \
        in run.stderr


@pytest.mark.parametrize(("step", "question", "option", "cited"), [
    ("Theo Thông tư 25/2025/TT-NHNN, bạn cập nhật căn cước.", "Bạn làm gì?", "Gọi",
     "steps[0].text: cites 'Thông tư 25/2025/TT-NHNN'"),
    ("Nghị định 13/2023/NĐ-CP bảo vệ dữ liệu.", "Bạn làm gì?", "Gọi",
     "steps[0].text: cites 'Nghị định 13/2023/NĐ-CP'"),
    ("Luật Bảo vệ dữ liệu cá nhân 2025 có hiệu lực.", "Bạn làm gì?", "Gọi",
     "steps[0].text: cites 'Luật Bảo vệ dữ liệu cá nhân 2025'"),
    ("Chào bạn.", "Công văn 168/BHXH-QLT nói gì?", "Gọi",
     "quiz[0].question: cites 'Công văn 168/BHXH-QLT'"),
    ("Chào bạn.", "Bạn làm gì?", "Làm theo 168/BHXH-QLT",
     "quiz[0].options[0]: cites '168/BHXH-QLT'"),
])
def test_a_legal_code_learners_read_is_named(tmp_path: Path, step: str, question: str,
                                             option: str, cited: str) -> None:
    content = _one_course(tmp_path, _question_yaml("q1", option, "Đợi thêm", question), step)
    _, problems = check_content(content)
    assert any(f"thu/course.yaml: lessons[0].{cited}" in p for p in problems), problems


def test_plain_words_and_a_cited_explanation_pass(tmp_path: Path) -> None:
    quiz = _question_yaml("q1", "Gọi", "Quyết định gửi tiền ở đâu", "Bạn làm gì?").replace(
        "explanation: Vì thế.", "explanation: Theo Thông tư 50/2024/TT-NHNN, không có link.")
    step = ("Theo quy định của Ngân hàng Nhà nước, từ năm 2025 ngân hàng không gửi link. "
            "Luật Cư trú có từ lâu, và từ ngày 1/7/2025 bạn làm trên VNeID.")
    _, problems = check_content(_one_course(tmp_path, quiz, step))
    assert problems == []


_TEXT = '<text x="10" y="40"{}>Chào</text>'


@pytest.mark.parametrize(("svg", "expected"), [
    ('width="480" height="800">' + _TEXT.format(' font-size="20"'), None),
    ('width="480" height="800"><g style="font-size: 22px">' + _TEXT.format("") + "</g>", None),
    ('width="640" height="480">' + _TEXT.format(' font-size="24"'),
     "640 px wide, more than 480"),
    ('width="480" height="800">' + _TEXT.format(' font-size="19"'), "text 19 px high"),
    ('width="480" height="800"><g font-size="18">' + _TEXT.format("") + "</g>",
     "text 18 px high"),
    ('width="480" height="800">' + _TEXT.format(""), "text 16 px high"),
    ('width="480" height="800"><text font-size="30">A<tspan font-size="12">b</tspan></text>',
     "text 12 px high"),
    ('width="480" height="800" viewBox="0 0 960 1600">' + _TEXT.format(' font-size="24"'),
     "text 12 px high"),
])
def test_pictures_are_narrow_with_large_text(tmp_path: Path, svg: str,
                                             expected: str | None) -> None:
    content = _one_course(tmp_path, _question_yaml("q1", "Gọi", "Đợi thêm"))
    (content / "images" / "src" / "thu-hinh.svg").write_text(
        f'<svg xmlns="http://www.w3.org/2000/svg" {svg}</svg>', encoding="utf-8")
    _, problems = check_content(content)
    if expected is None:
        assert problems == []
    else:
        assert any(f"content/images/src/thu-hinh.svg: {expected}" in p for p in problems), \
            problems


def test_serving_leaves_the_editors_rules_to_the_command(tmp_path: Path) -> None:
    content = _one_course(tmp_path, _question_yaml("q1", "Gọi", "Đợi thêm"),
                          "Theo Thông tư 25/2025/TT-NHNN, bạn cập nhật căn cước.")
    (content / "images" / "src" / "thu-rong.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="800" height="400"></svg>',
        encoding="utf-8")
    _, problems = check_content(content)
    assert len(problems) == 2, problems
    library, serving = check_content(content, editorial=False)
    assert serving == [] and library is not None


def test_the_check_lists_what_each_locale_has_not_translated(small_copy: Path) -> None:
    english = small_copy / "templates" / "en" / "messages.yaml"
    texts = read_yaml(english.read_text(encoding="utf-8"))
    texts["quiz_dne"] = texts.pop("quiz_done")  # misspelt: an error, named
    english.write_text(yaml.safe_dump(texts, allow_unicode=True), encoding="utf-8")
    _, problems = check_content(small_copy)
    assert any("templates/en: unknown template 'quiz_dne'" in p for p in problems), problems
    del texts["quiz_dne"]  # left out: shown in Vietnamese, and listed
    english.write_text(yaml.safe_dump(texts, allow_unicode=True), encoding="utf-8")
    done = command_here(small_copy)
    assert done.returncode == 0, done.stderr
    assert "templates/en: quiz_done" in done.stdout
    assert "nguoi-kem/course.en.yaml: the whole course" in done.stdout
    assert "lam-quen/course.en.yaml" not in done.stdout


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("    keywords: [bấm nút,", "    keywords: bấm nút\n    x: [a,",
     "lessons[0].keywords: must be a non-empty list"),
    ("    keywords: [bấm nút, nhấn nút,", "    keywords: [bấm nút, Bấm nút,",
     "lessons[0].keywords[1]: 'Bấm nút' is listed twice"),
    ("    keywords: [bấm nút,", "    keywords: [yes, bấm nút,",
     "lessons[0].keywords[0]: wrap this word in double quotes"),
    ("      - id: chao\n", "      - id: chao\n        simpler: ''\n",
     "lessons[0].steps[0].simpler: must be non-empty text"),
    ("      - id: chao\n", "      - id: chao\n        simpler: Xin chào {{ ten_sai + name }}\n",
     "lessons[0].steps[0].simpler: does not render"),
    ("      - id: chao\n", "      - id: chao\n        simpler: " + "Rất dài. " * 250 + "\n",
     "lessons[0].steps[0].simpler: message is"),
])
def test_keyword_and_simpler_mistakes_are_named(small_copy: Path, old: str, new: str,
                                                expected: str) -> None:
    _replace(small_copy, old, new)
    _, problems = check_content(small_copy)
    assert any(expected in problem for problem in problems), problems


def test_keywords_and_a_simpler_wording_are_read(small_copy: Path) -> None:
    _replace(small_copy, "      - id: chao\n",
             "      - id: chao\n        simpler: Chào {{ name }}. Đây là máy, không phải người.\n")
    library, problems = check_content(small_copy)
    assert problems == [] and library is not None
    lesson = library.courses[0].lessons[0]
    assert lesson.keywords[:2] == ("bấm nút", "nhấn nút")
    assert lesson.steps[0].simpler == "Chào {{ name }}. Đây là máy, không phải người."
    assert library.course("nguoi-kem").lessons[0].steps[0].simpler is None  # optional


# What a learner reads of a text, near enough to compare lengths: the forms of address and
# names put in its place are about as long in either wording.
_PLACEHOLDER = re.compile(r"{{.*?}}|{%.*?%}")


def _as_read(text: str) -> str:
    return " ".join(_PLACEHOLDER.sub("", text).split())


def test_every_simpler_wording_is_new_and_no_longer_than_its_step(library: Library) -> None:
    # A confused learner who gets the same words again, or more of them, is no better off.
    wrong = []
    locales = {"vi": library, **library.translations}
    for locale, courses in ((name, lib.courses) for name, lib in locales.items()):
        for course, lesson in ((c, lesson) for c in courses for lesson in c.lessons):
            for step in lesson.steps:
                if not step.simpler:
                    continue
                simpler, text = _as_read(step.simpler), _as_read(step.text)
                if simpler == text or len(simpler) > len(text):
                    wrong.append(f"{locale} {course.id}/{lesson.id}/{step.id}: "
                                 f"{len(simpler)} characters for {len(text)}")
    assert wrong == []


def _heard(content: Path, text: str) -> tuple[Library | None, list[str]]:
    """The library with content/questions/lam-quen.yaml as `text`, and its problems."""
    (content / "questions").mkdir(exist_ok=True)
    (content / "questions" / "lam-quen.yaml").write_text(text, encoding="utf-8")
    return check_content(content)


def test_residents_questions_are_read_as_their_lessons_heard(small_copy: Path) -> None:
    library, problems = _heard(small_copy, "nut-bam:\n- bấm hoài mà nó hổng chạy\n- nut bam\n")
    assert problems == [] and library is not None
    first, *others = library.courses[0].lessons
    assert first.heard == ("bấm hoài mà nó hổng chạy", "nut bam")
    assert all(lesson.heard == () for lesson in others)


@pytest.mark.parametrize(("text", "expected"), [
    ("khong-co:\n- bấm hoài mà nó hổng chạy\n",
     "questions/lam-quen.yaml: khong-co: no lesson 'khong-co' in this course"),
    ("- bấm hoài mà nó hổng chạy\n",
     "questions/lam-quen.yaml: (file): must map lesson ids to lists of questions"),
    ("nut-bam:\n- bấm hoài\n- Bấm hoài\n", "nut-bam[1]: 'Bấm hoài' is listed twice"),
])
def test_residents_question_mistakes_are_named(small_copy: Path, text: str,
                                                expected: str) -> None:
    _, problems = _heard(small_copy, text)
    assert any(expected in problem for problem in problems), problems


_FIRST_ASK = "    asks:\n      - bam vao cai nut ma no khong chay gi het\n"


@pytest.mark.parametrize(("new", "expected"), [
    ("    asks: bam vao cai nut\n    more_asks:\n", "lessons[0].asks: must be a non-empty list"),
    ("    asks: []\n    more_asks:\n",
     "lessons[0].asks: must be a non-empty list of example questions"),
    ("    asks:\n      - bấm nút\n", "lessons[0].asks[0]: 'bấm nút' is not a question"),
    ("    asks:\n      - ''\n", "lessons[0].asks[0]: must be non-empty text"),
    ("    asks:\n      - no\n", "lessons[0].asks[0]: wrap this word in double quotes"),
    ("    asks:\n      - Bam vao cai nut ma no khong chay gi het\n"
     "      - bam vao cai nut ma no khong chay gi het\n",
     "lessons[0].asks[1]: 'bam vao cai nut ma no khong chay gi het' is listed twice"),
])
def test_example_question_mistakes_are_named(small_copy: Path, new: str,
                                             expected: str) -> None:
    _replace(small_copy, _FIRST_ASK, new)
    _, problems = check_content(small_copy)
    assert any(expected in problem for problem in problems), problems


def test_example_questions_are_read_and_optional(small_copy: Path) -> None:
    library, problems = check_content(small_copy)
    assert problems == [] and library is not None
    lesson = library.courses[0].lessons[0]
    assert lesson.asks[0] == "bam vao cai nut ma no khong chay gi het"
    assert all(len(ask.split()) >= 3 for ask in lesson.asks)
    path = small_copy / "lam-quen" / "course.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index(_FIRST_ASK)
    end = text.index("    steps:", start)
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    library, problems = check_content(small_copy)
    assert problems == [] and library is not None
    assert library.courses[0].lessons[0].asks == ()



_FIRST_TASK = "    not_taught: [sửa điện thoại bị hỏng,"


@pytest.mark.parametrize(("new", "expected"), [
    ("    not_taught: [wifi,", "lessons[0].not_taught[0]: 'wifi' is too short: name the task"),
    ("    not_taught: [sửa điện thoại bị hỏng, Sửa điện thoại bị hỏng,",
     "lessons[0].not_taught[1]: 'Sửa điện thoại bị hỏng' is listed twice"),
])
def test_task_not_taught_mistakes_are_named(small_copy: Path, new: str, expected: str) -> None:
    _replace(small_copy, _FIRST_TASK, new)
    _, problems = check_content(small_copy)
    assert any(expected in problem for problem in problems), problems


def test_tasks_not_taught_are_read(small_copy: Path) -> None:
    library, problems = check_content(small_copy)
    assert problems == [] and library is not None
    assert library.courses[0].lessons[0].not_taught[0] == "sửa điện thoại bị hỏng"
    assert library.courses[0].lessons[1].not_taught == ()  # optional

# A placeholder misspelt only where the learner is called "chú": found only by rendering the
# text in every form of address, not once with the default "bạn".
_ONLY_CHU = '{% if you == "chú" %}{{ khong_co }}{% endif %}'


def _break_for_chu(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new.replace("@", _ONLY_CHU), 1), encoding="utf-8")


@pytest.mark.parametrize(("file", "old", "new", "expected"), [
    ("templates/vi/messages.yaml", "welcome: |\n", "welcome: |\n  @\n",
     "templates/vi: template 'welcome' does not render: 'khong_co' is undefined"),
    ("templates/vi/address.yaml", "address_bad_name: |\n", "address_bad_name: |\n  @\n",
     "templates/vi: template 'address_bad_name' does not render"),
    ("templates/en/reminders.yaml", "commands:", "reminder_test_only: x\ncommands:",
     "templates/en: unknown template 'reminder_test_only'"),
    ("lam-quen/course.yaml", "Chào {{ you }}", "Chào @{{ you }}",
     "lam-quen/course.yaml: lessons[0].steps[0].text: does not render"),
    ("lam-quen/course.yaml", "why: Số 1", "why: >-\n                @ Số 1",
     "lam-quen/course.yaml: lessons[0].steps[3].check: does not render"),
    ("templates/vi/address.yaml", 'help: "Muốn đổi', "help: >-\n      @ \"Muốn đổi",
     "templates/vi/address.yaml: commands.address.help: does not render"),
    # English says "you" in every form: a placeholder misspelt anywhere is found there.
    ("templates/en/address.yaml", "help: To change", "help: >-\n      {{ khong_co }} To change",
     "templates/en/address.yaml: commands.address.help: does not render"),
])
def test_every_text_is_rendered_in_every_form_of_address(
        small_copy: Path, file: str, old: str, new: str, expected: str) -> None:
    _break_for_chu(small_copy / file, old, new)
    _, problems = check_content(small_copy)
    assert any(expected in problem for problem in problems), problems


async def test_serving_refuses_a_text_broken_in_one_form(small_copy: Path,
                                                        tmp_path: Path) -> None:
    # What `hocso serve` checks before it listens (bot/app.py), in one process.
    _break_for_chu(small_copy / "lam-quen" / "course.yaml", "Chào {{ you }}",
                   "Chào @{{ you }}")
    settings = Settings(HOCSO_CONTENT_DIR=small_copy, HOCSO_DATA_DIR=tmp_path)
    with pytest.raises(StartupError, match=r"steps\[0\]\.text: does not render"):
        await build_core(settings)


def _check_for_serving(content: Path, memo: Path) -> tuple[Library | None, list[str]]:
    return check_for_serving(content, memo, registry().samples, commands=registry().commands)


def test_serving_checks_content_once_until_content_or_code_changes(small_copy: Path,
                                                                   tmp_path: Path) -> None:
    memo = tmp_path / "data"
    library, problems = _check_for_serving(small_copy, memo)
    assert library is not None and problems == []
    [mark] = memo.glob("content-checked-*")
    assert mark.name == "content-checked-" + fingerprint(small_copy)
    # The same content and code again: loaded, and the mark kept.
    library, problems = _check_for_serving(small_copy, memo)
    assert library is not None and problems == [] and mark.exists()
    # Changed content is checked again, and a failed check leaves no mark of its own.
    _break_for_chu(small_copy / "lam-quen" / "course.yaml", "Chào {{ you }}",
                   "Chào @{{ you }}")
    assert fingerprint(small_copy) not in mark.name
    _, problems = _check_for_serving(small_copy, memo)
    assert any("steps[0].text: does not render" in problem for problem in problems)
    assert list(memo.glob("content-checked-*")) == [mark]


def test_a_mark_of_a_passed_check_is_what_lets_serving_skip_it(small_copy: Path,
                                                               tmp_path: Path) -> None:
    # The mark, not anything else, skips the check: content no check would pass is served
    # when the mark of its very files and code is there (only the server itself writes it).
    _break_for_chu(small_copy / "lam-quen" / "course.yaml", "Chào {{ you }}",
                   "Chào @{{ you }}")
    memo = tmp_path / "data"
    memo.mkdir()
    (memo / ("content-checked-" + fingerprint(small_copy))).touch()
    library, problems = _check_for_serving(small_copy, memo)
    assert library is not None and problems == []


def test_a_start_in_the_same_process_on_the_same_content_is_given_the_same_library(
        small_copy: Path, tmp_path: Path) -> None:
    # Servers started in one process (the tests' own) share the library, and so what is built
    # for it once (the question index): content and code alike, one library; changed, another.
    first, _ = _check_for_serving(small_copy, tmp_path / "a")  # checked, marked
    [mark] = (tmp_path / "a").glob("content-checked-*")
    (tmp_path / "b").mkdir()
    shutil.copyfile(mark, tmp_path / "b" / mark.name)
    again, _ = _check_for_serving(small_copy, tmp_path / "a")
    elsewhere, _ = _check_for_serving(small_copy, tmp_path / "b")
    assert first is not None and again is first and elsewhere is first
    assert index_for(again) is index_for(first)
    course = small_copy / "lam-quen" / "course.yaml"
    course.write_text(course.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    changed, problems = _check_for_serving(small_copy, tmp_path / "a")  # checked again
    assert problems == [] and changed is not None and changed is not first
    assert _check_for_serving(small_copy, tmp_path / "a")[0] is changed
    # Another folder of the same files is another library: it names its own folder.
    shutil.copytree(small_copy, tmp_path / "copy", symlinks=True)
    other, _ = _check_for_serving(tmp_path / "copy", tmp_path / "a")
    assert other is not None and other is not changed
    assert other.content_dir == str(tmp_path / "copy")


def test_serving_goes_ahead_when_it_cannot_remember_the_check(small_copy: Path,
                                                              tmp_path: Path) -> None:
    memo = tmp_path / "not-a-folder"
    memo.write_text("a file where the data folder should be")
    library, problems = _check_for_serving(small_copy, memo)
    assert library is not None and problems == []


def test_the_command_fails_on_a_text_broken_in_one_form(small_copy: Path) -> None:
    _break_for_chu(small_copy / "lam-quen" / "course.yaml", "Chào {{ you }}",
                   "Chào @{{ you }}")
    failed = command_here(small_copy)
    assert failed.returncode == 1
    assert "lam-quen/course.yaml: lessons[0].steps[0].text: does not render: 'khong_co' is " \
        "undefined" in failed.stderr


def test_a_text_a_course_translation_leaves_out_is_shown_in_vietnamese(
        small_copy: Path) -> None:
    english = small_copy / "lam-quen" / "course.en.yaml"
    raw = read_yaml(english.read_text(encoding="utf-8"))
    del raw["lessons"][0]["title"]  # not translated yet
    english.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    library = load_library(small_copy)
    vietnamese, translated = library.course("lam-quen"), library.in_locale("en").course("lam-quen")
    assert vietnamese is not None and translated is not None
    assert translated.lessons[0].title == vietnamese.lessons[0].title  # the Vietnamese
    assert translated.title == "Getting to know Học Số"  # the rest stays English
    assert translated.lessons[0].steps[0].text != vietnamese.lessons[0].steps[0].text
    assert [step.id for step in translated.lessons[0].steps] == [
        step.id for step in vietnamese.lessons[0].steps]


@pytest.mark.parametrize("locale", ["vi", "en"])
def test_words_for_a_command_no_feature_has_are_named(small_copy: Path, locale: str) -> None:
    """A misspelt command name would leave /nhac_hoc unanswered (and in Telegram's menu)."""
    texts = small_copy / "templates" / locale / "reminders.yaml"
    texts.write_text(texts.read_text(encoding="utf-8").replace("\n  remind:\n", "\n  remnid:\n"),
                     encoding="utf-8")
    _, problems = check_content(small_copy)
    assert f"content/templates/{locale}/reminders.yaml: commands.remnid: no feature has this " \
           "command" in problems, problems


def test_a_course_folder_linked_in_is_part_of_the_digest(small_copy: Path,
                                                         tmp_path: Path) -> None:
    # A course kept elsewhere and linked into the content folder is loaded like the others:
    # an edit to it must be checked again, not skipped by the mark of its old text.
    outside = tmp_path / "shared" / "lam-quen"
    outside.parent.mkdir()
    (small_copy / "lam-quen").rename(outside)
    (small_copy / "lam-quen").symlink_to(outside, target_is_directory=True)
    before = fingerprint(small_copy)
    _break_for_chu(outside / "course.yaml", "Chào {{ you }}", "Chào @{{ you }}")
    assert fingerprint(small_copy) != before
