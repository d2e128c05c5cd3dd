"""`grade-answer QUESTION_ID ANSWER`: grade one answer with the bank rubric."""

from __future__ import annotations

import argparse
import json
import sys


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("question_id", metavar="QUESTION_ID", help="a bank question id, e.g. T04-001")
    parser.add_argument("answer", metavar="ANSWER", help="the answer text ('-' reads it from stdin)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def run(args: argparse.Namespace) -> int:
    from bot.bank.loader import ContentLoadError, load_bank
    from bot.config import get_settings
    from bot.grading import get_grader
    from bot.interview.followup import decide_follow_up
    from bot.log import setup_logging

    settings = get_settings()
    setup_logging("WARNING" if settings.log_level == "INFO" else settings.log_level)
    try:
        bank = load_bank(settings.content_dir)
    except ContentLoadError as exc:
        print(f"viva: the question bank has errors; first: {exc.errors[0]}", file=sys.stderr)
        return 1
    if args.question_id not in bank.questions:
        print(f"viva: unknown question id {args.question_id!r} (see `python -m bot content check --json`)",
              file=sys.stderr)
        return 2
    from bot.interview.answer_text import clean_answer

    # argv bytes that are not UTF-8 arrive as lone surrogates: cleaned like every answer
    answer = clean_answer(sys.stdin.read() if args.answer == "-" else args.answer)
    question = bank.question(args.question_id)
    from bot.services import llm_settings

    grade = get_grader(bank.misconceptions, llm_settings(settings)).grade(question, answer)
    follow_up = decide_follow_up(question, grade, [], bank.misconceptions)
    follow_text = None
    if follow_up is not None:
        follow_text = follow_up.question or "Why does that hold? Walk me through your reasoning."
        if follow_up.kind == "correction" and follow_up.correction:
            follow_text = f"{follow_up.correction} {follow_text}"
    result = {
        "question_id": question.id,
        "score": grade.score,
        "validity": grade.validity,
        "key_points": [
            {"id": kp.id, "point": question.key_point(kp.id).point, "weight": question.key_point(kp.id).weight,
             "status": kp.status, "coverage": round(kp.coverage, 3)}
            for kp in grade.key_points
        ],
        "misconceptions": [
            {"id": mid, "title": bank.misconceptions[mid].title}
            for mid in grade.misconceptions if mid in bank.misconceptions
        ],
        "follow_up": None if follow_up is None else {"kind": follow_up.kind, "text": follow_text},
    }
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
        return 0
    _print_human(question.prompt, result)
    return 0


def _print_human(prompt: str, result: dict) -> None:  # type: ignore[type-arg]
    from rich.console import Console

    console = Console(highlight=False)
    console.print(f"[bold]{result['question_id']}[/bold] {prompt}", markup=True)
    if result["validity"] != "ok":
        console.print(f"Not graded as an attempt ({result['validity']}). Score: 0.0 / 5", markup=False)
        return
    console.print(f"Score: [bold]{result['score']:.1f} / 5[/bold]")
    marks = {"covered": "✔", "partial": "~", "missing": "✘", "contradicted": "✘!"}
    for kp in result["key_points"]:
        console.print(f"  {marks.get(kp['status'], '?'):<2} {kp['status']:<12} (w{kp['weight']}) {kp['point']}",
                      markup=False)
    for m in result["misconceptions"]:
        console.print(f"  misconception {m['id']}: {m['title']}", markup=False)
    if result["follow_up"]:
        console.print(f"Follow-up ({result['follow_up']['kind']}): {result['follow_up']['text']}", markup=False)
    else:
        console.print("No follow-up: a strong answer.", markup=False)
