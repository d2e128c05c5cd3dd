"""When and how an interviewer follows up on an answer.

At most MAX_FOLLOW_UPS per question, in this order of need:
1. the answer makes a wrong claim about a key point (contradicted: the central point first, then by weight)
   -> correct it by stating the point's right fact, once per point, even on an otherwise strong answer;
2. the answer states a listed misconception not already corrected that way -> its correction;
   a correction then asks about the missing central point, if any, else the weakest other point;
3. on a weak answer: the missing central point, then the highest-weight missing or partial point not yet
   probed -> probe it;
4. every point is touched but the answer is still weak -> ask "why".
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
    corrected_points = {str(f.get("key_point")) for f in asked if f.get("kind") == "correction"}
    probed = {str(f.get("key_point")) for f in asked if f.get("key_point")}

    wrong = [kp for kp in _by_need(question) if grade.status_of(kp.id) == "contradicted"
             and kp.id not in corrected_points]
    if wrong:
        target = wrong[0]
        mid = next((m for m in grade.misconceptions if m in misconceptions and m not in corrected), None)
        correction = _state(target.point)
        if mid is not None:
            correction = f"{correction} {misconceptions[mid].correction}"
        after = _weakest_point(question, grade, probed | {target.id}, skip_contradicted=True)
        ask = after.follow_up if after else "With that in mind, how would you put your answer now?"
        return FollowUp("correction", ask, key_point_id=target.id, misconception_id=mid, correction=correction)

    weakest = _weakest_point(question, grade, probed)
    for mid in grade.misconceptions:
        if mid in corrected or mid not in misconceptions:
            continue
        target_id = weakest.id if weakest else None
        ask = (weakest.follow_up if weakest else "With that in mind, how would you put your answer now?")
        return FollowUp("correction", ask, key_point_id=target_id, misconception_id=mid,
                        correction=misconceptions[mid].correction)

    if grade.score >= STRONG_SCORE:
        return None
    if weakest is not None:
        return FollowUp("probe", weakest.follow_up, key_point_id=weakest.id)
    if not any(f.get("kind") == "why" for f in asked):
        return FollowUp("why", "")
    return None


def _state(point: str) -> str:
    """A rubric point as the interviewer's statement of the right fact."""
    text = point.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def _by_need(question: Question) -> list:  # type: ignore[type-arg]
    """Key points, the central one first, then by weight (rubric order breaks ties)."""
    return sorted(question.key_points, key=lambda kp: (not kp.central, -kp.weight))


def _weakest_point(question: Question, grade: Grade, probed: set[str], *, skip_contradicted: bool = False):  # type: ignore[no-untyped-def]
    """The key point to probe: not yet probed, contradicted, missing or partial; the central point first
    when it is not covered, then contradicted and missing before partial, higher weight first."""
    candidates = []
    for order, kp in enumerate(question.key_points):
        status = grade.status_of(kp.id)
        if status not in _STATUS_NEED or kp.id in probed or (skip_contradicted and status == "contradicted"):
            continue
        candidates.append((not kp.central, _STATUS_NEED[status] > 1, -kp.weight, _STATUS_NEED[status], order, kp))
    if not candidates:
        return None
    return min(candidates, key=lambda c: c[:5])[5]
