"""What the interviewer says that is not a persona line: the wording of feedback, notices and errors.

The engine decides *what* happens; this module decides how it is put to the candidate, so wording can
change (or be translated) without touching the state machine. Persona lines (greetings, leads before a
follow-up) live in the bank's persona files and `bot/interview/personas.py`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.grading.thresholds import STRONG_SCORE

ENDED = "This interview has ended. Start a new one to keep practising."
EMPTY_ANSWER = "Your answer was empty. Type your answer, or use hint, skip or end."
TRUNCATED = "Your answer was very long; I graded its beginning. All of it is saved."
HINT_ALREADY_USED = "You've already had the hint for this question."
PICKING_UP = "Picking up where we left off."
#: how much of an answer `catch_up_note` shows back for the candidate to copy
ECHO_MAX = 1500

_INVALID_LEADS = {
    "empty": "I didn't get an answer there.",
    "too_short": "That's a bit short for me to grade.",
    "non_answer": "No problem if you're unsure.",
    "gibberish": "I couldn't read that as an answer.",
}


@dataclass(frozen=True)
class QuestionView:
    """A question as shown to the candidate: front ends lay it out (an embed, a dim header line)."""

    number: int
    total: int
    topic: str
    difficulty: str
    prompt: str

    @property
    def header(self) -> str:
        return f"Question {self.number} of {self.total} · {self.topic} · {self.difficulty}"

    @property
    def text(self) -> str:
        """Header and prompt on two lines: the plain-text form (terminal transcripts, logs)."""
        return f"{self.header}\n{self.prompt}"


def is_strong(score: float) -> bool:
    return score >= STRONG_SCORE


def feedback_text(lead: str, score: float, missed_points: Sequence[str]) -> str:
    """The grade of a finished question: the persona's `lead`, the score, and what to add next time."""
    lines = [f"{lead} Score: {score:.1f}/5."]
    if missed_points and score < 5:
        lines.append("Worth adding next time: " + " ".join(f"• {p}" for p in missed_points))
    return "\n".join(lines)


def invalid_answer_text(validity: str) -> str:
    """Why an answer was not graded (empty, too short, "I don't know", unreadable), and what to do."""
    lead = _INVALID_LEADS.get(validity, "I couldn't grade that.")
    return (f"{lead} Try explaining it in a sentence or two; ask for a hint if you'd like a nudge, "
            "or skip this one. Nothing counts against you yet.")


def hint_text(lead: str, hint: str, capped_at: float) -> str:
    return f"{lead} {hint} (Using the hint caps this question at {capped_at:g}/5.)"


def missed_reply_text(question_number: int, saved_at: str) -> str:
    """`saved_at`: "HH:MM" (UTC) or empty when the record has no time."""
    when = f" at {saved_at} UTC" if saved_at else ""
    return (f"Your last answer (question {question_number}) was saved{when}, but my reply to it never reached "
            "you. Here it is:")


def catch_up_note(unused_answer: str | None) -> str:
    """Why the step just asked for was not taken: the reply to the previous answer is shown first."""
    if unused_answer is None:
        return ("I did not act on that, because my reply to your previous answer had not reached you. "
                "Press the button again if you still want it.")
    quoted = "\n".join(f"> {line}" for line in unused_answer[:ECHO_MAX].splitlines() or [""])
    return ("I did not take the text you just sent as an answer, because my reply to your previous answer "
            "had not reached you. If it answers the question below, send it again:\n" + quoted)
