"""The seed map ties every question of the seed documents to the bank, and its check catches drift."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import yaml

from bot.bank.loader import Bank, load_bank
from bot.bank.seed_map import SEED_MAP_FILE, check_seed_map, seeds_dir_for

CONTENT = Path(__file__).resolve().parents[2] / "content"


@pytest.fixture(scope="module")
def real_bank() -> Bank:
    return load_bank(CONTENT, strict=False)


def _real_entries() -> list[dict]:
    return yaml.safe_load((CONTENT / SEED_MAP_FILE).read_text(encoding="utf-8"))


def test_real_seed_map_passes(real_bank: Bank) -> None:
    errors = check_seed_map(CONTENT, real_bank)
    assert [str(e) for e in errors] == []


def test_real_seed_map_covers_every_seed_document() -> None:
    seeds_dir = seeds_dir_for(CONTENT)
    if not seeds_dir.is_dir():
        pytest.skip(f"seed documents not present at {seeds_dir} (repository checked out alone)")
    mapped = {entry["seed"] for entry in _real_entries()}
    assert mapped == {p.name for p in seeds_dir.iterdir() if p.is_file()}


def test_map_fails_when_a_bank_question_disappears(real_bank: Bank) -> None:
    entry = next(e for e in _real_entries() if e["status"] == "covered")
    gone = entry["bank_ids"][0]
    shrunk = dataclasses.replace(
        real_bank, questions={qid: q for qid, q in real_bank.questions.items() if qid != gone}
    )

    errors = check_seed_map(CONTENT, shrunk)

    about_gone = [e for e in errors if gone in e.message]
    assert about_gone, [str(e) for e in errors]
    assert about_gone[0].field == "bank_ids"
    assert entry["seed"] in about_gone[0].record
    assert entry["ref"][:30] in about_gone[0].record


def _layout(tmp_path: Path, entries: list[dict], seeds: dict[str, str]) -> Path:
    """A repository beside shared/seeds holding a custom map; checked against the real bank."""
    content = tmp_path / "repo" / "content"
    content.mkdir(parents=True)
    (content / SEED_MAP_FILE).write_text(yaml.safe_dump(entries), encoding="utf-8")
    seeds_dir = tmp_path / "shared" / "seeds"
    seeds_dir.mkdir(parents=True)
    for name, text in seeds.items():
        (seeds_dir / name).write_text(text, encoding="utf-8")
    return content


def test_skipped_entry_without_reason_is_an_error(tmp_path: Path, real_bank: Bank) -> None:
    entries = [{"seed": "a.txt", "ref": "Do you have to show your face?", "status": "skipped"}]
    content = _layout(tmp_path, entries, {"a.txt": "Q: Do you have to show   your face?"})

    errors = check_seed_map(content, real_bank)

    assert [(e.field, e.message) for e in errors] == [("reason", "a skipped entry needs a reason")]
    assert errors[0].record.startswith("a.txt: Do you have")


def test_seed_file_missing_or_not_represented_is_an_error(tmp_path: Path, real_bank: Bank) -> None:
    qid = next(iter(real_bank.questions))
    entries = [{"seed": "gone.txt", "ref": "What is dropout?", "status": "covered", "bank_ids": [qid]}]
    content = _layout(tmp_path, entries, {"present.txt": "What is dropout?"})

    messages = [e.message for e in check_seed_map(content, real_bank)]

    assert any("no seed file gone.txt" in m for m in messages)
    assert any("seed file present.txt has no entry" in m for m in messages)


def test_misquoted_ref_and_covered_without_ids_are_errors(tmp_path: Path, real_bank: Bank) -> None:
    entries = [{"seed": "a.txt", "ref": "Explain batch norm", "status": "covered", "bank_ids": []}]
    content = _layout(tmp_path, entries, {"a.txt": "Explain dropout... and then explain layer norm."})

    fields = sorted(e.field for e in check_seed_map(content, real_bank))

    assert fields == ["bank_ids", "ref"]


def test_ref_fragments_joined_by_an_ellipsis_are_found(tmp_path: Path, real_bank: Bank) -> None:
    qid = next(iter(real_bank.questions))
    entries = [{"seed": "a.txt", "ref": "Design a network … huge (> 10K)?", "status": "covered", "bank_ids": [qid]}]
    seed_text = "Design a network to detect two classes. What if the number of classes is huge (> 10K)?"
    content = _layout(tmp_path, entries, {"a.txt": seed_text})

    assert check_seed_map(content, real_bank) == []


def test_malformed_entry_names_the_field(tmp_path: Path, real_bank: Bank) -> None:
    entries = [{"seed": "a.txt", "ref": "What is dropout?", "status": "maybe", "bank_ids": ["T4-1"]}]
    content = _layout(tmp_path, entries, {"a.txt": "What is dropout?"})

    fields = sorted(e.field for e in check_seed_map(content, real_bank))

    assert fields == ["bank_ids.0", "status"]
