"""What crosses Redis, encoded with the sandbox's strict, pickle-free wire format.

arq pickles jobs and results by default; a worker host that is compromised could then run code in the
bot by returning a crafted pickle. The wire decoder accepts only plain values and numeric arrays, so a
result can at worst be wrong, never executable.
"""

from __future__ import annotations

from typing import Any

from bot.grading.grade import Grade, KeyPointGrade
from bot.sandbox import wire
from bot.sandbox.api import CaseOutput, SandboxJob, SandboxResult, SubmissionError


def serialize(value: dict[str, Any]) -> bytes:
    """arq's job/result serializer."""
    return wire.encode(value)


def deserialize(data: bytes) -> dict[str, Any]:
    """arq's job/result deserializer."""
    value = wire.decode(data)
    if not isinstance(value, dict):
        raise wire.WireError("a queue record must be a mapping")
    return value


def job_to_dict(job: SandboxJob) -> dict[str, Any]:
    return {"submission": job.submission, "driver": job.driver, "cases": list(job.cases),
            "flavour": job.flavour, "forbid_autograd": job.forbid_autograd,
            "time_limit_s": float(job.time_limit_s), "memory_mb": int(job.memory_mb)}


def job_from_dict(data: dict[str, Any]) -> SandboxJob:
    return SandboxJob(submission=str(data["submission"]), driver=str(data["driver"]),
                      cases=tuple(data["cases"]), flavour=data["flavour"],
                      forbid_autograd=bool(data["forbid_autograd"]), time_limit_s=float(data["time_limit_s"]),
                      memory_mb=int(data["memory_mb"]))


def _error_to_dict(error: SubmissionError | None) -> dict[str, Any] | None:
    if error is None:
        return None
    return {"type": error.type, "message": error.message, "line": error.line, "source_line": error.source_line,
            "traceback": error.traceback}


def _error_from_dict(data: dict[str, Any] | None) -> SubmissionError | None:
    if data is None:
        return None
    return SubmissionError(str(data["type"]), str(data["message"]), data["line"], data["source_line"],
                           str(data["traceback"]))


def result_to_dict(result: SandboxResult) -> dict[str, Any]:
    return {"status": result.status, "load_error": _error_to_dict(result.load_error), "stdout": result.stdout,
            "duration_ms": float(result.duration_ms), "detail": result.detail,
            "outputs": [{"ok": o.ok, "value": o.value, "error": _error_to_dict(o.error)} for o in result.outputs]}


def result_from_dict(data: dict[str, Any]) -> SandboxResult:
    outputs = tuple(CaseOutput(bool(o["ok"]), o["value"], _error_from_dict(o["error"])) for o in data["outputs"])
    return SandboxResult(status=data["status"], outputs=outputs, load_error=_error_from_dict(data["load_error"]),
                         stdout=str(data["stdout"]), duration_ms=float(data["duration_ms"]),
                         detail=str(data.get("detail", "")))


def grade_to_dict(grade: Grade) -> dict[str, Any]:
    return {"score": float(grade.score), "validity": grade.validity, "truncated": grade.truncated,
            "misconceptions": list(grade.misconceptions),
            "key_points": [{"id": kp.id, "status": kp.status, "coverage": float(kp.coverage),
                            "evidence": kp.evidence} for kp in grade.key_points]}


def grade_from_dict(data: dict[str, Any]) -> Grade:
    return Grade(score=float(data["score"]),
                 key_points=tuple(KeyPointGrade(kp["id"], kp["status"], float(kp["coverage"]), kp["evidence"])
                                  for kp in data["key_points"]),
                 misconceptions=tuple(data["misconceptions"]), validity=data["validity"],
                 truncated=bool(data["truncated"]))
