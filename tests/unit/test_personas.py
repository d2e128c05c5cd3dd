"""The real personas in content/personas load, sound distinct, and never repeat a line in a 10-question interview."""

from __future__ import annotations

import re
import string
from pathlib import Path
from typing import get_args

import pytest

from bot.bank.loader import load_bank
from bot.bank.schema import Persona, PersonaLine
from bot.interview.followup import MAX_FOLLOW_UPS
from bot.interview.personas import persona_line

CONTENT = Path(__file__).resolve().parents[2] / "content"
QUESTIONS_PER_INTERVIEW = 10

# The indexes the interview engine asks `persona_line` for in one session of ten questions:
# per-answer kinds by question position, follow-up lead-ins (follow_up, why, correction) by the running
# count of follow-ups in the session (at most MAX_FOLLOW_UPS per question), intro and closing once.
SESSION_INDEXES: dict[str, range] = {
    "intro": range(1),
    "closing": range(1),
    "acknowledge_strong": range(QUESTIONS_PER_INTERVIEW),
    "acknowledge_weak": range(QUESTIONS_PER_INTERVIEW),
    "hint": range(QUESTIONS_PER_INTERVIEW),
    "skip": range(QUESTIONS_PER_INTERVIEW),
    "transition": range(1, QUESTIONS_PER_INTERVIEW),
    "follow_up": range(QUESTIONS_PER_INTERVIEW * MAX_FOLLOW_UPS),
    "why": range(QUESTIONS_PER_INTERVIEW * MAX_FOLLOW_UPS),
    "correction": range(QUESTIONS_PER_INTERVIEW * MAX_FOLLOW_UPS),
}
LEAD_IN_KINDS = ("follow_up", "correction", "hint")
REQUIRED_VOICES = 4


def _persona_files() -> list[Path]:
    return sorted((CONTENT / "personas").glob("*.yaml"))


def _normalise(line: str) -> str:
    """Lines that differ only in case, punctuation or spacing count as the same line."""
    no_punct = line.lower().translate(str.maketrans("", "", string.punctuation))
    return " ".join(no_punct.split())


@pytest.fixture(scope="module")
def personas(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Persona]:
    """Load the real persona files through the real loader, without parsing the whole question bank."""
    root = tmp_path_factory.mktemp("content")
    (root / "personas").symlink_to(CONTENT / "personas", target_is_directory=True)
    bank = load_bank(root, strict=False)
    persona_errors = [e for e in bank.errors if "personas" in e.file]
    assert persona_errors == []
    return bank.personas


def test_every_persona_file_loads_without_errors(personas: dict[str, Persona]) -> None:
    files = _persona_files()
    assert len(files) >= REQUIRED_VOICES
    assert {path.stem for path in files} == set(personas)


def test_at_least_four_distinct_interviewers(personas: dict[str, Persona]) -> None:
    assert len(personas) >= REQUIRED_VOICES
    assert len({p.name for p in personas.values()}) == len(personas)
    assert len({_normalise(p.style) for p in personas.values()}) == len(personas)


def test_session_table_covers_every_line_kind() -> None:
    assert set(SESSION_INDEXES) == set(get_args(PersonaLine))


@pytest.mark.parametrize("kind", sorted(SESSION_INDEXES))
def test_ten_questions_of_each_line_kind_never_repeat(personas: dict[str, Persona], kind: PersonaLine) -> None:
    for persona in personas.values():
        lines = persona.lines(kind)
        assert len({_normalise(line) for line in lines}) == len(lines), f"{persona.id}.{kind} has duplicates"
        for session_id in (1, 2, 77, 1234):
            said = [_normalise(persona_line(persona, kind, session_id, i, n=QUESTIONS_PER_INTERVIEW))
                    for i in SESSION_INDEXES[kind]]
            assert len(set(said)) == len(said), (
                f"{persona.id}.{kind} repeats a line within session {session_id}: {len(set(said))} of {len(said)}"
            )


def test_personas_do_not_share_lines(personas: dict[str, Persona]) -> None:
    owner: dict[str, str] = {}
    for persona in personas.values():
        for kind in get_args(PersonaLine):
            for line in persona.lines(kind):
                key = _normalise(line)
                assert owner.setdefault(key, persona.id) == persona.id, (
                    f"{line!r} is used by both {owner[key]} and {persona.id}"
                )


def test_placeholders_render(personas: dict[str, Persona]) -> None:
    for persona in personas.values():
        for kind in get_args(PersonaLine):
            allowed = {"name", "n"} if kind == "intro" else {"name"}
            for line in persona.lines(kind):
                used = {field for _, field, _, _ in string.Formatter().parse(line) if field is not None}
                assert used <= allowed, f"{persona.id}.{kind}: {line!r} uses {used - allowed}"
                rendered = line.format(name=persona.name, n=QUESTIONS_PER_INTERVIEW)
                assert "{" not in rendered and "}" not in rendered


def test_every_intro_says_how_many_questions(personas: dict[str, Persona]) -> None:
    for persona in personas.values():
        for line in persona.intro:
            assert str(QUESTIONS_PER_INTERVIEW) in line.format(name=persona.name, n=QUESTIONS_PER_INTERVIEW)


def test_lead_ins_are_short_and_why_lines_ask_for_a_reason(personas: dict[str, Persona]) -> None:
    for persona in personas.values():
        for kind in LEAD_IN_KINDS:
            for line in persona.lines(kind):
                assert len(line) <= 100, f"{persona.id}.{kind}: lead-in too long: {line!r}"
        for line in persona.why:
            assert re.search(r"\?|^(justify|explain|give|state|support|prove|provide)\b", line.strip(), re.I), (
                f"{persona.id}.why: {line!r} is not a question or a request to justify"
            )
