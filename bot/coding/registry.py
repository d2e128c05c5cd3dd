"""Find, validate and load the coding tasks in coding_tasks/ (one folder per task).

A task folder holds `task.yaml`, `statement.md`, `starter.py` (shown to candidates), and trusted
parts that run only in the parent: `reference.py` (float64 PyTorch reference), `cases.py` (seeded
case generators, inputs only) and `checker.py` (per-task comparison and feedback). `driver.py` is
sent into the sandbox as text and never imported here.

Trusted parts are imported as submodules of a synthetic package per task folder, so a checker can
write `from .reference import expected`.
"""

from __future__ import annotations

import ast
import importlib
import logging
import sys
import types
import zlib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import yaml
from pydantic import ValidationError

from bot.bank.strict_yaml import load_yaml
from bot.coding.case import Case, CaseCheck
from bot.coding.schema import TaskMeta

log = logging.getLogger(__name__)

REQUIRED_FILES = ("task.yaml", "statement.md", "starter.py", "reference.py", "cases.py", "driver.py",
                  "checker.py")
#: function each trusted or driver file must define
REQUIRED_DEFS = {"reference.py": "expected", "cases.py": "make_cases", "checker.py": "check_case",
                 "driver.py": "run_case"}
PRELUDE_PATH = Path(__file__).with_name("driver_prelude.py")


class UnknownTask(KeyError):
    """No task with this slug."""

    def __str__(self) -> str:
        return f"unknown task {self.args[0]!r}"


@dataclass(frozen=True)
class Task:
    """A loaded task: its metadata, the text a candidate sees, and access to its trusted parts."""

    meta: TaskMeta
    directory: Path
    statement: str
    starter: str
    _modules: dict[str, types.ModuleType] = field(default_factory=dict, repr=False, compare=False)

    @property
    def slug(self) -> str:
        return self.meta.slug

    @property
    def title(self) -> str:
        return self.meta.title

    @property
    def difficulty(self) -> str:
        return self.meta.difficulty

    @property
    def topic(self) -> str:
        return self.meta.topic

    @cached_property
    def driver_source(self) -> str:
        """The prelude helpers followed by the task's driver: the trusted code run in the jail."""
        prelude = PRELUDE_PATH.read_text(encoding="utf-8")
        driver = (self.directory / "driver.py").read_text(encoding="utf-8")
        return f"{prelude}\n\n# ---- task driver: {self.slug} ----\n{driver}"

    def module(self, part: str) -> types.ModuleType:
        """Import one trusted part (`reference`, `cases`, `checker`) of this task."""
        if part not in self._modules:
            package = _task_package(self.directory)
            self._modules[part] = importlib.import_module(f"{package}.{part}")
        return self._modules[part]

    def make_cases(self, seed: int | None = None) -> list[Case]:
        """The task's cases, seeded: a fixed seed per task unless one is given."""
        if seed is None:
            seed = zlib.crc32(self.slug.encode())
        return list(self.module("cases").make_cases(np.random.default_rng(seed)))

    def check_case(self, case: Case, output: object) -> CaseCheck:
        return self.module("checker").check_case(case, output)


def _task_package(directory: Path) -> str:
    """Register a synthetic package for a task folder and return its name."""
    name = f"_viva_task_{directory.name}_{zlib.crc32(str(directory.resolve()).encode()):08x}"
    if name not in sys.modules:
        package = types.ModuleType(name)
        package.__path__ = [str(directory)]
        package.__package__ = name
        sys.modules[name] = package
    return name


def _task_dirs(tasks_dir: Path) -> list[Path]:
    if not tasks_dir.is_dir():
        return []
    return sorted(p for p in tasks_dir.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))


def _read_meta(task_dir: Path) -> tuple[TaskMeta | None, list[str]]:
    where = f"{task_dir.name}/task.yaml"
    path = task_dir / "task.yaml"
    if not path.is_file():
        return None, [f"{where}: file is missing"]
    try:
        raw, duplicates = load_yaml(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        return None, [f"{where}: not valid YAML ({exc})"]
    if duplicates:
        return None, [f"{where} field '{d.field}': duplicate key at line {d.line} (first at line {d.first_line})"
                      for d in duplicates]
    if not isinstance(raw, dict):
        return None, [f"{where}: must be a mapping of fields"]
    try:
        meta = TaskMeta.model_validate(raw)
    except ValidationError as exc:
        errors = []
        for err in exc.errors():
            field_name = ".".join(str(p) for p in err["loc"]) or "?"
            errors.append(f"{where} field '{field_name}': {err['msg']}")
        return None, errors
    if meta.slug != task_dir.name:
        return None, [f"{where} field 'slug': {meta.slug!r} must equal the folder name {task_dir.name!r}"]
    return meta, []


def load_tasks(tasks_dir: Path) -> dict[str, Task]:
    """Every valid task under `tasks_dir`, by slug. Invalid folders are skipped with a warning
    (`python -m bot content check` reports them in full)."""
    tasks: dict[str, Task] = {}
    for task_dir in _task_dirs(Path(tasks_dir)):
        meta, errors = _read_meta(task_dir)
        missing = [name for name in REQUIRED_FILES if not (task_dir / name).is_file()]
        if meta is None or missing:
            log.warning("skipping coding task %s: %s", task_dir.name, "; ".join(errors) or f"missing {missing}")
            continue
        tasks[meta.slug] = Task(
            meta=meta,
            directory=task_dir,
            statement=(task_dir / "statement.md").read_text(encoding="utf-8"),
            starter=(task_dir / "starter.py").read_text(encoding="utf-8"),
        )
    return tasks


#: tasks_dir -> (signature of its files, tasks): reloaded only when a task file changes on disk
_loaded: dict[Path, tuple[tuple[tuple[str, int], ...], dict[str, Task]]] = {}


def _signature(tasks_dir: Path) -> tuple[tuple[str, int], ...]:
    return tuple((str(path), path.stat().st_mtime_ns)
                 for task_dir in _task_dirs(tasks_dir) for path in sorted(task_dir.iterdir()) if path.is_file())


def get_task(slug: str, tasks_dir: Path) -> Task:
    """One task by slug, from a cache that is refreshed when the folder's files change."""
    tasks_dir = Path(tasks_dir).resolve()
    signature = _signature(tasks_dir)
    cached = _loaded.get(tasks_dir)
    if cached is None or cached[0] != signature:
        cached = _loaded[tasks_dir] = (signature, load_tasks(tasks_dir))
    if slug not in cached[1]:
        raise UnknownTask(slug)
    return cached[1][slug]


def _defined_functions(path: Path) -> tuple[set[str], str | None]:
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except SyntaxError as exc:
        return set(), f"syntax error at line {exc.lineno}: {exc.msg}"
    return {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}, None


_ALLOWED_SCALARS = (type(None), bool, int, float, str)


def _input_problem(value: object, depth: int = 0) -> str | None:
    """Why a case input cannot cross into the sandbox (see the SandboxJob contract), or None."""
    if depth > 6:
        return "nested too deeply"
    if isinstance(value, _ALLOWED_SCALARS):
        return None
    if isinstance(value, np.ndarray):
        return None if value.dtype.kind in "biuf" else f"array dtype {value.dtype} is not numeric/bool"
    if isinstance(value, list | tuple):
        return next((p for v in value if (p := _input_problem(v, depth + 1))), None)
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            return "dict keys must be str"
        return next((p for v in value.values() if (p := _input_problem(v, depth + 1))), None)
    return f"type {type(value).__name__} cannot be sent to the sandbox"


def _check_cases(task: Task) -> list[str]:
    where = f"{task.slug}/cases.py"
    try:
        cases = task.make_cases()
    except Exception as exc:  # a broken generator is reported, not raised
        return [f"{where}: make_cases raised {type(exc).__name__}: {exc}"]
    if not cases:
        return [f"{where}: make_cases returned no cases"]
    errors = []
    names = [c.name for c in cases]
    if len(set(names)) != len(names):
        errors.append(f"{where}: case names must be unique ({names})")
    for case in cases:
        if not isinstance(case, Case):
            errors.append(f"{where}: make_cases must return Case objects")
            break
        problem = _input_problem(case.inputs)
        if problem:
            errors.append(f"{where} case '{case.name}' field 'inputs': {problem}")
    return errors


def check_tasks(tasks_dir: Path) -> list[str]:
    """Validate every task folder; each error string names the file and the field (or function)."""
    tasks_dir = Path(tasks_dir)
    if not tasks_dir.is_dir():
        return [f"{tasks_dir}: coding tasks folder not found"]
    errors: list[str] = []
    for task_dir in _task_dirs(tasks_dir):
        before = len(errors)
        meta, meta_errors = _read_meta(task_dir)
        errors += meta_errors
        missing = [name for name in REQUIRED_FILES if not (task_dir / name).is_file()]
        errors += [f"{task_dir.name}/{name}: file is missing" for name in missing if name != "task.yaml"]
        if meta is None or missing:
            continue
        for filename, function in REQUIRED_DEFS.items():
            defined, problem = _defined_functions(task_dir / filename)
            if problem:
                errors.append(f"{task_dir.name}/{filename}: {problem}")
            elif function not in defined:
                errors.append(f"{task_dir.name}/{filename}: must define `{function}`")
        starter_defs, problem = _defined_functions(task_dir / "starter.py")
        if problem:
            errors.append(f"{task_dir.name}/starter.py: {problem}")
        for function in meta.functions:
            if not problem and function not in starter_defs:
                errors.append(f"{task_dir.name}/starter.py: does not define `{function}` "
                              f"(listed in task.yaml field 'functions')")
        if not (task_dir / "statement.md").read_text(encoding="utf-8").strip():
            errors.append(f"{task_dir.name}/statement.md: is empty")
        if len(errors) == before:
            task = Task(meta=meta, directory=task_dir, statement="", starter="")
            errors += _check_cases(task)
    return errors
