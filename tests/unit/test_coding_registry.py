"""The task registry: every shipped task is valid, and broken task folders are reported by file and field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from bot import PROJECT_ROOT
from bot.coding import check_tasks, load_tasks
from bot.coding.registry import UnknownTask, get_task

TASKS_DIR = PROJECT_ROOT / "coding_tasks"
TOPIC_IDS = {t["id"] for t in yaml.safe_load((PROJECT_ROOT / "content" / "topics.yaml").read_text())["topics"]}


@pytest.fixture
def tasks_copy(tmp_path: Path) -> Path:
    """A private copy of two real tasks that a test may break."""
    for slug in ("dropout", "softmax_ce"):
        shutil.copytree(TASKS_DIR / slug, tmp_path / slug)
    return tmp_path


def _edit_yaml(path: Path, **changes: object) -> None:
    data = yaml.safe_load(path.read_text())
    data.update(changes)
    path.write_text(yaml.safe_dump(data))


def test_shipped_tasks_are_valid() -> None:
    assert check_tasks(TASKS_DIR) == []


def test_load_tasks_gives_what_the_bot_shows() -> None:
    tasks = load_tasks(TASKS_DIR)
    dropout = tasks["dropout"]
    assert dropout.title and dropout.difficulty in "EMH" and dropout.topic in TOPIC_IDS
    assert "drop" in dropout.statement.lower() and "def dropout_forward(x, p, train, rng)" in dropout.starter
    assert "def mlp_forward_backward(X, y, W1, b1, W2, b2)" in tasks["mlp_backprop"].starter
    assert all(task.topic in TOPIC_IDS for task in tasks.values())


def test_gradient_tasks_that_allow_torch_forbid_autograd() -> None:
    for task in load_tasks(TASKS_DIR).values():
        if task.meta.flavour == "torch-allowed":
            assert task.meta.forbid_autograd, task.slug


def test_cases_are_seeded_and_reproducible() -> None:
    task = load_tasks(TASKS_DIR)["mlp_backprop"]
    first, again, other = task.make_cases(), task.make_cases(), task.make_cases(seed=7)
    assert [c.name for c in first] == [c.name for c in again]
    assert (first[0].inputs["X"] == again[0].inputs["X"]).all()
    assert not (first[0].inputs["X"] == other[0].inputs["X"]).all()


def test_driver_source_is_prelude_then_task_driver() -> None:
    task = load_tasks(TASKS_DIR)["dropout"]
    assert "class MissingFunction" in task.driver_source
    assert task.driver_source.index("class MissingFunction") < task.driver_source.index("def run_case")
    assert "from bot" not in task.driver_source and "import bot" not in task.driver_source


def test_unknown_task_is_named() -> None:
    with pytest.raises(UnknownTask, match="no_such_task"):
        get_task("no_such_task", TASKS_DIR)


def test_invalid_field_is_reported_with_file_and_field(tasks_copy: Path) -> None:
    _edit_yaml(tasks_copy / "dropout" / "task.yaml", difficulty="X", topic="T99")
    errors = check_tasks(tasks_copy)
    assert any("dropout/task.yaml field 'difficulty'" in e for e in errors)
    assert any("dropout/task.yaml field 'topic'" in e for e in errors)
    assert "dropout" not in load_tasks(tasks_copy) and "softmax_ce" in load_tasks(tasks_copy)


def test_slug_must_match_folder(tasks_copy: Path) -> None:
    _edit_yaml(tasks_copy / "softmax_ce" / "task.yaml", slug="softmax")
    assert any("softmax_ce/task.yaml field 'slug'" in e for e in check_tasks(tasks_copy))


def test_missing_file_and_missing_function_are_reported(tasks_copy: Path) -> None:
    (tasks_copy / "dropout" / "reference.py").unlink()
    starter = tasks_copy / "softmax_ce" / "starter.py"
    starter.write_text(starter.read_text().replace("def softmax_cross_entropy", "def softmax_xent"))
    errors = check_tasks(tasks_copy)
    assert "dropout/reference.py: file is missing" in errors
    assert any(e.startswith("softmax_ce/starter.py: does not define `softmax_cross_entropy`") for e in errors)


def test_case_generator_errors_are_reported(tasks_copy: Path) -> None:
    cases = tasks_copy / "softmax_ce" / "cases.py"
    cases.write_text(cases.read_text().replace('{"logits": logits.astype(np.float64)',
                                               '{"logits": logits.astype(object)'))
    errors = check_tasks(tasks_copy)
    assert any("softmax_ce/cases.py case 'small_batch' field 'inputs'" in e for e in errors)
