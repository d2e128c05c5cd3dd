"""A test case of a coding task and the outcome of checking one case."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Case:
    """One seeded case: a short name for reports and the inputs sent into the sandbox.

    `inputs` holds inputs only, never expected values: those are computed in the trusted parent.
    `about` describes the case in a candidate's words ("a single example, N=1").
    """

    name: str
    inputs: dict[str, Any]
    about: str = ""


@dataclass(frozen=True)
class CaseCheck:
    """Whether the submission's output for one case is right, and what to tell the candidate if not."""

    passed: bool
    message: str = ""

    @classmethod
    def ok(cls, message: str = "ok") -> CaseCheck:
        return cls(True, message)

    @classmethod
    def fail(cls, message: str) -> CaseCheck:
        return cls(False, message)
