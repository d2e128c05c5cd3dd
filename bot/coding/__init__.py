"""Coding tasks: the task registry, the checker (comparisons in the trusted parent) and verdicts.

The Discord extension and the CLI use `check_submission`; `load_tasks` lists tasks for `/code tasks`.
"""

from bot.coding.check import check_submission, judge
from bot.coding.registry import Task, UnknownTask, check_tasks, load_tasks
from bot.coding.verdict import CaseVerdict, Verdict

__all__ = ["CaseVerdict", "Task", "UnknownTask", "Verdict", "check_submission", "check_tasks", "judge",
           "load_tasks"]
