"""What the grader returns: plain, frozen data (the interview engine and the CLI render it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

KeyPointStatus = Literal["covered", "partial", "missing", "contradicted"]
Validity = Literal["ok", "empty", "too_short", "non_answer", "gibberish"]

#: Longer answers are graded on their start only (and flagged `truncated`): bounds grading time.
MAX_ANSWER_CHARS = 5000

#: Order used when merging a main answer with follow-ups: a later covered beats an earlier contradicted.
STATUS_RANK: dict[KeyPointStatus, int] = {"contradicted": 0, "missing": 1, "partial": 2, "covered": 3}


@dataclass(frozen=True)
class KeyPointGrade:
    id: str  # the key point id (kp1…) or, for a reference rubric, "r1", "r2", …
    status: KeyPointStatus
    coverage: float  # 0..1
    evidence: str | None  # the candidate's sentence that best matched, if any


@dataclass(frozen=True)
class Grade:
    score: float  # 0..5, rounded to 0.1
    key_points: tuple[KeyPointGrade, ...]  # in rubric order
    misconceptions: tuple[str, ...]  # ids hit (e.g. "M15"), most confident first
    validity: Validity  # not "ok": the answer is not an attempt; score is 0, nothing else meaningful
    truncated: bool = False  # the answer was longer than MAX_ANSWER_CHARS and only its start was graded

    def status_of(self, key_point_id: str) -> KeyPointStatus:
        for kp in self.key_points:
            if kp.id == key_point_id:
                return kp.status
        raise KeyError(key_point_id)
