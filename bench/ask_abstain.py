"""Fit the matcher's decision to answer or to say "no lesson for this yet" (Tuning.answer_weights
and answer_floor) on every question set, and measure it on each set left out in turn.

    .venv/bin/python bench/ask_abstain.py [--abstain 0.90] [--l2 1.0]

A logistic regression over Evidence (bot/listening/questions.py), by Newton's method on the
values scaled to mean 0 and deviation 1, with an L2 penalty. A question counts as answerable
(1) when one of the lessons the matcher would show answers it, as not (0) when none would.
Leave one set out: a model fitted on the other sets, with the floor under which the most of
their questions still find their lesson in the top 3 while at least --abstain of their
no-lesson questions are refused, answers the left-out set's questions. The cross-validated
figures of each set are printed, then those of each set and of all with the same left-out
weights at the floor Tuning ships (answer_floor, which may stand above the fitted one to refuse
more), then the weights and floor fitted on every set together, to paste into Tuning.
The sets of bench/ask_quality.py named in FITTED are fitted on: each blind set, measured once
while never fitted on, joins them afterwards (blind3 and blind4 in issue 20 §1's fifth round,
blind5 and blind6 in its seventh, blind7 in its eighth, bench/RESULTS.md); the next blind set,
not among them, measures what generalises.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ask_quality import ROOT, SETS, load_questions

from bot.lessons.loader import load_library
from bot.listening.questions import QuestionIndex, Tuning

# The sets fitted on, by name (blind7 since round 8, blind5 and blind6 since round 7, blind3 and
# blind4 since round 5; bench/RESULTS.md): a new blind set added to bench/ask_quality.py's SETS to
# be measured once is not fitted on until it is named here.
FITTED = {name: SETS[name] for name in (
    "tuning", "held-out", "fresh", "unseen", "later", "blind", "blind2", "long", "blind3",
    "blind4", "blind5", "blind6", "blind7")}
# set, right lessons, lessons shown, evidence, and what a rule decides beside the model: True
# when the question only names the best lesson (answered), False when it asks a task a lesson
# does not teach or an amount or time its best lesson never asks (refused), None when the model
# decides.
Row = tuple[str, set[str], list[str], np.ndarray, bool | None]


def rows_of(index: QuestionIndex, sets: dict[str, Path] = FITTED) -> list[Row]:
    """Every question of every set (FITTED unless given): its set, right lessons, the lessons
    the matcher would show if it answered, and the evidence on its best lesson (zeros when it
    holds no word)."""
    refs = [f"{course.id}/{lesson.id}" for course, lesson in index._entries]
    t = index.tuning
    rows = []
    for name, path in sets.items():
        for text, gold in load_questions(path):
            terms, ranked, scores, evidence = index.weigh(text)
            top = ranked[0]
            shown = [refs[i] for i in ranked[:t.limit] if scores[i] >= t.relative * scores[top]]
            none = [0.0] * (len(t.answer_weights) - 1)  # one figure for each weight
            values = np.array(evidence.values() if evidence else none)
            rule = None
            if evidence is not None and (evidence.untaught or evidence.unasked):
                rule = False
            elif evidence is not None and index._named(terms, top, evidence):
                rule = True
            rows.append((name, gold, shown if evidence else [], values, rule))
    return rows


def fit(x: np.ndarray, y: np.ndarray, l2: float) -> np.ndarray:
    """Logistic regression by Newton's method; x has a leading column of ones (not penalised)."""
    beta = np.zeros(x.shape[1])
    penalty = l2 * np.diag([0.0] + [1.0] * (x.shape[1] - 1))
    for _ in range(100):
        p = 1 / (1 + np.exp(-x @ beta))
        step = np.linalg.solve((x * (p * (1 - p))[:, None]).T @ x + penalty,
                               x.T @ (p - y) + penalty @ beta)
        beta -= step
        if np.abs(step).max() < 1e-10:
            break
    return beta


def said(chance: float, floor: float, rule: bool | None) -> bool:
    """Whether the matcher answers: as a rule decides, else as the model does."""
    return rule if rule is not None else chance >= floor


def fit_raw(rows: list[Row], l2: float) -> np.ndarray:
    """Weights on the evidence as it is (bias first), fitted on the scaled values of the
    questions no rule refuses (the model is never asked about those)."""
    rows = [row for row in rows if row[4] is not False]
    values = np.array([r[3] for r in rows])
    y = np.array([1.0 if gold and gold & set(shown) else 0.0 for _, gold, shown, _, _ in rows])
    mean, sd = values.mean(0), values.std(0) + 1e-12
    beta = fit(np.c_[np.ones(len(rows)), (values - mean) / sd], y, l2)
    return np.r_[beta[0] - (beta[1:] * mean / sd).sum(), beta[1:] / sd]


def probability(weights: np.ndarray, values: np.ndarray) -> float:
    return float(1 / (1 + np.exp(-(weights[0] + weights[1:] @ values))))


def figures(rows: list[Row], answered: list[bool]) -> tuple[float, float, float, int, int]:
    """Top-1, top-3, share of no-lesson questions refused; how many of each kind."""
    top1 = top3 = refused = answerable = 0
    for (_, gold, shown, _, _), said in zip(rows, answered, strict=True):
        if not gold:
            refused += not said
            continue
        answerable += 1
        top1 += said and shown[0] in gold
        top3 += said and bool(gold & set(shown))
    unanswerable = len(rows) - answerable
    return (top1 / answerable, top3 / answerable, refused / max(unanswerable, 1),
            answerable, unanswerable)


def model(rows: list[Row], l2: float, abstain: float) -> tuple[np.ndarray, float]:
    """The weights fitted on `rows`, and the floor under which the most of their questions
    still find their lesson in the top 3 while at least `abstain` of their no-lesson
    questions are refused."""
    weights = fit_raw(rows, l2)
    chances = np.array([probability(weights, r[3]) for r in rows])
    best: tuple[float, float] | None = None
    for floor in np.round(np.arange(0.05, 0.96, 0.01), 2):
        answered = [said(c, floor, r[4]) for c, r in zip(chances, rows, strict=True)]
        _, top3, refused, _, _ = figures(rows, answered)
        if refused >= abstain and (best is None or top3 > best[1]):
            best = (float(floor), top3)
    if best is None:
        sys.exit(f"no floor refuses {abstain} of the no-lesson questions")
    return weights, best[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--abstain", type=float, default=0.90,
                        help="the share of no-lesson questions to refuse, at least")
    parser.add_argument("--l2", type=float, default=1.0)
    args = parser.parse_args()
    index = QuestionIndex.build(load_library(ROOT / "content"), Tuning())
    rows = rows_of(index)
    left_out = np.zeros(len(rows), dtype=bool)
    at_shipped = np.zeros(len(rows), dtype=bool)  # the same weights, at Tuning's floor
    shipped = index.tuning.answer_floor
    floors = {}
    for name in FITTED:
        others = [r for r in rows if r[0] != name]
        weights, floors[name] = model(others, args.l2, args.abstain)
        for i, row in enumerate(rows):
            if row[0] == name:
                chance = probability(weights, row[3])
                left_out[i] = said(chance, floors[name], row[4])
                at_shipped[i] = said(chance, shipped, row[4])
    print("each set answered by a model (and floor) fitted on the other sets; floors: "
          + ", ".join(f"{name} {floor}" for name, floor in floors.items()))
    print("| set | answerable | top-1 | top-3 | no lesson | abstained |")
    print("|---|---:|---:|---:|---:|---:|")
    for name in [*FITTED, "all"]:
        chosen = [i for i, r in enumerate(rows) if name in (r[0], "all")]
        top1, top3, refused, answerable, unanswerable = figures(
            [rows[i] for i in chosen], [bool(left_out[i]) for i in chosen])
        print(f"| {name} | {answerable} | {top1:.3f} | {top3:.3f} | {unanswerable} | "
              f"{refused:.3f} |")
    print(f"the same weights at the shipped floor {shipped}:")
    print("| set | top-1 | top-3 | abstained |")
    print("|---|---:|---:|---:|")
    for name in [*FITTED, "all"]:
        chosen = [i for i, r in enumerate(rows) if name in (r[0], "all")]
        top1, top3, refused, _, _ = figures([rows[i] for i in chosen],
                                            [bool(at_shipped[i]) for i in chosen])
        print(f"| {name} | {top1:.3f} | {top3:.3f} | {refused:.3f} |")
    weights, floor = model(rows, args.l2, args.abstain)
    print(f"fitted on every set: answer_weights=({', '.join(f'{w:.2f}' for w in weights)}), "
          f"answer_floor={floor}")


if __name__ == "__main__":
    main()
