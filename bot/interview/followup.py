"""When and how an interviewer follows up on an answer.

A follow-up comes only on a weak answer, at most MAX_FOLLOW_UPS per question, in this order of need:
1. the answer states a misconception -> correct it (once per misconception);
2. a key point is missing or contradicted (then partial) -> probe the highest-weight one not yet probed;
3. every point is touched but the answer is still weak -> ask "why".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from bot.bank.schema import Misconception, Question
from bot.grading import Grade

MAX_FOLLOW_UPS = 2
#: A score at or above this is a strong answer: the interviewer moves on.
STRONG_SCORE = 4.0

FollowUpKind = Literal["correction", "probe", "why"]


@dataclass(frozen=True)
class FollowUp:
    kind: FollowUpKind
    question: str                      # what the interviewer asks next
    key_point_id: str | None = None    # the point probed (probe, or the point a correction targets)
    misconception_id: str | None = None
    correction: str | None = None      # the corrected statement, for kind == "correction"

    def as_record(self) -> dict[str, str | None]:
        return {"kind": self.kind, "key_point": self.key_point_id, "misconception": self.misconception_id,
                "question": self.question}


_STATUS_NEED = {"contradicted": 0, "missing": 1, "partial": 2}


def decide_follow_up(
    question: Question,
    grade: Grade,
    asked: Sequence[Mapping[str, object]],
    misconceptions: Mapping[str, Misconception],
) -> FollowUp | None:
    """The next follow-up for this question given the (merged) grade and follow-ups already asked."""
    if len(asked) >= MAX_FOLLOW_UPS or grade.validity != "ok":
        return None
    corrected = {str(f.get("misconception")) for f in asked if f.get("kind") == "correction"}
    probed = {str(f.get("key_point")) for f in asked if f.get("key_point")}
    weakest = _weakest_point(question, grade, probed)

    for mid in grade.misconceptions:
        if mid in corrected or mid not in misconceptions:
            continue
        target = weakest.id if weakest else None
        ask = (weakest.follow_up if weakest else "With that in mind, how would you put your answer now?")
        return FollowUp("correction", ask, key_point_id=target, misconception_id=mid,
                        correction=misconceptions[mid].correction)

    if grade.score >= STRONG_SCORE:
        return None
    if weakest is not None:
        return FollowUp("probe", weakest.follow_up, key_point_id=weakest.id)
    if not any(f.get("kind") == "why" for f in asked):
        return FollowUp("why", "")
    return None


def _weakest_point(question: Question, grade: Grade, probed: set[str]):  # type: ignore[no-untyped-def]
    """The highest-weight key point that is contradicted, missing or partial and not yet probed."""
    candidates = []
    for order, kp in enumerate(question.key_points):
        status = grade.status_of(kp.id)
        if status in _STATUS_NEED and kp.id not in probed:
            candidates.append((_STATUS_NEED[status] > 1, -kp.weight, _STATUS_NEED[status], order, kp))
    if not candidates:
        return None
    return min(candidates, key=lambda c: c[:4])[4]
