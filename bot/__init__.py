"""Viva: mock deep-learning job interviews on Discord and in the terminal."""

import os
from pathlib import Path

# NumPy's OpenBLAS would start a thread per core and spin them after every call. The grader's products are
# tiny (tens of rows by 384) and come from many grading threads at once, so those spinning threads only
# compete with the model and the event loop: under benchmarks/discord_load.py's burst of 100 answers they
# cost the bot about a quarter of its CPU time (6.5-7.5 s against 5.0 s) and 1 s of p95 latency. Set
# before NumPy loads (the package is imported first by `python -m bot`); an explicit setting wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

__version__ = "0.1.0"

#: The repository root: content/, coding_tasks/ and migrations/ live beside the package.
PROJECT_ROOT = Path(__file__).resolve().parent.parent
