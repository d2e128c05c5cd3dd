"""Stats figures, the chart PNG and the export files, computed from a hand-made history."""

from __future__ import annotations

import csv
import html
import io
import sqlite3
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from PIL import Image

from bot.progress.chart import render_progress_chart
from bot.progress.export import anki_deck, anki_guid, answers_csv, build_export, weakest_questions
from bot.progress.history import CompletedTurn, History
from bot.progress.stats import empty_stats, score_trend, summarise

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def turn(session: int, question: str, score: float | None, *, phase: str = "done", minutes: int = 0,
         coverage: dict | None = None) -> CompletedTurn:
    return CompletedTurn(
        session_id=session, session_started_at=T0 + timedelta(days=session), question_id=question,
        phase=phase, score=score, max_score=5.0, hints_used=0, answer=None if phase == "skipped" else "my answer",
        follow_up_answers=("more detail",) if score is not None and score < 3 else (),
        coverage=coverage or {}, completed_at=T0 + timedelta(days=session, minutes=minutes),
    )


def sample_history() -> History:
    weak_cov = {"kp1": {"status": "covered", "coverage": 0.9}, "kp2": {"status": "missing", "coverage": 0.1}}
    return History(session_count=3, finished_session_count=2, turns=(
        turn(1, "T07-001", 1.0, coverage=weak_cov),
        turn(1, "T08-001", 2.0, minutes=5),
        turn(2, "T04-001", None, phase="skipped"),
        turn(2, "T07-001", 4.0, minutes=5, coverage={"kp2": {"status": "partial", "coverage": 0.5}}),
        turn(3, "T08-001", 5.0),
    ))


def test_trend_compares_recent_answers_with_the_ones_before() -> None:
    assert score_trend([1.0]) is None
    assert score_trend([1.0, 3.0]) == 2.0
    assert score_trend([1, 5, 5, 5, 5, 5, 1, 1, 1, 1, 1]) == -4.0  # the last 5 vs the 5 before; older ignored


def test_stats_figures(test_bank) -> None:
    stats = summarise(test_bank, sample_history(), display_name="Ada", reviews_due=1)
    assert (stats.sessions, stats.finished_sessions) == (3, 2)
    assert (stats.questions_answered, stats.questions_skipped) == (4, 1)
    assert stats.average_score == 3.0  # (1 + 2 + 4 + 5) / 4: skips are not averaged in
    assert stats.trend == 3.0  # (4 + 5) / 2 - (1 + 2) / 2
    mastery = {t.topic_id: (t.mastery, t.answered, t.available) for t in stats.topics}
    assert mastery == {"T07": (80.0, 1, 1), "T08": (100.0, 1, 1)}, "latest score per question counts"
    assert [p.session_id for p in stats.timeline] == [1, 2, 3]
    assert [p.mean_score for p in stats.timeline] == [1.5, 4.0, 5.0]
    weakest = stats.weakest_points[0]
    assert (weakest.question_id, weakest.key_point_id, weakest.times_missed) == ("T07-001", "kp2", 1)
    assert weakest.point == test_bank.question("T07-001").key_point("kp2").point
    assert weakest.mean_coverage == 0.3


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    with Image.open(io.BytesIO(data)) as image:
        image.verify()
    with Image.open(io.BytesIO(data)) as image:
        return image.size


def test_chart_is_a_real_png_of_sensible_size(test_bank) -> None:
    png = render_progress_chart(summarise(test_bank, sample_history(), display_name="Ada"))
    assert 10_000 < len(png) < 500_000
    assert _png_size(png) == (900, 400)


def test_chart_renders_for_someone_without_answers() -> None:
    assert _png_size(render_progress_chart(empty_stats("Newcomer"))) == (900, 400)


def test_csv_has_every_completed_question_with_its_score(test_bank) -> None:
    rows = list(csv.DictReader(io.StringIO(answers_csv(test_bank, sample_history()))))
    assert [r["question_id"] for r in rows] == ["T07-001", "T08-001", "T04-001", "T07-001", "T08-001"]
    assert [r["score"] for r in rows] == ["1.00", "2.00", "", "4.00", "5.00"]
    assert rows[2]["outcome"] == "skipped" and rows[0]["outcome"] == "answered"
    assert rows[0]["question"] == test_bank.question("T07-001").prompt
    assert rows[0]["key_points_missed"] == "kp2" and rows[0]["follow_up_answers"] == "more detail"


def test_weakest_questions_use_the_latest_score(test_bank) -> None:
    weak = weakest_questions(test_bank, sample_history().turns)
    assert [(w.question_id, w.latest_score) for w in weak] == [("T04-001", 0.0)], "T07/T08 improved since"


def _notes(apkg: bytes, tmp_path: Path) -> list[tuple[str, list[str]]]:
    with zipfile.ZipFile(io.BytesIO(apkg)) as archive:
        assert "collection.anki2" in archive.namelist()
        path = tmp_path / f"collection-{len(list(tmp_path.iterdir()))}.anki2"
        path.write_bytes(archive.read("collection.anki2"))
    with sqlite3.connect(path) as connection:
        rows = connection.execute("SELECT guid, flds FROM notes ORDER BY guid").fetchall()
    return [(guid, fields.split("\x1f")) for guid, fields in rows]


def test_anki_deck_has_stable_note_ids_and_our_reference_answers(test_bank, tmp_path: Path) -> None:
    history = History(1, 1, (turn(1, "T07-001", 1.0), turn(1, "T08-001", 2.0, minutes=1)))
    first = anki_deck(test_bank, weakest_questions(test_bank, history.turns), timestamp=1_700_000_000)
    later = History(2, 2, (*history.turns, turn(2, "T08-001", 3.0)))
    second = anki_deck(test_bank, weakest_questions(test_bank, later.turns), timestamp=1_800_000_000)
    notes_first, notes_second = _notes(first, tmp_path), _notes(second, tmp_path)
    assert {g for g, _ in notes_first} == {anki_guid("T07-001"), anki_guid("T08-001")}
    assert {g for g, _ in notes_second} == {g for g, _ in notes_first}, "a re-export updates the same notes"
    by_id = {fields[4]: fields for _, fields in notes_second}
    question = test_bank.question("T07-001")
    assert by_id["T07-001"][0] == html.escape(question.prompt)
    assert by_id["T07-001"][1] == html.escape(question.reference_answer)
    assert question.key_points[0].point.split()[0] in by_id["T07-001"][2]
    assert by_id["T08-001"][5] == "3.0/5", "the note shows the latest score"


def test_export_without_weak_questions_has_no_deck(test_bank) -> None:
    bundle = build_export(test_bank, History(1, 1, (turn(1, "T07-001", 5.0),)))
    assert bundle.apkg is None and bundle.answers == 1 and "T07-001" in bundle.csv_text


def test_study_answers_count_with_interview_turns_and_keep_their_own_sessions(test_bank) -> None:
    """A study run and an interview may share an id: they are two sessions on the timeline, not one."""
    study = CompletedTurn(session_id=1, session_started_at=T0, question_id="T04-001", phase="done", score=2.0,
                          max_score=5.0, hints_used=0, answer="study answer", follow_up_answers=(),
                          coverage={"kp1": {"status": "partial", "coverage": 0.5}},
                          completed_at=T0 + timedelta(hours=1), kind="study")
    history = History(session_count=1, finished_session_count=1, study_session_count=1,
                      turns=(study, turn(1, "T07-001", 4.0)))  # the study answer came first
    stats = summarise(test_bank, history, display_name="Ada")
    assert (stats.sessions, stats.study_sessions, stats.questions_answered) == (1, 1, 2)
    assert [(p.kind, p.session_id, p.mean_score) for p in stats.timeline] == [("study", 1, 2.0),
                                                                              ("interview", 1, 4.0)]
    assert {t.topic_id for t in stats.topics} == {"T04", "T07"}
    rows = list(csv.DictReader(io.StringIO(answers_csv(test_bank, history))))
    assert [(r["practice"], r["question_id"]) for r in rows] == [("study", "T04-001"), ("interview", "T07-001")]
    assert empty_stats("Ada").has_practice is False and stats.has_practice
