"""When a transition fails for a reason outside the candidate's control, say so truthfully.

The engine commits every transition before it replies, so it knows whether the candidate's action was
saved when something broke: before the commit nothing was (the answer must be sent again), after it
everything was (only the reply is missing, and resuming shows it). Front ends show `StepFailed`'s
message as they show any `InterviewError`: privately, in one short paragraph.
"""

from __future__ import annotations

from typing import Literal

from bot.storage.errors import StorageProblem

Step = Literal["start", "answer", "hint", "skip", "end", "resume", "lookup", "command", "forget", "code"]

_UNEXPECTED = "something went wrong on my side (it has been logged)"


def failure_message(step: str, problem: StorageProblem | None, *, saved: bool) -> str:
    """One short message: what happened, and whether the candidate's answer is safe or must be resent."""
    reason = problem.reason if problem is not None else _UNEXPECTED
    later = "in a minute or two" if problem is None or problem.transient else "once the bot's host has fixed it"
    if step == "answer":
        if saved:
            return (f"Your answer is saved, but I couldn't finish replying: {reason}. Nothing is lost: "
                    "you will get my reply when you continue the interview.")
        return f"Sorry, I couldn't save your answer: {reason}. It was NOT saved: please send it again {later}."
    if step == "code":  # submissions are checked, not stored
        return f"Sorry, I couldn't check your code: {reason}. It was not kept: please submit it again {later}."
    if problem is None and not saved:  # a bug, not storage: do not guess what it changed
        return f"Sorry, {reason}. Please try again {later}."
    if saved:
        return f"That went through, but I couldn't finish replying: {reason}. Continue the interview to see where it stands."
    return f"Sorry, I couldn't do that: {reason}. Nothing was changed; please try again {later}."
