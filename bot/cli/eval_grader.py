"""`eval-grader CSV [--rubric reference|bank] [--json]`: measure the grader on human-graded answers."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("csv", type=Path, metavar="CSV", help="columns question,reference_answer,student_answer,score")
    parser.add_argument(
        "--rubric", choices=("reference", "bank"), default="reference",
        help="grade against the CSV's reference answer (default) or the closest bank question's rubric",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object with every prediction")


def run(args: argparse.Namespace) -> int:
    from bot.bank.loader import load_bank
    from bot.config import get_settings
    from bot.grading import get_grader
    from bot.grading.evaluation import EvalDataError, evaluate, read_eval_csv

    try:
        rows = read_eval_csv(args.csv)
    except EvalDataError as exc:
        print(f"viva eval-grader: {exc}", file=sys.stderr)
        return 2
    from bot.services import llm_settings

    settings = get_settings()
    bank = load_bank(settings.content_dir, strict=False)
    grader = get_grader(bank.misconceptions, llm_settings(settings))
    try:
        result = evaluate(rows, grader, rubric=args.rubric, bank_questions=bank.questions)
    except EvalDataError as exc:
        print(f"viva eval-grader: {exc}", file=sys.stderr)
        return 2

    if args.json:
        payload: dict[str, object] = {
            **result.figures(), "rubric": args.rubric, "predictions": result.predictions,
            "key_points": [[{"status": status} for status in row] for row in result.key_points],
        }
        if result.matches:
            payload["matches"] = [
                {"question_id": m.question_id, "similarity": round(m.similarity, 3)} for m in result.matches
            ]
        print(json.dumps(payload))
        return 0
    for name, value in result.figures().items():
        print(f"{name}: {value}")
    if result.matches:
        print("bank matches (CSV question -> bank question, cosine):")
        seen: dict[str, tuple[str, float]] = {}
        for row, match in zip(rows, result.matches, strict=True):
            seen.setdefault(row.question, (match.question_id, match.similarity))
        for question, (question_id, similarity) in seen.items():
            shown = question if len(question) <= 70 else question[:67] + "..."
            print(f"  {question_id} ({similarity:.2f}) <- {shown}")
    return 0
