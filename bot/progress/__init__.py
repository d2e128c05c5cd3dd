"""Progress: spaced repetition (FSRS) fed by the grader, stats and charts, export, and forgetting a user.

Domain code: no Discord here. The front ends (bot/exts/progress/, bot/cli/stats.py, bot/cli/export.py)
call these functions and render their plain-data results.
"""
