"""The end-of-session report: plain data, rendered as Markdown by any front end."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.bank.loader import Bank
from bot.grading.thresholds import STRONG_SCORE  # below it, a question is one to study again
from bot.storage.models import InterviewSession, Turn
from bot.storage.vocabulary import TurnPhase


@dataclass(frozen=True)
class QuestionReport:
    number: int
    question_id: str
    topic: str
    prompt: str
    outcome: str                    # answered | skipped | unanswered
    score: float
    max_score: float
    covered: tuple[str, ...]        # key points in plain words
    partial: tuple[str, ...]
    missed: tuple[str, ...]
    corrections: tuple[tuple[str, str], ...]  # (misconception stated, its correction)
    hint_used: bool
    follow_ups: int
    #: key points the answer got wrong: (the candidate's statement if known, the right fact)
    wrong: tuple[tuple[str | None, str], ...] = ()


@dataclass(frozen=True)
class Report:
    session_id: int
    persona: str
    questions: tuple[QuestionReport, ...]
    study_next: tuple[tuple[str, str], ...] = field(default_factory=tuple)  # (topic id, topic name)

    @property
    def counted(self) -> tuple[QuestionReport, ...]:
        """Questions that count towards the score: answered or skipped (not the one left open at the end)."""
        return tuple(q for q in self.questions if q.outcome != "unanswered")

    @property
    def total(self) -> float:
        return round(sum(q.score for q in self.counted), 1)

    @property
    def possible(self) -> float:
        return float(5 * len(self.counted))

    @property
    def average(self) -> float:
        return round(self.total / len(self.counted), 1) if self.counted else 0.0

    def render_markdown(self) -> str:
        lines = [f"## Interview report (session {self.session_id})",
                 f"**Overall: {self.average:.1f} / 5** over {_plural(len(self.counted), 'question')} "
                 f"(total {self.total:g} of {self.possible:g})."]
        if not self.counted:
            lines.append("No question was answered in this session.")
        for q in self.questions:
            lines.append("")
            notes = []
            if q.hint_used:
                notes.append("hint used: max 4")
            if q.follow_ups:
                notes.append(_plural(q.follow_ups, "follow-up"))
            suffix = f" ({', '.join(notes)})" if notes else ""
            status = {"skipped": "skipped", "unanswered": "not answered"}.get(q.outcome, f"{q.score:.1f} / 5")
            lines.append(f"### Q{q.number} [{q.question_id}] — {status}{suffix}")
            lines.append("")
            lines.append(f"> {q.prompt}")
            # Blank lines around each block: Markdown renderers otherwise merge a label into the list above.
            for label, points in (("Covered", q.covered), ("Partly covered", q.partial), ("Missed", q.missed)):
                if points:
                    lines += ["", f"**{label}:**", *[f"- {p}" for p in points]]
            if q.wrong:
                lines += ["", "**Wrong:**"]
                lines += [f"- You said \"{said}\"; in fact: {right}" if said else f"- In fact: {right}"
                          for said, right in q.wrong]
            for wrong, right in q.corrections:
                lines += ["", f"**Corrected:** \"{wrong}\" — {right}"]
        if self.study_next:
            lines.append("")
            lines.append("### Study next")
            lines += [f"- {tid} {name}" for tid, name in self.study_next]
        return "\n".join(lines)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def build_report(session: InterviewSession, turns: list[Turn], bank: Bank) -> Report:
    rows: list[QuestionReport] = []
    weakness: dict[str, float] = {}
    for turn in sorted(turns, key=lambda t: t.position):
        question = bank.questions.get(turn.question_id)
        if question is None:
            continue  # a question removed from the bank since: nothing meaningful to report
        covered, partial, missed, wrong = [], [], [], []
        for kp in question.key_points:
            record = (turn.coverage or {}).get(kp.id, {})
            status = record.get("status", "missing")
            if status == "contradicted":
                wrong.append((record.get("said"), kp.point))
            else:
                {"covered": covered, "partial": partial}.get(status, missed).append(kp.point)
        corrections = tuple(
            (bank.misconceptions[m].title, bank.misconceptions[m].correction)
            for m in (turn.misconceptions or []) if m in bank.misconceptions
        )
        if turn.phase == TurnPhase.SKIPPED:
            outcome = "skipped"
        elif turn.score is None:
            outcome = "unanswered"
        else:
            outcome = "answered"
        score = float(turn.score or 0.0)
        rows.append(QuestionReport(
            number=turn.position + 1, question_id=question.id, topic=question.topic, prompt=question.prompt,
            outcome=outcome, score=score, max_score=turn.max_score, covered=tuple(covered),
            partial=tuple(partial), missed=tuple(missed), corrections=corrections, wrong=tuple(wrong),
            hint_used=turn.hints_used > 0, follow_ups=len(turn.follow_ups or []),
        ))
        if outcome != "unanswered" and score < STRONG_SCORE:
            weakness[question.topic] = weakness.get(question.topic, 0.0) + (STRONG_SCORE - score)
    study = tuple(
        (tid, bank.topics[tid].name if tid in bank.topics else tid)
        for tid, _ in sorted(weakness.items(), key=lambda kv: -kv[1])
    )
    return Report(session_id=session.id, persona=session.persona_id, questions=tuple(rows), study_next=study)
