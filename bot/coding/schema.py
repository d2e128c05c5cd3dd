"""The schema of a coding task's `task.yaml`, validated with pydantic."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

SLUG = r"^[a-z][a-z0-9_]{1,40}$"
TOPIC_ID = r"^T(0[1-9]|1[0-8])$"
PYTHON_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class TaskMeta(BaseModel):
    """What `task.yaml` declares about a task.

    `flavour` says which libraries a submission may use: `numpy` (numpy only) or `torch-allowed`
    (numpy and torch tensor ops). `forbid_autograd` makes any autograd call in the submission raise,
    so gradient tasks check the candidate's own backward pass.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    slug: str = Field(pattern=SLUG)
    title: str = Field(min_length=3, max_length=80)
    difficulty: Literal["E", "M", "H"]
    topic: str = Field(pattern=TOPIC_ID)
    flavour: Literal["numpy", "torch-allowed"]
    forbid_autograd: bool = False
    time_limit_s: float = Field(default=5.0, gt=0, le=60)
    memory_mb: int = Field(default=512, ge=64, le=4096)
    functions: list[str] = Field(min_length=1, max_length=8)
    #: Said when the job runs out of time, in place of the generic advice (e.g. a gradient task whose
    #: largest case exists so that numerical differentiation cannot finish in time).
    timeout_hint: str | None = Field(default=None, max_length=300)

    @field_validator("functions")
    @classmethod
    def _python_names(cls, names: list[str]) -> list[str]:
        for name in names:
            if not PYTHON_NAME.match(name):
                raise ValueError(f"{name!r} is not a Python function name")
        if len(set(names)) != len(names):
            raise ValueError("function names must be unique")
        return names

    @property
    def sandbox_flavour(self) -> Literal["numpy", "torch"]:
        """The sandbox worker kind this task needs (torch-allowed tasks run in the torch worker)."""
        return "torch" if self.flavour == "torch-allowed" else "numpy"
