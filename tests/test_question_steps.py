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


@pytest.mark.parametrize(("split", "size", "floor"), [
    # 0.740 before the step was chosen by measurement, 0.788 with step_telling, step_doing and
    # step_later, 0.817 with step_first and step_signs too (bench/RESULTS.md, "the step a
    # reply shows" and "the step that answers").
    ("check", 104, 0.817),
    # Labelled later, from blind sets 6, 8 and 9: 0.865 before step_first and step_signs,
    # and with them.
    ("check2", 156, 0.865),
])
def test_the_held_out_questions_show_a_step_that_answers_as_measured(
        index: QuestionIndex, split: str, size: int, floor: float) -> None:
    """The labelled questions never used to choose Tuning.step_*."""
    items = [item for item in read_yaml(LABELS.read_text(encoding="utf-8"))
             if item["split"] == split]
    right = sum(index.best_step(item["text"], *item["lesson"].split("/")) in item["steps"]
                for item in items)
    assert len(items) == size and right / len(items) >= floor


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
    # Before: "Cẩn thận lần lừa thứ hai…" (its "mất … triệu"), "Việc 3: Đến công an xã…",
    # "Bộ Công an … không … lấy lại tiền bị lừa"; now "Việc 1: Gọi ngay tổng đài ngân hàng…"
    # (step_first).
    ("Tôi bị lừa mất 5 triệu, giờ làm sao?", "bi-lua", {"goi-ngan-hang"}),
    ("tôi bị lừa mất tiền giờ làm sao", "bi-lua", {"goi-ngan-hang"}),
    ("bị lừa rồi làm sao lấy lại tiền", "bi-lua", {"goi-ngan-hang"}),
    # Before: "Không ai được biết mã OTP…", a warning for before; now what to do (step_first).
    ("tui đọc mã otp cho ông kia rồi giờ làm sao", "ma-otp", {"lo-dua"}),
    # Before: what a fake login page is; now its signs (step_signs).
    ("trang đăng nhập facebook giả nhìn sao biết", "trang-gia", {"dia-chi"}),
])
def test_the_reply_shows_the_step_that_answers(index: QuestionIndex, text: str, lesson: str,
                                               steps: set[str]) -> None:
    best = index.ask(text)[0]
    assert best.lesson == lesson and best.step in steps

