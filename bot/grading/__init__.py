"""Free-text answer grading: per-key-point coverage, misconceptions, a 0-5 score (docs/architecture.md §1).

`get_grader()` gives the process-wide grader; the embedding model behind it is loaded once per
process and shared.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING

from bot.bank.schema import Misconception
from bot.grading.embedder import Embedder, shared_embedder
from bot.grading.grade import MAX_ANSWER_CHARS, Grade, KeyPointGrade, KeyPointStatus, Validity
from bot.grading.grader import Grader

if TYPE_CHECKING:
    from bot.grading.llm import LLMSettings

__all__ = [
    "MAX_ANSWER_CHARS", "Embedder", "Grade", "Grader", "KeyPointGrade", "KeyPointStatus", "Validity",
    "get_grader",
]

_graders: dict[tuple[frozenset[str], str], Grader] = {}
_graders_lock = threading.Lock()


def get_grader(misconceptions: Mapping[str, Misconception], llm: LLMSettings | None = None) -> Grader:
    """Process-wide grader; the embedding model is loaded once per process and shared.

    With `llm` (from LLM_BASE_URL: `bot.services.llm_settings`), the grader asks that OpenAI-compatible API
    first and falls back to the offline grader on any failure (bot/grading/llm.py).
    """
    key = (frozenset(m.model_dump_json() for m in misconceptions.values()), llm.base_url if llm else "")
    with _graders_lock:
        grader = _graders.get(key)
        if grader is None:
            if llm is not None:
                from bot.grading.llm import LLMGrader

                grader = LLMGrader(misconceptions, llm, embedder=shared_embedder())
            else:
                grader = Grader(misconceptions, embedder=shared_embedder())
            _graders[key] = grader
        return grader
