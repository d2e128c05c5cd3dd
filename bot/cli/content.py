"""`content check`: validate content/ and coding_tasks/ and print counts by topic and difficulty."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="content_command", metavar="ACTION", required=True)
    check = sub.add_parser("check", help="validate the question bank and coding tasks")
    check.add_argument("--json", action="store_true", help="print one JSON object")
    check.add_argument("--no-embeddings", action="store_true",
                       help="skip the near-duplicate check (it loads the embedding model)")


def run(args: argparse.Namespace) -> int:
    from bot.bank.loader import load_bank
    from bot.bank.policy import check_balance, check_rubrics, counts
    from bot.bank.review import ReviewStats, check_hints, check_near_duplicates, check_prompt_only_terms
    from bot.config import get_settings
    from bot.log import setup_logging

    settings = get_settings()
    setup_logging("WARNING")
    bank = load_bank(settings.content_dir, strict=False)
    errors = list(bank.errors)
    errors += check_balance(bank)
    errors += check_rubrics(bank)
    errors += _seed_map_errors(settings.content_dir, bank)
    stats = ReviewStats()
    errors += check_prompt_only_terms(bank, stats)
    errors += check_hints(bank, stats)
    task_errors = _coding_task_errors(settings.coding_tasks_dir)
    if not args.no_embeddings and bank.questions:
        from bot.grading.embedder import shared_embedder

        errors += check_near_duplicates(bank, shared_embedder().encode, stats)
    by_topic, by_difficulty = counts(bank)
    messages = [str(e) for e in errors] + task_errors

    if args.json:
        print(json.dumps({
            "questions": [{"id": q.id, "topic": q.topic, "difficulty": q.difficulty, "prompt": q.prompt}
                          for q in bank.questions.values()],
            "by_topic": {tid: sum(c.values()) for tid, c in by_topic.items()},
            "by_difficulty": dict(sorted(by_difficulty.items())),
            "personas": sorted(bank.personas),
            "misconceptions": sorted(bank.misconceptions),
            "review": _review_counts(stats, args.no_embeddings),
            "errors": messages,
        }, ensure_ascii=False))
    else:
        _print_table(bank, by_topic, by_difficulty)
        _print_review(stats, args.no_embeddings)
        for message in messages:
            print(f"error: {message}", file=sys.stderr)
        print(f"{len(messages)} error(s)" if messages else "content OK")
    return 1 if messages else 0


def _review_counts(stats, skipped_embeddings: bool) -> dict:  # type: ignore[no-untyped-def]
    closest = stats.closest_pair
    return {
        "near_duplicate_pairs": None if skipped_embeddings else stats.near_duplicates,
        "pairs_compared": stats.pairs,
        "closest_pair": None if closest is None else {"ids": list(closest[:2]), "score": round(closest[2], 3)},
        "prompt_only_terms": stats.prompt_only_terms,
        "terms_checked": stats.terms_checked,
        "hint_giveaways": stats.hint_giveaways,
    }


def _print_review(stats, skipped_embeddings: bool) -> None:  # type: ignore[no-untyped-def]
    from bot.bank.review import NEAR_DUPLICATE_SCORE

    if skipped_embeddings:
        print("near-duplicates: not checked (--no-embeddings)")
    else:
        closest = stats.closest_pair
        where = f"; closest pair {closest[0]}/{closest[1]} at {closest[2]:.3f}" if closest else ""
        print(f"near-duplicates: {stats.near_duplicates} of {stats.pairs} pairs above {NEAR_DUPLICATE_SCORE}{where}")
    print(f"prompt-only terms: {stats.prompt_only_terms} of {stats.terms_checked}; "
          f"hints repeating a key point: {stats.hint_giveaways}")


def _seed_map_errors(content_dir: Path, bank) -> list:  # type: ignore[no-untyped-def]
    try:
        from bot.bank.seed_map import check_seed_map
    except ImportError:
        return []
    return check_seed_map(content_dir, bank)


def _coding_task_errors(tasks_dir: Path) -> list[str]:
    try:
        from bot.coding.registry import check_tasks
    except ImportError:
        return []
    return check_tasks(tasks_dir)


def _print_table(bank, by_topic, by_difficulty) -> None:  # type: ignore[no-untyped-def]
    from rich.console import Console
    from rich.table import Table

    from bot.bank.schema import DIFFICULTIES

    table = Table(title=f"Question bank: {len(bank.questions)} questions")
    table.add_column("topic")
    table.add_column("name")
    for level in DIFFICULTIES:
        table.add_column(level, justify="right")
    table.add_column("total", justify="right")
    for tid, counter in sorted(by_topic.items()):
        name = bank.topics[tid].name if tid in bank.topics else "?"
        table.add_row(tid, name, *(str(counter[d]) for d in DIFFICULTIES), str(sum(counter.values())))
    total = sum(by_difficulty.values()) or 1
    table.add_row("", "all", *(f"{by_difficulty[d]} ({by_difficulty[d] / total:.0%})" for d in DIFFICULTIES),
                  str(sum(by_difficulty.values())), end_section=True)
    console = Console(highlight=False, width=110)
    console.print(table)
    console.print(f"{len(bank.personas)} personas, {len(bank.misconceptions)} misconceptions, "
                  f"{len(bank.topics)} topics")
