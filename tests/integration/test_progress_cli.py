"""`python -m bot stats` and `python -m bot export` (in-process, on a real migrated SQLite file)."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import random
import sqlite3
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.__main__ import build_parser, main
from bot.interview.engine import InterviewEngine, InterviewOptions, Participant
from bot.progress.export import anki_guid
from bot.storage.database import create_engine, make_sessionmaker
from tests.conftest import TEST_BANK_DIR

ADA = Participant(platform="terminal", external_id="ada", display_name="Ada")


async def _seed(db_url: str, bank, grader) -> None:
    """Ada skipped one easy question and answered the other with the reference answer."""
    engine = create_engine(db_url)
    try:
        interviews = InterviewEngine(bank, grader, make_sessionmaker(engine))
        reply = await interviews.start(ADA, InterviewOptions(questions=2, difficulty="easy", persona="tester"))
        reply = await interviews.skip(reply.session_id)
        second = next(q for q in bank.questions_for(difficulty="E") if q.prompt in reply.messages[-1].text)
        reply = await interviews.answer(reply.session_id, second.reference_answer)
        while not reply.finished:
            reply = await interviews.skip(reply.session_id)
    finally:
        await engine.dispose()


@pytest.fixture
def seeded(db_url: str, test_bank, grader, monkeypatch: pytest.MonkeyPatch) -> str:
    asyncio.run(_seed(db_url, test_bank, grader))
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("CONTENT_DIR", str(TEST_BANK_DIR))
    return db_url


def test_stats_prints_figures_and_writes_the_chart(seeded: str, tmp_path: Path, capsys) -> None:
    chart = tmp_path / "progress.png"
    assert main(["stats", "--user", "ada", "--chart", str(chart)]) == 0
    out = capsys.readouterr().out
    assert "Progress · Ada" in out and "Questions answered: 1 (skipped 1)" in out and "Mastery by topic" in out
    assert chart.read_bytes().startswith(b"\x89PNG") and chart.stat().st_size > 10_000


def test_stats_json_has_the_figures(seeded: str, capsys) -> None:
    assert main(["stats", "--user", "ada", "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["questions_answered"] == 1 and figures["questions_skipped"] == 1
    assert figures["sessions"] == 1 and len(figures["timeline"]) == 1 and figures["topics"]


def test_stats_for_someone_new_points_to_practice(seeded: str, capsys) -> None:
    assert main(["stats", "--user", "nobody"]) == 0
    assert "viva practice" in capsys.readouterr().out


def test_export_writes_csv_and_anki_deck(seeded: str, tmp_path: Path, capsys) -> None:
    out_dir = tmp_path / "export"
    assert main(["export", "--user", "ada", "--out", str(out_dir)]) == 0
    rows = list(csv.DictReader(io.StringIO((out_dir / "viva-answers.csv").read_text(encoding="utf-8"))))
    assert [r["outcome"] for r in rows] == ["skipped", "answered"]
    with zipfile.ZipFile(out_dir / "viva-weakest.apkg") as deck:
        (out_dir / "collection.anki2").write_bytes(deck.read("collection.anki2"))
    with sqlite3.connect(out_dir / "collection.anki2") as collection:
        guids = {guid for (guid,) in collection.execute("SELECT guid FROM notes")}
    assert anki_guid(rows[0]["question_id"]) in guids, "the skipped question is in the deck"
    count = len(guids)
    assert f"{count} weakest question{'s' if count != 1 else ''} (import" in capsys.readouterr().out


async def _seed_study(db_url: str, bank, grader) -> None:
    """Discord member 777 answered both questions of a study session, one badly."""
    from bot.scheduling.clock import ManualClock
    from bot.scheduling.study_run import RunOptions, StudyEngine

    engine = create_engine(db_url)
    clock = ManualClock(datetime(2026, 5, 4, 18, 0, tzinfo=UTC))
    try:
        study = StudyEngine(bank, grader, make_sessionmaker(engine), clock=clock, rng=random.Random(3))
        pending = await study.start_now(guild_id="1", channel_id="2",
                                        options=RunOptions(question_count=2, answer_window_s=60))
        step = await study.begin(pending.run_id, "3")
        who = Participant(platform="discord", external_id="777", display_name="Grace")
        for position in range(2):
            assert step is not None and step.question is not None
            question = next(q for q in bank.questions.values() if q.prompt == step.question.prompt)
            text = question.reference_answer if position else "It makes the learning rate smaller, I think."
            await study.answer(pending.run_id, position, who, text)
            clock.advance(timedelta(seconds=61))
            step = await study.close_question(pending.run_id, position)
    finally:
        await engine.dispose()


def test_stats_and_export_count_study_session_answers(seeded: str, test_bank, grader, tmp_path: Path,
                                                      capsys) -> None:
    asyncio.run(_seed_study(seeded, test_bank, grader))
    assert main(["stats", "--discord-id", "777"]) == 0
    out = capsys.readouterr().out
    assert "Progress · Grace" in out and "Sessions: 1 study session" in out
    assert "Questions answered: 2 (skipped 0)" in out and "Mastery by topic" in out
    assert main(["export", "--discord-id", "777", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "viva-answers.csv: 2 answers (all from study sessions)" in out
    rows = list(csv.DictReader(io.StringIO((tmp_path / "viva-answers.csv").read_text(encoding="utf-8"))))
    assert [r["practice"] for r in rows] == ["study", "study"]


def test_the_empty_state_names_both_kinds_of_practice(seeded: str, capsys) -> None:
    assert main(["stats", "--user", "nobody"]) == 0
    out = capsys.readouterr().out
    assert "no practice yet: no interviews and no answers in study sessions" in out
    assert "viva practice" in out and "study session on Discord" in out


def test_practice_accepts_a_mode() -> None:
    parser = build_parser()
    assert parser.parse_args(["practice"]).mode == "mixed"
    assert parser.parse_args(["practice", "--mode", "review"]).mode == "review"
    with pytest.raises(SystemExit):
        parser.parse_args(["practice", "--mode", "cram"])
