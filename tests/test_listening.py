"""Residents' own questions lead to the lessons that answer them; "tôi không hiểu" is heard."""

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from rank_bm25 import BM25Okapi

from bot.areas import read_yaml
from bot.lessons.model import Library
from bot.listening.bm25 import PostedBM25
from bot.listening.confusion import is_confused
from bot.listening.questions import Evidence, QuestionIndex, _amount_or_time, _task_verbs
from bot.listening.words import expand, fold
from tests.server import hocso_here

DATA = Path(__file__).parent / "data"
SETS = ["questions.yaml", "questions_heldout.yaml", "questions_fresh.yaml"]
# Written for issue 20's "questions you have not seen", never used to choose a weight
# (bench/RESULTS.md, "Issue 20 §1, unseen questions").
UNSEEN = ["questions_unseen.yaml", "questions_later.yaml"]


def _questions(name: str) -> list[tuple[str, set[str]]]:
    raw = read_yaml((DATA / name).read_text(encoding="utf-8"))
    return [(item["text"], set(item["lessons"])) for item in raw]


@pytest.fixture(scope="module")
def index(library: Library) -> QuestionIndex:
    return QuestionIndex.build(library)


@pytest.fixture(scope="module")
def index_without_asks(library: Library) -> QuestionIndex:
    """The index of the lessons without their example questions (`asks:`)."""
    return QuestionIndex.build(_without_asks(library))


def _refs(index: QuestionIndex, text: str) -> list[str]:
    return [f"{m.course}/{m.lesson}" for m in index.ask(text)]


def _rates(index: QuestionIndex, sets: list[str]) -> tuple[float, float, float]:
    """Top-1 and top-3 on the questions a lesson answers; "no lesson" on those none does. Every
    set but blind10 is in the lessons' residents' questions (content/questions/): their top-1
    and top-3 are in-sample now (1.0), and only their "no lesson" and blind10 measure what was
    not learnt from; the honest figure of each is bench/ask_pool.py's, each set left out."""
    top1 = top3 = abstained = 0
    questions = [q for name in sets for q in _questions(name)]
    for text, gold in questions:
        found = _refs(index, text)
        assert len(found) <= 3
        if not gold:
            abstained += not found
            continue
        top1 += bool(found) and found[0] in gold
        top3 += bool(gold & set(found))
    answerable = sum(1 for _, gold in questions if gold)
    return top1 / answerable, top3 / answerable, abstained / (len(questions) - answerable)


def test_the_question_sets_are_big_enough_and_name_real_lessons(library: Library) -> None:
    lessons = {f"{course.id}/{lesson.id}" for course in library.courses
               for lesson in course.lessons}
    questions = [q for name in SETS + UNSEEN for q in _questions(name)]
    assert sum(1 for _, gold in questions if gold) >= 150
    assert sum(1 for _, gold in questions if not gold) >= 30
    assert not {ref for _, gold in questions for ref in gold} - lessons
    texts = [text for text, _ in questions]
    assert len(texts) == len(set(texts)), "a question is in the sets twice"


def test_the_matcher_meets_its_targets(index: QuestionIndex) -> None:
    """On the three sets together: top-3 ≥ 0.93, top-1 ≥ 0.80 on questions a lesson answers, and
    "no lesson" for at least 0.88 of those none answers (0.939, 0.955 and 0.96 since round 5,
    its floor higher: more of the no-lesson questions of unseen sets refused; 0.943, 0.959 and
    0.97 measured since round 4's two new figures; 0.947, 0.963, 0.97 since round 3's answer
    model; 0.955, 0.976, 0.93 before it; 0.959, 0.976, 0.95 before round 2; bench/ask_quality.py
    prints the figures of each set)."""
    top1, top3, abstained = _rates(index, SETS)
    assert top3 >= 0.93 and top1 >= 0.80 and abstained >= 0.88


def test_questions_it_was_not_tuned_on_find_their_lesson_too(index: QuestionIndex) -> None:
    """On the two sets nothing was chosen on until round 2 of issue 20 §1, which tuned on every set
    (bench/RESULTS.md): 0.974 top-1, 0.980 top-3, 0.95 "no lesson" since round 8 (task verbs the
    best lesson never says; one question of "later" refused); 0.980, 0.987, 0.95 since round 6
    (tasks the lessons do not teach, `not_taught:`; the answer model refitted); 0.961, 0.967, 0.90
    since round 5 (its higher floor refuses three more answerable questions); 0.980, 0.987, 0.88
    since round 4; 0.993, 0.993, 0.88 since round 3 (the answer model); 0.961, 0.961, 0.86 after
    round 2; 0.935, 0.948, 0.81 before it; before the lessons' example questions: 0.882, 0.895,
    0.81; before the topic synonyms and the title-and-keywords anchor: 0.686, 0.745, 0.74."""
    top1, top3, abstained = _rates(index, UNSEEN)
    assert top3 >= 0.98 and top1 >= 0.97 and abstained >= 0.95


def test_questions_written_blind_find_their_lesson_as_measured(index: QuestionIndex) -> None:
    """The set written by someone who saw only the lessons' titles and steps (bench/RESULTS.md, "a
    blind set"), no longer blind: rounds 2 to 9 of issue 20 §1 tuned on it. 0.941 top-1, 0.961
    top-3, 0.957 "no lesson" since round 9 (Southern "biểu" read as "bảo"); 0.935, 0.961, 0.957
    since round 8 (task verbs the best lesson never says, blind7 fitted
    on); 0.941, 0.967, 0.957 since round 7 (one step's share of the question, asking how much or
    when a rule); 0.915, 0.935, 0.935 since steps' simpler wordings left the index (0.928, 0.948
    with them, after round 6); 0.915, 0.935, 0.891 since round 5; 0.908, 0.935, 0.870 since round 4
    (0.922, 0.948, 0.848 after round 3; 0.902, 0.928, 0.783 before round 3's answer model; 0.863,
    0.895, 0.761 before round 2; 0.791, 0.824, 0.739 before `asks:`); this keeps the matcher from
    falling back."""
    top1, top3, abstained = _rates(index, ["questions_blind.yaml"])
    assert top3 >= 0.95 and top1 >= 0.93 and abstained >= 0.95  # one fewer each since vocatives


def test_the_second_blind_set_finds_its_lesson_as_measured(index: QuestionIndex) -> None:
    """The second set written from the lessons' titles and steps alone, one of the sets round 3
    fitted its answer model on (bench/RESULTS.md, "round 3"): 0.914 top-1, 0.936 top-3, 0.947 "no
    lesson" since round 9 (its refit answers one more no-lesson question, "đổi hình nền điện thoại",
    with the bank-safety lesson; with the set left out of the fit, at the shipped floor, 0.965 as
    before); 0.914, 0.936, 0.965 since round 8 (0.918, 0.941, 0.947 on main before it); 0.923,
    0.941, 0.947 since round 7; 0.914, 0.932, 0.947 since round 6; 0.895, 0.914, 0.912 since round
    5; 0.900, 0.923, 0.877 since numbers no lesson holds are taken out of questions ("no lesson"
    came down from 0.88 to 0.87: "tien tro cap nguoi tren 80 tuoi dc bao nhieu 1 thang" is answered,
    its "80" no longer an unknown word); 0.900, 0.918, 0.895 since round 4; 0.886, 0.900, 0.895
    since long messages are judged by their best part, 0.891, 0.905, 0.895 once their last part was
    too (0.909, 0.927, 0.860 before: the floors came down with that fix, which the long stories
    below need); before round 3 0.877, 0.900, 0.737; 0.768, 0.809, 0.825 before `asks:`."""
    top1, top3, abstained = _rates(index, ["questions_blind2.yaml"])
    # 0.909, 0.932, 0.947 with the same session's quiz and lesson edits (one question fewer).
    assert top3 >= 0.93 and top1 >= 0.90 and abstained >= 0.94


def test_the_third_blind_set_finds_its_lesson_as_measured(index: QuestionIndex) -> None:
    """The third set written from the lessons' titles and steps alone (bench/RESULTS.md, "a third
    blind set"), fitted on since round 5 of issue 20 §1, which read its misses: 0.872 top-1, 0.928
    top-3, 0.952 "no lesson" since round 9; 0.860, 0.915, 0.952 since round 8 (0.864, 0.919, 0.935
    on main before it); 0.868, 0.923, 0.935 since round 7; 0.851, 0.906, 0.935 since round 6; 0.843,
    0.898, 0.871 since round 5 (0.855, 0.911, 0.839 with the set left out of the fit,
    bench/ask_abstain.py). Before, measured while never tuned on: 0.838, 0.885, 0.806 since numbers
    no lesson holds are taken out of questions (measured once, at the end: "no lesson" came down
    from 0.82 to 0.80, one question of 62 more answered, as the cross-validation foretold on the
    fitted sets, where numbers counted as unknown words had refused a few no-lesson questions,
    "người trên 80 tuổi"; the set is not opened to say which); 0.821, 0.868, 0.823 since round 4
    (measured once, at its end); 0.826, 0.864, 0.806 since long messages are judged by their best
    part; 0.834, 0.881, 0.823 after round 3; 0.800, 0.838, 0.742 on the matcher before round 3."""
    top1, top3, abstained = _rates(index, ["questions_blind3.yaml"])
    assert top3 >= 0.92 and top1 >= 0.86 and abstained >= 0.95  # one fewer since vocatives


def test_the_fourth_blind_set_finds_its_lesson_as_measured(index: QuestionIndex) -> None:
    """The fourth set written from the lessons' titles and steps alone, by a new writer
    (bench/RESULTS.md, "a fourth blind set"), fitted on since round 5 of issue 20 §1: 0.910 top-1,
    0.951 top-3, 0.961 "no lesson" since round 9; 0.906, 0.948, 0.935 since round 8 (0.910, 0.948,
    0.935 on main before it, with the hacked-account lesson); 0.910, 0.948, 0.935 since round 7;
    0.906, 0.948, 0.922 since round 6; 0.892, 0.927, 0.883 since round 5 (0.896, 0.934, 0.857 with
    the set left out of the fit; its higher floor refuses more of both kinds). Before, measured once
    each while never tuned on: 0.899, 0.934, 0.818 since numbers no lesson holds are taken out of
    questions; 0.896, 0.931, 0.818 on round 4; 0.882, 0.913, 0.818 on round 3."""
    top1, top3, abstained = _rates(index, ["questions_blind4.yaml"])
    # 0.910, 0.948, 0.961 with the same session's quiz and lesson edits (one question fewer);
    # 0.913, 0.951, 0.961 with the lesson on transfers by account number (thanh-toan/chuyen-khoan).
    assert top3 >= 0.95 and top1 >= 0.91 and abstained >= 0.96


def test_the_fifth_blind_set_finds_its_lesson_as_measured(index: QuestionIndex) -> None:
    """The fifth set written from the lessons' titles and steps alone, by a new writer, after
    round 5 of issue 20 §1 (bench/RESULTS.md, "a fifth blind set"), fitted on since round 7,
    which read its misses: 0.900 top-1, 0.936 top-3, 0.876 "no lesson" since round 9; 0.897, 0.932,
    0.854 since round 8 (0.897, 0.929,
    0.865 with the hacked-account lesson, before it); 0.897, 0.929, 0.856 since round 7 (0.897,
    0.932, 0.844 with the set left out of the fit, bench/ask_abstain.py). Before, never fitted
    on: 0.881, 0.916, 0.856 since round 6, measured once at its end (310 questions a lesson
    answers, 90 none does); 0.865, 0.900, 0.844 on round 5, and 0.865,
    0.900, 0.722 on the matcher before it."""
    top1, top3, abstained = _rates(index, ["questions_blind5.yaml"])
    # 0.897, 0.936, 0.876 with the same session's quiz and lesson edits (one question fewer);
    # 0.897, 0.936, 0.899 with the lesson on transfers by account number (thanh-toan/chuyen-khoan).
    assert top3 >= 0.93 and top1 >= 0.89 and abstained >= 0.89


def test_the_sixth_blind_set_finds_its_lesson_as_measured(index: QuestionIndex) -> None:
    """The sixth set written from the lessons' titles and steps alone, by a new writer
    (bench/RESULTS.md, "a sixth blind set"), fitted on since round 7, which read its misses: 0.825
    top-1, 0.878 top-3, 0.891 "no lesson" since round 9; 0.816, 0.869, 0.881 since round 8 (0.822,
    0.872, 0.822 with the hacked-account lesson, before it); 0.815, 0.868, 0.814 since round 7
    (0.803, 0.853, 0.814 with the set left out of the fit, bench/ask_abstain.py). Before, never
    fitted on: 0.787, 0.837, 0.804, measured once after round 6 (319 questions a lesson answers, 102
    none does); 0.765, 0.815, 0.814 on the matcher before round 6."""
    top1, top3, abstained = _rates(index, ["questions_blind6.yaml"])
    # 0.816, 0.869, 0.901 with the lesson on transfers by account number (thanh-toan/chuyen-khoan):
    # three answerable questions fewer found, one more no-lesson question refused (RESULTS.md).
    # 0.812, 0.863, 0.901 after a native reviewer's rewording of that lesson (RESULTS.md).
    assert top3 >= 0.86 and top1 >= 0.81 and abstained >= 0.90


def test_the_seventh_blind_set_finds_its_lesson_as_measured(index: QuestionIndex) -> None:
    """The seventh set written from the lessons' titles and steps alone, by a new writer
    (bench/RESULTS.md, "a seventh blind set"), fitted on since round 8, which read its misses: 0.882
    top-1, 0.913 top-3, 0.796 "no lesson" since round 9; 0.873, 0.907, 0.748 since round 8 (0.882,
    0.916, 0.748 with the set left out of the fit, bench/ask_abstain.py). Before, never fitted on:
    0.873, 0.907, 0.709 with the hacked-account lesson (322 questions a lesson answers, 103 none
    does; 0.718 before its review); 0.872, 0.907, 0.702 measured once after round 7 (321 and 104);
    0.869, 0.907, 0.740 after round 6 alone, and 0.863, 0.894, 0.750 on the matcher before round
    6."""
    top1, top3, abstained = _rates(index, ["questions_blind7.yaml"])
    # 0.870 top-1 after the bi-hack lesson's wording review (one question); 0.888, 0.919, 0.806
    # with the lesson on transfers by account number (thanh-toan/chuyen-khoan).
    assert top3 >= 0.91 and top1 >= 0.88 and abstained >= 0.80


def test_the_eighth_blind_set_finds_its_lesson_as_measured(index: QuestionIndex) -> None:
    """The eighth set written from the lessons' titles and steps alone, by a new writer
    (bench/RESULTS.md, "an eighth blind set"), never fitted on (bench/ask_abstain.py's FITTED
    leaves it out): 0.887 top-1, 0.920 top-3, 0.917 "no lesson" after round 9, which did not read
    it (but fixed two kinds of its misses that round 8's notes named: the death certificate and
    a MoMo wallet linked to a bank); measured once after round 8, 0.883, 0.917, 0.899 (326
    questions a lesson answers, 109 none does); 0.877, 0.911, 0.882 on the matcher before
    the session (before the hacked-account lesson and two labels for it)."""
    top1, top3, abstained = _rates(index, ["questions_blind8.yaml"])
    # 0.887, 0.917, 0.917 with the lesson on transfers by account number (thanh-toan/chuyen-khoan):
    # one answerable question's lesson no longer among those shown (bench/RESULTS.md).
    assert top3 >= 0.91 and top1 >= 0.88 and abstained >= 0.91


def test_the_ninth_blind_set_finds_its_lesson_as_measured(index: QuestionIndex) -> None:
    """The ninth set written from the lessons' titles and steps alone, by a new writer
    (bench/RESULTS.md, "a ninth blind set"), never fitted on: measured once on the matcher at
    the session's start, 0.874 top-1, 0.898 top-3, 0.828 "no lesson" (342 questions a lesson
    answers, 116 none does), and once after round 9 and the session's lesson edits: 0.877,
    0.901, 0.836."""
    top1, top3, abstained = _rates(index, ["questions_blind9.yaml"])
    # 0.871, 0.901, 0.836 with the lesson on transfers by account number (thanh-toan/chuyen-khoan);
    # 0.868, 0.895, 0.828 after a native reviewer's rewording of that lesson: one question fewer
    # first, two fewer in the top three, one no-lesson question answered; no word chosen on the set.
    # 0.886, 0.912, 0.828 with Central "cái chi", "rứa", "ni" read as "cái gì", "vậy", "này"
    # (words.py), found in this set's misses: no longer a set never fitted on.
    assert top3 >= 0.90 and top1 >= 0.88 and abstained >= 0.82  # one fewer since vocatives


def test_the_tenth_blind_set_finds_its_lesson_as_measured(index: QuestionIndex) -> None:
    """The tenth set written from the lessons' titles and steps alone, by a new writer
    (bench/RESULTS.md, "a tenth blind set"), never fitted on: measured once on the matcher at
    the session's start (2026-12-07 18:10 UTC), 0.871 top-1, 0.906 top-3, 0.892 "no lesson"
    (342 questions a lesson answers, 120 none does). Never in the lessons' residents'
    questions (content/questions/, bench/question_pool.py's NEVER_POOLED) nor fitted on: with
    the other sets' questions there, 0.933, 0.942, 0.908."""
    top1, top3, abstained = _rates(index, ["questions_blind10.yaml"])
    assert top3 >= 0.94 and top1 >= 0.93 and abstained >= 0.90


@pytest.mark.parametrize("text", ["1", "xin chào 1", "2024", "số 0 ạ"])
def test_numbers_alone_are_no_question(index: QuestionIndex, text: str) -> None:
    """Found by someone trying Học Số: "xin chào 1" got the lesson with "Mức 1" in it."""
    assert _refs(index, text) == []


# Written by the review of round 3, never fitted on: stories that only mention words the
# lessons use here and there. Round 3's answer model took any long message for a question a
# lesson answers; a long message is now judged by its best part of a usual question's length.
_STORY = ("Hôm qua tôi đi chợ mua rau cải, thịt ba chỉ và cá thu về nấu canh chua cho cả nhà. "
          "Con gái tôi học lớp năm, cháu thích ăn cá kho tộ lắm. Chồng tôi đi làm ở công "
          "trường xa, tối mới về. Bà nội thì hay đau lưng, mỗi sáng phải tập thể dục ngoài "
          "công viên. ")
_FIELDS = ("Mùa này trời nóng quá, nhà tôi ở quê trồng lúa với nuôi gà, năm nay giá lúa xuống "
           "thấp, phân bón lại đắt, không biết năm sau có nên chuyển sang trồng cây ăn trái "
           "không. ")


@pytest.mark.parametrize("text", [
    _STORY, _STORY * 2, _STORY + _FIELDS, (_STORY + _FIELDS) * 3,
    _STORY + "Cho tôi hỏi cách nấu canh chua cá lóc ngon?",
    _STORY + _FIELDS + "Tôi dùng điện thoại để xem bóng đá, đội nào sẽ vô địch năm nay?",
])
def test_a_long_story_about_something_else_gets_no_lesson(index: QuestionIndex,
                                                          text: str) -> None:
    assert index.ask(text) == []


@pytest.mark.parametrize("length", [1, 10, 11, 12, 15, 16, 17, 20, 23, 40, 61])
def test_every_word_of_a_long_message_is_in_some_part(index: QuestionIndex, length: int,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The question of a long story is mostly its last words: no part may leave them out."""
    words = [f"tu{n}" for n in range(length)]
    seen: set[str] = set()
    scores = index._scores

    def spy(part: list[str], only: int | None = None) -> Any:
        assert only == 3 and 0 < len(part) <= index.tuning.usual_terms // 2 + 1
        seen.update(part)
        return scores(part, only)
    monkeypatch.setattr(index, "_scores", spy)
    index._best_part(words, 3)
    assert seen == set(words)


def test_one_lessons_score_is_rank_bm25s_to_the_last_bit(index: QuestionIndex,
                                                        library: Library) -> None:
    """score_of scores a long message's parts against one lesson; it must give what rank_bm25
    gives for that lesson, terms no lesson holds and repeated terms included."""
    asks = [ask for course in library.courses for lesson in course.lessons for ask in lesson.asks]
    for bm25 in (index._words, index._chars):
        vocabulary = sorted(bm25.idf)
        for n, ask in enumerate(asks[:60]):
            query = [*ask.lower().split(), *vocabulary[n::97], vocabulary[n], "khongcotrongbaihoc"]
            for i in (0, n % len(index._entries), len(index._entries) - 1):
                assert bm25.score_of(query, i) == bm25.get_batch_scores(query, [i])[0]
    assert index._words.score_of([], 0) == 0 == index._words.score_of(["khongcotrongbaihoc"], 0)


def test_every_lessons_scores_are_rank_bm25s_to_the_last_bit(index: QuestionIndex,
                                                             library: Library) -> None:
    """PostedBM25 scores every lesson (and every step) from postings: the same floats as
    rank_bm25's own get_scores, terms no lesson holds and repeated terms included."""
    asks = [ask for course in library.courses for lesson in course.lessons for ask in lesson.asks]
    for bm25 in (index._words, index._chars, index._steps):
        assert isinstance(bm25, PostedBM25)
        vocabulary = sorted(bm25.idf)
        for n, ask in enumerate(asks[:60]):
            query = [*ask.lower().split(), *vocabulary[n::97], vocabulary[n], vocabulary[n],
                     "khongcotrongbaihoc"]
            posted, own = bm25.get_scores(query), BM25Okapi.get_scores(bm25, query)
            assert posted.tobytes() == own.tobytes(), ask
    assert not index._words.get_scores([]).any()


def test_a_corpus_is_counted_as_rank_bm25_counts_it(library: Library) -> None:
    """PostedBM25 counts each document's terms in C (its own _initialize): the same lengths,
    counts, idf and averages as rank_bm25's loop, in the same order: the lessons' examples,
    their titles twice over, and terms repeated across documents with an empty one."""
    lessons = [lesson for course in library.courses for lesson in course.lessons]
    corpora = [[ask.lower().split() for lesson in lessons for ask in lesson.asks],
               [[lesson.id, *lesson.title.lower().split()] * 2 for lesson in lessons],
               [["a", "b", "a"], [], ["b", "c", "b", "b"], ["c"]]]
    for corpus in corpora:
        posted, own = PostedBM25(corpus), BM25Okapi(corpus)
        assert list(posted.idf.items()) == list(own.idf.items())
        assert [list(counts.items()) for counts in posted.doc_freqs] == [
            list(counts.items()) for counts in own.doc_freqs]
        assert all(type(counts) is dict for counts in posted.doc_freqs)
        assert (posted.doc_len, posted.avgdl, posted.corpus_size, posted.average_idf) == (
            own.doc_len, own.avgdl, own.corpus_size, own.average_idf)


def test_a_question_told_inside_a_long_story_still_finds_its_lesson(
        index: QuestionIndex) -> None:
    story = (_STORY + "Sáng nay có người gọi xưng là nhân viên ngân hàng, bảo tôi đọc mã OTP "
             "vừa gửi về điện thoại để giữ cho tài khoản khỏi bị khóa. Có nên đọc không?")
    assert "ma-otp" in [match.lesson for match in index.ask(story)]


@pytest.mark.parametrize("text", [
    # A word pair that only one of a lesson's examples uses is not what the lesson is about:
    # "tiểu đường" (the AI lesson's example), "gửi ảnh qua Zalo" (the mentor lesson's),
    # "bệnh viện" in the health-record lesson's steps.
    "bệnh tiểu đường nên ăn gì", "làm sao gửi ảnh qua zalo", "đặt lịch khám ở bệnh viện bạch mai",
])
def test_an_example_in_a_step_is_not_the_lessons_topic(index: QuestionIndex, text: str) -> None:
    assert index.ask(text) == []


@pytest.mark.parametrize("text", [
    "Làm sao cài VNeID?", "lam sao cai vneid", "LÀM SAO CÀI VNEID", "lam sao cài vneid",
    "ntn để tải vneid vậy", "cai vnied ntn", "tải app vneid ở đâu dc",
])
def test_diacritics_case_shorthand_and_typos_lead_to_the_same_lesson(index: QuestionIndex,
                                                                      text: str) -> None:
    assert _refs(index, text)[0] == "vneid/cai-dat"


@pytest.mark.parametrize(("text", "lesson"), [
    ("hổng nhớ mật khẩu vneid", "vneid/quen-passcode"),  # Southern "hổng"
    ("xài ví momo sao", "thanh-toan/app-va-vi"),  # Southern "xài"
    ("quen mk zalo, lo bi hack", "an-toan-tk/hai-lop"),  # "mk", "hack"
    ("ck nhầm stk rồi", "thanh-toan/chuyen-nham"),  # "ck", "stk"
    ("quen pascode", "vneid/quen-passcode"),  # a misspelt word no syllable could be
    ("chatgtp la j", "tro-ly-ai/la-gi"),
])
def test_dialect_and_chat_shorthand(index: QuestionIndex, text: str, lesson: str) -> None:
    assert lesson in _refs(index, text)


def test_everyday_chat_shorthand_is_spelt_out() -> None:
    """Shorthand for everyday words, not for any lesson's topic (bench/RESULTS.md, round 2)."""
    spelt = expand(fold("ng ta goi bn lan r, nv ngan hang bao ktra lai"))
    assert " ".join(spelt) == "nguoi ta goi bao nhieu lan roi nhan vien ngan hang bao kiem tra lai"


def test_a_long_rambling_message_still_finds_its_lesson(index: QuestionIndex) -> None:
    text = ("Dạ chào cháu, bác năm nay 68 tuổi, mắt kém, tay run, con cái đi làm xa hết. Hôm "
            "trước ra phường người ta nói phải có cái tài khoản định danh mức 2 thì mới làm "
            "giấy tờ nhanh, bác đã lên công an làm rồi, giờ họ nhắn tin báo duyệt, mà bác không "
            "biết kích hoạt tài khoản trong ứng dụng ra sao, đặt mật khẩu với passcode thế nào, "
            "cháu chỉ bác với nha, cảm ơn cháu nhiều.")
    assert _refs(index, text)[0] == "vneid/kich-hoat"


@pytest.mark.parametrize("text", ["", "👍", "???", "xin chào", "cảm ơn nhiều nha",
                                  "giá xăng hôm nay", "cách làm bánh xèo", "kết quả xổ số",
                                  # Syllables that, folded, are parts of a lesson's words
                                  # ("tạm vắng", "đã", "chi tiết"): no word pair in common.
                                  "giá vàng", "gia vang", "bóng đá", "thời tiết", "vé xe khách"])
def test_nothing_is_guessed_when_no_lesson_answers(index: QuestionIndex, text: str) -> None:
    assert index.ask(text) == []


def test_the_answer_model_weighs_the_evidence_the_right_way(index: QuestionIndex) -> None:
    """Whatever a refit of bench/ask_abstain.py gives, more of the question held by the best
    lesson, a shared anchor, more of the question's word pairs in the best lesson and more of
    it in one of its steps make an answer likelier; a flat ranking (no lesson stands out) and
    task verbs the lesson never says make it less likely. The question's length and the words
    no lesson holds weigh nothing since residents' questions joined the lessons (the refit gave
    them -0.15 and +0.08, and the figures are the same without them: bench/RESULTS.md); they
    may never weigh the wrong way."""
    base = Evidence(score=0.5, terms=2.0, anchored=0.0, flat=0.5, pairs=2.0, unknown=1.0,
                    step=0.5, undone=0.0, unasked=0.0)
    chance = index.answerable(base)
    assert index.answerable(replace(base, score=0.6)) > chance
    assert index.answerable(replace(base, terms=2.5)) >= chance
    assert index.answerable(replace(base, anchored=1.0)) > chance
    assert index.answerable(replace(base, flat=0.9)) < chance
    assert index.answerable(replace(base, pairs=3.0)) > chance
    assert index.answerable(replace(base, unknown=2.0)) <= chance
    assert index.answerable(replace(base, step=0.8)) > chance
    assert index.answerable(replace(base, undone=1.0)) < chance


def test_asking_when_the_lesson_never_does_is_refused_whatever_the_model_says(
        index: QuestionIndex) -> None:
    """Round 7 made asking how much or when a rule beside the model, as tasks not taught are:
    the refit on more sets weighed it less, and let "lương hưu tháng này tăng bao nhiêu"
    through (62 of the sets' 71 such questions are no lesson's)."""
    text = "khi nào vneid hết hạn"  # "... phải làm lại" asks a task verb no VNeID lesson says
    evidence = index.weigh(text)[3]
    assert evidence is not None and evidence.unasked == 1
    assert index.answerable(evidence) >= index.tuning.answer_floor
    assert index.ask(text) == []


def test_what_a_step_quotes_is_not_what_it_teaches(index: QuestionIndex) -> None:
    """The AI lesson's step quotes "Chỉ tôi cách nấu canh chua cá" as a question to type: a
    question about cooking finds little of itself in that step's own words (Evidence.step),
    one about paying the electricity bill on a phone finds most of itself in one step."""
    _, ranked, _, evidence = index.weigh("nấu canh chua cá thế nào")
    assert index._entries[ranked[0]][1].id == "hoi-hay"
    assert evidence is not None and evidence.step < 0.3
    _, ranked, _, evidence = index.weigh("đóng tiền điện trên app mất phí bao nhiêu")
    assert index._entries[ranked[0]][1].id == "tien-dien"
    assert evidence is not None and evidence.step > 0.7


def test_asking_how_much_or_when_counts_unless_the_lesson_asks_it_too(
        index: QuestionIndex) -> None:
    """The BHXH lesson's title, keywords and examples never ask how much or when; the bank-app
    lesson's keywords do ("còn bao nhiêu tiền", seeing one's balance)."""
    evidence = index.weigh("lương hưu năm sau tăng bao nhiêu")[3]
    assert evidence is not None and evidence.unasked == 1
    evidence = index.weigh("cán bộ bhxh gọi báo tăng lương hưu, bảo bấm link")[3]
    assert evidence is not None and evidence.unasked == 0
    _, ranked, _, evidence = index.weigh("xem tài khoản ngân hàng còn bao nhiêu tiền")
    assert evidence is not None and evidence.unasked == 0
    assert index._entries[ranked[0]][1].id == "app-va-vi"


def test_naming_a_lesson_and_asking_how_much_it_never_asks_is_not_naming_it(
        index: QuestionIndex) -> None:
    """Every content word of "lương hưu tháng này tăng bao nhiêu" (the tuning set's) is in the
    BHXH lesson's title and keywords, so it was answered by name, whatever the model said."""
    text = "lương hưu tháng này tăng bao nhiêu"
    terms, ranked, _, evidence = index.weigh(text)
    assert evidence is not None and evidence.unasked == 1
    assert not index._named(terms, ranked[0], evidence)
    assert index.ask(text) == []


def test_task_verbs_are_read_two_words_before_one() -> None:
    """"mở lại" is one verb, not "mở" ("lại" alone is no task); a verb typed without diacritics or
    as shorthand ("dk") is the same verb."""
    assert _task_verbs(expand(fold("muốn mở lại tài khoản"))) == {"mo lai"}
    assert _task_verbs(expand(fold("dk tai khoan roi huy"))) == {"dang ky", "huy"}
    assert _task_verbs(expand(fold("mở app ngân hàng"))) == {"mo"}
    assert _task_verbs(expand(fold("quên mật khẩu zalo"))) == set()


@pytest.mark.parametrize(("text", "lesson"), [
    # Logging in or staying safe on the portal, not a new password.
    ("cấp lại mật khẩu dịch vụ công", "an-toan"),
])
def test_a_task_verb_the_best_lesson_never_says_is_refused(index: QuestionIndex, text: str,
                                                           lesson: str) -> None:
    """Round 8 (bench/RESULTS.md): a question beside a lesson's topic shares its topic words
    and asks a task it does not teach, which no lesson names in `not_taught:`. The best lesson
    never says the verb ("rút", "cấp lại"); both got it before."""
    _, ranked, _, evidence = index.weigh(text)
    assert index._entries[ranked[0]][1].id == lesson
    assert evidence is not None and evidence.undone == 1 and not evidence.untaught
    assert index.ask(text) == []


@pytest.mark.parametrize(("text", "lesson"), [
    ("nạp tiền vào ví momo bằng thẻ ngân hàng", "app-va-vi"),
    ("đổi mật khẩu zalo cho khó đoán", "mat-khau"),
    ("nộp hồ sơ khai sinh online", "khai-sinh"),
])
def test_a_task_verb_the_lesson_says_keeps_it_answered(index: QuestionIndex, text: str,
                                                       lesson: str) -> None:
    evidence = index.weigh(text)[3]
    assert evidence is not None and evidence.undone == 0
    assert _refs(index, text)[0].endswith("/" + lesson)


@pytest.mark.parametrize("text", [
    "nạp tiền điện thoại cho mẹ bằng app ngân hàng thế nào",  # not the "tiền điện" of the bill
    "làm sao lấy lại mật khẩu facebook",  # the password lesson teaches choosing one
    "quen mat khau app ngan hang thi lam sao",  # the passcode lesson is VNeID's
    "muốn kết bạn zalo với bạn cũ bằng số điện thoại",  # 0.78 of the task: a word between
    "đi mở tài khoản ngân hàng cần mang theo gì",
    "gia hạn bằng lái xe ở đâu",
    # Found by the task verb before residents' questions joined the lessons; now the chip card
    # lesson, whose residents ask about ATM withdrawals, ranks first, and the wallet lesson
    # says it does not teach cashing out.
    "rút tiền mặt từ ví điện tử ra sao",
    # The AI privacy lesson's residents ask AI about a mother's diabetes.
    "bệnh tiểu đường nên ăn gì",
])
def test_a_task_no_lesson_teaches_gets_no_lesson(index: QuestionIndex, text: str) -> None:
    """Each asks, in words of its own, a task a lesson says it does not teach (`not_taught:`);
    the lesson's topic words alone answered them with it."""
    evidence = index.weigh(text)[3]
    assert evidence is not None and evidence.untaught
    assert index.ask(text) == []


@pytest.mark.parametrize(("text", "lesson"), [
    ("hỏi AI cách nấu canh chua được không", "hoi-hay"),  # "hỏi AI": the lesson's own thing
    ("trả tiền điện bằng app ngân hàng", "tien-dien"),
    ("sợ quên mật khẩu facebook thì đặt sao cho dễ nhớ", "mat-khau"),
    ("người lạ tìm số điện thoại rồi kết bạn zalo với tôi, chặn sao", "zalo-rieng-tu"),
    # Opening an account is not taught; using the app once it is opened is this lesson's.
    ("mới mở tài khoản ngân hàng, giờ muốn chuyển tiền trên điện thoại thì làm sao",
     "app-va-vi"),
    # Found by a review: "gọi video Zalo cho con" was listed as not taught, and refused the
    # very question the lesson answers (a video call can be faked).
    ("có nên gọi video Zalo cho con để kiểm tra trước khi chuyển tiền không", "nguoi-than"),
])
def test_a_question_beside_a_task_not_taught_still_finds_its_lesson(
        index: QuestionIndex, text: str, lesson: str) -> None:
    """A question that shares an anchor of the lesson's own beyond the task ("hỏi AI"), or
    restates one of its examples more nearly, or does not hold the task, is answered."""
    assert [match.lesson for match in index.ask(text)][:1] == [lesson]


def test_no_lesson_title_or_keyword_reads_as_a_task_not_taught(library: Library,
                                                               index: QuestionIndex) -> None:
    """A task whose telling words are particles the matcher leaves out ("thi", "lại", "làm",
    "cỡ chữ") reads as less than it says: "thi bằng lái xe" read as "bằng lái xe", the wallet
    lesson's keyword. A resident who types a lesson's title or keyword wants that lesson."""
    refused = [(lesson.id, text) for course in library.courses for lesson in course.lessons
               for text in [lesson.title, *lesson.keywords]
               if (evidence := index.weigh(text)[3]) is not None and evidence.untaught]
    assert refused == []


@pytest.mark.parametrize("text", ["ngân hàng có bao giờ gọi xin mã otp không",
                                  "ngan hang khong bao gio hoi otp dung ko"])
def test_ever_and_never_are_not_asking_when(index: QuestionIndex, text: str) -> None:
    """"Có bao giờ" (ever) and "không bao giờ" (never) ask no time (they refused these)."""
    evidence = index.weigh(text)[3]
    assert evidence is not None and evidence.unasked == 0
    assert "ma-otp" in [match.lesson for match in index.ask(text)]


@pytest.mark.parametrize(("text", "asked"), [
    ("khai sinh xong bao nhiêu ngày thì có", {"bao lau"}),  # how long, as "bao lâu" asks it
    # Not "mấy ngày": mostly told, not asked ("đi vắng mấy ngày", "mấy ngày nay"), and asking
    # it counted for nothing on the sets (bench/RESULTS.md, round 9).
    ("đi vắng mấy ngày có sao không", set()),
    ("ngày mấy thì nhận lương hưu", {"khi nao"}),  # when
    ("bao giờ mới có", {"khi nao"}),
    ("có bao giờ ngân hàng gọi không", set()),  # ever
    ("phí bao nhiêu", {"gia bao nhieu"}),  # a fee, apart from other amounts
    ("làm lại mất bao nhiêu tiền", {"gia bao nhieu"}),
    ("trong tài khoản còn bao nhiêu tiền", {"bao nhieu"}),  # one's balance is no fee
])
def test_how_long_when_and_what_it_costs_are_told_apart(text: str, asked: set[str]) -> None:
    """A lesson that says how long a procedure takes asks "bao lâu" in its examples; residents
    ask "bao nhiêu ngày" too. A fee or a price is no lesson's, whatever amount the
    lesson's examples ask ("còn bao nhiêu tiền", "số bao nhiêu")."""
    assert _amount_or_time(expand(fold(text))) == asked


def test_a_lessons_example_asks_how_many_with_may_too() -> None:
    """"Mỗi buổi nên chỉ ông bà mấy việc" asks how many; "máy" folds as "mấy" does, so only
    before what is counted, and only in a lesson's own examples."""
    assert _amount_or_time(expand(fold("mỗi buổi nên chỉ ông bà mấy việc")), lesson=True) == {
        "bao nhieu"}
    assert _amount_or_time(expand(fold("đăng nhập trên máy khác")), lesson=True) == set()
    assert _amount_or_time(expand(fold("mỗi buổi nên chỉ ông bà mấy việc"))) == set()


def test_amounts_and_times_are_read_clause_by_clause(index: QuestionIndex) -> None:
    """Folded, "tắt máy, giờ muốn học tiếp" reads "may gio" (what time) across the comma, and
    a question the lesson answers was refused for asking a time."""
    evidence = index.weigh("học dở thì tắt máy, giờ muốn học tiếp chỗ cũ")[3]
    assert evidence is not None and evidence.unasked == 0
    # Without the comma it cannot be told from "mấy giờ".
    evidence = index.weigh("học dở thì tắt máy giờ muốn học tiếp chỗ cũ")[3]
    assert evidence is not None and evidence.unasked == 1


def test_a_lesson_that_says_how_long_answers_how_many_days(index: QuestionIndex) -> None:
    """The birth certificate lesson says it usually takes 3 working days, and its example asks
    "bao lâu"; "bao nhiêu ngày" asks the same. What it costs it does not say."""
    assert _refs(index, "đăng ký khai sinh online cho cháu bao nhiêu ngày thì xong")[:1] == [
        "dich-vu-cong/khai-sinh"]
    assert index.ask("đăng ký khai sinh online cho cháu tốn bao nhiêu tiền") == []


@pytest.mark.parametrize(("text", "words"), [
    ("bấm lộn số rồi", "bam nham so roi"),  # Southern "lộn" after what one does by mistake
    ("chuyển số tiền lớn", "chuyen so tien lon"),  # "lớn" (big) stays
    ("trang này thiệt hông", "trang nay that khong"),
    ("có cần thiết không", "co can thiet khong"),
    ("thiết bị lạ", "thiet bi la"),
    ("nó biểu tui đọc mã", "no bao toi doc ma"),
    ("bấm vào biểu tượng", "bam vao bieu tuong"),
    ("làm giấy khai tử", "lam giay khai chet"),  # "tử" is not the particle "từ"
    ("giấy chứng tử của ông", "giay chung chet cua ong"),
    ("giữ chứng từ chuyển khoản", "giu chung tu chuyen khoan"),
    ("vneid là cái chi rứa", "vneid la gi vay"),  # Central "chi" (gì), "rứa" (vậy)
    ("sáng ni chị gửi", "sang nay chi gui"),  # "ni" (này) after a time; "chị" stays
    ("chỉ cho tui cách rửa tiền", "chi cho toi cach rua tien"),  # "chỉ", "rửa" stay
    # Calling the bot ("cháu ơi", "vậy cháu", "sao con") is no topic; "cho cháu", "cháu nội" are.
    ("cháu ơi otp là gì", "oi otp la gi"), ("mã OTP là gì vậy cháu", "ma otp la gi vay"),
    ("otp là cái gì hả cháu", "otp la gi ha"), ("cài sao con", "cai sao"),
    ("chuyển tiền cho cháu", "chuyen tien cho chau"), ("cháu nội", "chau noi"),
    ("cháu tôi bị lừa", "chau toi bi lua"), ("tài khoản còn không", "tai khoan con khong"),
    # The asker naming themself before what they want or do is no topic; someone else is.
    ("bác muốn cài VNeID", "muon cai vneid"), ("mẹ cài vneid", "cai vneid"),
    ("cho mẹ hỏi", "cho hoi"), ("thằng cháu hỏi mã", "thang chau hoi ma"),
    ("bà con nhận tiền", "ba con nhan tien"), ("con số", "con so"),
])
def test_words_that_fold_alike_are_read_by_the_words_beside_them(text: str, words: str) -> None:
    assert " ".join(expand(fold(text))) == words


@pytest.mark.parametrize(("text", "lesson"), [
    ("cháu ơi chuyển khoản thế nào", "thanh-toan/chuyen-khoan"),
    ("cháu ơi otp là gì", "an-toan-tk/ma-otp"), ("mã OTP là gì vậy cháu", "an-toan-tk/ma-otp"),
    ("otp là cái gì hả cháu", "an-toan-tk/ma-otp"),
])
def test_a_question_that_calls_the_bot_chau_finds_its_lesson(index: QuestionIndex, text: str,
                                                             lesson: str) -> None:
    """The bot calls itself "cháu" to an elder, who calls it so back: as a topic word, "cháu"
    refused these or found the lesson on AI assistants."""
    assert _refs(index, text)[:1] == [lesson]


@pytest.mark.parametrize("asker", ["bác", "mẹ", "con", "bac", "chú", "ông", "bà", ""])
@pytest.mark.parametrize(("text", "lesson"), [
    ("muốn cài VNeID", "vneid/cai-dat"), ("cài vneid", "vneid/cai-dat"),
    ("chuyển tiền qua mã QR thế nào", "thanh-toan/quet-qr"),
])
def test_a_question_opened_by_how_the_asker_calls_themself_finds_its_lesson(
        index: QuestionIndex, asker: str, text: str, lesson: str) -> None:
    """An outside tester: "bác/mẹ/con muốn cài VNeID", "mẹ cài vneid", "bác chuyển tiền qua mã
    QR thế nào" found no lesson while "cô/chú muốn cài vneid" did: "mẹ", "con" were weighed as
    the topic, "bác"'s word pair ("bac_muon") as one no lesson holds. ("cô" is left as it is:
    folded, it is mostly "có", and "cô muốn cài vneid" found its lesson before.)"""
    assert _refs(index, f"{asker} {text}".strip())[:1] == [lesson]


def test_a_death_certificate_is_not_the_birth_certificate_lesson(index: QuestionIndex) -> None:
    """"Khai tử" folded read as "khai" and the particle "từ": the birth certificate lesson's
    words. It teaches births only, and says so (`not_taught`)."""
    assert index.ask("bố tôi vừa mất, đăng ký khai tử trên mạng thế nào") == []
    assert index.ask("xin giấy chứng tử cho mẹ ở đâu") == []
    assert _refs(index, "làm giấy khai sinh cho cháu nội trên mạng")[:1] == [
        "dich-vu-cong/khai-sinh"]


def test_wallet_tasks_the_bank_app_lesson_does_not_teach_are_refused(
        index: QuestionIndex) -> None:
    """The bank-app lesson tells what a wallet is, not how to link, unlink or empty one. (Not
    yet when the question names a bank the lesson's keywords name, "Agribank": that ties it to
    the lesson's own topic, bench/RESULTS.md, round 9.)"""
    assert index.ask("cách liên kết ví MoMo với tài khoản ngân hàng") == []
    assert index.ask("muốn hủy liên kết ví MoMo") == []
    assert _refs(index, "ví momo với app ngân hàng khác nhau chỗ nào")[:1] == [
        "thanh-toan/app-va-vi"]


def test_the_evidence_counts_word_pairs_the_lesson_holds_and_words_no_lesson_does(
        index: QuestionIndex) -> None:
    """No lesson says "bầu" (of "đàn bầu"); the OTP lesson holds "mã otp" and "xin mã"."""
    evidence = index.weigh("hoc dan bau o dau")[3]
    assert evidence is not None and evidence.unknown == 1
    evidence = index.weigh("có người xin mã otp của tôi")[3]
    assert evidence is not None and evidence.pairs >= 1 and evidence.unknown == 0


@pytest.mark.parametrize(("text", "kept"), [
    ("quên mật khẩu Zalo số 0912345678", []), ("có người xin mã otp 483920 của tôi", []),
    ("bị lừa mất 500000đ", []), ("chuyển 2.000.000 đồng hôm 12/3 lúc 8:30", []),
    ("0987.123.456 gọi tôi", []),
    # Glued after a word, or before letters of another script: "sđt0912345678", "OTP483920".
    ("tin nhắn từ sdt0912345678", []), ("ma otp483920", []), ("stk123456789 chuyển nhầm", []),
    ("quên mật khẩu zalo 0912345678你好", []),
    # Numbers some lesson holds: the reporting line, the weak password, VNeID's level 2.
    ("gọi 156 báo lừa đảo", ["156"]), ("mật khẩu 123456 được không", ["123456"]),
    ("tài khoản mức 2", ["2"]), ("mất 2 triệu", ["2"]),
])
def test_a_number_no_lesson_holds_is_as_if_not_typed(index: QuestionIndex, text: str,
                                                     kept: list[str]) -> None:
    words = index.words(text)
    assert [word for word in words if word.isdigit()] == kept
    assert not any(char.isdigit() for word in words for char in word if not word.isdigit())


@pytest.mark.parametrize(("text", "lesson"), [
    # What residents paste (issue 20's review of round 4): each was refused before.
    ("có người xin mã otp 483920 của tôi", "an-toan-tk/ma-otp"),
    ("quên mật khẩu Zalo số 0912345678", "an-toan-tk/mat-khau"),
    ("bị lừa mất 500000 đồng", "lua-dao/bi-lua"),
    ("chuyen nham 2.000.000đ roi", "thanh-toan/chuyen-nham"),
    ("tin nhắn từ số 0912345678 báo trúng thưởng", "lua-dao/trung-thuong"),
    ("mat khau 123456 co an toan ko", "an-toan-tk/mat-khau"),
])
def test_a_question_with_a_phone_number_an_amount_or_a_code_finds_its_lesson(
        index: QuestionIndex, text: str, lesson: str) -> None:
    assert _refs(index, text)[0] == lesson


def test_a_number_added_to_a_question_rarely_changes_its_answer(index: QuestionIndex) -> None:
    """The questions of the three sets answered right, each asked again with a phone number,
    an amount or a code added (bench/ask_appended.py does it on every fitted set). Counted as
    words no lesson holds, a number lost 81 to 85 of these 235 (0.64-0.66 kept, round 4);
    0.962, 0.966 and 0.979 are kept since a number no lesson holds is as if not typed (what
    the tails' words say, "số của nó", still counts); 0.949, 0.962 and 0.983 since round 5's
    higher floor (short questions that name a lesson, "lam sao cai vneid", are answered by that
    rule alone, which the tail's words break)."""
    questions = [(text, gold) for name in SETS for text, gold in _questions(name)
                 if gold and gold & set(_refs(index, text))]
    for tail in (" số của nó là 0912345678", " mất 500000 đồng", " mã 483920"):
        kept = sum(1 for text, gold in questions if gold & set(_refs(index, text + tail)))
        assert kept / len(questions) >= 0.94, tail


@pytest.mark.parametrize(("text", "words"), [
    ("caidat vneid", "cai dat vneid"), ("quen matkhau", "quen mat khau"),
    ("giupvoi", "giup voi"), ("lamsao dangnhap dc", "lam sao dang nhap duoc"),
    ("odau", "o dau"), ("nhuthenao", "nhu nao"), ("caij", "gi"), ("caivneid", "cai vneid"),
    # The portal's name as its address writes it is its words (words.SHORTHAND).
    ("dichvucong", "dich vu cong"),
    # Not split: a word a lesson uses; loan words whose syllables would be other words ("ti
    # ví", "gà mẹ"), or a step's "Wi-Fi" that no question means; a misspelt word, mended as
    # before; a syllable the lessons do not use.
    ("chatgpt", "chatgpt"), ("dichvucongs", "dichvucongs"), ("tivi", "tivi"), ("game", "game"),
    ("wifi", "wifi"),
    ("vnied", "vneid"), ("passcod", "passcode"), ("truyen", "truyen"),
])
def test_words_typed_run_together_are_split_into_the_words_they_are(
        index: QuestionIndex, text: str, words: str) -> None:
    assert " ".join(index.words(text)) == words


@pytest.mark.parametrize(("text", "words"), [
    ("camon", "cam on"), ("camonchau", "cam on chau"), ("camon nhieu", "cam on nhieu")])
def test_of_equal_splits_the_one_the_lessons_hold_as_word_pairs_wins(
        index: QuestionIndex, text: str, words: str) -> None:
    """"cảm ơn" typed run together is "cam on", a pair the lessons hold, not "ca mon" (two
    words the lessons use more often, never side by side): split so, thanks looked like a
    question about fish and dishes, and got "no lesson on this yet" and the mentor button
    rather than the usual "not understood"."""
    assert " ".join(index.words(text)) == words
    assert not index.has_words(text.removesuffix("chau"))  # the router drops "cháu" itself


@pytest.mark.parametrize(("text", "lesson"), [
    # Each was refused before: "caidat", "matkhau" were words no lesson holds.
    ("caidat vneid", "vneid/cai-dat"), ("quen matkhau zalo", "an-toan-tk/mat-khau"),
    ("quenmatkhau vneid", "vneid/quen-passcode"),
    ("chuyenkhoan nham roi", "thanh-toan/chuyen-nham"),
    ("dangnhap dichvucong", "dich-vu-cong/dang-nhap"),
    # Refused before round 7 (blind6's writer): "dichvucong" was one word only the portal's
    # address in a few steps held, not the "dịch vụ công" of the lesson's title.
    ("vo dichvucong dang nhap kieu gi", "dich-vu-cong/dang-nhap"),
])
def test_a_question_typed_run_together_finds_its_lesson(index: QuestionIndex, text: str,
                                                        lesson: str) -> None:
    assert _refs(index, text)[0] == lesson


@pytest.mark.parametrize(("text", "lesson"), [
    ("cài vneid răng", "vneid/cai-dat"),
    ("mã otp răng không đọc cho người khác", "an-toan-tk/ma-otp"),
    ("rửa tiền là gì", "lua-dao/gia-danh"),  # not "rứa" (vậy): "rửa" folds the same
    ("VNeID là cái chi", "vneid/la-gi"),
    ("cổng dịch vụ công là cái chi rứa con", "dich-vu-cong/gioi-thieu"),
])
def test_central_words_find_their_lesson(index: QuestionIndex, text: str, lesson: str) -> None:
    """Refused before: "răng" (why, how), the try-out's and blind8's word; "là cái chi rứa"
    (là cái gì vậy), blind9's."""
    assert _refs(index, text)[0] == lesson


@pytest.mark.parametrize(("text", "lesson"), [
    ("ủa vậy passcode là gì", "vneid/kich-hoat"),
    ("ủa otp là gì", "an-toan-tk/ma-otp"),
    ("hic tui quên mật khẩu vneid rồi", "vneid/quen-passcode"),
    ("ok cách chuyển khoản sao", "thanh-toan/chuyen-khoan"),
    # An exclamation opening the message: "chết" was a word no lesson holds, and a resident
    # who had just lost money got "no lesson" (the suite's try-out test found it)
    ("chết rồi cô lỡ chuyển 20 triệu cho nó rồi cháu ơi giờ làm sao", "lua-dao/bi-lua"),
    ("trời ơi tui quên mật khẩu vneid rồi", "vneid/quen-passcode"),
])
def test_an_interjection_is_no_topic(index: QuestionIndex, text: str, lesson: str) -> None:
    """"ủa", "hic" are words no lesson holds: they were weighed as the question's topic, and
    "ủa vậy passcode là gì", typed during the VNeID course, got "no lesson for this yet"."""
    assert _refs(index, text)[0] == lesson


@pytest.mark.parametrize("tail", ["你好", "谢谢", "привет", "สวัสดี", "សួស្តី", "안녕"])
def test_a_few_words_of_another_script_are_as_if_not_typed(index: QuestionIndex,
                                                             tail: str) -> None:
    text = "tôi quên mật khẩu Zalo"
    assert index.words(f"{text} {tail}") == index.words(text)
    assert _refs(index, f"{text} {tail}") == _refs(index, text) != []


@pytest.mark.parametrize("text", [
    "你好", "我想安装VNeID应用", "VNeID 怎么安装", "Как установить VNeID",
    "Как восстановить пароль Zalo", "ทำอย่างไรติดตั้ง vneid", "តើធ្វើដូចម្តេចដំឡើង vneid",
    "vneid 설치 방법", "VNeIDのインストール方法",
])
def test_a_message_mostly_in_another_script_gets_no_lesson(index: QuestionIndex,
                                                           text: str) -> None:
    """Its letters of another script (a Chinese character or a Korean block counted as three)
    outweigh the Latin ones: they stay, as words no lesson holds, and nothing is guessed from
    the one name the matcher can read."""
    assert index.ask(text) == []


def test_words_of_another_script_or_run_together_rarely_change_an_answer(
        index: QuestionIndex) -> None:
    """The questions of the three sets answered right (235), asked again with a greeting in
    another script or words typed run together after them (bench/ask_appended.py does it on
    every fitted set), then typed without diacritics, every two words run together. As words
    no lesson holds they lost 54 to 82 of the 235 (0.77 kept with "你好", 0.67 with "привет",
    0.69 with "giupvoi"), and run together all but 3 (0.013 kept); 0.996 to 1.000 and 0.953
    are kept since they are left out or split."""
    questions = [(text, gold) for name in SETS for text, gold in _questions(name)
                 if gold and gold & set(_refs(index, text))]
    for tail in (" 你好", " привет", " giupvoi", " lamsao"):
        kept = sum(1 for text, gold in questions if gold & set(_refs(index, text + tail)))
        assert kept / len(questions) >= 0.98, tail
    folded = [(fold(text).split(), gold) for text, gold in questions]
    glued = [(" ".join("".join(words[i:i + 2]) for i in range(0, len(words), 2)), gold)
             for words, gold in folded]
    kept = sum(1 for text, gold in glued if gold & set(_refs(index, text)))
    assert kept / len(glued) >= 0.93


@pytest.mark.parametrize(("text", "lesson"), [
    ("tạm vắng", "vneid/thu-tuc"), ("vietqr", "thanh-toan/quet-qr"),
    ("deepfake la gi", "lua-dao/nguoi-than"), ("otp", "an-toan-tk/ma-otp")])
def test_a_word_pair_or_a_word_no_syllable_could_be_is_enough(index: QuestionIndex, text: str,
                                                               lesson: str) -> None:
    assert lesson in _refs(index, text)


def test_a_match_carries_the_step_that_answers_best(index: QuestionIndex,
                                                    library: Library) -> None:
    best = index.ask("quên passcode vneid thì lấy lại sao")[0]
    lesson = library.course(best.course).lesson(best.lesson)  # type: ignore[union-attr]
    step = lesson.steps[lesson.step_index(best.step)]  # type: ignore[index, union-attr]
    assert best.lesson == "quen-passcode" and best.step in {"khong-lo", "lay-lai"}
    assert best.step_text == step.text and best.title == lesson.title  # type: ignore[union-attr]
    assert 0 < best.score <= 1


def test_lesson_keywords_lead_questions_to_their_lesson(index: QuestionIndex,
                                                        library: Library) -> None:
    """A word only a lesson writer's `keywords:` holds brings the question to that lesson."""
    assert index.ask("cà vẹt xe máy") != []
    bare = Library(courses=tuple(
        type(course)(**{**course.__dict__, "lessons": tuple(
            type(lesson)(**{**lesson.__dict__, "keywords": ()}) for lesson in course.lessons)})
        for course in library.courses), templates=library.templates,
        content_dir=library.content_dir)
    assert QuestionIndex.build(bare).ask("cà vẹt xe máy") == []


def test_a_lessons_heard_questions_lead_a_question_told_their_way_to_it(
        index: QuestionIndex, library: Library) -> None:
    """A question told in words no lesson holds ("tụi nhỏ trong nhà xài hoài") finds the lesson
    that heard it asked so (content/questions/), as it finds one whose `asks:` says it."""
    text = "chatgpt là cái gì mà tụi nhỏ trong nhà xài hoài vậy"

    def heard_as(said: tuple[str, ...]) -> Library:
        return replace(library, courses=tuple(
            replace(course, lessons=tuple(
                replace(lesson, heard=said if (course.id, lesson.id) == ("tro-ly-ai", "la-gi")
                        else ()) for lesson in course.lessons))
            for course in library.courses))
    assert _refs(QuestionIndex.build(heard_as(())), text) == []
    told = ("mấy đứa nhỏ trong nhà xài chatgpt hoài, nó là cái gì",
            "tụi nhỏ trong nhà cứ nói chatgpt, cái đó là gì vậy")
    assert _refs(QuestionIndex.build(heard_as(told)), text)[:1] == ["tro-ly-ai/la-gi"]


def _without_asks(library: Library) -> Library:
    """The library without example questions: its writers' (`asks`) nor residents' (`heard`)."""
    return replace(library, courses=tuple(
        replace(course, lessons=tuple(replace(lesson, asks=(), heard=())
                                      for lesson in course.lessons))
        for course in library.courses))


@pytest.mark.parametrize(("text", "lesson"), [
    # Situations told, not topics named: their words are in a lesson's `asks:` examples ("đổi
    # máy mới chuyển tiền nó đòi xác thực lại", "ông bạn trên facebook nói bỏ vô 10 triệu một
    # tháng lời gấp đôi"), not in its title, keywords or steps.
    ("đổi máy mới thì chuyển tiền nó bắt xác thực lại", "thanh-toan/xac-thuc"),
    ("bạn trên facebook rủ bỏ vô 10 triệu tháng sau lời gấp đôi", "lua-dao/dau-tu"),
    ("khong muon cam tien mat di cho", "thanh-toan/app-va-vi"),
])
def test_a_situation_like_a_lessons_example_question_finds_it(
        index: QuestionIndex, index_without_asks: QuestionIndex, text: str, lesson: str) -> None:
    assert _refs(index, text)[0] == lesson
    assert _refs(index_without_asks, text) == []


@pytest.mark.parametrize(("text", "lesson"), [
    ("di cho nguoi ban khong lay tien mat, bao quet cai ma", "thanh-toan/quet-qr"),
    ("so la goi bao con trai toi bi cong an bat, gui tien bao lanh", "lua-dao/nguoi-than"),
])
def test_a_question_that_restates_an_example_needs_no_keyword(
        index: QuestionIndex, index_without_asks: QuestionIndex, text: str, lesson: str) -> None:
    """No word pair of these is in the lesson's title or keywords (no anchor): how nearly they
    restate one of the lesson's examples is what makes the matcher answer; without the lessons'
    examples it says it has no lesson."""
    assert _refs(index, text)[0] == lesson
    assert _refs(index_without_asks, text) == []


def test_every_example_question_leads_to_its_own_lesson(index: QuestionIndex,
                                                        library: Library) -> None:
    """What a lesson's writer says residents ask there is answered there, first; but for one:
    "ứng dụng lạ xin quyền trợ năng có cho không", an example of the payments course's safety
    lesson, is answered first by the lesson on fake links and apps, which teaches it too and
    whose residents asked it (content/questions/), and second by its own."""
    wrong = [(f"{course.id}/{lesson.id}", text, _refs(index, text)[:2])
             for course in library.courses for lesson in course.lessons for text in lesson.asks
             if _refs(index, text)[:1] != [f"{course.id}/{lesson.id}"]]
    assert wrong == [("thanh-toan/an-toan", "ung dung la xin quyen tro nang co cho khong",
                      ["lua-dao/link-gia", "thanh-toan/an-toan"])]


@pytest.mark.parametrize("text", [
    "tôi không hiểu", "Tôi không hiểu!", "ko hiểu", "k hieu gi het", "hổng hiểu gì hết trơn",
    "khó quá", "khó hiểu quá", "nói lại", "nói lại đi", "giải thích lại giùm tui",
    "chưa hiểu bước này", "con ơi bà không hiểu", "là sao", "???", "ko hiu", "chưa rõ lắm",
    # An English learner's plea.
    "I don't understand", "Sorry, I still don't get it", "too hard", "please say it again",
    "I'm confused",
])
def test_asking_for_the_step_again_is_recognised(text: str) -> None:
    assert is_confused(text)


@pytest.mark.parametrize("text", [
    "tôi không hiểu mã OTP là gì", "làm sao cài VNeID", "👍", "tiếp", "không", "có", "ok",
    "trang chủ", "cảm ơn", "mật khẩu là sao", "tôi không biết cài vneid ở đâu",
    "I don't understand OTP", "how do I install vneid",
])
def test_other_texts_are_not_taken_for_confusion(text: str) -> None:
    assert not is_confused(text)


def test_the_ask_command_answers_json_lines(tmp_path: Path) -> None:
    lines = [{"id": "a", "text": "lam sao cai vneid"}, {"id": 7, "text": "giá xăng hôm nay"},
             {"id": "c", "text": "Tôi lỡ chuyển khoản nhầm, lấy lại tiền được không?"},
             {"id": "d", "text": "nhờ chatgpt chỉ cách nấu canh chua mà nó trả lời lung tung"}]
    stdin = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\n\n"
    # The hash seed with which "d", an example of its lesson that names a task not taught,
    # was refused: a sum over a set differed in its last bit (QuestionIndex._weight).
    done = subprocess.run([sys.executable, "-m", "bot", "ask"], input=stdin,
                          capture_output=True, text=True, check=False, timeout=120,
                          env={**os.environ, "PYTHONHASHSEED": "1"})
    assert done.returncode == 0, done.stderr
    out = [json.loads(line) for line in done.stdout.splitlines()]
    assert [item["id"] for item in out] == ["a", 7, "c", "d"]
    assert out[0]["lessons"][0] == {"course": "vneid", "lesson": "cai-dat",
                                    "title": "Cài đúng ứng dụng thật"}
    assert out[1]["lessons"] == []
    assert out[2]["lessons"][0]["lesson"] == "chuyen-nham" and len(out[2]["lessons"]) <= 3
    assert out[3]["lessons"][0]["lesson"] == "hoi-hay"


def test_the_ask_command_answers_a_bad_line_and_goes_on(tmp_path: Path) -> None:
    # bot.cli.main in this process: the test above runs `hocso ask` as a process.
    done = hocso_here(tmp_path, "ask",
                      stdin='not json\n{"id": 1}\n{"id": 2, "text": "quên passcode"}\n')
    out = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert done.returncode == 1
    assert [(item["id"], "error" in item) for item in out] == [(None, True), (1, True),
                                                               (2, False)]
    assert out[2]["lessons"][0]["lesson"] == "quen-passcode"
