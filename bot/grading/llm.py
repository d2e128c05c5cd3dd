"""Optional LLM grading backend (off unless LLM_BASE_URL is set): per-key-point judgements from an
OpenAI-compatible chat API under a strict JSON schema.

The offline grader stays in charge of everything the LLM is not needed for (the validity gate) and is
the fallback for every failure: timeout, HTTP error, invalid JSON, wrong ids. The whole call runs
under a hard wall-clock budget, so a slow or dribbling server cannot hold an interview up.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any

from bot.bank.schema import Misconception, Question
from bot.grading import scoring
from bot.grading.embedder import Embedder
from bot.grading.grade import MAX_ANSWER_CHARS, Grade, KeyPointGrade, KeyPointStatus
from bot.grading.grader import Grader
from bot.grading.validity import check_validity

#: However long LLM_TIMEOUT_S is, the offline fallback answers within this many seconds.
FALLBACK_BUDGET_S = 2.0
_STATUSES: tuple[KeyPointStatus, ...] = ("covered", "partial", "missing", "contradicted")
_COVERAGE: dict[KeyPointStatus, float] = {"covered": 1.0, "partial": 0.5, "missing": 0.0, "contradicted": 0.0}

_SYSTEM_PROMPT = (
    "You are a strict technical interviewer grading one answer to a deep-learning interview question. "
    "For every key point of the rubric decide whether the answer states it: covered (stated correctly), "
    "partial (gestured at, vague or incomplete), missing (not stated), or contradicted (the answer states "
    "the opposite or something wrong about it). Jargon without explanation is at most partial. List the ids "
    "of the listed misconceptions the answer actually asserts (not ones it refutes). Quote as evidence the "
    "answer's sentence that supports your judgement, or null. Reply with JSON only."
)


def response_schema(key_point_ids: list[str], misconception_ids: list[str]) -> dict[str, Any]:
    """The strict JSON schema the chat API must follow (OpenAI `response_format: json_schema`)."""
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["key_points", "misconceptions"],
        "properties": {
            "key_points": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["id", "status", "evidence"],
                    "properties": {
                        "id": {"type": "string", "enum": key_point_ids},
                        "status": {"type": "string", "enum": list(_STATUSES)},
                        "evidence": {"type": ["string", "null"]},
                    },
                },
            },
            "misconceptions": {"type": "array", "items": {"type": "string", "enum": misconception_ids or [""]}},
        },
    }


@dataclass(frozen=True)
class LLMSettings:
    base_url: str
    model: str
    api_key: str | None = None
    timeout_s: float = 2.0


class LLMJudgeError(Exception):
    """The LLM's reply could not be used; the offline grader takes over."""


class LLMGrader(Grader):
    """A `Grader` whose `grade()` asks the LLM first and falls back to the offline grader."""

    def __init__(
        self, misconceptions: Mapping[str, Misconception], settings: LLMSettings, embedder: Embedder | None = None
    ) -> None:
        super().__init__(misconceptions, embedder)
        self._settings = settings
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="llm-grader")
        self._misconception_map = dict(misconceptions)
        self.fallbacks = 0  # how many grades the offline grader had to produce (for logs and tests)
        self._count_lock = threading.Lock()

    def grade(self, question: Question, answer: str) -> Grade:
        truncated = len(answer) > MAX_ANSWER_CHARS
        text = answer[:MAX_ANSWER_CHARS] if truncated else answer
        if check_validity(text) != "ok":
            return super().grade(question, answer)  # the gate needs no model and no LLM
        budget = min(self._settings.timeout_s, FALLBACK_BUDGET_S)
        future = self._pool.submit(self._judge, question, text)
        try:
            return self._to_grade(question, future.result(timeout=budget), text, truncated)
        except (FutureTimeout, LLMJudgeError, OSError, ValueError):
            with self._count_lock:
                self.fallbacks += 1
            return super().grade(question, answer)

    # --- the HTTP call -----------------------------------------------------------------------
    def _judge(self, question: Question, answer: str) -> dict[str, Any]:
        linked = [m for m in question.misconceptions if m in self._misconception_map]
        rubric = {
            "question": question.prompt,
            "key_points": [{"id": kp.id, "point": kp.point} for kp in question.key_points],
            "misconceptions": [{"id": m, "statement": self._misconception_map[m].title} for m in linked],
            "answer": answer,
        }
        body = {
            "model": self._settings.model,
            "temperature": 0,
            "messages": [
                {"role": "system", "content": _SYSTEM_PROMPT},
                {"role": "user", "content": json.dumps(rubric)},
            ],
            "response_format": {
                "type": "json_schema",
                "json_schema": {
                    "name": "key_point_judgements",
                    "strict": True,
                    "schema": response_schema([kp.id for kp in question.key_points], linked),
                },
            },
        }
        headers = {"Content-Type": "application/json"}
        if self._settings.api_key:
            headers["Authorization"] = f"Bearer {self._settings.api_key}"
        request = urllib.request.Request(
            self._settings.base_url.rstrip("/") + "/chat/completions",
            data=json.dumps(body).encode(),
            headers=headers,
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self._settings.timeout_s) as response:
                payload = json.loads(response.read(1_000_000))
            content = payload["choices"][0]["message"]["content"]
            return json.loads(content)
        except (KeyError, IndexError, TypeError, json.JSONDecodeError, urllib.error.URLError) as exc:
            raise LLMJudgeError(str(exc)) from exc

    def _to_grade(self, question: Question, judged: dict[str, Any], answer: str, truncated: bool) -> Grade:
        if not isinstance(judged, dict) or not isinstance(judged.get("key_points"), list):
            raise LLMJudgeError("reply has no key_points list")
        by_id: dict[str, dict[str, Any]] = {}
        for item in judged["key_points"]:
            if not isinstance(item, dict) or item.get("status") not in _STATUSES:
                raise LLMJudgeError(f"bad key point judgement {item!r}")
            by_id[str(item.get("id"))] = item
        expected = [kp.id for kp in question.key_points]
        if set(by_id) != set(expected):
            raise LLMJudgeError(f"key point ids {sorted(by_id)} do not match the rubric {expected}")
        misconceptions = tuple(
            m for m in dict.fromkeys(judged.get("misconceptions") or []) if m in question.misconceptions
        )
        key_points = []
        for kp in question.key_points:
            item = by_id[kp.id]
            status: KeyPointStatus = item["status"]
            evidence = item.get("evidence")
            if not isinstance(evidence, str) or not evidence.strip() or evidence.strip() not in answer:
                evidence = None  # only quote what the candidate really wrote
            key_points.append(KeyPointGrade(kp.id, status, _COVERAGE[status], evidence))
        score = scoring.score_of(
            [k.coverage for k in key_points], [kp.weight for kp in question.key_points], len(misconceptions)
        )
        return Grade(score, tuple(key_points), misconceptions, "ok", truncated)
