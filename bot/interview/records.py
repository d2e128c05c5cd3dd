"""Grades as JSON-ready records, so every exchange is stored and can be re-combined after a restart."""

from __future__ import annotations

from typing import Any

from bot.grading import Grade, KeyPointGrade


def grade_to_record(grade: Grade) -> dict[str, Any]:
    return {
        "score": grade.score,
        "validity": grade.validity,
        "truncated": grade.truncated,
        "misconceptions": list(grade.misconceptions),
        "key_points": [
            {"id": kp.id, "status": kp.status, "coverage": round(kp.coverage, 4), "evidence": kp.evidence}
            for kp in grade.key_points
        ],
    }


def grade_from_record(record: dict[str, Any]) -> Grade:
    return Grade(
        score=float(record["score"]),
        key_points=tuple(
            KeyPointGrade(id=kp["id"], status=kp["status"], coverage=float(kp["coverage"]),
                          evidence=kp.get("evidence"))
            for kp in record["key_points"]
        ),
        misconceptions=tuple(record.get("misconceptions", ())),
        validity=record.get("validity", "ok"),
        truncated=bool(record.get("truncated", False)),
    )


def coverage_record(grade: Grade) -> dict[str, dict[str, Any]]:
    """The per-key-point part stored on a turn: {kp_id: {status, coverage}}, plus for a contradicted point
    `said`: the candidate's statement judged wrong (the report quotes it next to the correction)."""
    return {
        kp.id: {"status": kp.status, "coverage": round(kp.coverage, 4)}
        | ({"said": kp.evidence} if kp.status == "contradicted" and kp.evidence else {})
        for kp in grade.key_points
    }
