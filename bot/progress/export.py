"""A candidate's data to take away: every answer and score as CSV, weakest questions as an Anki deck.

Interview answers and study-session answers both go in (the CSV's `practice` column tells them apart;
a study answer's `session_id` is its study session's id).

Anki matches notes across imports by their guid, so each note's guid is derived from the question id
alone (`anki_guid`): exporting again later updates the same cards instead of adding duplicates, and the
deck and note-type ids are constants for the same reason.
"""

from __future__ import annotations

import csv
import html
import io
import json
import sqlite3
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

from bot.bank.loader import Bank
from bot.grading.thresholds import STRONG_SCORE
from bot.progress.history import STUDY, CompletedTurn, History
from bot.storage.vocabulary import TurnPhase
from bot.wording import plural

CSV_COLUMNS = (
    "practice", "session_id", "completed_at", "question_id", "topic", "difficulty", "question", "outcome", "score",
    "max_score", "hints_used", "answer", "follow_up_answers", "key_points_missed",
)
DECK_LIMIT = 50
ANKI_MODEL_ID = 1_732_230_001  # fixed forever: changing it makes Anki see a different note type
ANKI_DECK_ID = 1_732_230_002
ANKI_DECK_NAME = "Viva — weakest questions"


@dataclass(frozen=True)
class WeakQuestion:
    question_id: str
    latest_score: float


def anki_guid(question_id: str) -> str:
    """The note guid for a question: a function of the question id only (stable across exports)."""
    import genanki

    return str(genanki.guid_for("viva", question_id))


def answers_csv(bank: Bank, history: History) -> str:
    """One row per completed question (oldest first), with the answer, follow-ups and score."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for turn in history.turns:
        question = bank.questions.get(turn.question_id)
        missed = [kp_id for kp_id, record in sorted(turn.coverage.items()) if record.get("status") != "covered"]
        writer.writerow([
            turn.kind, turn.session_id, turn.completed_at.isoformat(), turn.question_id,
            question.topic if question else "", question.difficulty if question else "",
            question.prompt if question else "", "answered" if turn.phase == TurnPhase.DONE else "skipped",
            "" if turn.score is None else f"{turn.score:.2f}", f"{turn.max_score:.1f}", turn.hints_used,
            turn.answer or "", "\n---\n".join(turn.follow_up_answers), " ".join(missed),
        ])
    return buffer.getvalue()


def weakest_questions(bank: Bank, turns: tuple[CompletedTurn, ...], *, limit: int = DECK_LIMIT,
                      below: float = STRONG_SCORE) -> list[WeakQuestion]:
    """Questions whose latest score (skips count 0) is below `below`, weakest first."""
    latest: dict[str, float] = {}
    for turn in turns:
        latest[turn.question_id] = float(turn.score or 0.0) if turn.phase == TurnPhase.DONE else 0.0
    weak = [WeakQuestion(qid, score) for qid, score in latest.items() if score < below and qid in bank.questions]
    weak.sort(key=lambda w: (w.latest_score, w.question_id))
    return weak[:limit]


def _note_fields(bank: Bank, weak: WeakQuestion) -> list[str]:
    question = bank.question(weak.question_id)
    topic = bank.topics.get(question.topic)
    points = "".join(f"<li>{html.escape(kp.point)}</li>" for kp in question.key_points)
    return [
        html.escape(question.prompt),
        html.escape(question.reference_answer),
        f"<ul>{points}</ul>",
        html.escape(topic.name if topic else question.topic),
        question.id,
        f"{weak.latest_score:.1f}/5",
    ]


def anki_deck(bank: Bank, weak: list[WeakQuestion], *, timestamp: float | None = None) -> bytes:
    """An .apkg (zip) with one note per weak question: the prompt, our reference answer and key points."""
    import genanki

    model = genanki.Model(
        ANKI_MODEL_ID, "Viva interview question",
        fields=[{"name": name} for name in ("Question", "Answer", "KeyPoints", "Topic", "QuestionId",
                                            "YourLastScore")],
        templates=[{
            "name": "Question → answer",
            "qfmt": "<div class=topic>{{Topic}} · {{QuestionId}}</div>{{Question}}",
            "afmt": "{{FrontSide}}<hr id=answer>{{Answer}}<h4>Key points</h4>{{KeyPoints}}"
                    "<div class=score>Your last score: {{YourLastScore}}</div>",
        }],
        css=".card{font-family:sans-serif;font-size:18px;text-align:left}.topic,.score{color:#888;font-size:14px}",
    )
    deck = genanki.Deck(ANKI_DECK_ID, ANKI_DECK_NAME,
                        description="Your weakest Viva questions, from interviews and study sessions.")
    for item in weak:
        question = bank.question(item.question_id)
        deck.add_note(genanki.Note(model=model, fields=_note_fields(bank, item), guid=anki_guid(item.question_id),
                                   tags=["viva", question.topic, question.id]))
    return _write_package(genanki.Package(deck), timestamp)


def _write_package(package: object, timestamp: float | None) -> bytes:
    """genanki's Package.write_to_file, but into memory and without leaving its temporary database behind."""
    stamp = time.time() if timestamp is None else timestamp
    with tempfile.TemporaryDirectory(prefix="viva-anki-") as folder:
        db_path = Path(folder) / "collection.anki2"
        connection = sqlite3.connect(db_path)
        try:
            package.write_to_db(connection.cursor(), stamp, _id_generator(stamp))  # type: ignore[attr-defined]
            connection.commit()
        finally:
            connection.close()
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.write(db_path, "collection.anki2")
            archive.writestr("media", json.dumps({}))
        return buffer.getvalue()


def _id_generator(stamp: float):  # type: ignore[no-untyped-def]
    import itertools

    return itertools.count(int(stamp * 1000))


@dataclass(frozen=True)
class ExportBundle:
    csv_text: str
    apkg: bytes | None  # None when nothing is weak (no deck to make)
    answers: int
    weak_questions: tuple[WeakQuestion, ...]
    study_answers: int = 0  # of `answers`, those given in study sessions


def answers_phrase(bundle: ExportBundle) -> str:
    """`3 answers (1 from study sessions)`: what the CSV holds, in words."""
    text = plural(bundle.answers, "answer")
    if bundle.study_answers and bundle.study_answers < bundle.answers:
        text += f" ({bundle.study_answers} from study sessions)"
    elif bundle.study_answers:
        text += " (all from study sessions)" if bundle.answers > 1 else " (from a study session)"
    return text


#: The empty state of /export and `viva export`: both kinds of practice count.
NOTHING_TO_EXPORT = ("You have no answers to export yet. Answers from interviews and from study sessions "
                     "both count: start an interview, or answer a question in a study session.")


def build_export(bank: Bank, history: History) -> ExportBundle:
    weak = weakest_questions(bank, history.turns)
    return ExportBundle(csv_text=answers_csv(bank, history), apkg=anki_deck(bank, weak) if weak else None,
                        answers=len(history.turns), weak_questions=tuple(weak),
                        study_answers=sum(1 for t in history.turns if t.kind == STUDY))
