"""Load content/ into a validated, read-only `Bank`, collecting every error with file, record and field."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from bot.bank.schema import Misconception, Persona, Question, Topic
from bot.bank.strict_yaml import load_yaml

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class ContentError:
    """One problem in content/: where it is and what is wrong."""

    file: str
    record: str
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}"
        if self.record:
            where += f" [{self.record}]"
        if self.field:
            where += f" field '{self.field}'"
        return f"{where}: {self.message}"


@dataclass
class Bank:
    """Every topic, question, misconception and persona, keyed by id."""

    root: Path
    topics: dict[str, Topic] = field(default_factory=dict)
    questions: dict[str, Question] = field(default_factory=dict)
    misconceptions: dict[str, Misconception] = field(default_factory=dict)
    personas: dict[str, Persona] = field(default_factory=dict)
    errors: list[ContentError] = field(default_factory=list)
    #: question id -> the file it came from (relative, as errors name it)
    question_files: dict[str, str] = field(default_factory=dict)

    def question(self, question_id: str) -> Question:
        try:
            return self.questions[question_id]
        except KeyError:
            raise KeyError(f"unknown question id {question_id!r}") from None

    def questions_for(self, topic: str | None = None, difficulty: str | None = None) -> list[Question]:
        return [
            q for q in self.questions.values()
            if (topic is None or q.topic == topic) and (difficulty is None or q.difficulty == difficulty)
        ]

    def resolve_topic(self, text: str) -> str | None:
        """Map `T04`, `t4`, `activation functions` or a prefix of a topic name to a topic id."""
        wanted = text.strip().lower()
        for topic in self.topics.values():
            if wanted in (topic.id.lower(), f"t{int(topic.id[1:])}"):
                return topic.id
        for topic in self.topics.values():
            if topic.name.lower().startswith(wanted) or wanted in topic.name.lower():
                return topic.id
        return None


class ContentLoadError(Exception):
    """content/ has errors; `errors` lists them all."""

    def __init__(self, errors: list[ContentError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)


def _read_yaml(path: Path, root: Path, errors: list[ContentError]) -> Any:
    name = _relative(path, root)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        errors.append(ContentError(name, "", "", f"cannot read: {exc}"))
        return None
    try:
        # The C parser (when PyYAML has it) is ~10x faster: the bank is read at every start.
        data, duplicates = load_yaml(text)
        for duplicate in duplicates:
            errors.append(ContentError(name, duplicate.record, duplicate.field,
                                       f"duplicate key at line {duplicate.line} (first at line {duplicate.first_line}); "
                                       "YAML would keep only the last value"))
        return data
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        errors.append(ContentError(name, "", "", f"broken YAML at {where}{problem}"))
        return None


def _records(data: Any, key: str, name: str, errors: list[ContentError]) -> list[Any]:
    """Accept either a top-level list or a mapping with `key:` holding the list."""
    if data is None:
        return []
    if isinstance(data, dict) and key in data:
        data = data[key]
    if not isinstance(data, list):
        errors.append(ContentError(name, "", key, f"expected a list of {key}"))
        return []
    return data


def _validate(model: type[M], raw: Any, name: str, index: int, errors: list[ContentError]) -> M | None:
    record = raw.get("id", f"#{index + 1}") if isinstance(raw, dict) else f"#{index + 1}"
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        for err in exc.errors():
            loc = ".".join(str(part) for part in err["loc"]) or "(record)"
            errors.append(ContentError(name, str(record), loc, err["msg"]))
        return None


def _load_kind(
    paths: Iterable[Path], model: type[M], key: str, root: Path, errors: list[ContentError]
) -> dict[str, tuple[M, str]]:
    found: dict[str, tuple[M, str]] = {}
    for path in paths:
        name = _relative(path, root)
        for index, raw in enumerate(_records(_read_yaml(path, root, errors), key, name, errors)):
            item = _validate(model, raw, name, index, errors)
            if item is None:
                continue
            item_id = item.id  # type: ignore[attr-defined]
            if item_id in found:
                errors.append(ContentError(name, item_id, "id", f"duplicate id (also in {found[item_id][1]})"))
                continue
            found[item_id] = (item, name)
    return found


def load_bank(root: Path, *, strict: bool = True) -> Bank:
    """Load and cross-check content/. With `strict`, raise ContentLoadError on any error."""
    errors: list[ContentError] = []
    if not root.is_dir():
        errors.append(ContentError(str(root), "", "", "content directory not found"))
        if strict:
            raise ContentLoadError(errors)
        return Bank(root=root, errors=errors)

    topics = _load_kind([root / "topics.yaml"], Topic, "topics", root, errors)
    misconceptions = _load_kind([root / "misconceptions.yaml"], Misconception, "misconceptions", root, errors)
    persona_files = sorted((root / "personas").glob("*.yaml")) if (root / "personas").is_dir() else []
    personas = _load_kind(persona_files, Persona, "personas", root, errors)
    question_files = sorted((root / "questions").glob("*.yaml"))
    questions = _load_kind(question_files, Question, "questions", root, errors)

    for qid, (question, name) in questions.items():
        if question.topic not in topics:
            errors.append(ContentError(name, qid, "topic", f"unknown topic {question.topic}"))
        for mid in question.misconceptions:
            if mid not in misconceptions:
                errors.append(ContentError(name, qid, "misconceptions", f"unknown misconception {mid}"))
    if not personas:
        errors.append(ContentError(_relative(root / "personas", root), "", "", "no persona defined"))

    bank = Bank(
        root=root,
        topics={k: v for k, (v, _) in sorted(topics.items())},
        questions={k: v for k, (v, _) in sorted(questions.items())},
        misconceptions={k: v for k, (v, _) in sorted(misconceptions.items())},
        personas={k: v for k, (v, _) in personas.items()},
        errors=errors,
        question_files={k: name for k, (_, name) in sorted(questions.items())},
    )
    if strict and errors:
        raise ContentLoadError(errors)
    return bank
