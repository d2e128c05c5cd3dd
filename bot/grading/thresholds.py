"""Score thresholds shared by the interview, the report, spaced repetition, export and evaluation.

Scores run from 0 to 5. One place for the numbers, so "a strong answer" means the same everywhere.
"""

from __future__ import annotations

MAX_SCORE = 5.0
#: at or above: a strong answer (the persona's "well done", not "study this", not due again soon);
#: below: weak (the evaluation's `auc_weak` uses the same line)
STRONG_SCORE = 3.5
#: a question answered after taking its hint scores at most this
HINT_MAX_SCORE = 4.0
