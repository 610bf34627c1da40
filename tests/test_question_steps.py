"""The step a reply to a resident's question shows ("Trong bài … có đoạn này: …") is the one
that answers it: how to do what is asked, what a word means, what to do first, not a warning
or a reassurance beside it (tests/data/question_steps.yaml, bench/ask_steps.py)."""

from pathlib import Path

import pytest

from bot.areas import read_yaml
from bot.lessons.model import Library
from bot.listening.questions import QuestionIndex

LABELS = Path(__file__).parent / "data" / "question_steps.yaml"


@pytest.fixture(scope="module")
def index(library: Library) -> QuestionIndex:
    return QuestionIndex.build(library)


def test_the_check_half_shows_a_step_that_answers_as_measured(index: QuestionIndex) -> None:
    """The labelled questions never used to choose Tuning.step_*: 0.740 of them showed a step
    that answers them before, 0.788 now (bench/RESULTS.md, "the step a reply shows")."""
    items = [item for item in read_yaml(LABELS.read_text(encoding="utf-8"))
             if item["split"] == "check"]
    right = sum(index.best_step(item["text"], *item["lesson"].split("/")) in item["steps"]
                for item in items)
    assert len(items) == 104 and right / len(items) >= 0.788


@pytest.mark.parametrize(("text", "lesson", "steps"), [
    # Before: "Không bao giờ cài VNeID từ đường link…", a warning beside the how-to.
    ("lam sao cai vneid", "cai-dat", {"chi-mot", "tim-app"}),
    # Before: "Không ai được biết mã OTP…", not what an OTP is.
    ("mã otp là gì", "ma-otp", {"la-gi"}),
    # Before: "Quên passcode là chuyện rất hay gặp, bác đừng lo…", not how to get it back.
    ("quên passcode vneid", "quen-passcode", {"lay-lai"}),
    # Before: the step on money sent to a scammer ("Nếu bác chuyển tiền vì bị lừa…"); now one
    # on a mistaken transfer: the bank cannot cancel it but can trace it, and what to do first.
    ("chuyển tiền nhầm thì sao", "chuyen-nham", {"khong-huy", "giu-bien-lai", "bao-ngan-hang"}),
])
def test_the_reply_shows_the_step_that_answers(index: QuestionIndex, text: str, lesson: str,
                                               steps: set[str]) -> None:
    best = index.ask(text)[0]
    assert best.lesson == lesson and best.step in steps

