"""The question-bank schema: one pydantic model per kind of record in content/.

Content is data checked like code: `python -m bot content check` validates every file against
these models and names the file, the record id and the field of any error.
"""

from __future__ import annotations

import re
import string
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Difficulty = Literal["E", "M", "H"]
#: every difficulty, easiest first: the one order pickers, checks and tables use
DIFFICULTIES: tuple[Difficulty, ...] = ("E", "M", "H")
DIFFICULTY_NAMES: dict[str, str] = {"E": "easy", "M": "medium", "H": "hard"}


def difficulty_rank(difficulty: str) -> int:
    """0 for easy, 1 for medium, 2 for hard: a sort key."""
    return DIFFICULTIES.index(difficulty)  # type: ignore[arg-type]

# [0-9], not \d: \d also matches other scripts' digits ("T٠٤"), which would pass here and break sorting,
# `int()` look-ups and the ids people type.
TOPIC_ID = r"^T[0-9]{2}$"
QUESTION_ID = r"^T[0-9]{2}-[0-9]{3}$"
MISCONCEPTION_ID = r"^M[0-9]{2}$"
KEY_POINT_ID = r"^kp[0-9]$"
STATEMENT_MIN, STATEMENT_MAX = 15, 300  # length of one contradiction or claim


def fold_statement(text: str) -> str:
    """Case- and spacing-insensitive form, so a near-verbatim copy counts as the same statement."""
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Topic(_Record):
    """A topic of the taxonomy (docs/notes.md#bank-taxonomy)."""

    id: str = Field(pattern=TOPIC_ID)
    name: str = Field(min_length=3, max_length=80)
    description: str = Field(min_length=10)


class KeyPoint(_Record):
    """One idea a good answer must contain, with the evidence the grader looks for.

    - `point`: the idea in plain words (shown in reports as "covered" or "missed").
    - `phrasings`: other ways a candidate might say it, informal ones too (embedding evidence).
    - `terms`: keyword evidence; each entry lists alternatives separated by `|`
      (`vanish|shrink|tiny`), matched on word stems. A term may be a short phrase.
    - `follow_up`: the question an interviewer asks when this point is missing.
    - `contradictions`: 1-3 things a confident but wrong candidate says instead of this point, in the
      candidate's own words (real wrong beliefs, not the point with "not" inserted). Training and
      evaluation data for telling a wrong claim from a right one.
    - `claims`: when the point bundles several separate claims, each one as an atomic, checkable
      statement (2-4); empty when the point is already one claim.
    - `central`: this point carries the question's central "why" or mechanism (one per question).
    """

    id: str = Field(pattern=KEY_POINT_ID)
    weight: int = Field(ge=1, le=3)
    point: str = Field(min_length=8, max_length=300)
    phrasings: list[str] = Field(min_length=1, max_length=8)
    terms: list[str] = Field(min_length=1, max_length=8)
    follow_up: str = Field(min_length=8, max_length=300)
    contradictions: list[str] = Field(default_factory=list, max_length=3)
    claims: list[str] = Field(default_factory=list, max_length=4)
    central: bool = False

    @field_validator("phrasings", "terms")
    @classmethod
    def _no_blank_entries(cls, values: list[str]) -> list[str]:
        if any(not v.strip() for v in values):
            raise ValueError("entries must not be blank")
        return values

    @field_validator("contradictions", "claims")
    @classmethod
    def _statement_lengths(cls, values: list[str]) -> list[str]:
        for value in values:
            if not STATEMENT_MIN <= len(value.strip()) <= STATEMENT_MAX:
                raise ValueError(
                    f"{value!r} has {len(value.strip())} characters; write {STATEMENT_MIN}-{STATEMENT_MAX}"
                )
        if len({fold_statement(v) for v in values}) != len(values):
            raise ValueError("entries repeat")
        return values

    @field_validator("claims")
    @classmethod
    def _claims_count(cls, values: list[str]) -> list[str]:
        if len(values) == 1:
            raise ValueError("list 2-4 atomic claims, or none when the point is a single claim")
        return values

    @model_validator(mode="after")
    def _contradictions_differ(self) -> KeyPoint:
        said_right = {fold_statement(text) for text in (self.point, *self.phrasings, *self.claims)}
        for text in self.contradictions:
            if fold_statement(text) in said_right:
                raise ValueError(f"contradiction {text!r} repeats the point, a phrasing or a claim")
        return self

    @field_validator("terms")
    @classmethod
    def _terms_have_alternatives(cls, values: list[str]) -> list[str]:
        for term in values:
            if any(not alt.strip() for alt in term.split("|")):
                raise ValueError(f"term {term!r} has an empty alternative")
        return values


class Question(_Record):
    """A free-text interview question with its rubric."""

    id: str = Field(pattern=QUESTION_ID)
    topic: str = Field(pattern=TOPIC_ID)
    difficulty: Difficulty
    prompt: str = Field(min_length=15, max_length=1000)
    kind: Literal["concept", "newcomer", "design", "derivation", "practice"] = "concept"
    key_points: list[KeyPoint] = Field(min_length=3, max_length=6)
    hint: str = Field(min_length=8, max_length=300)
    reference_answer: str = Field(min_length=40, max_length=2500)
    misconceptions: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)

    @field_validator("misconceptions")
    @classmethod
    def _misconception_ids(cls, values: list[str]) -> list[str]:
        for value in values:
            if not re.match(MISCONCEPTION_ID, value):
                raise ValueError(f"{value!r} is not a misconception id like M07")
        return values

    @model_validator(mode="after")
    def _consistent(self) -> Question:
        if not self.id.startswith(self.topic + "-"):
            raise ValueError(f"id {self.id} must start with its topic {self.topic}-")
        ids = [kp.id for kp in self.key_points]
        if len(set(ids)) != len(ids):
            raise ValueError(f"key point ids repeat: {ids}")
        central = [kp.id for kp in self.key_points if kp.central]
        if len(central) > 1:
            raise ValueError(f"only one key point may be central, found {central}")
        return self

    def key_point(self, key_point_id: str) -> KeyPoint:
        for kp in self.key_points:
            if kp.id == key_point_id:
                return kp
        raise KeyError(key_point_id)


class Misconception(_Record):
    """A wrong or sloppy statement a careful interviewer flags, and its correction."""

    id: str = Field(pattern=MISCONCEPTION_ID)
    title: str = Field(min_length=8, max_length=200)
    triggers: list[str] = Field(min_length=2, max_length=12)
    correction: str = Field(min_length=20, max_length=1200)
    sources: list[str] = Field(default_factory=list)


PersonaLine = Literal[
    "intro", "acknowledge_strong", "acknowledge_weak", "follow_up", "why", "correction",
    "hint", "skip", "transition", "closing",
]


class Persona(_Record):
    """An interviewer's voice. Each line kind has several phrasings so a session does not repeat.

    Phrasings may use `{name}` (the persona's name) and, for intro, `{n}` (the number of questions).
    """

    id: str = Field(pattern=r"^[a-z][a-z0-9_-]{1,31}$")
    name: str = Field(min_length=2, max_length=60)
    style: str = Field(min_length=10, max_length=300)
    intro: list[str] = Field(min_length=3)
    acknowledge_strong: list[str] = Field(min_length=10)
    acknowledge_weak: list[str] = Field(min_length=10)
    follow_up: list[str] = Field(min_length=10)
    why: list[str] = Field(min_length=6)
    correction: list[str] = Field(min_length=6)
    hint: list[str] = Field(min_length=10)
    skip: list[str] = Field(min_length=6)
    transition: list[str] = Field(min_length=10)
    closing: list[str] = Field(min_length=3)

    def lines(self, kind: PersonaLine) -> list[str]:
        return list(getattr(self, kind))

    @model_validator(mode="after")
    def _known_placeholders(self) -> Persona:
        # A misspelt placeholder ("{nme}") would reach candidates verbatim: refuse it here.
        for kind in PersonaLine.__args__:  # type: ignore[attr-defined]
            allowed = PERSONA_PLACEHOLDERS.get(kind, {"name"})
            for index, line in enumerate(self.lines(kind)):
                problem = _placeholder_problem(line, allowed)
                if problem:
                    raise ValueError(f"{kind}[{index}]: {problem}")
        return self


#: Placeholders a persona line may use, by line kind (`{name}` everywhere).
PERSONA_PLACEHOLDERS: dict[str, set[str]] = {"intro": {"name", "n"}}


def _placeholder_problem(line: str, allowed: set[str]) -> str | None:
    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(line) if f is not None]
    except ValueError as exc:
        return f"broken braces in {line!r} ({exc}); write {{{{ and }}}} for literal braces"
    for name in fields:
        if name not in allowed:
            names = ", ".join("{" + a + "}" for a in sorted(allowed))
            return f"unknown placeholder {{{name}}} in {line!r}; allowed here: {names}"
    return None
