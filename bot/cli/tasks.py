"""`python -m bot tasks [--json]`: list the coding tasks (slug, title, difficulty, topic)."""

from __future__ import annotations

import argparse
import json

from bot.bank.schema import DIFFICULTY_NAMES, difficulty_rank


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print a JSON list of tasks")


def run(args: argparse.Namespace) -> int:
    from bot.coding import load_tasks
    from bot.config import get_settings

    tasks = load_tasks(get_settings().coding_tasks_dir)
    rows = [{"slug": t.slug, "title": t.title, "difficulty": t.difficulty, "topic": t.topic}
            for t in sorted(tasks.values(), key=lambda t: (t.topic, difficulty_rank(t.difficulty), t.slug))]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
        return 0
    if not rows:
        print("no coding tasks found")
        return 0
    width = max(len(r["slug"]) for r in rows)
    for row in rows:
        level = DIFFICULTY_NAMES[row["difficulty"]]
        print(f"{row['slug']:<{width}}  {row['topic']}  {level:<6}  {row['title']}")
    return 0
