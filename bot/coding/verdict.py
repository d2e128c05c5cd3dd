"""The result of checking a submission, as the CLI and the Discord extension show it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

VerdictStatus = Literal["passed", "failed", "error", "timeout", "memory", "crashed"]


class CaseVerdict(NamedTuple):
    """One case: its short name, whether it passed, and what to tell the candidate."""

    name: str
    passed: bool
    message: str


@dataclass(frozen=True)
class Verdict:
    """A whole submission's verdict. `to_json()` follows the `check-code --json` contract (docs/architecture.md §2)."""

    task: str
    passed: bool
    status: VerdictStatus
    cases: tuple[CaseVerdict, ...]
    feedback: str
    duration_ms: float
    stdout: str = ""
    #: the seed the cases were drawn from; a failed verdict's feedback names it (`check-code --seed`)
    seed: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "task": self.task,
            "passed": self.passed,
            "status": self.status,
            "cases": [{"name": c.name, "passed": c.passed, "message": c.message} for c in self.cases],
            "feedback": self.feedback,
            "duration_ms": round(self.duration_ms, 3),
        }

    @property
    def passed_count(self) -> int:
        return sum(1 for c in self.cases if c.passed)
