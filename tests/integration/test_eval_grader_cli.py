"""`python -m bot eval-grader` end to end (in-process CLI, real model, real bank, our dev set)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.bank.loader import load_bank
from bot.config import get_settings
from bot.grading import get_grader
from bot.grading.evaluation import evaluate, read_eval_csv

pytestmark = pytest.mark.slow

DEV_SET = Path(__file__).resolve().parents[1] / "data" / "grader_dev.csv"


def _small_csv(tmp_path: Path, n_questions: int = 3) -> Path:
    """The dev-set rows of the first few questions (all kinds), as a CSV of the contract's columns."""
    with DEV_SET.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    keep = list(dict.fromkeys(r["question_id"] for r in rows))[:n_questions]
    path = tmp_path / "small.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["question", "reference_answer", "student_answer", "score", "extra"])
        writer.writeheader()
        for r in rows:
            if r["question_id"] in keep:
                writer.writerow({k: r[k] for k in ("question", "reference_answer", "student_answer", "score")} | {"extra": "x"})
    return path


def test_json_output_has_every_figure_and_one_prediction_per_row(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _small_csv(tmp_path)
    n_rows = len(read_eval_csv(path))
    assert main(["eval-grader", str(path), "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert {"pearson_r", "spearman_rho", "rmse", "auc_weak", "n", "ms_per_answer", "predictions"} <= payload.keys()
    assert payload["n"] == n_rows == len(payload["predictions"])
    assert all(0.0 <= p <= 5.0 for p in payload["predictions"])
    assert payload["pearson_r"] > 0.5
    assert len(payload["key_points"]) == n_rows
    statuses = {"covered", "partial", "missing", "contradicted"}
    assert all(row and all(set(kp) == {"status"} and kp["status"] in statuses for kp in row)
               for row in payload["key_points"])


def test_json_key_points_follow_the_reference_bars(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bars.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["question", "reference_answer", "student_answer", "score"])
        reference = ("A stack is last in, first out. | Push adds an item on top. | Pop removes the top item.")
        writer.writerow(["What is a stack?", reference, "A stack is a last-in first-out structure: push puts an "
                         "item on top and pop takes the top item off.", 5])
        writer.writerow(["What is a stack?", reference, "A stack is first in, first out, like a queue.", 1])
        writer.writerow(["What is a stack? Explain.", "It stores items. It is used for recursion.",
                         "A list of things used for function calls.", 3])
    assert main(["eval-grader", str(path), "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert [len(row) for row in payload["key_points"]] == [3, 3, 2]
    assert payload["key_points"][0][0]["status"] == "covered"


def test_bank_rubric_reports_the_matched_question(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _small_csv(tmp_path, n_questions=2)
    assert main(["eval-grader", str(path), "--rubric", "bank"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("pearson_r: ")
    for name in ("spearman_rho", "rmse", "auc_weak", "n", "ms_per_answer"):
        assert f"\n{name}: " in out
    with DEV_SET.open(newline="", encoding="utf-8") as handle:
        first_ids = list(dict.fromkeys(r["question_id"] for r in csv.DictReader(handle)))[:2]
    for question_id in first_ids:  # the dev set's questions come from the bank, so each must match itself
        assert f"  {question_id} (" in out


def test_missing_column_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("question,student_answer\nq,a\n", encoding="utf-8")
    assert main(["eval-grader", str(path)]) == 2
    assert "reference_answer" in capsys.readouterr().err


def test_dev_set_misconceptions_and_keyword_salad_score_below_partial_answers() -> None:
    bank = load_bank(get_settings().content_dir, strict=False)
    rows = read_eval_csv(DEV_SET)
    with DEV_SET.open(newline="", encoding="utf-8") as handle:
        kinds = [r["kind"] for r in csv.DictReader(handle)]
    assert len(rows) >= 150 and len({r.group for r in rows}) >= 30
    result = evaluate(rows, get_grader(bank.misconceptions), rubric="bank", bank_questions=bank.questions)

    def mean(kind: str) -> float:
        scores = [p for p, k in zip(result.predictions, kinds, strict=True) if k == kind]
        return sum(scores) / len(scores)

    assert mean("misconception") < mean("partial")
    assert mean("salad") < mean("partial")
    assert mean("offtopic") < mean("terse") < mean("excellent")
    assert result.pearson_r > 0.7
