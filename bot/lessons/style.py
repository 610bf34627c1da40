"""Teaching rules beyond the schema: fair quizzes, no legal codes, readable pictures."""

import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from pathlib import Path

from bot.lessons.model import Course, Library, Question

# A learner who always picks the longest option should not pass (issue 22 found 75 %).
MAX_LONGEST_RIGHT = 0.40
# Pictures are shown about 307 px wide on a phone: a 480 px drawing with 20 px text keeps
# its letters at about 13 px there, the smallest an older reader manages.
MAX_PICTURE_WIDTH = 480
MIN_TEXT_SIZE = 20.0
_DEFAULT_TEXT_SIZE = 16.0  # what browsers use when no font-size is given

# A document type with its number or year ("Thông tư 25/2025", "Luật Giao dịch điện tử 2023"),
# or a bare document code ("13/2023/NĐ-CP", "168/BHXH-QLT"); a date such as 1/7/2025 is not a
# code. Learners read "theo quy định của Ngân hàng Nhà nước"; the citation belongs in the
# explanation or the sources.
_LEGAL_CODE = re.compile(
    r"\b(?:Bộ luật|Luật|Thông tư|Nghị định|Nghị quyết|Quyết định|Công văn|Chỉ thị|Pháp lệnh)"
    r"(?: số)?[^.!?\n]{0,60}?(?<![\w/])(?:\d+/(?:\d{4}\b(?!/)|\d{4}/[A-ZĐ][\w-]*|[A-ZĐ][\w-]*)"
    r"|(?:19|20)\d\d\b)"
    r"|(?<![\w/])\d+/(?:\d{4}/)?[A-ZĐ]+-[A-ZĐ]+\b")
_SVG = "{http://www.w3.org/2000/svg}"
_FONT_SIZE_STYLE = re.compile(r"font-size\s*:\s*([\d.]+)(px)?")


def _questions(course: Course) -> Iterator[Question]:
    for lesson in course.lessons:
        yield from (step.check for step in lesson.steps if step.check)
        yield from lesson.quiz


def _longest_is_right(question: Question) -> bool:
    lengths = [len(option) for option in question.options]
    right = lengths[question.answer - 1]
    return right == max(lengths) and lengths.count(right) == 1


def longest_answer_warnings(library: Library) -> list[str]:
    """Name each course where the right answer is most often the one longest option."""
    warnings = []
    for course in library.courses:
        questions = list(_questions(course))
        longest = sum(_longest_is_right(question) for question in questions)
        if questions and longest / len(questions) > MAX_LONGEST_RIGHT:
            warnings.append(
                f"{course.id}/course.yaml: the right answer is the longest option in {longest} "
                f"of {len(questions)} questions ({longest / len(questions):.0%}), more than "
                f"{MAX_LONGEST_RIGHT:.0%}: make a wrong option the longest in some")
    return warnings


def _learner_texts(course: Course) -> Iterator[tuple[str, str]]:
    """Each text a learner reads before answering, with its field; explanations may cite."""
    for li, lesson in enumerate(course.lessons):
        where = f"lessons[{li}]"
        for si, step in enumerate(lesson.steps):
            yield f"{where}.steps[{si}].text", step.text
            if step.simpler:
                yield f"{where}.steps[{si}].simpler", step.simpler
            if step.check:
                yield from _question_texts(step.check, f"{where}.steps[{si}].check")
        for qi, question in enumerate(lesson.quiz):
            yield from _question_texts(question, f"{where}.quiz[{qi}]")


def _question_texts(question: Question, where: str) -> Iterator[tuple[str, str]]:
    yield f"{where}.question", question.question
    for i, option in enumerate(question.options):
        yield f"{where}.options[{i}]", option


def legal_code_problems(library: Library) -> list[str]:
    """Name each step, question or option that shows learners a legal document's code."""
    problems = []
    for course in library.courses:
        for field, text in _learner_texts(course):
            match = _LEGAL_CODE.search(text)
            if match:
                problems.append(
                    f"{course.id}/course.yaml: {field}: cites '{match.group(0)}'; say what the "
                    f"rule means (\"theo quy định của ...\") and cite it in `explanation` or "
                    f"`sources`")
    return problems


def _pixels(value: str | None) -> float | None:
    match = re.fullmatch(r"\s*([\d.]+)\s*(px)?\s*", value or "")
    return float(match.group(1)) if match else None


def _font_size(element: ElementTree.Element, inherited: float) -> float:
    style = _FONT_SIZE_STYLE.search(element.get("style", ""))
    if style:
        return float(style.group(1))
    return _pixels(element.get("font-size")) or inherited


def _smallest_text(element: ElementTree.Element, inherited: float) -> float | None:
    """The smallest font size of any text inside `element`, or None when it holds no text.
    A `transform` that scales is not followed: keep text out of scaled groups."""
    size = _font_size(element, inherited)
    found = [size] if element.tag in (f"{_SVG}text", f"{_SVG}tspan") and (
        (element.text or "").strip()) else []
    for child in element:
        smallest = _smallest_text(child, size)
        if smallest is not None:
            found.append(smallest)
    return min(found) if found else None


def picture_problems(content_dir: Path) -> list[str]:
    """Name each drawing in images/src/ wider than a phone shows well or with text too small."""
    problems = []
    for path in sorted((content_dir / "images" / "src").glob("*.svg")):
        where = f"images/src/{path.name}"
        try:
            root = ElementTree.parse(path).getroot()
        except ElementTree.ParseError as error:
            problems.append(f"{where}: not valid SVG: {error}")
            continue
        width = _pixels(root.get("width"))
        if width is None:
            problems.append(f"{where}: the <svg> element needs width=\"…\" in pixels")
            continue
        if width > MAX_PICTURE_WIDTH:
            problems.append(f"{where}: {width:g} px wide, more than {MAX_PICTURE_WIDTH}: draw "
                            f"it portrait")
        # A viewBox wider than the width shrinks everything drawn, text included.
        view_box = (root.get("viewBox") or "").replace(",", " ").split()
        scale = width / float(view_box[2]) if len(view_box) == 4 and float(view_box[2]) else 1.0
        smallest = _smallest_text(root, _DEFAULT_TEXT_SIZE)
        if smallest is not None and smallest * scale < MIN_TEXT_SIZE:
            problems.append(f"{where}: text {smallest * scale:g} px high, less than "
                            f"{MIN_TEXT_SIZE:g}: write it larger")
    return problems
