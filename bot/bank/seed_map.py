"""Check content/seed_map.yaml: every question of the seed documents is covered by the bank or skipped with a reason.

The seed documents (docs/notes.md#bank-taxonomy) are the interview write-ups the bank was
planned from. The map lists every question they ask or imply and says which bank questions have the
same intent, so "did we cover the seeds?" is a check, not a feeling.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.bank.loader import Bank, ContentError
from bot.bank.schema import QUESTION_ID

SEED_MAP_FILE = "seed_map.yaml"
# Fragments of a quote may be joined by an ellipsis when the seed question is longer than a ref allows.
_ELLIPSIS = re.compile(r"\s*(?:\.\.\.|…)\s*")
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader when libyaml is present
_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-"})


class SeedEntry(BaseModel):
    """One question found in a seed document and what the bank does about it."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    seed: str = Field(min_length=1, max_length=200)
    ref: str = Field(min_length=3, max_length=120)
    status: Literal["covered", "skipped"]
    bank_ids: list[Annotated[str, Field(pattern=QUESTION_ID)]] = Field(default_factory=list)
    reason: str = ""


def seeds_dir_for(content_root: Path) -> Path:
    """The repository sits beside shared/, so the seeds are two levels up from content/."""
    return content_root.resolve().parent.parent / "shared" / "seeds"


def _normalise(text: str) -> str:
    return " ".join(text.translate(_QUOTES).lower().split())


def _quote_found(ref: str, seed_text: str) -> bool:
    fragments = [f for f in _ELLIPSIS.split(_normalise(ref)) if f]
    return bool(fragments) and all(fragment in seed_text for fragment in fragments)


def _name(entry: SeedEntry) -> str:
    return f"{entry.seed}: {entry.ref[:60]}"


def _entry_name(raw: Any, index: int) -> str:
    if isinstance(raw, dict) and raw.get("seed") and raw.get("ref"):
        return f"{raw['seed']}: {str(raw['ref'])[:60]}"
    return f"#{index + 1}"


def _read_entries(path: Path, file_name: str, errors: list[ContentError]) -> list[Any]:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
    except OSError as exc:
        errors.append(ContentError(file_name, "", "", f"cannot read: {exc}"))
        return []
    except yaml.YAMLError as exc:
        errors.append(ContentError(file_name, "", "", f"broken YAML: {exc}"))
        return []
    if isinstance(data, dict) and "entries" in data:
        data = data["entries"]
    if not isinstance(data, list):
        errors.append(ContentError(file_name, "", "entries", "expected a list of seed entries"))
        return []
    return data


def _validate_entries(raw_entries: list[Any], file_name: str, errors: list[ContentError]) -> list[SeedEntry]:
    entries: list[SeedEntry] = []
    for index, raw in enumerate(raw_entries):
        try:
            entries.append(SeedEntry.model_validate(raw))
        except ValidationError as exc:
            for err in exc.errors():
                loc = ".".join(str(part) for part in err["loc"]) or "(record)"
                errors.append(ContentError(file_name, _entry_name(raw, index), loc, err["msg"]))
    return entries


def _check_entry(entry: SeedEntry, bank: Bank, file_name: str, errors: list[ContentError]) -> None:
    name = _name(entry)
    if entry.status == "covered":
        if not entry.bank_ids:
            errors.append(ContentError(file_name, name, "bank_ids", "a covered entry needs at least one bank id"))
        for qid in entry.bank_ids:
            if qid not in bank.questions:
                errors.append(ContentError(file_name, name, "bank_ids", f"unknown question id {qid}"))
    else:
        if not entry.reason:
            errors.append(ContentError(file_name, name, "reason", "a skipped entry needs a reason"))
        if entry.bank_ids:
            errors.append(ContentError(file_name, name, "bank_ids", "a skipped entry must not list bank ids"))


def _check_against_seeds(
    entries: list[SeedEntry], mapped: set[str], seeds_dir: Path, file_name: str, errors: list[ContentError]
) -> None:
    seed_files = {p.name: p for p in sorted(seeds_dir.iterdir()) if p.is_file()}
    texts: dict[str, str] = {}
    for entry in entries:
        name = _name(entry)
        path = seed_files.get(entry.seed)
        if path is None:
            errors.append(ContentError(file_name, name, "seed", f"no seed file {entry.seed} in {seeds_dir}"))
            continue
        if entry.seed not in texts:
            texts[entry.seed] = _normalise(path.read_text(encoding="utf-8", errors="replace"))
        if not _quote_found(entry.ref, texts[entry.seed]):
            errors.append(ContentError(file_name, name, "ref", f"quote not found in {entry.seed}"))
    for seed_name in seed_files:
        if seed_name not in mapped:
            errors.append(ContentError(file_name, "", "seed", f"seed file {seed_name} has no entry in the map"))


def check_seed_map(content_root: Path, bank: Bank) -> list[ContentError]:
    """Validate content/seed_map.yaml against the bank and, when present, the seed documents."""
    path = content_root / SEED_MAP_FILE
    file_name = f"{content_root.name}/{SEED_MAP_FILE}"
    errors: list[ContentError] = []
    if not path.is_file():
        return [ContentError(file_name, "", "", "seed map not found")]

    raw_entries = _read_entries(path, file_name, errors)
    entries = _validate_entries(raw_entries, file_name, errors)
    # An entry with a bad field still says which seed it belongs to.
    mapped = {str(raw["seed"]) for raw in raw_entries if isinstance(raw, dict) and raw.get("seed")}
    seen: set[tuple[str, str]] = set()
    for entry in entries:
        key = (entry.seed, _normalise(entry.ref))
        if key in seen:
            errors.append(ContentError(file_name, _name(entry), "ref", "duplicate entry"))
        seen.add(key)
        _check_entry(entry, bank, file_name, errors)

    seeds_dir = seeds_dir_for(content_root)
    if seeds_dir.is_dir():
        _check_against_seeds(entries, mapped, seeds_dir, file_name, errors)
    return errors
