"""Free-text answer grading: per-key-point coverage, misconceptions, a 0-5 score (docs/architecture.md §1).

`get_grader()` gives the process-wide grader; the embedding model behind it is loaded once per
process and shared.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping

from bot.bank.schema import Misconception
from bot.grading.embedder import Embedder, shared_embedder
from bot.grading.grade import MAX_ANSWER_CHARS, Grade, KeyPointGrade, KeyPointStatus, Validity
from bot.grading.grader import Grader

__all__ = [
    "MAX_ANSWER_CHARS", "Embedder", "Grade", "Grader", "KeyPointGrade", "KeyPointStatus", "Validity",
    "get_grader",
]

_graders: dict[tuple[frozenset[str], str], Grader] = {}
_graders_lock = threading.Lock()


def get_grader(misconceptions: Mapping[str, Misconception]) -> Grader:
    """Process-wide grader; the embedding model is loaded once per process and shared.

    With LLM_BASE_URL set, the grader asks that OpenAI-compatible API first and falls back to the
    offline grader on any failure (bot/grading/llm.py).
    """
    from bot.config import get_settings

    settings = get_settings()
    key = (frozenset(m.model_dump_json() for m in misconceptions.values()), settings.llm_base_url or "")
    with _graders_lock:
        grader = _graders.get(key)
        if grader is None:
            if settings.llm_base_url:
                from bot.grading.llm import LLMGrader, LLMSettings

                api_key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
                llm = LLMSettings(settings.llm_base_url, settings.llm_model, api_key, settings.llm_timeout_s)
                grader = LLMGrader(misconceptions, llm, embedder=shared_embedder())
            else:
                grader = Grader(misconceptions, embedder=shared_embedder())
            _graders[key] = grader
        return grader
